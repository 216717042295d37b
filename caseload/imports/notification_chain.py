"""What the notifications an import writes do to the case, set-based (visits/reviews.py and notifications/services.py
do the same for one notification): the offender's next notification (a due item, kind `notification`) and, for a
change of address, the register's address and the risk assessment review. For notifications.py."""

from caseload.imports.notification_dates import COLUMNS as REVIEW_COLUMNS
from caseload.imports.notification_dates import LATEST, NOTIFICATION
from caseload.imports.review_dates import REVIEW
from caseload.imports.staging import ROWS
from visits import rules
from visits.reviews import TRIP

MOVED_BECAUSE = "New address notified"  # as notifications/services.py says for a new address notified


def create_notified_table(cursor) -> None:
    """import_notified: the notifications an import added (is_new) or changed, and whether each gives the offender
    an address they may not have yet (a change notification added with one, or whose address or postcode changed)."""
    cursor.execute(
        "CREATE TEMP TABLE import_notified (id bigint, offender_id bigint, notified_on date, departs_on date,"
        " returns_on date, address text, postcode text, is_new boolean, new_address boolean) ON COMMIT DROP"
    )


def around_trip(due_on: str, alias: str) -> str:
    """SQL of rules.notification_around_trip: `due_on` moved past the return from the trip notification `alias`
    notifies, when it falls due during it (a notification that is not of a trip has no dates, and moves nothing)."""
    return rules.NOTIFICATION_AFTER_RETURN.sql(due_on=due_on, returned_on=f"{alias}.returns_on",
                                               left_on=f"{alias}.departs_on",
                                               days=str(int(rules.notify_after_return_days())))


def next_due(alias: str) -> str:
    """SQL of the next notification due after notification `alias` of offender `x` (x.no_fixed_abode as it is now):
    rules.NEXT_NOTIFICATION_DUE, moved past the return from the trip it notifies."""
    due_on = rules.NEXT_NOTIFICATION_DUE.sql(no_fixed_abode="x.no_fixed_abode", last=f"{alias}.notified_on")
    return around_trip(due_on, alias)


def notifications_made(cursor, params: dict) -> None:
    """The notifications the import added that are later than any on record before it (made, closing a notification
    item, or the register's last_notified_on: rules.notification_is_history), in date order, each hold the item open
    at the time and make the next due (visits/reviews.notification_made for one at a time): the earliest closes the
    offender's open item, each later one an item due after the one before it, and the latest leaves one open. One day
    is one link: of two notifications made the same day (kinds differ), a travel notice with its dates, else the
    later recorded, closes the item. Older ones, or ones of a day already accounted for, are history."""
    cursor.execute(
        "CREATE TEMP TABLE import_chain ON COMMIT DROP AS SELECT d.offender_id, d.id, d.notified_on, d.next_due,"
        " lag(d.next_due) OVER w AS due_on, row_number() OVER w AS n, count(*) OVER (PARTITION BY d.offender_id) AS k"
        " FROM (SELECT DISTINCT ON (a.offender_id, a.notified_on) a.offender_id, a.id, a.notified_on,"
        f"  {next_due('a')} AS next_due"
        "  FROM import_notified a JOIN offenders_offender x ON x.id = a.offender_id WHERE a.is_new"
        "  AND NOT EXISTS (SELECT FROM notifications_notification o WHERE o.offender_id = a.offender_id"
        "   AND o.notified_on >= a.notified_on AND NOT EXISTS (SELECT FROM import_notified i WHERE i.id = o.id"
        "   AND i.is_new))"
        "  AND NOT EXISTS (SELECT FROM visits_review r WHERE r.offender_id = a.offender_id"
        f"   AND r.kind = {NOTIFICATION} AND r.closed_on >= a.notified_on)"
        "  AND a.notified_on > coalesce(x.last_notified_on, '-infinity')"
        "  ORDER BY a.offender_id, a.notified_on, a.departs_on IS NULL, a.id DESC"
        " ) d WINDOW w AS (PARTITION BY d.offender_id ORDER BY d.notified_on)"
    )
    cursor.execute(
        "UPDATE visits_review r SET closed_on = c.notified_on, notification_id = c.id, import_run_id = %(run)s,"
        f" updated_at = now() FROM import_chain c WHERE c.n = 1 AND r.offender_id = c.offender_id"
        f" AND r.kind = {NOTIFICATION} AND r.closed_on IS NULL",
        params,
    )
    cursor.execute(
        f"INSERT INTO visits_review ({REVIEW_COLUMNS}, closed_on, notification_id) SELECT c.offender_id,"
        f" {NOTIFICATION}, c.due_on, '', %(run)s, now(), now(), c.notified_on, c.id FROM import_chain c WHERE c.n > 1",
        params,
    )
    cursor.execute(
        f"INSERT INTO visits_review ({REVIEW_COLUMNS}) SELECT c.offender_id, {NOTIFICATION}, c.next_due, '',"
        " %(run)s, now(), now() FROM import_chain c WHERE c.n = c.k",
        params,
    )


