"""The supervisor's notification tiles and tables: overdue notifications, offenders listed for removal, offenders
who may apply for a review of indefinite notification, and orders ending within 30 days."""

import datetime as dt
import io
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import conditional_escape
from openpyxl import load_workbook

from notifications.models import CivilOrder
from offenders.models import Offender, OffenderAccess, OffenderStatus
from tests.caseload.conftest import cells_both_ways, exports_read, read_csv
from tests.factories import OffenderFactory, tier
from visits import reviews
from visits.models import Review, ReviewKind
from visits.summary import caseload_summary

pytestmark = pytest.mark.django_db
TODAY = dt.date(2016, 11, 14)
# Each tile, with its table and summary key.
TILES = {"notifications_overdue": ("dashboards:overdue_notifications", "notifications_overdue"),
         "registration_ended": ("dashboards:registration_ended", "registration_ended"),
         "review_eligible": ("dashboards:review_eligible", "review_eligible"),
         "orders_ending": ("dashboards:orders_ending", "orders_ending_30_days")}
TABLES = [table for table, _ in TILES.values()]


def days(n: int) -> dt.date:
    """`n` days from today (before it when negative)."""
    return TODAY + dt.timedelta(days=n)


@pytest.fixture(autouse=True)
def frozen(db):
    with time_machine.travel(dt.datetime(2016, 11, 14, 12, 0, tzinfo=dt.UTC), tick=False):
        yield TODAY


def late(reference: str, officer, *, last_notified: int, **fields):
    """An offender whose next notification falls due after one made `last_notified` days ago."""
    offender = OffenderFactory(reference=reference, officer=officer, **fields)
    reviews.notification_open_first(offender, last_notified_on=days(-last_notified))
    return offender


def order(offender, kind: str, ends_in: int | None):
    return CivilOrder.objects.create(offender=offender, kind=kind, starts_on=dt.date(2015, 1, 1),
                                     ends_on=None if ends_in is None else days(ends_in))


@pytest.fixture
def notices(charlie, dave):
    """North (Charlie's) and South (Dave's) cases, each table's rows among some that a careless rule would list."""
    north, south = charlie.officer, dave.officer
    overdue = late("N-LATE", north, last_notified=380, risk_tier=tier("high"), forenames='=HYPERLINK("x")')
    weekly = late("N-WEEKLY", north, last_notified=10, risk_tier=tier("low"), no_fixed_abode=True)
    on_time = late("N-ONTIME", north, last_notified=30)
    Review.objects.create(offender=on_time, kind=ReviewKind.NOTIFICATION, due_on=dt.date(2015, 10, 1),
                          closed_on=days(-30))  # overdue a year ago and (at its start) 30 days ago
    away = late("N-CUSTODY", north, last_notified=400, status=OffenderStatus.CUSTODY)
    late("S-LATE", south, last_notified=370)

    ended = {"registered_on": dt.date(2010, 1, 4)}
    OffenderFactory(reference="N-ENDED", officer=north, registration_ends_on=days(-3), **ended)
    OffenderFactory(reference="N-ENDS-TODAY", officer=north, registration_ends_on=TODAY, **ended)
    OffenderFactory(reference="N-REMOVED", officer=north, registration_ends_on=days(-100),
                    status=OffenderStatus.REMOVED, **ended)
    OffenderFactory(reference="S-ENDED", officer=south, registration_ends_on=days(-40), **ended)

    long_ago = {"registered_on": dt.date(2000, 1, 1), "date_of_birth": dt.date(1960, 1, 1)}
    OffenderFactory(reference="N-INDEF", officer=north, first_notified_on=dt.date(2000, 1, 10), **long_ago)
    order(OffenderFactory(reference="N-SHPO", officer=north, **long_ago), "shpo", None)
    OffenderFactory(reference="N-YOUNG", officer=north, registered_on=dt.date(2005, 1, 1),
                    date_of_birth=dt.date(1990, 1, 1))  # 15 at first notification: eligible after 8 years
    OffenderFactory(reference="N-RECENT", officer=north, registered_on=dt.date(2010, 1, 1))
    OffenderFactory(reference="S-INDEF", officer=south, **long_ago)

    order(overdue, "shpo", 10)
    order(weekly, "travel_prohibition", 29)
    order(on_time, "other", 30)  # a day too late for the window
    order(away, "other", 5)  # not managed in the community
    order(OffenderFactory(reference="S-ORDER", officer=south), "other", 1)


