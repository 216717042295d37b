"""Reads of visits and caseloads, scoped through the register's selectors, on the rules of visits/rules.py."""

import datetime as dt
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DateField,
    DecimalField,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from notifications.models import Notification
from offenders.models import CoveredCase, Offender, OffenderStatus, Officer
from offenders.roles import Role, role_of
from offenders.selectors import (
    covered_offender_ids,
    offenders_visible_to,
    officers_visible_to,
    visible_offenders,
    visible_officers,
)
from visits import rules
from visits.built_once import built_daily
from visits.formula import total
from visits.models import OPEN_STATUSES, Flag, Review, ReviewKind, Visit, VisitStatus
from visits.rules import today


def year_before(day: dt.date) -> dt.date:
    """The same day a year earlier (28 February for 29 February), for "today against a year ago"."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def completed_before(as_of: dt.date | None = None, prefix: str = "") -> Q:
    """A completed visit that counts for the last visit on `as_of` (rules.seen_before; any, without `as_of`)."""
    completed = Q(**{f"{prefix}status": VisitStatus.COMPLETED})
    return completed & Q(**{f"{prefix}completed_on__lt": rules.seen_before(as_of)}) if as_of else completed


def last_seen_before(as_of: dt.date | None = None, offender_ref: str = "pk") -> Subquery:
    """The date of the offender's last completed visit (before `as_of`, if given), as a subquery on
    the offender named by `offender_ref` in the outer query."""
    completed = Visit.objects.filter(completed_before(as_of), offender=OuterRef(offender_ref))
    return Subquery(completed.order_by("-completed_on").values("completed_on")[:1], output_field=DateField())


def with_visit_dates(offenders: QuerySet[Offender], as_of: dt.date | None = None) -> QuerySet[Offender]:
    """Annotate each offender with the open visit's due date, the last visit completed before `as_of`, and
    whether a visit to them is overdue on `as_of` (default today)."""
    open_visit = Visit.objects.filter(offender=OuterRef("pk"), status__in=OPEN_STATUSES)
    overdue_visit = Visit.objects.filter(rules.overdue_on(as_of or today()), offender=OuterRef("pk"))
    return offenders.annotate(
        next_due_on=Subquery(open_visit.values("due_on")[:1], output_field=DateField()),
        last_seen_on=last_seen_before(as_of),
        overdue=Case(When(rules.in_caseload() & Q(Exists(overdue_visit)), then=Value(True)), default=Value(False)),
    )


def trips_under_way(day: dt.date) -> QuerySet[Notification]:
    """The notified trips abroad under way on `day` of the offender of the outer query, the latest return first."""
    return Notification.objects.filter(rules.trip_under_way(day), offender=OuterRef("pk")).order_by("-returns_on")


def officer_caseload(*, user) -> QuerySet[Offender]:
    """The offenders the user may see, most urgent first: missing ones, then overdue longest, then next
    due; offenders with nothing scheduled come last. With their open assessment review and notification (and
    whether each is overdue), and the return date of a notified trip under way."""
    offenders = caseload_of_the_day().filter(visible_offenders(user=user))
    if role_of(user) == Role.OFFICER and covered_offender_ids(user):  # the cases they cover, marked
        cover = (CoveredCase.objects.filter(offender=OuterRef("pk"), cover__officer__user=user,
                                            cover__until__gte=today()).order_by("-cover__until"))
        offenders = offenders.annotate(cover_until=Subquery(cover.values("cover__until")[:1]),
                                       cover_for=Subquery(cover.values("cover__covers_for__name")[:1]))
    return offenders


@built_daily
def caseload_of_the_day() -> QuerySet[Offender]:
    """officer_caseload() over the whole register, before it is scoped to a user. Built once a day and cloned for
    each page (visits/built_once.py), as a view's class-level queryset is: built afresh, it was a sixth of the
    caseload page."""
    missing_first = Case(When(status=OffenderStatus.MISSING, then=Value(0)), default=Value(1))
    due_items = {}
    for name, kind, counts in (("review", ReviewKind.ASSESSMENT, Q()),
                               ("notification", ReviewKind.NOTIFICATION, rules.notification_owed())):
        item = Review.objects.filter(counts, offender=OuterRef("pk"), kind=kind, closed_on__isnull=True)
        due_items[f"{name}_due_on"] = Subquery(item.values("due_on")[:1])
        # Managed as the offender's own row says (as with_visit_dates' overdue): no second look-up of the offender.
        overdue = Exists(item.filter(rules.overdue_on(today())))
        due_items[f"{name}_overdue"] = Case(When(rules.in_caseload() & Q(overdue), then=Value(True)),
                                            default=Value(False))
    abroad_until = Subquery(trips_under_way(today()).values("returns_on")[:1])
    offenders = Offender.objects.select_related("risk_tier", "officer").annotate(**due_items, abroad_until=abroad_until)
    return with_visit_dates(offenders).order_by(
        missing_first, F("next_due_on").asc(nulls_last=True), "-risk_tier__order", "reference"
    )


def overdue_among(offenders: QuerySet[Offender], as_of: dt.date) -> QuerySet[Visit]:
    """Visits overdue on `as_of` to the managed offenders among `offenders` (no scoping: callers scope)."""
    managed = offenders.filter(rules.in_caseload())
    return Visit.objects.filter(rules.overdue_on(as_of), offender__in=managed)


def review_counts(kind: ReviewKind) -> Q:
    """Whether a review counts as one of `kind`: of that kind, for MAPPA reviews a level 2 or 3 case's, for
    notifications one owed (rules.notification_owed)."""
    counts = Q(kind=kind)
    if kind == ReviewKind.MAPPA:
        counts &= rules.mappa_reviewed("offender__")
    if kind == ReviewKind.NOTIFICATION:
        counts &= rules.notification_owed()
    return counts


def reviews_counted_among(offenders: QuerySet[Offender],
                          kind: ReviewKind | list[ReviewKind] = ReviewKind.ASSESSMENT) -> QuerySet[Review]:
    """The reviews of `kind` (or of any of several kinds) that count among `offenders` (callers scope): those of
    managed offenders that review_counts()."""
    counted = Q()
    for each in kind if isinstance(kind, list) else [kind]:
        counted |= review_counts(each)
    return Review.objects.filter(counted, offender__in=offenders.filter(rules.in_caseload()))


def reviews_overdue_among(offenders: QuerySet[Offender], as_of: dt.date,
                          kind: ReviewKind = ReviewKind.ASSESSMENT) -> QuerySet[Review]:
    """Reviews of `kind` overdue on `as_of` that count among `offenders`: the one overdue rule, over the reviews as
    visits_overdue is over the visits."""
    return reviews_counted_among(offenders, kind).filter(rules.overdue_on(as_of))


def visits_overdue(*, user, as_of: dt.date | None = None) -> QuerySet[Visit]:
    """Overdue visits (on `as_of`, default today) to managed offenders the user may see."""
    return Visit.objects.filter(visible_offenders(user=user, path="offender__"), rules.in_caseload("offender__"),
                                rules.overdue_on(as_of or today()))


def offenders_unseen(*, user, as_of: dt.date | None = None) -> QuerySet[Offender]:
    """Offenders in the community, not on reactive management, whose last completed visit before
    `as_of` (or registration, if never visited) is older than their interval plus grace."""
    return unseen_among(offenders_visible_to(user=user), as_of or today())


def unseen_among(offenders: QuerySet[Offender], as_of: dt.date) -> QuerySet[Offender]:
    """The unseen offenders among `offenders` on `as_of` (no scoping: callers scope)."""
    offenders = offenders.filter(rules.unseen_candidates(as_of))
    offenders = offenders.annotate(last_seen_on=last_seen_before(as_of)).annotate(unseen_from=rules.unseen_from())
    return offenders.filter(unseen_from__lt=as_of)


def unseen_counts_among(offenders: QuerySet[Offender], days: list[dt.date]) -> dict[dt.date, int]:
    """How many of `offenders` are unseen on each of `days` (no scoping: callers scope): unseen_among's count for
    every day in one pass over their visits, each offender's last visit before each day found together."""
    if not days:
        return {}
    numbered = list(enumerate(days))
    offenders = offenders.filter(rules.unseen_candidates(max(days))).annotate(after_days=rules.unseen_after_days())
    offenders = offenders.annotate(**{
        f"last_seen_{i}": Max("visits__completed_on", filter=completed_before(day, "visits__")) for i, day in numbered
    }).annotate(**{f"unseen_from_{i}": rules.unseen_from(last_seen=F(f"last_seen_{i}"), after_days=F("after_days"))
                   for i, _ in numbered})
    offenders = offenders.annotate(**{
        f"unseen_{i}": Case(When(rules.unseen_candidates(day) & Q(**{f"unseen_from_{i}__lt": day}), then=Value(1)),
                            default=Value(0))
        for i, day in numbered
    })
    counts = offenders.aggregate(**{f"unseen_{i}_count": Sum(f"unseen_{i}") for i, _ in numbered})
    return {day: counts[f"unseen_{i}_count"] or 0 for i, day in numbered}


