"""/healthz and /readyz, open to load balancers: ready only when the database (migrated), Redis, a Celery worker and
a recent flag run all answer; each failure named, and nothing of the register shown."""

import datetime as dt
import os
import subprocess
import sys
import time

import pytest
from django.db import connection
from django.utils import timezone

from caseload.health import readiness, worker_check
from visits.models import FlagRun

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def worker():
    """A real Celery worker on the test run's Redis, answering pings (it consumes a queue nothing is sent to)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "caseload", "worker", "--pool=solo", "-Q", "readiness-probe",
         "-n", f"readiness-{os.getpid()}@%h", "--without-gossip", "--without-mingle", "--loglevel=WARNING"],
        env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while worker_check(timeout=0.5) is not None:
            assert process.poll() is None and time.monotonic() < deadline, "the Celery worker did not start"
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


def flag_run(hours_ago: float) -> FlagRun:
    finished = timezone.now() - dt.timedelta(hours=hours_ago)
    return FlagRun.objects.create(as_of=finished.date(), policy="test", scope="register", started_at=finished,
                                  finished_at=finished)


def test_healthz_answers_anyone_without_reading_anything(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert (response.status_code, response.content) == (200, b"ok\n")


def test_readyz_fails_when_no_worker_answers(client):
    # Before the tests that start the module's worker.
    flag_run(hours_ago=0.1)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"] == "no Celery worker answered within 1 s"


def test_readyz_is_ready_when_every_check_passes(client, worker):
    flag_run(hours_ago=0.5)
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    assert response.json() == {"ready": True, "checks": {"database": "ok", "redis": "ok", "worker": "ok",
                                                         "flag_run": "ok"}}


def test_readyz_fails_when_the_flag_job_is_late(client, worker):
    flag_run(hours_ago=3)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["flag_run"] == "the flag job last finished 3.0 hours ago (beat may be down)"


def test_readyz_fails_when_redis_does_not_answer(client, settings, worker):
    flag_run(hours_ago=0.1)
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"] == "Redis does not answer (ConnectionError)"


def test_readiness_fails_when_the_database_does_not_answer():
    down = connection.copy()
    down.settings_dict = {**connection.settings_dict, "HOST": "127.0.0.1", "PORT": "1"}
    checks = readiness(connection=down)
    assert checks["database"] == "the database does not answer (OperationalError)"
    assert checks["flag_run"] == "not checked: the database is not ready"
    down.close()