def tiles(client, user, **query) -> dict[str, int]:
    client.force_login(user)
    html = client.get(reverse("dashboard"), query).content.decode()
    return {key: int(re.search(rf'data-figure="{key}">\s*<span class="figure">(\d+)</span>', html).group(1))
            for key in TILES}


def references(client, user, name: str, **query) -> list[str]:
    client.force_login(user)
    table = client.get(reverse(name), query).context["table"]
    return re.findall(r'<tr class="(?:even|odd)"><td><a href="[^"]+">([^<]+)</a>', table.body_html())


def test_the_dashboard_counts_what_each_notification_table_lists(client, bob, notices):
    assert tiles(client, bob) == {"notifications_overdue": 2, "registration_ended": 1, "review_eligible": 2,
                                  "orders_ending": 2}
    assert {key: len(references(client, bob, table)) for key, (table, _) in TILES.items()} == tiles(client, bob)


def test_the_tiles_agree_with_the_summary_for_a_supervisor_and_an_admin(client, alice, bob, notices):
    for user in (alice, bob):
        summary = caseload_summary(user=user, as_of=TODAY)
        assert tiles(client, user) == {tile: summary[key] for tile, (_, key) in TILES.items()}


def test_overdue_notifications_are_compared_with_earlier_days_and_the_rest_are_not(client, bob, notices):
    client.force_login(bob)
    html = client.get(reverse("dashboard")).content.decode()
    overdue = re.search(r'data-figure="notifications_overdue">(.*?)</li>', html, re.S).group(1)
    assert "▲ 1 more than 30 days ago (1)" in overdue and "▲ 1 more than a year ago (1)" in overdue
    for key in ("registration_ended", "review_eligible", "orders_ending"):
        tile = re.search(rf'data-figure="{key}">(.*?)</li>', html, re.S).group(1)
        assert "ago" not in tile, key


def test_an_admin_picking_a_team_sees_only_its_figures(client, alice, south, notices):
    assert tiles(client, alice) == {"notifications_overdue": 3, "registration_ended": 2, "review_eligible": 3,
                                    "orders_ending": 3}
    assert tiles(client, alice, team=south.pk) == dict.fromkeys(TILES, 1)


def test_a_supervisor_sees_only_their_teams_rows_and_an_admin_every_team(client, alice, bob, notices):
    assert references(client, bob, "dashboards:overdue_notifications") == ["N-LATE", "N-WEEKLY"]
    assert references(client, bob, "dashboards:registration_ended") == ["N-ENDED"]
    assert references(client, bob, "dashboards:review_eligible") == ["N-YOUNG", "N-INDEF"]
    assert references(client, bob, "dashboards:orders_ending") == ["N-LATE", "N-WEEKLY"]
    assert references(client, alice, "dashboards:orders_ending") == ["S-ORDER", "N-LATE", "N-WEEKLY"]
    assert references(client, alice, "dashboards:registration_ended") == ["S-ENDED", "N-ENDED"]


def test_the_overdue_notifications_table_names_the_kind_owed_the_due_date_and_days_late(client, bob, notices):
    client.force_login(bob)
    response = client.get(reverse("dashboards:overdue_notifications"))
    assert [column.header for column in response.context["table"].columns] == [
        "Reference", "Name", "Tier", "Officer", "Team", "Kind", "Due", "Days late"]
    rows = read_csv(client.get(reverse("dashboards:overdue_notifications"), {"_export": "csv"}))
    assert [row[:1] + row[2:] for row in rows[1:]] == [
        ["N-LATE", "High", "Charlie Chalk", "North", "Periodic", "2016-10-31", "14"],
        ["N-WEEKLY", "Low", "Charlie Chalk", "North", "Weekly (no fixed abode)", "2016-11-11", "3"]]
    assert rows[1][1].startswith("'=HYPERLINK(")


