"""What should carry an open flag on a day: one query per kind, built from the rules (visits/rules.py), over the
whole register or over some offenders and officers (the write that just changed them).

overdue_on() itself, and the unseen and overload rules' SQL (the offenders seen lately set aside by one anti-join
with the recent visits before the others' last visit is looked up, each officer's caseload counted before
officers and teams are joined); tests/rules/ proves every surface agrees.

Severity runs from 1 to 5:
- overdue visit: the tier's rank (low 1, medium 2, high 3, very high 4), plus 1 once the visit is
  late by more than a whole interval;
- unseen offender: the tier's rank, plus 1 once the last visit is more than two intervals old;
- unallocated offender: the tier's rank;
- missing offender: always 5, the most urgent state of all;
- assessment review overdue: the tier's rank, plus 1 once the review is late by more than a whole review interval;
- MAPPA review overdue: the tier's rank, plus 1 for a level 3 case;
- non-compliant (a notification overdue): the tier's rank, plus 1 once it is late by more than a week (a possible
  offence: the offender may have gone);
- overloaded officer: rules.OVERLOAD_SEVERITY (3 over the line, 4 at one and a half times the ceiling, 5 at twice);
- dip-sample reviews overdue (on the officer whose visits were sampled): 2, plus 1 once the oldest is late by more
  than the 28 days a review is given.
"""

import datetime as dt

from django.db.models import BigIntegerField, Case, Count, F, Min, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Greatest, JSONObject, Least

from offenders.models import Offender, OffenderStatus
from supervision.dip_models import REVIEW_DAYS, DipSample
from visits import rules
from visits.built_once import built_once, ids_in
from visits.formula import AddDays, sql_literal
from visits.models import FlagKind, Review, ReviewKind, Visit, VisitStatus

COLUMNS = ("flag_offender", "flag_officer", "flag_visit", "flag_severity", "flag_details")


def only(queryset: QuerySet, field: str, ids: list[int] | None) -> QuerySet:
    """`queryset` narrowed to rows whose `field` is one of `ids` (None: every row). The ids go as one array, not as
    a list of literals (the flags of 10,000 offenders, as an import changes, were worked out in 0.3 s against 0.8-1.1 s
    with the list, on a register of 20,000: PostgreSQL parsed and planned the list for every flag kind)."""
    if ids is None:
        return queryset
    return queryset.filter(**{f"{field}__in": ids_in(ids)})


def tier_rank(path: str) -> Least:
    """The tier's order, held to 1-4 so that an edited tier table cannot leave the severity scale."""
    return Least(Greatest(F(f"{path}risk_tier__order"), Value(1)), Value(4))


def no_id() -> Value:
    return Value(None, output_field=BigIntegerField())


def overdue_visits_to_flag(as_of: dt.date, offenders: list[int] | None) -> QuerySet:
    """rules.overdue_on() over every managed offender's visits in one join."""
    visits = only(Visit.objects.all(), "offender", offenders)
    visits = visits.filter(rules.overdue_on(as_of), rules.in_caseload("offender__")).alias(
        a_whole_interval_late_on=AddDays(F("due_on"), rules.interval_days("offender__"))
    )
    return visits.annotate(
        flag_offender=F("offender_id"), flag_officer=no_id(), flag_visit=F("id"),
        flag_severity=tier_rank("offender__") + Case(
            When(a_whole_interval_late_on__lt=as_of, then=Value(1)), default=Value(0)
        ),
        flag_details=JSONObject(due_on=F("due_on"), tier=F("offender__risk_tier__code")),
    ).values(*COLUMNS)


def one_per_offender(reviews: QuerySet) -> tuple[str, list]:
    """The flag's subject is the offender: on a past day two reviews may both have been overdue (one held late, one
    brought forward); the earliest due speaks for them."""
    return reviews.order_by("offender_id", "due_on").distinct("offender_id").query.sql_with_params()


def overdue_reviews_to_flag(as_of: dt.date, offenders: list[int] | None) -> tuple[str, list]:
    """rules.overdue_on() over every managed offender's risk assessment review (the same rule as visits)."""
    reviews = only(Review.objects.filter(kind=ReviewKind.ASSESSMENT), "offender", offenders)
    reviews = reviews.filter(rules.overdue_on(as_of), rules.in_caseload("offender__")).alias(
        a_whole_interval_late_on=AddDays(F("due_on"), F("offender__risk_tier__review_interval_days"))
    )
    reviews = reviews.annotate(
        flag_offender=F("offender_id"), flag_officer=no_id(), flag_visit=no_id(),
        flag_severity=tier_rank("offender__") + Case(
            When(a_whole_interval_late_on__lt=as_of, then=Value(1)), default=Value(0)
        ),
        flag_details=JSONObject(due_on=F("due_on"), tier=F("offender__risk_tier__code")),
    ).values(*COLUMNS, "due_on")
    return one_per_offender(reviews)


