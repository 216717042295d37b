"""The dashboard's figures, kept in the cache (Redis) for as long as they are true.

They are kept under the version of the register the user sees (visits/register_changes.py: a write to the
offenders, officers, visits or record of one of their teams, to an unallocated offender or to the tiers, and
every flag run, changes it) and the stamps of the snapshots they read, so the first view after such a write
counts them afresh: nobody is shown figures older than the last write they could see. A write in another
team's register leaves them kept. Users who see the same teams share them. Where the cache cannot be
reached the figures are counted for each view.
"""

import base64
import hashlib
import logging
import pickle
from collections.abc import Callable

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.cache import cache
from redis.exceptions import RedisError

from offenders.selectors import team_ids_visible_to
from visits.models import TeamSnapshot
from visits.register_changes import policy, register_version

logger = logging.getLogger(__name__)
SHAPE = 4  # raise when what is kept changes shape, so that entries kept by an older release are not read


def scope_of(user) -> list[int] | None:
    """Whose register a user sees: everyone's (None) for an admin, else their teams' (and the unallocated)."""
    return team_ids_visible_to(user=user)


def scope_and_version(user) -> tuple:
    """The user's scope, and the version of the register within it."""
    scope = scope_of(user)
    return scope, register_version(teams=scope)


def figures_key(*, user, team, as_of, days) -> str:
    """What the figures depend on: whose teams, the version of their register, which team, the day, the grace
    policy and when the snapshots of the earlier days were taken."""
    stamps = (
        TeamSnapshot.objects.filter(team__isnull=True, day__in=days).order_by("day").values_list("day", "taken_at")
    )
    parts = [SHAPE, *scope_and_version(user), team.pk if team else "", as_of, policy(), *stamps]
    return "caseload:dashboard:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def table_key(*, user, table: str, query, as_of) -> str:
    """What a page of a dashboard table depends on: whose teams, which table, its filters, order and page
    (the whole query string), the day, the grace policy and the version of the register the user sees."""
    params = sorted((name, value) for name, values in query.lists() for value in values)
    parts = [SHAPE, "table", table, *scope_and_version(user), params, as_of, policy()]
    return "caseload:dashboard:table:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def kept(key: Callable[[], str], compute: Callable[[], dict], *, prolong: bool = False) -> dict:
    """The value kept under `key()`, else `compute()` kept for CASELOAD_DASHBOARD_CACHE_SECONDS (with `prolong`,
    a value found is kept that long again). The key is asked for only when values are kept: working it out reads
    the register's version and the user's scope.

    Sealed (encrypted and authenticated with a key derived from SECRET_KEY) before it leaves for Redis:
    a table's page names offenders, and Redis, or a dump of it, must not hold a name it could show."""
    seconds = settings.CASELOAD_DASHBOARD_CACHE_SECONDS
    if not seconds:
        return compute()
    key = key()
    try:
        sealed = cache.get(key)
    except RedisError as problem:
        logger.warning("Dashboard cache unavailable, counting the figures: %s", problem)
        return compute()
    value = unseal(sealed) if sealed is not None else None
    if value is not None and prolong:
        try:
            cache.touch(key, seconds)
        except RedisError as problem:
            logger.warning("Dashboard cache unavailable, figures not kept: %s", problem)
    if value is None:
        value = compute()
        try:
            cache.set(key, seal(value), seconds)
        except RedisError as problem:
            logger.warning("Dashboard cache unavailable, figures not kept: %s", problem)
    return value


def sealer() -> Fernet:
    digest = hashlib.sha256(b"caseload.dashboard.cache:" + settings.SECRET_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(value: dict) -> bytes:
    return sealer().encrypt(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


def unseal(sealed) -> dict | None:
    """The value, or None where it was not sealed by this secret key (then it is counted afresh)."""
    try:
        return pickle.loads(sealer().decrypt(sealed))  # noqa: S301 (authenticated: written by us)
    except (InvalidToken, TypeError):
        return None
