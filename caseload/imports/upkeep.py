"""Keeping the import runs honest over time: who is working on a run, runs that stopped without a word,
and the uploaded files and error lists that are kept only so long.

A worker running an import holds the session lock (RUN_LOCKS, run id) until it is done; a worker that is
killed loses its connection, and the lock with it. The watchdog fails a run handed to a worker longer ago
than any task may take whose lock nobody holds, taking that lock itself while it does, so that a worker
that picks the run up late finds it failed and leaves it.
"""

import datetime as dt
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from offenders.models import ImportRun

RUN_LOCKS = 7_110_043  # pg_advisory_lock(RUN_LOCKS, run id): held by whoever is running that import
WORKING = (ImportRun.Outcome.PENDING, ImportRun.Outcome.RUNNING)
FINISHED_WITH_FILES = (ImportRun.Outcome.VALIDATED, ImportRun.Outcome.INVALID, ImportRun.Outcome.FAILED)


@contextmanager
def working_on(run: ImportRun, *, expected: str):
    """Hold the run's lock while it runs; yields False unless the run is still as the caller expects it (a
    check is pending, an apply running): a task that comes late, after the watchdog failed its run or an admin
    retried it, leaves it alone."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [RUN_LOCKS, run.pk])
    try:
        run.refresh_from_db(fields=["outcome"])
        yield run.outcome == expected
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [RUN_LOCKS, run.pk])


def stopped_after() -> dt.timedelta:
    """A task is killed at CELERY_TASK_TIME_LIMIT; a run quiet for longer than that, and a margin, has stopped."""
    return dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT) + dt.timedelta(minutes=5)


def import_runs_stopped_fail() -> int:
    """Mark failed every run that stopped without finishing (worker killed, time limit, never picked up);
    the admin can then check its file again. Returns how many."""
    now = timezone.now()
    failed = 0
    for run in ImportRun.objects.filter(outcome__in=WORKING, queued_at__lt=now - stopped_after()):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [RUN_LOCKS, run.pk])
            if not cursor.fetchone()[0]:
                continue  # a worker is on it
            minutes = settings.CELERY_TASK_TIME_LIMIT // 60
            written = wrote_anything(run)
            failed += ImportRun.objects.filter(pk=run.pk, outcome=run.outcome).update(
                outcome=ImportRun.Outcome.FAILED, finished_at=now, stage="Stopped",
                report={**run.report, "failure": (
                    "The import stopped without finishing: its worker was stopped, or it ran past the"
                    f" {minutes}-minute limit, or no worker took it up. "
                    + ("It had written its changes (they carry this import), but not finished the checks after."
                       if written else "Nothing was written.")
                    + (" Check the file again with Retry." if run.stored_file and not written else "")
                )},
            )
    return failed


def wrote_anything(run: ImportRun) -> bool:
    """Whether the run's one transaction committed: whatever it wrote carries it."""
    from offenders.models import Offender, Officer
    from visits.models import Visit

    return any(model.objects.filter(import_run=run).exists() for model in (Offender, Visit, Officer))


def files_delete(run: ImportRun, *, because: str) -> None:
    """Delete the run's uploaded file and error list, and the values its report quotes from the file (names
    among them); its file name, size and hash, and where each error was, stay on record."""
    from caseload.imports.services import media_path

    for relative in (run.stored_file, run.errors_file):
        if relative:
            media_path(relative).unlink(missing_ok=True)
    run.stored_file = run.errors_file = ""
    errors = [{**error, "value": ""} for error in run.report.get("errors", [])]
    run.report = {**run.report, "errors": errors, "files_deleted_on": timezone.localdate().isoformat(),
                  "files_deleted_because": because}
    run.save(update_fields=["stored_file", "errors_file", "report"])


def import_files_expire() -> int:
    """Delete the files of runs finished more than CASELOAD_IMPORT_RETENTION_DAYS ago, and any file left in
    the import folders that no run names; returns how many runs lost their files."""
    days = settings.CASELOAD_IMPORT_RETENTION_DAYS
    cutoff = timezone.now() - dt.timedelta(days=days)
    old = ImportRun.objects.exclude(outcome__in=WORKING).filter(finished_at__lt=cutoff)
    old = old.exclude(stored_file="", errors_file="")
    expired = 0
    for run in old.iterator():
        files_delete(run, because=f"kept {days} days")
        expired += 1
    named = {name for pair in ImportRun.objects.values_list("stored_file", "errors_file") for name in pair if name}
    media = Path(settings.MEDIA_ROOT)
    for folder in ("imports/uploads", "imports/errors"):
        for path in (media / folder).glob("*"):
            unnamed = str(path.relative_to(media)) not in named
            if unnamed and path.is_file() and path.stat().st_mtime < cutoff.timestamp():
                path.unlink(missing_ok=True)
    return expired
