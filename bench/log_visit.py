"""How long does "Log visit" take on a national-sized register?

Creates its own database, loads a register of OFFENDERS offenders (default 1,000,000) with one
completed and one open visit each, set-based in SQL, then times N POSTs of the log-a-visit form
through Django's test client, as an officer, each completing a different offender's open visit.
Prints p50/p95/p99 and drops the database afterwards (unless --keep).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres python bench/log_visit.py [--offenders N]
        [--posts N] [--keep]

DATABASE_URL names the server; the benchmark uses its own database there, caseload_bench_log_visit.
Target: p95 <= 100 ms.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

BENCH_DB = "caseload_bench_log_visit"
OFFICERS_PER_TEAM = 20
OFFENDERS_PER_OFFICER = 200


def server_url() -> str:
    return os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def recreate_database(url: str) -> None:
    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}"')
        conn.execute(f'CREATE DATABASE "{BENCH_DB}"')


def drop_database(url: str) -> None:
    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')


LOAD_SQL = """
INSERT INTO offenders_team (name, caseload_ceiling_per_fte, capacity_points_per_fte, flag_weighted_capacity)
SELECT 'Team ' || t, 50, 100, false FROM generate_series(1, %(teams)s) t;

INSERT INTO offenders_officer (staff_id, name, email, fte, active, team_id)
SELECT 'OM' || lpad(o::text, 6, '0'), 'Officer ' || o, '', 1, true,
       (SELECT min(id) FROM offenders_team) + (o - 1) / %(officers_per_team)s
FROM generate_series(1, %(officers)s) o;

INSERT INTO offenders_offender (reference, surname, forenames, date_of_birth, status, registered_on, address,
                                postcode, reactive, created_at, updated_at, risk_tier_id, officer_id)
SELECT 'B' || lpad(i::text, 8, '0'), 'Surname' || i, 'Forename', DATE '1960-01-01' + (i %% 15000),
       CASE WHEN i %% 50 = 0 THEN 'custody' ELSE 'community' END, DATE '2010-01-01' + (i %% 2000), '', '',
       false, now(), now(),
       (ARRAY(SELECT id FROM offenders_risktier ORDER BY "order"))[1 + i %% 4],
       (SELECT min(id) FROM offenders_officer) + (i - 1) / %(per_officer)s
FROM generate_series(1, %(offenders)s) i;

INSERT INTO visits_visit (offender_id, officer_id, due_on, status, completed_on, kind, outcome, notes,
                          cancel_reason, created_at, updated_at)
SELECT id, officer_id, current_date - 200 + (id %% 60)::int, 'completed', current_date - 190 + (id %% 60)::int,
       'home_unannounced', 'seen', '', '', now(), now()
FROM offenders_offender;

INSERT INTO visits_visit (offender_id, officer_id, due_on, status, kind, outcome, notes, cancel_reason,
                          created_at, updated_at)
SELECT id, officer_id, current_date - 30 + (id %% 90)::int, 'scheduled', '', '', '', '', now(), now()
FROM offenders_offender WHERE status = 'community';
"""


def load_register(offenders: int) -> None:
    from django.db import connection

    officers = -(-offenders // OFFENDERS_PER_OFFICER)
    params = {"teams": -(-officers // OFFICERS_PER_TEAM), "officers_per_team": OFFICERS_PER_TEAM,
              "officers": officers, "per_officer": OFFENDERS_PER_OFFICER, "offenders": offenders}
    with connection.cursor() as cursor:
        for statement in filter(str.strip, LOAD_SQL.split(";\n")):
            cursor.execute(statement, params)
        cursor.execute("VACUUM ANALYZE")  # as autovacuum leaves a register: index-only scans need no heap


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def time_posts(posts: int, warmup: int) -> list[float]:
    from django.contrib.auth.models import Group, User
    from django.test import Client

    from offenders.models import Offender, Officer
    from visits.models import Visit, VisitStatus

    officer = Officer.objects.order_by("id").first()
    user = User.objects.create_user("bench-officer", password="bench password 1")
    user.groups.add(Group.objects.get(name="Officer"))
    officer.user = user
    officer.save(update_fields=["user"])
    targets = list(
        Visit.objects.filter(offender__officer=officer, status=VisitStatus.SCHEDULED, offender__status="community")
        .order_by("offender_id").values_list("offender_id", "id")[: posts + warmup]
    )
    if len(targets) < posts + warmup:
        sys.exit(f"Only {len(targets)} open visits in the officer's caseload; ask for fewer posts.")

    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    timings = []
    for index, (offender_id, visit_id) in enumerate(targets):
        data = {"visit": visit_id, "visited_on": time.strftime("%Y-%m-%d"), "kind": "home_unannounced",
                "outcome": "seen", "notes": "Seen at home", "new_address": "", "new_postcode": ""}
        started = time.perf_counter()
        response = client.post(f"/visits/offenders/{offender_id}/log-visit/", data)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 302:
            sys.exit(f"POST for offender {offender_id} answered {response.status_code}, not a redirect")
        if index >= warmup:
            timings.append(elapsed)
    logged = Visit.objects.filter(recorded_by=user, status=VisitStatus.COMPLETED).count()
    scheduled = Visit.objects.filter(offender_id__in=[o for o, _ in targets], status=VisitStatus.SCHEDULED).count()
    assert logged == scheduled == len(targets), (logged, scheduled, len(targets))
    print(f"register: {Offender.objects.count():,} offenders, {Visit.objects.count():,} visits")
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offenders", type=int, default=1_000_000)
    parser.add_argument("--posts", type=int, default=150)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database afterwards")
    args = parser.parse_args()

    url = server_url()
    recreate_database(url)
    os.environ["DATABASE_URL"] = with_database(url, BENCH_DB)
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caseload.settings")
    import django
    from django.core.management import call_command

    django.setup()
    try:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        load_register(args.offenders)
        print(f"loaded {args.offenders:,} offenders in {time.perf_counter() - started:.1f} s")
        timings = time_posts(args.posts, args.warmup)
        print(f"log-a-visit POST, {len(timings)} requests after {args.warmup} warm-up:")
        print(f"  p50 {statistics.median(timings):.1f} ms  p95 {percentile(timings, 0.95):.1f} ms  "
              f"p99 {percentile(timings, 0.99):.1f} ms  max {max(timings):.1f} ms  (target p95 <= 100 ms)")
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(url)


if __name__ == "__main__":
    main()