def overdue_mappa_reviews_to_flag(as_of: dt.date, offenders: list[int] | None) -> tuple[str, list]:
    """rules.overdue_on() over the open MAPPA reviews of managed level 2 and 3 cases (rules.mappa_reviewed)."""
    reviews = only(Review.objects.filter(kind=ReviewKind.MAPPA), "offender", offenders)
    reviews = reviews.filter(rules.overdue_on(as_of), rules.in_caseload("offender__"),
                             rules.mappa_reviewed("offender__"))
    reviews = reviews.annotate(
        flag_offender=F("offender_id"), flag_officer=no_id(), flag_visit=no_id(),
        flag_severity=tier_rank("offender__") + Case(When(offender__mappa_level=3, then=Value(1)), default=Value(0)),
        flag_details=JSONObject(due_on=F("due_on"), tier=F("offender__risk_tier__code"),
                                level=F("offender__mappa_level")),
    ).values(*COLUMNS, "due_on")
    return one_per_offender(reviews)


# Days late past which a missed notification raises its flag's severity by one.
NON_COMPLIANT_WORSE_AFTER_DAYS = 7


def overdue_notifications_to_flag(as_of: dt.date, offenders: list[int] | None) -> tuple[str, list]:
    """rules.overdue_on() over every managed offender's next notification (the same rule as visits), where owed."""
    notices = only(Review.objects.filter(kind=ReviewKind.NOTIFICATION), "offender", offenders)
    notices = notices.filter(rules.overdue_on(as_of), rules.in_caseload("offender__"), rules.notification_owed())
    worse_before = as_of - dt.timedelta(days=NON_COMPLIANT_WORSE_AFTER_DAYS)
    notices = notices.annotate(
        flag_offender=F("offender_id"), flag_officer=no_id(), flag_visit=no_id(),
        flag_severity=tier_rank("offender__") + Case(When(due_on__lt=worse_before, then=Value(1)), default=Value(0)),
        flag_details=JSONObject(due_on=F("due_on"), tier=F("offender__risk_tier__code"),
                                weekly=F("offender__no_fixed_abode")),
    ).values(*COLUMNS, "due_on")
    return one_per_offender(notices)


def unseen_offenders_to_flag(as_of: dt.date, offenders: list[int] | None) -> tuple[str, list]:
    """The unseen rule (rules.py) over the register without grouping every visit it holds: an offender with a
    visit completed within their interval and grace before `as_of` is seen, whatever came before, so one anti-join
    with the recent visits leaves the few who may be unseen; their last visit is then looked up (one index probe
    each) and the rule applied to it whole. Tests prove it agrees with unseen_among()."""
    candidates = (
        only(Offender.objects.all(), "id", offenders).filter(rules.unseen_candidates(as_of)).order_by()
        .values("id", "registered_on", tier=F("risk_tier__code"), tier_rank=tier_rank(""),
                interval_days=rules.interval_days(), unseen_after_days=rules.unseen_after_days())
    )
    offenders_sql, offenders_params = candidates.query.sql_with_params()
    unseen_from = rules.UNSEEN_FROM.sql(last_seen="s.last_seen_on", registered="o.registered_on",
                                        after_days="o.unseen_after_days")
    completed, seen_before = sql_literal(VisitStatus.COMPLETED), rules.seen_before(as_of)
    theirs, their_ids = ("", []) if offenders is None else (" AND v.offender_id = ANY(%s)", [offenders])
    return (
        UNSEEN.format(offenders=offenders_sql, unseen_from=unseen_from, completed=completed, theirs=theirs),
        [seen_before, as_of, *offenders_params, *their_ids, as_of, *offenders_params, as_of, seen_before, as_of],
    )


# The candidates are read twice: for the oldest visit that can matter to any of them (so that only the visits
# recent enough to matter are hashed for the anti-join), and for the anti-join itself.
UNSEEN = """
WITH recent AS (
    SELECT v.offender_id, v.completed_on FROM visits_visit v
    WHERE v.status = {completed} AND v.completed_on < %s
      AND v.completed_on >= %s - (SELECT max(c.unseen_after_days) FROM ({offenders}) c){theirs})
SELECT o.id AS flag_offender, NULL AS flag_officer, NULL AS flag_visit,
       o.tier_rank + CASE WHEN coalesce(s.last_seen_on, o.registered_on) + 2 * o.interval_days < %s
                          THEN 1 ELSE 0 END AS flag_severity,
       jsonb_build_object('last_seen_on', s.last_seen_on, 'tier', o.tier) AS flag_details
FROM (SELECT c.* FROM ({offenders}) c WHERE NOT EXISTS (
          SELECT FROM recent r WHERE r.offender_id = c.id AND r.completed_on >= %s - c.unseen_after_days)
      OFFSET 0) o
LEFT JOIN LATERAL (
    SELECT max(v.completed_on) AS last_seen_on FROM visits_visit v
    WHERE v.offender_id = o.id AND v.status = {completed} AND v.completed_on < %s) s ON true
WHERE {unseen_from} < %s
"""


