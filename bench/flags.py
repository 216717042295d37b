"""Benchmark of the flag job on a large register, in a database of its own (created, then dropped).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres python bench/flags.py [--offenders 1000000]
        [--older-visits 8]

On a machine shared with other benchmarks, generate first and measure under a lock:

    python bench/flags.py --generate-only
    flock LOCKFILE python bench/flags.py --reuse --keep

Generates officers, offenders, their visit history and their other due items (assessment, MAPPA and notification
reviews, so that every flag kind reads rows of its own) set-based, then times the first refresh
(every flag raised, over the whole register), an unchanged re-run (it finds nothing written since the first),
the same over the whole register (everything recomputed, nothing written), a re-run after 1,000 visits were
moved in SQL (their offenders looked at), the next day's (whole) refresh and, for comparison, a
one-row-at-a-time Python loop over a 10,000-offender slice. Targets on 1M offenders: first run 5 s or less,
re-run 2 s or less.
"""

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2024, 6, 3)

GENERATE = [
    """INSERT INTO offenders_team (name, caseload_ceiling_per_fte, capacity_points_per_fte, flag_weighted_capacity)
       SELECT 'Team ' || g, 50, 100, g %% 10 = 0 FROM generate_series(1, %(teams)s) g""",
    """INSERT INTO offenders_officer (staff_id, name, email, team_id, fte, active)
       SELECT 'B' || lpad(g::text, 6, '0'), 'Officer ' || g, '', (SELECT min(id) FROM offenders_team) + g %% %(teams)s,
              CASE WHEN g %% 7 = 0 THEN 0.5 ELSE 1 END, true
       FROM generate_series(1, %(officers)s) g""",
    # Tiers about 55% low, 30% medium, 12% high, 3% very high; 1% missing, 2% in custody, 0.5% unallocated.
    # MAPPA: one case in a hundred at level 3, one in twenty at level 2, one in ten at level 1.
    """INSERT INTO offenders_offender (reference, surname, forenames, date_of_birth, risk_tier_id, status, officer_id,
              registered_on, address, postcode, reactive, mappa_category, mappa_level, created_at, updated_at)
       SELECT 'R' || lpad(g::text, 8, '0'), 'Surname', 'Forenames', date '1970-01-01',
              (SELECT id FROM offenders_risktier WHERE code = CASE WHEN h < 55 THEN 'low' WHEN h < 85 THEN 'medium'
                                                                  WHEN h < 97 THEN 'high' ELSE 'very_high' END),
              CASE WHEN g %% 100 = 0 THEN 'missing' WHEN g %% 50 = 1 THEN 'custody' ELSE 'community' END,
              CASE WHEN g %% 200 = 3 THEN NULL ELSE (SELECT min(id) FROM offenders_officer) + g %% %(officers)s END,
              date '2010-01-01' + g %% 2000, '', '', g %% 40 = 5, CASE WHEN level IS NOT NULL THEN 1 + g %% 3 END,
              level, now(), now()
       FROM (SELECT g, (g::bigint * 7919) %% 100 AS h,
                    CASE WHEN g %% 100 = 11 THEN 3 WHEN g %% 20 = 4 THEN 2 WHEN g %% 10 = 2 THEN 1 END AS level
             FROM generate_series(1, %(offenders)s) g) s""",
    # The last completed visit: mostly within 1.25 intervals (about a fifth of them late), 2% long unseen.
    """INSERT INTO visits_visit (offender_id, officer_id, due_on, status, completed_on, kind, outcome, notes,
              cancel_reason, created_at, updated_at)
       SELECT o.id, o.officer_id, d, 'completed', d, '', '', '', '', now(), now()
       FROM (SELECT o.id, o.officer_id, %(as_of)s::date - CASE WHEN o.id %% 50 = 7 THEN 2 * t.visit_interval_days
                    ELSE ((o.id * 2654435761) %% 1000) * t.visit_interval_days * 125 / 100000 END::int - 1 AS d
             FROM offenders_offender o JOIN offenders_risktier t ON t.id = o.risk_tier_id) o""",
    # The one before it, for half of them.
    """INSERT INTO visits_visit (offender_id, officer_id, due_on, status, completed_on, kind, outcome, notes,
              cancel_reason, created_at, updated_at)
       SELECT v.offender_id, v.officer_id, d, 'completed', d, '', '', '', '', now(), now()
       FROM (SELECT v.offender_id, v.officer_id, v.completed_on - t.visit_interval_days AS d
             FROM visits_visit v JOIN offenders_offender o ON o.id = v.offender_id
             JOIN offenders_risktier t ON t.id = o.risk_tier_id WHERE o.id %% 2 = 0) v""",
    # Older history, as a register kept for years holds: --older-visits completed visits each, before all of the above.
    """INSERT INTO visits_visit (offender_id, officer_id, due_on, status, completed_on, kind, outcome, notes,
              cancel_reason, created_at, updated_at)
       SELECT o.id, o.officer_id, d, 'completed', d, '', '', '', '', now(), now()
       FROM (SELECT o.id, o.officer_id, %(as_of)s::date - (4 + k) * t.visit_interval_days - 1 AS d
             FROM offenders_offender o JOIN offenders_risktier t ON t.id = o.risk_tier_id
             CROSS JOIN generate_series(1, %(older_visits)s) k) o""",
    # The open visit, due one interval after the last one.
    """INSERT INTO visits_visit (offender_id, officer_id, due_on, status, kind, outcome, notes, cancel_reason,
              created_at, updated_at)
       SELECT o.id, o.officer_id, max(v.completed_on) + t.visit_interval_days, 'scheduled', '', '', '', '', now(), now()
       FROM offenders_offender o JOIN offenders_risktier t ON t.id = o.risk_tier_id
       JOIN visits_visit v ON v.offender_id = o.id WHERE NOT o.reactive
       GROUP BY o.id, o.officer_id, t.visit_interval_days""",
    # The due items besides visits, each kind read by a flag kind of its own: every offender's open risk assessment
    # review, due a review interval after an assessment within the last interval and a quarter (about a fifth
    # overdue); the open MAPPA review of the level 2 and 3 cases, due within 50 days before to 150 after (a quarter
    # overdue); every offender's next notification, due a year after one made in the last 380 days (a few overdue).
    """INSERT INTO visits_review (offender_id, kind, due_on, brought_forward_because, created_at, updated_at)
       SELECT o.id, 'assessment', %(as_of)s::date + t.review_interval_days
              - (((o.id * 40503) %% 1000) * t.review_interval_days * 125 / 100000)::int, '', now(), now()
       FROM offenders_offender o JOIN offenders_risktier t ON t.id = o.risk_tier_id""",
    """INSERT INTO visits_review (offender_id, kind, due_on, brought_forward_because, created_at, updated_at)
       SELECT id, 'mappa', %(as_of)s::date + 150 - ((id * 2654435761) %% 200)::int, '', now(), now()
       FROM offenders_offender WHERE mappa_level IN (2, 3)""",
    """INSERT INTO visits_review (offender_id, kind, due_on, brought_forward_because, created_at, updated_at)
       SELECT id, 'notification', %(as_of)s::date + 365 - ((id * 2246822519) %% 380)::int, '', now(), now()
       FROM offenders_offender""",
]


