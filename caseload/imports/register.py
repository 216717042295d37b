"""register.csv: offenders keyed by reference (whatever its case), with their last and next visit, review and
notification (notification_dates.py).

A row sets the offender; adds a risk assessment when the tier changes or `last_assessed_on` is newer than any on
record (which holds the open review and opens the next); records `last_visit_on` as a completed visit, and sets
the one open visit to `next_visit_due` (or, when that is blank and the offender is visited, to one interval after
the last visit), and the open review to `next_assessment_due` (or, for a new offender, to one review interval
after the last assessment, else the first-review allowance after registration).
"""

from django.db import connection

from caseload.imports.bulk import bulk_load_wanted, inserts_left_out_of_history, keys_and_indexes_set_aside
from caseload.imports.columns import Check, Column, literal
from caseload.imports.notification_dates import notifications_after_return, notifications_closed, notifications_follow
from caseload.imports.review_dates import (
    REVIEW,
    REVIEW_COLUMNS,
    create_assessed_table,
    mappa_reviews_follow,
    reviews_assessed,
)
from caseload.imports.staging import RAW, ROWS, trimmed
from offenders.models import OffenderStatus, RiskTier
from visits import rules
from visits.flagging import flags_refresh_for
from visits.formula import sql_literal, sql_values
from visits.models import OPEN_STATUSES, VisitStatus
from visits.services import AWAY_STATUSES, SUSPENDED_STATUSES

ASSESSMENT_TOOLS = ("rm2000", "arms", "other")
COLUMNS = [
    Column("reference", required=True, max_length=40, help="unique register reference; the key for updates"),
    Column("surname", required=True, max_length=150),
    Column("forenames", required=True, max_length=150),
    Column("date_of_birth", "date", required=True, help="a date in the past"),
    Column("risk_tier", required=True, help="a tier code or name from the tier table"),
    Column("officer", max_length=30, help="staff_id of the offender manager; blank = unallocated"),
    Column("status", "choice", choices=tuple(OffenderStatus.values), help="default community"),
    Column("registered_on", "date", required=True, help="date the notification period started"),
    Column("registration_ends_on", "date", help="blank = indefinite"),
    Column("mappa_category", "integer", minimum=1, maximum=4),
    Column("mappa_level", "integer", minimum=1, maximum=3),
    Column("address"),
    Column("postcode", max_length=12),
    Column("visit_interval_days", "integer", minimum=1, maximum=3650, help="override interval"),
    Column("reactive", "boolean", help="yes/no: reactive management"),
    Column("last_visit_on", "date", help="date of the last completed home visit"),
    Column("next_visit_due", "date", help="due date of the open scheduled visit"),
    Column("last_assessed_on", "date", help="date of the latest risk assessment (its tier is risk_tier)"),
    Column("assessment_tool", "choice", choices=ASSESSMENT_TOOLS, help="rm2000, arms or other (default arms)"),
    Column("next_assessment_due", "date", help="due date of the next assessment review"),
    Column("mappa_next_review_on", "date", help="for level 2 and 3 cases: the next multi-agency review"),
    Column("first_notified_on", "date", help="date of the initial notification (default registered_on)"),
    Column("last_notified_on", "date", help="date of the latest notification of any kind"),
    Column("no_fixed_abode", "boolean", help="yes/no (default no): weekly notification"),
    Column("next_notification_due", "date", help="due date of the next notification"),
]
OPEN = sql_values(*OPEN_STATUSES)
COMPLETED = sql_literal(VisitStatus.COMPLETED)
SCHEDULED = sql_literal(VisitStatus.SCHEDULED)
COMMUNITY = sql_literal(OffenderStatus.COMMUNITY)
STATUS = f"coalesce(s.status__v, {COMMUNITY})"
TIER_KEY = "lower(replace(replace({}, ' ', '_'), '-', '_'))"

