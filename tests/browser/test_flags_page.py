import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot, sign_in
from tests.factories import OffenderFactory, VisitFactory, tier
from visits.flagging import flags_refresh

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_supervisor_reads_the_open_flags_on_a_phone(phone, live_server, bob, charlie):
    today = dt.date.today()
    for reference, code, late in (("REF-HIGH", "high", 100), ("REF-LOW", "low", 3)):
        offender = OffenderFactory(officer=charlie.officer, reference=reference, risk_tier=tier(code),
                                   registered_on=today)
        VisitFactory(offender=offender, due_on=today - dt.timedelta(days=late))
    flags_refresh()
    sign_in(phone, live_server, "bob")
    phone.goto(f"{live_server.url}/visits/flags/")
    expect(phone.get_by_role("heading", name="Open flags")).to_be_visible()
    expect(phone.get_by_role("cell", name="REF-HIGH")).to_be_visible()
    expect(phone.get_by_role("row").nth(1)).to_contain_text("REF-HIGH")  # most severe first
    screenshot(phone, "open-flags-phone")
