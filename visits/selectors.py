"""Reads of visits and caseloads, scoped through the register's selectors.

The definitions are the domain's: a visit is overdue on day D when it was due before D and was
not completed or cancelled before D; an offender in the community is unseen when their last
completed visit is older than their interval plus a grace period.
"""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    DateField,
    DecimalField,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Ceil, Coalesce, Round
from django.utils import timezone

from offenders.models import MANAGED_STATUSES, Offender, OffenderStatus, Officer
from offenders.selectors import offenders_visible_to, officers_visible_to, visible_offenders
from visits.models import OPEN_STATUSES, CaseAction, Flag, Visit, VisitStatus


def today() -> dt.date:
    return timezone.localdate()


class AddDays(Func):
    """date + integer days, in SQL."""

    arg_joiner = " + "
    template = "(%(expressions)s)"
    output_field = DateField()


def interval_days() -> Coalesce:
    """The offender's interval: the plan's override, else the tier's default."""
    return Coalesce("visit_interval_days", "risk_tier__visit_interval_days")


def grace_days() -> Cast:
    """Days past the interval before an offender counts as unseen (a fraction of the interval)."""
    fraction = Decimal(str(settings.CASELOAD_UNSEEN_GRACE_FRACTION))
    return Cast(Ceil(interval_days() * Value(fraction)), IntegerField())


def last_seen_before(as_of: dt.date | None = None, offender_ref: str = "pk") -> Subquery:
    """The date of the offender's last completed visit (before `as_of`, if given), as a subquery on
    the offender named by `offender_ref` in the outer query."""
    completed = Visit.objects.filter(offender=OuterRef(offender_ref), status=VisitStatus.COMPLETED)
    if as_of:
        completed = completed.filter(completed_on__lt=as_of)
    return Subquery(completed.order_by("-completed_on").values("completed_on")[:1], output_field=DateField())


def with_visit_dates(offenders: QuerySet[Offender], as_of: dt.date | None = None) -> QuerySet[Offender]:
    """Annotate each offender with the open visit's due date and the last visit completed before `as_of`."""
    open_visit = Visit.objects.filter(offender=OuterRef("pk"), status__in=OPEN_STATUSES)
    return offenders.annotate(
        next_due_on=Subquery(open_visit.values("due_on")[:1], output_field=DateField()),
        last_seen_on=last_seen_before(as_of),
    )


def officer_caseload(*, user) -> QuerySet[Offender]:
    """The offenders the user may see, most urgent first: missing ones, then overdue longest, then next
    due; offenders with nothing scheduled come last."""
    offenders = offenders_visible_to(user=user).select_related("risk_tier", "officer")
    missing_first = Case(When(status=OffenderStatus.MISSING, then=Value(0)), default=Value(1))
    return with_visit_dates(offenders).order_by(
        missing_first, F("next_due_on").asc(nulls_last=True), "-risk_tier__order", "reference"
    )


def overdue_on(visits: QuerySet[Visit], as_of: dt.date) -> QuerySet[Visit]:
    """Visits due before `as_of` and not completed or cancelled before it."""
    return visits.filter(due_on__lt=as_of).filter(Q(closed_on__isnull=True) | Q(closed_on__gte=as_of))


def overdue_among(offenders: QuerySet[Offender], as_of: dt.date) -> QuerySet[Visit]:
    """Visits overdue on `as_of` to the managed offenders among `offenders` (no scoping: callers scope)."""
    managed = offenders.filter(status__in=MANAGED_STATUSES)
    return overdue_on(Visit.objects.filter(offender__in=managed), as_of)


def visits_overdue(*, user, as_of: dt.date | None = None) -> QuerySet[Visit]:
    """Overdue visits (on `as_of`, default today) to managed offenders the user may see."""
    visits = Visit.objects.filter(visible_offenders(user=user, path="offender__"),
                                  offender__status__in=MANAGED_STATUSES)
    return overdue_on(visits, as_of or today())


def offenders_unseen(*, user, as_of: dt.date | None = None) -> QuerySet[Offender]:
    """Offenders in the community, not on reactive management, whose last completed visit before
    `as_of` (or registration, if never visited) is older than their interval plus grace."""
    return unseen_among(offenders_visible_to(user=user), as_of or today())


def unseen_among(offenders: QuerySet[Offender], as_of: dt.date) -> QuerySet[Offender]:
    """The unseen offenders among `offenders` on `as_of` (no scoping: callers scope)."""
    offenders = offenders.filter(status=OffenderStatus.COMMUNITY, reactive=False, registered_on__lt=as_of)
    offenders = offenders.annotate(last_seen_on=last_seen_before(as_of)).annotate(
        unseen_from=AddDays(Coalesce("last_seen_on", "registered_on"), interval_days(), grace_days()),
    )
    return offenders.filter(unseen_from__lt=as_of)


def officer_workloads(*, user, as_of: dt.date | None = None) -> QuerySet[Officer]:
    """Officers the user may see, with caseload, caseload per FTE, weighted points and capacity %,
    overdue visits and whether they are over their team's ceiling."""
    return workloads_among(officers_visible_to(user=user), as_of or today())


def workloads_among(officers: QuerySet[Officer], as_of: dt.date) -> QuerySet[Officer]:
    """`officers` with their workload figures on `as_of` (no scoping: callers scope)."""
    managed = Offender.objects.filter(officer=OuterRef("pk"), status__in=MANAGED_STATUSES)
    caseload = managed.order_by().values("officer").annotate(n=Count("id")).values("n")
    points = managed.order_by().values("officer").annotate(p=Sum("risk_tier__workload_weight")).values("p")
    overdue = (
        overdue_on(Visit.objects.filter(offender__officer=OuterRef("pk"),
                                        offender__status__in=MANAGED_STATUSES), as_of)
        .order_by().values("offender__officer").annotate(n=Count("id")).values("n")
    )
    decimal = DecimalField(max_digits=12, decimal_places=2)
    officers = officers.select_related("team").annotate(
        caseload=Coalesce(Subquery(caseload, output_field=IntegerField()), 0),
        weighted_points=Coalesce(Subquery(points, output_field=decimal), Value(Decimal(0)), output_field=decimal),
        overdue=Coalesce(Subquery(overdue, output_field=IntegerField()), 0),
    )
    return officers.annotate(
        caseload_per_fte=Round(ExpressionWrapper(F("caseload") / F("fte"), output_field=decimal), 1),
        capacity_pct=Round(ExpressionWrapper(
            F("weighted_points") * 100 / (F("team__capacity_points_per_fte") * F("fte")), output_field=decimal
        ), 1),
        overloaded=Case(
            When(caseload_per_fte__gt=F("team__caseload_ceiling_per_fte"), then=Value(True)), default=Value(False)
        ),
    )


def case_actions_for_review(*, user) -> QuerySet[CaseAction]:
    """Matters raised for a supervisor (e.g. an offender no longer at their address), newest first."""
    return (
        CaseAction.objects.filter(needs_review=True, offender__in=offenders_visible_to(user=user))
        .select_related("offender", "user")
        .order_by("-at", "-id")
    )


def open_flags_visible_to(*, user) -> QuerySet[Flag]:
    """Open flags on offenders and officers the user may see, most severe first."""
    return (
        Flag.objects.filter(cleared_at__isnull=True)
        .filter(Q(offender__in=offenders_visible_to(user=user)) | Q(officer__in=officers_visible_to(user=user)))
        .select_related("offender__risk_tier", "officer__team")
        .order_by("-severity", "raised_at", "id")
    )
