"""Writes of the import engine: one function each for the commands, the upload, the confirmation, a retry
and a cancellation."""

import datetime as dt
import hashlib
import logging
import time
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.utils import timezone

from caseload.imports import engine, upkeep
from offenders.models import ImportRun
from visits.flagging import flags_refresh

log = logging.getLogger(__name__)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def media_path(relative: str) -> Path:
    """A stored file's path: always inside MEDIA_ROOT, whatever the database says."""
    root = Path(settings.MEDIA_ROOT).resolve()
    path = (root / relative).resolve()
    if not path.is_relative_to(root):
        raise ValueError("A stored import file must lie inside MEDIA_ROOT")
    return path


def import_run_create(*, kind: str, path: Path, user, file_name: str = "", dry_run: bool = False,
                      valid_rows_only: bool = False, stored_file: str = "") -> ImportRun:
    """Record an import about to start: who, which file (name, size and SHA-256), what was asked."""
    run = ImportRun(
        kind=kind, file_name=(file_name or path.name)[:255], sha256=file_sha256(path), size_bytes=path.stat().st_size,
        user=user if user is not None and user.is_authenticated else None, dry_run=dry_run,
        valid_rows_only=valid_rows_only, stored_file=stored_file,
        outcome=ImportRun.Outcome.PENDING if dry_run else ImportRun.Outcome.RUNNING,
    )
    run.full_clean()
    run.save()
    return run


def import_run_execute(*, run: ImportRun, path: Path, dry_run: bool, valid_rows_only: bool) -> ImportRun:
    """Validate and (unless dry_run, or the file has errors) apply the file; record what happened. A run
    stopped by the watchdog, or cancelled, before a worker took it up is left as it is."""
    with upkeep.working_on(run, expected=ImportRun.Outcome.PENDING if dry_run else ImportRun.Outcome.RUNNING) as wanted:
        if wanted:
            run_and_record(run=run, path=path, dry_run=dry_run, valid_rows_only=valid_rows_only)
    return run


def run_and_record(*, run: ImportRun, path: Path, dry_run: bool, valid_rows_only: bool) -> None:
    started = time.monotonic()
    errors_file = f"imports/errors/import-{run.pk}.csv"
    run.outcome = ImportRun.Outcome.PENDING if dry_run else ImportRun.Outcome.RUNNING
    run.dry_run, run.valid_rows_only = dry_run, valid_rows_only
    run.save(update_fields=["outcome", "dry_run", "valid_rows_only"])
    try:
        if run.size_bytes > engine.max_bytes():
            result = engine.Result(error_count=1, errors=[{
                "row": None, "column": "", "value": f"{run.size_bytes / 1048576:.0f} MB",
                "message": f"The file is larger than the {settings.CASELOAD_IMPORT_MAX_MB} MB limit"
                " (CASELOAD_IMPORT_MAX_MB): split it, or ask for the limit to be raised",
            }], report={"file_error": True})
        else:
            result = engine.execute(kind=run.kind, path=path, run_id=run.pk, dry_run=dry_run,
                                    valid_rows_only=valid_rows_only, errors_path=media_path(errors_file))
    except SoftTimeLimitExceeded:
        log.error("Import %s stopped at the time limit", run.pk)
        run.outcome = ImportRun.Outcome.FAILED
        run.report = {**run.report, "failure": (
            f"The import ran past the {settings.CELERY_TASK_SOFT_TIME_LIMIT // 60}-minute limit and was stopped;"
            " nothing was written. Split the file, or import it at a quieter time.")}
        finish(run, started)
        return
    except Exception as error:
        # The message of a database error can quote a whole row (names, addresses): log its kind only.
        log.error("Import %s failed: %s %s", run.pk, type(error).__name__, getattr(error, "sqlstate", "") or "")
        run.outcome = ImportRun.Outcome.FAILED
        run.report = {**run.report, "failure": "The import stopped on an unexpected error; nothing was written."}
        finish(run, started)
        return
    run.refresh_from_db(fields=["history_left_out_at"])  # set by a large load in its transaction (bulk.py)
    run.rows, run.created, run.updated, run.unchanged = result.rows, result.created, result.updated, result.unchanged
    run.error_count = result.error_count
    run.errors_file = errors_file if result.error_count and media_path(errors_file).exists() else ""
    run.report = {**result.report, "errors": result.errors}
    if result.error_count and not (valid_rows_only and not result.report.get("file_error")):
        run.outcome = ImportRun.Outcome.INVALID
    elif dry_run:
        run.outcome = ImportRun.Outcome.DRY_RUN
    elif result.created or result.updated:
        run.outcome = ImportRun.Outcome.APPLIED
    else:
        run.outcome = ImportRun.Outcome.UNCHANGED
    if run.outcome == ImportRun.Outcome.APPLIED and "flags_followed_for" not in run.report:
        # The flags follow the register: an import that changed many cases (a first load, an officers or visits
        # file) is followed by a run of the flag job, over what it wrote or the whole register (flag_changes.py);
        # a register import of a few changes did it itself (register.py).
        # The outcome is on record first: a worker stopped now leaves an applied import, and the hourly job
        # brings the flags in line.
        run.stage, run.finished_at = "Refreshing flags", timezone.now()
        run.save()
        flags_refresh(wait=True)
    finish(run, started)
    log.info("Import %s (%s) %s: %s rows, %s created, %s updated, %s unchanged, %s errors", run.pk, run.kind,
             run.outcome, run.rows, run.created, run.updated, run.unchanged, run.error_count)