# Offender columns set from the file: (model column, SQL for a new offender, file column).
FIELDS = [
    ("reference", "s.reference", "reference"),
    ("surname", "s.surname", "surname"),
    ("forenames", "s.forenames", "forenames"),
    ("date_of_birth", "s.date_of_birth__v", "date_of_birth"),
    ("risk_tier_id", "s.tier_id", "risk_tier"),
    ("officer_id", "s.officer_id", "officer"),
    ("status", STATUS, "status"),
    ("registered_on", "s.registered_on__v", "registered_on"),
    ("registration_ends_on", "s.registration_ends_on__v", "registration_ends_on"),
    ("mappa_category", "s.mappa_category__v", "mappa_category"),
    ("mappa_level", "s.mappa_level__v", "mappa_level"),
    ("address", "coalesce(s.address, '')", "address"),
    ("postcode", "coalesce(s.postcode, '')", "postcode"),
    ("visit_interval_days", "s.visit_interval_days__v", "visit_interval_days"),
    ("reactive", "coalesce(s.reactive__v, false)", "reactive"),
    ("first_notified_on", "s.first_notified_on__v", "first_notified_on"),
    ("no_fixed_abode", "coalesce(s.no_fixed_abode__v, false)", "no_fixed_abode"),
    ("last_notified_on", "s.last_notified_on__v", "last_notified_on"),
]
# How a known offender's column is updated, where not as a new one's is set: a notification recorded since the
# register was drawn stays the latest.
UPDATED_AS = {"last_notified_on": "greatest(x.last_notified_on, s.last_notified_on__v)"}


def tier_lookup() -> str:
    """SQL of the tiers by the keys a file may name them with: code or name, any case, spaces or hyphens for
    underscores (a code wins over a name)."""
    return (
        "SELECT DISTINCT ON (key) key, id, visit_interval_days FROM ("
        f" SELECT {TIER_KEY.format('code')} AS key, id, visit_interval_days, 1 AS rank FROM offenders_risktier"
        f" UNION ALL SELECT {TIER_KEY.format('name')}, id, visit_interval_days, 2 FROM offenders_risktier"
        ") k ORDER BY key, rank"
    )


def lookups(*, present: set[str], today) -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence('offenders_offender', 'id')")
        sequence = literal(cursor.fetchone()[0])
    select = (
        "tier.id AS tier_id, o.id AS officer_id, o.active AS officer_active, x.officer_id AS current_officer_id,"
        f" coalesce(x.id, nextval({sequence}::regclass)) AS offender_id, x.id IS NULL AS is_new,"
        " NULL::bigint AS first_row"
    )
    joins = (
        f"LEFT JOIN ({tier_lookup()}) tier ON tier.key = {TIER_KEY.format('s.risk_tier')}"
        " LEFT JOIN offenders_officer o ON o.staff_id = s.officer"
        " LEFT JOIN offenders_offender x ON upper(x.reference) = upper(s.reference)"
    )
    return select, joins


DIGEST_VERSION = "register/1"


