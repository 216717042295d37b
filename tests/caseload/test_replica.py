"""With DATABASE_REPLICA_URL, the dashboards and their exports read a real streaming replica: a supervisor sees
what the replica holds, with a notice of its age once it lags; a user who has just written reads the primary; a
replica that is down is skipped. The app runs as a real server on the demo register, driven over HTTP."""

import csv
import http.cookiejar
import io
import os
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from caseload import replica
from caseload.management.commands.seed_demo import DEMO_PASSWORD
from tests.caseload.streaming import free_port, primary_and_replica

ROOT = Path(__file__).resolve().parents[2]
OVERDUE_CSV = "/dashboard/overdue/?_export=csv"
NOTICE = re.compile(r"a copy of the register that is \d+ s behind")


class Browser:
    """A user's session with the server: cookies kept, forms posted with their CSRF token."""

    def __init__(self, base: str):
        self.base, self.cookies = base, http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.read().decode("utf-8-sig")

    def sign_in(self, username: str) -> None:
        page = self.get("/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        form = urllib.parse.urlencode({"username": username, "password": DEMO_PASSWORD,
                                       "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(self.base + "/login/", data=form, headers={"Referer": self.base + "/login/"})
        with self.opener.open(request, timeout=30) as response:
            assert "/login/" not in response.url, f"{username} could not sign in"

    def references(self) -> set[str]:
        """The offenders' references in the overdue export."""
        return {row["Reference"] for row in csv.DictReader(io.StringIO(self.get(OVERDUE_CSV)))}


def manage(*args: str, env: dict) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True,
                   timeout=600)


@pytest.fixture(scope="module")
def site():
    """The demo register on a primary, a streaming replica of it, and the app serving both on a free port."""
    with primary_and_replica() as (primary, replica, cluster):
        env = {**os.environ, "DATABASE_URL": primary.url, "DATABASE_REPLICA_URL": replica.url,
               "CASELOAD_REPLICA_NOTICE_SECONDS": "1", "SECURE_COOKIES": "0", "SECURE_SSL_REDIRECT": "0",
               "CASELOAD_REQUIRE_2FA": "0", "SECRET_KEY": "replica-test", "DEBUG": "0"}
        manage("migrate", "--no-input", env=env)
        manage("seed_demo", env=env)
        manage("refresh_flags", env=env)
        port = free_port()
        server = subprocess.Popen([sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
                                  cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(base + "/healthz", timeout=1).close()
                    break
                except OSError:
                    assert server.poll() is None and time.monotonic() < deadline, "the app did not start"
                    time.sleep(0.2)
            yield base, primary, replica, cluster
        finally:
            server.terminate()
            server.wait(timeout=30)


def caught_up(primary, replica) -> None:
    """Wait until the replica has replayed everything the primary has written."""
    with primary.connect() as db:
        position = db.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
    deadline = time.monotonic() + 30
    with replica.connect() as db:
        while not db.execute("SELECT pg_last_wal_replay_lsn() >= %s", (position,)).fetchone()[0]:
            assert time.monotonic() < deadline, "the replica did not catch up"
            time.sleep(0.1)


def test_dashboards_read_the_replica_and_say_how_old_it_is_while_writers_read_the_primary(site):
    base, primary, replica, _ = site
    supervisor = Browser(base)
    supervisor.sign_in("supervisor")
    caught_up(primary, replica)
    reference = sorted(supervisor.references())[0]
    assert NOTICE.search(supervisor.get("/dashboard/overdue/")) is None

    with replica.connect() as db:
        db.execute("SELECT pg_wal_replay_pause()")
    try:
        with primary.connect() as db:
            db.execute("UPDATE offenders_offender SET reference = reference || '-R' WHERE reference = %s",
                       (reference,))
        time.sleep(2)  # past the notice threshold of 1 s

        assert reference in supervisor.references(), "the export read the primary, not the replica"
        assert f"{reference}-R" not in supervisor.references()
        assert NOTICE.search(supervisor.get("/dashboard/overdue/"))
        assert NOTICE.search(supervisor.get("/dashboard/"))

        admin = Browser(base)
        admin.sign_in("admin")  # a write: until the replica has it, this user reads the primary
        assert f"{reference}-R" in admin.references()
        assert NOTICE.search(admin.get("/dashboard/overdue/")) is None
    finally:
        with replica.connect() as db:
            db.execute("SELECT pg_wal_replay_resume()")

    caught_up(primary, replica)
    assert f"{reference}-R" in supervisor.references()
    assert NOTICE.search(supervisor.get("/dashboard/overdue/")) is None


def test_a_replica_that_is_down_leaves_the_dashboards_to_the_primary(site):
    base, primary, replica, cluster = site
    supervisor = Browser(base)
    supervisor.sign_in("supervisor")
    cluster.stop(replica)
    page = supervisor.get("/dashboard/")
    assert "Overdue" in page and NOTICE.search(page) is None
    assert supervisor.references()


@pytest.mark.parametrize(("lag", "notice"), [
    (None, ""), (0, ""), (60, ""),
    (61, "These figures come from a copy of the register that is 1 min 1 s behind: changes made since then are "
         "not shown yet."),
    (7380, "These figures come from a copy of the register that is 2 h 3 min behind: changes made since then are "
           "not shown yet."),
])
def test_a_page_says_how_old_the_replica_is_only_past_a_minute(rf, settings, lag, notice):
    settings.CASELOAD_REPLICA_NOTICE_SECONDS = 60
    request = rf.get("/dashboard/")
    request.replica_lag_seconds = lag
    assert replica.lag_notice(request) == notice


@pytest.mark.parametrize(("cookie", "position"), [
    ("16/B374D848", "16/B374D848"), ("0/0", "0/0"), ("", "0/0"), ("1/2'; DROP TABLE x", "0/0"), ("g/1", "0/0"),
])
def test_only_a_wal_position_is_taken_from_the_written_at_cookie(rf, cookie, position):
    request = rf.get("/dashboard/")
    request.COOKIES[replica.WRITTEN_AT_COOKIE] = cookie
    assert replica.written_at(request) == position


def test_without_a_replica_every_read_stays_on_the_primary(rf, settings):
    assert "replica" not in settings.DATABASES
    router = replica.ReplicaRouter()
    request = rf.get("/dashboard/")
    with replica.reading_replica(request):
        assert router.db_for_read(None) is None and router.db_for_write(None) == "default"
    assert (request.replica_lag_seconds, request.replica_notice) == (None, "")
    assert not router.allow_migrate("replica", "offenders") and router.allow_migrate("default", "offenders")
