"""Reads of officers' availability: the absences a user may see, the cases with something falling due during an
absence (those needing cover), and the absences still waiting for cover."""

import datetime as dt

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Least

from offenders.availability_models import AWAY
from offenders.models import Absence, Offender, Officer
from offenders.selectors import officers_visible_to
from visits import rules
from visits.models import OPEN_STATUSES, Review, ReviewKind, Visit


def absences_visible_to(*, user) -> QuerySet[Absence]:
    """The absences and reductions of the officers a user sees (supervisors: their teams'; admins: all)."""
    return (Absence.objects.filter(officer__in=officers_visible_to(user=user))
            .select_related("officer__team", "cover__officer"))


def due_items_by(end, whose: Q | None = None) -> dict[str, QuerySet]:
    """The open due items that call for cover, due on or before `end` (a day, or a reference to one): a visit, an
    assessment review, an owed notification. Those of the offenders `whose` picks (a condition on the due item), by
    default the offender named OuterRef("pk")."""
    whose = Q(offender=OuterRef("pk")) if whose is None else whose
    return {
        "visit_due_on": Visit.objects.filter(whose, status__in=OPEN_STATUSES, due_on__lte=end),
        "review_due_on": Review.objects.filter(whose, kind=ReviewKind.ASSESSMENT, closed_on__isnull=True,
                                               due_on__lte=end),
        "notification_due_on": Review.objects.filter(whose, rules.notification_owed(), kind=ReviewKind.NOTIFICATION,
                                                     closed_on__isnull=True, due_on__lte=end),
    }


def any_due_by(end, whose: Q | None = None) -> Q:
    """Whether any due item of due_items_by() is there."""
    due = Q()
    for items in due_items_by(end, whose).values():
        due |= Q(Exists(items))
    return due


def falling_due_by(officer, end) -> QuerySet[Offender]:
    """The cases of `officer` (an id, or a reference to one) with a due item calling for cover by `end`."""
    return Offender.objects.filter(rules.in_caseload(), officer=officer).filter(any_due_by(end))


def cases_falling_due(absence: Absence) -> QuerySet[Offender]:
    """The absent officer's cases with a visit, an assessment review or an owed notification open and due on or before
    the absence's last day: falling due while they are away, or already late and still to do. With the earliest
    such date (`due_on`)."""
    first = {name: Subquery(items.order_by("due_on").values("due_on")[:1])
             for name, items in due_items_by(absence.ends_on).items()}
    return (falling_due_by(absence.officer_id, absence.ends_on)
            .select_related("risk_tier").annotate(**first)
            .annotate(due_on=Least("visit_due_on", "review_due_on", "notification_due_on"))
            .order_by("due_on", "reference"))


def absences_waiting_for_cover(*, user, as_of: dt.date) -> QuerySet[Absence]:
    """Absences (whole days away) not yet over, without cover, whose officer has cases falling due during them:
    each absence asking after its own officer's cases' due items up to its own last day (falling_due_by(), asked
    of the due items at once rather than of the officer's cases one by one)."""
    waiting = absences_visible_to(user=user).filter(kind__in=AWAY, ends_on__gte=as_of, cover__isnull=True)
    cases = Q(offender__officer=OuterRef("officer_id")) & rules.in_caseload("offender__")
    return waiting.filter(any_due_by(OuterRef("ends_on"), cases))


def absences_needing_cover(*, user, as_of: dt.date) -> list[Absence]:
    """absences_waiting_for_cover(), in one query."""
    return list(absences_waiting_for_cover(user=user, as_of=as_of))


def away_on(day: dt.date) -> Q:
    """Officers away on `day` (not reductions)."""
    return Q(Exists(Absence.objects.filter(rules.in_force_on(day), officer=OuterRef("pk"), kind__in=AWAY)))


def cover_officers(absence: Absence, *, user) -> QuerySet[Officer]:
    """Who may cover: the active officers of the absent officer's team the user sees, but them."""
    return (officers_visible_to(user=user).filter(active=True, team_id=absence.officer.team_id)
            .exclude(pk=absence.officer_id).order_by("name"))


def availability_counts(*, user, team, as_of: dt.date) -> dict[str, QuerySet]:
    """The dashboard's availability figures, to count with its others (caseload/dashboards/counted.py): officers away
    today, and absences still waiting for cover."""
    officers = officers_visible_to(user=user).filter(active=True)
    needing = absences_waiting_for_cover(user=user, as_of=as_of).select_related(None)
    if team is not None:
        officers, needing = officers.filter(team=team), needing.filter(officer__team=team)
    return {"away_today": officers.filter(away_on(as_of)), "needing_cover": needing}