def skip_unchanged(cursor, *, present: set[str]) -> int:
    """Rows that are as they were when last imported leave the raw staging table before anything is checked
    or written; `import_unchanged` keeps their offenders, for the report. A reference the file gives twice
    is never passed over, so that the check for it sees both rows.

    A row's digest is a 64-bit hash (PostgreSQL's hashtextextended, the hash of its hash partitions: stable,
    and four times as fast as MD5) of its cells as the file holds them, in COLUMNS order, and of which
    columns the file has (a column added to or left out of the file changes every row's digest);
    `import_digests` keeps each row's, for `remember_digests`.

    What such a row last set may have been changed in caseload since (a case reassigned, a visit moved):
    that change stands until the register's row for the offender changes."""
    names = [c.name for c in COLUMNS if c.name in present]
    cells = ", ".join(f'coalesce(r."{name}", chr(30))' for name in names)
    digest = f"hashtextextended(concat_ws(chr(31), {literal(DIGEST_VERSION + ':' + ','.join(names))}, {cells}), 0)"
    cursor.execute(
        "CREATE TEMP TABLE import_digests ON COMMIT DROP AS"
        f" SELECT r.row_no, upper({trimmed('r', 'reference')}) AS key, {digest} AS digest FROM {RAW} r"
    )
    # The references given more than once (whatever their case), with the first row that gives each: one hash
    # aggregate over the narrow keys, for this and for `prepare`.
    cursor.execute(
        "CREATE TEMP TABLE import_twice ON COMMIT DROP AS SELECT key, min(row_no) AS first_row FROM import_digests"
        " WHERE key IS NOT NULL GROUP BY 1 HAVING count(*) > 1"
    )
    cursor.execute("CREATE TEMP TABLE import_unchanged (row_no bigint, offender_id bigint) ON COMMIT DROP")
    cursor.execute("SELECT EXISTS (SELECT 1 FROM offenders_importdigest)")
    if not cursor.fetchone()[0]:
        return 0  # a first load: nothing to compare with
    cursor.execute(
        "INSERT INTO import_unchanged SELECT g.row_no, x.id FROM import_digests g"
        " JOIN offenders_offender x ON upper(x.reference) = g.key"
        " JOIN offenders_importdigest d ON d.offender_id = x.id AND d.digest = g.digest"
        " WHERE g.key NOT IN (SELECT key FROM import_twice)"
    )
    skipped = cursor.rowcount
    if skipped:
        # Copying the rows left is cheaper than deleting the many passed over.
        cursor.execute(
            f"CREATE TEMP TABLE import_changed ON COMMIT DROP AS SELECT r.* FROM {RAW} r"
            " WHERE NOT EXISTS (SELECT 1 FROM import_unchanged u WHERE u.row_no = r.row_no)"
        )
        cursor.execute(f"DROP TABLE {RAW}")
        cursor.execute(f"ALTER TABLE import_changed RENAME TO {RAW}")
    return skipped


def remember_digests(cursor, *, known: bool = True) -> None:
    """Each written row's digest, for the next import to compare with (a new offender's is a plain insert:
    ON CONFLICT's speculative insertion would cost a third more on a first load)."""
    digests = f"SELECT s.offender_id, g.digest FROM {ROWS} s JOIN import_digests g ON g.row_no = s.row_no"
    cursor.execute(f"INSERT INTO offenders_importdigest (offender_id, digest) {digests} WHERE s.is_new")
    if not known:
        return
    cursor.execute(
        f"INSERT INTO offenders_importdigest (offender_id, digest) {digests} WHERE NOT s.is_new"
        " ON CONFLICT (offender_id) DO UPDATE SET digest = EXCLUDED.digest"
        " WHERE offenders_importdigest.digest <> EXCLUDED.digest"
    )


def prepare(cursor) -> None:
    """Mark references given more than once (whatever their case) with the first row that gives each, as
    skip_unchanged found them (a reference given twice is never passed over, so all its rows are here).

    One hash aggregate over the file's keys: far cheaper than a window over every row, or a join that every row of
    the file has to probe."""
    cursor.execute(f"UPDATE {ROWS} s SET first_row = d.first_row FROM import_twice d WHERE upper(s.reference) = d.key")


