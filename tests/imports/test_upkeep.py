"""Runs that stop without a word are failed by the watchdog and can be retried; a cancelled upload loses its
files at once, and every upload and error list goes after the retention period, its name and hash kept."""

import datetime as dt
import os
import time

import psycopg
import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from caseload.imports import engine, services, upkeep
from caseload.imports.tasks import apply_import, preview_import
from offenders.models import ImportRun, Officer

pytestmark = pytest.mark.django_db
OFFICERS = b"staff_id,name,team\nOM1,Ann Archer,North\nOM2,Ben Bolt,South\n"
BAD_OFFICERS = b"staff_id,name,team\nOM1," + b"Ann Archer " * 20 + b",North\n"  # a name too long


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def uploaded(alice, content=OFFICERS) -> ImportRun:
    run = services.import_upload(kind="officers", uploaded=SimpleUploadedFile("officers.csv", content), user=alice)
    preview_import(run.pk)
    run.refresh_from_db()
    return run


def files_of(run: ImportRun) -> list:
    return [django_settings.MEDIA_ROOT / name for name in (run.stored_file, run.errors_file) if name]


def handed_over(run: ImportRun, *, minutes_ago: int, outcome=ImportRun.Outcome.RUNNING) -> None:
    queued_at = timezone.now() - dt.timedelta(minutes=minutes_ago)
    ImportRun.objects.filter(pk=run.pk).update(outcome=outcome, queued_at=queued_at)


def test_a_run_whose_worker_was_killed_is_failed_by_the_watchdog_and_can_be_retried(client, alice):
    run = uploaded(alice)
    handed_over(run, minutes_ago=40)

    assert upkeep.import_runs_stopped_fail() == 1

    run.refresh_from_db()
    assert run.outcome == ImportRun.Outcome.FAILED and "stopped without finishing" in run.report["failure"]
    client.force_login(alice)
    page = client.get(reverse("imports:run", args=[run.pk])).content.decode()
    assert "Retry: check the file again" in page
    client.post(reverse("imports:retry", args=[run.pk]))
    preview_import(run.pk)
    run.refresh_from_db()
    assert (run.outcome, run.created) == (ImportRun.Outcome.VALIDATED, 2)


def test_the_watchdog_leaves_a_run_that_a_worker_holds_and_a_recent_one(alice):
    working, recent = uploaded(alice), uploaded(alice)
    handed_over(working, minutes_ago=40)
    handed_over(recent, minutes_ago=10)
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as worker:
        worker.execute("SELECT pg_advisory_lock(%s, %s)", [upkeep.RUN_LOCKS, working.pk])

        assert upkeep.import_runs_stopped_fail() == 0

    assert set(ImportRun.objects.values_list("outcome", flat=True)) == {ImportRun.Outcome.RUNNING}


def test_a_worker_that_takes_up_a_run_the_watchdog_failed_leaves_it(alice):
    run = uploaded(alice)
    services.import_confirm(run=run, valid_rows_only=False)
    handed_over(run, minutes_ago=40)
    upkeep.import_runs_stopped_fail()

    assert apply_import(run.pk) == ImportRun.Outcome.FAILED
    assert not Officer.objects.exists()


