"""Health for load balancers and monitors, open to all and free of the register's contents:

- /healthz: the process answers (nothing else is touched);
- /readyz: ready to serve: the database answers and is migrated, Redis answers, a Celery worker answers, and the
  flag job (run by beat) finished less than READY_FLAG_RUN_HOURS ago. 200 when every check passes, else 503, with
  each check's outcome in words.
"""

import datetime as dt

import redis
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from caseload.celery import app

READY_FLAG_RUN_HOURS = 2
TIMEOUT_SECONDS = 2


def database_check(connection) -> str | None:
    """None when the database answers and every migration is applied; else what is wrong."""
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as problem:  # noqa: BLE001 (any failure to reach it is the answer)
        return f"the database does not answer ({type(problem).__name__})"
    return f"{len(plan)} migrations are not applied" if plan else None


def redis_check(url: str) -> str | None:
    try:
        redis.Redis.from_url(url, socket_timeout=TIMEOUT_SECONDS, socket_connect_timeout=TIMEOUT_SECONDS).ping()
    except redis.RedisError as problem:
        return f"Redis does not answer ({type(problem).__name__})"
    return None


def worker_check(timeout: float = 1.0) -> str | None:
    try:
        replies = app.control.ping(timeout=timeout, limit=1)  # the first answer will do
    except Exception as problem:  # noqa: BLE001 (a broker that cannot be reached: no worker can answer)
        return f"no Celery worker can be asked ({type(problem).__name__})"
    return None if replies else f"no Celery worker answered within {timeout:g} s"


def flag_run_check(connection, now: dt.datetime) -> str | None:
    """The flag job's last finished run: beat runs it every hour."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT max(finished_at) FROM visits_flagrun")
            (finished,) = cursor.fetchone()
    except Exception as problem:  # noqa: BLE001 (reported by the database check too)
        return f"the flag runs cannot be read ({type(problem).__name__})"
    if finished is None:
        return "the flag job has never run"
    late = now - finished
    if late > dt.timedelta(hours=READY_FLAG_RUN_HOURS):
        return f"the flag job last finished {late.total_seconds() / 3600:.1f} hours ago (beat may be down)"
    return None


def readiness(*, connection=None, redis_url: str | None = None, now: dt.datetime | None = None) -> dict[str, str]:
    """Each check's outcome: "ok" or what is wrong."""
    connection = connection or connections[DEFAULT_DB_ALIAS]
    database = database_check(connection)
    checks = {
        "database": database,
        "redis": redis_check(redis_url or settings.REDIS_URL),
        "worker": worker_check(),
        "flag_run": flag_run_check(connection, now or timezone.now()) if database is None else
        "not checked: the database is not ready",
    }
    return {name: problem or "ok" for name, problem in checks.items()}


@login_not_required
@require_GET
def healthz(request):
    return HttpResponse("ok\n", content_type="text/plain")


@login_not_required
@require_GET
def readyz(request):
    checks = readiness()
    ready = all(outcome == "ok" for outcome in checks.values())
    return JsonResponse({"ready": ready, "checks": checks}, status=200 if ready else 503)