def checks(*, present: set[str], today) -> list[Check]:
    day = f"DATE '{today.isoformat()}'"
    tiers = ", ".join(RiskTier.objects.values_list("code", flat=True))
    return [
        Check("reference", "first_row <> row_no", "'appears twice: it is already on row ' || first_row"),
        Check("risk_tier", "risk_tier IS NOT NULL AND tier_id IS NULL", literal(f"is not a risk tier: use {tiers}")),
        Check("officer", "officer IS NOT NULL AND officer_id IS NULL",
              literal("is not the staff_id of any officer: import the officers first")),
        Check("officer", "officer_id IS NOT NULL AND NOT officer_active AND officer_id IS DISTINCT FROM"
              " current_officer_id", literal("is an inactive officer, who gets no new cases")),
        Check("date_of_birth", f"date_of_birth__v >= {day}", literal("is not in the past")),
        Check("registered_on", f"registered_on__v < date_of_birth__v AND date_of_birth__v < {day}",
              literal("is before the date of birth")),
        Check("registration_ends_on", "registration_ends_on__v < registered_on__v",
              literal("is before registered_on")),
        Check("last_visit_on", f"last_visit_on__v > {day}", literal("is in the future")),
        Check("last_visit_on", f"last_visit_on__v < date_of_birth__v AND date_of_birth__v < {day}",
              literal("is before the date of birth")),
        Check("mappa_next_review_on", "mappa_next_review_on__v IS NOT NULL AND coalesce(mappa_level__v NOT IN (2, 3),"
              " true)", literal("is for level 2 and 3 cases only: give mappa_level 2 or 3, or leave it blank")),
        Check("last_assessed_on", f"last_assessed_on__v > {day}", literal("is in the future")),
        Check("first_notified_on", f"first_notified_on__v > {day}", literal("is in the future")),
        Check("first_notified_on", f"first_notified_on__v < date_of_birth__v AND date_of_birth__v < {day}",
              literal("is before the date of birth")),
        Check("last_notified_on", f"last_notified_on__v > {day}", literal("is in the future")),
        Check("last_notified_on", "last_notified_on__v < coalesce(first_notified_on__v, registered_on__v)",
              literal("is before the initial notification (first_notified_on, else registered_on)")),
        Check("last_assessed_on", f"last_assessed_on__v < date_of_birth__v AND date_of_birth__v < {day}",
              literal("is before the date of birth")),
    ]


# DIGEST_VERSION names how a row is hashed and what an import does with it: change it with either, so that
# every row is read and checked again. A row passed over is not checked again either: a check that would
# refuse it now (an officer made inactive since, say) finds it when the row next changes.

# The foreign keys a register import writes, per table: set aside during a large load (see bulk.py).
BULK_KEYS = {
    "offenders_offender": ["risk_tier_id", "officer_id", "import_run_id"],
    "visits_visit": ["offender_id", "officer_id", "import_run_id", "recorded_by_id", "cancelled_by_id"],
    "offenders_importdigest": ["offender_id"],
    "visits_review": ["offender_id", "assessment_id", "import_run_id", "meeting_id", "notification_id"],
    "offenders_riskassessment": ["offender_id", "risk_tier_id", "import_run_id", "assessor_id"],
}


def apply(cursor, *, run_id: int, present: set[str], today) -> dict:
    """Write the file; a large load checks keys and builds indexes once, at the end, and leaves the rows it
    inserts out of the change history until they first change (bulk.py)."""
    cursor.execute(f"SELECT count(*) FILTER (WHERE is_new), count(*) FILTER (WHERE NOT is_new) FROM {ROWS}")
    new_rows, known_rows = cursor.fetchone()
    if not bulk_load_wanted(new_rows=new_rows):
        return write(cursor, run_id=run_id, present=present, today=today, known=known_rows > 0)
    with (keys_and_indexes_set_aside(cursor, tables=BULK_KEYS, new_rows=new_rows),
          inserts_left_out_of_history(cursor, run_id=run_id)):
        return write(cursor, run_id=run_id, present=present, today=today, known=known_rows > 0)


def write(cursor, *, run_id: int, present: set[str], today, known: bool) -> dict:
    """Insert new offenders, update changed ones, record tier changes, then set their visits. Without `known`
    offenders in the file (a first load), the statements that only update or add to known ones are left out:
    each would read every row of the file to find none."""
    params = {"run": run_id, "today": today, "first_days": rules.first_visit_days()}
    cursor.execute("CREATE TEMP TABLE import_touched (offender_id bigint) ON COMMIT DROP")

    names = [f for f, _, _ in FIELDS]
    cursor.execute(
        f"INSERT INTO offenders_offender (id, {', '.join(names)}, import_run_id, created_at, updated_at)"
        f" SELECT s.offender_id, {', '.join(sql for _, sql, _ in FIELDS)}, %(run)s, now(), now()"
        f" FROM {ROWS} s WHERE s.is_new",
        params,
    )
    created = cursor.rowcount

    record_assessments(cursor, params, known=known)
    if known:
        update_known(cursor, params, present=present)
    open_first_reviews(cursor, params)
    mappa_reviews_follow(cursor, params, rows=ROWS, known=known)
    notifications_follow(cursor, params, rows=ROWS, present=present, known=known)
    if known and "next_assessment_due" in present:
        move_open_reviews(cursor, params)
    if "last_visit_on" in present:
        record_last_visits(cursor, params, known=known)
    set_open_visits(cursor, params, revisit=bool({"last_visit_on", "next_visit_due"} & present), known=known)
    remember_digests(cursor, known=known)
    if not known:
        return {"created": created, "updated": 0}

    cursor.execute(
        f"SELECT count(*) FROM (SELECT DISTINCT t.offender_id FROM import_touched t"
        f" JOIN {ROWS} s ON s.offender_id = t.offender_id AND NOT s.is_new) u"
    )
    return {"created": created, "updated": cursor.fetchone()[0]}


