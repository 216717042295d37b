"""caseload's rules, each defined once. Every page, table, export, the summary, the snapshots, the flag job,
the digest and the imports reach a rule through this module; where a whole-register statement needs the rule
as raw SQL, the SQL is generated here from the same text (a Formula, visits/formula.py), and tests/rules/ asks
every surface the same question.

- what counts on day D (a past day as at its start, today as it stands): `counted_until`
- overdue on day D, for any due item (due on a date, closed when done): `overdue_on`, `open_on`, `days_late`
- the visit interval (the plan's override, else the tier's): `interval_days`, `INTERVAL`, `interval_of`
- the next visit due (after a visit, on a return, at registration): `next_visit_due`, `first_visit_due`,
  `NEXT_VISIT_DUE`
- the risk assessment review due (after an assessment, at registration, brought forward by an event):
  `next_review_due`, `NEXT_REVIEW_DUE`, `review_brought_forward`; the MAPPA review due: `mappa_review_due`,
  `mappa_reviewed`
- notifications: the next due (`next_notification_due`, `NEXT_NOTIFICATION_DUE`), a notification that is history
  (`notification_is_history`), moved past a return or a trip unless due before leaving (`notification_after_return`,
  `notification_around_trip`, `NOTIFICATION_AFTER_RETURN`), a trip under way (`trip_under_way`) or notified late
  (`travel_notified_late`), owed only while the notification period runs (`notification_owed`); the notification
  period ended (`registration_ended`); who may apply for a review of
  indefinite notification (`review_eligible_from`, `REVIEW_ELIGIBLE_FROM`, `shpo_in_force`); orders ending soon
  (`order_ending`)
- unseen: `unseen_candidates`, `seen_before`, `unseen_from`, `UNSEEN_FROM`
- caseload (managed offenders: MANAGED_STATUSES in offenders/models.py): `in_caseload`
- caseload per FTE, capacity %, overloaded with the team's setting: `PER_FTE`, `CAPACITY_PCT`, `ABOVE_CAPACITY`,
  `OVER_CEILING`, `OVER_CAPACITY`, `OVERLOADED`, `OVERLOAD_SEVERITY`
- availability: the share of contracted hours at work on a day and capacity % against it: `AVAILABLE_SHARE`,
  `available_share`, `AVAILABLE_CAPACITY_PCT`, `in_force_on`
"""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    BooleanField,
    DateField,
    DecimalField,
    Exists,
    Expression,
    F,
    IntegerField,
    OuterRef,
    Q,
    Value,
)
from django.db.models.functions import Cast, Ceil
from django.utils import timezone

from offenders.availability_models import AWAY, Absence, AbsenceKind
from offenders.models import MANAGED_STATUSES, OffenderStatus
from visits.formula import Applied, DaysBetween, Formula, total

DECIMAL = DecimalField(max_digits=12, decimal_places=1)


def today() -> dt.date:
    """Today in the configured time zone: days are counted in TIME_ZONE, times stored in UTC."""
    return timezone.localdate()


def counted_until(day: dt.date) -> dt.date:
    """What has happened by `day`: whatever was recorded before the date returned. An earlier day is counted as it
    stood at its start (what was done that day had not happened yet), so any past day's figure can be recounted
    from history; today is counted as it stands, so a visit logged this morning counts today, as it does on the
    flags that the write clears."""
    return day if day < today() else day + dt.timedelta(days=1)


# --- overdue on day D ---------------------------------------------------------------------------------


def overdue_on(day: dt.date, prefix: str = "") -> Q:
    """A due item is overdue on `day` when it was due before `day` and not closed before it (counted_until: today,
    not closed by now). Any kind of due item with `due_on` and `closed_on` (the day it was done or cancelled,
    null while open) uses it; `prefix` reaches the item through a relation."""
    return Q(**{f"{prefix}due_on__lt": day}) & open_on(day, prefix)


