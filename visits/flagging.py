"""Open flags, kept in line with the register: by each service over the offenders and officers its write
changed, in the write's own transaction, and by the hourly job: over the whole register on the day's first run,
over what was written since the last run after that (flag_changes.py says which).

What should be flagged comes from flags_wanted.py. Its SQL fills a temporary table; three statements then clear,
update and raise flags, new flags in the open-flag index's order (for a write's few subjects, the three run as one
prepared statement over the wanted flags as a common table expression). Nothing is written for a flag whose severity
and details are unchanged, so a second run with nothing changed writes nothing. A flag's subject is checked by
statement triggers, once for all the rows a statement wrote, not per row as a foreign key would (visits/models.py).

Two advisory locks keep the two writers apart. The job takes RUN_KEY (one run at a time; an overlapping run is
skipped) and then WRITE_KEY exclusively, waiting for services already writing flags. A service takes WRITE_KEY
shared without waiting: while a run holds it, the run's figures may predate the service's write, so the service
leaves its subjects to a task that refreshes them once the run has committed.
"""

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass, field

from celery import current_app
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from visits import flag_changes
from visits.built_once import binding_on_the_server
from visits.flags_wanted import COLUMNS, flags_wanted
from visits.models import FlagRun
from visits.rules import today

logger = logging.getLogger(__name__)

# Advisory lock keys: "flags" and "flagw" in ASCII.
RUN_KEY = 0x666C616773
WRITE_KEY = 0x666C616777
# Flags raised and cleared by one run past which it has PostgreSQL read the table's statistics again.
ANALYZE_AFTER = 10_000
# A NULL id in a subquery reads as text; cast each column to the table's type.
CASTS = ("bigint", "bigint", "bigint", "smallint", "jsonb")
WANTED = ("offender_id", "officer_id", "visit_id", "severity", "details")
# One kind's rows (a query of flags_wanted's COLUMNS, as q) as the wanted flags' columns.
WANTED_COLUMNS = ", ".join(f"q.{c}::{t} AS {name}" for c, t, name in zip(COLUMNS, CASTS, WANTED, strict=True))


@dataclass
class FlagRefreshResult:
    as_of: dt.date
    raised: int = 0
    cleared: int = 0
    updated: int = 0
    skipped: bool = False
    offenders_looked_at: int | None = None  # None: every offender
    open_by_kind: dict[str, int] = field(default_factory=dict)

    @property
    def scope(self) -> str:
        return FlagRun.Scope.REGISTER if self.offenders_looked_at is None else FlagRun.Scope.CHANGES

    @property
    def wrote_nothing(self) -> bool:
        return not (self.raised or self.cleared or self.updated)


def policy() -> str:
    """What the flags depend on besides the register: the settings, the kinds, and a fingerprint of the rules as
    the job's SQL (a deploy that changes any of them is followed by a run over the whole register)."""
    wanted = flags_wanted(today())
    rules = hashlib.sha256("\n".join(sql for sql, _ in wanted.values()).encode()).hexdigest()[:16]
    return (f"unseen_grace_fraction={settings.CASELOAD_UNSEEN_GRACE_FRACTION};kinds={','.join(wanted)};"
            f"rules={rules}")


# The subject of a flag: its visit, else its offender, else its officer (unique within a kind).
SUBJECT = "coalesce({t}.visit_id, {t}.offender_id, {t}.officer_id)"
# The flags of some offenders and officers (the open-flag index leads with the offender; flag_open_officer_idx).
SCOPE = " AND (f.offender_id = ANY(%s::bigint[]) OR f.officer_id = ANY(%s::bigint[]))"

CLEAR = f"""
UPDATE visits_flag f SET cleared_at = %s
WHERE f.cleared_at IS NULL{{scope}} AND NOT EXISTS (
    SELECT 1 FROM flag_wanted w WHERE w.kind = f.kind AND w.subject_id = {SUBJECT.format(t="f")})
"""
# The open flags are read once, before any insert: a growing table must not be re-scanned per row. New flags
# go in the open-flag index's order, so that its pages are filled one after another. Over the whole register no
# ON CONFLICT clause (its speculative insertion costs a third of the insert): the job holds WRITE_KEY alone, and
# the open flags it reads include every committed writer's. Writes on some offenders and officers hold it shared:
# two on one officer's cases at once may both find the officer's overload unflagged, and the second, as it
# inserts, finds the first's flag; it leaves that flag as it is (the hourly job reads both writes again).
CONFLICT_LEFT = " ON CONFLICT DO NOTHING"
RAISE = f"""
WITH flagged AS MATERIALIZED (
    SELECT f.kind, {SUBJECT.format(t="f")} AS subject_id FROM visits_flag f WHERE f.cleared_at IS NULL{{scope}})
INSERT INTO visits_flag (kind, offender_id, officer_id, visit_id, severity, details, raised_at)
SELECT w.kind, w.offender_id, w.officer_id, w.visit_id, w.severity, w.details, %s FROM flag_wanted w
WHERE NOT EXISTS (SELECT 1 FROM flagged f WHERE f.kind = w.kind AND f.subject_id = w.subject_id)
ORDER BY w.offender_id, w.kind, w.officer_id, w.visit_id{{on_conflict}}
"""
UPDATE = f"""
UPDATE visits_flag f SET severity = w.severity, details = w.details,
    worsened_at = CASE WHEN w.severity > f.severity THEN %s ELSE f.worsened_at END
FROM flag_wanted w
WHERE f.cleared_at IS NULL{{scope}} AND f.kind = w.kind AND {SUBJECT.format(t="f")} = w.subject_id
  AND (f.severity <> w.severity OR f.details <> w.details)
"""


