import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from notifications.models import Notification
from offenders.models import Offender
from tests.browser.conftest import screenshot, sign_in
from tests.factories import OffenderFactory, tier
from visits import reviews
from visits.flagging import flags_refresh
from visits.models import Flag, FlagKind
from visits.rules import years_after

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def day(d: dt.date) -> str:
    return f"{d.day} {d:%b %Y}"


def test_an_officer_records_a_periodic_notification_and_a_travel_notice_on_a_phone(phone, live_server, charlie):
    today = timezone.localdate()
    offender = OffenderFactory(officer=charlie.officer, reference="REF-NOTIFY", risk_tier=tier("high"),
                               registered_on=today - dt.timedelta(days=3000))
    last = today - dt.timedelta(days=380)
    reviews.notification_open_first(offender, last_notified_on=last)
    flags_refresh()
    assert Flag.objects.filter(kind=FlagKind.NON_COMPLIANT, cleared_at__isnull=True).count() == 1

    sign_in(phone, live_server, "charlie")
    phone.goto(f"{live_server.url}/visits/offenders/{offender.pk}/")
    expect(phone.get_by_text("overdue: non-compliant")).to_be_visible()
    phone.get_by_role("link", name="Record a notification").first.click()
    expect(phone.get_by_role("heading", name="Record a notification")).to_be_visible()
    phone.get_by_label("Periodic").check()
    phone.get_by_label("Details").fill("Annual notification at the front desk")
    screenshot(phone, "phone-7-record-notification")
    phone.get_by_role("button", name="Record the notification").click()
    expect(phone.get_by_role("status")).to_contain_text("Periodic notification recorded.")
    expect(phone.get_by_text(f"Next notification due {day(years_after(today, 1))}")).to_be_visible()
    assert not Flag.objects.filter(kind=FlagKind.NON_COMPLIANT, cleared_at__isnull=True).exists()

    departs, returns = today + dt.timedelta(days=3), today + dt.timedelta(days=17)
    phone.get_by_role("link", name="Record a notification").first.click()
    phone.get_by_label("Foreign travel").check()
    phone.get_by_label("Destination").fill("Alicante, Spain")
    phone.get_by_label("Departs").fill(departs.isoformat())
    phone.get_by_label("Returns").fill(returns.isoformat())
    phone.get_by_role("button", name="Record the notification").click()
    expect(phone.get_by_role("status")).to_contain_text("Foreign travel notification recorded.")
    expect(phone.get_by_role("status")).to_contain_text("notified late")
    expect(phone.get_by_role("cell", name=f"Alicante, Spain, {day(departs)} to {day(returns)}")).to_be_visible()
    screenshot(phone, "phone-8-travel-notified")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert Notification.objects.filter(offender=offender).count() == 2


def test_a_supervisor_removes_an_offender_whose_notification_period_has_ended(page, live_server, charlie, bob):
    today = timezone.localdate()
    ended = OffenderFactory(officer=charlie.officer, reference="REF-ENDED", registered_on=dt.date(2015, 1, 1),
                            registration_ends_on=today - dt.timedelta(days=3))
    sign_in(page, live_server, "bob")
    page.goto(f"{live_server.url}/visits/offenders/{ended.pk}/")
    expect(page.get_by_text("ended: to be removed from the register")).to_be_visible()
    page.get_by_role("link", name="Remove from the register").click()
    page.get_by_label("Reason").fill("Notification period ended; confirmed with the court record")
    screenshot(page, "supervisor-remove-from-register")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Removed from the register")
    expect(page.get_by_text("Off the register").first).to_be_visible()
    assert Offender.objects.get(pk=ended.pk).status == "removed"