def officer_workloads(*, user, as_of: dt.date | None = None) -> QuerySet[Officer]:
    """Officers the user may see, with caseload, caseload per FTE, weighted points and capacity %,
    overdue visits, and whether they are overloaded (over their team's ceiling, or over capacity where the
    team flags it)."""
    if as_of in (None, today()):
        return workloads_of_the_day().filter(visible_officers(user=user))
    return workloads_among(officers_visible_to(user=user), as_of)


@built_daily
def workloads_of_the_day() -> QuerySet[Officer]:
    """Every officer's workload today, before it is scoped to a user: built once a day and cloned for each page
    (visits/built_once.py); built afresh, it was half the ORM's work on the workload table."""
    return workloads_among(Officer.objects.all(), today())


def workloads_among(officers: QuerySet[Officer], as_of: dt.date) -> QuerySet[Officer]:
    """`officers` with their workload figures on `as_of` (no scoping: callers scope)."""
    # Caseload and points are aggregates over the officer's offenders (one grouped pass), not subqueries: the
    # formulas below name each several times, and PostgreSQL computes a repeated aggregate once, where it would
    # run a repeated subquery again each time.
    managed = rules.in_caseload("offenders__")
    overdue = Visit.objects.filter(rules.overdue_on(as_of), rules.in_caseload("offender__"),
                                   offender__officer=OuterRef("pk"))
    decimal = DecimalField(max_digits=12, decimal_places=2)
    officers = officers.select_related("team").annotate(
        caseload=Count("offenders", filter=managed),
        weighted_points=Coalesce(Sum("offenders__risk_tier__workload_weight", filter=managed), Value(Decimal(0)),
                                 output_field=decimal),
        overdue=total(overdue, "COUNT", "id", IntegerField()),
    )
    officers = officers.annotate(
        caseload_per_fte=rules.PER_FTE.expression(caseload="caseload", fte="fte"),
        capacity_pct=rules.CAPACITY_PCT.expression(points="weighted_points", fte="fte",
                                                   points_per_fte="team__capacity_points_per_fte"),
        available_share=rules.available_share(as_of),
    )
    return officers.annotate(
        overloaded=rules.OVERLOADED.expression(**rules.workload_inputs()),
        available_capacity_pct=rules.AVAILABLE_CAPACITY_PCT.expression(
            points="weighted_points", fte="fte", points_per_fte="team__capacity_points_per_fte",
            available="available_share"),
    )


