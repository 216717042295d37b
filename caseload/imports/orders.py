"""orders.csv: the civil orders on offenders. An order is its offender, kind and start date; a row updates the one on
record (its end and conditions) or adds it. Orders are not due items: they only ever add to or correct the case."""

from caseload.imports.columns import Check, Column, literal
from caseload.imports.staging import ROWS
from notifications.models import OrderKind

COLUMNS = [
    Column("reference", required=True, max_length=40, help="the offender (must be on the register)"),
    Column("kind", "choice", required=True, choices=tuple(OrderKind.values),
           help="shpo, travel_prohibition, notification_order or other"),
    Column("starts_on", "date", required=True, help="the day the order came into force"),
    Column("ends_on", "date", help="its last day in force, not before starts_on; blank = until further order"),
    Column("conditions", help="free text"),
]
# What a row sets on its order: (model column, SQL), each from the file column of the same name.
FIELDS = [("ends_on", "s.ends_on__v"), ("conditions", "coalesce(s.conditions, '')")]

# No large-load path: orders are loaded by ordinary statements.
BULK_KEYS: dict[str, list[str]] = {}


def lookups(*, present: set[str], today) -> tuple[str, str]:
    select = (
        "x.id AS offender_id, x.date_of_birth AS born_on,"
        " min(s.row_no) OVER (PARTITION BY upper(s.reference), s.kind__v, s.starts_on__v) AS first_row"
    )
    return select, "LEFT JOIN offenders_offender x ON upper(x.reference) = upper(s.reference)"


def skip_unchanged(cursor, *, present: set[str]) -> int:
    """Every row is read: these files are small, and their rows keep no digest."""
    return 0


def prepare(cursor) -> None:
    """Nothing to do before the checks: repeated rows are marked by the lookups' window."""


def checks(*, present: set[str], today) -> list[Check]:
    day = f"DATE '{today.isoformat()}'"
    return [
        Check("reference", "reference IS NOT NULL AND offender_id IS NULL",
              literal("is not on the register: import the register first")),
        Check("starts_on", f"starts_on__v > {day}", literal("is in the future: import an order once it is in force")),
        Check("starts_on", "starts_on__v < born_on", literal("is before the offender's date of birth")),
        Check("ends_on", "ends_on__v < starts_on__v", "'is before starts_on (' || starts_on || ')'"),
        Check("starts_on", "first_row <> row_no AND kind__v IS NOT NULL AND starts_on__v IS NOT NULL",
              "'is the same order as row ' || first_row || ' (same offender, kind and start date)'"),
    ]


def apply(cursor, *, run_id: int, present: set[str], today) -> dict:
    """Update the orders on record where the file differs (a column the file does not have is left as it is), and
    add the others."""
    params = {"run": run_id}
    fields = [(f, sql) for f, sql in FIELDS if f in present]
    updated = 0
    if fields:
        cursor.execute(
            f"UPDATE notifications_civilorder o SET {', '.join(f'{f} = {sql}' for f, sql in fields)},"
            f" import_run_id = %(run)s, updated_at = now() FROM {ROWS} s WHERE o.offender_id = s.offender_id"
            " AND o.kind = s.kind__v AND o.starts_on = s.starts_on__v"
            f" AND ({', '.join(f'o.{f}' for f, _ in fields)}) IS DISTINCT FROM ({', '.join(sql for _, sql in fields)})",
            params,
        )
        updated = cursor.rowcount
    cursor.execute(
        "INSERT INTO notifications_civilorder (offender_id, kind, starts_on, ends_on, conditions, import_run_id,"
        " created_at, updated_at)"
        f" SELECT s.offender_id, s.kind__v, s.starts_on__v, {', '.join(sql for _, sql in FIELDS)}, %(run)s, now(),"
        f" now() FROM {ROWS} s WHERE NOT EXISTS (SELECT FROM notifications_civilorder o"
        "  WHERE o.offender_id = s.offender_id AND o.kind = s.kind__v AND o.starts_on = s.starts_on__v)",
        params,
    )
    return {"created": cursor.rowcount, "updated": updated}


def flags_follow(cursor, *, changed: int) -> None:
    """A full flag run follows, as after every import but the register's."""


def notes(cursor) -> dict:
    return {}
