"""Change history: Postgres triggers (django-pghistory) copy every insert, update and delete
of a tracked table into its event table, with the acting user from the request or command
context. Being triggers, they also catch bulk_create, queryset.update() and raw SQL imports."""

import pghistory
import pgtrigger
from django.contrib.postgres.indexes import BrinIndex


def tracked(**options):
    """The change-history decorator every tracked model of caseload uses.

    Statement-level triggers: one trigger call per statement, whatever its row count, so a bulk
    import of a whole register pays for one INSERT ... SELECT per batch, not a function per row.
    """
    return pghistory.track(
        pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent(),
        level=pgtrigger.Statement, **options,
    )


def tracked_with_time_index(name: str, **options):
    """`tracked`, with a BRIN index on the events' time: the flag job reads what changed since its last run
    from the history (visits/flag_changes.py). Events are only ever appended, in time order, so a block range
    index (a few pages per million events, next to nothing per insert) finds the latest ones."""
    index = BrinIndex(fields=["pgh_created_at"], name=name)
    return tracked(meta={"indexes": [index]}, **options)


def history_context(**metadata):
    """Attach who and what to the history written inside the block (commands, tasks, imports),
    as the web's middleware does for requests: `with history_context(user=..., command=...)`."""
    return pghistory.context(**metadata)


def history_triggers_join_by_hash(**kwargs) -> None:
    """Run the statement-level update triggers with hash joins (post_migrate, after pgtrigger installs them).

    Each joins the statement's old and new rows by primary key; PostgreSQL knows nothing of their number,
    guesses one row each, and loops: every old row against every new row, n² comparisons for n rows (10 s
    for 2,000 rows changed by one import statement, minutes for 10,000). With nested loops off inside the
    trigger function, the join is a hash join, linear in n.

    JIT compilation is off there too: the cost that turning nested loops off adds to the plan of the insert of
    the statement's events (a loop it cannot avoid) passes the JIT threshold, and a one-row save would then
    spend 200 ms compiling (bench/log_visit.py)."""
    from django.db import DEFAULT_DB_ALIAS, connections

    with connections[kwargs.get("using", DEFAULT_DB_ALIAS)].cursor() as cursor:
        cursor.execute(
            "SELECT p.oid::regprocedure::text FROM pg_proc p WHERE p.prosrc LIKE '%%JOIN new_values ON%%'"
            " AND NOT coalesce(p.proconfig @> ARRAY['enable_nestloop=off', 'jit=off'], false)"
        )
        for (function,) in cursor.fetchall():
            cursor.execute(f"ALTER FUNCTION {function} SET enable_nestloop = off")
            cursor.execute(f"ALTER FUNCTION {function} SET jit = off")