def open_on(day: dt.date, prefix: str = "") -> Q:
    """A due item is still open on `day` when it was not closed before it (counted_until, as overdue_on counts)."""
    return Q(**{f"{prefix}closed_on__isnull": True}) | Q(**{f"{prefix}closed_on__gte": counted_until(day)})


def days_late(day: dt.date, prefix: str = "") -> DaysBetween:
    """Days overdue on `day`, counted from the due date."""
    return DaysBetween(Value(day, DateField()), F(f"{prefix}due_on"))


# --- the visit interval and the next visit due -------------------------------------------------------------

INTERVAL = Formula("coalesce({override}, {tier_default})", IntegerField())


def interval_days(prefix: str = "") -> Applied:
    """The offender's visit interval: the risk management plan's override, else the tier's default."""
    return INTERVAL.expression(override=f"{prefix}visit_interval_days",
                               tier_default=f"{prefix}risk_tier__visit_interval_days")


def interval_of(offender) -> int:
    """INTERVAL in Python, for the services, on an offender with its tier loaded (tests/rules/ proves them
    equal)."""
    return offender.visit_interval_days or offender.risk_tier.visit_interval_days


def first_visit_days() -> int:
    """Days allowed for the first visit after registration or a return to the community (local policy)."""
    return settings.CASELOAD_INITIAL_VISIT_DAYS


# The open visit of an offender who is visited: one interval after the last visit, else within the first-visit
# allowance of `start` (registration, or the return to the community).
NEXT_VISIT_DUE = Formula("coalesce({last_seen} + {interval}, {start} + {first_days})", DateField())


def next_visit_due(*, last_seen_on: dt.date | None, interval: int, start: dt.date) -> dt.date:
    """NEXT_VISIT_DUE in Python, for the services (tests/rules/test_next_visit_due.py proves them equal)."""
    if last_seen_on is not None:
        return last_seen_on + dt.timedelta(days=interval)
    return first_visit_due(start=start)


def first_visit_due(*, start: dt.date) -> dt.date:
    """The first visit after registration or a return to the community."""
    return start + dt.timedelta(days=first_visit_days())


# --- the review of the risk assessment -------------------------------------------------------------------

# The review of an offender's risk assessment: one review interval (the tier's, as assessed) after the last
# assessment, else within the first-review allowance of registration.
NEXT_REVIEW_DUE = Formula("coalesce({last_assessed} + {interval}, {registered} + {first_days})", DateField())


def first_review_days() -> int:
    return settings.CASELOAD_FIRST_REVIEW_DAYS


def next_review_due(*, last_assessed_on: dt.date | None, interval: int, registered_on: dt.date) -> dt.date:
    """NEXT_REVIEW_DUE in Python, for the services (tests/rules/ proves them equal)."""
    if last_assessed_on is not None:
        return last_assessed_on + dt.timedelta(days=interval)
    return registered_on + dt.timedelta(days=first_review_days())


# A level 2 or 3 case's MAPPA review: the date its last meeting set; with none set, it is due the day of the meeting
# (or the day the case was found at that level), so overdue from the next (overdue_on).
MAPPA_REVIEW_DUE = Formula("coalesce({next_review_on}, {held_on})", DateField())


def mappa_review_due(*, held_on: dt.date, next_review_on: dt.date | None) -> dt.date:
    """MAPPA_REVIEW_DUE in Python, for the services (tests/rules/ proves them equal)."""
    return next_review_on or held_on


# The review after an event that calls for a fresh assessment: within the trigger allowance of it, never later
# than it was already due (least() passes over a NULL: with none due, the allowance).
REVIEW_BROUGHT_FORWARD = Formula("least({due_on}, {event_on} + {trigger_days})", DateField())


def review_trigger_days() -> int:
    return settings.CASELOAD_REVIEW_TRIGGER_DAYS


def review_brought_forward(*, due_on: dt.date | None, event_on: dt.date) -> dt.date:
    """An event that calls for a fresh assessment (a return to the community, a new address, a visit that finds
    the offender gone) makes the review due within the trigger allowance of it: earlier, never later."""
    by = event_on + dt.timedelta(days=review_trigger_days())
    return by if due_on is None else min(due_on, by)


