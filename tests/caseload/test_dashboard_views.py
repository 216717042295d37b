import datetime as dt
import io
import re

import pytest
from django.db import connection
from django.db.models import Value
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from caseload.dashboards import exports
from offenders.models import Team
from tests.caseload.conftest import cells_both_ways, days_ago, exports_read, read_csv
from tests.factories import OffenderFactory, VisitFactory, tier
from visits.flagging import flags_refresh

pytestmark = pytest.mark.django_db
TABLES = ["dashboards:overdue", "dashboards:overdue_assessments", "dashboards:overdue_mappa", "dashboards:unseen",
          "dashboards:workload", "dashboards:unallocated"]


def test_the_dashboard_shows_figures_charts_and_changes(client, bob, overdue_in_north):
    client.force_login(bob)
    response = client.get(reverse("dashboard"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-figure="overdue_visits"' in html and 'data-figure="missing"' in html
    assert "<svg" in html and "Overdue visits over the last 12 months" in html
    assert "Charlie Chalk" in html
    assert "30 days ago" in html and "a year ago" in html


def test_a_supervisor_cannot_pick_a_team_they_do_not_lead(client, bob, south):
    client.force_login(bob)
    assert client.get(reverse("dashboard"), {"team": south.pk}).status_code == 404
    assert client.get(reverse("dashboard"), {"team": "south"}).status_code == 404


def test_an_admin_can_pick_any_team(client, alice, south, north):
    client.force_login(alice)
    response = client.get(reverse("dashboard"), {"team": south.pk})
    assert response.status_code == 200
    assert "South, as of" in response.content.decode()


@pytest.mark.parametrize("name", TABLES)
def test_an_officer_cannot_reach_any_dashboard_table(client, charlie, name):
    client.force_login(charlie)
    assert client.get(reverse(name)).status_code == 404


def test_an_officer_cannot_open_an_officer_page(client, charlie):
    client.force_login(charlie)
    assert client.get(reverse("dashboards:officer", args=[charlie.officer.pk])).status_code == 404


def test_a_supervisor_cannot_open_an_officer_page_in_another_team(client, bob, dave):
    client.force_login(bob)
    assert client.get(reverse("dashboards:officer", args=[dave.officer.pk])).status_code == 404


def test_the_officer_page_shows_their_caseload(client, bob, overdue_in_north, charlie):
    client.force_login(bob)
    response = client.get(reverse("dashboards:officer", args=[charlie.officer.pk]))
    assert response.status_code == 200
    assert "N-HIGH" in response.content.decode()


@pytest.mark.parametrize("name", TABLES)
@pytest.mark.parametrize("export", [None, "csv", "xlsx"])
def test_every_table_renders_and_exports(client, alice, overdue_in_north, name, export):
    client.force_login(alice)
    response = client.get(reverse(name), {"_export": export} if export else {})
    assert response.status_code == 200


@pytest.mark.parametrize("name", TABLES)
def test_every_table_shows_each_cell_as_django_tables2_would(client, alice, overdue_in_north, name):
    OffenderFactory(officer=None, surname="<b>Bold</b> & Co")
    flags_refresh()
    client.force_login(alice)
    theirs, ours = cells_both_ways(client.get(reverse(name)).context["table"])
    assert ours == theirs and ours


@pytest.mark.parametrize("name", TABLES)
def test_every_column_of_every_table_sorts_both_ways(client, alice, overdue_in_north, name):
    client.force_login(alice)
    table = client.get(reverse(name)).context["table"]
    for column in table.columns:
        assert column.orderable, column.name
        for sort in (column.name, f"-{column.name}"):
            assert client.get(reverse(name), {"sort": sort}).status_code == 200, sort


def test_the_overdue_table_filters_by_tier_and_lateness(client, bob, overdue_in_north):
    client.force_login(bob)
    high = client.get(reverse("dashboards:overdue"), {"tier": tier("high").pk}).context["table"]
    assert [row.record.offender.reference for row in high.paginated_rows] == ["N-HIGH"]
    recent = client.get(reverse("dashboards:overdue"), {"late": "1"}).context["table"]
    assert [row.record.offender.reference for row in recent.paginated_rows] == ["N-LOW"]
    old = client.get(reverse("dashboards:overdue"), {"late": "91"}).context["table"]
    assert [row.record.offender.reference for row in old.paginated_rows] == ["N-HIGH"]


def test_a_supervisor_does_not_see_another_teams_overdue_visits(client, bob, overdue_in_north, dave):
    VisitFactory(offender=OffenderFactory(officer=dave.officer, reference="S-1"), due_on=days_ago(10))
    client.force_login(bob)
    response = client.get(reverse("dashboards:overdue"), {"_export": "csv"})
    assert "S-1" not in {row[0] for row in read_csv(response)}


def test_an_unknown_filter_value_is_reported_not_ignored(client, bob, south):
    client.force_login(bob)
    response = client.get(reverse("dashboards:overdue"), {"team": south.pk})
    assert "Select a valid choice" in response.content.decode()
    export = client.get(reverse("dashboards:overdue"), {"team": south.pk, "_export": "csv"})
    assert export.status_code == 400
    assert b"team" in export.content


def test_the_csv_follows_the_filters_and_order_and_neutralises_formulas(client, bob, overdue_in_north):
    client.force_login(bob)
    response = client.get(reverse("dashboards:overdue"), {"_export": "csv", "sort": "days_overdue"})
    assert response["Content-Type"].startswith("text/csv")
    rows = read_csv(response)
    assert rows[0] == ["Reference", "Name", "Tier", "Officer", "Due", "Days overdue", "Last seen"]
    assert [r[0] for r in rows[1:]] == ["N-LOW", "N-HIGH"]
    assert rows[1][1].startswith("'=HYPERLINK(")
    assert rows[1][5] == "5"


def test_the_xlsx_has_the_same_rows_as_the_csv(client, bob, overdue_in_north):
    client.force_login(bob)
    workbook = load_workbook(io.BytesIO(client.get(reverse("dashboards:overdue"), {"_export": "xlsx"}).content))
    sheet = list(workbook.active.values)
    csv_rows = read_csv(client.get(reverse("dashboards:overdue"), {"_export": "csv"}))
    assert [r[0] for r in sheet] == [r[0] for r in csv_rows]


@pytest.mark.parametrize("name", TABLES)
def test_every_tables_csv_and_xlsx_hold_the_same_cells(client, alice, overdue_in_north, name):
    OffenderFactory(officer=None, surname="=Formula", reference="U-1")
    flags_refresh()
    client.force_login(alice)
    csv_rows, xlsx_rows = exports_read(client, reverse(name))
    assert csv_rows == xlsx_rows and len(csv_rows) > 1


def test_a_csv_download_cut_short_stops_the_copy_and_leaves_the_connection_usable(
        transactional_db, client, bob, charlie, monkeypatch):
    for n in range(200):
        VisitFactory(offender=OffenderFactory(officer=charlie.officer), due_on=days_ago(n + 1))
    monkeypatch.setattr(exports, "CHUNK_BYTES", 256)
    client.force_login(bob)
    response = client.get(reverse("dashboards:overdue"), {"_export": "csv"})
    chunks = iter(response.streaming_content)
    header, first_rows = next(chunks), next(chunks)
    response.close()  # the download stops here, half-way through the copy
    assert header.startswith("\ufeffReference".encode()) and first_rows.count(b"\n") < 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def test_an_xlsx_too_big_for_a_spreadsheet_is_refused_with_a_message(client, bob, overdue_in_north, monkeypatch):
    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 1)
    client.force_login(bob)
    response = client.get(reverse("dashboards:overdue"), {"_export": "xlsx", "tier": ""}, follow=True)
    assert "limited to 1 rows" in response.content.decode()


def test_an_unknown_export_format_is_refused(client, bob):
    client.force_login(bob)
    response = client.get(reverse("dashboards:overdue"), {"_export": "pdf"})
    assert response.status_code == 400


def test_the_table_pages_without_counting(client, bob, charlie):
    for n in range(55):
        VisitFactory(offender=OffenderFactory(officer=charlie.officer), due_on=days_ago(n + 1))
    flags_refresh()
    client.force_login(bob)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("dashboards:overdue"))
    table = response.context["table"]
    assert table.page.has_next() and len(table.page.object_list) == 50
    assert not [q["sql"] for q in queries if "COUNT(" in q["sql"].upper() and "visits_visit" in q["sql"]]
    assert "Page 1" in response.content.decode()