def update_known(cursor, params: dict, *, present: set[str]) -> None:
    """The known offenders' rows: reviews and notifications that follow a change (found by comparing the offenders
    with the file, so before they are updated), then the offenders themselves."""
    if {"status", "address"} & present:
        bring_reviews_forward(cursor, params)
    if "status" in present:
        notifications_after_return(cursor, params, rows=ROWS, away=AWAY_STATUSES, community=COMMUNITY)
    if "last_notified_on" in present:
        notifications_closed(cursor, params, rows=ROWS)
    changed = [(f, UPDATED_AS.get(f, sql)) for f, sql, column in FIELDS if column in present and f != "reference"]
    # The day the status changed, as far as caseload can tell: the day of the import that changed it.
    status_since = f", status_since = CASE WHEN x.status <> {STATUS} THEN %(today)s ELSE x.status_since END" if (
        "status" in present) else ""
    cursor.execute(
        "WITH changed AS ("
        f" UPDATE offenders_offender x SET {', '.join(f'{f} = {sql}' for f, sql in changed)}{status_since},"
        "  import_run_id = %(run)s, updated_at = now()"
        f" FROM {ROWS} s WHERE x.id = s.offender_id AND NOT s.is_new"
        f" AND ({', '.join(f'x.{f}' for f, _ in changed)}) IS DISTINCT FROM ({', '.join(sql for _, sql in changed)})"
        " RETURNING x.id) INSERT INTO import_touched SELECT id FROM changed",
        params,
    )


# An import that creates or changes this many offenders or fewer brings their flags (and their officers')
# in line itself, in its transaction, as a service does; a larger one is followed by a full flag run.
FLAGS_FOLLOWED_AT_MOST = 50_000


def flags_follow(cursor, *, changed: int) -> int | None:
    """Bring in line the flags of the offenders created or changed, and of their officers before and after;
    how many offenders, or None when there are too many (the caller runs the full job). After `apply`, in
    its transaction, unless a dry run."""
    if changed > FLAGS_FOLLOWED_AT_MOST:
        return None
    cursor.execute(
        "SELECT coalesce(array_agg(DISTINCT s.offender_id), '{}'), coalesce(array_agg(DISTINCT o.id), '{}')"
        f" FROM {ROWS} s LEFT JOIN LATERAL unnest(ARRAY[s.officer_id, s.current_officer_id]) o(id) ON true"
        " WHERE s.is_new OR s.offender_id IN (SELECT offender_id FROM import_touched)"
    )
    offenders, officers = cursor.fetchone()
    flags_refresh_for(offenders=offenders, officers=officers, wait=True)
    return len(offenders)


