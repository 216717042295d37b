"""notifications.csv: the notifications offenders made. A notification is its offender, date and kind; a row updates
the one on record (its details, trip and new address) or adds it. Added notifications later than any on record hold
the offender's open notification due item and make the next due, and a change notification's new address becomes the
offender's and brings the risk assessment review forward (notification_chain.py)."""

from caseload.imports.columns import Check, Column, literal
from caseload.imports.notification_chain import (
    addresses_follow,
    create_notified_table,
    last_notified_follows,
    notifications_made,
    open_missing,
    trips_follow,
)
from caseload.imports.staging import ROWS
from notifications.models import NotificationKind

TRAVEL = literal(NotificationKind.TRAVEL)
CHANGE = literal(NotificationKind.CHANGE)
TRIP = ("destination", "departs_on", "returns_on")
NEW_ADDRESS = ("address", "postcode")
COLUMNS = [
    Column("reference", required=True, max_length=40, help="the offender (must be on the register)"),
    Column("notified_on", "date", required=True, help="the day the notification was made"),
    Column("kind", "choice", required=True, choices=tuple(NotificationKind.values),
           help="initial, periodic, weekly, change or travel"),
    Column("details", help="free text"),
    Column("destination", max_length=200, help="travel only: where to"),
    Column("departs_on", "date", help="travel only: the day of departure (with returns_on)"),
    Column("returns_on", "date", help="travel only: the day of return, not before departs_on"),
    Column("address", help="change only: the offender's new address"),
    Column("postcode", max_length=12, help="change only: the new address's postcode (with address)"),
]
# What a row sets on its notification: (model column, SQL), each from the file column of the same name.
FIELDS = [
    ("details", "coalesce(s.details, '')"),
    ("destination", "coalesce(s.destination, '')"),
    ("departs_on", "s.departs_on__v"),
    ("returns_on", "s.returns_on__v"),
    ("address", "coalesce(s.address, '')"),
    ("postcode", "upper(coalesce(s.postcode, ''))"),
]

# No large-load path: a notification history is loaded by ordinary statements.
BULK_KEYS: dict[str, list[str]] = {}


def lookups(*, present: set[str], today) -> tuple[str, str]:
    select = (
        "x.id AS offender_id, x.registered_on,"
        " min(s.row_no) OVER (PARTITION BY upper(s.reference), s.notified_on__v, s.kind__v) AS first_row"
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
        Check("notified_on", f"notified_on__v > {day}", literal("is in the future")),
        Check("notified_on", "notified_on__v < registered_on",
              "'is before the offender''s registration (registered_on ' || to_char(registered_on, 'YYYY-MM-DD')"
              " || ')'"),
        Check("notified_on", "first_row <> row_no AND kind__v IS NOT NULL AND notified_on__v IS NOT NULL",
              "'is the same notification as row ' || first_row || ' (same offender, date and kind)'"),
        *(Check(column, f"{column} IS NOT NULL AND kind__v <> {TRAVEL}",
                literal("is for travel notifications only (kind travel)")) for column in TRIP),
        *(Check(column, f"{column} IS NOT NULL AND kind__v <> {CHANGE}",
                literal("is for change notifications only (kind change): the new address")) for column in NEW_ADDRESS),
        Check("returns_on", "returns_on__v < departs_on__v", "'is before departs_on (' || departs_on || ')'"),
        Check("returns_on", f"returns_on IS NULL AND departs_on IS NOT NULL AND kind__v = {TRAVEL}",
              literal("is required when departs_on is given: a trip has both dates")),
        Check("departs_on", f"departs_on IS NULL AND returns_on IS NOT NULL AND kind__v = {TRAVEL}",
              literal("is required when returns_on is given: a trip has both dates")),
        Check("postcode", f"postcode IS NOT NULL AND address IS NULL AND kind__v = {CHANGE}",
              literal("goes with a new address: give the address too")),
    ]


def apply(cursor, *, run_id: int, present: set[str], today) -> dict:
    """Update the notifications on record where the file differs, add the others (in the file's order), then let a
    new address move the offender and the new notifications hold the due items."""
    params = {"run": run_id}
    # As a service locks the case it writes to (visits/services.offender_locked): no notification recorded meanwhile.
    cursor.execute(
        f"SELECT FROM offenders_offender WHERE id IN (SELECT offender_id FROM {ROWS}) ORDER BY id FOR UPDATE")
    create_notified_table(cursor)
    fields = [(f, sql) for f, sql in FIELDS if f in present]
    updated = 0
    if fields:
        new_address = "(o.address, o.postcode) IS DISTINCT FROM (n.address, n.postcode) AND n.address <> ''"
        cursor.execute(
            "WITH changed AS ("
            f" UPDATE notifications_notification n SET {', '.join(f'{f} = {sql}' for f, sql in fields)},"
            f"  import_run_id = %(run)s FROM {ROWS} s JOIN notifications_notification o"
            "   ON o.offender_id = s.offender_id AND o.notified_on = s.notified_on__v AND o.kind = s.kind__v"
            f" WHERE n.id = o.id AND ({', '.join(f'n.{f}' for f, _ in fields)})"
            f"  IS DISTINCT FROM ({', '.join(sql for _, sql in fields)})"
            " RETURNING n.id, n.offender_id, n.notified_on, n.departs_on, n.returns_on, n.address, n.postcode,"
            f"  false, {new_address}"
            ") INSERT INTO import_notified SELECT * FROM changed",
            params,
        )
        updated = cursor.rowcount
    names = ", ".join(f for f, _ in FIELDS)
    cursor.execute(
        "WITH added AS ("
        f" INSERT INTO notifications_notification (offender_id, notified_on, kind, {names}, import_run_id,"
        "  created_at)"
        f" SELECT s.offender_id, s.notified_on__v, s.kind__v, {', '.join(sql for _, sql in FIELDS)}, %(run)s, now()"
        f" FROM {ROWS} s WHERE NOT EXISTS (SELECT FROM notifications_notification n"
        "  WHERE n.offender_id = s.offender_id AND n.notified_on = s.notified_on__v AND n.kind = s.kind__v)"
        " ORDER BY s.row_no"
        " RETURNING id, offender_id, notified_on, departs_on, returns_on, address, postcode, true, address <> ''"
        ") INSERT INTO import_notified SELECT * FROM added",
        params,
    )
    created = cursor.rowcount
    moved = addresses_follow(cursor, params)
    notifications_made(cursor, params)
    open_missing(cursor, params)
    trips_follow(cursor, params)
    last_notified_follows(cursor, params)
    return {"created": created, "updated": updated, **moved}


def flags_follow(cursor, *, changed: int) -> None:
    """A full flag run follows: the notifications due and the reviews may have moved for any offender in the file."""


def notes(cursor) -> dict:
    return {}
