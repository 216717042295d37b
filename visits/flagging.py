"""The flag job: open and close flags over the whole register in a few set-based statements.

What should be flagged is built from the rules (visits/rules.py): overdue_on() itself, and the unseen and
overload rules' SQL over a whole register (each offender's last completed visit found by one grouped pass
over the visits, each officer's caseload counted before officers and teams are joined; tests/rules/ proves
every surface agrees). Their SQL fills a temporary table;
three statements then clear, update and raise flags, new flags in the open-flag index's order. A flag's
subject is checked by statement triggers, once for all the rows a statement wrote, not per row as a foreign
key would (visits/models.py, Flag). Nothing is written for a flag whose severity
and details are unchanged, so a second run with nothing changed writes nothing. Before any of that, the
register's change log (visits/register_changes.py) tells whether anything was written since the last full
run as of the same day; if not, the run stops at once.

Severity runs from 1 to 5:
- overdue visit: the tier's rank (low 1, medium 2, high 3, very high 4), plus 1 once the visit is
  late by more than a whole interval;
- unseen offender: the tier's rank, plus 1 once the last visit is more than two intervals old;
- unallocated offender: the tier's rank;
- missing offender: always 5, the most urgent state of all;
- overloaded officer: 3 above the team's ceiling per FTE (or, where the team flags it, above 100%
  weighted capacity), 4 at one and a half times the ceiling, 5 at twice the ceiling.
"""

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    F,
    Max,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Greatest, JSONObject, Least
from django.utils import timezone

from offenders.models import Offender, OffenderStatus
from visits import rules
from visits.models import Flag, FlagKind, FlagRun, Visit, VisitStatus
from visits.register_changes import changes_forget, policy, register_position, register_unchanged_since
from visits.selectors import today

logger = logging.getLogger(__name__)

# pg_try_advisory_xact_lock key: "flags" in ASCII. One run at a time across every worker.
LOCK_KEY = 0x666C616773
COLUMNS = ("flag_offender", "flag_officer", "flag_visit", "flag_severity", "flag_details")
# A NULL id in a subquery reads as text; cast each column to the table's type.
CASTS = ("bigint", "bigint", "bigint", "smallint", "jsonb")


@dataclass
class FlagRefreshResult:
    as_of: dt.date
    raised: int = 0
    cleared: int = 0
    updated: int = 0
    skipped: bool = False
    unchanged: bool = False
    open_by_kind: dict[str, int] = field(default_factory=dict)

    @property
    def wrote_nothing(self) -> bool:
        return not (self.raised or self.cleared or self.updated)


def tier_rank(path: str) -> Least:
    """The tier's order, held to 1-4 so that an edited tier table cannot leave the severity scale."""
    return Least(Greatest(F(f"{path}risk_tier__order"), Value(1)), Value(4))


def no_id() -> Value:
    return Value(None, output_field=BigIntegerField())


def overdue_visits_to_flag(as_of: dt.date) -> QuerySet:
    """rules.overdue_on() over every managed offender's visits in one join."""
    visits = Visit.objects.filter(rules.overdue_on(as_of), rules.in_caseload("offender__")).alias(
        a_whole_interval_late_on=rules.AddDays(F("due_on"), rules.interval_days("offender__"))
    )
    return visits.annotate(
        flag_offender=F("offender_id"), flag_officer=no_id(), flag_visit=F("id"),
        flag_severity=tier_rank("offender__") + Case(
            When(a_whole_interval_late_on__lt=as_of, then=Value(1)), default=Value(0)
        ),
        flag_details=JSONObject(due_on=F("due_on"), tier=F("offender__risk_tier__code")),
    ).values(*COLUMNS)


