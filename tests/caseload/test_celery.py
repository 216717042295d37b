import pytest
from celery.contrib.testing.worker import start_worker

from caseload.celery import app
from caseload.tasks import register_size
from tests.factories import OffenderFactory


@pytest.fixture
def celery_worker(transactional_db):
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
        yield worker


def test_a_real_worker_on_redis_returns_a_task_result(celery_worker):
    OffenderFactory.create_batch(3)
    assert register_size.delay().get(timeout=20) == 3


def test_the_broker_is_redis_and_messages_are_json():
    assert app.conf.broker_url.startswith("redis://")
    assert app.conf.task_serializer == "json" and app.conf.accept_content == ["json"]


def test_the_beat_schedule_refreshes_flags_every_hour():
    assert app.conf.beat_schedule["refresh-flags-hourly"]["task"] == "visits.tasks.refresh_flags"