def record_assessments(cursor, params: dict, *, known: bool) -> None:
    """A row's assessment: a changed tier, or a `last_assessed_on` newer than any on record (a new offender's, when
    given), dated that day with `assessment_tool` (a tier changed without one is dated the day of the import).
    Each of a known offender's holds their open review and opens the next (reviews_assessed); a new offender's first
    review is opened after (open_first_reviews). Before the offenders are updated: a changed tier is found by
    comparing them with the file."""
    latest = "(SELECT max(a.assessed_on) FROM offenders_riskassessment a WHERE a.offender_id = s.offender_id)"
    assessed_on = "coalesce(s.last_assessed_on__v, %(today)s)"
    tool = "CASE WHEN s.last_assessed_on__v IS NULL THEN 'import' ELSE coalesce(s.assessment_tool__v, 'arms') END"
    # The assessment on record with the row's date and tool is the row's (an assessment is its offender, date and
    # tool, as in assessments.csv): a tier the file gives differently corrects it; nothing is added.
    on_record = (f"SELECT FROM offenders_riskassessment a WHERE a.offender_id = s.offender_id"
                 f" AND a.assessed_on = {assessed_on} AND a.tool = {tool}")
    insert = (
        "INSERT INTO offenders_riskassessment (offender_id, risk_tier_id, assessed_on, tool, assessor_name, notes,"
        "  import_run_id, created_at)"
        f" SELECT s.offender_id, s.tier_id, {assessed_on}, {tool}, '', '', %(run)s, now() FROM {ROWS} s"
    )
    # A new offender's: nothing on record to compare with, and nothing to hold (no review is open yet).
    cursor.execute(f"{insert} WHERE s.is_new AND s.last_assessed_on__v IS NOT NULL", params)
    if not known:
        return
    cursor.execute(
        f"UPDATE offenders_riskassessment a SET risk_tier_id = s.tier_id, import_run_id = %(run)s FROM {ROWS} s"
        f" WHERE a.offender_id = s.offender_id AND NOT s.is_new AND a.assessed_on = {assessed_on}"
        f" AND a.tool = {tool} AND a.risk_tier_id <> s.tier_id",
        params,
    )
    create_assessed_table(cursor)
    cursor.execute(
        f"WITH assessed AS ({insert} JOIN offenders_offender x ON x.id = s.offender_id WHERE NOT s.is_new"
        f"  AND (x.risk_tier_id <> s.tier_id OR s.last_assessed_on__v > coalesce({latest}, '-infinity'))"
        f"  AND NOT EXISTS ({on_record})"
        " RETURNING id, offender_id, risk_tier_id, assessed_on"
        "), kept AS (INSERT INTO import_assessed SELECT a.*, false FROM assessed a)"
        " INSERT INTO import_touched SELECT offender_id FROM assessed",
        params,
    )
    reviews_assessed(cursor, params)


def bring_reviews_forward(cursor, params: dict) -> None:
    """A known offender back in the community (from custody, hospital, abroad or missing) or at a new address calls
    for a fresh assessment: the open review falls due within the trigger allowance of the import's day, never
    later (rules.REVIEW_BROUGHT_FORWARD, as visits/reviews.py does for one offender). Before the offenders are
    updated: the change is found by comparing them with the file."""
    suspended = sql_values(*SUSPENDED_STATUSES)
    due_on = rules.REVIEW_BROUGHT_FORWARD.sql(due_on="r.due_on", event_on="%(today)s", trigger_days="%(days)s")
    cursor.execute(
        f"UPDATE visits_review r SET due_on = {due_on}, brought_forward_because = CASE WHEN s.status__v = {COMMUNITY}"
        " AND x.status IN " + suspended + " THEN 'Returned to the community' ELSE 'A new address' END,"
        " import_run_id = %(run)s, updated_at = now()"
        f" FROM {ROWS} s JOIN offenders_offender x ON x.id = s.offender_id AND NOT s.is_new"
        f" WHERE r.offender_id = s.offender_id AND r.kind = {REVIEW} AND r.closed_on IS NULL AND {due_on} < r.due_on"
        f" AND (s.status__v = {COMMUNITY} AND x.status IN {suspended}"
        "  OR s.address IS NOT NULL AND s.address IS DISTINCT FROM nullif(x.address, ''))",
        {**params, "days": rules.review_trigger_days()},
    )