def unseen_offenders_to_flag(as_of: dt.date) -> tuple[str, list]:
    """The unseen rule (rules.py) with each offender's last completed visit found by one grouped pass over the
    completed visits instead of a look-up per offender (which a whole register cannot afford); tests prove
    it agrees with unseen_among()."""
    offenders = (
        Offender.objects.filter(rules.unseen_candidates(as_of)).order_by()
        .values("id", "registered_on", tier=F("risk_tier__code"), tier_rank=tier_rank(""),
                interval_days=rules.interval_days(), unseen_after_days=rules.unseen_after_days())
    )
    last_seen = (
        Visit.objects.filter(status=VisitStatus.COMPLETED, completed_on__lt=rules.seen_before(as_of)).order_by()
        .values("offender").annotate(last_seen_on=Max("completed_on"))
    )
    offenders_sql, offenders_params = offenders.query.sql_with_params()
    last_seen_sql, last_seen_params = last_seen.query.sql_with_params()
    unseen_from = rules.UNSEEN_FROM.sql(last_seen="s.last_seen_on", registered="o.registered_on",
                                        after_days="o.unseen_after_days")
    return (
        UNSEEN.format(offenders=offenders_sql, last_seen=last_seen_sql, unseen_from=unseen_from),
        [as_of, *offenders_params, *last_seen_params, as_of],
    )


UNSEEN = """
SELECT o.id AS flag_offender, NULL AS flag_officer, NULL AS flag_visit,
       o.tier_rank + CASE WHEN coalesce(s.last_seen_on, o.registered_on) + 2 * o.interval_days < %s THEN 1 ELSE 0 END
           AS flag_severity,
       jsonb_build_object('last_seen_on', s.last_seen_on, 'tier', o.tier) AS flag_details
FROM ({offenders}) o LEFT JOIN ({last_seen}) s ON s.offender = o.id
WHERE {unseen_from} < %s
"""


def offenders_to_flag(offenders: QuerySet, severity) -> QuerySet:
    return offenders.annotate(
        flag_offender=F("id"), flag_officer=no_id(), flag_visit=no_id(), flag_severity=severity,
        flag_details=JSONObject(tier=F("risk_tier__code")),
    ).values(*COLUMNS)