def _wanted(as_of: dt.date, offenders: list[int] | None, officers: list[int] | None) -> tuple[str, list, list[str]]:
    """One SELECT of every kind's wanted flags, with each flag's subject; its parameters; the kinds."""
    wanted = flags_wanted(as_of, offenders=offenders, officers=officers)
    selects = [f"SELECT %s::varchar(20) AS kind, {WANTED_COLUMNS} FROM ({sql}) q" for sql, _ in wanted.values()]
    params = [param for kind, (_, kind_params) in wanted.items() for param in (kind.value, *kind_params)]
    return (f"SELECT w.*, {SUBJECT.format(t='w')} AS subject_id FROM ({' UNION ALL '.join(selects)}) w", params,
            [kind.value for kind in wanted])


def _bring_in_line(cursor, result: FlagRefreshResult, *, now, offenders: list[int] | None = None,
                   officers: list[int] | None = None) -> None:
    """Clear, update and raise flags so that the open ones are those wanted on `result.as_of`: every flag, or
    only those of `offenders` and `officers`."""
    scope, scope_params = ("", []) if offenders is None else (SCOPE, [offenders, officers or []])
    cursor.execute("DROP TABLE IF EXISTS flag_wanted")
    wanted, params, kinds = _wanted(result.as_of, offenders, officers)
    # One CREATE TABLE AS over every kind: unlike INSERT ... SELECT, it may hand the selects to parallel workers.
    cursor.execute(f"CREATE TEMPORARY TABLE flag_wanted ON COMMIT DROP AS {wanted}", params)
    if offenders is None:  # the whole register: report what is open per kind, and plan the joins with statistics
        cursor.execute("SELECT kind, count(*) FROM flag_wanted GROUP BY kind")
        result.open_by_kind = dict.fromkeys(kinds, 0) | dict(cursor.fetchall())
        cursor.execute("ANALYZE flag_wanted (kind, subject_id)")
    cursor.execute(CLEAR.format(scope=scope), [now, *scope_params])
    result.cleared = cursor.rowcount
    cursor.execute(UPDATE.format(scope=scope), [now, *scope_params])
    result.updated = cursor.rowcount
    cursor.execute(RAISE.format(scope=scope, on_conflict=scope and CONFLICT_LEFT), [*scope_params, now])
    result.raised = cursor.rowcount
    cursor.execute("DROP TABLE flag_wanted")


# A write's few subjects are brought in line by one statement: the wanted flags as a common table expression and
# the three writes beside it, which touch different flags (one cleared is not wanted; one updated or raised is). It
# is prepared on the connection and run with a generic plan: the same for every write of that shape, since the ids
# go in as arrays. Planned afresh, with the temporary table, it took 7-8 ms of a logged visit's 22; prepared, 1.5.
# A generic plan is a plan for a few ids: more go the temporary table's way, planned for their number.
FEW = 100
IN_ONE = """WITH flag_wanted AS MATERIALIZED ({wanted}),
    cleared AS ({clear} RETURNING 1), updated AS ({update} RETURNING 1), raised AS ({raise_} RETURNING 1)
SELECT (SELECT count(*) FROM cleared), (SELECT count(*) FROM updated), (SELECT count(*) FROM raised)"""


def _bring_few_in_line(result: FlagRefreshResult, *, now, offenders: list[int], officers: list[int]) -> None:
    """_bring_in_line() for a write's few offenders and officers, in one prepared statement."""
    wanted, params, _ = _wanted(result.as_of, offenders, officers)
    scope_params = [offenders, officers]
    statement = IN_ONE.format(wanted=wanted, clear=CLEAR.format(scope=SCOPE), update=UPDATE.format(scope=SCOPE),
                              raise_=RAISE.format(scope=SCOPE, on_conflict=CONFLICT_LEFT))
    with binding_on_the_server() as cursor:
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        cursor.execute(statement, [*params, now, *scope_params, now, *scope_params, *scope_params, now],
                       prepare=True)
        result.cleared, result.updated, result.raised = cursor.fetchone()
        cursor.execute("SET LOCAL plan_cache_mode TO DEFAULT")