def mappa_reviewed(prefix: str = "") -> Q:
    """A case reviewed at multi-agency meetings: MAPPA level 2 or 3 (a level 1 case never has a MAPPA review due)."""
    return Q(**{f"{prefix}mappa_level__in": (2, 3)})


# --- notifications, the notification period, reviews of indefinite notification, orders -------------------------


def years_after(day: dt.date, years: int) -> dt.date:
    """The same day `years` later; 29 February gives 28 February in a common year, as PostgreSQL's
    `date + interval 'n years'` does (the SQL of the formulas below)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


WEEKLY_NOTIFICATION_DAYS = 7  # no fixed abode: weekly (2012 regulations)

# The next notification: within a year of the last one (s.85), within a week for someone with no fixed abode.
NEXT_NOTIFICATION_DUE = Formula(
    f"CASE WHEN {{no_fixed_abode}} THEN {{last}} + {WEEKLY_NOTIFICATION_DAYS}"
    " ELSE ({last} + interval '1 year')::date END", DateField())


def next_notification_due(*, last_notified_on: dt.date, no_fixed_abode: bool) -> dt.date:
    """NEXT_NOTIFICATION_DUE in Python, for the services (tests/rules/ proves them equal)."""
    if no_fixed_abode:
        return last_notified_on + dt.timedelta(days=WEEKLY_NOTIFICATION_DAYS)
    return years_after(last_notified_on, 1)


def notification_is_history(*, notified_on: dt.date, latest: dt.date | None) -> bool:
    """A notification made on or before the latest on record is history: it holds no due item and makes none due
    (a second one the same day included). The imports' SQL says the same (caseload/imports/notification_chain.py)."""
    return latest is not None and notified_on <= latest


def notify_after_return_days() -> int:
    return settings.CASELOAD_NOTIFY_AFTER_RETURN_DAYS


# A notification falling due while the offender was in custody, in hospital or abroad falls due a few days after the
# return (local policy, default 3): never sooner, and one due later stays where it is. One that fell due before they
# left (`left_on`, where known) was already late: the return does not move it.
NOTIFICATION_AFTER_RETURN = Formula(
    "CASE WHEN {due_on} < {left_on} THEN {due_on} ELSE greatest({due_on}, {returned_on} + {days}) END", DateField())


def notification_after_return(*, due_on: dt.date, returned_on: dt.date, left_on: dt.date | None) -> dt.date:
    """NOTIFICATION_AFTER_RETURN in Python (tests/rules/ proves them equal); `left_on` None when not known."""
    if left_on is not None and due_on < left_on:
        return due_on
    return max(due_on, returned_on + dt.timedelta(days=notify_after_return_days()))


def notification_around_trip(*, due_on: dt.date, departs_on: dt.date | None, returns_on: dt.date | None) -> dt.date:
    """A notification that falls due during a notified trip (from its departure on) falls due after the return."""
    if departs_on is None or returns_on is None:
        return due_on
    return notification_after_return(due_on=due_on, returned_on=returns_on, left_on=departs_on)


def trip_under_way(day: dt.date, prefix: str = "") -> Q:
    """A notified trip abroad under way on `day` (departure and return days included): the offender shows as abroad."""
    return Q(**{f"{prefix}kind": "travel", f"{prefix}departs_on__lte": day, f"{prefix}returns_on__gte": day})


def travel_notified_late(*, notified_on: dt.date, departs_on: dt.date | None) -> bool:
    """A trip abroad notified less than the lead time before departure (local policy, default 7 days) is late."""
    return departs_on is not None and (departs_on - notified_on).days < settings.CASELOAD_TRAVEL_LEAD_DAYS


