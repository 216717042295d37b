"""visits.csv: visit history. A completed visit is its offender and completion date, a cancelled one its
offender and due date, and a scheduled or attempted row is the offender's one open visit."""

from caseload.imports.columns import Check, Column, literal
from caseload.imports.staging import ROWS
from visits.formula import sql_literal, sql_values
from visits.models import OPEN_STATUSES, VisitStatus

STATUSES = tuple(VisitStatus.values)
OPEN = sql_values(*OPEN_STATUSES)
COMPLETED = sql_literal(VisitStatus.COMPLETED)
CANCELLED = sql_literal(VisitStatus.CANCELLED)
COLUMNS = [
    Column("reference", required=True, max_length=40, help="the offender"),
    Column("due_on", "date", required=True, help="the date the visit was due"),
    Column("status", "choice", required=True, choices=STATUSES),
    Column("completed_on", "date", help="the date it happened (completed visits)"),
    Column("officer", max_length=30, help="staff_id of who made (or holds) the visit"),
    Column("cancel_reason", help="free text (cancelled visits)"),
    Column("cancelled_on", "date", help="when it was cancelled (cancelled visits; default the import date)"),
]

def lookups(*, present: set[str], today) -> tuple[str, str]:
    select = (
        "x.id AS offender_id, o.id AS officer_id,"
        f" min(s.row_no) FILTER (WHERE s.status__v = {COMPLETED})"
        "  OVER (PARTITION BY upper(s.reference), s.completed_on__v) AS first_completed,"
        f" min(s.row_no) FILTER (WHERE s.status__v = {CANCELLED})"
        "  OVER (PARTITION BY upper(s.reference), s.due_on__v) AS first_cancelled,"
        f" min(s.row_no) FILTER (WHERE s.status__v IN {OPEN}) OVER (PARTITION BY upper(s.reference)) AS first_open"
    )
    joins = (
        "LEFT JOIN offenders_offender x ON upper(x.reference) = upper(s.reference)"
        " LEFT JOIN offenders_officer o ON o.staff_id = s.officer"
    )
    return select, joins


def prepare(cursor) -> None:
    """Nothing to do before the checks."""


def skip_unchanged(cursor, *, present: set[str]) -> int:
    """Every row is read: these files are small, and their rows keep no digest."""
    return 0


def flags_follow(cursor, *, changed: int) -> None:
    """A full flag run follows: an officer's or a visit history's change can reach any case."""


# No large-load path: officers and visit histories are loaded by ordinary statements.
BULK_KEYS: dict[str, list[str]] = {}


def checks(*, present: set[str], today) -> list[Check]:
    day = f"DATE '{today.isoformat()}'"
    return [
        Check("reference", "reference IS NOT NULL AND offender_id IS NULL",
              literal("is not on the register: import the register first")),
        Check("officer", "officer IS NOT NULL AND officer_id IS NULL",
              literal("is not the staff_id of any officer: import the officers first")),
        Check("completed_on", f"status__v = {COMPLETED} AND completed_on IS NULL",
              literal("is required for a completed visit")),
        Check("completed_on", f"status__v <> {COMPLETED} AND completed_on IS NOT NULL",
              literal("must be blank unless the visit is completed")),
        Check("completed_on", f"completed_on__v > {day}", literal("is in the future")),
        Check("cancel_reason", f"status__v = {CANCELLED} AND cancel_reason IS NULL",
              literal("is required for a cancelled visit")),
        Check("cancelled_on", f"cancelled_on__v > {day}", literal("is in the future")),
        Check("completed_on", f"first_completed <> row_no AND status__v = {COMPLETED}",
              "'is the same visit as row ' || first_completed || ' (same offender, same day)'"),
        Check("due_on", f"first_cancelled <> row_no AND status__v = {CANCELLED}",
              "'is the same cancelled visit as row ' || first_cancelled || ' (same offender, same due date)'"),
        Check("status", f"first_open <> row_no AND status__v IN {OPEN}",
              "'is a second open visit for this offender: the first is on row ' || first_open"),
    ]


