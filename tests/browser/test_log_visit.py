import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import screenshot, sign_in
from tests.factories import OffenderFactory, VisitFactory, tier
from visits.flagging import flags_refresh
from visits.models import Visit, VisitStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_logs_a_visit_on_a_phone_and_sees_the_next_one_scheduled(phone, live_server, charlie):
    today = timezone.localdate()
    offender = OffenderFactory(officer=charlie.officer, reference="REF-DOOR", risk_tier=tier("high"))
    VisitFactory(offender=offender, due_on=today - dt.timedelta(days=3))
    VisitFactory(offender=OffenderFactory(officer=charlie.officer, reference="REF-LATER"),
                 due_on=today + dt.timedelta(days=20))

    sign_in(phone, live_server, "charlie")
    expect(phone.get_by_role("heading", name="My caseload")).to_be_visible()
    expect(phone.get_by_text("3 days overdue")).to_be_visible()
    screenshot(phone, "phone-1-caseload")
    phone.get_by_text("Filter").click()
    phone.get_by_label("Next visit").select_option(label="Overdue")
    phone.get_by_role("button", name="Show").click()
    expect(phone.get_by_role("link", name="REF-LATER")).to_have_count(0)
    screenshot(phone, "phone-1b-caseload-filtered-overdue")

    phone.get_by_role("link", name="REF-DOOR").click()
    phone.get_by_role("link", name="Log a visit").click()
    expect(phone.get_by_role("heading", name="Log a visit")).to_be_visible()
    phone.get_by_label("Home, unannounced").check()
    phone.get_by_label("Seen").check()
    phone.get_by_label("Notes").fill("Seen at home, no concerns")
    screenshot(phone, "phone-2-log-visit-form")
    phone.get_by_role("button", name="Log visit").click()

    expect(phone.get_by_role("status")).to_contain_text("Visit logged.")
    next_due = today + dt.timedelta(days=91)
    expect(phone.get_by_text(f"Next visit due {next_due.day} {next_due:%b %Y}")).to_be_visible()
    screenshot(phone, "phone-3-next-visit-scheduled")
    assert Visit.objects.get(offender=offender, status=VisitStatus.COMPLETED).notes == "Seen at home, no concerns"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_future_date_is_explained_on_the_phone_form(phone, live_server, charlie):
    offender = OffenderFactory(officer=charlie.officer, reference="REF-FUTURE")
    VisitFactory(offender=offender, due_on=timezone.localdate())
    sign_in(phone, live_server, "charlie")
    phone.goto(f"{live_server.url}/visits/offenders/{offender.pk}/log-visit/")
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    phone.get_by_label("Date of visit").fill(tomorrow.isoformat())
    phone.get_by_role("button", name="Log visit").click()
    expect(phone.get_by_text(f"{tomorrow:%d/%m/%Y} is in the future")).to_be_visible()
    screenshot(phone, "phone-4-future-date-refused")


def test_a_visit_logged_on_the_phone_leaves_the_supervisors_overdue_list_at_once(phone, page, live_server, charlie,
                                                                                    bob):
    today = timezone.localdate()
    door = OffenderFactory(officer=charlie.officer, reference="REF-DOOR")
    VisitFactory(offender=door, due_on=today - dt.timedelta(days=3))
    VisitFactory(offender=OffenderFactory(officer=charlie.officer, reference="REF-STILL"),
                 due_on=today - dt.timedelta(days=5))
    flags_refresh()  # the morning's run
    sign_in(page, live_server, "bob")
    page.goto(f"{live_server.url}/dashboard/")
    expect(page.locator('[data-figure="overdue_visits"] .figure')).to_have_text("2")

    sign_in(phone, live_server, "charlie")
    phone.goto(f"{live_server.url}/visits/offenders/{door.pk}/log-visit/")
    phone.get_by_label("Home, unannounced").check()
    phone.get_by_label("Seen").check()
    phone.get_by_role("button", name="Log visit").click()
    expect(phone.get_by_role("status")).to_contain_text("Visit logged.")

    page.reload()
    expect(page.locator('[data-figure="overdue_visits"] .figure')).to_have_text("1")
    page.goto(f"{live_server.url}/dashboard/overdue/")
    expect(page.get_by_role("link", name="REF-STILL")).to_be_visible()
    expect(page.get_by_role("link", name="REF-DOOR")).to_have_count(0)
    screenshot(page, "supervisor-overdue-after-phone-visit")