def notification_owed(prefix: str = "") -> Q:
    """A notification due item the offender owes: due while the notification period runs (on its last day at the
    latest, or the period is indefinite). One falling due after the period ended is owed by nobody, and is never
    overdue; one missed before it ended stays overdue. `prefix` leads from the due item to its fields."""
    ends = f"{prefix}offender__registration_ends_on"
    return Q(**{f"{ends}__isnull": True}) | Q(**{f"{prefix}due_on__lte": F(ends)})


def registration_ended(day: dt.date, prefix: str = "") -> Q:
    """The notification period ended before `day`: the offender should come off the register."""
    return Q(**{f"{prefix}registration_ends_on__lt": day})


ADULT_AGE = 18
# An offender on indefinite notification may apply for a review 15 years after their first notification (8 if under
# 18 then: caseload takes the age at first notification for the age at conviction), and 8 years after a refusal.
REVIEW_ELIGIBLE_FROM = Formula(
    "coalesce(({refused_on} + interval '8 years')::date, ({first_notified} + CASE WHEN"
    f" ({{born}} + interval '{ADULT_AGE} years')::date > {{first_notified}} THEN interval '8 years'"
    " ELSE interval '15 years' END)::date)", DateField())


def review_eligible_from(*, first_notified_on: dt.date, born_on: dt.date, refused_on: dt.date | None) -> dt.date:
    """REVIEW_ELIGIBLE_FROM in Python (tests/rules/ proves them equal)."""
    if refused_on is not None:
        return years_after(refused_on, 8)
    under_age = years_after(born_on, ADULT_AGE) > first_notified_on
    return years_after(first_notified_on, 8 if under_age else 15)


def shpo_in_force(day: dt.date, prefix: str = "") -> Q:
    """A Sexual Harm Prevention Order in force on `day`: started by then, ending on it or later (or not at all)."""
    return Q(**{f"{prefix}kind": "shpo", f"{prefix}starts_on__lte": day}) & (
        Q(**{f"{prefix}ends_on__isnull": True}) | Q(**{f"{prefix}ends_on__gte": day}))


ORDER_NOTICE_DAYS = 30  # an order ending within this many days is listed, and reaches the supervisors' digest


def order_ending(day: dt.date, days: int = ORDER_NOTICE_DAYS, prefix: str = "") -> Q:
    """An order that ends on `day` or in the `days` after it (an order ending `days` later does not count)."""
    return Q(**{f"{prefix}ends_on__gte": day, f"{prefix}ends_on__lt": day + dt.timedelta(days=days)})


# --- unseen -------------------------------------------------------------------------------------------


def unseen_candidates(day: dt.date, prefix: str = "") -> Q:
    """Who can be unseen: in the community, not on reactive management, registered before `day`."""
    return Q(**{f"{prefix}status": OffenderStatus.COMMUNITY, f"{prefix}reactive": False,
                f"{prefix}registered_on__lt": day})


def seen_before(day: dt.date) -> dt.date:
    """The last visit that counts on `day` was completed before this date (counted_until)."""
    return counted_until(day)


def grace_days(prefix: str = "") -> Cast:
    """Days past the interval before an offender counts as unseen (a fraction of the interval, rounded up)."""
    fraction = Decimal(str(settings.CASELOAD_UNSEEN_GRACE_FRACTION))
    return Cast(Ceil(interval_days(prefix) * Value(fraction)), IntegerField())


def unseen_after_days(prefix: str = "") -> Expression:
    return interval_days(prefix) + grace_days(prefix)


# Unseen from this day on: the last completed visit (or registration, if never visited) plus interval and grace.
UNSEEN_FROM = Formula("coalesce({last_seen}, {registered}) + {after_days}", DateField())


def unseen_from(last_seen: str | Expression = "last_seen_on", prefix: str = "",
                after_days: str | Expression | None = None) -> Applied:
    """The day the offender becomes unseen; they are unseen on D when this is before D. `after_days` names
    unseen_after_days() where the query has it already (worked out once for several days' unseen_from)."""
    return UNSEEN_FROM.expression(last_seen=last_seen, registered=f"{prefix}registered_on",
                                  after_days=after_days or unseen_after_days(prefix))


