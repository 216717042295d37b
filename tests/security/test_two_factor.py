import re
from urllib.parse import parse_qs, urlparse

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_factor_on(settings):
    settings.CASELOAD_REQUIRE_2FA = True


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def sign_in(client, username):
    return client.post("/login/", {"username": username, "password": PASSWORD}, follow=True)


def enrol(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def test_a_supervisor_without_an_app_is_sent_to_set_one_up(client, bob, two_factor_on):
    response = sign_in(client, "bob")
    assert response.redirect_chain[-1][0].startswith("/account/two-factor/?next=")
    assert b"Set up two-factor sign-in" in response.content
    assert b"otpauth://totp/" in response.content
    assert b"<svg" in response.content  # the QR code
    assert client.get("/dashboard/").status_code == 302


def test_setting_up_the_app_with_a_right_code_opens_the_supervisors_pages(client, bob, two_factor_on):
    sign_in(client, "bob")
    page = client.get("/account/two-factor/").content.decode()
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', page).group(1)
    device = TOTPDevice.objects.get(user=bob, confirmed=False)
    assert parse_qs(urlparse(device.config_url).query)["secret"] == [secret]
    response = client.post("/account/two-factor/", {"token": current_code(device), "next": "/dashboard/"})
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    assert TOTPDevice.objects.get(user=bob).confirmed
    assert client.get("/dashboard/").status_code == 200


def test_a_wrong_code_is_refused_with_a_message(client, bob, two_factor_on):
    sign_in(client, "bob")
    client.get("/account/two-factor/")
    response = client.post("/account/two-factor/", {"token": "000000"})
    assert response.status_code == 200
    assert b"did not match" in response.content
    assert not TOTPDevice.objects.filter(user=bob, confirmed=True).exists()


def test_letters_in_the_code_are_refused_with_a_message(client, bob, two_factor_on):
    sign_in(client, "bob")
    response = client.post("/account/two-factor/", {"token": "12ab56"})
    assert b"digits only" in response.content


def test_an_enrolled_admin_enters_a_code_after_the_password(client, alice, two_factor_on):
    device = enrol(alice)
    response = sign_in(client, "alice")
    assert response.redirect_chain[-1][0].startswith("/account/two-factor/verify/")
    assert client.get("/admin/").status_code == 302
    response = client.post("/account/two-factor/verify/?next=/admin/", {"token": current_code(device),
                                                                        "next": "/admin/"})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_next_address_on_another_site_is_ignored(client, alice, two_factor_on):
    device = enrol(alice)
    sign_in(client, "alice")
    response = client.post("/account/two-factor/verify/", {"token": current_code(device),
                                                           "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_repeated_wrong_codes_are_throttled(client, alice, two_factor_on):
    device = enrol(alice)
    sign_in(client, "alice")
    for _ in range(6):  # the sixth failure holds the device for 32 seconds
        client.post("/account/two-factor/verify/", {"token": "000000"})
    response = client.post("/account/two-factor/verify/", {"token": current_code(device)})
    assert response.status_code == 200 and b"too many codes" in response.content


def test_an_officer_is_not_asked_for_a_code_unless_they_chose_to_enrol(client, charlie, two_factor_on):
    sign_in(client, "charlie")
    assert client.get("/visits/mine/").status_code == 200
    enrol(charlie)
    client.logout()
    sign_in(client, "charlie")
    assert client.get("/visits/mine/").status_code == 302


def test_with_the_setting_off_a_password_is_enough(client, bob):
    sign_in(client, "bob")
    assert client.get("/dashboard/").status_code == 200


def test_an_api_call_without_the_second_factor_is_refused_not_redirected(client, bob, two_factor_on):
    sign_in(client, "bob")
    response = client.get("/api/v1/summary/")
    assert response.status_code in (403, 404)
    if response.status_code == 403:
        assert response.json()["error"].startswith("Two-factor")
