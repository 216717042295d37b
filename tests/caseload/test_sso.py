"""Single sign-on through a real OpenID Connect provider started on 127.0.0.1 (oidc-provider-mock): who gets in,
with which role, who is refused and why, and that forged, misdirected, expired and replayed sign-ins are refused."""

import datetime as dt
import html
import re
import time
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from caseload.imports.services import import_file
from caseload.models import AccountEvent, ChangeEvent
from caseload.sso import provider
from caseload.sso.backend import ProviderBackend
from offenders.roles import Role, role_of
from tests.factories import OfficerFactory, UserFactory
from tests.oidc_provider import (
    configure,
    id_token_for_another_client,
    person,
    running_provider,
    trust_only_a_new_key,
)


@pytest.fixture(scope="module")
def expiring_issuer():
    """A provider whose ID tokens have expired before they are issued (by more than the clock skew allowed)."""
    with running_provider(token_max_age=dt.timedelta(minutes=-5)) as url:
        yield url


def sign_in_at_provider(client, sub: str) -> str:
    """Start at caseload, choose the person at the provider; the callback address the provider sends back."""
    start = client.get(reverse("oidc_authentication_init"))
    assert start.status_code == 302
    answer = requests.post(start["Location"], data={"sub": sub}, allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text
    callback = urlsplit(answer.headers["Location"])
    assert callback.path == reverse("oidc_authentication_callback")
    return f"{callback.path}?{callback.query}"


def sign_in(client, sub: str):
    """The whole sign-in; the response to the callback, followed."""
    return client.get(sign_in_at_provider(client, sub), follow=True)


def refusal(response) -> str:
    assert response.status_code == 200 and response.wsgi_request.path == reverse("sso_refused")
    return html.unescape(re.search(r'<p class="error" role="alert">(.*?)</p>', response.content.decode(), re.S)[1])


@pytest.fixture
def om200(north):
    return OfficerFactory(staff_id="OM200", name="Olive Ward", email="olive.ward@essex.police.uk", team=north)


def test_the_sign_in_page_offers_the_provider_and_the_password_form_by_default(client, sso):
    page = client.get(reverse("login")).content.decode()
    assert "Sign in with Essex Police" in page and 'name="password"' in page


def test_an_officer_on_the_list_gets_an_account_at_first_sign_in_and_lands_on_their_caseload(client, sso, om200):
    person(sso, "olive.ward@essex.police.uk", groups=["caseload-officers"])
    response = sign_in(client, "olive.ward@essex.police.uk")
    assert response.redirect_chain[-1][0] == reverse("visits:my_caseload")
    om200.refresh_from_db()
    assert om200.user is not None and role_of(om200.user) == Role.OFFICER
    assert not om200.user.has_usable_password()
    assert AccountEvent.objects.filter(kind="signed_in", user=om200.user).count() == 1


def test_a_supervisor_and_an_admin_sign_in_to_their_accounts_and_land_on_the_dashboard(client, sso, bob, alice):
    bob.email, alice.email = "bob@essex.police.uk", "alice@essex.police.uk"
    bob.save(), alice.save()
    person(sso, "bob@essex.police.uk", groups=["caseload-supervisors"])
    person(sso, "alice@essex.police.uk", groups=["caseload-admins", "caseload-officers"])
    assert sign_in(client, "bob@essex.police.uk").redirect_chain[-1][0] == reverse("dashboard")
    assert client.get(reverse("home")).wsgi_request.user == bob
    client.post(reverse("logout"))
    assert sign_in(client, "alice@essex.police.uk").redirect_chain[-1][0] == reverse("dashboard")
    alice.refresh_from_db()
    assert role_of(alice) == Role.ADMIN and alice.is_staff


def test_someone_on_no_list_is_refused_with_a_clear_page_and_the_refusal_is_recorded(client, sso, north):
    person(sso, "stranger@essex.police.uk", groups=["caseload-officers"])
    response = sign_in(client, "stranger@essex.police.uk")
    assert "not on caseload's officers list" in refusal(response)
    assert not response.wsgi_request.user.is_authenticated
    event = AccountEvent.objects.get(kind="refused")
    assert event.email == "stranger@essex.police.uk" and event.user is None


def test_someone_in_no_mapped_group_is_refused(client, sso, om200):
    person(sso, "olive.ward@essex.police.uk", groups=["finance"])
    assert "none of the groups" in refusal(sign_in(client, "olive.ward@essex.police.uk"))


def test_a_change_of_groups_gives_the_new_role_at_the_next_sign_in(client, sso, om200):
    person(sso, "olive.ward@essex.police.uk", groups=["caseload-officers"])
    sign_in(client, "olive.ward@essex.police.uk")
    client.post(reverse("logout"))
    person(sso, "olive.ward@essex.police.uk", groups=["caseload-supervisors"])
    assert sign_in(client, "olive.ward@essex.police.uk").redirect_chain[-1][0] == reverse("dashboard")
    user = get_user_model().objects.get(officer=om200)
    assert role_of(user) == Role.SUPERVISOR
    changes = AccountEvent.objects.filter(kind="role_changed", user=user).order_by("at")
    assert [event.detail.split(" (")[0] for event in changes] == ["no role → Officer", "Officer → Supervisor"]


def test_a_leaver_imported_as_inactive_is_signed_out_at_the_next_request_and_cannot_sign_in(
        client, sso, om200, tmp_path):
    person(sso, "olive.ward@essex.police.uk", groups=["caseload-officers"])
    sign_in(client, "olive.ward@essex.police.uk")
    assert client.get(reverse("visits:my_caseload")).status_code == 200
    officers = tmp_path / "officers.csv"
    officers.write_text("staff_id,name,team,active\nOM200,Olive Ward,North,no\n")
    run = import_file(kind="officers", path=officers)
    assert run.report["accounts_changed"] == 1
    response = client.get(reverse("visits:my_caseload"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert "as having left" in refusal(sign_in(client, "olive.ward@essex.police.uk"))


def test_a_required_second_factor_must_be_one_the_provider_names(client, sso, settings, om200):
    settings.CASELOAD_OIDC_REQUIRE_MFA = True
    person(sso, "olive.ward@essex.police.uk", groups=["caseload-officers"], amr=["pwd"])
    assert "second factor" in refusal(sign_in(client, "olive.ward@essex.police.uk"))
    person(sso, "olive.ward@essex.police.uk", groups=["caseload-officers"], amr=["pwd", "mfa"])
    assert sign_in(client, "olive.ward@essex.police.uk").redirect_chain[-1][0] == reverse("visits:my_caseload")


def test_the_providers_sign_in_stands_for_caseloads_second_factor(client, sso, settings, bob):
    settings.CASELOAD_REQUIRE_2FA = True
    bob.email = "bob@essex.police.uk"
    bob.save()
    person(sso, "bob@essex.police.uk", groups=["caseload-supervisors"])
    assert sign_in(client, "bob@essex.police.uk").redirect_chain[-1][0] == reverse("dashboard")


def test_a_token_signed_with_another_key_is_refused(client, sso, settings, om200):
    trust_only_a_new_key(settings)
    person(sso, "olive.ward@essex.police.uk", groups=["caseload-officers"])
    assert "could not be checked" in refusal(sign_in(client, "olive.ward@essex.police.uk"))
    assert "Signature verification failed" in AccountEvent.objects.get(kind="refused").detail


def test_a_token_for_another_client_is_refused(client, sso, om200, monkeypatch):
    person(sso, "olive.ward@essex.police.uk", groups=["caseload-officers"])
    foreign = id_token_for_another_client(sso, "olive.ward@essex.police.uk")
    monkeypatch.setattr(ProviderBackend, "get_token", lambda self, payload: {"id_token": foreign,
                                                                            "access_token": "unused"})
    assert "could not be checked" in refusal(sign_in(client, "olive.ward@essex.police.uk"))
    assert "audience" in AccountEvent.objects.get(kind="refused").detail.lower()


def test_an_expired_token_is_refused(client, settings, expiring_issuer, om200):
    configure(settings, expiring_issuer)
    person(expiring_issuer, "olive.ward@essex.police.uk", groups=["caseload-officers"])
    assert "could not be checked" in refusal(sign_in(client, "olive.ward@essex.police.uk"))
    assert "expired" in AccountEvent.objects.get(kind="refused").detail.lower()
    provider.discovery.cache_clear()


def test_a_replayed_callback_is_refused_in_the_same_browser_and_in_another(client, sso, om200, django_user_model):
    person(sso, "olive.ward@essex.police.uk", groups=["caseload-officers"])
    callback = sign_in_at_provider(client, "olive.ward@essex.police.uk")
    assert client.get(callback).status_code == 302
    client.post(reverse("logout"))
    assert "used already" in refusal(client.get(callback, follow=True))
    stranger = Client()
    response = stranger.get(callback, follow=True)
    assert "used already" in refusal(response) and not response.wsgi_request.user.is_authenticated


def test_with_passwords_off_only_the_break_glass_account_signs_in_with_one(client, sso, settings, alice, charlie):
    settings.CASELOAD_LOCAL_SIGNIN = ["alice"]
    for user in (alice, charlie):
        user.set_password("correct horse battery")
        user.save()
    assert not client.login(username="charlie", password="correct horse battery")
    response = client.post(reverse("login"), {"username": "charlie", "password": "correct horse battery"})
    assert response.status_code == 200 and "did not match" in response.content.decode()
    response = client.post(reverse("login"), {"username": "alice", "password": "correct horse battery"})
    assert response.status_code == 302


def test_signing_out_ends_the_session_at_the_provider_too(client, sso, om200):
    person(sso, "olive.ward@essex.police.uk", groups=["caseload-officers"])
    sign_in(client, "olive.ward@essex.police.uk")
    response = client.post(reverse("logout"))
    target = urlsplit(response["Location"])
    assert f"{target.scheme}://{target.netloc}" == sso and target.path == "/oauth2/end_session"
    query = parse_qs(target.query)
    assert query["post_logout_redirect_uri"] == ["http://testserver/login/"] and query["id_token_hint"]
    assert not client.get(reverse("home")).wsgi_request.user.is_authenticated


def test_without_a_provider_the_sign_in_page_is_the_password_form_alone(client):
    page = client.get(reverse("login")).content.decode()
    assert "Sign in with" not in page and 'name="password"' in page


@pytest.fixture
def bob_with_email(bob):
    bob.email = "bob@essex.police.uk"
    bob.save()
    return bob


def test_an_account_switched_off_is_refused(client, sso, bob_with_email):
    bob_with_email.is_active = False
    bob_with_email.save()
    person(sso, "bob@essex.police.uk", groups=["caseload-supervisors"])
    assert "No supervisor account" in refusal(sign_in(client, "bob@essex.police.uk"))


def test_an_admin_listed_twice_by_email_is_refused_rather_than_guessed(client, sso, alice):
    alice.email = "twice@essex.police.uk"
    alice.save()
    UserFactory(username="alice2", role=Role.ADMIN, email="twice@essex.police.uk")
    person(sso, "twice@essex.police.uk", groups=["caseload-admins"])
    assert "No admin account" in refusal(sign_in(client, "twice@essex.police.uk"))


def logout_token(issuer: str, key, **claims) -> str:
    payload = {"iss": issuer, "aud": "caseload", "iat": int(time.time()), "jti": "j1",
               "events": {"http://schemas.openid.net/event/backchannel-logout": {}}, **claims}
    return jwt.encode({k: v for k, v in payload.items() if v is not None}, key, algorithm="RS256")


def test_the_provider_ends_a_persons_sessions_over_the_back_channel(client, sso, om200, settings):
    person(sso, "olive.ward@essex.police.uk", groups=["caseload-officers"])
    sign_in(client, "olive.ward@essex.police.uk")
    other_browser = Client()
    sign_in(other_browser, "olive.ward@essex.police.uk")
    key = trust_only_a_new_key(settings)
    anonymous = Client()
    response = anonymous.post(reverse("sso_backchannel_logout"),
                              {"logout_token": logout_token(sso, key, sub="olive.ward@essex.police.uk")})
    assert response.status_code == 200
    for browser in (client, other_browser):
        assert browser.get(reverse("visits:my_caseload"))["Location"].startswith(reverse("login"))
    assert AccountEvent.objects.filter(kind="signed_out").get().detail.startswith("the identity provider ended 2")


@pytest.mark.parametrize("forged", ["another key", "another audience", "no event", "a nonce", "no subject"])
def test_a_forged_or_malformed_logout_token_ends_no_session(client, sso, om200, settings, forged):
    person(sso, "olive.ward@essex.police.uk", groups=["caseload-officers"])
    sign_in(client, "olive.ward@essex.police.uk")
    trusted = trust_only_a_new_key(settings)
    claims = {"sub": "olive.ward@essex.police.uk"}
    key = trusted
    if forged == "another key":
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    elif forged == "another audience":
        claims["aud"] = "another-application"
    elif forged == "no event":
        claims["events"] = None
    elif forged == "a nonce":
        claims["nonce"] = "n"
    else:
        claims["sub"] = None
    response = Client().post(reverse("sso_backchannel_logout"), {"logout_token": logout_token(sso, key, **claims)})
    assert response.status_code == 400
    assert client.get(reverse("visits:my_caseload")).status_code == 200


def test_sign_ins_refusals_and_role_changes_are_in_the_change_history(client, sso, om200):
    person(sso, "olive.ward@essex.police.uk", groups=["caseload-officers"])
    sign_in(client, "olive.ward@essex.police.uk")
    person(sso, "stranger@essex.police.uk", groups=["caseload-officers"])
    sign_in(Client(), "stranger@essex.police.uk")
    recorded = ChangeEvent.objects.filter(pgh_model="caseload.AccountEventEvent")
    assert sorted(event.pgh_data["kind"] for event in recorded) == ["refused", "role_changed", "signed_in"]
