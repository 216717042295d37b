"""The pages a supervisor opens first, counted and kept after each of the beat's flag runs.

A finished flag run changes the register's version, which ends every page kept (cache.py), and the day's first
run ends the day before's. Without this, the first views after a run, the morning's above all, would all be
counted afresh at once, while supervisors wait. After each run the dashboard and the first page of each
table, as a supervisor first opens them (no team picked, no filter, no order), are counted once for each set
of teams seen by a supervisor or admin who signed in within CASELOAD_DASHBOARD_WARM_DAYS, and kept; users
who see the same teams share them. Pages already kept are kept for longer, not counted again. The most recent
to sign in come first, and warming stops after BUDGET_SECONDS, well within the task's time limit and the hour
to the next run: a national register's thousands of teams are warmed as far as the budget goes.
"""

import datetime as dt
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from caseload.dashboards import views
from caseload.dashboards.cache import kept, scope_of
from offenders.roles import Role
from visits.selectors import today

logger = logging.getLogger(__name__)
BUDGET_SECONDS = 8 * 60

FIRST_PAGES = {
    "dashboards:overdue": views.OverdueView,
    "dashboards:unseen": views.UnseenView,
    "dashboards:workload": views.WorkloadView,
    "dashboards:unallocated": views.UnallocatedView,
}


@dataclass
class WarmResult:
    scopes: int = 0
    pages: int = 0
    out_of_time: bool = False


def users_to_warm_for(*, since: dt.datetime) -> list:
    """One user for each set of teams seen by the supervisors and admins who signed in since `since`, the
    most recent to sign in first."""
    users = get_user_model().objects.filter(
        is_active=True, last_login__gte=since, groups__name__in=[Role.SUPERVISOR, Role.ADMIN]
    ).distinct().order_by("-last_login", "pk")
    by_scope = {}
    for user in users:
        by_scope.setdefault(repr(scope_of(user)), user)
    return list(by_scope.values())


def first_page_request(user, url_name: str) -> HttpRequest:
    """A request for the page as the user first opens it: its path, no query string."""
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = reverse(url_name)
    request.user = user
    request.META = {"SERVER_NAME": "caseload", "SERVER_PORT": "443"}
    return request


def dashboards_warm(*, budget_seconds: float = BUDGET_SECONDS) -> WarmResult:
    """Count and keep each active scope's dashboard and the first page of its tables, as far as the budget goes."""
    result = WarmResult()
    if not settings.CASELOAD_DASHBOARD_CACHE_SECONDS:
        return result
    deadline = time.monotonic() + budget_seconds
    since = timezone.now() - dt.timedelta(days=settings.CASELOAD_DASHBOARD_WARM_DAYS)
    as_of = today()
    for user in users_to_warm_for(since=since):
        if result.scopes and time.monotonic() > deadline:
            result.out_of_time = True
            break
        views.dashboard_content(user=user, team=None, as_of=as_of, prolong=True)
        for url_name, view_class in FIRST_PAGES.items():
            view = view_class()
            view.setup(first_page_request(user, url_name))
            kept(view.page_key, view.page_content, prolong=True)
        result.scopes += 1
        result.pages += 1 + len(FIRST_PAGES)
    logger.info("Dashboards warmed: %s pages for %s sets of teams%s", result.pages, result.scopes,
                ", stopped when out of time" if result.out_of_time else "")
    return result
