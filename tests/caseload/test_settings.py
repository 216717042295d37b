import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import redis

from caseload import embedded

ROOT = Path(__file__).resolve().parents[2]


def test_configured_urls_start_nothing_embedded(tmp_path, monkeypatch):
    monkeypatch.setenv("CASELOAD_DATA_DIR", str(tmp_path))
    environ = {"DATABASE_URL": "postgresql://db.example/x", "REDIS_URL": "redis://cache.example/0"}
    with embedded.services(environ) as env:
        assert env["DATABASE_URL"] == "postgresql://db.example/x"
    assert list(tmp_path.iterdir()) == []


def test_unset_urls_start_a_real_postgres_and_redis_under_the_data_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("CASELOAD_DATA_DIR", str(tmp_path))
    environ = {}
    with embedded.services(environ) as env:
        with psycopg.connect(env["DATABASE_URL"]) as conn:
            assert conn.execute("select current_database()").fetchone() == ("caseload",)
        assert redis.Redis.from_url(env["REDIS_URL"]).ping()
    assert (tmp_path / "postgres" / "PG_VERSION").exists()


def test_settings_refuse_to_start_without_a_database_url():
    env = {**os.environ, "DATABASE_URL": ""}  # empty, so that a developer's .env cannot fill it in
    result = subprocess.run(
        [sys.executable, "-c", "import django; from django.conf import settings; settings.DATABASES"],
        cwd=ROOT, env={**env, "DJANGO_SETTINGS_MODULE": "caseload.settings", "PYTHONPATH": str(ROOT)},
        capture_output=True, text=True,
    )
    assert result.returncode != 0
    assert "DATABASE_URL is not set" in result.stderr


def test_settings_use_the_database_url_they_are_given():
    from django.conf import settings

    url = os.environ["DATABASE_URL"]
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert settings.DATABASES["default"]["USER"] in url
    assert settings.USE_TZ and settings.TIME_ZONE == "Europe/London"


def test_a_replica_url_adds_a_replica_that_gives_up_connecting_within_seconds():
    code = "import django; from django.conf import settings; import json; print(json.dumps(settings.DATABASES))"
    env = {**os.environ, "DATABASE_REPLICA_URL": "postgresql://reader@replica.example:5433/caseload",
           "DJANGO_SETTINGS_MODULE": "caseload.settings", "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                            check=True)
    databases = json.loads(result.stdout)
    replica = databases["replica"]
    assert (replica["HOST"], replica["PORT"], replica["USER"]) == ("replica.example", 5433, "reader")
    assert replica["OPTIONS"]["connect_timeout"] == 3 and replica["TEST"] == {"MIRROR": "default"}
    assert replica["OPTIONS"].get("options") == databases["default"]["OPTIONS"].get("options")
    assert databases["default"]["OPTIONS"].get("connect_timeout") is None


def test_database_sessions_compile_no_queries_just_in_time(db):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
