"""Findings of the outside probe (round two) that are closed: each test failed before its fix."""

import csv
import datetime as dt
import threading
import time

import psycopg
import pytest
from django.db import connection
from django.urls import reverse

from caseload.imports.services import import_file
from offenders.models import Officer, Team
from tests.factories import OffenderFactory, VisitFactory, tier
from visits import services
from visits.flagging import flags_refresh
from visits.models import Visit, VisitStatus

pytestmark = pytest.mark.django_db
META_REFRESH = '<meta http-equiv="refresh" content="0;url=https://example.org/">'


@pytest.mark.parametrize(("name", "query"), [("dashboards:overdue", {"late": META_REFRESH}),
                                             ("dashboards:unallocated", {"status": META_REFRESH})])
def test_an_export_refused_for_its_filters_quotes_them_as_text_not_html(client, bob, name, query):
    client.force_login(bob)
    response = client.get(reverse(name), {**query, "_export": "csv"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")


def test_an_imports_error_list_neutralises_what_looks_like_a_formula(tmp_path, settings, db):
    settings.MEDIA_ROOT = tmp_path / "media"
    Officer.objects.create(staff_id="OM100", name="Charlie", team=Team.objects.create(name="North"))
    path = tmp_path / "register.csv"
    path.write_text("reference,surname,forenames,date_of_birth,risk_tier,officer,registered_on\n"
                    'R-1,Nowak,Gary,1989-01-14,"=HYPERLINK(""https://example.org"")",OM100,2011-02-17\n'
                    "R-2,Khan,Mo,1962-10-07,@SUM(1),OM100,2014-03-02\n")
    run = import_file(kind="register", path=path)
    with open(settings.MEDIA_ROOT / run.errors_file, newline="", encoding="utf-8-sig") as f:
        values = [row["value"] for row in csv.DictReader(f)]
    assert values == ["'=HYPERLINK(\"https://example.org\")", "'@SUM(1)"]


def test_the_api_answers_a_day_out_of_range_with_a_clear_400(client, alice):
    client.force_login(alice)
    response = client.get("/api/v1/summary/", {"as_of": "0001-01-01"})
    assert response.status_code == 400
    assert "before 1900-01-01" in response.json()["error"]


def test_a_caseload_page_holds_at_most_the_largest_page_size_whatever_is_asked(client, charlie, settings):
    settings.CASELOAD_MAX_PAGE_SIZE = 20
    OffenderFactory.create_batch(25, officer=charlie.officer)
    client.force_login(charlie)
    page = client.get(reverse("visits:my_caseload"), {"per_page": 100000}).context["page_obj"]
    assert len(page.object_list) == 20


def test_a_table_page_holds_at_most_the_largest_page_size_whatever_is_asked(client, alice, settings):
    settings.CASELOAD_MAX_PAGE_SIZE = 20
    OffenderFactory.create_batch(25, officer=None)
    flags_refresh()  # the unallocated table lists the offenders flagged unallocated
    client.force_login(alice)
    table = client.get(reverse("dashboards:unallocated"), {"per_page": 100000}).context["table"]
    assert len(table.page.object_list) == 20


@pytest.mark.parametrize("path", ["/dashboard/", "/dashboard/overdue/?_export=csv", "/visits/mine/",
                                  "/api/v1/summary/"])
def test_signed_in_pages_exports_and_the_api_are_never_stored(client, alice, path):
    client.force_login(alice)
    response = client.get(path)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_a_case_action_waiting_on_a_tier_change_goes_ahead_on_the_new_tier(transactional_db, charlie):
    offender = OffenderFactory(officer=charlie.officer, risk_tier=tier("low"))
    visit = VisitFactory(offender=offender, due_on=dt.date.today())
    errors = []

    def log_visit():
        try:
            services.visit_complete(offender=offender, visit_id=visit.pk, user=charlie, visited_on=dt.date.today(),
                                    kind=Visit.Kind.HOME_UNANNOUNCED)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    with psycopg.connect(**connection.get_connection_params()) as supervisor:
        supervisor.execute("UPDATE offenders_offender SET risk_tier_id = %s WHERE id = %s",
                           [tier("high").pk, offender.pk])  # uncommitted: the service waits for it
        officer = threading.Thread(target=log_visit)
        officer.start()
        time.sleep(0.5)
        supervisor.commit()
    officer.join(timeout=30)
    assert errors == []
    next_visit = Visit.objects.get(offender=offender, status=VisitStatus.SCHEDULED)
    assert next_visit.due_on == dt.date.today() + dt.timedelta(days=91)


def register_file(tmp_path, body: str | bytes, header: str = "reference,surname,forenames,date_of_birth,risk_tier,"
                                                           "officer,registered_on"):
    path = tmp_path / "register.csv"
    content = (header + "\n").encode() + (body.encode() if isinstance(body, str) else body)
    path.write_bytes(content)
    return path


def test_a_long_value_is_quoted_in_the_report_cut_and_saying_so(tmp_path, settings, db):
    settings.MEDIA_ROOT = tmp_path / "media"
    long_tier = "x" * 100_000
    row = f"R-1,Nowak,Gary,1989-01-14,{long_tier},,2011-02-17\n"
    run = import_file(kind="register", path=register_file(tmp_path, row))
    (error,) = run.report["errors"]
    assert error["value"] == "x" * 200 + "… (100000 characters)"
    with open(settings.MEDIA_ROOT / run.errors_file, newline="", encoding="utf-8-sig") as f:
        assert len(f.read()) < 1000


def test_a_file_with_thousands_of_columns_is_refused_saying_so(tmp_path, db):
    header = ",".join(f"c{n}" for n in range(10_000))
    run = import_file(kind="register", path=register_file(tmp_path, "", header=header))
    (error,) = run.report["errors"]
    assert run.outcome == "invalid" and "10,000 columns" in error["message"] and "at most 200" in error["message"]


def test_a_nul_byte_is_named_as_such_not_as_bad_utf8(tmp_path, db):
    run = import_file(kind="register", path=register_file(tmp_path, b"R-1,Now\x00ak,Gary,1989-01-14,low,,2011-02-17\n"))
    (error,) = run.report["errors"]
    assert "NUL byte" in error["message"] and error["row"] == 2
