"""Bulk cancellation and the dip-sample review, in Chromium: one supervisor proposes from the overdue table and reads
the cost, a second approves, and the decision is on the decisions list; a supervisor reviews a sampled case."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from supervision.dip_samples import dip_samples_draw, previous_month
from tests.browser.conftest import screenshot, sign_in
from tests.factories import OffenderFactory, VisitFactory, tier
from visits.flagging import flags_refresh
from visits.models import VisitStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_supervisor_proposes_a_bulk_cancellation_and_a_second_approves_it(browser, page, live_server, bob, beth,
                                                                             charlie):
    today = dt.date.today()
    for n in range(3):
        offender = OffenderFactory(officer=charlie.officer, reference=f"REF-LOW-{n}", risk_tier=tier("low"))
        VisitFactory(offender=offender, due_on=today - dt.timedelta(days=40 + n))
    high = OffenderFactory(officer=charlie.officer, reference="REF-HIGH", risk_tier=tier("high"))
    VisitFactory(offender=high, due_on=today - dt.timedelta(days=5))
    flags_refresh()

    sign_in(page, live_server, "bob")
    page.goto(f"{live_server.url}/dashboard/overdue/")
    page.get_by_label("Tier").select_option(label="Low")
    expect(page.get_by_role("cell", name="REF-HIGH")).to_have_count(0)
    page.get_by_role("link", name="Propose cancelling these visits…").click()
    expect(page.get_by_role("heading", name="What it would cost")).to_be_visible()
    expect(page.locator("dl.cost")).to_contain_text("3 (Low 3)")
    page.get_by_label("Reason").fill("Low risk: officers moved to the high-risk cases")
    screenshot(page, "bulk-cancellation-cost")
    page.get_by_role("button", name="Propose cancelling 3 visits").click()
    expect(page.get_by_role("status")).to_contain_text("a second supervisor of the teams or an admin decides")
    expect(page.get_by_text("You proposed this")).to_be_visible()

    page.context.close()
    page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB").new_page()
    sign_in(page, live_server, "beth")
    page.get_by_role("link", name="1 bulk cancellation").click()
    page.get_by_role("link", name="Decide").click()
    page.get_by_label("Approve").check()
    page.get_by_label("Note").fill("Agreed for this quarter only")
    screenshot(page, "bulk-cancellation-decide")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("status")).to_contain_text("approved: 3 visits cancelled")
    page.get_by_role("link", name="← Decisions").click()
    expect(page.get_by_role("cell", name="Agreed for this quarter only")).to_be_visible()
    screenshot(page, "decisions")
    page.context.close()
    assert high.visits.get().status == VisitStatus.SCHEDULED


def test_a_supervisor_reviews_a_dip_sample_from_the_dashboard(page, live_server, bob, charlie):
    last_month = previous_month(dt.date.today())
    offender = OffenderFactory(officer=charlie.officer, reference="REF-DIP")
    VisitFactory(offender=offender, officer=charlie.officer, status=VisitStatus.COMPLETED, due_on=last_month,
                 completed_on=last_month + dt.timedelta(days=3))
    dip_samples_draw(month=last_month)

    sign_in(page, live_server, "bob")
    page.get_by_role("link", name="reviews due").click()
    page.get_by_role("link", name="REF-DIP").click()
    page.get_by_label("Action needed").check()
    page.get_by_label("Note").fill("Home conditions not recorded")
    page.get_by_label("Follow up on").fill((dt.date.today() + dt.timedelta(days=14)).isoformat())
    screenshot(page, "dip-sample-review")
    page.get_by_role("button", name="Record the review").click()
    expect(page.get_by_role("status")).to_contain_text("Review recorded.")
