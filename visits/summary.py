"""The headline figures as the summary JSON: one builder for `caseload_summary --json` and the API."""

import datetime as dt

from django.db.models import Count, Min, Q

from notifications import selectors as notices
from offenders.models import MANAGED_STATUSES, OffenderStatus, RiskTier
from offenders.selectors import offenders_visible_to, officers_visible_to
from visits import rules
from visits.models import ReviewKind
from visits.selectors import overdue_among, reviews_overdue_among, today, unseen_among, workloads_among, year_before


def caseload_summary(*, user, as_of: dt.date | None = None) -> dict:
    """The figures of the summary JSON on `as_of` (default today), for what the user may see."""
    as_of = as_of or today()
    offenders = offenders_visible_to(user=user)
    counts = offenders.filter(status__in=MANAGED_STATUSES).aggregate(
        in_community=Count("id", filter=Q(status=OffenderStatus.COMMUNITY)),
        missing=Count("id", filter=Q(status=OffenderStatus.MISSING)),
        unallocated=Count("id", filter=rules.unallocated()),
    )
    overdue = overdue_among(offenders, as_of)
    by_tier = dict.fromkeys(RiskTier.objects.values_list("code", flat=True), 0)
    by_tier.update(overdue.order_by().values_list("offender__risk_tier__code").annotate(n=Count("id")))
    officers = (
        workloads_among(officers_visible_to(user=user), as_of)
        .annotate(above_capacity=rules.ABOVE_CAPACITY.expression(capacity_pct="capacity_pct"))
        .filter(Q(active=True) | Q(caseload__gt=0))
        .order_by("staff_id")
    )
    rows = [officer_figures(officer) for officer in officers]
    oldest_due = overdue.aggregate(oldest=Min("due_on"))["oldest"]
    reviews = reviews_overdue_among(offenders, as_of)
    reviews_by_tier = dict.fromkeys(by_tier, 0)
    reviews_by_tier.update(reviews.order_by().values_list("offender__risk_tier__code")
                           .annotate(n=Count("offender_id", distinct=True)))
    return {
        "as_of": as_of.isoformat(),
        "offenders_in_community": counts["in_community"],
        "overdue_visits": sum(by_tier.values()),
        "overdue_by_tier": by_tier,
        "overdue_visits_year_ago": overdue_among(offenders, year_before(as_of)).count(),
        "oldest_overdue_visit_days": (as_of - oldest_due).days if oldest_due else 0,
        "overdue_assessments": sum(reviews_by_tier.values()),
        "overdue_assessments_by_tier": reviews_by_tier,
        "mappa_reviews_overdue": reviews_overdue_among(offenders, as_of, ReviewKind.MAPPA)
        .order_by().values("offender_id").distinct().count(),
        **notification_figures(offenders, as_of),
        "unseen_offenders": unseen_among(offenders, as_of).count(),
        "unallocated_offenders": counts["unallocated"],
        "missing_offenders": counts["missing"],
        "overloaded_officers": sum(row["overloaded"] for row in rows),
        "officers": rows,
    }


def notification_figures(offenders, as_of: dt.date) -> dict:
    """The notification keys: overdue notifications (by the kind owed), periods ended, review-eligible offenders and
    orders ending within 30 days (notifications/selectors.py)."""
    overdue = notices.notifications_overdue_among(offenders, as_of)
    by_kind = {"periodic": 0, "weekly": 0}
    for no_fixed_abode, n in (overdue.order_by().values_list("offender__no_fixed_abode")
                              .annotate(n=Count("offender_id", distinct=True))):
        by_kind[notices.notification_kind(no_fixed_abode)] += n
    return {
        "notifications_overdue": sum(by_kind.values()),
        "notifications_overdue_by_kind": by_kind,
        "notifications_overdue_year_ago": notices.notifications_overdue_among(offenders, year_before(as_of))
        .order_by().values("offender_id").distinct().count(),
        "registration_ended": notices.registration_ended_among(offenders, as_of).count(),
        "review_eligible": notices.review_eligible_among(offenders, as_of).count(),
        "orders_ending_30_days": notices.orders_ending_among(offenders, as_of, days=30).count(),
    }


def officer_figures(officer) -> dict:
    """One officer's row; `overloaded` also counts weighted capacity where the team flags it (rules.OVERLOADED),
    `over_capacity` is weighted capacity over 100% whatever the team's setting; `available_capacity_pct` the same
    against the hours the officer has available that day (None on a day away)."""
    return {
        "staff_id": officer.staff_id,
        "team": officer.team.name,
        "fte": float(officer.fte),
        "caseload": officer.caseload,
        "caseload_per_fte": float(officer.caseload_per_fte),
        "overdue": officer.overdue,
        "overloaded": officer.overloaded,
        "capacity_pct": float(officer.capacity_pct),
        "over_capacity": officer.above_capacity,
        "available_capacity_pct": (None if officer.available_capacity_pct is None
                                   else float(officer.available_capacity_pct)),
    }


# The earliest day asked about (its figures compare with a year before it): long before any register.
EARLIEST_AS_OF = dt.date(1900, 1, 1)


def as_of_from(text: str) -> dt.date:
    """A YYYY-MM-DD date for --as-of or ?as_of=, not in the future; ValueError says what is wrong."""
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"expected a date written YYYY-MM-DD, got {text!r}") from None
    if day > today():
        raise ValueError(f"{day.isoformat()} is in the future; figures exist up to today ({today()})")
    if day < EARLIEST_AS_OF:
        raise ValueError(f"{day.isoformat()} is before {EARLIEST_AS_OF.isoformat()}, the earliest day figures are"
                         " counted for")
    return day
