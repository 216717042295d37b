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


def due_items_by(end) -> dict[str, QuerySet]:
    """An offender's open due items that call for cover, due on or before `end` (a day, or a reference to one): a
    visit, an assessment review, an owed notification. On the offender named OuterRef("pk")."""
    return {
        "visit_due_on": Visit.objects.filter(offender=OuterRef("pk"), status__in=OPEN_STATUSES, due_on__lte=end),
        "review_due_on": Review.objects.filter(offender=OuterRef("pk"), kind=ReviewKind.ASSESSMENT,
                                               closed_on__isnull=True, due_on__lte=end),
        "notification_due_on": Review.objects.filter(rules.notification_owed(), offender=OuterRef("pk"),
                                                     kind=ReviewKind.NOTIFICATION, closed_on__isnull=True,
                                                     due_on__lte=end),
    }


def falling_due_by(officer, end) -> QuerySet[Offender]:
    """The cases of `officer` (an id, or a reference to one) with a due item calling for cover by `end`."""
    due = Q()
    for items in due_items_by(end).values():
        due |= Q(Exists(items))
    return Offender.objects.filter(rules.in_caseload(), officer=officer).filter(due)


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


def absences_needing_cover(*, user, as_of: dt.date) -> list[Absence]:
    """Absences (whole days away) not yet over, without cover, whose officer has cases falling due during them: in
    one query, each absence asking after its own officer's cases up to its own last day."""
    waiting = absences_visible_to(user=user).filter(kind__in=AWAY, ends_on__gte=as_of, cover__isnull=True)
    return list(waiting.filter(Exists(falling_due_by(OuterRef("officer_id"), OuterRef(OuterRef("ends_on"))))))


def away_on(day: dt.date) -> Q:
    """Officers away on `day` (not reductions)."""
    return Q(Exists(Absence.objects.filter(rules.in_force_on(day), officer=OuterRef("pk"), kind__in=AWAY)))


def cover_officers(absence: Absence, *, user) -> QuerySet[Officer]:
    """Who may cover: the active officers of the absent officer's team the user sees, but them."""
    return (officers_visible_to(user=user).filter(active=True, team_id=absence.officer.team_id)
            .exclude(pk=absence.officer_id).order_by("name"))


def availability_figures(*, user, team, as_of: dt.date) -> dict:
    """The dashboard's availability figures: officers away today, and absences still waiting for cover."""
    officers = officers_visible_to(user=user).filter(active=True)
    needing = absences_needing_cover(user=user, as_of=as_of)
    if team is not None:
        officers = officers.filter(team=team)
        needing = [absence for absence in needing if absence.officer.team_id == team.pk]
    return {"away_today": officers.filter(away_on(as_of)).count(), "needing_cover": len(needing)}
