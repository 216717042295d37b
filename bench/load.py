"""A unit at work: officers logging visits and supervisors reading dashboards, over HTTP, with real sessions.

Creates its own database, migrates, loads the register (`--register demo`: seed_demo's 1,250 offenders, their cases
shared among the unit's officers; `--register national`: 1,000,000 offenders, set-based as bench/log_visit.py
loads them, with the snapshots of the days the dashboard reads), brings its flags in line, and starts the app under
gunicorn (gunicorn.conf.py; `--workers`, default 2 x cores + 1). Then each of OFFICERS officers and SUPERVISORS
supervisors is a thread with its own session: it signs in with its password, then walks its journey with THINK
seconds (uniform) between pages until the run's time is up.

- An officer: their caseload, one of their cases, the log-visit form, the visit logged (a POST), again.
- A supervisor: the dashboard, then the overdue, unseen and workload tables and the flags page, in turn.

Prints requests a second, p50 and p95 by page, errors (any answer but the one expected, or no answer), and the CPU
that the load generator and the server (gunicorn and PostgreSQL's backends are not told apart: the server machine's
whole CPU) used. Drops the database afterwards (unless --keep).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/0 \\
        python bench/load.py [--register demo|national] [--officers 60] [--supervisors 10] [--duration 180]

Target on 2 cores: p95 <= 300 ms on every page.
"""

import argparse
import http.cookiejar
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import log_visit  # noqa: E402

BENCH_DB = log_visit.BENCH_DB = "caseload_bench_load"  # its database helpers, on this benchmark's database
PASSWORD = "bench password 1"
TARGET_P95_MS = 300
SUPERVISOR_PAGES = [("dashboard", "/dashboard/"), ("overdue table", "/dashboard/overdue/"),
                    ("unseen table", "/dashboard/unseen/"), ("workload table", "/dashboard/workload/"),
                    ("flags page", "/visits/flags/")]
CASE_LINK = re.compile(r'href="/visits/offenders/(\d+)/"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
OPEN_VISIT = re.compile(r'name="visit" value="(\d+)"')


class Results:
    def __init__(self):
        self.lock = threading.Lock()
        self.timings: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)

    def add(self, page: str, ms: float, ok: bool) -> None:
        with self.lock:
            self.timings[page].append(ms)
            if not ok:
                self.errors[page] += 1


class Person(threading.Thread):
    """One person at work: a session (cookies), their journey, and a pause between pages."""

    def __init__(self, base: str, username: str, journey, results: Results, until: float, think: tuple, rng):
        super().__init__(daemon=True)
        self.base, self.username, self.journey, self.results = base, username, journey, results
        self.until, self.think, self.rng = until, think, rng
        self.visited: set[str] = set()  # cases visited today: one visit an offender a day
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                  NoRedirect())

    def request(self, page: str, path: str, data: dict | None = None, expect: int = 200) -> str:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers={"Referer": self.base + path})
        started = time.perf_counter()
        status, text = 0, ""
        try:
            with self.opener.open(request, timeout=60) as response:
                status, text = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status = error.code
        except OSError:
            status = 0
        self.results.add(page, (time.perf_counter() - started) * 1000, status == expect)
        return text

    def pause(self) -> bool:
        time.sleep(self.rng.uniform(*self.think))
        return time.monotonic() < self.until

    def run(self) -> None:
        time.sleep(self.rng.uniform(0, self.think[1]))  # people arrive over the first pause
        form = self.request("sign-in page", "/login/")
        token = CSRF.search(form)
        self.request("sign-in POST", "/login/", {"username": self.username, "password": PASSWORD,
                                                 "csrfmiddlewaretoken": token[1] if token else ""}, expect=302)
        while self.pause():
            self.journey(self)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None

    def http_error_302(self, request, response, code, message, headers):
        return response


def officer_journey(user: "Person") -> None:
    caseload = user.request("caseload", "/visits/mine/")
    cases = sorted(set(CASE_LINK.findall(caseload)) - user.visited)
    if not cases or not user.pause():
        return
    case = user.rng.choice(cases)
    user.visited.add(case)
    user.request("offender page", f"/visits/offenders/{case}/")
    if not user.pause():
        return
    form = user.request("log-visit form", f"/visits/offenders/{case}/log-visit/")
    token, visit = CSRF.search(form), OPEN_VISIT.search(form)
    if not user.pause():
        return
    user.request("log-visit POST", f"/visits/offenders/{case}/log-visit/", {
        "csrfmiddlewaretoken": token[1] if token else "", "visit": visit[1] if visit else "",
        "visited_on": time.strftime("%Y-%m-%d"), "kind": "home_unannounced", "outcome": "seen",
        "notes": "Seen at home", "new_address": "", "new_postcode": ""}, expect=302)


def supervisor_journey(user: "Person") -> None:
    user.step = getattr(user, "step", user.rng.randrange(len(SUPERVISOR_PAGES))) + 1
    page, path = SUPERVISOR_PAGES[user.step % len(SUPERVISOR_PAGES)]
    user.request(page, path)