@pytest.mark.parametrize(("query", "expected"), [
    ({"kind": "weekly"}, ["N-WEEKLY"]), ({"kind": "periodic"}, ["N-LATE", "S-LATE"]), ({"late": "31"}, []),
    ({"late": "1"}, ["N-LATE", "S-LATE", "N-WEEKLY"]), ({"tier": "high"}, ["N-LATE"]), ({"team": "south"}, ["S-LATE"]),
    ({"officer": "dave"}, ["S-LATE"]),
])
def test_the_overdue_notifications_filter_by_kind_lateness_tier_team_and_officer(client, alice, south, dave, notices,
                                                                                 query, expected):
    values = {"high": tier("high").pk, "south": south.pk, "dave": dave.officer.pk}
    query = {key: values.get(value, value) for key, value in query.items()}
    assert references(client, alice, "dashboards:overdue_notifications", **query) == expected


def test_the_offender_tables_and_orders_filter_by_team_tier_and_kind(client, alice, south, notices):
    assert references(client, alice, "dashboards:registration_ended", team=south.pk) == ["S-ENDED"]
    assert references(client, alice, "dashboards:review_eligible", tier=tier("medium").pk) == [
        "N-YOUNG", "S-INDEF", "N-INDEF"]
    assert references(client, alice, "dashboards:orders_ending", kind="travel_prohibition") == ["N-WEEKLY"]


def test_a_supervisor_cannot_filter_by_another_teams_officer(client, bob, dave, notices):
    client.force_login(bob)
    response = client.get(reverse("dashboards:orders_ending"), {"officer": dave.officer.pk, "_export": "csv"})
    assert response.status_code == 400
    assert not OffenderAccess.objects.exists()


@pytest.mark.parametrize("name", TABLES)
def test_every_column_sorts_both_ways_with_ties_broken_alike(client, alice, notices, name):
    client.force_login(alice)
    for column in client.get(reverse(name)).context["table"].columns:
        assert column.orderable, column.name
        ascending, descending = (references(client, alice, name, sort=s) for s in (column.name, f"-{column.name}"))
        assert sorted(ascending) == sorted(descending) and ascending, column.name


def test_sorting_orders_rows_by_the_column(client, alice, notices):
    assert references(client, alice, "dashboards:overdue_notifications", sort="days_late") == [
        "N-WEEKLY", "S-LATE", "N-LATE"]
    assert references(client, alice, "dashboards:orders_ending", sort="-days_left") == ["N-WEEKLY", "N-LATE", "S-ORDER"]
    assert references(client, alice, "dashboards:review_eligible", sort="-review_eligible_from") == [
        "N-INDEF", "S-INDEF", "N-YOUNG"]


@pytest.mark.parametrize("name", TABLES)
def test_every_table_shows_its_cells_as_django_tables2_would_and_exports_them_alike(client, alice, notices, name):
    client.force_login(alice)
    theirs, ours = cells_both_ways(client.get(reverse(name)).context["table"])
    csv_rows, xlsx_rows = exports_read(client, reverse(name))
    assert ours == theirs and ours
    assert csv_rows == xlsx_rows and [row[0] for row in csv_rows[1:]] == references(client, alice, name)


def test_the_orders_export_names_each_order_its_dates_and_days_left(client, bob, notices):
    client.force_login(bob)
    rows = read_csv(client.get(reverse("dashboards:orders_ending"), {"_export": "csv"}))
    assert rows[0] == ["Reference", "Name", "Tier", "Officer", "Team", "Order", "Starts", "Ends", "Days left"]
    assert [[row[0], *row[5:]] for row in rows[1:]] == [
        ["N-LATE", "Sexual Harm Prevention Order", "2015-01-01", "2016-11-24", "10"],
        ["N-WEEKLY", "Foreign travel prohibition", "2015-01-01", "2016-12-13", "29"]]


