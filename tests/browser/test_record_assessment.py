import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import screenshot, sign_in
from tests.factories import OffenderFactory, tier
from visits import reviews
from visits.flagging import flags_refresh
from visits.models import Review

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def overdue_review(officer, reference: str, days_late: int):
    offender = OffenderFactory(officer=officer, reference=reference, risk_tier=tier("high"))
    reviews.review_open_first(offender)
    Review.objects.filter(offender=offender).update(due_on=timezone.localdate() - dt.timedelta(days=days_late))
    return offender


def test_an_officer_records_an_assessment_on_a_phone_and_the_supervisors_count_drops(phone, page, live_server,
                                                                                         charlie, bob):
    today = timezone.localdate()
    door = overdue_review(charlie.officer, "REF-ARMS", days_late=12)
    overdue_review(charlie.officer, "REF-STILL", days_late=40)
    flags_refresh()  # the morning's run
    sign_in(page, live_server, "bob")
    page.goto(f"{live_server.url}/dashboard/")
    expect(page.locator('[data-figure="overdue_assessments"] .figure')).to_have_text("2")

    sign_in(phone, live_server, "charlie")
    phone.goto(f"{live_server.url}/visits/offenders/{door.pk}/")
    late = today - dt.timedelta(days=12)
    expect(phone.get_by_text(f"Assessment review due {late.day} {late:%b %Y}")).to_be_visible()
    phone.get_by_role("link", name="Record an assessment").click()
    expect(phone.get_by_role("heading", name="Record a risk assessment")).to_be_visible()
    phone.get_by_label("ARMS").check()
    phone.get_by_label("Medium").check()
    phone.get_by_label("Notes").fill("ARMS review with the offender at home")
    screenshot(phone, "phone-5-record-assessment")
    phone.get_by_role("button", name="Record the assessment").click()

    next_due = today + dt.timedelta(days=365)
    expect(phone.get_by_role("status")).to_contain_text(f"Next review due {next_due.day} {next_due:%b %Y}")
    screenshot(phone, "phone-6-assessment-recorded")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    page.reload()
    expect(page.locator('[data-figure="overdue_assessments"] .figure')).to_have_text("1")
    screenshot(page, "supervisor-overdue-assessments-after-phone")
