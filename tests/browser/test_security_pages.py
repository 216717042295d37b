import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.browser.conftest import screenshot, sign_in
from tests.factories import OffenderFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_supervisor_sets_up_two_factor_sign_in_on_first_sign_in(page, live_server, settings, bob):
    settings.CASELOAD_REQUIRE_2FA = True
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    sign_in(page, live_server, "bob")
    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    expect(page.locator(".qr svg")).to_be_visible()
    screenshot(page, "two-factor-setup")
    device = TOTPDevice.objects.get(user=bob, confirmed=False)
    page.get_by_label("Six-digit code").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Confirm code").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Two-factor sign-in is set up")
    assert violations == []


def test_an_admin_searches_the_read_log(page, live_server, alice, charlie):
    offender = OffenderFactory(officer=charlie.officer, reference="REF-READ")
    sign_in(page, live_server, "charlie")
    page.goto(f"{live_server.url}/visits/offenders/{offender.pk}/")
    page.get_by_role("button", name="Sign out").click()
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    sign_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/admin/offenders/offenderaccess/?q=REF-READ")
    expect(page.get_by_role("cell", name="charlie")).to_be_visible()
    screenshot(page, "read-log-search")
    page.goto(f"{live_server.url}/admin/caseload/changeevent/?q=REF-READ")
    expect(page.get_by_text("offenders.OffenderEvent").first).to_be_visible()
    screenshot(page, "change-history-search")
    assert violations == []


def test_five_wrong_passwords_lock_the_account_with_a_message(page, live_server, charlie):
    for _ in range(5):
        sign_in(page, live_server, "charlie", password="not the password")
    sign_in(page, live_server, "charlie")
    expect(page.get_by_role("alert")).to_contain_text("Too many failed sign-ins")
    screenshot(page, "locked-out")