def assigned_to_user(user) -> Q:
    """Flags assigned to the user, as an officer (none for a user who is not one)."""
    return Q(assigned_to__in=Officer.objects.filter(user=user).values("pk"))


def flags_visible_to(*, user) -> QuerySet[Flag]:
    """Flags, open or cleared, on offenders and officers the user may see, and those assigned to the user."""
    return Flag.objects.filter(Q(offender__in=offenders_visible_to(user=user))
                               | Q(officer__in=officers_visible_to(user=user)) | assigned_to_user(user))


def open_flags_visible_to(*, user) -> QuerySet[Flag]:
    """Open flags on offenders and officers the user may see, and those assigned to the user, most severe first."""
    return (
        flags_visible_to(user=user).filter(cleared_at__isnull=True)
        .select_related("offender__risk_tier", "officer__team", "assigned_to")
        .order_by("-severity", "raised_at", "id")
    )


def open_reviews(offender) -> dict[str, Review]:
    """The offender's open reviews, by kind (one of each at most, by a constraint)."""
    return {review.kind: review for review in Review.objects.filter(offender=offender, closed_on__isnull=True)}


def open_review(offender, kind: ReviewKind = ReviewKind.ASSESSMENT) -> Review | None:
    """The offender's open review of `kind` (one at most, by a constraint)."""
    return Review.objects.filter(offender=offender, kind=kind, closed_on__isnull=True).first()
