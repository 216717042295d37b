"""absences.csv: officers' absences (whole days away) and reductions (hours a week taken out), keyed by the officer,
kind and first day: a row updates the one on record (its last day and hours) or adds it. Absences change no flag."""

from caseload.imports.columns import Check, Column, literal
from caseload.imports.staging import ROWS
from offenders.availability_models import AWAY, AbsenceKind
from visits.formula import sql_values

COLUMNS = [
    Column("staff_id", required=True, max_length=30, help="the officer (must be on the officers list)"),
    Column("kind", "choice", required=True, choices=tuple(AbsenceKind.values),
           help="annual_leave, sickness, training, court, other, or reduction"),
    Column("starts_on", "date", required=True, help="the first day"),
    Column("ends_on", "date", required=True, help="the last day (included), not before starts_on"),
    Column("hours_per_week", "decimal", help="for a reduction (only): hours a week taken out"),
    Column("reason", help="free text"),
]
AWAY_KINDS = sql_values(*AWAY)
REDUCTION = sql_values(AbsenceKind.REDUCTION)

# No large-load path: absences are loaded by ordinary statements.
BULK_KEYS: dict[str, list[str]] = {}


def lookups(*, present: set[str], today) -> tuple[str, str]:
    select = ("o.id AS officer_id, o.fte * t.full_time_hours AS contracted_hours,"
              " min(s.row_no) OVER (PARTITION BY s.staff_id, s.kind__v, s.starts_on__v) AS first_row")
    return select, ("LEFT JOIN offenders_officer o ON o.staff_id = s.staff_id"
                    " LEFT JOIN offenders_team t ON t.id = o.team_id")


def skip_unchanged(cursor, *, present: set[str]) -> int:
    """Every row is read: these files are small, and their rows keep no digest."""
    return 0


def prepare(cursor) -> None:
    """Mark each absence that overlaps an earlier row's absence of the same officer (reductions may overlap)."""
    cursor.execute(f"ALTER TABLE {ROWS} ADD COLUMN overlaps_row bigint")
    cursor.execute(
        f"UPDATE {ROWS} s SET overlaps_row = (SELECT min(o.row_no) FROM {ROWS} o WHERE o.officer_id = s.officer_id"
        f"  AND o.row_no < s.row_no AND o.kind__v IN {AWAY_KINDS} AND o.starts_on__v <= s.ends_on__v"
        f"  AND o.ends_on__v >= s.starts_on__v) WHERE s.kind__v IN {AWAY_KINDS}"
    )


def checks(*, present: set[str], today) -> list[Check]:
    hours = "hours_per_week__v" if "hours_per_week" in present else "NULL::numeric"
    on = "hours_per_week" if "hours_per_week" in present else "kind"  # without the column, the kind is at fault
    return [
        Check("staff_id", "staff_id IS NOT NULL AND officer_id IS NULL",
              literal("is not on the officers list: import the officers first")),
        Check("ends_on", "ends_on__v < starts_on__v", "'is before starts_on (' || starts_on || ')'"),
        Check(on, f"kind__v IN {REDUCTION} AND ({hours} IS NULL OR {hours} <= 0)",
              literal("a reduction needs hours_per_week: the hours a week it takes out, more than 0")),
        Check("hours_per_week", f"kind__v IN {AWAY_KINDS} AND {hours} IS NOT NULL",
              literal("is for a reduction only: leave it blank for an absence")),
        Check("hours_per_week", f"kind__v IN {REDUCTION} AND {hours} > contracted_hours",
              "'is more than the officer''s contracted ' || round(contracted_hours, 1) || ' hours a week'"),
        Check("starts_on", "first_row <> row_no AND kind__v IS NOT NULL AND starts_on__v IS NOT NULL",
              "'is the same absence as row ' || first_row || ' (same officer, kind and first day)'"),
        Check("starts_on", "overlaps_row IS NOT NULL",
              "'overlaps the absence on row ' || overlaps_row || ' (the officer cannot be away twice)'"),
        Check("starts_on", f"kind__v IN {AWAY_KINDS} AND EXISTS (SELECT FROM offenders_absence a"
                           f" WHERE a.officer_id = s.officer_id AND a.kind IN {AWAY_KINDS}"
                           " AND NOT (a.kind = s.kind__v AND a.starts_on = s.starts_on__v)"
                           " AND a.starts_on <= s.ends_on__v AND a.ends_on >= s.starts_on__v)",
              literal("overlaps an absence on record for this officer (the officer cannot be away twice)")),
    ]


def apply(cursor, *, run_id: int, present: set[str], today) -> dict:
    """Update the absences on record where the file differs, and add the others."""
    hours = "s.hours_per_week__v" if "hours_per_week" in present else "NULL::numeric"
    reason = "coalesce(s.reason, '')" if "reason" in present else "''"
    params = {"run": run_id}
    new_reason = reason if "reason" in present else "a.reason"  # a column the file does not have stays as it is
    cursor.execute(
        f"UPDATE offenders_absence a SET ends_on = s.ends_on__v, hours_per_week = {hours}, reason = {new_reason},"
        f" import_run_id = %(run)s FROM {ROWS} s WHERE a.officer_id = s.officer_id AND a.kind = s.kind__v"
        f" AND a.starts_on = s.starts_on__v AND (a.ends_on, a.hours_per_week, a.reason)"
        f" IS DISTINCT FROM (s.ends_on__v, {hours}, {new_reason})",
        params,
    )
    updated = cursor.rowcount
    cursor.execute(
        "INSERT INTO offenders_absence (officer_id, kind, starts_on, ends_on, hours_per_week, reason, import_run_id,"
        f" created_at) SELECT s.officer_id, s.kind__v, s.starts_on__v, s.ends_on__v, {hours}, {reason}, %(run)s, now()"
        f" FROM {ROWS} s WHERE NOT EXISTS (SELECT FROM offenders_absence a WHERE a.officer_id = s.officer_id"
        "  AND a.kind = s.kind__v AND a.starts_on = s.starts_on__v)",
        params,
    )
    return {"created": cursor.rowcount, "updated": updated}


def flags_follow(cursor, *, changed: int) -> int:
    """Absences change no flag: nothing to bring in line."""
    return 0


def notes(cursor) -> dict:
    return {}
