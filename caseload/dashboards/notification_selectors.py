"""Reads for the supervisor's notification figures and tables, over the selectors of notifications/selectors.py.

Unlike the flag-backed tables (selectors.py), these are counted from the register as it stands: the rules are those
selectors', and `team=None` means every team the user may see, unallocated offenders included, as there.
"""

import datetime as dt

from django.db.models import Case, CharField, DateField, F, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce

from caseload.dashboards.selectors import managed_offenders
from notifications.models import CivilOrder, NotificationKind
from notifications.selectors import (
    notification_kind,
    notifications_overdue_among,
    orders_ending_among,
    registration_ended_among,
    review_eligible_among,
)
from offenders.models import Offender, Team
from visits import rules
from visits.formula import DaysBetween
from visits.models import Review
from visits.selectors import today

# The figures' keys, as the dashboard's tiles name them; only the overdue notifications (NOTIFICATIONS_OVERDUE) are
# recounted for an earlier day, from the notification due items, which keep their due and closing dates (as the
# summary's year-ago key is), with the other reviews (selectors.dashboard).
REGISTRATION_ENDED = "registration_ended"
REVIEW_ELIGIBLE = "review_eligible"
ORDERS_ENDING = "orders_ending"


def notification_kind_cell(prefix: str = "offender__") -> Case:
    """The kind of notification owed (notification_kind()) as its label, worked out in SQL for sorting and exports."""
    return Case(*(When(Q(**{f"{prefix}no_fixed_abode": weekly}),
                       then=Value(NotificationKind(notification_kind(weekly)).label)) for weekly in (True, False)),
                output_field=CharField())


def days_since(day: dt.date, field: str) -> DaysBetween:
    return DaysBetween(Value(day, DateField()), F(field))


def overdue_notifications(*, user, team: Team | None = None) -> QuerySet[Review]:
    """Today's overdue notifications of the offenders the user may see: one due item each, with the kind owed
    (weekly with no fixed abode, else periodic) and days late."""
    as_of = today()
    overdue = notifications_overdue_among(managed_offenders(user=user, team=team), as_of)
    return overdue.select_related("offender__risk_tier", "offender__officer__team").annotate(
        notification_kind=notification_kind_cell(), days_late=rules.days_late(as_of),
    )


def offenders_listed(offenders: QuerySet[Offender]) -> QuerySet[Offender]:
    return offenders.select_related("risk_tier", "officer__team")


def registration_ended(*, user, team: Team | None = None) -> QuerySet[Offender]:
    """Offenders the user may see whose notification period has ended: listed for removal from the register, with
    the days since it ended."""
    as_of = today()
    ended = registration_ended_among(managed_offenders(user=user, team=team), as_of)
    return offenders_listed(ended).annotate(days_ended=days_since(as_of, "registration_ends_on"))


def review_eligible(*, user, team: Team | None = None) -> QuerySet[Offender]:
    """Offenders the user may see on indefinite notification who may apply for a review today, with the day they
    became eligible (review_eligible_from) and their first notification."""
    eligible = review_eligible_among(managed_offenders(user=user, team=team), today())
    return offenders_listed(eligible).annotate(first_notified=Coalesce("first_notified_on", "registered_on"))


def orders_ending(*, user, team: Team | None = None) -> QuerySet[CivilOrder]:
    """Civil orders on the offenders the user may see that end today or within the notice window, with days left."""
    as_of = today()
    ending = orders_ending_among(managed_offenders(user=user, team=team), as_of)
    return ending.select_related("offender__risk_tier", "offender__officer__team").annotate(
        days_left=DaysBetween(F("ends_on"), Value(as_of, DateField())))


def notification_counts(*, user, team: Team | None = None, as_of: dt.date) -> dict[str, QuerySet]:
    """What the notification figures count in the register as it stands on `as_of` (the overdue notifications are
    selectors.dashboard()'s, counted with the other reviews), keyed as the dashboard's tiles, for the dashboard to
    count with its other figures (counted.py)."""
    offenders = managed_offenders(user=user, team=team)
    return {
        REGISTRATION_ENDED: registration_ended_among(offenders, as_of),
        REVIEW_ELIGIBLE: review_eligible_among(offenders, as_of),
        ORDERS_ENDING: orders_ending_among(offenders, as_of),
    }
