"""Dashboard scale benchmark: first-page latency for concurrent supervisors and a large CSV export.

Creates its own database (dropped at the end unless --keep), generates the register set-based in
SQL (default 1,000,000 offenders and 10 visits each), serves caseload with gunicorn on 127.0.0.1,
and measures over HTTP:

  * the first page of the dashboard and of each table, p50/p95/max, with --clients supervisors at
    once (each leading one team), with and without think time between requests;
  * a CSV export of the overdue table as an admin (about 30% of offenders have an overdue visit),
    its rows, seconds and the worker's peak memory before and after.

    python bench/dashboard.py                       # full size (generation takes a while)
    python bench/dashboard.py --offenders 50000     # quick look
    python bench/dashboard.py --keep / --reuse      # keep the database / reuse a kept one
    python bench/dashboard.py --reuse --write register  # each run after a write every supervisor sees

Each concurrent run starts right after a write to the register: by default a visit logged in one supervisor's
team (through the service, which brings that offender's flags in line); with --write register, a tier of the
tier table saved as the admin saves it (the row, then every flag brought in line: a write every supervisor
sees); with --write none, none. It is reported three ways: supervisors pausing 0.5-1.5 s between pages and
arriving within the first second, as people do; in lockstep, every round a burst of all of them at once; and
with no pause at all.

Needs DATABASE_URL (any database on the server: the benchmark makes its own next to it) and
REDIS_URL, as the app does.
"""

import argparse
import http.client
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import psycopg
from django.db.models import F

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = os.environ.get("CASELOAD_BENCH_DB", "caseload_bench_dashboard")
OFFENDERS_PER_OFFICER = 50
OFFICERS_PER_TEAM = 10
UNALLOCATED_EVERY = 1000  # one offender in a thousand has no officer
WRITE_REACH = {"team": "one supervisor's team", "register": "every supervisor", "none": "no one"}
PAGES = ["/dashboard/", "/dashboard/overdue/", "/dashboard/unseen/", "/dashboard/workload/",
         "/dashboard/unallocated/"]


def database_url(name: str) -> str:
    url = urlparse(os.environ["DATABASE_URL"])
    return urlunparse(url._replace(path=f"/{name}"))


def admin_conninfo() -> str:
    return database_url("postgres")


def step(message: str, started: float | None = None) -> float:
    now = time.perf_counter()
    if started is None:
        print(f"-- {message}", flush=True)
    else:
        print(f"   {message}: {now - started:.1f} s", flush=True)
    return now