def test_the_removal_and_review_exports_give_the_dates_that_list_each_offender(client, bob, notices):
    client.force_login(bob)
    ended = read_csv(client.get(reverse("dashboards:registration_ended"), {"_export": "csv"}))
    assert [ended[0][5:], ended[1][:1] + ended[1][5:]] == [["Status", "Period ended", "Days since"],
                                                          ["N-ENDED", "In the community", "2016-11-11", "3"]]
    eligible = read_csv(client.get(reverse("dashboards:review_eligible"), {"_export": "csv"}))
    assert [[row[0], *row[5:]] for row in eligible] == [["Reference", "First notified", "Eligible from"],
                                                        ["N-YOUNG", "2005-01-01", "2013-01-01"],
                                                        ["N-INDEF", "2000-01-10", "2015-01-10"]]


def test_the_removal_list_links_each_offender_to_the_page_where_a_supervisor_removes_them(client, bob, notices):
    client.force_login(bob)
    page = client.get(reverse("dashboards:registration_ended")).content.decode()
    offender = re.search(r'<a href="(/visits/offenders/\d+/)">N-ENDED</a>', page).group(1)
    assert reverse("notifications:remove", args=[offender.split("/")[-2]]) in client.get(offender).content.decode()


@pytest.mark.parametrize("name", TABLES)
@pytest.mark.parametrize("export", ["csv", "xlsx"])
def test_an_export_names_its_offenders_in_the_read_log_and_no_name_in_the_logs(client, bob, notices, caplog, name,
                                                                              export):
    client.force_login(bob)
    response = client.get(reverse(name), {"_export": export}, REMOTE_ADDR="192.0.2.60")
    if export == "csv":
        exported = [row[0] for row in read_csv(response)[1:]]
    else:
        exported = [row[0] for row in load_workbook(io.BytesIO(response.content)).active.values][1:]
    access = OffenderAccess.objects.get()
    assert (access.kind, access.user, access.ip_address, access.path) == (
        OffenderAccess.Kind.EXPORT, bob, "192.0.2.60", reverse(name))
    listed = set(references(client, bob, name))
    assert set(Offender.objects.filter(pk__in=access.offenders).values_list("reference", flat=True)) == listed
    assert sorted(exported) == sorted(listed)
    surnames = Offender.objects.filter(reference__in=listed).values_list("surname", flat=True)
    assert not [surname for surname in surnames if surname in caplog.text]


@pytest.mark.parametrize("name", TABLES)
def test_an_officer_is_refused_every_table_and_export_and_nothing_is_logged(client, charlie, notices, name):
    client.force_login(charlie)
    for query in ({}, {"_export": "csv"}, {"_export": "xlsx"}):
        assert client.get(reverse(name), query).status_code == 404
    assert client.get(reverse("dashboard")).status_code == 404
    assert not OffenderAccess.objects.exists()


@pytest.mark.parametrize("name", TABLES)
def test_an_empty_table_says_so_and_exports_its_header_alone(client, bob, name):
    client.force_login(bob)
    response = client.get(reverse(name))
    assert conditional_escape(response.context["table"].empty_text) in response.content.decode()
    assert len(read_csv(client.get(reverse(name), {"_export": "csv"}))) == 1


def test_empty_figures_are_zero_and_raise_no_alert(client, bob):
    assert tiles(client, bob) == dict.fromkeys(TILES, 0)
    html = client.get(reverse("dashboard")).content.decode()
    assert not re.search(r'class="alert" data-figure="(notifications_overdue|registration_ended|orders_ending)"', html)


def test_a_long_list_pages_fifty_rows_at_a_time_without_counting(client, bob, charlie):
    for n in range(55):
        late(f"N-{n:02d}", charlie.officer, last_notified=370 + n)
    client.force_login(bob)
    with CaptureQueriesContext(connection) as queries:
        first = client.get(reverse("dashboards:overdue_notifications"))
    assert first.context["table"].page.has_next() and len(first.context["table"].page.object_list) == 50
    assert not [q["sql"] for q in queries if "COUNT(" in q["sql"].upper() and "FROM \"visits_review\"" in q["sql"]]
    second = references(client, bob, "dashboards:overdue_notifications", page=2)
    assert second == [f"N-{n:02d}" for n in range(4, -1, -1)]