def test_htmx_gets_only_the_table_region(client, bob, overdue_in_north):
    client.force_login(bob)
    response = client.get(reverse("dashboards:overdue"), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="table-region"')
    assert "<html" not in html


def cell(value):
    """What an export's query makes of `value`."""
    return Team.objects.values_list(exports.FormulaSafe(Value(value)), flat=True).first()


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_formula_like_text_is_neutralised(north, value):
    assert cell(value) == "'" + value


def test_numbers_and_plain_text_pass_unchanged(north):
    assert cell(-5) == -5
    assert cell("Smith") == "Smith"
    assert cell("") == ""


def test_an_admin_of_a_large_register_picks_a_team_before_an_officer(client, alice, charlie, north, monkeypatch):
    from caseload.dashboards import filters

    monkeypatch.setattr(filters, "OFFICER_CHOICES_MAX", 0)
    client.force_login(alice)
    without_team = client.get(reverse("dashboards:overdue")).context["filter"].form.fields["officer"]
    assert list(without_team.queryset) == []
    with_team = client.get(reverse("dashboards:overdue"), {"team": north.pk}).context["filter"].form.fields["officer"]
    assert [o.staff_id for o in with_team.queryset] == ["OM100"]


def test_a_supervisor_of_more_officers_than_a_list_offers_picks_a_team_first(client, bob, charlie, north,
                                                                             monkeypatch):
    from caseload.dashboards import filters

    client.force_login(bob)
    listed = client.get(reverse("dashboards:overdue")).context["filter"].form.fields["officer"]
    assert [o.staff_id for o in listed.queryset] == ["OM100"]
    monkeypatch.setattr(filters, "OFFICER_CHOICES_MAX", 0)
    without_team = client.get(reverse("dashboards:overdue")).context["filter"].form.fields["officer"]
    assert list(without_team.queryset) == []


def test_the_officer_filter_narrows_the_overdue_table(client, bob, overdue_in_north, charlie, north):
    other = OffenderFactory(officer__team=north, reference="N-OTHER")
    VisitFactory(offender=other, due_on=days_ago(3))
    client.force_login(bob)
    response = client.get(reverse("dashboards:overdue"), {"team": north.pk, "officer": charlie.officer.pk})
    table = response.context["table"]
    assert {row.record.offender.reference for row in table.paginated_rows} == {"N-HIGH", "N-LOW"}


def test_the_workload_table_and_its_export_name_an_officers_flags(client, bob, north, charlie):
    Team.objects.filter(pk=north.pk).update(caseload_ceiling_per_fte=1, capacity_points_per_fte=1,
                                            flag_weighted_capacity=True)
    OffenderFactory.create_batch(2, officer=charlie.officer)
    client.force_login(bob)
    page = client.get(reverse("dashboards:workload")).content.decode()
    assert "⚠ Over caseload ceiling; Over capacity" in page
    rows = read_csv(client.get(reverse("dashboards:workload"), {"_export": "csv"}))
    assert rows[1][rows[0].index("Flags")] == "Over caseload ceiling; Over capacity"
    Team.objects.filter(pk=north.pk).update(caseload_ceiling_per_fte=50, capacity_points_per_fte=100)
    assert "—</td>" in client.get(reverse("dashboards:workload")).content.decode()
    assert read_csv(client.get(reverse("dashboards:workload"), {"_export": "csv"}))[1][-1] == ""


def test_the_overdue_assessments_table_lists_each_review_by_lateness_and_exports_to_the_read_log(client, bob,
                                                                                                    overdue_in_north):
    client.force_login(bob)
    page = client.get(reverse("dashboards:overdue_assessments")).content.decode()
    assert "N-HIGH" in page and "N-LOW" in page and "29 Jan 2015" in page

    rows = read_csv(client.get(reverse("dashboards:overdue_assessments"), {"_export": "csv", "tier": tier("high").pk}))

    assert [row[0] for row in rows] == ["Reference", "N-HIGH"]
    assert rows[1][4:6] == ["2015-01-29", str((days_ago(0) - dt.date(2015, 1, 29)).days)]
    from offenders.models import OffenderAccess

    assert OffenderAccess.objects.filter(user=bob, kind=OffenderAccess.Kind.EXPORT).count() == 1


def test_the_overdue_assessments_table_reads_like_the_overdue_visits_table(client, bob, overdue_in_north):
    client.force_login(bob)
    table = client.get(reverse("dashboards:overdue_assessments")).context["table"]
    assert [column.header for column in table.columns] == [
        "Reference", "Name", "Tier", "Officer", "Review due", "Days overdue", "Last assessed"]


def test_the_overdue_mappa_table_lists_level_2_and_3_cases_past_their_review(client, bob, overdue_in_north):
    client.force_login(bob)
    response = client.get(reverse("dashboards:overdue_mappa"))
    table = response.context["table"]
    assert [column.header for column in table.columns] == [
        "Reference", "Name", "Tier", "Officer", "MAPPA review due", "Days overdue", "Level", "Last meeting"]
    page = response.content.decode()
    assert "N-HIGH" in page and "N-LOW" not in page and "None recorded" in page
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert re.search(r'data-figure="mappa_reviews_overdue">\s*<span class="figure">1</span>', dashboard)
