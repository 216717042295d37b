"""Signing in through the force's identity provider, in Chromium: each role lands on its page with its scope; someone
on no list is refused with a page that says why; a leaver is signed out."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from playwright.sync_api import expect

from caseload.imports.services import import_file
from caseload.sso import provider
from caseload.sso.backend import ProviderBackend
from tests.browser.conftest import screenshot
from tests.factories import OffenderFactory, OfficerFactory, VisitFactory
from tests.oidc_provider import (
    configure,
    id_token_for_another_client,
    person,
    running_provider,
    trust_only_a_new_key,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def cases(north, south):
    """Olive in North and Dave in South, a case each."""
    olive = OfficerFactory(staff_id="OM200", name="Olive Ward", email="olive.ward@essex.police.uk", team=north)
    dave = OfficerFactory(staff_id="OM300", name="Dave Day", email="dave.day@essex.police.uk", team=south)
    VisitFactory(offender=OffenderFactory(officer=olive, reference="N-OLIVE"))
    VisitFactory(offender=OffenderFactory(officer=dave, reference="S-DAVE"))
    return olive


def sign_in_with_provider(page, live_server, email: str) -> None:
    connection.close()
    page.goto(f"{live_server.url}/login/")
    page.get_by_role("link", name="Sign in with Essex Police").click()
    page.locator('input[name="sub"]').fill(email)
    page.get_by_role("button", name="Authorize").click()


def test_an_officer_signs_in_with_the_provider_on_a_phone_and_sees_only_their_cases(phone, live_server, sso, cases):
    person(sso, "olive.ward@essex.police.uk", groups=["caseload-officers"])
    sign_in_with_provider(phone, live_server, "olive.ward@essex.police.uk")
    expect(phone.get_by_role("heading", name="My caseload")).to_be_visible()
    expect(phone.get_by_role("link", name="N-OLIVE")).to_be_visible()
    expect(phone.get_by_role("link", name="S-DAVE")).to_have_count(0)
    screenshot(phone, "sso-officer-caseload-phone")


def sign_in_to_account(page, live_server, sso, user, group: str) -> None:
    user.email = f"{user.username}@essex.police.uk"
    user.save()
    person(sso, user.email, groups=[group])
    sign_in_with_provider(page, live_server, user.email)
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()


def test_a_supervisor_signs_in_with_the_provider_and_sees_their_teams_dashboard(page, live_server, sso, cases, bob):
    call_command("refresh_flags")
    sign_in_to_account(page, live_server, sso, bob, "caseload-supervisors")
    page.goto(f"{live_server.url}/dashboard/overdue/")
    expect(page.get_by_role("link", name="N-OLIVE")).to_be_visible()
    expect(page.get_by_role("link", name="S-DAVE")).to_have_count(0)
    screenshot(page, "sso-supervisor-overdue")


def test_an_admin_signs_in_with_the_provider_and_reaches_the_administration(page, live_server, sso, cases, alice):
    sign_in_to_account(page, live_server, sso, alice, "caseload-admins")
    page.get_by_role("link", name="Administration").click()
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()


def test_someone_on_no_list_is_refused_and_told_why(page, live_server, sso, cases):
    person(sso, "stranger@essex.police.uk", groups=["caseload-officers"])
    sign_in_with_provider(page, live_server, "stranger@essex.police.uk")
    expect(page.get_by_role("heading", name="You are not signed in")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("not on caseload's officers list")
    screenshot(page, "sso-refused")


def test_a_leaver_is_signed_out_at_the_next_page(page, live_server, sso, cases, tmp_path):
    person(sso, "olive.ward@essex.police.uk", groups=["caseload-officers"])
    sign_in_with_provider(page, live_server, "olive.ward@essex.police.uk")
    expect(page.get_by_role("heading", name="My caseload")).to_be_visible()
    officers = tmp_path / "officers.csv"
    officers.write_text("staff_id,name,team,active\nOM200,Olive Ward,North,no\n")
    import_file(kind="officers", path=officers)
    connection.close()
    page.reload()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


@pytest.fixture
def forged(request, settings, monkeypatch, identity_provider):
    """A sign-in whose ID token caseload must refuse: signed with a key it does not trust, issued to another
    application, or expired."""
    if request.param == "signed with another key":
        trust_only_a_new_key(settings)
    elif request.param == "for another application":
        person(identity_provider, "olive.ward@essex.police.uk", groups=["caseload-officers"])
        foreign = id_token_for_another_client(identity_provider, "olive.ward@essex.police.uk")
        monkeypatch.setattr(ProviderBackend, "get_token", lambda self, payload: {"id_token": foreign,
                                                                                "access_token": "unused"})
    else:
        with running_provider(token_max_age=dt.timedelta(minutes=-5)) as expiring:
            configure(settings, expiring)
            yield expiring
            provider.discovery.cache_clear()
        return
    yield identity_provider


@pytest.mark.parametrize("forged", ["signed with another key", "for another application", "expired"],
                         indirect=True)
def test_a_forged_sign_in_is_refused(page, live_server, sso, cases, forged):
    person(forged, "olive.ward@essex.police.uk", groups=["caseload-officers"])
    sign_in_with_provider(page, live_server, "olive.ward@essex.police.uk")
    expect(page.get_by_role("heading", name="You are not signed in")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("could not be checked")
    page.goto(f"{live_server.url}/visits/mine/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_a_replayed_sign_in_is_refused(page, live_server, sso, cases):
    person(sso, "olive.ward@essex.police.uk", groups=["caseload-officers"])
    callbacks = []
    page.on("request", lambda request: callbacks.append(request.url) if "/sso/callback/" in request.url else None)
    sign_in_with_provider(page, live_server, "olive.ward@essex.police.uk")
    expect(page.get_by_role("heading", name="My caseload")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    page.goto(callbacks[0])
    expect(page.get_by_role("alert")).to_contain_text("used already")
    page.goto(f"{live_server.url}/visits/mine/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
