"""Cancelling or deferring a visit takes two people: one asks, a supervisor of the team or an admin who did not ask
decides. Until then the visit stays open and overdue; once approved, both names are in the case's actions."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from supervision.models import RequestState, VisitRequest
from supervision.services import visit_request_decide, visit_request_make
from tests.visits.conftest import TODAY
from visits import rules, services
from visits.models import CaseAction, Visit, VisitStatus

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]
D = dt.date


def ask(offender, visit, user, kind="cancel", **extra):
    return visit_request_make(offender=offender, visit_id=visit.pk, user=user, kind=kind,
                              reason=extra.pop("reason", "Moved to a joint visit with the council"), **extra)


def decide(request, user, approve=True, note="Agreed"):
    return visit_request_decide(request=request, user=user, approve=approve, note=note)


def overdue_today(offender) -> bool:
    return Visit.objects.filter(rules.overdue_on(TODAY), offender=offender).exists()


def test_an_officers_request_leaves_the_visit_open_and_overdue_until_it_is_approved(offender, overdue_visit, charlie):
    request = ask(offender, overdue_visit, charlie)
    overdue_visit.refresh_from_db()
    assert request.state == RequestState.PENDING and overdue_visit.status == VisitStatus.SCHEDULED
    assert overdue_today(offender)
    action = CaseAction.objects.get(offender=offender)
    assert (action.kind, action.user) == (CaseAction.Kind.REQUEST_MADE, charlie)


def test_an_approved_cancellation_closes_the_visit_with_both_names_in_the_cases_actions(
        offender, overdue_visit, charlie, bob):
    request = decide(ask(offender, overdue_visit, charlie), bob, note="Seen at the joint visit instead")
    overdue_visit.refresh_from_db()
    assert request.state == RequestState.APPROVED and request.decided_by == bob
    assert (overdue_visit.status, overdue_visit.cancelled_by, overdue_visit.cancelled_on) == (
        VisitStatus.CANCELLED, bob, TODAY)
    cancelled = CaseAction.objects.get(offender=offender, kind=CaseAction.Kind.VISIT_CANCELLED)
    assert cancelled.user == bob and cancelled.after["asked_by"] == "charlie"
    assert "asked by charlie" in cancelled.reason and "Seen at the joint visit instead" in cancelled.reason
    assert not Visit.objects.filter(offender=offender, status__in=["scheduled", "attempted"]).exists()


def test_a_requester_can_never_approve_their_own_request(offender, overdue_visit, bob):
    request = ask(offender, overdue_visit, bob)
    with pytest.raises(ValidationError, match="You asked for this"):
        decide(request, bob)
    with pytest.raises(IntegrityError), transaction.atomic():
        VisitRequest.objects.filter(pk=request.pk).update(state=RequestState.APPROVED, decided_by=bob,
                                                          decided_at=request.requested_at)
    assert VisitRequest.objects.get(pk=request.pk).state == RequestState.PENDING


def test_an_officer_cannot_decide_a_request(offender, overdue_visit, bob, charlie):
    with pytest.raises(ValidationError, match="Only a supervisor"):
        decide(ask(offender, overdue_visit, bob), charlie)


def test_an_admin_may_decide_a_supervisors_request(offender, overdue_visit, bob, alice):
    assert decide(ask(offender, overdue_visit, bob), alice).state == RequestState.APPROVED


def test_a_rejection_needs_a_note_and_leaves_the_visit_open(offender, overdue_visit, charlie, bob):
    request = ask(offender, overdue_visit, charlie)
    with pytest.raises(ValidationError) as error:
        decide(request, bob, approve=False, note=" ")
    assert "note" in error.value.message_dict
    request = decide(request, bob, approve=False, note="Visit it this week: tier low is no excuse")
    overdue_visit.refresh_from_db()
    assert request.state == RequestState.REJECTED and overdue_visit.status == VisitStatus.SCHEDULED
    assert CaseAction.objects.filter(offender=offender, kind=CaseAction.Kind.REQUEST_REJECTED, user=bob).exists()


def test_a_decided_request_cannot_be_decided_again(offender, overdue_visit, charlie, bob, beth):
    request = decide(ask(offender, overdue_visit, charlie), bob)
    with pytest.raises(ValidationError, match="already approved by bob"):
        decide(request, beth, approve=False)


def test_one_request_at_a_time_waits_for_a_visit(offender, overdue_visit, charlie, bob):
    ask(offender, overdue_visit, charlie)
    with pytest.raises(ValidationError, match="already asked for by charlie"):
        ask(offender, overdue_visit, bob, kind="defer", defer_to=D(2016, 12, 1))


def test_an_approved_deferral_keeps_the_days_the_visit_was_overdue_and_opens_one_due_on_the_new_date(
        offender, overdue_visit, charlie, bob):
    decide(ask(offender, overdue_visit, charlie, kind="defer", defer_to=D(2016, 12, 1), reason="In hospital"), bob)
    overdue_visit.refresh_from_db()
    deferred = Visit.objects.get(offender=offender, status=VisitStatus.SCHEDULED)
    assert deferred.due_on == D(2016, 12, 1) and overdue_visit.status == VisitStatus.CANCELLED
    assert "Deferred to 01/12/2016" in overdue_visit.cancel_reason
    assert Visit.objects.filter(rules.overdue_on(D(2016, 11, 1)), offender=offender).exists()  # a month ago: overdue
    assert not overdue_today(offender)
    action = CaseAction.objects.get(offender=offender, kind=CaseAction.Kind.VISIT_DEFERRED)
    assert (action.before, action.after["due_on"], action.after["approved_by"]) == (
        {"due_on": "2016-10-01"}, "2016-12-01", "bob")


@pytest.mark.parametrize("defer_to", [None, D(2016, 9, 1), D(2016, 11, 13)])
def test_a_deferral_needs_a_date_after_the_due_date_and_not_before_today(offender, overdue_visit, charlie, defer_to):
    with pytest.raises(ValidationError) as error:
        ask(offender, overdue_visit, charlie, kind="defer", defer_to=defer_to)
    assert "defer_to" in error.value.message_dict
    assert not VisitRequest.objects.exists()


def test_a_request_whose_visit_was_logged_meanwhile_lapses_when_decided(offender, overdue_visit, charlie, bob):
    request = ask(offender, overdue_visit, charlie)
    services.visit_complete(offender=offender, visit_id=overdue_visit.pk, user=charlie, visited_on=TODAY,
                            kind=Visit.Kind.HOME_UNANNOUNCED)
    request = decide(request, bob)
    assert request.state == RequestState.LAPSED and request.decided_by is None
    assert Visit.objects.get(pk=overdue_visit.pk).status == VisitStatus.COMPLETED


def test_a_request_needs_a_reason_and_an_open_visit(offender, overdue_visit, charlie):
    with pytest.raises(ValidationError) as error:
        ask(offender, overdue_visit, charlie, reason="  ")
    assert "reason" in error.value.message_dict
    Visit.objects.filter(pk=overdue_visit.pk).update(status=VisitStatus.CANCELLED, cancelled_on=TODAY,
                                                    cancel_reason="Custody", cancelled_by=charlie)
    with pytest.raises(ValidationError, match="has no open visit"):
        visit_request_make(offender=offender, visit_id=None, user=charlie, kind="cancel", reason="Gone")


@pytest.mark.parametrize("attempt", range(3))
def test_two_supervisors_approving_the_same_request_at_once_give_one_decision(
        transactional_db, offender, overdue_visit, charlie, bob, beth, alice, attempt):
    from tests.visits.test_concurrency import race

    request = ask(offender, overdue_visit, charlie)
    results = race(lambda: decide(request, bob, note="Agreed by bob"), lambda: decide(request, beth, note="Agreed"))

    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(refused) == 1 and "already approved" in refused[0].messages[0], results
    assert VisitRequest.objects.get(pk=request.pk).state == RequestState.APPROVED
    assert CaseAction.objects.filter(offender=offender, kind=CaseAction.Kind.VISIT_CANCELLED).count() == 1
    assert Visit.objects.filter(offender=offender, status=VisitStatus.CANCELLED).count() == 1
