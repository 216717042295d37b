"""What each page costs, against the sign-in page, on the demo register (issue: pages cheap enough for a unit).

Creates its own database, migrates, seeds the demo register (seed_demo: about 1,250 offenders, 20 officers),
brings its flags in line and vacuums it (as autovacuum leaves a register: the planner's statistics), then requests
each page REQUESTS times through Django's test client as the user whose page it is (after WARMUP requests; the
log-visit POST logs a visit to each of a team's cases in turn), and prints the median and p95 per request and the
median as a multiple of the sign-in page's, measured in the same run.
Drops the database afterwards (unless --keep).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres python bench/page_cost.py [--requests N] [--keep]
        [--only TEXT ...] [--database NAME] [--reuse] [--profile TEXT] [--rounds]

--only measures the sign-in page and the pages whose name contains one of the texts; --database names the benchmark
database (to run two at once); --reuse measures a database kept by an earlier --keep without seeding it again
(analysed again first); --profile prints where one page's time goes (cProfile, cumulative) instead of measuring;
--rounds asks every page once a round rather than page after page (steadier while the machine does other work; a
colder sign-in page).

Target: no page over 15x the sign-in page.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

BENCH_DB = "caseload_bench_pages"
TARGET = 15


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def admin_url(url: str) -> str:
    return with_database(url, "postgres")


def pages() -> list[tuple[str, str | None, str]]:
    """(what, username or None for anonymous, path)."""
    from offenders.models import Offender

    case = Offender.objects.filter(officer__user__username="officer", status="community").order_by("pk").first()
    return [
        ("sign-in page", None, "/login/"),
        ("officer's caseload", "officer", "/visits/mine/"),
        ("offender's page", "officer", f"/visits/offenders/{case.pk}/"),
        ("log-visit form", "officer", f"/visits/offenders/{case.pk}/log-visit/"),
        ("log-visit POST", "supervisor", visit_logged()),
        ("flags page (officer)", "officer", "/visits/flags/"),
        ("dashboard", "supervisor", "/dashboard/"),
        ("overdue table", "supervisor", "/dashboard/overdue/"),
        ("unseen table", "supervisor", "/dashboard/unseen/"),
        ("workload table", "supervisor", "/dashboard/workload/"),
        ("flags page (supervisor)", "supervisor", "/visits/flags/"),
        ("requests waiting", "supervisor", "/supervision/requests/"),
        ("absences", "supervisor", "/availability/"),
        ("imports page", "admin", "/imports/"),
    ]


def visit_logged():
    """Each call, the next case in the supervisor's teams with an open visit and none logged today, and that visit
    logged as made today (the form an officer posts; a case takes one visit a day, more than an officer's caseload
    holds for a run): a POST's (path, data), found before the request is timed."""
    import datetime as dt

    from offenders.models import Offender
    from visits.models import OPEN_STATUSES, Visit

    today = dt.date.today()
    cases = iter(Offender.objects.filter(officer__team__supervisors__username="supervisor", status="community")
                 .exclude(visits__completed_on=today).order_by("pk").values_list("pk", flat=True))

    def next_post() -> tuple[str, dict]:
        case = next(cases)
        visit = Visit.objects.filter(offender_id=case, status__in=OPEN_STATUSES).values_list("pk", flat=True).first()
        return f"/visits/offenders/{case}/log-visit/", {
            "visit": visit or "", "visited_on": today.isoformat(), "kind": "home_unannounced", "outcome": "seen",
            "notes": "Seen at home", "new_address": "", "new_postcode": ""}

    return next_post


def ask(client, target):
    """GET a path, or POST a callable's (path, data); the answer and the status it should have."""
    if callable(target):
        path, data = target()
        return lambda: client.post(path, data), 302
    return lambda: client.get(target), 200


def signed_in(username: str | None):
    from django.contrib.auth.models import User
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    if username:
        client.force_login(User.objects.get(username=username))
    return client


def chosen(only: list[str] | None) -> list[tuple[str, str | None, str]]:
    every = pages()
    if not only:
        return every
    return [every[0]] + [page for page in every[1:] if any(text in page[0] for text in only)]