def open_first_reviews(cursor, params: dict) -> None:
    """Each new offender's first review: `next_assessment_due`, else rules.NEXT_REVIEW_DUE (one review interval
    after the assessment the row gives, else the first-review allowance after registration)."""
    due_on = rules.NEXT_REVIEW_DUE.sql(last_assessed="s.last_assessed_on__v", interval="t.review_interval_days",
                                       registered="s.registered_on__v", first_days="%(review_days)s")
    cursor.execute(
        f"INSERT INTO visits_review ({REVIEW_COLUMNS}) SELECT s.offender_id, {REVIEW},"
        f" coalesce(s.next_assessment_due__v, {due_on}), '', %(run)s, now(), now()"
        f" FROM {ROWS} s JOIN offenders_risktier t ON t.id = s.tier_id WHERE s.is_new",
        {**params, "review_days": rules.first_review_days()},
    )


def move_open_reviews(cursor, params: dict) -> None:
    """A known offender's open review moved to the `next_assessment_due` the file gives (the register's word, as
    `next_visit_due` is for the open visit)."""
    cursor.execute(
        "WITH moved AS ("
        " UPDATE visits_review r SET due_on = s.next_assessment_due__v, import_run_id = %(run)s, updated_at = now()"
        f" FROM {ROWS} s WHERE r.offender_id = s.offender_id AND r.kind = {REVIEW} AND r.closed_on IS NULL"
        "  AND NOT s.is_new AND s.next_assessment_due__v IS NOT NULL AND r.due_on <> s.next_assessment_due__v"
        " RETURNING r.offender_id) INSERT INTO import_touched SELECT offender_id FROM moved",
        params,
    )


def record_last_visits(cursor, params: dict, *, known: bool) -> None:
    """`last_visit_on` is a completed visit. When it is newer than any on record, it is the open visit
    being done (which keeps its due date); otherwise it is history, due the day it happened."""
    completes_open = (
        f"FROM {ROWS} s WHERE v.offender_id = s.offender_id AND v.status IN {OPEN} AND NOT s.is_new"
        " AND s.last_visit_on__v IS NOT NULL AND v.due_on IS DISTINCT FROM s.next_visit_due__v"
        " AND NOT EXISTS (SELECT 1 FROM visits_visit c WHERE c.offender_id = s.offender_id"
        f"  AND c.status = {COMPLETED} AND c.completed_on >= s.last_visit_on__v)"
    )
    if known:
        cursor.execute(
            "WITH done AS ("
            f" UPDATE visits_visit v SET status = {COMPLETED}, completed_on = s.last_visit_on__v,"
            "  import_run_id = %(run)s, updated_at = now() "
            f" {completes_open} RETURNING v.offender_id"
            ") INSERT INTO import_touched SELECT offender_id FROM done",
            params,
        )
    insert = (
        "INSERT INTO visits_visit (offender_id, officer_id, due_on, status, completed_on, kind, outcome, notes,"
        " cancel_reason, import_run_id, created_at, updated_at)"
        f" SELECT s.offender_id, {{officer}}, s.last_visit_on__v, {COMPLETED}, s.last_visit_on__v, '', '', '', '',"
        f" %(run)s, now(), now() FROM {ROWS} s WHERE s.last_visit_on__v IS NOT NULL AND"
    )
    # A new offender's officer is the row's; a known one's may come from before, when the file has no officer column.
    cursor.execute(f"{insert.format(officer='s.officer_id')} s.is_new", params)
    if not known:
        return
    current = "(SELECT x.officer_id FROM offenders_offender x WHERE x.id = s.offender_id)"
    cursor.execute(
        f"WITH added AS ({insert.format(officer=current)} NOT s.is_new AND NOT EXISTS (SELECT 1 FROM visits_visit c"
        f"  WHERE c.offender_id = s.offender_id AND c.status = {COMPLETED} AND c.completed_on = s.last_visit_on__v)"
        " RETURNING offender_id) INSERT INTO import_touched SELECT offender_id FROM added",
        params,
    )


