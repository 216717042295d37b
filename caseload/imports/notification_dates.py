"""The register's notification columns, set-based (visits/reviews.py does the same for one offender): each offender
in the file has one open notification due item, due `next_notification_due`, else a year (a week with no fixed
abode) after the last notification (rules.NEXT_NOTIFICATION_DUE); a `last_notified_on` later than any on record
closes the open one that day and opens the next; a return to the community moves it past the return."""

from caseload.imports.review_dates import REVIEW_COLUMNS
from visits import rules
from visits.formula import sql_literal, sql_values
from visits.models import ReviewKind

NOTIFICATION = sql_literal(ReviewKind.NOTIFICATION)
COLUMNS = REVIEW_COLUMNS  # a due item is written with the reviews' columns
# The latest notification on record for offender `x`: the register's last_notified_on, one made (notifications.csv,
# the offender's page), or one that closed a due item.
LATEST = (
    "greatest(x.last_notified_on, (SELECT max(n.notified_on) FROM notifications_notification n"
    f" WHERE n.offender_id = x.id), (SELECT max(r.closed_on) FROM visits_review r WHERE r.offender_id = x.id"
    f" AND r.kind = {NOTIFICATION}))"
)


def touching(update: str) -> str:
    """An UPDATE of due items that adds their offenders to the register import's import_touched (their flags follow,
    and they count as updated)."""
    return f"WITH moved AS ({update} RETURNING r.offender_id) INSERT INTO import_touched SELECT offender_id FROM moved"


def notifications_closed(cursor, params: dict, *, rows: str) -> None:
    """A `last_notified_on` later than any notification on record closes the open item that day. Before the
    offenders are updated: their own `last_notified_on` is part of what is on record."""
    cursor.execute(touching(
        "UPDATE visits_review r SET closed_on = s.last_notified_on__v, import_run_id = %(run)s, updated_at = now()"
        f" FROM {rows} s JOIN offenders_offender x ON x.id = s.offender_id WHERE NOT s.is_new"
        f" AND r.offender_id = s.offender_id AND r.kind = {NOTIFICATION} AND r.closed_on IS NULL"
        f" AND s.last_notified_on__v > coalesce({LATEST}, '-infinity')"
    ), params)


def notifications_follow(cursor, params: dict, *, rows: str, present: set[str], known: bool = True) -> None:
    """After the offenders are written: open what is missing (what notifications_closed closed included), and move
    an open item to the `next_notification_due` the file gives (only new offenders' without `known` ones)."""
    # A new offender's first, from the file (as the offender was written from it); a known one's missing (never
    # opened), from what is on record too.
    _open(cursor, params, rows=rows, last="coalesce(s.last_notified_on__v, s.first_notified_on__v, s.registered_on__v)",
          which="s.is_new", no_fixed_abode="coalesce(s.no_fixed_abode__v, false)")
    if not known:
        return
    _open(cursor, params, rows=rows, last=f"greatest(s.last_notified_on__v, {LATEST}, x.first_notified_on,"
          " x.registered_on)", which=f"NOT s.is_new AND NOT EXISTS (SELECT FROM visits_review r"
          f" WHERE r.offender_id = s.offender_id AND r.kind = {NOTIFICATION} AND r.closed_on IS NULL)")
    if "next_notification_due" in present:
        cursor.execute(touching(
            "UPDATE visits_review r SET due_on = s.next_notification_due__v, import_run_id = %(run)s,"
            f" updated_at = now() FROM {rows} s WHERE NOT s.is_new AND r.offender_id = s.offender_id"
            f" AND r.kind = {NOTIFICATION} AND r.closed_on IS NULL AND s.next_notification_due__v IS NOT NULL"
            " AND r.due_on <> s.next_notification_due__v"
        ), params)


def _open(cursor, params: dict, *, rows: str, last: str, which: str, no_fixed_abode: str | None = None) -> None:
    """Open a notification due item for the offenders `which` picks: `next_notification_due`, else
    rules.NEXT_NOTIFICATION_DUE after `last`; read from the offenders on record (`x`) unless `no_fixed_abode` says
    how to read it from the file."""
    due_on = rules.NEXT_NOTIFICATION_DUE.sql(no_fixed_abode=no_fixed_abode or "x.no_fixed_abode", last=last)
    offenders = "" if no_fixed_abode else " JOIN offenders_offender x ON x.id = s.offender_id"
    cursor.execute(
        f"INSERT INTO visits_review ({COLUMNS}) SELECT s.offender_id, {NOTIFICATION},"
        f" coalesce(s.next_notification_due__v, {due_on}), '', %(run)s, now(), now()"
        f" FROM {rows} s{offenders} WHERE {which}",
        params,
    )


def notifications_after_return(cursor, params: dict, *, rows: str, away: tuple, community: str) -> None:
    """A known offender back in the community from custody, hospital or abroad: the open notification falls due the
    allowance after the import's day, never sooner, unless it fell due before they left (rules.NOTIFICATION_AFTER_-
    RETURN, with the day caseload saw them leave). Before the offenders are updated: the return is found by comparing
    them with the file, and they left on their status_since."""
    due_on = rules.NOTIFICATION_AFTER_RETURN.sql(due_on="r.due_on", returned_on="%(today)s", days="%(return_days)s",
                                                 left_on="x.status_since")
    cursor.execute(touching(
        f"UPDATE visits_review r SET due_on = {due_on}, brought_forward_because = 'Returned to the community',"
        " import_run_id = %(run)s, updated_at = now()"
        f" FROM {rows} s JOIN offenders_offender x ON x.id = s.offender_id AND NOT s.is_new"
        f" WHERE r.offender_id = s.offender_id AND r.kind = {NOTIFICATION} AND r.closed_on IS NULL"
        f" AND {due_on} <> r.due_on AND s.status__v = {community} AND x.status IN {sql_values(*away)}"
    ), {**params, "return_days": rules.notify_after_return_days()})
