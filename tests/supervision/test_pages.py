"""The request and decision pages, as an officer and supervisors drive them."""

import pytest
from django.urls import reverse

from supervision.models import RequestState, VisitRequest
from supervision.services import visit_request_make
from tests.supervision.test_visit_requests import ask
from visits.models import VisitStatus

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def offender_page(client, offender):
    return client.get(reverse("visits:offender_detail", args=[offender.pk])).text


def test_an_officer_asks_from_the_offender_page_and_the_page_then_says_it_waits(client, charlie, offender,
                                                                                overdue_visit):
    client.force_login(charlie)
    assert "Ask to cancel or defer" in offender_page(client, offender)
    response = client.post(reverse("supervision:visit_request", args=[offender.pk]),
                           {"visit": overdue_visit.pk, "kind": "cancel", "reason": "Joint visit"}, follow=True)
    assert "a supervisor of the team or an admin decides" in response.text
    assert "waiting for a decision" in response.text and "Ask to cancel or defer" not in response.text
    assert VisitRequest.objects.get().requested_by == charlie


def test_a_deferral_without_its_date_is_refused_on_the_field(client, charlie, offender, overdue_visit):
    client.force_login(charlie)
    response = client.post(reverse("supervision:visit_request", args=[offender.pk]),
                           {"visit": overdue_visit.pk, "kind": "defer", "reason": "In hospital"})
    assert response.context["form"].errors["defer_to"] == ["Give the date the visit is deferred to."]
    assert not VisitRequest.objects.exists()


def test_the_dashboard_counts_the_requests_waiting_and_the_list_links_to_the_decision(
        client, charlie, bob, offender, overdue_visit):
    request = ask(offender, overdue_visit, charlie)
    client.force_login(bob)
    assert "1 request to cancel or defer a visit" in client.get(reverse("dashboard")).text
    listing = client.get(reverse("supervision:requests_waiting")).text
    assert reverse("supervision:decide", args=[request.pk]) in listing and "S-1" in listing


def test_a_supervisor_approves_through_the_form(client, charlie, bob, offender, overdue_visit):
    request = ask(offender, overdue_visit, charlie)
    client.force_login(bob)
    response = client.post(reverse("supervision:decide", args=[request.pk]),
                           {"decision": "approve", "note": "Fine"}, follow=True)
    assert "Cancel the visit: approved." in response.text
    overdue_visit.refresh_from_db()
    assert overdue_visit.status == VisitStatus.CANCELLED


def test_the_requester_sees_no_decision_form_and_a_post_is_refused(client, bob, offender, overdue_visit):
    request = ask(offender, overdue_visit, bob)
    client.force_login(bob)
    page = client.get(reverse("supervision:decide", args=[request.pk]))
    assert "You asked for this" in page.text and "Record the decision" not in page.text
    response = client.post(reverse("supervision:decide", args=[request.pk]), {"decision": "approve", "note": "Me"})
    assert "You asked for this" in response.text
    assert VisitRequest.objects.get().state == RequestState.PENDING


def test_an_officer_and_another_teams_supervisor_get_404(client, charlie, erin, bob, offender, overdue_visit):
    request = visit_request_make(offender=offender, visit_id=overdue_visit.pk, user=bob, kind="cancel",
                                 reason="Joint visit")
    for user in (charlie, erin):
        client.force_login(user)
        assert client.post(reverse("supervision:decide", args=[request.pk]),
                           {"decision": "approve", "note": "x"}).status_code == 404
    client.force_login(erin)
    assert "S-1" not in client.get(reverse("supervision:requests_waiting")).text
    assert VisitRequest.objects.get().state == RequestState.PENDING


def test_the_single_person_cancel_is_gone(client, bob, offender, overdue_visit):
    client.force_login(bob)
    page = offender_page(client, offender)
    assert "Cancel the open visit" not in page and "cancel-visit" not in page