def finish(run: ImportRun, started: float) -> None:
    run.refresh_from_db(fields=["history_left_out_at"])  # committed by a large load, whatever happened after
    run.finished_at = timezone.now()
    run.duration = dt.timedelta(seconds=time.monotonic() - started)
    run.progress = 100
    run.save()


def import_file(*, kind: str, path: Path, user=None, dry_run: bool = False, valid_rows_only: bool = False,
                file_name: str = "") -> ImportRun:
    """Import a file in one go (the management commands): record it, validate it, apply it."""
    path = Path(path)
    run = import_run_create(kind=kind, path=path, user=user, file_name=file_name, dry_run=dry_run,
                            valid_rows_only=valid_rows_only)
    return import_run_execute(run=run, path=path, dry_run=dry_run, valid_rows_only=valid_rows_only)


def import_upload(*, kind: str, uploaded, user) -> ImportRun:
    """Keep an uploaded file for the preview and the confirmation that follows (the check runs as a task)."""
    uploads = Path(settings.MEDIA_ROOT) / "imports" / "uploads"
    uploads.mkdir(parents=True, exist_ok=True)
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S-%f")
    suffix = ".xlsx" if uploaded.name.lower().endswith(".xlsx") else ".csv"
    path = uploads / f"{kind}-{stamp}{suffix}"
    with open(path, "wb") as f:
        for chunk in uploaded.chunks():
            f.write(chunk)
    return import_run_create(kind=kind, path=path, user=user, file_name=Path(uploaded.name).name, dry_run=True,
                             stored_file=str(path.relative_to(settings.MEDIA_ROOT)))


def import_confirm(*, run: ImportRun, valid_rows_only: bool) -> ImportRun:
    """The admin confirms a previewed upload, to be applied by a task (again checked, all or nothing)."""
    confirmable = [ImportRun.Outcome.VALIDATED, ImportRun.Outcome.INVALID]
    if not run.stored_file or run.report.get("file_error") or run.outcome not in confirmable:
        raise ValueError("Only a previewed upload can be confirmed")
    if run.outcome == ImportRun.Outcome.INVALID and not valid_rows_only:
        raise ValueError("This file has errors: fix them, or choose to import the valid rows only")
    # Compare and set: a second click, or a second admin, does not start a second import.
    claimed = ImportRun.objects.filter(pk=run.pk, outcome=run.outcome).update(
        outcome=ImportRun.Outcome.RUNNING, progress=0, stage="Waiting for a worker", dry_run=False,
        valid_rows_only=valid_rows_only, duration=None, finished_at=None, queued_at=timezone.now(),
    )
    if not claimed:
        raise ValueError("This import has already been confirmed")
    run.refresh_from_db()
    return run


def import_retry(*, run: ImportRun) -> ImportRun:
    """Check a failed upload's file again, from the start (the admin then confirms it again)."""
    if run.outcome != ImportRun.Outcome.FAILED or not run.stored_file:
        raise ValueError("Only a failed upload whose file is still kept can be retried")
    claimed = ImportRun.objects.filter(pk=run.pk, outcome=run.outcome).update(
        outcome=ImportRun.Outcome.PENDING, progress=0, stage="Waiting for a worker", dry_run=True,
        valid_rows_only=False, duration=None, finished_at=None, queued_at=timezone.now(), error_count=0,
        errors_file="", report={"retried_after": run.report.get("failure", "")},
    )
    if not claimed:
        raise ValueError("This import is being retried already")
    if run.errors_file:
        media_path(run.errors_file).unlink(missing_ok=True)
    run.refresh_from_db()
    return run


def import_cancel(*, run: ImportRun) -> ImportRun:
    """The admin drops an upload that was checked but not applied: its file and error list go at once."""
    if run.outcome not in upkeep.FINISHED_WITH_FILES:
        raise ValueError("Only an upload that was checked and not imported can be cancelled")
    if not ImportRun.objects.filter(pk=run.pk, outcome=run.outcome).update(outcome=ImportRun.Outcome.CANCELLED):
        raise ValueError("This import has changed meanwhile: look at it again")
    run.refresh_from_db()
    upkeep.files_delete(run, because="cancelled")
    return run
