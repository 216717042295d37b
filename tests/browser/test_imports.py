"""The import flow in a real browser, with a real Celery worker on Redis behind it."""

import pytest
from celery.contrib.testing.worker import start_worker
from playwright.sync_api import expect

from caseload.celery import app
from offenders.models import ImportRun, Offender
from tests.browser.conftest import screenshot, sign_in
from tests.imports.conftest import ESSEX

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def celery_worker(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
        yield worker


def upload(page, kind: str, path) -> None:
    page.get_by_label("What the file holds").select_option(kind)
    page.get_by_label("File (CSV or XLSX)").set_input_files(str(path))
    page.get_by_role("button", name="Upload and check").click()


def test_an_admin_uploads_previews_confirms_and_sees_the_result(page, live_server, alice, celery_worker):
    sign_in(page, live_server, "alice")
    page.get_by_role("link", name="Imports").click()
    expect(page.get_by_role("heading", name="Imports", exact=True)).to_be_visible()
    screenshot(page, "imports-history-empty")

    upload(page, "officers", ESSEX / "officers.csv")
    expect(page.get_by_role("button", name="Import 20 rows")).to_be_visible(timeout=30_000)
    upload_page = page.url
    page.goto(f"{live_server.url}/imports/")
    upload(page, "register", ESSEX / "register.csv")
    expect(page.get_by_text("Required column missing")).to_have_count(0)
    expect(page.get_by_text("is not the staff_id of any officer").first).to_be_visible(timeout=30_000)
    screenshot(page, "imports-register-before-officers")

    page.goto(upload_page)
    page.get_by_role("button", name="Import 20 rows").click()
    done = page.get_by_text("The import is done.")
    expect(page.get_by_role("progressbar", name="Progress").or_(done)).to_be_visible()
    expect(done).to_be_visible(timeout=30_000)
    expect(page.get_by_role("list", name="Counts")).to_contain_text("20 created")
    screenshot(page, "imports-officers-applied")

    page.goto(f"{live_server.url}/imports/")
    upload(page, "register", ESSEX / "register.csv")
    expect(page.get_by_role("button", name="Import 1,297 rows")).to_be_visible(timeout=60_000)
    screenshot(page, "imports-register-preview")
    page.get_by_role("button", name="Import 1,297 rows").click()
    expect(page.get_by_text("The import is done.")).to_be_visible(timeout=60_000)
    expect(page.get_by_role("list", name="Counts")).to_contain_text("1,297 created")
    screenshot(page, "imports-register-applied")
    assert Offender.objects.count() == 1297

    page.goto(f"{live_server.url}/imports/")
    expect(page.get_by_role("cell", name="register.csv").first).to_be_visible()
    screenshot(page, "imports-history")
    assert ImportRun.objects.filter(outcome=ImportRun.Outcome.APPLIED).count() == 2


def test_the_progress_bar_moves_while_a_worker_applies_the_file(page, live_server, alice, celery_worker):
    sign_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/imports/")
    upload(page, "officers", ESSEX / "officers.csv")
    page.get_by_role("button", name="Import 20 rows").click(timeout=30_000)

    progress = page.get_by_role("progressbar", name="Progress")
    done = page.get_by_text("The import is done.")
    expect(progress.or_(done)).to_be_visible()
    screenshot(page, "imports-progress")
    expect(done).to_be_visible(timeout=30_000)
    expect(page.get_by_text("nothing changed", exact=False)).to_have_count(0)


def test_an_admin_uploads_a_bomb_sees_it_refused_and_cancels_it(page, live_server, alice, celery_worker, tmp_path):
    from tests.imports import bombs

    bomb = bombs.write_xlsx(tmp_path / "register.xlsx", [bombs.header_row(), bombs.good_row(2)],
                            strings=bombs.repeated(bombs.string_item("x" * 1000), 200 << 20))
    sign_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/imports/")
    upload(page, "register", bomb)

    expect(page.get_by_text("xl/sharedStrings.xml unpacks to 200 MB")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("button", name="Import 1 rows")).to_have_count(0)
    screenshot(page, "imports-bomb-refused")
    page.get_by_role("button", name="Cancel this import and delete its file").click()

    expect(page.get_by_text("Import cancelled: the uploaded file and its error list are deleted.")).to_be_visible()
    expect(page.locator("#outcome")).to_have_text("Cancelled")
    screenshot(page, "imports-bomb-cancelled")
    run = ImportRun.objects.get()
    assert (run.stored_file, run.errors_file, run.file_name) == ("", "", "register.xlsx")
