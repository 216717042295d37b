import pytest
from celery.contrib.testing.worker import start_worker

from caseload.celery import app
from tests.factories import OffenderFactory
from visits.models import Flag, FlagKind
from visits.tasks import refresh_flags, refresh_flags_of


@pytest.fixture
def celery_worker(transactional_db):
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
        yield worker


def test_a_real_worker_on_redis_runs_the_flag_job_and_returns_its_result(celery_worker):
    OffenderFactory.create_batch(3, officer=None)
    assert refresh_flags.delay().get(timeout=20)["raised"] == Flag.objects.count() > 0


def test_a_real_worker_brings_some_offenders_flags_in_line(celery_worker):
    unallocated = OffenderFactory(officer=None)
    refresh_flags_of.delay(offenders=[unallocated.pk], officers=[]).get(timeout=20)
    assert Flag.objects.get(kind=FlagKind.UNALLOCATED_OFFENDER, cleared_at__isnull=True).offender == unallocated


def test_the_broker_is_redis_and_messages_are_json():
    assert app.conf.broker_url.startswith("redis://")
    assert app.conf.task_serializer == "json" and app.conf.accept_content == ["json"]


def test_the_beat_schedule_refreshes_flags_every_hour():
    assert app.conf.beat_schedule["refresh-flags-hourly"]["task"] == "visits.tasks.refresh_flags"