# --- caseload and overload ----------------------------------------------------------------------------------


def in_caseload(prefix: str = "") -> Q:
    """An offender counts towards their officer's caseload while managed: in the community or missing."""
    return Q(**{f"{prefix}status__in": MANAGED_STATUSES})


def unallocated(prefix: str = "") -> Q:
    """An offender no serving officer holds: none at all, or one marked as having left (to be allocated again)."""
    return Q(**{f"{prefix}officer__isnull": True}) | Q(**{f"{prefix}officer__active": False})


PER_FTE = Formula("round({caseload} / {fte}, 1)", DECIMAL)
CAPACITY_PCT = Formula("round({points} * 100 / ({points_per_fte} * {fte}), 1)", DECIMAL)
OVER_CEILING = Formula("{per_fte} > {ceiling}", BooleanField())
ABOVE_CAPACITY = Formula("{capacity_pct} > 100", BooleanField())
# Weighted capacity over 100% is flagged only where the team asks for it.
OVER_CAPACITY = Formula(f"{{flag_weighted}} AND {ABOVE_CAPACITY.sql(capacity_pct='{capacity_pct}')}", BooleanField())
OVERLOADED = Formula(f"{OVER_CEILING.sql(per_fte='{per_fte}', ceiling='{ceiling}')} OR "
                     f"{OVER_CAPACITY.sql(flag_weighted='{flag_weighted}', capacity_pct='{capacity_pct}')}",
                     BooleanField())
# Flag severity of an overload: 3 over the line, 4 at one and a half times the ceiling, 5 at twice it.
OVERLOAD_SEVERITY = Formula("CASE WHEN {per_fte} >= {ceiling} * 2 THEN 5 WHEN {per_fte} >= {ceiling} * 1.5 THEN 4"
                            " ELSE 3 END", IntegerField())


def workload_inputs(team: str = "team__") -> dict:
    """The inputs of the overload formulas on an officer annotated with `caseload_per_fte` and
    `capacity_pct` (workloads_among)."""
    return {"per_fte": "caseload_per_fte", "ceiling": f"{team}caseload_ceiling_per_fte",
            "flag_weighted": f"{team}flag_weighted_capacity", "capacity_pct": "capacity_pct"}


# --- availability -------------------------------------------------------------------------------------------

# The share of an officer's contracted hours they are at work on a day: none on a day away (leave, sickness,
# training, court, other), else what the reductions in force that day leave of fte x the team's full-time hours.
AVAILABLE_SHARE = Formula("CASE WHEN {away} THEN 0 ELSE greatest(0, 1 - {reduced_hours} / ({fte} * {full_time_hours}))"
                          " END", DecimalField(max_digits=7, decimal_places=4))
# Weighted capacity % counted against the hours available (available points = target points x available share);
# none on a day with no hours available.
AVAILABLE_CAPACITY_PCT = Formula("CASE WHEN {available} > 0 THEN round({points} * 100 / ({points_per_fte} * {fte}"
                                 " * {available}), 1) END", DECIMAL)


def in_force_on(day: dt.date, prefix: str = "") -> Q:
    """An absence or reduction covering `day` (both ends included)."""
    return Q(**{f"{prefix}starts_on__lte": day, f"{prefix}ends_on__gte": day})


def available_share(day: dt.date) -> Applied:
    """AVAILABLE_SHARE on `day`, on Officer rows."""
    theirs = Absence.objects.filter(in_force_on(day), officer=OuterRef("pk")).order_by()
    return AVAILABLE_SHARE.expression(
        away=Exists(theirs.filter(kind__in=AWAY)),
        reduced_hours=total(theirs.filter(kind=AbsenceKind.REDUCTION), "SUM", "hours_per_week",
                            DecimalField(max_digits=6, decimal_places=1)),
        fte="fte", full_time_hours="team__full_time_hours",
    )