def accounts(officers: int, supervisors: int) -> tuple[list[str], list[str]]:
    """Accounts for the unit: officers with cases (the demo register's cases shared among them), supervisors of
    their teams. Returns the usernames."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group, User

    from offenders.models import Offender, Officer, Team

    password = make_password(PASSWORD)
    held = Officer.objects.filter(offenders__isnull=False).distinct().order_by("id")
    unit = list(held[:officers])
    teams = sorted({officer.team_id for officer in unit})
    for n in range(len(unit), officers):  # the demo register has fewer officers than a unit: add some
        unit.append(Officer.objects.create(staff_id=f"LOAD{n:03d}", name=f"Load Officer {n}",
                                           team_id=teams[n % len(teams)]))
    if Offender.objects.count() <= 100_000:  # the demo register: its cases shared among the unit
        ids = list(Offender.objects.order_by("id").values_list("id", flat=True))
        for index, officer in enumerate(unit):
            Offender.objects.filter(id__in=ids[index::len(unit)]).update(officer=officer)
    names = []
    for officer in unit:
        user = User.objects.create(username=f"load-{officer.staff_id}", password=password)
        user.groups.add(Group.objects.get(name="Officer"))
        Officer.objects.filter(pk=officer.pk).update(user=user, active=True)
        names.append(user.username)
    bosses = []
    for n in range(supervisors):
        user = User.objects.create(username=f"load-supervisor-{n}", password=password)
        user.groups.add(Group.objects.get(name="Supervisor"))
        for team in Team.objects.filter(id__in=teams):
            team.supervisors.add(user)
        bosses.append(user.username)
    return names, bosses


def snapshots_of_days_read() -> None:
    """The national register's snapshots of the days the dashboard reads, as a unit has after a year of the beat
    job's (seed_demo takes the demo register's): without them the dashboard recounts those days from the history."""
    from django.utils import timezone

    from caseload.dashboards.selectors import days_read
    from caseload.dashboards.views import MONTHS
    from visits.snapshots import snapshot_take

    for day in days_read(timezone.localdate(), MONTHS):
        snapshot_take(day=day)


def cpu_seconds_of_machine() -> float:
    with open("/proc/stat") as stat:
        fields = [float(value) for value in stat.readline().split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")  # all but idle and iowait


def start_server(port: int, workers: int, env: dict) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "caseload.wsgi", "--bind", f"127.0.0.1:{port}", "--workers",
         str(workers), "--log-level", "warning"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).close()
            return server
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                sys.exit("gunicorn did not start")
            time.sleep(0.2)


def report(results: Results, seconds: float, generator_cpu: float, machine_cpu: float) -> None:
    total = sum(len(t) for t in results.timings.values())
    errors = sum(results.errors.values())
    print(f"{total} requests in {seconds:.0f} s: {total / seconds:.1f} a second, {errors} errors")
    print(f"{'page':<16} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'errors':>6}")
    for page, timings in sorted(results.timings.items()):
        p95 = log_visit.percentile(timings, 0.95)
        flag = "" if p95 <= TARGET_P95_MS else "  over target"
        print(f"{page:<16} {len(timings):>8} {statistics.median(timings):>8.0f} {p95:>8.0f}"
              f" {max(timings):>8.0f} {results.errors.get(page, 0):>6}{flag}")
    print(f"CPU: load generator {generator_cpu / seconds * 100:.1f}% of a core; the whole machine "
          f"{machine_cpu / seconds * 100:.0f}% of a core (of {os.cpu_count()}); target p95 <= {TARGET_P95_MS} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--register", choices=["demo", "national"], default="demo")
    parser.add_argument("--officers", type=int, default=60)
    parser.add_argument("--supervisors", type=int, default=10)
    parser.add_argument("--duration", type=int, default=180, help="seconds of work after everyone has arrived")
    parser.add_argument("--think", type=float, nargs=2, default=(5, 15), metavar=("MIN", "MAX"))
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database afterwards")
    args = parser.parse_args()

    url = log_visit.server_url()
    log_visit.recreate_database(url)
    env = {**os.environ, "DATABASE_URL": log_visit.with_database(url, BENCH_DB), "SECRET_KEY": "bench-only",
           "DEBUG": "0", "SECURE_SSL_REDIRECT": "0", "SECURE_COOKIES": "0", "CASELOAD_REQUIRE_2FA": "0",
           "LOG_LEVEL": "WARNING"}
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caseload.settings")
    import django
    from django.core.management import call_command

    django.setup()
    server = None
    try:
        call_command("migrate", verbosity=0)
        if args.register == "demo":
            call_command("seed_demo", verbosity=0)
        else:
            log_visit.load_register(1_000_000)
            snapshots_of_days_read()
        officers, supervisors = accounts(args.officers, args.supervisors)
        call_command("refresh_flags", verbosity=0)
        from django.db import connections

        connections.close_all()
        server = start_server(args.port, args.workers, env)
        rng = random.Random(2016)
        results = Results()
        until = time.monotonic() + args.think[1] + args.duration
        people = [Person(f"http://127.0.0.1:{args.port}", name, officer_journey, results, until, args.think,
                       random.Random(rng.random())) for name in officers]
        people += [Person(f"http://127.0.0.1:{args.port}", name, supervisor_journey, results, until, args.think,
                        random.Random(rng.random())) for name in supervisors]
        print(f"{args.register} register; {len(officers)} officers and {len(supervisors)} supervisors, "
              f"{args.think[0]:g}-{args.think[1]:g} s between pages, {args.workers} gunicorn workers")
        usage, machine, started = resource.getrusage(resource.RUSAGE_SELF), cpu_seconds_of_machine(), time.monotonic()
        for person in people:
            person.start()
        for person in people:
            person.join()
        seconds = time.monotonic() - started
        after = resource.getrusage(resource.RUSAGE_SELF)
        generator = after.ru_utime + after.ru_stime - usage.ru_utime - usage.ru_stime
        report(results, seconds, generator, cpu_seconds_of_machine() - machine)
    finally:
        if server is not None:
            server.terminate()
            server.wait(30)
        from django.db import connections

        connections.close_all()
        if not args.keep:
            log_visit.drop_database(url)


if __name__ == "__main__":
    main()
