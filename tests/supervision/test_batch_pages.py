"""The bulk cancellation pages and the decisions list, as supervisors drive them from the overdue table; two
approvals at once."""

import csv
import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from caseload.dashboards.selectors import overdue_visits
from offenders.models import OffenderAccess
from supervision.batches import batch_decide, batch_propose, shown_token
from supervision.models import CancellationBatch, RequestState
from tests.factories import OffenderFactory, VisitFactory, tier
from tests.supervision.test_visit_requests import ask
from visits.flagging import flags_refresh
from visits.models import CaseAction, VisitStatus

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def overdue(charlie, overdue_visit):
    """Two low-risk overdue visits (S-1's and S-2's) and a medium one (S-3's), flagged."""
    for reference, code in (("S-2", "low"), ("S-3", "medium")):
        offender = OffenderFactory(officer=charlie.officer, risk_tier=tier(code), reference=reference)
        VisitFactory(offender=offender, officer=charlie.officer, due_on=dt.date(2016, 10, 1))
    flags_refresh(wait=True, whole_register=True)


def propose_url(**filters):
    return reverse("supervision:batch_propose") + "?" + "&".join(f"{k}={v}" for k, v in filters.items())


def propose(client, **filters):
    page = client.get(propose_url(**filters))
    shown = page.context["form"].initial["shown"]
    return client.post(propose_url(**filters), {"reason": "Low risk: resources to high risk", "shown": shown},
                       follow=True)


def test_the_overdue_table_links_to_the_proposal_with_its_filters(client, bob, overdue):
    client.force_login(bob)
    page = client.get(reverse("dashboards:overdue") + f"?tier={tier('low').pk}").text
    assert reverse("supervision:batch_propose") + f"?tier={tier('low').pk}" in page


def test_the_proposal_page_shows_the_cost_before_anything_is_asked(client, bob, overdue):
    client.force_login(bob)
    page = client.get(propose_url(tier=tier("low").pk))
    assert page.context["cost"]["visits"] == 2 and page.context["cost"]["by_tier"] == {"Low": 2}
    assert "Propose cancelling 2 visits" in page.text and "Unseen within 90 days" in page.text
    assert not CancellationBatch.objects.exists()


def test_a_proposal_is_saved_with_its_filters_in_words_and_awaits_a_second_person(client, bob, overdue):
    client.force_login(bob)
    response = propose(client, tier=tier("low").pk)
    batch = CancellationBatch.objects.get()
    assert response.redirect_chain[-1][0] == reverse("supervision:batch", args=[batch.pk])
    assert batch.filters == {"tier": "Low"} and batch.items.count() == 2
    assert "You proposed this" in response.text and "Record the decision" not in response.text
    assert "1 bulk cancellation" in client.get(reverse("dashboard")).text


def test_a_second_supervisor_approves_and_every_case_shows_the_batch(client, bob, beth, overdue, offender):
    client.force_login(bob)
    propose(client, tier=tier("low").pk)
    batch = CancellationBatch.objects.get()
    client.force_login(beth)
    response = client.post(reverse("supervision:batch", args=[batch.pk]), {"decision": "approve", "note": "Agreed"},
                           follow=True)
    assert f"Bulk cancellation {batch.pk} approved: 2 visits cancelled." in response.text
    assert offender.visits.get().status == VisitStatus.CANCELLED
    case = client.get(reverse("visits:offender_detail", args=[offender.pk])).text
    assert reverse("supervision:batch", args=[batch.pk]) in case and "decided by beth" in case


def test_an_empty_selection_and_bad_filters_say_so(client, bob, overdue):
    client.force_login(bob)
    assert "nothing to cancel" in client.get(propose_url(late=365)).text
    page = client.get(propose_url(tier="nope"))
    assert "The filters are not valid" in page.text and "tier:" in page.text


def test_a_proposal_from_figures_that_changed_is_refused_with_the_new_figures(client, bob, overdue, overdue_visit):
    client.force_login(bob)
    shown = client.get(propose_url(tier=tier("low").pk)).context["form"].initial["shown"]
    type(overdue_visit).objects.filter(pk=overdue_visit.pk).update(status=VisitStatus.COMPLETED,
                                                                   completed_on=dt.date(2016, 11, 13))
    flags_refresh(wait=True, whole_register=True)
    response = client.post(propose_url(tier=tier("low").pk), {"reason": "x", "shown": shown})
    assert "changed since the figures were shown" in response.text and response.context["cost"]["visits"] == 1
    assert not CancellationBatch.objects.exists()


def test_the_decisions_list_holds_requests_and_batches_and_exports_them(client, charlie, bob, beth, overdue,
                                                                        offender, overdue_visit):
    ask(offender, overdue_visit, charlie)
    client.force_login(bob)
    propose(client, tier=tier("medium").pk)
    page = client.get(reverse("supervision:decisions")).text
    assert "Bulk cancellation" in page and "S-1" in page
    export = client.get(reverse("supervision:decisions_export"))
    rows = list(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert {(r["Kind"], r["Offender reference"], r["Visits"], r["Visits by tier"]) for r in rows} == {
        ("Cancel the visit", "S-1", "1", ""), ("Bulk cancellation", "", "1", "Medium 1")}
    assert OffenderAccess.objects.filter(kind="export", offender=offender).exists()
    pending = client.get(reverse("supervision:decisions_export") + "?state=approved")
    assert len(list(csv.reader(io.StringIO(pending.content.decode("utf-8-sig"))))) == 1  # the header alone


def test_bad_decision_filters_are_named(client, bob):
    client.force_login(bob)
    response = client.get(reverse("supervision:decisions_export") + "?asked_from=2016-11-10&asked_to=2016-11-01")
    assert response.status_code == 400 and "asked_to: The end of the period is before its start." in response.text
    assert "Enter a valid date" in client.get(reverse("supervision:decisions") + "?asked_from=31/31/2016").text


def test_another_teams_supervisor_and_an_officer_get_404(client, bob, charlie, erin, overdue):
    client.force_login(bob)
    propose(client, tier=tier("low").pk)
    batch = CancellationBatch.objects.get()
    for user in (charlie, erin):
        client.force_login(user)
        for name in ("supervision:batch", "supervision:batch_visits"):
            url = reverse(name, args=[batch.pk])
            assert client.get(url).status_code == 404
        assert client.post(reverse("supervision:batch", args=[batch.pk]),
                           {"decision": "approve", "note": "x"}).status_code == 404
    assert CancellationBatch.objects.get().state == RequestState.PENDING


@pytest.mark.parametrize("attempt", range(3))
def test_two_supervisors_approving_the_same_batch_at_once_give_one_decision(transactional_db, bob, beth, alice,
                                                                            overdue, attempt):
    from tests.visits.test_concurrency import race

    proposal = batch_propose(user=bob, overdue=overdue_visits(user=bob), filters={}, reason="Low risk",
                             shown=shown_token(overdue_visits(user=bob)))
    results = race(lambda: batch_decide(batch=proposal, user=beth, approve=True, note="Agreed by beth"),
                   lambda: batch_decide(batch=proposal, user=alice, approve=True, note="Agreed by alice"))
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(refused) == 1 and "already approved" in refused[0].messages[0], results
    assert CancellationBatch.objects.get().cancelled == 3
    assert CaseAction.objects.filter(kind=CaseAction.Kind.VISIT_CANCELLED).count() == 3
