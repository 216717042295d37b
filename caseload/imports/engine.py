"""One import, start to finish: stage the file, check every row in SQL, then apply (or not).

Everything happens in one transaction: a file with errors, a dry run, or a failure leaves the
database as it was. Only the ImportRun row records that the import happened.
"""

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from caseload.imports import (
    absences,
    assessments,
    bulk,
    notifications,
    officers,
    orders,
    register,
    staging,
    validation,
    visits,
)
from caseload.imports.kind import ImportKind
from caseload.imports.limits import ReadLimits
from caseload.imports.progress import Progress
from caseload.imports.reading import ImportFileError

log = logging.getLogger(__name__)
KINDS: dict[str, ImportKind] = {"officers": officers, "register": register, "visits": visits,
                                "assessments": assessments, "notifications": notifications, "orders": orders,
                                "absences": absences}
LOCK = 7_110_042  # advisory lock: one import applies at a time


@dataclass
class Result:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    error_count: int = 0
    errors: list[dict] = field(default_factory=list)
    report: dict = field(default_factory=dict)
    applied: bool = False


class _RollBack(Exception):
    """Raised inside the transaction to undo a dry run after its counts are known."""


def execute(*, kind: str, path: Path, run_id: int, dry_run: bool, valid_rows_only: bool,
            errors_path: Path | None) -> Result:
    """Run the import of `path`; write nothing when dry_run, or when any row is bad unless valid_rows_only."""
    spec = KINDS[kind]
    progress = Progress(run_id)
    result = Result()
    today = timezone.localdate()
    timings = {}
    started = time.monotonic()
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '64MB'")
            # The checks compile their plans just in time, though caseload's sessions do not by default
            # (CASELOAD_DB_JIT): the statement that trims and types every cell of 1M rows took 5.7 s with it
            # against 7.2-8.0 s without. Applying turns it off again below.
            cursor.execute("SET LOCAL jit = on")
            try:
                with transaction.atomic():  # a savepoint: a COPY that fails must not spoil the transaction
                    progress("reading")
                    unknown, present = stage_file(cursor, spec, path, progress)
            except ImportFileError as error:
                return file_error(result, error, cursor, errors_path)
            timings["read"] = time.monotonic() - started
            # Only now, with the file read into this transaction's own tables, is the lock taken: a file
            # refused at reading never holds it, and a slow one does not keep other imports waiting.
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK])
            if unknown:
                result.report["ignored_columns"] = unknown
            progress("validating")
            if skipped := spec.skip_unchanged(cursor, present=present):
                result.report["rows_as_last_imported"] = skipped
            select, joins = spec.lookups(present=present, today=today)
            result.rows = skipped + staging.create_rows(cursor, spec.COLUMNS, present, select, joins)
            spec.prepare(cursor)
            checks = validation.column_checks(spec.COLUMNS, present) + spec.checks(present=present, today=today)
            result.error_count = validation.find_errors(cursor, checks)
            result.errors = validation.first_errors(cursor)
            if result.error_count and errors_path:
                validation.write_error_csv(cursor, errors_path)
            timings["validate"] = time.monotonic() - started - timings["read"]
            result.report.update(spec.notes(cursor))
            if result.error_count and not valid_rows_only:
                return result
            if result.error_count:
                result.report["rows_left_out"] = validation.drop_invalid_rows(cursor)
            progress("applying")
            applying = time.monotonic()
            try:
                with transaction.atomic():
                    # Check foreign keys as rows go in, not all at commit: a queue of millions of deferred
                    # checks would hold memory for nothing (every key was resolved by a join above).
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                    # Applying is a score of statements, each over whole tables once: compiling each one's plan
                    # (a second or more for the larger ones) costs more than it saves. The checks, fewer and
                    # heavier on expressions, keep it.
                    cursor.execute("SET LOCAL jit = off")
                    counts = spec.apply(cursor, run_id=run_id, present=present, today=today)
                    if dry_run:
                        raise _RollBack
            except _RollBack:
                pass
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # back to Django's default for the transaction
            timings["apply"] = time.monotonic() - applying
            valid = result.rows - result.report.get("rows_left_out", 0)
            result.created, result.updated = counts.pop("created"), counts.pop("updated")
            if not dry_run:
                followed = spec.flags_follow(cursor, changed=result.created + result.updated)
                if followed is not None:
                    result.report["flags_followed_for"] = followed
            result.unchanged = valid - result.created - result.updated
            result.report.update(counts)
            result.applied = not dry_run
        if result.applied and spec.BULK_KEYS:
            checking = time.monotonic()
            if not bulk.check_keys_set_aside(tables=spec.BULK_KEYS, lock=LOCK):
                result.report["keys_unchecked"] = True
            timings["check_keys"] = time.monotonic() - checking
    finally:
        drop_staging()
        progress("done")
        progress.close()
        result.report["seconds"] = {k: round(v, 2) for k, v in timings.items()}
    return result


def stage_file(cursor, spec: ImportKind, path: Path, progress: Progress) -> tuple[list[str], set[str]]:
    """Read the file into the raw staging table within the read limits; its unknown headers and the known
    columns it has."""
    limits = ReadLimits.from_settings()
    source = staging.open_source(path, limits)
    try:
        staged, unknown, present = staging.map_header(source.header, spec.COLUMNS)
        staging.copy_file(cursor, source, staged, limits, lambda f: progress("reading", f))
    finally:
        source.close()
    return unknown, present


STAGING_TABLES = ("import_raw, import_rows, import_errors, import_dates, import_touched, import_open_visits,"
                  " import_unchanged, import_digests, import_changed, import_assessed, import_chain, import_notified,"
                  " import_moved, import_twice")


def drop_staging() -> None:
    """Temporary tables go with their transaction, except where the import ran inside a longer one."""
    if connection.in_atomic_block and not connection.needs_rollback:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {STAGING_TABLES}")


def file_error(result: Result, error: ImportFileError, cursor, errors_path: Path | None) -> Result:
    """A file that cannot be read at all: one error, with the row where reading stopped."""
    result.error_count = 1
    result.errors = [{"row": error.row, "column": error.column, "value": error.value, "message": error.message}]
    result.report["file_error"] = True
    if errors_path:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {validation.ERRORS} (row_no bigint, column_name text, value text,"
            " message text) ON COMMIT DROP"
        )
        validation.add_error(cursor, row=error.row, column=error.column, value=error.value, message=error.message)
        validation.write_error_csv(cursor, errors_path)
    return result


def max_bytes() -> int:
    return settings.CASELOAD_IMPORT_MAX_MB * 1024 * 1024