def _lock(cursor, key: int, *, wait: bool, shared: bool = False) -> bool:
    """Take an advisory lock until the transaction ends: wait for it, or only try (False if another holds it)."""
    lock = f"pg_{'' if wait else 'try_'}advisory_xact_lock{'_shared' if shared else ''}"
    cursor.execute(f"SELECT {lock}(%s)", [key])
    return True if wait else cursor.fetchone()[0]


@transaction.atomic
def flags_refresh(*, as_of: dt.date | None = None, wait: bool = False, whole_register: bool = False
                  ) -> FlagRefreshResult:
    """Bring the open flags in line with the register on `as_of` (default today): over the whole register, or
    (unless `whole_register`) over what was written since the last run, where flag_changes.py allows. Skip if a
    run is going (with `wait`, as after an import that must be reflected, wait for it and run after it)."""
    result = FlagRefreshResult(as_of=as_of or today())
    with connection.cursor() as cursor:
        watermark = flag_changes.watermark(cursor)  # before the locks: an earlier mark only reads more next time
        if not _lock(cursor, RUN_KEY, wait=wait):
            logger.info("Flag refresh skipped: another run holds the lock")
            result.skipped = True
            return result
        _lock(cursor, WRITE_KEY, wait=True)
        now = timezone.now()
        run_policy = policy()
        changes = None if whole_register else flag_changes.since_last_run(cursor, as_of=result.as_of,
                                                                           policy=run_policy)
        # The flags can always be computed again from the register, so a crash that loses the last run's
        # commit loses nothing (the next run redoes it); no need to wait for the write-ahead log's flush.
        cursor.execute("SET LOCAL synchronous_commit = off")
        if changes is None:
            _whole_register(cursor, result, now=now)
        else:
            result.offenders_looked_at = len(changes.offenders)
            if changes:
                _bring_in_line(cursor, result, now=now, offenders=changes.offenders, officers=changes.officers)
        if result.raised + result.cleared > ANALYZE_AFTER:
            # The pages plan their reads of the flags by these statistics; a first run on a large register
            # changes the table whole, and autovacuum may be off or not yet round.
            cursor.execute("ANALYZE visits_flag")
    FlagRun.objects.create(as_of=result.as_of, policy=run_policy, scope=result.scope,
                           offenders_looked_at=result.offenders_looked_at, watermark=watermark,
                           raised=result.raised, cleared=result.cleared, updated=result.updated,
                           started_at=now, finished_at=timezone.now())
    logger.info("Flags as of %s over %s: %d raised, %d cleared, %d updated", result.as_of,
                "the register" if result.offenders_looked_at is None else f"{result.offenders_looked_at} offenders",
                result.raised, result.cleared, result.updated)
    return result


def _whole_register(cursor, result: FlagRefreshResult, *, now) -> None:
    # Whole-register queries: JIT compilation costs more than it saves here, and sorts and hashes of a
    # million rows should stay in memory; joins over whole sets are hash joins, never a loop of scans.
    cursor.execute("SET LOCAL jit = off")
    cursor.execute("SET LOCAL work_mem = '64MB'")
    cursor.execute("SET LOCAL enable_nestloop = off")
    _bring_in_line(cursor, result, now=now)
    cursor.execute("RESET enable_nestloop; RESET jit; RESET work_mem")


def flags_refresh_for(*, offenders: list[int] = (), officers: list[int] = (), wait: bool = False) -> bool:
    """Bring the flags of these offenders and officers in line with the register as it stands, inside the
    caller's transaction (the write that changed them). While the hourly job is writing flags, leave them to a
    task that refreshes them after it (unless `wait`: then wait for it); False when left to that task."""
    offenders = sorted({pk for pk in offenders if pk is not None})
    officers = sorted({pk for pk in officers if pk is not None})
    if not (offenders or officers):
        return True
    with transaction.atomic(), connection.cursor() as cursor:
        if not _lock(cursor, WRITE_KEY, wait=wait, shared=True):
            transaction.on_commit(lambda: _refresh_later(offenders, officers))
            return False
        result, now = FlagRefreshResult(as_of=today()), timezone.now()
        if len(offenders) + len(officers) <= FEW:
            _bring_few_in_line(result, now=now, offenders=offenders, officers=officers)
        else:
            _bring_in_line(cursor, result, now=now, offenders=offenders, officers=officers)
    return True


def _refresh_later(offenders: list[int], officers: list[int]) -> None:
    try:
        current_app.send_task("visits.tasks.refresh_flags_of", kwargs={"offenders": offenders, "officers": officers})
    except Exception as problem:  # noqa: BLE001 (the broker is down: the hourly job brings them in line)
        logger.warning("Flags of %d offenders and %d officers left to the hourly job: %s", len(offenders),
                       len(officers), problem)