def trips_follow(cursor, params: dict) -> None:
    """A trip the import added or changed moves the open notification item past its return when it falls due during
    it, whichever was notified first (visits/reviews.notification_made for one)."""
    moved = around_trip("r.due_on", "i")
    cursor.execute(
        "UPDATE visits_review r SET due_on = t.due_on, brought_forward_because = %(because)s,"
        " import_run_id = %(run)s, updated_at = now()"
        f" FROM (SELECT r.id, max({moved}) AS due_on FROM visits_review r JOIN import_notified i"
        f"  ON i.offender_id = r.offender_id AND i.departs_on IS NOT NULL WHERE r.kind = {NOTIFICATION}"
        "  AND r.closed_on IS NULL GROUP BY r.id) t WHERE r.id = t.id AND t.due_on <> r.due_on",
        {**params, "because": TRIP},
    )


def last_notified_follows(cursor, params: dict) -> None:
    """The offenders' latest notification on record takes the latest the import added."""
    cursor.execute(
        "UPDATE offenders_offender x SET last_notified_on = l.notified_on, import_run_id = %(run)s,"
        " updated_at = now() FROM (SELECT offender_id, max(notified_on) AS notified_on FROM import_notified"
        "  WHERE is_new GROUP BY offender_id) l WHERE x.id = l.offender_id"
        " AND l.notified_on > coalesce(x.last_notified_on, '-infinity')",
        params,
    )


def open_missing(cursor, params: dict) -> None:
    """An offender in the file with no open notification item gets one, due after the latest notification on record
    (else the initial notification, else registration), as the register does (notification_dates.py)."""
    last = f"greatest({LATEST}, x.first_notified_on, x.registered_on)"
    due_on = rules.NEXT_NOTIFICATION_DUE.sql(no_fixed_abode="x.no_fixed_abode", last=last)
    cursor.execute(
        f"INSERT INTO visits_review ({REVIEW_COLUMNS}) SELECT x.id, {NOTIFICATION}, {due_on}, '', %(run)s, now(),"
        f" now() FROM offenders_offender x WHERE x.id IN (SELECT offender_id FROM {ROWS})"
        f" AND NOT EXISTS (SELECT FROM visits_review r WHERE r.offender_id = x.id AND r.kind = {NOTIFICATION}"
        "  AND r.closed_on IS NULL)",
        params,
    )


def addresses_follow(cursor, params: dict) -> dict:
    """A change notification's new address becomes the offender's (who then has a fixed abode, as
    notifications/services.py has it), when it is the latest address notified (none on record is later) and differs
    from the register's; a new address brings the open risk assessment review forward to within the trigger
    allowance of the day it was notified, never later (rules.REVIEW_BROUGHT_FORWARD, as
    register.bring_reviews_forward does for a new address), unless an assessment on or after that day took it into
    account. Only what the import added or changed moves an address: a file imported again moves nothing. Before
    the due items follow (notifications_made): the next notification is due as for someone with an address."""
    cursor.execute(
        "CREATE TEMP TABLE import_moved ON COMMIT DROP AS SELECT l.*, x.address IS DISTINCT FROM l.address AS moved"
        " FROM (SELECT DISTINCT ON (i.offender_id) i.offender_id, i.notified_on, i.address, i.postcode"
        "  FROM import_notified i WHERE i.new_address AND NOT EXISTS (SELECT FROM notifications_notification n"
        "   WHERE n.offender_id = i.offender_id AND n.address <> '' AND n.notified_on > i.notified_on)"
        "  ORDER BY i.offender_id, i.notified_on DESC, i.id DESC"
        " ) l JOIN offenders_offender x ON x.id = l.offender_id"
        " WHERE (x.address, x.postcode, x.no_fixed_abode) IS DISTINCT FROM (l.address, l.postcode, false)"
    )
    due_on = rules.REVIEW_BROUGHT_FORWARD.sql(due_on="r.due_on", event_on="m.notified_on", trigger_days="%(days)s")
    cursor.execute(
        f"UPDATE visits_review r SET due_on = {due_on}, brought_forward_because = %(because)s,"
        " import_run_id = %(run)s, updated_at = now() FROM import_moved m WHERE m.moved"
        f" AND r.offender_id = m.offender_id AND r.kind = {REVIEW} AND r.closed_on IS NULL AND {due_on} < r.due_on"
        " AND NOT EXISTS (SELECT FROM offenders_riskassessment a WHERE a.offender_id = m.offender_id"
        "  AND a.assessed_on >= m.notified_on)",
        {**params, "days": rules.review_trigger_days(), "because": MOVED_BECAUSE},
    )
    brought_forward = cursor.rowcount
    cursor.execute(
        "UPDATE offenders_offender x SET address = m.address, postcode = m.postcode, no_fixed_abode = false,"
        " import_run_id = %(run)s, updated_at = now() FROM import_moved m WHERE x.id = m.offender_id",
        params,
    )
    return {"addresses_changed": cursor.rowcount, "reviews_brought_forward": brought_forward}
