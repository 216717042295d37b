"""The risk assessment reviews an import's assessments hold and open, set-based (visits/reviews.py does the same for
one offender): shared by the register and assessments imports."""

from visits import rules
from visits.formula import sql_literal
from visits.models import ReviewKind

REVIEW = sql_literal(ReviewKind.ASSESSMENT)
REVIEW_COLUMNS = "offender_id, kind, due_on, brought_forward_because, import_run_id, created_at, updated_at"


def reviews_assessed(cursor, params: dict) -> None:
    """The import's assessments of known offenders (import_assessed) hold each one's open review and open the
    next, one review interval of the tier found after it: per offender, the latest of them, unless an assessment
    on record is later still (as visits/reviews.py does for one offender). A new offender's review is opened
    after (register.open_first_reviews)."""
    cursor.execute(
        "CREATE TEMP TABLE import_latest_assessed ON COMMIT DROP AS"
        " SELECT DISTINCT ON (a.offender_id) a.* FROM import_assessed a WHERE NOT a.is_new"
        " AND NOT EXISTS (SELECT FROM offenders_riskassessment o WHERE o.offender_id = a.offender_id"
        "  AND (o.assessed_on, o.id) > (a.assessed_on, a.id))"
        " ORDER BY a.offender_id, a.assessed_on DESC, a.id DESC"
    )
    cursor.execute(
        "UPDATE visits_review r SET closed_on = a.assessed_on, assessment_id = a.id, updated_at = now()"
        f" FROM import_latest_assessed a WHERE r.offender_id = a.offender_id AND r.kind = {REVIEW}"
        " AND r.closed_on IS NULL"
    )
    due_on = rules.NEXT_REVIEW_DUE.sql(last_assessed="a.assessed_on", interval="t.review_interval_days",
                                       registered="NULL::date", first_days="0")
    cursor.execute(
        f"INSERT INTO visits_review ({REVIEW_COLUMNS}) SELECT a.offender_id, {REVIEW}, {due_on}, '', %(run)s,"
        " now(), now() FROM import_latest_assessed a JOIN offenders_risktier t ON t.id = a.risk_tier_id",
        params,
    )
