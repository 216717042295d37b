"""Has the register changed since the flag job's last full run? A change log answers in milliseconds.

Statement-level triggers on the tables the flags are computed from (offenders, officers, teams, tiers,
visits) append one row per statement that wrote rows to visits_registerchange, stamped with the writer's
transaction id and naming the teams whose register it wrote to (NULL for every team: visits migration 0010).
A run remembers the newest row it could see and its snapshot; the register has changed since when a row is
newer, or was written by a transaction still in progress when that run started. The dashboard's cache keys
what it keeps by the version of the register its user sees (register_version).
"""

from django.conf import settings
from django.db import connection

from visits.models import FlagRun

WATCHED_TABLES = ("offenders_risktier", "offenders_team", "offenders_officer", "offenders_offender", "visits_visit")


def policy() -> str:
    """The settings the flags depend on besides the register; a change forces a full run."""
    return f"unseen_grace_fraction={settings.CASELOAD_UNSEEN_GRACE_FRACTION}"


def register_position() -> tuple[str, int]:
    """The current snapshot and the newest change visible in it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_current_snapshot()::text, coalesce((SELECT max(id) FROM visits_registerchange), 0)"
        )
        return cursor.fetchone()


def register_version(*, teams: list[int] | None = None) -> str:
    """A token that changes whenever a write to the register commits or a flag run finishes, for keying what
    is computed from them: every write, or with `teams` only the writes to those teams' registers and the writes
    naming every team. Between two runs the change log only gains rows (a run removes the rows it took into
    account, in its own transaction), so within the newest run's epoch the number of rows visible grows with
    every commit, in whatever order the writers took their ids; read in one statement, one snapshot."""
    touching = "" if teams is None else " WHERE teams IS NULL OR teams && %s::bigint[]"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT coalesce(max(id), 0) FROM visits_flagrun), count(*), coalesce(max(id), 0)"
            " FROM visits_registerchange" + touching,
            [] if teams is None else [list(teams)],
        )
        return "{}.{}.{}".format(*cursor.fetchone())


def register_unchanged_since(run: FlagRun) -> bool:
    """No statement has written to the register since `run` started (or was in flight when it did)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT NOT EXISTS (SELECT 1 FROM visits_registerchange"
            " WHERE id > %s OR NOT pg_visible_in_snapshot(xid, %s::pg_snapshot))",
            [run.last_change, run.snapshot],
        )
        return cursor.fetchone()[0]


def changes_forget(*, snapshot: str, last_change: int) -> None:
    """Drop the log rows a finished run has taken into account."""
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM visits_registerchange WHERE id <= %s AND pg_visible_in_snapshot(xid, %s::pg_snapshot)",
            [last_change, snapshot],
        )
