"""Reads of notifications, the notification period, reviews of indefinite notification and orders, on the rules of
visits/rules.py. Each `..._among` takes offenders already scoped by the caller and counts the managed ones (in the
community or missing), as the summary's keys do."""

import datetime as dt
from dataclasses import dataclass

from django.db import connections
from django.db.models import BooleanField, DateField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Concat

from notifications.models import CivilOrder, IndefiniteReview, OrderKind, ReviewOutcome
from offenders.models import Offender
from visits import rules
from visits.built_once import built_daily, built_once, ids_in
from visits.models import OPEN_STATUSES, Review, ReviewKind, Visit
from visits.selectors import reviews_overdue_among, trips_under_way


def notifications_overdue_among(offenders: QuerySet[Offender], as_of: dt.date) -> QuerySet[Review]:
    """Notifications overdue on `as_of` (rules.overdue_on over the notification due items) of managed offenders."""
    return reviews_overdue_among(offenders, as_of, ReviewKind.NOTIFICATION)


def notification_kind(no_fixed_abode: bool) -> str:
    """The kind of notification an offender owes: weekly with no fixed abode, else periodic (the summary's keys)."""
    return "weekly" if no_fixed_abode else "periodic"


def registration_ended_among(offenders: QuerySet[Offender], as_of: dt.date) -> QuerySet[Offender]:
    """Managed offenders whose notification period ended before `as_of`: to be taken off the register."""
    return offenders.filter(rules.in_caseload(), rules.registration_ended(as_of))


def with_review_eligibility(offenders: QuerySet[Offender]) -> QuerySet[Offender]:
    """Each offender with the day from which they may apply for a review of indefinite notification
    (rules.REVIEW_ELIGIBLE_FROM: after the first notification, or after the latest refusal)."""
    refused = IndefiniteReview.objects.filter(offender=OuterRef("pk"), outcome=ReviewOutcome.REFUSED)
    return offenders.annotate(
        review_eligible_from=rules.REVIEW_ELIGIBLE_FROM.expression(
            refused_on=Subquery(refused.order_by("-decided_on").values("decided_on")[:1], output_field=DateField()),
            first_notified=Coalesce("first_notified_on", "registered_on"), born="date_of_birth",
        )
    )


def review_eligible_among(offenders: QuerySet[Offender], as_of: dt.date) -> QuerySet[Offender]:
    """Managed offenders on indefinite notification who may apply for a review by `as_of`: eligible on or before
    it, and no SHPO in force on it."""
    shpo = CivilOrder.objects.filter(rules.shpo_in_force(as_of), offender=OuterRef("pk"))
    indefinite = offenders.filter(rules.in_caseload(), registration_ends_on__isnull=True)
    return with_review_eligibility(indefinite).filter(review_eligible_from__lte=as_of).exclude(Exists(shpo))


def orders_ending_among(offenders: QuerySet[Offender], as_of: dt.date,
                        days: int = rules.ORDER_NOTICE_DAYS) -> QuerySet[CivilOrder]:
    """Orders of managed offenders that end on `as_of` or in the `days` after it."""
    return CivilOrder.objects.filter(rules.order_ending(as_of, days), offender__in=offenders.filter(
        rules.in_caseload()))


@dataclass(frozen=True)
class Due:
    """Something on a case that falls due on a day: for the officer's fortnight."""

    on: dt.date
    what: str
    offender_id: int
    reference: str
    name: str


FORTNIGHT_DAYS = 14


def falling_due(offenders: QuerySet[Offender], start: dt.date, days: int = FORTNIGHT_DAYS) -> list[Due]:
    """What falls due on the managed `offenders`' cases from `start` for `days` days, of every kind: visits,
    assessment and MAPPA reviews (of the cases reviewed at meetings), notifications owed, and the ends of orders; by
    day, then case. Two queries, the cases then what falls due on them: an officer's home page asks at every visit."""
    cases = {pk: (reference, f"{forenames} {surname}") for pk, reference, forenames, surname in
             offenders.filter(rules.in_caseload()).values_list("pk", "reference", "forenames", "surname")}
    if not cases:
        return []
    with connections[offenders.db].cursor() as cursor:
        cursor.execute(*falling_due_sql(start, start + dt.timedelta(days=days), offenders=list(cases)))
        items = [Due(on, FALLING_DUE.get(what, what), offender_id, *cases[offender_id])
                 for on, what, offender_id in cursor.fetchall()]
    return sorted(items, key=lambda item: (item.on, item.reference, item.what))


