"""What the hourly flag job has to look at again: the whole register, or what was written since its last run.

The services bring the flags of what they write in line in the write's own transaction. The job is there for
the calendar (a day passing makes visits overdue and offenders unseen) and for writes that did not bring their
flags in line (a task lost while the broker was down, a correction made in SQL). So the first run of a day, a
run after the flag kinds or their settings changed, and a run after a tier or team was edited, after more
than WHOLE_REGISTER_AFTER rows were written, or after a large import that left its inserts out of the history,
go over the whole register; any other run looks only at the
offenders and officers written since the last run, read from the change history (a trigger records every
insert, update and delete of the register's tables, whoever makes it: offenders/history.py; a large import
leaves its inserts out, and is marked so).

"Since the last run" is measured from the run's watermark: the start of the oldest transaction open on the
database when the run began. The history stamps each event with its transaction's start, so every write the
run could not see (still open when it read the register, or begun after) has an event at or after the mark.

A write that leaves no history (a TRUNCATE, a session with triggers switched off) is not seen until the day's
first run: follow one with `manage.py refresh_flags --whole-register`.
"""

import datetime as dt
import logging
from dataclasses import dataclass

from django.utils import timezone

from visits.models import FlagKind, FlagRun
from visits.rules import today

logger = logging.getLogger(__name__)

# More rows written than this since the last run (an import, say): the whole register is cheaper than a list.
WHOLE_REGISTER_AFTER = 50_000


@dataclass(frozen=True)
class Changes:
    """The offenders and officers whose flags may have moved since the last run."""

    offenders: list[int]
    officers: list[int]

    def __bool__(self) -> bool:
        return bool(self.offenders or self.officers)


# Taken off the watermark: the start of a transaction reaches pg_stat_activity a moment (microseconds) after the
# transaction takes it, so a transaction begun just before the watermark is read might be missed without a margin.
MARGIN = dt.timedelta(seconds=1)


def watermark(cursor) -> dt.datetime | None:
    """A second before the start of the oldest transaction open on this database now (this one's included); None
    when that cannot be known, and the next run then goes over the whole register: a session of another role
    hides its transaction unless this role may read all statistics (pg_read_all_stats), a session may not
    report it (track_activities off), a prepared transaction reports none, and a transaction that is not
    READ COMMITTED reads the register as it was when it began, which may be before the oldest start seen. Only
    clients' sessions count: autovacuum and other workers write nothing of the register, and an autovacuum
    worker's long transaction would only pull the watermark back."""
    cursor.execute(
        "SELECT min(xact_start), coalesce(bool_or(usename IS NOT NULL AND (state IS NULL OR state = 'disabled')),"
        " false), EXISTS (SELECT FROM pg_prepared_xacts WHERE database = current_database()),"
        " current_setting('transaction_isolation') FROM pg_stat_activity WHERE datname = current_database()"
        " AND backend_type = 'client backend'"
    )
    start, hidden, prepared, isolation = cursor.fetchone()
    if hidden or prepared or isolation != "read committed":
        reason = "sessions of other roles hidden" if hidden else "prepared transactions" if prepared else isolation
        logger.warning("The next flag run goes over the whole register: open transactions not known (%s)", reason)
        return None
    return start - MARGIN


def since_last_run(cursor, *, as_of: dt.date, policy: str) -> Changes | None:
    """What changed since the last run, if it flagged as of the same day, counted alike, under the same policy,
    and left a watermark; None when the whole register has to be looked at."""
    last = FlagRun.objects.order_by("-id").first()
    if last is None or last.as_of != as_of or last.policy != policy or last.watermark is None:
        return None
    # A day is counted as it stood at its start once it is over (rules.counted_until): a run as of a day that has
    # ended since the last one counts it otherwise.
    if (as_of >= timezone.localdate(last.started_at)) != (as_of >= today()):
        return None
    return changes_since(cursor, last.watermark)


def changes_since(cursor, since: dt.datetime) -> Changes | None:
    """The offenders written since `since` (themselves, their visits or their reviews), and the officers whose
    caseload may have moved: those written, those an offender was moved to, and those already flagged overloaded
    (whom an offender may have left). None when a tier or team changed, more than WHOLE_REGISTER_AFTER rows were
    written, or a large import wrote rows the history does not show (caseload/imports/bulk.py)."""
    params = {"since": since, "most": WHOLE_REGISTER_AFTER + 1, "unallocated": FlagKind.UNALLOCATED_OFFENDER}
    cursor.execute(
        "SELECT EXISTS (SELECT FROM offenders_risktierevent WHERE pgh_created_at >= %(since)s)"
        " OR EXISTS (SELECT FROM offenders_importrun WHERE history_left_out_at >= %(since)s)"
        " OR EXISTS (SELECT FROM offenders_teamevent WHERE pgh_created_at >= %(since)s)"
        " OR (SELECT count(*) FROM (SELECT FROM offenders_offenderevent WHERE pgh_created_at >= %(since)s"
        "  LIMIT %(most)s) o) + (SELECT count(*) FROM (SELECT FROM visits_visitevent WHERE pgh_created_at >="
        "  %(since)s LIMIT %(most)s) v) + (SELECT count(*) FROM (SELECT FROM visits_reviewevent WHERE"
        "  pgh_created_at >= %(since)s LIMIT %(most)s) r) >= %(most)s",
        params,
    )
    if cursor.fetchone()[0]:
        return None
    cursor.execute(
        "SELECT pgh_obj_id FROM offenders_offenderevent WHERE pgh_created_at >= %(since)s"
        " UNION SELECT offender_id FROM visits_visitevent WHERE pgh_created_at >= %(since)s"
        " UNION SELECT offender_id FROM visits_reviewevent WHERE pgh_created_at >= %(since)s"
        # the cases of an officer written since who has left (now unallocated), or who is back (flagged unallocated)
        " UNION SELECT o.id FROM offenders_offender o JOIN offenders_officer f ON f.id = o.officer_id"
        "  WHERE f.id IN (SELECT pgh_obj_id FROM offenders_officerevent WHERE pgh_created_at >= %(since)s)"
        "  AND (NOT f.active OR EXISTS (SELECT FROM visits_flag g WHERE g.offender_id = o.id"
        "   AND g.kind = %(unallocated)s AND g.cleared_at IS NULL)) ORDER BY 1",
        params,
    )
    offenders = [pk for (pk,) in cursor.fetchall()]
    cursor.execute(
        "SELECT pgh_obj_id FROM offenders_officerevent WHERE pgh_created_at >= %(since)s"
        " UNION SELECT officer_id FROM offenders_offenderevent WHERE pgh_created_at >= %(since)s"
        "  AND officer_id IS NOT NULL"
        " UNION SELECT officer_id FROM visits_flag WHERE %(moved)s AND kind = %(overloaded)s AND cleared_at IS NULL"
        " ORDER BY 1",
        params | {"moved": bool(offenders), "overloaded": FlagKind.OVERLOADED_OFFICER},
    )
    return Changes(offenders=offenders, officers=[pk for (pk,) in cursor.fetchall()])