def overloaded_officers_to_flag(as_of: dt.date) -> tuple[str, list]:
    """Each officer's caseload counted in one pass over the register, then the overload rules (rules.py, as
    SQL) applied (grouping first, joining after: a million rows never carry the officer's and team's columns)."""
    caseloads = (
        Offender.objects.filter(rules.in_caseload(), officer__isnull=False).order_by()
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


def flags_wanted(as_of: dt.date) -> dict[str, QuerySet | tuple[str, list]]:
    """For each kind, the subjects that should carry an open flag on `as_of`, with severity and details."""
    managed = Offender.objects.filter(rules.in_caseload())
    return {
        FlagKind.OVERDUE_VISIT: overdue_visits_to_flag(as_of),
        FlagKind.UNSEEN_OFFENDER: unseen_offenders_to_flag(as_of),
        FlagKind.UNALLOCATED_OFFENDER: offenders_to_flag(managed.filter(officer__isnull=True), tier_rank("")),
        FlagKind.MISSING_OFFENDER: offenders_to_flag(
            Offender.objects.filter(status=OffenderStatus.MISSING), Value(5)
        ),
        FlagKind.OVERLOADED_OFFICER: overloaded_officers_to_flag(as_of),
    }


# The subject of a flag: its visit, else its offender, else its officer (unique within a kind).
SUBJECT = "coalesce({t}.visit_id, {t}.offender_id, {t}.officer_id)"

CLEAR = f"""
UPDATE visits_flag f SET cleared_at = %s
WHERE f.cleared_at IS NULL AND NOT EXISTS (
    SELECT 1 FROM flag_wanted w WHERE w.kind = f.kind AND w.subject_id = {SUBJECT.format(t="f")})
"""
# The open flags are read once, before any insert: a growing table must not be re-scanned per row. New flags
# go in the open-flag index's order, so that its pages are filled one after another. No ON CONFLICT clause
# (its speculative insertion costs a third of the insert): only this job raises flags, runs hold the lock one
# at a time, and the open flags it reads include every committed run's; should a conflict arise anyway, the
# unique index refuses the run whole and the next one starts afresh.
RAISE = f"""
WITH flagged AS MATERIALIZED (
    SELECT f.kind, {SUBJECT.format(t="f")} AS subject_id FROM visits_flag f WHERE f.cleared_at IS NULL)
INSERT INTO visits_flag (kind, offender_id, officer_id, visit_id, severity, details, raised_at)
SELECT w.kind, w.offender_id, w.officer_id, w.visit_id, w.severity, w.details, %s FROM flag_wanted w
WHERE NOT EXISTS (SELECT 1 FROM flagged f WHERE f.kind = w.kind AND f.subject_id = w.subject_id)
ORDER BY w.offender_id, w.kind, w.officer_id, w.visit_id
"""
UPDATE = f"""
UPDATE visits_flag f SET severity = w.severity, details = w.details,
    worsened_at = CASE WHEN w.severity > f.severity THEN %s ELSE f.worsened_at END
FROM flag_wanted w
WHERE f.cleared_at IS NULL AND f.kind = w.kind AND {SUBJECT.format(t="f")} = w.subject_id
  AND (f.severity <> w.severity OR f.details <> w.details)
"""


@transaction.atomic
def flags_refresh(*, as_of: dt.date | None = None, force: bool = False) -> FlagRefreshResult:
    """Bring the open flags in line with the register on `as_of` (default today). Skip if a run is going;
    stop at once if nothing changed since the last full run as of the same day (unless forced)."""
    result = FlagRefreshResult(as_of=as_of or today())
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_KEY])
        if not cursor.fetchone()[0]:
            logger.info("Flag refresh skipped: another run holds the lock")
            result.skipped = True
            return result
    snapshot, last_change = register_position()
    last_run = FlagRun.objects.order_by("-id").first()
    if (not force and last_run and last_run.as_of == result.as_of and last_run.policy == policy()
            and register_unchanged_since(last_run)):
        result.unchanged = True
        result.open_by_kind = dict(
            Flag.objects.filter(cleared_at__isnull=True).order_by().values_list("kind").annotate(n=Count("id"))
        )
        return result
    with connection.cursor() as cursor:
        # Whole-register queries: JIT compilation costs more than it saves here, and sorts and hashes of a
        # million rows should stay in memory.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL work_mem = '64MB'")
        # The flags can always be computed again from the register, so a crash that loses the last run's
        # commit loses nothing (the next run redoes it); no need to wait for the write-ahead log's flush.
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("DROP TABLE IF EXISTS flag_wanted")
        cursor.execute(
            "CREATE TEMPORARY TABLE flag_wanted (kind varchar(20) NOT NULL, offender_id bigint, officer_id bigint,"
            " visit_id bigint, severity smallint NOT NULL, details jsonb NOT NULL,"
            " subject_id bigint GENERATED ALWAYS AS (coalesce(visit_id, offender_id, officer_id)) STORED)"
            " ON COMMIT DROP"
        )
        for kind, wanted in flags_wanted(result.as_of).items():
            sql, params = wanted if isinstance(wanted, tuple) else wanted.order_by().query.sql_with_params()
            cursor.execute(
                "INSERT INTO flag_wanted (kind, offender_id, officer_id, visit_id, severity, details)"
                f" SELECT %s, {', '.join(f'q.{c}::{t}' for c, t in zip(COLUMNS, CASTS, strict=True))} FROM ({sql}) q",
                [kind.value, *params],
            )
            result.open_by_kind[kind.value] = cursor.rowcount
        cursor.execute("ANALYZE flag_wanted (kind, subject_id)")  # the columns the joins use
        # Joins over whole sets: hash joins, never a loop of scans (the flag table's statistics may be stale).
        cursor.execute("SET LOCAL enable_nestloop = off")
        cursor.execute(CLEAR, [now])
        result.cleared = cursor.rowcount
        cursor.execute(UPDATE, [now])
        result.updated = cursor.rowcount
        cursor.execute(RAISE, [now])
        result.raised = cursor.rowcount
        cursor.execute("DROP TABLE flag_wanted")
        cursor.execute("RESET enable_nestloop; RESET jit; RESET work_mem")
    FlagRun.objects.create(
        as_of=result.as_of, policy=policy(), snapshot=snapshot, last_change=last_change, raised=result.raised,
        cleared=result.cleared, updated=result.updated, started_at=now, finished_at=timezone.now(),
    )
    changes_forget(snapshot=snapshot, last_change=last_change)
    logger.info("Flags as of %s: %d raised, %d cleared, %d updated", result.as_of, result.raised,
                result.cleared, result.updated)
    return result