def measure(requests: int, warmup: int, only: list[str] | None, rounds: bool = False) -> list[tuple[str, float, float]]:
    """Each page's median and p95 over `requests` requests, page after page; with `rounds`, in rounds that ask every
    page once in turn, so that whatever else the machine is doing falls alike on the sign-in page and the rest (each
    page then follows another, not itself: its caches are not as warm, the sign-in page's least of all)."""
    shown = chosen(only)
    clients = [signed_in(username) for _, username, _ in shown]
    timings = [[] for _ in shown]
    order = ([(index, page) for index in range(requests + warmup) for page in range(len(shown))] if rounds else
             [(index, page) for page in range(len(shown)) for index in range(requests + warmup)])
    for index, page in order:
        what, username, target = shown[page]
        request, expected = ask(clients[page], target)
        started = time.perf_counter()
        response = request()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != expected:
            sys.exit(f"{what} as {username or 'anonymous'} answered {response.status_code}")
        if index >= warmup:
            timings[page].append(elapsed)
    rows = []
    for (what, _, _), kept in zip(shown, timings, strict=True):
        ordered = sorted(kept)
        rows.append((what, statistics.median(kept), ordered[round(0.95 * (len(ordered) - 1))]))
    return rows


def profile(what: str) -> None:
    import cProfile
    import pstats

    _, username, target = next(page for page in pages() if what in page[0])
    client = signed_in(username)
    ask(client, target)[0]()
    requests = [ask(client, target)[0] for _ in range(5)]
    profiler = cProfile.Profile()
    profiler.enable()
    for request in requests:
        request()
    profiler.disable()
    lines = int(os.environ.get("LINES", 60))
    pstats.Stats(profiler).sort_stats(os.environ.get("SORT", "cumulative")).print_stats(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database afterwards")
    parser.add_argument("--only", nargs="+", metavar="TEXT", help="only the pages whose name contains TEXT")
    parser.add_argument("--database", default=BENCH_DB, help=f"the benchmark database (default {BENCH_DB})")
    parser.add_argument("--reuse", action="store_true", help="measure the database an earlier --keep left")
    parser.add_argument("--profile", metavar="TEXT", help="profile the first page whose name contains TEXT")
    parser.add_argument("--rounds", action="store_true", help="ask every page once a round, not page after page")
    args = parser.parse_args()
    keep = args.keep or args.reuse

    url = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    if not args.reuse:
        with psycopg.connect(admin_url(url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{args.database}"')
    os.environ["DATABASE_URL"] = with_database(url, args.database)
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ["CASELOAD_REQUIRE_2FA"] = "0"
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caseload.settings")
    import django
    from django.core.management import call_command

    django.setup()
    from django.db import connections

    try:
        if not args.reuse:
            call_command("migrate", verbosity=0)
            call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115 (the command closes nothing)
            call_command("refresh_flags", "--whole-register", stdout=open(os.devnull, "w"))  # noqa: SIM115
        with connections["default"].cursor() as cursor:
            # The planner's statistics, as autovacuum leaves a register: again on a database kept from an earlier
            # run, whose logged visits (the POST's) would otherwise tilt the plans of the visits' queries.
            cursor.execute("VACUUM ANALYZE")
        if args.profile:
            profile(args.profile)
            return
        rows = measure(args.requests, args.warmup, args.only, args.rounds)
        base = rows[0][1]
        print(f"{'page':<28} {'median':>9} {'p95':>9} {'x sign-in':>10}   ({args.requests} requests each"
              f"{', in rounds' if args.rounds else ''}, target {TARGET}x)")
        for what, median, p95 in rows:
            flag = "  over" if median / base > TARGET else ""
            print(f"{what:<28} {median:>7.1f}ms {p95:>7.1f}ms {median / base:>9.1f}x{flag}")
    finally:
        connections.close_all()
        if not keep:
            with psycopg.connect(admin_url(url), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')


if __name__ == "__main__":
    main()
