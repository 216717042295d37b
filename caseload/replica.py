"""Dashboards and exports read a streaming replica where DATABASE_REPLICA_URL names one.

Only the views that opt in (ReadsReplicaMixin: the dashboard, its tables and their exports, an officer's caseload
as a supervisor sees it) read the replica, and only while they run: sign-in, sessions and every write stay on the
primary. Read-your-writes: a request that may have written (any method but GET, HEAD, OPTIONS) leaves the primary's
WAL position in a cookie, and the replica is read only once it has replayed past that position, so what a user has
just done is never missing from the next page. A replica that cannot be reached is skipped (the primary answers);
one that is behind by more than CASELOAD_REPLICA_NOTICE_SECONDS makes the page say how old its figures are.
"""

import contextlib
import contextvars
import logging
import re
import time
from collections.abc import Iterator

from django.conf import settings
from django.db import DatabaseError, connections

REPLICA = "replica"
WRITTEN_AT_COOKIE = "caseload_written_at"
LSN = re.compile(r"^[0-9A-F]{1,8}/[0-9A-F]{1,8}$")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
RETRY_SECONDS = 30

logger = logging.getLogger(__name__)
_reading_replica = contextvars.ContextVar("reading_replica", default=False)
_skip_until = 0.0  # monotonic time before which this process does not try the replica again

# On the replica: has it replayed past the user's last write, and how far behind the primary is it (seconds;
# 0 when it has replayed all the primary has written, also on a server that is not a standby).
STATE_SQL = """
SELECT coalesce(pg_last_wal_replay_lsn() >= %(written_at)s::pg_lsn, true),
       CASE WHEN coalesce(pg_last_wal_replay_lsn() >= %(primary_at)s::pg_lsn, true) THEN 0
            ELSE greatest(0, extract(epoch FROM now() - pg_last_xact_replay_timestamp()))::int END
"""


def configured() -> bool:
    return REPLICA in settings.DATABASES


class ReplicaRouter:
    """Reads go to the replica inside reading_replica(), everything else to the primary; nothing migrates it."""

    def db_for_read(self, model, **hints):
        return REPLICA if _reading_replica.get() else None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA


def primary_position() -> str:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        return cursor.fetchone()[0]


def written_at(request) -> str:
    value = request.COOKIES.get(WRITTEN_AT_COOKIE, "")
    return value if LSN.match(value) else "0/0"


def replica_state(request) -> tuple[bool, int] | None:
    """(has replayed the user's last write, seconds behind), or None when the replica cannot be asked (and for
    RETRY_SECONDS after it could not: a replica that is down costs one failed attempt, not one a page)."""
    global _skip_until
    if time.monotonic() < _skip_until:
        return None
    try:
        primary_at = primary_position()
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(STATE_SQL, {"written_at": written_at(request), "primary_at": primary_at})
            caught_up, lag = cursor.fetchone()
    except DatabaseError as error:
        logger.warning("replica not read, the primary answers: %s", type(error).__name__)
        connections[REPLICA].close()
        _skip_until = time.monotonic() + RETRY_SECONDS
        return None
    return caught_up, lag


@contextlib.contextmanager
def reading_replica(request) -> Iterator[None]:
    """Reads in this block go to the replica when there is one, it answers, and it has the user's last write.
    Sets request.replica_lag_seconds (None when the primary answers) and request.replica_notice."""
    request.replica_lag_seconds, request.replica_notice = None, ""
    state = replica_state(request) if configured() else None
    if state is None or not state[0]:
        yield
        return
    request.replica_lag_seconds = state[1]
    request.replica_notice = lag_notice(request)
    token = _reading_replica.set(True)
    try:
        yield
    finally:
        _reading_replica.reset(token)


def lag_notice(request) -> str:
    """What the page says when its figures come from a replica behind by more than the notice threshold."""
    lag = getattr(request, "replica_lag_seconds", None)
    if lag is None or lag <= settings.CASELOAD_REPLICA_NOTICE_SECONDS:
        return ""
    minutes, seconds = divmod(lag, 60)
    hours, minutes = divmod(minutes, 60)
    age = f"{hours} h {minutes} min" if hours else f"{minutes} min {seconds} s" if minutes else f"{seconds} s"
    return (
        f"These figures come from a copy of the register that is {age} behind: "
        "changes made since then are not shown yet."
    )


class ReadsReplicaMixin:
    """For a class-based view that only reads: it, its template and its streamed export read the replica."""

    def dispatch(self, request, *args, **kwargs):
        if not configured():
            return super().dispatch(request, *args, **kwargs)
        with reading_replica(request):
            response = super().dispatch(request, *args, **kwargs)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
        if response.streaming and request.replica_lag_seconds is not None:
            response.streaming_content = streamed_from_replica(response.streaming_content)
        return response


def streamed_from_replica(chunks) -> Iterator[bytes]:
    """A streamed export reads its rows as it sends them, after the view has returned: on the replica too."""
    token = _reading_replica.set(True)
    try:
        yield from chunks
    finally:
        with contextlib.suppress(ValueError):  # closed from another context: nothing left to read there
            _reading_replica.reset(token)


class WrittenAtMiddleware:
    """After a request that may have written, remember the primary's WAL position for read-your-writes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if configured() and request.method not in SAFE_METHODS:
            with contextlib.suppress(DatabaseError):
                response.set_cookie(
                    WRITTEN_AT_COOKIE,
                    primary_position(),
                    httponly=True,
                    samesite="Lax",
                    secure=settings.SESSION_COOKIE_SECURE,
                    max_age=settings.SESSION_COOKIE_AGE,
                )
        return response
