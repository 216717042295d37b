"""With Redis gone the web keeps serving from the database, and the flag job runs as a command."""

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.db import connection
from django.test import override_settings

from caseload.celery import app
from tests.factories import VisitFactory
from visits.models import Flag

ROOT = Path(__file__).resolve().parents[2]
CLOSED = "redis://127.0.0.1:1/0"


def database_url() -> str:
    """The test database as a DATABASE_URL, over TCP or a socket folder (embedded PostgreSQL)."""
    db = connection.settings_dict
    user = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    host = db["HOST"] or db["OPTIONS"].get("host", "")  # embedded PostgreSQL: a socket folder in the options
    if not host or host.startswith("/"):
        return f"postgresql://{user}@/{db['NAME']}?host={quote(host or '/var/run/postgresql')}"
    return f"postgresql://{user}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def redis_down(monkeypatch):
    with pytest.raises(redis.exceptions.ConnectionError):
        redis.Redis.from_url(CLOSED, socket_connect_timeout=1).ping()
    monkeypatch.setattr(app.conf, "broker_url", CLOSED)
    monkeypatch.setattr(app.conf, "result_backend", CLOSED)
    with override_settings(REDIS_URL=CLOSED, CELERY_BROKER_URL=CLOSED, CELERY_RESULT_BACKEND=CLOSED):
        yield


@pytest.mark.parametrize("path", ["/dashboard/", "/visits/mine/", "/api/v1/summary/"])
def test_pages_and_the_summary_api_answer_without_redis(client, bob, redis_down, path):
    VisitFactory(due_on=dt.date.today() - dt.timedelta(days=1))
    client.force_login(bob)
    assert client.get(path).status_code == 200


def test_refresh_flags_runs_as_a_command_started_without_redis(transactional_db):
    VisitFactory(due_on=dt.date.today() - dt.timedelta(days=1))
    url = database_url()
    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": CLOSED, "SECRET_KEY": "redis-down-test"}
    done = subprocess.run([sys.executable, "manage.py", "refresh_flags"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert Flag.objects.filter(visit__isnull=False).count() == 1