def apply(cursor, *, run_id: int, present: set[str], today) -> dict:
    """Match each row to its visit: update it where it differs, or add it."""
    params = {"run": run_id, "today": today}
    updated = created = 0

    def run(sql: str) -> int:
        cursor.execute(sql, params)
        return cursor.rowcount

    officer = "coalesce(s.officer_id, v.officer_id)"
    # Completed rows: the visit completed that day, else the open visit due that day being done, else new.
    updated += run(
        f"UPDATE visits_visit v SET due_on = s.due_on__v, officer_id = {officer}, import_run_id = %(run)s,"
        f" updated_at = now() FROM {ROWS} s WHERE s.status__v = {COMPLETED} AND v.offender_id = s.offender_id"
        f" AND v.status = {COMPLETED} AND v.completed_on = s.completed_on__v"
        f" AND (v.due_on, v.officer_id) IS DISTINCT FROM (s.due_on__v, {officer})"
    )
    updated += run(
        f"UPDATE visits_visit v SET status = {COMPLETED}, completed_on = s.completed_on__v,"
        f" officer_id = {officer}, import_run_id = %(run)s, updated_at = now()"
        f" FROM {ROWS} s WHERE s.status__v = {COMPLETED} AND v.offender_id = s.offender_id"
        f" AND v.status IN {OPEN} AND v.due_on = s.due_on__v AND NOT EXISTS (SELECT 1 FROM visits_visit c"
        f"  WHERE c.offender_id = s.offender_id AND c.status = {COMPLETED} AND c.completed_on = s.completed_on__v)"
    )
    created += run(
        "INSERT INTO visits_visit (offender_id, officer_id, due_on, status, completed_on, kind, outcome, notes,"
        " cancel_reason, import_run_id, created_at, updated_at)"
        f" SELECT s.offender_id, s.officer_id, s.due_on__v, {COMPLETED}, s.completed_on__v, '', '', '', '',"
        f" %(run)s, now(), now() FROM {ROWS} s WHERE s.status__v = {COMPLETED} AND NOT EXISTS ("
        f"  SELECT 1 FROM visits_visit c WHERE c.offender_id = s.offender_id AND c.status = {COMPLETED}"
        "  AND c.completed_on = s.completed_on__v)"
    )
    # Cancelled rows: the visit cancelled with that due date, else the open visit due then, else new.
    cancelled_on = "coalesce(s.cancelled_on__v, v.cancelled_on)"
    updated += run(
        f"UPDATE visits_visit v SET cancel_reason = s.cancel_reason, cancelled_on = {cancelled_on},"
        f" officer_id = {officer}, import_run_id = %(run)s, updated_at = now()"
        f" FROM {ROWS} s WHERE s.status__v = {CANCELLED} AND v.offender_id = s.offender_id"
        f" AND v.status = {CANCELLED} AND v.due_on = s.due_on__v"
        f" AND (v.cancel_reason, v.cancelled_on, v.officer_id) IS DISTINCT FROM"
        f" (s.cancel_reason, {cancelled_on}, {officer})"
    )
    updated += run(
        f"UPDATE visits_visit v SET status = {CANCELLED}, cancel_reason = s.cancel_reason,"
        f" cancelled_on = coalesce(s.cancelled_on__v, %(today)s), officer_id = {officer},"
        " import_run_id = %(run)s, updated_at = now()"
        f" FROM {ROWS} s WHERE s.status__v = {CANCELLED} AND v.offender_id = s.offender_id"
        f" AND v.status IN {OPEN} AND v.due_on = s.due_on__v AND NOT EXISTS (SELECT 1 FROM visits_visit c"
        f"  WHERE c.offender_id = s.offender_id AND c.status = {CANCELLED} AND c.due_on = s.due_on__v)"
    )
    created += run(
        "INSERT INTO visits_visit (offender_id, officer_id, due_on, status, cancelled_on, cancel_reason, kind,"
        " outcome, notes, import_run_id, created_at, updated_at)"
        f" SELECT s.offender_id, s.officer_id, s.due_on__v, {CANCELLED}, coalesce(s.cancelled_on__v, %(today)s),"
        f" s.cancel_reason, '', '', '', %(run)s, now(), now() FROM {ROWS} s WHERE s.status__v = {CANCELLED}"
        " AND NOT EXISTS (SELECT 1 FROM visits_visit c WHERE c.offender_id = s.offender_id"
        f"  AND c.status = {CANCELLED} AND c.due_on = s.due_on__v)"
    )
    # Scheduled or attempted rows: the offender's one open visit, moved or added.
    updated += run(
        f"UPDATE visits_visit v SET due_on = s.due_on__v, status = s.status__v, officer_id = {officer},"
        f" import_run_id = %(run)s, updated_at = now() FROM {ROWS} s WHERE s.status__v IN {OPEN}"
        f" AND v.offender_id = s.offender_id AND v.status IN {OPEN}"
        f" AND (v.due_on, v.status, v.officer_id) IS DISTINCT FROM (s.due_on__v, s.status__v, {officer})"
    )
    created += run(
        "INSERT INTO visits_visit (offender_id, officer_id, due_on, status, kind, outcome, notes, cancel_reason,"
        " import_run_id, created_at, updated_at)"
        " SELECT s.offender_id, s.officer_id, s.due_on__v, s.status__v, '', '', '', '', %(run)s, now(), now()"
        f" FROM {ROWS} s WHERE s.status__v IN {OPEN} AND NOT EXISTS (SELECT 1 FROM visits_visit v"
        f"  WHERE v.offender_id = s.offender_id AND v.status IN {OPEN})"
    )
    return {"created": created, "updated": updated}


def notes(cursor) -> dict:
    return {}