def offenders_to_flag(offenders: QuerySet, severity) -> QuerySet:
    return offenders.annotate(
        flag_offender=F("id"), flag_officer=no_id(), flag_visit=no_id(), flag_severity=severity,
        flag_details=JSONObject(tier=F("risk_tier__code")),
    ).values(*COLUMNS)


def overloaded_officers_to_flag(officers: list[int] | None) -> tuple[str, list]:
    """Each officer's caseload counted in one pass over the register, then the overload rules (rules.py, as
    SQL) applied (grouping first, joining after: a million rows never carry the officer's and team's columns)."""
    caseloads = (
        only(Offender.objects.all(), "officer", officers).filter(rules.in_caseload(), officer__isnull=False).order_by()
        .values("officer").annotate(caseload=Count("id"), weighted_points=Sum("risk_tier__workload_weight"))
    )
    sql, params = caseloads.query.sql_with_params()
    inputs = {"per_fte": "c.per_fte", "ceiling": "c.ceiling", "flag_weighted": "c.flag_weighted_capacity",
              "capacity_pct": "c.capacity_pct"}
    return OVERLOADED.format(
        caseloads=sql, overloaded=rules.OVERLOADED.sql(**inputs), severity=rules.OVERLOAD_SEVERITY.sql(**inputs),
        per_fte=rules.PER_FTE.sql(caseload="c.caseload", fte="o.fte"),
        capacity_pct=rules.CAPACITY_PCT.sql(points="c.weighted_points", points_per_fte="t.capacity_points_per_fte",
                                            fte="o.fte"),
    ), list(params)


OVERLOADED = """
SELECT NULL AS flag_offender, c.officer AS flag_officer, NULL AS flag_visit, {severity} AS flag_severity,
       jsonb_build_object('caseload', c.caseload, 'caseload_per_fte', c.per_fte, 'ceiling', c.ceiling,
                          'capacity_pct', c.capacity_pct) AS flag_details
FROM (
    SELECT c.officer, c.caseload, t.caseload_ceiling_per_fte AS ceiling, t.flag_weighted_capacity,
           {per_fte} AS per_fte, {capacity_pct} AS capacity_pct
    FROM ({caseloads}) c JOIN offenders_officer o ON o.id = c.officer JOIN offenders_team t ON t.id = o.team_id
) c
WHERE {overloaded}
"""


def overdue_dip_reviews_to_flag(as_of: dt.date, officers: list[int] | None) -> QuerySet:
    """rules.overdue_on() over the dip samples not yet reviewed, one flag per officer sampled."""
    samples = only(DipSample.objects.all(), "officer", officers).filter(rules.overdue_on(as_of))
    worse_before = as_of - dt.timedelta(days=REVIEW_DAYS)
    return samples.order_by().values("officer").annotate(
        flag_offender=no_id(), flag_officer=F("officer"), flag_visit=no_id(),
        flag_severity=Value(2) + Least(Count("id", filter=Q(due_on__lt=worse_before)), Value(1)),
        flag_details=JSONObject(overdue=Count("id"), due_on=Min("due_on")),
    ).values(*COLUMNS)


@built_once("offenders", "officers")
def flags_wanted(as_of: dt.date, *, offenders: list[int] | None = None,
                 officers: list[int] | None = None) -> dict[str, tuple[str, list]]:
    """For each kind, the subjects that should carry an open flag on `as_of`, with severity and details, as SQL:
    over the whole register, or (given lists of ids) over those offenders and officers only. Built once a day per
    shape of scope (visits/built_once.py): a logged visit spent two fifths of its time building it afresh."""
    everyone = only(Offender.objects.all(), "id", offenders)
    wanted = {}
    if offenders != []:
        wanted |= {
            FlagKind.OVERDUE_VISIT: overdue_visits_to_flag(as_of, offenders),
            FlagKind.UNSEEN_OFFENDER: unseen_offenders_to_flag(as_of, offenders),
            FlagKind.UNALLOCATED_OFFENDER: offenders_to_flag(
                everyone.filter(rules.in_caseload(), rules.unallocated()), tier_rank("")),
            FlagKind.MISSING_OFFENDER: offenders_to_flag(everyone.filter(status=OffenderStatus.MISSING), Value(5)),
            FlagKind.ASSESSMENT_OVERDUE: overdue_reviews_to_flag(as_of, offenders),
            FlagKind.MAPPA_OVERDUE: overdue_mappa_reviews_to_flag(as_of, offenders),
            FlagKind.NON_COMPLIANT: overdue_notifications_to_flag(as_of, offenders),
        }
    if officers != []:
        wanted[FlagKind.OVERLOADED_OFFICER] = overloaded_officers_to_flag(officers)
        wanted[FlagKind.DIP_REVIEW_OVERDUE] = overdue_dip_reviews_to_flag(as_of, officers)
    return {kind: query if isinstance(query, tuple) else query.order_by().query.sql_with_params()
            for kind, query in wanted.items()}
