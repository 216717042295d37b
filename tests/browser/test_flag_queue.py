import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot, sign_in
from tests.factories import OffenderFactory, VisitFactory, tier
from visits.flagging import flags_refresh

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_supervisor_assigns_a_flag_and_the_officer_finds_it_on_a_phone(browser, phone, live_server, bob, charlie):
    today = dt.date.today()
    offender = OffenderFactory(officer=charlie.officer, reference="REF-LATE", risk_tier=tier("high"),
                               registered_on=today)
    VisitFactory(offender=offender, due_on=today - dt.timedelta(days=20))
    flags_refresh()
    sign_in(phone, live_server, "bob")
    phone.goto(f"{live_server.url}/visits/flags/?kind=overdue_visit")
    phone.get_by_role("link", name="Overdue visit").click()
    expect(phone.get_by_role("heading", name="Overdue visit: REF-LATE")).to_be_visible()
    phone.get_by_label("Assign to").select_option(label="Charlie Chalk (OM100)")
    phone.get_by_role("button", name="Assign").click()
    expect(phone.get_by_text("Flag assigned to Charlie Chalk (OM100).")).to_be_visible()
    phone.get_by_role("textbox", name="Note").fill("Please visit this week.")
    phone.get_by_role("button", name="Add the note").click()
    expect(phone.get_by_text("Please visit this week.")).to_be_visible()
    screenshot(phone, "flag-assigned-phone")

    officer = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, locale="en-GB").new_page()
    sign_in(officer, live_server, "charlie")
    officer.goto(f"{live_server.url}/visits/mine/")
    officer.get_by_role("link", name="1 flag assigned to you").click()
    expect(officer.get_by_role("cell", name="REF-LATE")).to_be_visible()
    screenshot(officer, "flags-assigned-to-me-phone")
    officer.context.close()
