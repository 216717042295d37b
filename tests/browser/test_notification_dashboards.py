"""A supervisor's notification tiles, the orders-ending list and the removal list, in Chromium on a desk and a phone."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from notifications.models import CivilOrder
from offenders.models import Offender
from tests.browser.conftest import screenshot, sign_in
from tests.browser.test_dashboards import figure, table_rows
from tests.factories import OffenderFactory, tier
from visits import reviews

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def north_notices(charlie):
    """Charlie's cases (Bob supervises North): two notifications overdue, one notification period ended, one
    offender who may apply for a review, and two orders ending within 30 days (one ending later does not count)."""
    today, mine = timezone.localdate(), charlie.officer

    def case(reference: str, **fields) -> Offender:
        return OffenderFactory(reference=reference, officer=mine, **fields)

    for reference, last, weekly in (("N-LATE", 400, False), ("N-WEEKLY", 9, True)):
        offender = case(reference, risk_tier=tier("high"), no_fixed_abode=weekly)
        reviews.notification_open_first(offender, last_notified_on=today - dt.timedelta(days=last))
    case("N-ENDED", registered_on=dt.date(2010, 1, 4), registration_ends_on=today - dt.timedelta(days=3))
    case("N-INDEF", registered_on=dt.date(2000, 1, 1), date_of_birth=dt.date(1960, 1, 1))
    for reference, kind, ends_in in (("N-SHPO", "shpo", 10), ("N-TRAVEL", "travel_prohibition", 25),
                                     ("N-LATER", "other", 45)):
        CivilOrder.objects.create(offender=case(reference), kind=kind, starts_on=dt.date(2015, 1, 1),
                                  ends_on=today + dt.timedelta(days=ends_in))


def test_a_supervisor_follows_the_tiles_to_the_orders_ending_and_removes_an_offender_listed(page, live_server, bob,
                                                                                            north_notices):
    sign_in(page, live_server, "bob")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    for key, shown in (("notifications_overdue", "2"), ("registration_ended", "1"), ("review_eligible", "1"),
                       ("orders_ending", "2")):
        expect(figure(page, key)).to_have_text(shown)
    screenshot(page, "notification-tiles")

    page.get_by_role("link", name="Orders ending within 30 days").click()
    expect(page.get_by_role("heading", name="Orders ending")).to_be_visible()
    assert [(row[0], row[5], row[8]) for row in table_rows(page)] == [
        ("N-SHPO", "Sexual Harm Prevention Order", "10"), ("N-TRAVEL", "Foreign travel prohibition", "25")]
    screenshot(page, "orders-ending")

    page.get_by_role("link", name="Dashboard").first.click()
    page.get_by_role("link", name="Listed for removal: notification period ended").click()
    expect(page.get_by_role("heading", name="Listed for removal")).to_be_visible()
    assert [row[0] for row in table_rows(page)] == ["N-ENDED"]
    screenshot(page, "listed-for-removal")

    page.get_by_role("link", name="N-ENDED").click()
    page.get_by_role("link", name="Remove from the register").click()
    page.get_by_label("Reason").fill("Notification period ended; confirmed with the court record")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Removed from the register")
    page.goto(f"{live_server.url}/dashboard/registration-ended/")
    expect(page.get_by_text("nobody is listed for removal")).to_be_visible()
    expect(page.locator("#table-region tbody tr")).to_have_count(1)
    assert Offender.objects.get(reference="N-ENDED").status == "removed"


def test_the_tiles_and_the_orders_ending_read_on_a_phone(phone, live_server, bob, north_notices):
    sign_in(phone, live_server, "bob")
    expect(figure(phone, "orders_ending")).to_have_text("2")
    screenshot(phone, "notification-tiles-phone")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    phone.goto(f"{live_server.url}/dashboard/orders-ending/")
    expect(phone.get_by_role("heading", name="Orders ending")).to_be_visible()
    expect(phone.locator("#table-region tbody tr")).to_have_count(2)
    screenshot(phone, "orders-ending-phone")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    expect(phone.get_by_role("link", name=re.compile("^CSV$"))).to_be_visible()
