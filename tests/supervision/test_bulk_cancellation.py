"""Bulk cancellation shows its cost before anyone else is asked, and takes a second person: Essex's September 2016
decision (every low-risk visit outstanding cancelled), replayed on the inspection's register."""

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command

from caseload.dashboards.filters import OverdueFilter
from caseload.dashboards.selectors import overdue_visits
from offenders.roles import Role
from supervision.batches import batch_cost, batch_decide, batch_propose, shown_token
from supervision.models import CancellationBatch, RequestState
from tests.essex import AS_OF, load_essex
from tests.factories import UserFactory, tier
from visits.models import CaseAction, Visit, VisitStatus
from visits.selectors import offenders_unseen, visits_overdue

pytestmark = pytest.mark.django_db


@pytest.fixture
def essex(alice):
    with time_machine.travel(dt.datetime(2016, 11, 14, 9, 0, tzinfo=ZoneInfo("Europe/London")), tick=False):
        load_essex()
        call_command("refresh_flags", stdout=StringIO())
        yield


@pytest.fixture
def amir(db):
    """A second admin: the second person for a batch across every team."""
    return UserFactory(username="amir", role=Role.ADMIN, is_staff=True)


def low_risk_overdue(user):
    return OverdueFilter({"tier": tier("low").pk}, queryset=overdue_visits(user=user)).qs


def propose(user, reason="Low risk: resources to the high-risk cases"):
    overdue = low_risk_overdue(user)
    return batch_propose(user=user, overdue=overdue, filters={"tier": "low"}, reason=reason,
                         shown=shown_token(overdue))


def test_the_cost_shows_the_visits_by_tier_and_who_would_become_unseen(essex, alice):
    cost = batch_cost(low_risk_overdue(alice), AS_OF)
    low_overdue = visits_overdue(user=alice).filter(offender__risk_tier=tier("low")).count()
    assert cost["visits"] == low_overdue > 0 and cost["by_tier"] == {"Low": low_overdue}
    unseen_now, within_30, within_90 = cost["unseen_now"], cost["unseen_within"]["30"], cost["unseen_within"]["90"]
    assert unseen_now <= within_30 <= within_90 <= low_overdue
    assert within_90 > unseen_now  # not making these visits costs more unseen offenders as time goes on


def test_an_approved_batch_lowers_the_overdue_count_by_its_size_and_leaves_the_unseen_count(essex, alice, amir):
    overdue_before, unseen_before = visits_overdue(user=alice).count(), offenders_unseen(user=alice).count()
    batch = propose(alice)
    assert batch.state == RequestState.PENDING and visits_overdue(user=alice).count() == overdue_before
    batch = batch_decide(batch=batch, user=amir, approve=True, note="Agreed for six months")
    assert batch.cancelled == batch.cost["visits"] == batch.items.count()
    assert visits_overdue(user=alice).count() == overdue_before - batch.cancelled
    assert offenders_unseen(user=alice).count() == unseen_before
    assert not low_risk_overdue(alice).exists()  # the flags came in line with the cancellation
    actions = CaseAction.objects.filter(kind=CaseAction.Kind.VISIT_CANCELLED, after__batch=batch.pk)
    assert actions.count() == batch.cancelled
    assert {(a.after["asked_by"], a.after["approved_by"]) for a in actions} == {("alice", "amir")}


def test_the_proposer_cannot_approve_their_own_batch(essex, alice):
    batch = propose(alice)
    with pytest.raises(ValidationError, match="You asked for this"):
        batch_decide(batch=batch, user=alice, approve=True, note="Me again")
    assert CancellationBatch.objects.get().state == RequestState.PENDING


def test_a_supervisor_cannot_approve_a_batch_holding_another_teams_cases(essex, alice, bob):
    with pytest.raises(ValidationError, match="outside your teams"):
        batch_decide(batch=propose(alice), user=bob, approve=True, note="Agreed")


def test_a_batch_proposed_from_figures_that_changed_meanwhile_is_refused(essex, alice):
    overdue = low_risk_overdue(alice)
    shown = shown_token(overdue)
    visit = Visit.objects.filter(pk=overdue.first().visit_id)
    visit.update(status=VisitStatus.COMPLETED, completed_on=AS_OF - dt.timedelta(days=1))
    call_command("refresh_flags", stdout=StringIO())
    with pytest.raises(ValidationError, match="changed since the figures were shown"):
        batch_propose(user=alice, overdue=low_risk_overdue(alice), filters={}, reason="x", shown=shown)
    assert not CancellationBatch.objects.exists()


def test_a_visit_logged_after_the_proposal_is_left_out_of_the_cancellation(essex, alice, amir):
    batch = propose(alice)
    logged = batch.items.first().visit
    Visit.objects.filter(pk=logged.pk).update(status=VisitStatus.COMPLETED, completed_on=AS_OF)
    batch = batch_decide(batch=batch, user=amir, approve=True, note="Agreed")
    assert batch.cancelled == batch.cost["visits"] - 1
    assert Visit.objects.get(pk=logged.pk).status == VisitStatus.COMPLETED


def test_a_rejected_batch_cancels_nothing(essex, alice, amir):
    batch = batch_decide(batch=propose(alice), user=amir, approve=False, note="No: these are statutory visits")
    assert batch.state == RequestState.REJECTED and batch.cancelled is None
    assert not Visit.objects.filter(status=VisitStatus.CANCELLED, cancel_reason__startswith="Bulk").exists()
