"""How passwords are stored: Argon2id at the parameters OWASP's Password Storage Cheat Sheet gives as its first
choice (19 MiB of memory, two passes, one lane).

Django's default, PBKDF2 at 1,000,000 iterations, took about 200 ms of a core to check one password, so a unit
signing in at the start of a shift queued behind its own password checks (the load benchmark: 70 people within
15 s, the sign-in's p95 over half a second). Argon2id at these parameters checks one in about 30 ms and, being
memory-hard, costs a guesser with graphics cards or custom chips far more per guess than PBKDF2 does.

A password stored by an earlier release (PBKDF2) still signs in, and is stored again as Argon2id as it does:
settings.PASSWORD_HASHERS lists this hasher first and Django's PBKDF2 hashers after it."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idHasher(Argon2PasswordHasher):
    """Django's Argon2 (Argon2id, by argon2-cffi) at OWASP's parameters; Django's own defaults (100 MiB, eight
    lanes) cost as much time on two cores as PBKDF2."""

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
