import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot, sign_in
from tests.factories import OffenderFactory, VisitFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_supervisor_signs_in_and_lands_on_the_dashboard(page, live_server, bob, charlie):
    officer = charlie.officer
    VisitFactory(offender=OffenderFactory(officer=officer))
    sign_in(page, live_server, "bob")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.locator('[data-figure="overdue_visits"]')).to_contain_text("Overdue visits")
    screenshot(page, "supervisor-dashboard")


def test_an_officer_signs_in_on_a_phone_and_sees_their_caseload(phone, live_server, charlie):
    VisitFactory(offender=OffenderFactory(officer=charlie.officer, reference="REF-PHONE"))
    sign_in(phone, live_server, "charlie")
    expect(phone.get_by_role("heading", name="My caseload")).to_be_visible()
    expect(phone.get_by_role("link", name="REF-PHONE")).to_be_visible()
    screenshot(phone, "officer-caseload-phone")


def test_a_wrong_password_is_refused_with_a_message(page, live_server, bob):
    sign_in(page, live_server, "bob", password="wrong password")
    expect(page.get_by_role("alert")).to_contain_text("did not match")