@built_once("offenders")
def falling_due_sql(start: dt.date, end: dt.date, *, offenders: list[int]) -> tuple[str, list]:
    """The SQL of what falls due on `offenders`' cases from `start` until `end`: (day, what, offender) rows. Built
    once a day (visits/built_once.py): built afresh, it was an eighth of the officer's caseload page."""
    window = {"due_on__gte": start, "due_on__lt": end, "offender__in": ids_in(offenders)}
    visits = (Visit.objects.filter(status__in=OPEN_STATUSES, **window)
              .annotate(what=Value("visit")).values_list("due_on", "what", "offender_id"))
    reviews = (Review.objects.filter(~Q(kind=ReviewKind.MAPPA) | rules.mappa_reviewed("offender__"),
                                     ~Q(kind=ReviewKind.NOTIFICATION) | rules.notification_owed(),
                                     closed_on__isnull=True, **window)
               .values_list("due_on", "kind", "offender_id"))
    orders = (CivilOrder.objects.filter(ends_on__gte=start, ends_on__lt=end, offender__in=ids_in(offenders))
              .annotate(what=Concat("kind", Value(" ends"))).values_list("ends_on", "what", "offender_id"))
    return visits.union(reviews, orders, all=True).query.sql_with_params()


# What each row of falling_due() says, by its kind.
FALLING_DUE = {"visit": "Visit", **dict(ReviewKind.choices), **{f"{kind} ends": f"{label} ends"
                                                                  for kind, label in OrderKind.choices}}


def with_case_notices(offenders: QuerySet[Offender], day: dt.date) -> QuerySet[Offender]:
    """Each offender with what their page shows of their notification period on `day`, read with them: whether a
    notification is overdue, whether the period has ended, from when they may apply for a review of indefinite
    notification (with_review_eligibility), and the return and destination of a notified trip under way; and whether
    they have orders and decided reviews at all, so that the page reads those only for the few who have."""
    just_this_one = Offender.objects.filter(pk=OuterRef(OuterRef("pk")))
    trip = trips_under_way(day)
    return with_review_eligibility(offenders).annotate(
        notification_overdue=Exists(notifications_overdue_among(just_this_one, day)),
        period_ended=ExpressionWrapper(rules.registration_ended(day), output_field=BooleanField()),
        abroad_until=Subquery(trip.values("returns_on")[:1]), abroad_in=Subquery(trip.values("destination")[:1]),
        has_orders=Exists(CivilOrder.objects.filter(offender=OuterRef("pk"))),
        has_indefinite_reviews=Exists(IndefiniteReview.objects.filter(offender=OuterRef("pk"))),
    )


@built_daily
def offenders_as_their_page_shows_them() -> QuerySet[Offender]:
    """Every offender with what their page says of them today, read in the one query: the visit interval, whether
    their assessment and MAPPA reviews are overdue, and their notification period (with_case_notices). Built once a
    day (visits/built_once.py): the page narrows a clone to the offenders its user may see."""
    just_this_one = Offender.objects.filter(pk=OuterRef(OuterRef("pk")))
    offenders = Offender.objects.select_related("risk_tier", "officer__team")
    return with_case_notices(offenders, rules.today()).annotate(
        interval_days=rules.interval_days(),
        review_overdue=Exists(reviews_overdue_among(just_this_one, rules.today())),
        mappa_overdue=Exists(reviews_overdue_among(just_this_one, rules.today(), ReviewKind.MAPPA)),
    )


@built_daily
def orders_as_a_page_shows_them() -> QuerySet[CivilOrder]:
    """Every order, with whether it ends soon (as orders_ending_among says: the managed offenders' orders) and
    whether it is an SHPO in force, today. Built once a day (visits/built_once.py)."""
    day = rules.today()
    ending = rules.order_ending(day) & rules.in_caseload("offender__")
    return CivilOrder.objects.annotate(ending=ExpressionWrapper(ending, output_field=BooleanField()),
                                       shpo_in_force=ExpressionWrapper(rules.shpo_in_force(day),
                                                                       output_field=BooleanField()))


def case_notices(offender: Offender) -> dict:
    """What the offender's page shows of their notifications, orders and notification period today, on an
    offender read through with_case_notices()."""
    notifications = list(offender.notifications.select_related("recorded_by")[:20])
    for notification in notifications:
        notification.late = rules.travel_notified_late(notified_on=notification.notified_on,
                                                       departs_on=notification.departs_on)
    indefinite = offender.registration_ends_on is None
    orders = list(orders_as_a_page_shows_them().filter(offender=offender)) if offender.has_orders else []
    return {
        "notification_overdue": offender.notification_overdue,
        "notifications": notifications,
        "abroad": offender.abroad_until and {"destination": offender.abroad_in, "returns_on": offender.abroad_until},
        "orders": orders,
        "orders_ending": {order.pk for order in orders if order.ending},
        "period_ended": offender.period_ended,
        "review_eligible_from": indefinite and offender.review_eligible_from,
        "review_blocked_by_shpo": indefinite and any(order.shpo_in_force for order in orders),
        "indefinite_reviews": list(offender.indefinite_reviews.all()) if offender.has_indefinite_reviews else [],
    }