def create_database() -> None:
    with psycopg.connect(admin_conninfo(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{BENCH_DB}"')


def drop_database() -> None:
    with psycopg.connect(admin_conninfo(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')


GENERATE = """
-- No foreign-key triggers while loading generated rows.
SET session_replication_role = replica;
SET synchronous_commit = off;
INSERT INTO offenders_team (name, caseload_ceiling_per_fte, capacity_points_per_fte, flag_weighted_capacity)
SELECT 'Team ' || lpad(t::text, 5, '0'), 50, 100, false FROM generate_series(1, %(teams)s) t;
INSERT INTO offenders_officer (staff_id, name, email, team_id, fte, active)
SELECT 'B' || lpad(o::text, 6, '0'), 'Officer ' || o, '',
       (SELECT min(id) FROM offenders_team) + (o - 1) / %(per_team)s,
       CASE WHEN o %% 7 = 0 THEN 0.5 ELSE 1 END, true
FROM generate_series(1, %(officers)s) o;
INSERT INTO offenders_offender (reference, surname, forenames, date_of_birth, risk_tier_id, status, officer_id,
    registered_on, address, postcode, reactive, created_at, updated_at)
SELECT 'BEN-' || lpad(i::text, 8, '0'),
       (ARRAY['Smith','Jones','Taylor','Brown','Wilson','Evans','Walker','Wright'])[1 + i %% 8],
       (ARRAY['John','Paul','Gary','Lee','Mark','Dean','Neil','Craig'])[1 + (i / 8) %% 8],
       date '1950-01-01' + (i * 37) %% 18000,
       CASE WHEN i %% 100 < 50 THEN tiers.low WHEN i %% 100 < 80 THEN tiers.medium
            WHEN i %% 100 < 98 THEN tiers.high ELSE tiers.very_high END,
       CASE WHEN i %% 100 = 97 THEN 'custody' WHEN i %% 100 = 98 THEN 'missing' ELSE 'community' END,
       CASE WHEN i %% %(unallocated_every)s = 0 THEN NULL
            ELSE (SELECT min(id) FROM offenders_officer) + ((i - 1) / %(per_officer)s) %% %(officers)s END,
       current_date - 400 - (i * 13) %% 4000, '', '', false, now(), now()
FROM generate_series(1, %(offenders)s) i,
     (SELECT max(id) FILTER (WHERE code = 'low') AS low, max(id) FILTER (WHERE code = 'medium') AS medium,
             max(id) FILTER (WHERE code = 'high') AS high, max(id) FILTER (WHERE code = 'very_high') AS very_high
      FROM offenders_risktier) tiers;
-- History: completed visits every ~120 days, some of them late; then one open visit, 30%% overdue.
INSERT INTO visits_visit (offender_id, officer_id, due_on, status, completed_on, kind, outcome, notes, cancel_reason,
    created_at, updated_at)
SELECT o.id, o.officer_id, current_date - k * 120 - 30, 'completed',
       current_date - k * 120 - 30 + ((o.id * k) %% 40)::int, '', 'seen', '', '', now(), now()
FROM offenders_offender o, generate_series(1, %(history)s) k;
INSERT INTO visits_visit (offender_id, officer_id, due_on, status, kind, outcome, notes, cancel_reason,
    created_at, updated_at)
SELECT o.id, o.officer_id, current_date - 150 + ((o.id * 7919) %% 500)::int, 'scheduled', '', '', '', '', now(), now()
FROM offenders_offender o;
"""


def generate(offenders: int, visits_per_offender: int) -> None:
    """Fill the bench database set-based, with the large tables' indexes built after the load."""
    officers = -(-offenders // OFFENDERS_PER_OFFICER)
    teams = -(-officers // OFFICERS_PER_TEAM)
    params = {"offenders": offenders, "officers": officers, "teams": teams, "per_team": OFFICERS_PER_TEAM,
              "per_officer": OFFENDERS_PER_OFFICER, "unallocated_every": UNALLOCATED_EVERY,
              "history": visits_per_offender - 1}
    with psycopg.connect(database_url(BENCH_DB), autocommit=True) as conn:
        indexes = conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('visits_visit', 'offenders_offender') "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)"
        ).fetchall()
        for name, _ in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        started = step("generating rows")
        for statement in GENERATE.split(";\n"):
            if statement.strip():
                conn.execute(statement, params)
        step(f"{offenders:,} offenders, {offenders * visits_per_offender:,} visits", started)
        started = step("building indexes")
        conn.execute("SET maintenance_work_mem = '512MB'")
        for _, definition in indexes:
            conn.execute(definition)
        conn.execute("VACUUM ANALYZE")
        step("indexes built and analysed", started)


def beat_work() -> None:
    """What the beat would have written by the time anyone looks: a flag run as of today, and the daily
    snapshots of the days the dashboard compares today with (the same day of each of the last 12 months,
    and 30 days ago)."""
    from caseload.dashboards.selectors import comparison_days, trend_days
    from visits.flagging import flags_refresh
    from visits.selectors import today
    from visits.snapshots import snapshot_take

    as_of = today()
    started = step("the beat's work: a flag run and 13 daily snapshots")
    flags_refresh(as_of=as_of)
    for day in sorted({*trend_days(as_of, 12), *comparison_days(as_of).values()}):
        snapshot_take(day=day)
    step("flagged and snapshotted", started)


def settings_env() -> dict:
    env = dict(os.environ, DATABASE_URL=database_url(BENCH_DB), DEBUG="0", CONN_MAX_AGE="600",
               SECRET_KEY="bench-only-secret-key-not-for-production", DJANGO_SETTINGS_MODULE="caseload.settings",
               # plain HTTP on loopback, and sign-in by password only: the pages are what is measured
               SECURE_COOKIES="0", SECURE_SSL_REDIRECT="0", CASELOAD_REQUIRE_2FA="0")
    return env


def django_setup() -> None:
    os.environ.update(settings_env())
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def create_sessions(clients: int) -> tuple[list[str], str]:
    """Supervisors leading one team each, and an admin; returns their session keys."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import Group, User
    from django.contrib.sessions.backends.db import SessionStore

    from offenders.models import Team
    from offenders.roles import Role

    def session_for(user) -> str:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        # the backend a password sign-in records (the lockout backend in front of it only refuses)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.set_expiry(3600)
        session.save()
        return session.session_key

    keys = []
    for i, team in enumerate(Team.objects.order_by("id")[:clients]):
        user, _ = User.objects.get_or_create(username=f"bench-supervisor-{i}")
        user.groups.add(Group.objects.get(name=Role.SUPERVISOR))
        team.supervisors.add(user)
        keys.append(session_for(user))
    admin, _ = User.objects.get_or_create(username="bench-admin")
    admin.groups.add(Group.objects.get(name=Role.ADMIN))
    return keys, session_for(admin)


def get(port: int, path: str, session_key: str, sink=None) -> tuple[float, int, int]:
    """One GET; returns seconds, status and bytes (streaming bodies go to `sink` line by line)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    started = time.perf_counter()
    conn.request("GET", path, headers={"Cookie": f"sessionid={session_key}", "Host": "127.0.0.1"})
    response = conn.getresponse()
    size = 0
    while chunk := response.read(65536):
        size += len(chunk)
        if sink is not None:
            sink(chunk)
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed, response.status, size


def load_test(port: int, sessions: list[str], rounds: int, think: float,
              jitter: bool = False) -> dict[str, list[float]]:
    """Each supervisor loads `rounds` pages, `think` seconds apart. In lockstep (jitter False) they all start
    together and stay together, each round a burst of simultaneous requests; with jitter, as load testers model
    people, each starts at a random moment in the first `think` seconds and pauses between 0.5 and 1.5 times
    `think` (the same mean), drawn from a fixed seed so that runs compare."""
    timings: dict[str, list[float]] = {page: [] for page in PAGES}
    errors = []
    lock = threading.Lock()

    def supervisor(i: int, key: str) -> None:
        pauses = random.Random(i)
        if jitter:
            time.sleep(pauses.uniform(0, think))
        for r in range(rounds):
            page = PAGES[(i + r) % len(PAGES)]
            elapsed, status, _ = get(port, page, key)
            with lock:
                (timings[page] if status == 200 else errors).append(elapsed if status == 200 else (page, status))
            if think:
                time.sleep(pauses.uniform(0.5 * think, 1.5 * think) if jitter else think)

    threads = [threading.Thread(target=supervisor, args=(i, key)) for i, key in enumerate(sessions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        print(f"   errors: {errors[:5]} ({len(errors)} in all)")
    return timings


def report(title: str, timings: dict[str, list[float]]) -> None:
    print(f"-- {title}")
    every = [t for values in timings.values() for t in values]
    for page, values in [*timings.items(), ("all pages", every)]:
        if len(values) >= 2:
            q = statistics.quantiles(values, n=100, method="inclusive")
            print(f"   {page:<26} n={len(values):>4}  p50={q[49] * 1000:6.0f} ms  p95={q[94] * 1000:6.0f} ms"
                  f"  max={max(values) * 1000:6.0f} ms")


def peak_rss_kb(pids: list[int]) -> int:
    peak = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peak = max(peak, int(line.split()[1]))
    return peak


def register_write(reach: str) -> None:
    """A write to the register: a visit logged in the first team ("team"), or a tier of the tier table saved as the
    admin saves it, the row and then every flag ("register": a write every supervisor sees)."""
    from django.contrib.auth.models import User

    from offenders.models import RiskTier, Team
    from visits import services
    from visits.flagging import flags_refresh
    from visits.models import OPEN_STATUSES, Visit
    from visits.selectors import today

    if reach == "register":
        started = time.perf_counter()
        RiskTier.objects.filter(pk=RiskTier.objects.order_by("pk").values("pk")[:1]).update(order=F("order"))
        flags_refresh(wait=True)
        print(f"   a tier saved, every flag brought in line: {time.perf_counter() - started:.1f} s")
        return
    first_team = Team.objects.order_by("pk").values("pk")[:1]
    visit = (Visit.objects.filter(offender__officer__team=first_team, status__in=OPEN_STATUSES)
             .select_related("offender").order_by("pk").first())
    officer = User.objects.get(username="bench-admin")
    services.visit_complete(offender=visit.offender, visit_id=visit.pk, user=officer, visited_on=today(),
                            kind=Visit.Kind.HOME_UNANNOUNCED)


def read_log_rows() -> int:
    """The read log grows with every export, and a large one takes longer to add to."""
    from offenders.models import OffenderAccess

    return OffenderAccess.objects.count()


def worker_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--offenders", type=int, default=1_000_000)
    parser.add_argument("--visits-per-offender", type=int, default=10)
    parser.add_argument("--clients", type=int, default=20, help="supervisors at once")
    parser.add_argument("--rounds", type=int, default=10, help="pages each supervisor loads per run")
    parser.add_argument("--think", type=float, default=1.0, help="seconds between a supervisor's pages")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
    parser.add_argument("--write", choices=["team", "register", "none"], default="team",
                        help="the write before each run: a visit logged in one supervisor's team, a tier saved"
                             " (every flag brought in line), or none")
    parser.add_argument("--reuse", action="store_true", help="reuse the kept bench database")
    args = parser.parse_args()

    if not args.reuse:
        create_database()
    started = step("migrating")
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=settings_env(), check=True)
    step("migrated", started)
    if not args.reuse:
        generate(args.offenders, args.visits_per_offender)
    django_setup()
    if not args.reuse:
        beat_work()
    else:
        from visits.flagging import flags_refresh

        started = step("a flag run over the reused register")
        flags_refresh(wait=True)
        step("flagged", started)
    sessions, admin_session = create_sessions(args.clients)
    port = 18000 + os.getpid() % 1000
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "caseload.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(args.workers),
         "--threads", str(args.threads), "--log-level", "warning", "--timeout", "300"],
        cwd=ROOT, env=settings_env(),
    )
    try:
        for _ in range(100):
            try:
                get(port, "/login/", "")
                break
            except OSError:
                time.sleep(0.2)
        def from_a_write() -> None:
            """Every run starts right after a write to the register."""
            if args.write != "none":
                register_write(args.write)

        load_test(port, sessions, rounds=len(PAGES), think=0)  # every supervisor opens each page once
        from_a_write()
        print(f"-- machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} before the runs;"
              f" each run starts after a write reaching {WRITE_REACH[args.write]}")
        report("1 supervisor at a time (cost of a page without contention)",
               load_test(port, sessions[:1], rounds=args.rounds * 2, think=0))
        from_a_write()
        report(f"{args.clients} supervisors, {0.5 * args.think:g}-{1.5 * args.think:g} s between pages, starting "
               f"within {args.think:g} s (as people arrive)",
               load_test(port, sessions, rounds=args.rounds, think=args.think, jitter=True))
        from_a_write()
        report(f"{args.clients} supervisors in lockstep, {args.think:g} s between pages (every round a burst of "
               f"{args.clients} at once)", load_test(port, sessions, rounds=args.rounds, think=args.think))
        from_a_write()
        report(f"{args.clients} supervisors, no pause between pages (worst case)",
               load_test(port, sessions, rounds=args.rounds, think=0))
        elapsed, _, _ = get(port, "/dashboard/overdue/", admin_session)
        print(f"-- admin, all teams: overdue first page {elapsed * 1000:.0f} ms")
        elapsed, _, _ = get(port, "/dashboard/", admin_session)
        print(f"-- admin, all teams: dashboard {elapsed * 1000:.0f} ms")

        before = peak_rss_kb(worker_pids(server.pid))
        logged = read_log_rows()
        lines = 0

        def count(chunk: bytes) -> None:
            nonlocal lines
            lines += chunk.count(b"\n")

        elapsed, status, size = get(port, "/dashboard/overdue/?_export=csv", admin_session, sink=count)
        after = peak_rss_kb(worker_pids(server.pid))
        print(f"-- CSV export of the overdue table (admin, all teams): status {status}, {lines - 1:,} rows, "
              f"{size / 1e6:.1f} MB in {elapsed:.1f} s, its read log included (the log held {logged:,} rows before); "
              f"worker peak memory {before / 1024:.0f} MB before, {after / 1024:.0f} MB after")
    finally:
        server.terminate()
        server.wait(timeout=30)
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database()


if __name__ == "__main__":
    main()
