"""assessments.csv: risk assessment history. An assessment is its offender, date and tool; a row updates the one
on record (its tier, its assessor) or adds it. An added assessment newer than any on record holds the offender's
open review and opens the next (review_dates.py), and the latest assessment sets the offender's tier."""

from caseload.imports.columns import Check, Column, literal
from caseload.imports.register import ASSESSMENT_TOOLS, TIER_KEY, tier_lookup
from caseload.imports.review_dates import create_assessed_table, reviews_assessed
from caseload.imports.staging import ROWS
from offenders.models import RiskTier

COLUMNS = [
    Column("reference", required=True, max_length=40, help="the offender (must be on the register)"),
    Column("assessed_on", "date", required=True, help="date of the assessment"),
    Column("tool", "choice", required=True, choices=ASSESSMENT_TOOLS, help="rm2000, arms or other"),
    Column("risk_tier", required=True, help="the tier it found: a tier code or name from the tier table"),
    Column("assessor", max_length=150, help="name or staff_id of the assessor"),
]

# No large-load path: an assessment history is loaded by ordinary statements.
BULK_KEYS: dict[str, list[str]] = {}


def lookups(*, present: set[str], today) -> tuple[str, str]:
    select = (
        "x.id AS offender_id, x.date_of_birth AS born_on, tier.id AS tier_id,"
        " min(s.row_no) OVER (PARTITION BY upper(s.reference), s.assessed_on__v, s.tool__v) AS first_row"
    )
    joins = (
        "LEFT JOIN offenders_offender x ON upper(x.reference) = upper(s.reference)"
        f" LEFT JOIN ({tier_lookup()}) tier ON tier.key = {TIER_KEY.format('s.risk_tier')}"
    )
    return select, joins


def skip_unchanged(cursor, *, present: set[str]) -> int:
    """Every row is read: these files are small, and their rows keep no digest."""
    return 0


def prepare(cursor) -> None:
    """Nothing to do before the checks: repeated rows are marked by the lookups' window."""


def checks(*, present: set[str], today) -> list[Check]:
    day = f"DATE '{today.isoformat()}'"
    tiers = ", ".join(RiskTier.objects.values_list("code", flat=True))
    return [
        Check("reference", "reference IS NOT NULL AND offender_id IS NULL",
              literal("is not on the register: import the register first")),
        Check("risk_tier", "risk_tier IS NOT NULL AND tier_id IS NULL", literal(f"is not a risk tier: use {tiers}")),
        Check("assessed_on", f"assessed_on__v > {day}", literal("is in the future")),
        Check("assessed_on", "assessed_on__v < born_on", literal("is before the offender's date of birth")),
        Check("assessed_on", "first_row <> row_no",
              "'is the same assessment as row ' || first_row || ' (same offender, date and tool)'"),
    ]


def apply(cursor, *, run_id: int, present: set[str], today) -> dict:
    """Update the assessments on record where the file differs, add the others, then let the new ones hold the
    reviews and the latest set each offender's tier."""
    params = {"run": run_id}
    assessor = "coalesce(s.assessor, '')"
    cursor.execute(
        f"UPDATE offenders_riskassessment a SET risk_tier_id = s.tier_id, assessor_name = {assessor},"
        f" import_run_id = %(run)s FROM {ROWS} s WHERE a.offender_id = s.offender_id"
        " AND a.assessed_on = s.assessed_on__v AND a.tool = s.tool__v"
        f" AND (a.risk_tier_id, a.assessor_name) IS DISTINCT FROM (s.tier_id, {assessor})",
        params,
    )
    updated = cursor.rowcount
    create_assessed_table(cursor)
    cursor.execute(
        "WITH added AS ("
        " INSERT INTO offenders_riskassessment (offender_id, risk_tier_id, assessed_on, tool, assessor_name, notes,"
        "  import_run_id, created_at)"
        f" SELECT s.offender_id, s.tier_id, s.assessed_on__v, s.tool__v, {assessor}, '', %(run)s, now()"
        f" FROM {ROWS} s WHERE NOT EXISTS (SELECT FROM offenders_riskassessment a WHERE a.offender_id = s.offender_id"
        "  AND a.assessed_on = s.assessed_on__v AND a.tool = s.tool__v)"
        " RETURNING id, offender_id, risk_tier_id, assessed_on"
        ") INSERT INTO import_assessed SELECT *, false FROM added",
        params,
    )
    created = cursor.rowcount
    reviews_assessed(cursor, params)
    # The latest assessment sets the tier (the newest of a day: the last recorded).
    cursor.execute(
        "UPDATE offenders_offender x SET risk_tier_id = l.risk_tier_id, import_run_id = %(run)s, updated_at = now()"
        " FROM (SELECT DISTINCT ON (a.offender_id) a.offender_id, a.risk_tier_id FROM offenders_riskassessment a"
        f"  WHERE a.offender_id IN (SELECT offender_id FROM {ROWS})"
        "  ORDER BY a.offender_id, a.assessed_on DESC, a.id DESC"
        ") l WHERE x.id = l.offender_id AND x.risk_tier_id <> l.risk_tier_id",
        params,
    )
    return {"created": created, "updated": updated, "tiers_set": cursor.rowcount}


def flags_follow(cursor, *, changed: int) -> None:
    """A full flag run follows: reviews and tiers may have moved for any offender in the file."""


def notes(cursor) -> dict:
    return {}
