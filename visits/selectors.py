"""Reads of visits and caseloads, scoped through the register's selectors."""

import datetime as dt

from django.db.models import Case, Count, DateField, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone

from offenders.models import MANAGED_STATUSES, Offender, OffenderStatus
from offenders.selectors import offenders_visible_to
from visits.models import OPEN_STATUSES, CaseAction, Visit, VisitStatus


def today() -> dt.date:
    return timezone.localdate()


def with_visit_dates(offenders: QuerySet[Offender]) -> QuerySet[Offender]:
    """Annotate each offender with the due date of the open visit and the last completed visit."""
    open_visit = Visit.objects.filter(offender=OuterRef("pk"), status__in=OPEN_STATUSES)
    completed = Visit.objects.filter(offender=OuterRef("pk"), status=VisitStatus.COMPLETED)
    return offenders.annotate(
        next_due_on=Subquery(open_visit.values("due_on")[:1], output_field=DateField()),
        last_seen_on=Subquery(completed.order_by("-completed_on").values("completed_on")[:1]),
    )


def officer_caseload(*, user) -> QuerySet[Offender]:
    """The offenders the user may see, most urgent first: missing ones, then overdue longest, then next
    due; offenders with nothing scheduled come last."""
    offenders = offenders_visible_to(user=user).select_related("risk_tier", "officer")
    missing_first = Case(When(status=OffenderStatus.MISSING, then=Value(0)), default=Value(1))
    return with_visit_dates(offenders).order_by(
        missing_first, F("next_due_on").asc(nulls_last=True), "-risk_tier__order", "reference"
    )


def visits_overdue(*, user, as_of: dt.date | None = None) -> QuerySet[Visit]:
    """Open visits to managed offenders that were due before `as_of` (default today)."""
    as_of = as_of or today()
    return Visit.objects.filter(
        offender__in=offenders_visible_to(user=user).filter(status__in=MANAGED_STATUSES),
        status__in=OPEN_STATUSES,
        due_on__lt=as_of,
    )


def headline_figures(*, user, as_of: dt.date | None = None) -> dict:
    """The morning figures for what the user may see."""
    as_of = as_of or today()
    offenders = offenders_visible_to(user=user)
    managed = offenders.filter(status__in=MANAGED_STATUSES)
    overdue = visits_overdue(user=user, as_of=as_of).aggregate(
        total=Count("id"),
        high_or_above=Count("id", filter=Q(offender__risk_tier__code__in=["high", "very_high"])),
    )
    return {
        "as_of": as_of,
        "offenders_in_community": managed.filter(status="community").count(),
        "missing": managed.filter(status="missing").count(),
        "overdue_visits": overdue["total"],
        "overdue_high_or_above": overdue["high_or_above"],
        "unallocated": managed.filter(officer__isnull=True).count(),
    }



def case_actions_for_review(*, user) -> QuerySet[CaseAction]:
    """Matters raised for a supervisor (e.g. an offender no longer at their address), newest first."""
    return (
        CaseAction.objects.filter(needs_review=True, offender__in=offenders_visible_to(user=user))
        .select_related("offender", "user")
        .order_by("-at", "-id")
    )
