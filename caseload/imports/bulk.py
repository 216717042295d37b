"""Large loads: check foreign keys once for the whole load, and build indexes once instead of row by row.

Inserting a million offenders and two million visits row by row pays for every foreign key (a lookup
and a row lock in the referenced table, per row and per key) and every index (a descent of each
B-tree, per row and per index). For a load that large, caseload sets the table's foreign keys aside
and adds them back `NOT VALID` + `VALIDATE` (one join per key over the whole table), and, when the
load at least doubles a table, drops its secondary indexes and builds them again (one sort each).

Such a load also leaves the rows it inserts out of the change history until they first change
(`inserts_left_out_of_history`).

This is done inside the import's transaction, so a failure puts everything back. The price is the
locks: the loaded tables are locked against reading and writing (ACCESS EXCLUSIVE) until the import
commits, and the tables their keys point to (tiers, officers, import runs) against writing. Below the
threshold (CASELOAD_IMPORT_BULK_ROWS new rows), none of this happens and readers are never held up.

The keys come back `NOT VALID` inside the import (checked for every row written from then on), and
are validated once the import has committed (`check_keys_set_aside`): VALIDATE CONSTRAINT holds only
a SHARE UPDATE EXCLUSIVE lock, so the register is open to readers and writers while it runs. Every
key the import wrote was found by a join in the same transaction, so the check is a proof, not a hope.
"""

import logging
from contextlib import contextmanager

from django.conf import settings
from django.db import connection, transaction

log = logging.getLogger(__name__)


def bulk_load_wanted(*, new_rows: int) -> bool:
    """Large enough that checking keys once and building indexes once beats doing it row by row."""
    return new_rows >= settings.CASELOAD_IMPORT_BULK_ROWS


@contextmanager
def keys_and_indexes_set_aside(cursor, *, tables: dict[str, list[str]], new_rows: int):
    """Within the block, `tables` (name: the key columns the load writes) have none of those foreign keys,
    and, where the load at least doubles the table, no secondary indexes; both come back at the end."""
    names = list(tables)
    cursor.execute(f"LOCK TABLE {', '.join(names)} IN ACCESS EXCLUSIVE MODE")
    cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    keys = foreign_keys(cursor, tables)
    indexes = []
    for table in names:
        cursor.execute(f"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT %s) t", [new_rows])
        if cursor.fetchone()[0] < new_rows:
            indexes += secondary_indexes(cursor, table)
    for table, name, _ in keys:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    yield
    for _, definition in indexes:
        cursor.execute(definition)
    for table, name, definition in keys:
        cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition} NOT VALID')
    for table in names:
        cursor.execute(f"ANALYZE {table}")


# The tables whose inserts a large load leaves out of the change history (offenders/history.py keeps each row's
# first state when it first changes): those that take a row or more per row of the file.
HISTORY_LEFT_OUT = ("offenders_offender", "offenders_riskassessment", "visits_visit", "visits_review")


@contextmanager
def inserts_left_out_of_history(cursor, *, run_id: int):
    """Within the block, rows inserted into HISTORY_LEFT_OUT tables are not copied into the change history;
    the run is marked as having left them out, which arms the triggers that record each row's first state
    when it first changes, and tells the flag job to look at the whole register (it reads the history).

    The insert triggers are dropped and created again, inside the import's transaction and under the ACCESS
    EXCLUSIVE lock the large load already holds: no other session writes these tables meanwhile, and a failure
    puts them back with everything else. Dropped rather than disabled: PostgreSQL collects the rows a statement
    inserts for a statement trigger that reads them even while that trigger is disabled."""
    import pgtrigger

    cursor.execute("UPDATE offenders_importrun SET history_left_out_at = now() WHERE id = %s", [run_id])
    names = [(model._meta.db_table, trigger.get_pgid(model)) for model, trigger in pgtrigger.registered()
             if model._meta.db_table in HISTORY_LEFT_OUT and trigger.name == "insert_insert"]
    assert len(names) == len(HISTORY_LEFT_OUT), names
    dropped = []
    for table, name in names:
        # pgtrigger keeps each trigger's hash in its comment: put back with it.
        cursor.execute("SELECT pg_get_triggerdef(oid), obj_description(oid, 'pg_trigger') FROM pg_trigger"
                       " WHERE tgrelid = %s::regclass AND tgname = %s", [table, name])
        dropped.append((table, name, *cursor.fetchone()))
        cursor.execute(f'DROP TRIGGER "{name}" ON {table}')
    yield
    for table, name, definition, comment in dropped:
        cursor.execute(definition)
        cursor.execute(f'COMMENT ON TRIGGER "{name}" ON {table} IS %s', [comment])


def check_keys_set_aside(*, tables: dict[str, list[str]], lock: int) -> bool:
    """After the import commits, validate the keys it left NOT VALID; False (and a log line) if one fails.

    Under the import lock, so that no other import sets the same keys aside meanwhile."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock])
            cursor.execute(
                "SELECT conrelid::regclass::text, conname FROM pg_constraint WHERE contype = 'f'"
                " AND NOT convalidated AND conrelid = ANY(%s::regclass[]) ORDER BY 1, 2",
                [list(tables)],
            )
            for table, name in cursor.fetchall():
                cursor.execute(f'ALTER TABLE {table} VALIDATE CONSTRAINT "{name}"')
    except Exception as error:  # the import stands; the key stays NOT VALID (still checked for new rows)
        log.error("Foreign keys left unvalidated after an import: %s %s", type(error).__name__,
                  getattr(error, "sqlstate", "") or "")
        return False
    return True


def foreign_keys(cursor, tables: dict[str, list[str]]) -> list[tuple[str, str, str]]:
    """(table, name, definition) of the single-column foreign keys on the given columns of each table."""
    keys = []
    for table, columns in tables.items():
        cursor.execute(
            "SELECT c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c"
            " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]"
            " WHERE c.contype = 'f' AND c.conrelid = %s::regclass AND cardinality(c.conkey) = 1"
            " AND a.attname = ANY(%s) ORDER BY c.conname",
            [table, columns],
        )
        keys += [(table, name, definition) for name, definition in cursor.fetchall()]
    return keys


def secondary_indexes(cursor, table: str) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of the table's indexes that back no constraint (the primary key stays)."""
    cursor.execute(
        "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid"
        " WHERE x.indrelid = %s::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid ="
        " x.indexrelid) ORDER BY i.relname",
        [table],
    )
    return cursor.fetchall()
