"""The dashboard's counts, read in one statement built once a day per user.

The dashboard shows a dozen counts of different things (offenders in the community, notification figures,
requests and bulk cancellations waiting, officers away, absences waiting for cover...), each a queryset of its
own selector. Counted one by one, each paid a round trip and Django's execution of a statement of its own; asked
together, PostgreSQL counts each as a scalar subquery of one SELECT. Building and compiling the querysets cost
more than counting them, so the SELECT is kept for the user's scope and the day (visits/built_once.py). The
querysets themselves, and so the rules they count by, are the selectors' own (README: Figures).
"""

import datetime as dt

from django.db import router

from availability.selectors import availability_counts
from caseload.dashboards import notification_selectors as notices
from caseload.dashboards.counting import Counting, counting, read
from caseload.dashboards.selectors import counts_today
from offenders.models import Offender, Team
from supervision.figures import supervision_counts
from visits.built_once import built_per_scope


@built_per_scope
def dashboard_counting(*, user, team: Team | None, as_of: dt.date) -> tuple[Counting, dict[str, list[str]]]:
    """The dashboard's counts as one SELECT, with the keys of each part of the page."""
    parts = {
        "today": counts_today(user=user, team=team, as_of=as_of),
        "notices": notices.notification_counts(user=user, team=team, as_of=as_of),
        "availability": availability_counts(user=user, team=team, as_of=as_of),
        "supervision": supervision_counts(user=user, team=team),
    }
    every = {name: queryset for part in parts.values() for name, queryset in part.items()}
    return counting(every), {part: list(counts) for part, counts in parts.items()}


def dashboard_counts(*, user, team: Team | None, as_of: dt.date) -> dict[str, dict[str, int]]:
    """The dashboard's counts, by part of the page: today's figures (selectors.counts_today), the notification
    figures, availability and supervision."""
    built, parts = dashboard_counting(user=user, team=team, as_of=as_of)
    counts = read(built, using=router.db_for_read(Offender))  # the replica, where the view reads one
    return {part: {name: counts[name] for name in names} for part, names in parts.items()}
