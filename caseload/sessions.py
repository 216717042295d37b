"""Idle expiry without a database write on every request.

A session ends SESSION_COOKIE_AGE (30 minutes) after it was last saved. Saving it on every request
(SESSION_SAVE_EVERY_REQUEST) costs each page an UPDATE and a commit; this saves it at most once every
SESSION_REFRESH_SECONDS instead, so a session idle for the whole age, less at most that, expires.
"""

import time

from django.conf import settings

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
