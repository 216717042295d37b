"""The risk assessment reviews an import's assessments hold and open, set-based (visits/reviews.py does the same for
one offender): shared by the register and assessments imports."""

from visits import rules
from visits.formula import sql_literal
from visits.models import MAPPA_REVIEWED_LEVELS, ReviewKind

REVIEW = sql_literal(ReviewKind.ASSESSMENT)
MAPPA = sql_literal(ReviewKind.MAPPA)
REVIEWED_LEVELS = "(" + ", ".join(str(level) for level in MAPPA_REVIEWED_LEVELS) + ")"
REVIEW_COLUMNS = "offender_id, kind, due_on, brought_forward_because, import_run_id, created_at, updated_at"


def create_assessed_table(cursor) -> None:
    """import_assessed: the assessments an import wrote (and whether of a new offender), for reviews_assessed."""
    cursor.execute("CREATE TEMP TABLE import_assessed (id bigint, offender_id bigint, risk_tier_id bigint,"
                   " assessed_on date, is_new boolean) ON COMMIT DROP")


def reviews_assessed(cursor, params: dict) -> None:
    """The import's assessments of known offenders (import_assessed) that are later than any on record before it,
    in date order, each hold the review open at the time and open the next, one review interval of the tier it
    found after it, as visits/reviews.py does for one assessment at a time: the earliest closes the offender's open
    review, each later one a review due after the one before it, and the latest leaves one open. Older ones are
    history. A new offender's review is opened after (register.open_first_reviews)."""
    after_each = rules.NEXT_REVIEW_DUE.sql(last_assessed="a.assessed_on", interval="t.review_interval_days",
                                           registered="NULL::date", first_days="0")
    cursor.execute(
        "CREATE TEMP TABLE import_chain ON COMMIT DROP AS SELECT a.offender_id, a.id, a.assessed_on,"
        f" lag({after_each}) OVER w AS due_on,"
        " row_number() OVER w AS n, count(*) OVER (PARTITION BY a.offender_id) AS k, t.review_interval_days"
        " FROM import_assessed a JOIN offenders_risktier t ON t.id = a.risk_tier_id WHERE NOT a.is_new"
        " AND NOT EXISTS (SELECT FROM offenders_riskassessment o WHERE o.offender_id = a.offender_id"
        "  AND (o.assessed_on, o.id) > (a.assessed_on, a.id)"
        "  AND NOT EXISTS (SELECT FROM import_assessed i WHERE i.id = o.id))"
        " WINDOW w AS (PARTITION BY a.offender_id ORDER BY a.assessed_on, a.id)"
    )
    cursor.execute(
        "UPDATE visits_review r SET closed_on = c.assessed_on, assessment_id = c.id, updated_at = now()"
        f" FROM import_chain c WHERE c.n = 1 AND r.offender_id = c.offender_id AND r.kind = {REVIEW}"
        " AND r.closed_on IS NULL"
    )
    cursor.execute(
        f"INSERT INTO visits_review ({REVIEW_COLUMNS}, closed_on, assessment_id) SELECT c.offender_id, {REVIEW},"
        " c.due_on, '', %(run)s, now(), now(), c.assessed_on, c.id FROM import_chain c WHERE c.n > 1",
        params,
    )
    due_on = rules.NEXT_REVIEW_DUE.sql(last_assessed="c.assessed_on", interval="c.review_interval_days",
                                       registered="NULL::date", first_days="0")
    cursor.execute(
        f"INSERT INTO visits_review ({REVIEW_COLUMNS}) SELECT c.offender_id, {REVIEW}, {due_on}, '', %(run)s,"
        " now(), now() FROM import_chain c WHERE c.n = c.k",
        params,
    )


def mappa_reviews_follow(cursor, params: dict, *, rows: str, known: bool = True) -> None:
    """The MAPPA reviews of the offenders in `rows` (the typed staging table, offenders written) follow their
    level: a case no longer at level 2 or 3 has its open review closed that day; one at level 2 or 3 without an
    open review has one opened, due `mappa_next_review_on` or, none set, that day (rules.MAPPA_REVIEW_DUE); a
    `mappa_next_review_on` the file gives moves the open review. Without `known` offenders in `rows` (all are new,
    with no MAPPA review yet), there is nothing to close or move."""
    due_on = rules.MAPPA_REVIEW_DUE.sql(next_review_on="s.mappa_next_review_on__v", held_on="%(today)s")
    insert = (
        f"INSERT INTO visits_review ({REVIEW_COLUMNS}) SELECT s.offender_id, {MAPPA}, {due_on}, '', %(run)s, now(),"
        " now() FROM {rows} WHERE {level} IN " + REVIEWED_LEVELS
    )
    if not known:  # each offender's level is the file's
        cursor.execute(insert.format(rows=f"{rows} s", level="s.mappa_level__v"), params)
        return
    cursor.execute(
        "UPDATE visits_review r SET closed_on = %(today)s, updated_at = now()"
        f" FROM {rows} s JOIN offenders_offender x ON x.id = s.offender_id WHERE r.offender_id = s.offender_id"
        f" AND r.kind = {MAPPA} AND r.closed_on IS NULL AND coalesce(x.mappa_level NOT IN {REVIEWED_LEVELS}, true)",
        params,
    )
    cursor.execute(
        f"UPDATE visits_review r SET due_on = {due_on}, import_run_id = %(run)s, updated_at = now()"
        f" FROM {rows} s WHERE r.offender_id = s.offender_id AND r.kind = {MAPPA} AND r.closed_on IS NULL"
        f" AND s.mappa_next_review_on__v IS NOT NULL AND r.due_on <> s.mappa_next_review_on__v",
        params,
    )
    cursor.execute(
        insert.format(rows=f"{rows} s JOIN offenders_offender x ON x.id = s.offender_id", level="x.mappa_level")
        + " AND NOT EXISTS (SELECT FROM visits_review r"
        f"  WHERE r.offender_id = s.offender_id AND r.kind = {MAPPA} AND r.closed_on IS NULL)",
        params,
    )
