"""The dashboard's figures, read in one statement built once a day per user.

The dashboard shows a dozen counts of different things (offenders in the community, notification figures,
requests and bulk cancellations waiting, officers away, absences waiting for cover...), each a queryset of its
own selector. Counted one by one, each paid a round trip and Django's execution of a statement of its own; asked
together, PostgreSQL counts each as a scalar subquery of one SELECT, with the aggregates of the open flags, the
reviews recounted for earlier days, the dip samples and the backlog forecast's reads beside them. Building and
compiling the querysets cost more than counting them, so the SELECT is kept for the user's scope and the day
(visits/built_once.py), with its values written in, and prepared on the connection: planned once, it runs in a
fraction of the time the two dozen statements took. The querysets themselves, and so the rules they count by, are
the selectors' own (README: Figures).
"""

import datetime as dt

from django.db import router

from availability.forecast import forecast_reads, officers_in_scope, on_the_dashboard
from availability.selectors import availability_counts
from caseload.dashboards import notification_selectors as notices
from caseload.dashboards import selectors
from caseload.dashboards.counting import reading, rows_of
from offenders.models import Offender, Team
from supervision.dip_samples import dip_sample_counting
from supervision.figures import supervision_counts
from visits.built_once import built_per_scope, literal, read_kept


@built_per_scope
def dashboard_reading(*, user, team: Team | None, as_of: dt.date) -> tuple[str, dict[str, list[str]], list[str]]:
    """The dashboard's figures as one SELECT, with the names of the counts of each part of the page and of the
    backlog forecast's reads (none where the dashboard does not show it)."""
    counts = {
        "today": selectors.counts_today(user=user, team=team, as_of=as_of),
        "notices": notices.notification_counts(user=user, team=team, as_of=as_of),
        "availability": availability_counts(user=user, team=team, as_of=as_of),
        "supervision": supervision_counts(user=user, team=team),
    }
    rows = [selectors.flags_today(user=user, team=team),
            selectors.overdue_reviews_counting(user=user, team=team, days=selectors.review_days(as_of)),
            dip_sample_counting(user=user, team=team, as_of=as_of)]
    forecast = {}
    if on_the_dashboard(user=user, team=team):
        forecast = forecast_reads(officers_in_scope(user=user, team=team), as_of)
    every = {name: queryset for part in counts.values() for name, queryset in part.items()}
    listed = {FORECAST + name: queryset for name, queryset in forecast.items()}
    return literal(*reading(every, rows, listed)), {part: list(names) for part, names in counts.items()}, list(forecast)


FORECAST = "forecast_"  # the names of the forecast's reads


def dashboard_figures(*, user, team: Team | None, as_of: dt.date) -> dict:
    """The dashboard's figures read at once: today's (selectors.figures_today) and the reviews recounted for earlier
    days (selectors.overdue_reviews_on), for selectors.dashboard(); the dip samples' (dip_sample_figures); by part of
    the page, the counts of the notification figures, availability and supervision; and the backlog forecast's
    reads (forecast.forecast_from), or None."""
    sql, parts, forecast = dashboard_reading(user=user, team=team, as_of=as_of)
    figures = read_kept(sql, using=router.db_for_read(Offender))[0]  # the replica, where the view reads one
    return {"read_at_once": figures, **{part: {name: figures[name] for name in names} for part, names in parts.items()},
            "forecast": {name: rows_of(figures, FORECAST + name) for name in forecast} if forecast else None}
