"""Idle expiry without a database write on every request, and a session read by one prepared statement.

A session ends SESSION_COOKIE_AGE (30 minutes) after it was last saved. Saving it on every request
(SESSION_SAVE_EVERY_REQUEST) costs each page an UPDATE and a commit; this saves it at most once every
SESSION_REFRESH_SECONDS instead, so a session idle for the whole age, less at most that, expires.
"""

import time

from django.conf import settings
from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.utils import timezone

from visits.built_once import read_kept

REFRESHED_AT = "_caseload_refreshed_at"


class SessionRefreshMiddleware:
    """Push a signed-in session's expiry forward when it was last pushed over SESSION_REFRESH_SECONDS ago.
    Goes after SessionMiddleware, which saves a session marked modified on the way out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():
            now = int(time.time())
            if now - session.get(REFRESHED_AT, 0) >= settings.SESSION_REFRESH_SECONDS:
                session[REFRESHED_AT] = now  # modified: saved with a new expiry
        return response


class SessionStore(db.SessionStore):
    """Django's sessions in the database (SESSION_ENGINE), each request's read of its session one statement
    prepared on the connection: through the ORM, building the query cost as much as running it, on every page."""

    READ = f"SELECT session_data FROM {Session._meta.db_table} WHERE session_key = %s AND expire_date > %s"

    def _get_session_from_db(self):
        """As Django's, which also forgets a session key that finds no live session."""
        found = read_kept(self.READ, [self.session_key, timezone.now()])
        if not found:
            self._session_key = None
            return None
        return Session(session_key=self.session_key, **found[0])
