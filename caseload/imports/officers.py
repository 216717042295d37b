"""officers.csv: offender managers, keyed by staff_id; teams are created when new."""

from caseload.imports.columns import Check, Column, literal
from caseload.imports.staging import ROWS
from offenders.accounts import accounts_follow_officers
from offenders.models import Team

COLUMNS = [
    Column("staff_id", required=True, max_length=30, help="unique staff number; the key for updates"),
    Column("name", required=True, max_length=150, help="display name"),
    Column("team", required=True, max_length=100, help="team name; created if new"),
    Column("fte", "decimal", help="contracted fraction, more than 0 and at most 1 (default 1.0)"),
    Column("email", max_length=254, help="where the officer's notices go"),
    Column("active", "boolean", help="yes/no (default yes)"),
]


def lookups(*, present: set[str], today) -> tuple[str, str]:
    select = "o.id AS officer_id, min(s.row_no) OVER (PARTITION BY s.staff_id) AS first_row"
    return select, "LEFT JOIN offenders_officer o ON o.staff_id = s.staff_id"


def prepare(cursor) -> None:
    """Nothing to do before the checks."""


def skip_unchanged(cursor, *, present: set[str]) -> int:
    """Every row is read: these files are small, and their rows keep no digest."""
    return 0


def flags_follow(cursor, *, changed: int) -> None:
    """A full flag run follows: an officer's or a visit history's change can reach any case."""


# No large-load path: officers and visit histories are loaded by ordinary statements.
BULK_KEYS: dict[str, list[str]] = {}


def checks(*, present: set[str], today) -> list[Check]:
    return [
        Check("staff_id", "first_row <> row_no", "'appears twice: it is already on row ' || first_row"),
        Check("fte", "fte__v <= 0 OR fte__v > 1", literal("must be more than 0 and at most 1")),
        Check("email", r"email !~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'", literal("is not an email address")),
    ]


def apply(cursor, *, run_id: int, present: set[str], today) -> dict:
    """Create new teams, then insert or update officers; only changed officers are touched."""
    team = Team._meta
    cursor.execute(
        f"INSERT INTO offenders_team (name, caseload_ceiling_per_fte, capacity_points_per_fte,"
        f" flag_weighted_capacity) SELECT DISTINCT team, %s, %s, %s FROM {ROWS}"
        f" ON CONFLICT (name) DO NOTHING",
        [team.get_field(f).default for f in ("caseload_ceiling_per_fte", "capacity_points_per_fte",
                                             "flag_weighted_capacity")],
    )
    teams_created = cursor.rowcount
    columns = {
        "name": "s.name", "team_id": "t.id", "email": "coalesce(s.email, '')",
        "fte": "coalesce(s.fte__v, 1)", "active": "coalesce(s.active__v, true)",
    }
    source = {"name": "name", "team_id": "team", "email": "email", "fte": "fte", "active": "active"}
    updated_columns = [c for c in columns if source[c] in present]
    cursor.execute(
        f"WITH upserted AS ("
        f" INSERT INTO offenders_officer AS o (staff_id, {', '.join(columns)}, import_run_id)"
        f" SELECT s.staff_id, {', '.join(columns.values())}, %(run)s"
        f" FROM {ROWS} s JOIN offenders_team t ON t.name = s.team"
        f" ON CONFLICT (staff_id) DO UPDATE SET"
        f" {', '.join(f'{c} = EXCLUDED.{c}' for c in updated_columns)}, import_run_id = EXCLUDED.import_run_id"
        f" WHERE ({', '.join(f'o.{c}' for c in updated_columns)}) IS DISTINCT FROM"
        f" ({', '.join(f'EXCLUDED.{c}' for c in updated_columns)})"
        f" RETURNING (xmax = 0) AS inserted"
        f") SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM upserted",
        {"run": run_id},
    )
    created, updated = cursor.fetchone()
    return {"created": created, "updated": updated, "teams_created": teams_created,
            "accounts_changed": accounts_follow_officers(staff_ids_sql=f"SELECT staff_id FROM {ROWS}")}


def notes(cursor) -> dict:
    return {}
