import csv
import re

import pytest
from playwright.sync_api import expect

from offenders.models import Offender, OffenderAccess, Team
from tests.browser.conftest import screenshot, sign_in
from tests.essex import AS_OF, load_essex
from visits.flagging import flags_refresh
from visits.selectors import today

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def essex_today(bob):
    """The Essex register with every date moved so that its 14 November 2016 is today (the live
    server's clock cannot be frozen), flagged by the job as each morning, and Bob supervising all three of its
    teams."""
    load_essex(shift_days=(today() - AS_OF).days)
    flags_refresh()
    for team in Team.objects.all():
        team.supervisors.add(bob)


def figure(page, key: str):
    return page.locator(f'[data-figure="{key}"] .figure')


def htmx_ready(page) -> None:
    """Wait until htmx has wired up the filters (it loads at the end of the page)."""
    page.wait_for_load_state("load")
    page.wait_for_function("() => window.htmx !== undefined")


def table_rows(page) -> list[list[str]]:
    return [[cell.strip() for cell in row.locator("td").all_inner_texts()]
            for row in page.locator("#table-region tbody tr").all()]


def test_a_supervisor_sees_the_figures_filters_sorts_drills_down_and_downloads(page, live_server, essex_today):
    sign_in(page, live_server, "bob")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(figure(page, "offenders_in_community")).to_have_text("1297")
    expect(figure(page, "overdue_visits")).to_have_text("400")
    expect(figure(page, "overdue_high_or_above")).to_have_text("38")
    expect(figure(page, "overloaded_officers")).to_have_text("3")
    expect(page.get_by_role("img", name=re.compile("Overdue visits over the last 12 months"))).to_be_visible()
    screenshot(page, "dashboard-essex")

    page.get_by_role("link", name="Overdue visits", exact=True).first.click()
    expect(page.get_by_role("heading", name="Overdue visits")).to_be_visible()
    htmx_ready(page)
    page.get_by_label("Tier").select_option(label="High")
    expect(page).to_have_url(re.compile(r"tier=\d+"))
    expect(page.locator("#table-region tbody tr")).to_have_count(38)
    assert {row[2] for row in table_rows(page)} == {"High"}

    page.locator("#table-region thead").get_by_role("link", name="Days overdue").click()
    expect(page).to_have_url(re.compile(r"sort=days_overdue"))
    expect(page.locator('th[aria-sort="ascending"]')).to_contain_text("Days overdue")
    days = [int(row[5]) for row in table_rows(page)]
    assert days == sorted(days) and days[0] < days[-1]
    screenshot(page, "overdue-high-sorted")

    rows_shown = table_rows(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV").click()
    path = download_info.value.path()
    with open(path, encoding="utf-8-sig", newline="") as f:
        downloaded = list(csv.reader(f))
    assert downloaded[0] == ["Reference", "Name", "Tier", "Officer", "Due", "Days overdue", "Last seen"]
    assert [(r[0], r[1], r[2], r[3], r[5]) for r in downloaded[1:]] == [
        (r[0], r[1], r[2], r[3], r[5]) for r in rows_shown
    ]
    exported = OffenderAccess.objects.get(user__username="bob", kind=OffenderAccess.Kind.EXPORT)
    references = Offender.objects.filter(pk__in=exported.offenders).values_list("reference", flat=True)
    assert sorted(references) == sorted(r[0] for r in downloaded[1:])

    officer_name = rows_shown[0][3]
    page.locator("#table-region tbody tr").first.get_by_role("link", name=officer_name).click()
    expect(page.get_by_role("heading", name=officer_name)).to_be_visible()
    expect(page.get_by_text("Per FTE")).to_be_visible()
    screenshot(page, "officer-caseload")

    page.go_back()
    reference = rows_shown[0][0]
    page.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", name=re.compile(reference))).to_be_visible()
    screenshot(page, "offender-from-dashboard")


def test_the_filters_and_sorting_work_from_the_keyboard(page, live_server, essex_today):
    sign_in(page, live_server, "bob")
    page.goto(f"{live_server.url}/dashboard/workload/")
    htmx_ready(page)
    page.get_by_label("Team").focus()
    page.keyboard.press("ArrowDown")  # choose the first team
    expect(page).to_have_url(re.compile(r"team=\d+"))
    page.locator("#table-region thead").get_by_role("link", name="Caseload", exact=True).focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"sort=caseload"))
    expect(page.locator("th[aria-sort]")).to_contain_text("Caseload")
    screenshot(page, "workload-keyboard")


def test_an_officer_cannot_reach_the_supervisor_dashboard(page, live_server, charlie):
    sign_in(page, live_server, "charlie")
    expect(page.get_by_role("heading", name="My caseload")).to_be_visible()
    expect(page.get_by_role("link", name="Dashboard")).to_have_count(0)
    for path in ("/dashboard/", "/dashboard/overdue/", "/dashboard/overdue/?_export=csv"):
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 404, path
    screenshot(page, "officer-refused-dashboard")


def test_the_dashboard_is_readable_on_a_phone(phone, live_server, essex_today):
    sign_in(phone, live_server, "bob")
    expect(figure(phone, "overdue_visits")).to_have_text("400")
    screenshot(phone, "dashboard-phone")