def test_an_import_stopped_at_the_soft_time_limit_says_so(alice, monkeypatch):
    run = uploaded(alice)
    services.import_confirm(run=run, valid_rows_only=False)

    def too_slow(**kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(engine, "execute", too_slow)
    assert apply_import(run.pk) == ImportRun.Outcome.FAILED
    run.refresh_from_db()
    assert "ran past the 25-minute limit" in run.report["failure"]


def test_every_task_has_a_time_limit_and_the_watchdog_and_retention_run_on_the_beat():
    assert django_settings.CELERY_TASK_SOFT_TIME_LIMIT < django_settings.CELERY_TASK_TIME_LIMIT
    tasks = {entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
    watchdog, retention = "fail_stopped_imports", "delete_expired_import_files"
    assert {f"caseload.imports.tasks.{watchdog}", f"caseload.imports.tasks.{retention}"} <= tasks


def test_a_cancelled_upload_loses_its_file_and_error_list_at_once_and_keeps_its_hash(client, alice):
    run = uploaded(alice, BAD_OFFICERS)
    files = files_of(run)
    assert len(files) == 2 and all(f.exists() for f in files)
    client.force_login(alice)
    assert "Cancel this import" in client.get(reverse("imports:run", args=[run.pk])).content.decode()

    client.post(reverse("imports:cancel", args=[run.pk]))

    run.refresh_from_db()
    assert run.outcome == ImportRun.Outcome.CANCELLED and not any(f.exists() for f in files)
    assert (run.stored_file, run.errors_file, run.file_name, len(run.sha256)) == ("", "", "officers.csv", 64)
    assert client.get(reverse("imports:errors", args=[run.pk])).status_code == 404
    assert client.post(reverse("imports:confirm", args=[run.pk])).status_code == 302
    assert not Officer.objects.exists()


def test_a_running_import_cannot_be_cancelled(alice):
    run = uploaded(alice)
    services.import_confirm(run=run, valid_rows_only=False)

    with pytest.raises(ValueError, match="checked and not imported"):
        services.import_cancel(run=run)


def test_files_are_deleted_after_the_retention_period_and_the_history_keeps_name_and_hash(alice, settings):
    settings.CASELOAD_IMPORT_RETENTION_DAYS = 30
    old, young = uploaded(alice, BAD_OFFICERS), uploaded(alice, BAD_OFFICERS)
    old_files = files_of(old)
    assert old.report["errors"][0]["value"].startswith("Ann Archer")
    ImportRun.objects.filter(pk=old.pk).update(finished_at=timezone.now() - dt.timedelta(days=31))
    stray = django_settings.MEDIA_ROOT / "imports" / "uploads" / "left-behind.csv"
    stray.write_bytes(b"reference\n")
    month_ago = time.time() - 31 * 86400
    os.utime(stray, (month_ago, month_ago))

    assert upkeep.import_files_expire() == 1

    old.refresh_from_db()
    assert len(old_files) == 2 and not any(f.exists() for f in [*old_files, stray])
    assert (old.stored_file, old.errors_file, old.report["files_deleted_because"]) == ("", "", "kept 30 days")
    assert old.sha256 and old.file_name == "officers.csv"
    assert [(e["row"], e["column"], e["value"]) for e in old.report["errors"]] == [(2, "name", "")]
    assert all(f.exists() for f in files_of(young))


def test_an_apply_task_that_comes_after_a_retry_leaves_the_file_to_be_confirmed_again(alice):
    run = uploaded(alice)
    services.import_confirm(run=run, valid_rows_only=False)
    handed_over(run, minutes_ago=40)
    upkeep.import_runs_stopped_fail()
    services.import_retry(run=services.ImportRun.objects.get(pk=run.pk))

    assert apply_import(run.pk) == ImportRun.Outcome.PENDING
    assert not Officer.objects.exists()


def test_the_watchdog_says_so_when_the_run_had_written_its_changes(alice):
    run = uploaded(alice)
    services.import_confirm(run=run, valid_rows_only=False)
    apply_import(run.pk)
    handed_over(run, minutes_ago=40)  # as if killed in the checks after its commit

    upkeep.import_runs_stopped_fail()

    run.refresh_from_db()
    assert "It had written its changes" in run.report["failure"] and "Retry" not in run.report["failure"]


def test_a_stored_file_outside_the_media_folder_is_never_touched(alice, tmp_path):
    outside = tmp_path / "elsewhere.csv"
    outside.write_bytes(b"x")
    run = uploaded(alice, BAD_OFFICERS)
    ImportRun.objects.filter(pk=run.pk).update(stored_file=str(outside))
    run.refresh_from_db()

    with pytest.raises(ValueError, match="inside MEDIA_ROOT"):
        services.import_cancel(run=run)
    assert outside.exists()


def test_the_soft_time_limit_reached_while_a_spreadsheet_is_read_is_reported_as_such(alice, tmp_path, monkeypatch):
    from caseload.imports import xlsx
    from tests.imports import bombs

    def too_slow(value):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(xlsx, "cell_text", too_slow)
    path = bombs.write_xlsx(tmp_path / "register.xlsx", [bombs.header_row(), bombs.good_row(2)])
    run = services.import_file(kind="register", path=path, user=alice)

    assert run.outcome == ImportRun.Outcome.FAILED and "ran past the 25-minute limit" in run.report["failure"]
