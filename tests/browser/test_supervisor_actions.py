import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import screenshot, sign_in
from tests.factories import OffenderFactory, VisitFactory, tier

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_supervisor_raises_the_tier_and_sees_the_visit_brought_forward(page, live_server, bob, charlie):
    today = timezone.localdate()
    offender = OffenderFactory(officer=charlie.officer, reference="REF-RAISE", risk_tier=tier("low"))
    VisitFactory(offender=offender, due_on=today + dt.timedelta(days=200))
    sign_in(page, live_server, "bob")
    page.goto(f"{live_server.url}/visits/offenders/{offender.pk}/")
    page.get_by_role("link", name="Change tier").click()
    page.get_by_label("New risk tier").select_option(label="Very high")
    page.get_by_label("Reason").fill("Intelligence: contact with children")
    screenshot(page, "supervisor-change-tier-form")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("status")).to_contain_text("Risk tier changed.")
    due = today + dt.timedelta(days=30)
    expect(page.get_by_text(f"Next visit due {due.day} {due:%b %Y}")).to_be_visible()
    expect(page.get_by_role("cell", name="Intelligence: contact with children")).to_be_visible()
    screenshot(page, "supervisor-offender-after-tier-change")