def server_url(database: str) -> str:
    base = urlsplit(os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    return urlunsplit(base._replace(path=f"/{database}"))


def timed(label: str, action):
    start = time.perf_counter()
    value = action()
    seconds = time.perf_counter() - start
    print(f"{label:<52} {seconds:8.2f} s", flush=True)
    return value, seconds


class StepTimer:
    """Times each statement of the job, to show where a run spends its time."""

    def __init__(self):
        self.steps = []

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.steps.append((time.perf_counter() - start, sql, params))

    def report(self) -> None:
        for seconds, sql, _ in self.steps:
            if seconds < 0.05:
                continue
            words = " ".join(sql.split())
            label = " ".join(words.replace("WITH flagged AS MATERIALIZED", "INSERT").split()[:3])
            print(f"    {label:<48} {seconds:8.2f} s")


def timed_steps(label: str, action):
    from django.db import connection

    timer = StepTimer()
    with connection.execute_wrapper(timer):
        value, seconds = timed(label, action)
    timer.report()
    return value, seconds


def time_each_kind() -> None:
    """Each flag kind's query over the whole register, apart, into a temporary table as the job builds its wanted
    flags: with the parallel workers the job's one statement may use, and with none (about the CPU time it takes)."""
    from django.db import connection, transaction

    from visits.flagging import WANTED_COLUMNS
    from visits.flags_wanted import flags_wanted

    for workers in (None, 0):
        total = 0.0
        for kind, (sql, params) in flags_wanted(AS_OF).items():
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off; SET LOCAL work_mem = '64MB'; SET LOCAL enable_nestloop = off")
                if workers is not None:
                    cursor.execute(f"SET LOCAL max_parallel_workers_per_gather = {workers}")
                start = time.perf_counter()
                cursor.execute(f"CREATE TEMPORARY TABLE flag_kind ON COMMIT DROP AS SELECT %s::varchar(20) AS kind,"
                               f" {WANTED_COLUMNS} FROM ({sql}) q", [kind.value, *params])
                seconds = time.perf_counter() - start
            total += seconds
            print(f"    {kind.value:<24}{'' if workers is None else ' (no parallel workers)':<24} {seconds:8.2f} s")
        print(f"    {'every kind, one after the other':<48} {total:8.2f} s")


def row_at_a_time(offender_ids: list[int]) -> int:
    """The naive job for comparison: per offender, look at its visits and write its flags one by one."""
    from django.db import transaction
    from django.utils import timezone

    from offenders.models import MANAGED_STATUSES, Offender
    from visits import rules
    from visits.models import OPEN_STATUSES, Flag, FlagKind, VisitStatus

    now, written = timezone.now(), 0
    with transaction.atomic():
        for offender in Offender.objects.filter(id__in=offender_ids).select_related("risk_tier"):
            if offender.status not in MANAGED_STATUSES:
                continue
            for visit in offender.visits.filter(status__in=OPEN_STATUSES, due_on__lt=AS_OF):
                _, created = Flag.objects.get_or_create(
                    kind=FlagKind.OVERDUE_VISIT, visit=visit, offender=offender, cleared_at=None,
                    defaults={"severity": 1, "raised_at": now, "details": {"due_on": str(visit.due_on)}},
                )
                written += created
            last = offender.visits.filter(status=VisitStatus.COMPLETED, completed_on__lt=AS_OF).order_by(
                "-completed_on").values_list("completed_on", flat=True).first() or offender.registered_on
            interval = rules.interval_of(offender)
            if not offender.reactive and offender.status == "community" and (AS_OF - last).days > interval * 1.5:
                _, created = Flag.objects.get_or_create(
                    kind=FlagKind.UNSEEN_OFFENDER, offender=offender, cleared_at=None,
                    defaults={"severity": 1, "raised_at": now, "details": {}},
                )
                written += created
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offenders", type=int, default=1_000_000)
    parser.add_argument("--slice", type=int, default=10_000)
    parser.add_argument("--older-visits", type=int, default=8,
                        help="older completed visits per offender (8: about 10M visits for 1M offenders)")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database afterwards")
    parser.add_argument("--reuse", action="store_true", help="reuse a kept benchmark database as it is")
    parser.add_argument("--kinds", action="store_true",
                        help="also time each flag kind's query apart, with parallel workers and without")
    parser.add_argument("--generate-only", action="store_true",
                        help="generate and keep the benchmark database, measure nothing (then measure with --reuse)")
    args = parser.parse_args()
    args.keep = args.keep or args.generate_only
    database = "caseload_bench_flags"
    with psycopg.connect(server_url("postgres"), autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        args.generate = not (args.reuse and exists)
        if args.generate:
            admin.execute(f"DROP DATABASE IF EXISTS {database}")
            admin.execute(f"CREATE DATABASE {database}")
    os.environ.update(DATABASE_URL=server_url(database), SECRET_KEY="bench-only", LOG_LEVEL="WARNING",
                      DJANGO_SETTINGS_MODULE="caseload.settings")
    sys.path.insert(0, str(ROOT))
    try:
        run(args)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            with psycopg.connect(server_url("postgres"), autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")


def run(args) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from visits.flagging import flags_refresh
    from visits.models import Flag, FlagRun

    call_command("migrate", verbosity=0)
    sizes = {"offenders": args.offenders, "officers": max(args.offenders // 50, 1),
             "teams": max(args.offenders // 5000, 1), "as_of": AS_OF, "older_visits": args.older_visits}

    def generate():
        with connection.cursor() as cursor:
            for statement in GENERATE:
                cursor.execute(statement, sizes)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")

    if args.generate:
        print(f"caseload flag job: {args.offenders:,} offenders, {sizes['officers']:,} officers, as of {AS_OF}")
        timed("generate register and visit history (set-based)", generate)
        if args.generate_only:
            return
    else:
        Flag.objects.all().delete()
        FlagRun.objects.all().delete()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE visits_flag")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM visits_visit")
        print(f"{'visits':<52} {cursor.fetchone()[0]:>10,}")
    first, first_s = timed_steps("first refresh (raises every flag)", lambda: flags_refresh(as_of=AS_OF))
    print(f"{'  flags raised':<52} {first.raised:>10,}  {first.open_by_kind}")
    again, again_s = timed_steps("unchanged re-run (nothing written since the first)",
                                 lambda: flags_refresh(as_of=AS_OF))
    print(f"{'  rows written by the re-run / offenders looked at':<52} "
          f"{again.raised + again.cleared + again.updated:>10,} / {again.offenders_looked_at}")
    everything, everything_s = timed_steps("unchanged re-run over the whole register (--whole-register)",
                                           lambda: flags_refresh(as_of=AS_OF, whole_register=True))
    with connection.cursor() as cursor:  # 1,000 open visits made due the day before, in SQL: no flags follow
        cursor.execute("UPDATE visits_visit SET due_on = %s WHERE id IN (SELECT id FROM visits_visit WHERE status ="
                       " 'scheduled' AND due_on >= %s ORDER BY id LIMIT 1000)", [AS_OF - dt.timedelta(days=1), AS_OF])
    moved, _ = timed("re-run after 1,000 visits moved in SQL", lambda: flags_refresh(as_of=AS_OF))
    print(f"{'  offenders looked at / flags raised':<52} {moved.offenders_looked_at:,} / {moved.raised:,}")
    next_day, _ = timed("next day's refresh", lambda: flags_refresh(as_of=AS_OF + dt.timedelta(days=1)))
    print(f"{'  raised / cleared / updated':<52} {next_day.raised:,} / {next_day.cleared:,} / {next_day.updated:,}")
    if args.kinds:
        timed("each flag kind's query apart", time_each_kind)
    flags_refresh(as_of=AS_OF)
    Flag.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id) FROM offenders_offender")
        first_id = cursor.fetchone()[0]
    ids = list(range(first_id, first_id + args.slice))
    written, loop_s = timed(f"one-row-at-a-time loop on a {args.slice:,} slice", lambda: row_at_a_time(ids))
    per_million = loop_s * 1_000_000 / args.slice
    print(f"{'  flags written by the loop':<52} {written:>10,}")
    print(f"{'  loop extrapolated to 1,000,000 offenders':<52} {per_million:8.0f} s")
    print(f"targets: first run {first_s:.2f} s (<= 5), re-run {again_s:.2f} s (<= 2; {everything_s:.2f} s over the"
          " whole register)")
    print(f"load average while running: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
