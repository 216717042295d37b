"""A real Celery worker and a real beat, on real Redis, run the flag job end to end."""

import datetime as dt
import time

import pytest
from celery.beat import EmbeddedService
from celery.contrib.testing.worker import start_worker
from django.db import connection

from caseload.celery import app
from tests.factories import VisitFactory
from visits.models import Flag, FlagKind


@pytest.fixture
def every_second(tmp_path):
    """The hourly flag run as the schedule has it, run every second, so the test need not wait an hour."""
    hourly = app.conf.beat_schedule
    app.conf.beat_schedule = {"refresh-flags": {**hourly["refresh-flags-hourly"], "schedule": 1.0}}
    yield str(tmp_path / "beat-schedule")
    app.conf.beat_schedule = hourly


def test_beat_sends_the_flag_job_and_a_worker_runs_it(transactional_db, every_second):
    visit = VisitFactory(due_on=dt.date.today() - dt.timedelta(days=2))
    beat = EmbeddedService(app, thread=True, schedule_filename=every_second, max_interval=1)
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        beat.start()
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and not Flag.objects.filter(visit=visit).exists():
                time.sleep(0.5)
        finally:
            beat.stop()
            beat.join(timeout=10)
            app.control.purge()  # runs the beat sent after the first are not left for later workers
    connection.close()
    assert Flag.objects.get(kind=FlagKind.OVERDUE_VISIT).visit == visit


def test_the_tasks_are_bounded_in_time():
    from visits.tasks import refresh_flags, refresh_flags_of, send_supervisor_digests, take_daily_snapshot

    for task in (refresh_flags, refresh_flags_of, take_daily_snapshot, send_supervisor_digests):
        assert task.time_limit and task.soft_time_limit < task.time_limit