def set_open_visits(cursor, params: dict, *, revisit: bool, known: bool) -> None:
    """Move the open visit to its due date, or schedule one; rows with neither date leave it alone."""
    last_seen = (
        "coalesce(s.last_visit_on__v, CASE WHEN NOT s.is_new THEN (SELECT max(c.completed_on) FROM visits_visit c"
        f" WHERE c.offender_id = s.offender_id AND c.status = {COMPLETED}) END)"
    )
    # A new offender as written from the file (FIELDS), read from the file; a known one as on record.
    offender = {
        True: {"officer_id": "s.officer_id", "status": STATUS, "reactive": "coalesce(s.reactive__v, false)",
               "visit_interval_days": "s.visit_interval_days__v", "registered_on": "s.registered_on__v",
               "risk_tier_id": "s.tier_id"},
        False: {name: f"x.{name}" for name in ("officer_id", "status", "reactive", "visit_interval_days",
                                               "registered_on", "risk_tier_id")},
    }
    selects = []
    for new, x in offender.items():
        next_due = rules.NEXT_VISIT_DUE.sql(
            last_seen=last_seen, interval=rules.INTERVAL.sql(override=x["visit_interval_days"],
                                                             tier_default="t.visit_interval_days"),
            start=x["registered_on"], first_days="%(first_days)s",
        )
        selects.append(
            f"SELECT s.offender_id, s.is_new, {x['officer_id']} AS officer_id, coalesce(s.next_visit_due__v,"
            f"  CASE WHEN {x['status']} = {COMMUNITY} AND NOT {x['reactive']} THEN {next_due} END) AS due_on"
            f" FROM {ROWS} s" + ("" if new else " JOIN offenders_offender x ON x.id = s.offender_id")
            + f" JOIN offenders_risktier t ON t.id = {x['risk_tier_id']}"
            + (" WHERE s.is_new" if new else " WHERE NOT s.is_new")
        )
    if not (known and revisit):
        selects = selects[:1]
    cursor.execute(
        f"CREATE TEMP TABLE import_open_visits ON COMMIT DROP AS {' UNION ALL '.join(selects)}",
        params,
    )
    if known:
        cursor.execute(
            "WITH moved AS ("
            " UPDATE visits_visit v SET due_on = n.due_on, officer_id = n.officer_id, import_run_id = %(run)s,"
            "  updated_at = now()"
            f" FROM import_open_visits n WHERE v.offender_id = n.offender_id AND v.status IN {OPEN}"
            "  AND n.due_on IS NOT NULL AND NOT n.is_new"
            "  AND (v.due_on, v.officer_id) IS DISTINCT FROM (n.due_on, n.officer_id)"
            " RETURNING v.offender_id"
            ") INSERT INTO import_touched SELECT offender_id FROM moved",
            params,
        )
    insert = (
        "INSERT INTO visits_visit (offender_id, officer_id, due_on, status, kind, outcome, notes, cancel_reason,"
        " import_run_id, created_at, updated_at)"
        f" SELECT n.offender_id, n.officer_id, n.due_on, {SCHEDULED}, '', '', '', '', %(run)s, now(), now()"
        " FROM import_open_visits n WHERE n.due_on IS NOT NULL AND"
    )
    cursor.execute(f"{insert} n.is_new", params)
    if not known:
        return
    cursor.execute(
        f"WITH added AS ({insert} NOT n.is_new AND NOT EXISTS ("
        f"  SELECT 1 FROM visits_visit v WHERE v.offender_id = n.offender_id AND v.status IN {OPEN})"
        " RETURNING offender_id) INSERT INTO import_touched SELECT offender_id FROM added",
        params,
    )


def notes(cursor) -> dict:
    """Offenders on the register but not in the file: listed, never deleted."""
    cursor.execute(
        f"SELECT count(*), (array_agg(x.reference ORDER BY x.reference))[1:1000] FROM offenders_offender x"
        f" WHERE NOT EXISTS (SELECT 1 FROM {ROWS} s WHERE s.offender_id = x.id)"
        " AND NOT EXISTS (SELECT 1 FROM import_unchanged u WHERE u.offender_id = x.id)"
    )
    count, references = cursor.fetchone()
    return {"missing_offenders": count, "missing_references": references or []}
