"""Booking an absence and assigning cover, in Chromium: a supervisor books an officer's sick leave, sees which cases
fall due while they are away and gives them to a colleague, who finds them on a phone, marked as cover."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from offenders.roles import Role
from tests.browser.conftest import screenshot, sign_in
from tests.factories import OffenderFactory, OfficerFactory, UserFactory, VisitFactory, tier

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_supervisor_books_sick_leave_and_assigns_cover_that_the_colleague_sees(browser, page, live_server, bob,
                                                                                 charlie, north):
    today = dt.date.today()
    nina = UserFactory(username="nina", role=Role.OFFICER)
    OfficerFactory(staff_id="OM102", name="Nina North", team=north, user=nina)
    offender = OffenderFactory(officer=charlie.officer, reference="REF-COVER", risk_tier=tier("high"))
    VisitFactory(offender=offender, officer=charlie.officer, due_on=today + dt.timedelta(days=3))

    sign_in(page, live_server, "bob")
    page.goto(f"{live_server.url}/availability/")
    page.get_by_role("link", name="Book an absence or reduction").click()
    page.get_by_label("Officer").select_option(label="Charlie Chalk (OM100)")
    page.get_by_label("Kind").select_option(label="Sickness")
    page.get_by_label("First day").fill(today.isoformat())
    page.get_by_label("Last day").fill((today + dt.timedelta(days=9)).isoformat())
    screenshot(page, "book-absence")
    page.get_by_role("button", name="Book").click()
    expect(page.get_by_role("status")).to_contain_text("Sickness booked for Charlie Chalk.")
    expect(page.get_by_role("cell", name="REF-COVER")).to_be_visible()
    page.get_by_label("Covering officer").select_option(label="Nina North (OM102)")
    page.get_by_label("Rationale").fill("Same patch, knows the family")
    screenshot(page, "assign-cover")
    page.get_by_role("button", name="Assign cover").click()
    expect(page.get_by_role("status")).to_contain_text("Nina North covers 1 case until")

    phone = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, locale="en-GB").new_page()
    sign_in(phone, live_server, "nina")
    phone.goto(f"{live_server.url}/visits/mine/")
    expect(phone.get_by_text("cover for Charlie Chalk until")).to_be_visible()
    screenshot(phone, "caseload-with-cover-phone")
    phone.context.close()


def test_a_supervisor_accepts_a_rebalancing_proposal(page, live_server, bob, charlie, north):
    north.caseload_ceiling_per_fte = 3
    north.save()
    OfficerFactory(staff_id="OM103", name="Rita Room", team=north)
    for n in range(5):
        OffenderFactory(officer=charlie.officer, reference=f"REF-LOAD-{n}", risk_tier=tier("low"))

    sign_in(page, live_server, "bob")
    page.goto(f"{live_server.url}/dashboard/workload/")
    page.get_by_role("link", name="rebalance North").click()
    expect(page.get_by_role("heading", name="Proposed moves 2")).to_be_visible()
    page.get_by_label("Rationale").fill("Charlie is over the ceiling; Rita has room")
    screenshot(page, "rebalance-proposal")
    page.get_by_role("button", name="Accept the ticked moves").click()
    expect(page.get_by_role("status")).to_contain_text("2 cases moved, each recorded on its case.")
    expect(page.get_by_text("No moves are needed")).to_be_visible()
