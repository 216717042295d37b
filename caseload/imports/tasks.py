from celery import shared_task

from caseload.imports import upkeep
from caseload.imports.services import import_run_execute, media_path
from offenders.models import ImportRun


@shared_task
def preview_import(run_id: int) -> str:
    """Check an uploaded file and count what it would change, writing nothing."""
    run = ImportRun.objects.get(pk=run_id)
    path = media_path(run.stored_file)
    run = import_run_execute(run=run, path=path, dry_run=True, valid_rows_only=False)
    if run.outcome == ImportRun.Outcome.DRY_RUN:
        run.outcome = ImportRun.Outcome.VALIDATED
        run.save(update_fields=["outcome"])
    return run.outcome


@shared_task
def apply_import(run_id: int) -> str:
    """Apply a confirmed upload, then delete the uploaded copy of the register (its hash stays on record)."""
    run = ImportRun.objects.get(pk=run_id)
    path = media_path(run.stored_file)
    run = import_run_execute(run=run, path=path, dry_run=False, valid_rows_only=run.valid_rows_only)
    if run.outcome in (ImportRun.Outcome.APPLIED, ImportRun.Outcome.UNCHANGED):
        path.unlink(missing_ok=True)
        run.stored_file = ""
        run.save(update_fields=["stored_file"])
    return run.outcome


@shared_task
def fail_stopped_imports() -> int:
    """The watchdog: runs that stopped without finishing are marked failed, to be retried."""
    return upkeep.import_runs_stopped_fail()


@shared_task
def delete_expired_import_files() -> int:
    """Uploaded files and error lists are kept CASELOAD_IMPORT_RETENTION_DAYS days."""
    return upkeep.import_files_expire()
