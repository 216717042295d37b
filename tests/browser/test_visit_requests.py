"""Two people for a deferral, in Chromium: an officer asks from a phone, a supervisor decides at a desk."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import screenshot, sign_in
from tests.factories import OffenderFactory, VisitFactory, tier

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_asks_to_defer_from_a_phone_and_a_supervisor_approves_it(page, phone, live_server, bob, charlie):
    today = timezone.localdate()
    offender = OffenderFactory(officer=charlie.officer, reference="REF-DEFER", risk_tier=tier("low"))
    VisitFactory(offender=offender, due_on=today - dt.timedelta(days=3))
    later = today + dt.timedelta(days=21)

    sign_in(phone, live_server, "charlie")
    phone.goto(f"{live_server.url}/visits/offenders/{offender.pk}/")
    phone.get_by_role("link", name="Ask to cancel or defer").click()
    phone.get_by_label("Defer the visit").check()
    phone.get_by_label("Defer to").fill(later.isoformat())
    phone.get_by_label("Reason").fill("In hospital for three weeks")
    screenshot(phone, "visit-request-phone")
    phone.get_by_role("button", name="Ask").click()
    expect(phone.get_by_role("status")).to_contain_text("a supervisor of the team or an admin decides")
    expect(phone.get_by_text("waiting for a decision")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    sign_in(page, live_server, "bob")
    page.get_by_role("link", name="1 request to cancel or defer a visit").click()
    expect(page.get_by_role("heading", name="Requests waiting for a decision")).to_be_visible()
    screenshot(page, "requests-waiting")
    page.get_by_role("link", name="Decide").click()
    page.get_by_label("Approve").check()
    page.get_by_label("Note").fill("Agreed: see him the week he is home")
    screenshot(page, "decide-request")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("status")).to_contain_text("Defer the visit: approved.")
    expect(page.get_by_text("No requests are waiting.")).to_be_visible()

    page.goto(f"{live_server.url}/visits/offenders/{offender.pk}/")
    expect(page.get_by_text(f"Next visit due {later.day} {later:%b %Y}")).to_be_visible()
    expect(page.get_by_role("cell", name="Visit deferred")).to_be_visible()
    expect(page.get_by_role("cell", name="Cancellation or deferral asked for")).to_be_visible()
    screenshot(page, "offender-after-deferral")
