"""The import pages: administrators only; upload, preview, confirm, result, history, error list."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from caseload.imports import services
from caseload.imports.tasks import apply_import, preview_import
from offenders.models import ImportRun, Officer

pytestmark = pytest.mark.django_db
OFFICERS = b"staff_id,name,team\nOM1,Ann Archer,North\nOM2,Ben Bolt,South\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def upload(client, content: bytes, name="officers.csv", kind="officers", capture=None):
    with capture(execute=False) as callbacks:
        response = client.post(reverse("imports:history"), {"kind": kind, "file": SimpleUploadedFile(name, content)})
    assert len(callbacks) == 1  # the preview task, sent once the upload is committed
    run = ImportRun.objects.get()
    preview_import(run.pk)  # what the worker runs
    return response, ImportRun.objects.get(pk=run.pk)


@pytest.mark.parametrize("persona", ["bob", "charlie"])
def test_only_administrators_see_the_import_pages(client, persona, request, alice):
    request.getfixturevalue(persona)
    run = ImportRun.objects.create(kind="officers", file_name="x.csv", sha256="0" * 64, user=alice)
    client.login(username=persona, password="correct horse battery")

    for url in (reverse("imports:history"), reverse("imports:run", args=[run.pk]),
                reverse("imports:progress", args=[run.pk]), reverse("imports:errors", args=[run.pk])):
        assert client.get(url).status_code == 404
    assert client.post(reverse("imports:confirm", args=[run.pk])).status_code == 404


def test_the_nav_links_to_imports_for_administrators_only(client, alice, bob):
    client.force_login(alice)
    assert reverse("imports:history") in client.get(reverse("dashboard")).content.decode()
    client.force_login(bob)
    assert reverse("imports:history") not in client.get(reverse("dashboard")).content.decode()


def test_an_upload_is_previewed_then_applied_when_confirmed(client, alice, django_capture_on_commit_callbacks):
    client.force_login(alice)
    response, run = upload(client, OFFICERS, capture=django_capture_on_commit_callbacks)

    assert response.url == reverse("imports:run", args=[run.pk])
    assert (run.outcome, run.created, run.user) == (ImportRun.Outcome.VALIDATED, 2, alice)
    assert not Officer.objects.exists()
    page = client.get(response.url).content.decode()
    assert "to create" in page and "Import 2 rows" in page

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(reverse("imports:confirm", args=[run.pk]))
        second = client.post(reverse("imports:confirm", args=[run.pk]), follow=True)
    assert len(callbacks) == 1  # a second click starts nothing
    assert "Only a previewed upload can be confirmed" in second.content.decode()
    uploaded = services.media_path(run.stored_file)
    assert uploaded.is_file()
    apply_import(run.pk)
    assert not uploaded.exists()  # the register does not linger on the server once imported

    run.refresh_from_db()
    assert (run.outcome, run.created, run.dry_run) == (ImportRun.Outcome.APPLIED, 2, False)
    assert Officer.objects.count() == 2
    assert "created" in client.get(response.url).content.decode()
    progress = client.get(reverse("imports:progress", args=[run.pk])).json()
    assert progress["finished"] and progress["outcome"] == "applied" and progress["progress"] == 100


def test_a_file_with_errors_shows_them_and_offers_the_valid_rows_only(client, alice,
                                                                      django_capture_on_commit_callbacks):
    client.force_login(alice)
    _, run = upload(client, b"staff_id,name,team\nOM1,Ann,North\nOM2,,South\n",
                    capture=django_capture_on_commit_callbacks)

    assert run.outcome == ImportRun.Outcome.INVALID
    page = client.get(reverse("imports:run", args=[run.pk])).content.decode()
    assert "is required" in page and "valid rows only" in page
    download = client.get(reverse("imports:errors", args=[run.pk]))
    assert download["Content-Disposition"].startswith("attachment")
    assert b"3,name,,is required" in b"".join(download.streaming_content)

    client.post(reverse("imports:confirm", args=[run.pk]))  # without choosing valid rows only
    run.refresh_from_db()
    assert run.outcome == ImportRun.Outcome.INVALID and not Officer.objects.exists()

    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("imports:confirm", args=[run.pk]), {"valid_rows_only": "on"})
    apply_import(run.pk)
    assert list(Officer.objects.values_list("staff_id", flat=True)) == ["OM1"]


def test_an_upload_that_is_not_csv_or_xlsx_is_refused(client, alice):
    client.force_login(alice)
    response = client.post(reverse("imports:history"), {"kind": "officers",
                                                        "file": SimpleUploadedFile("register.pdf", b"%PDF")})

    assert "is not a CSV or XLSX file" in response.content.decode()
    assert not ImportRun.objects.exists()


def test_an_upload_over_the_size_limit_is_refused_with_the_limit(client, alice, settings):
    settings.CASELOAD_IMPORT_MAX_MB = 0
    client.force_login(alice)
    form = {"kind": "officers", "file": SimpleUploadedFile("o.csv", OFFICERS)}
    response = client.post(reverse("imports:history"), form)

    assert "the largest file accepted is 0 MB" in response.content.decode()


def test_the_history_lists_who_imported_what_and_when(client, alice, django_capture_on_commit_callbacks):
    client.force_login(alice)
    _, run = upload(client, OFFICERS, capture=django_capture_on_commit_callbacks)

    page = client.get(reverse("imports:history")).content.decode()
    assert "officers.csv" in page and "alice" in page and run.sha256[:10] in page
