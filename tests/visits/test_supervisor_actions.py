import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import override_settings

from offenders.models import OffenderStatus, RiskAssessment
from tests.factories import OffenderFactory, OfficerFactory, VisitFactory, tier
from tests.visits.conftest import TODAY
from visits import services
from visits.models import CaseAction, Visit, VisitStatus

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def offender(charlie):
    return OffenderFactory(officer=charlie.officer, risk_tier=tier("medium"))


def open_visit(offender):
    return Visit.objects.filter(offender=offender, status__in=["scheduled", "attempted"]).first()


def test_every_action_needs_a_reason(offender, bob):
    with pytest.raises(ValidationError) as error:
        services.offender_change_status(offender=offender, status=OffenderStatus.CUSTODY, user=bob, reason="  ")
    assert "reason is recorded" in error.value.message_dict["reason"][0]


def test_a_case_action_can_never_be_changed_or_deleted(offender, bob):
    services.offender_change_status(offender=offender, status=OffenderStatus.CUSTODY, user=bob, reason="Remanded")
    action = CaseAction.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseAction.objects.filter(pk=action.pk).delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseAction.objects.filter(pk=action.pk).update(reason="Nothing to see")


def test_raising_the_tier_records_an_assessment_and_brings_the_open_visit_forward(offender, bob):
    VisitFactory(offender=offender, status=VisitStatus.COMPLETED, completed_on=dt.date(2016, 9, 1))
    visit = VisitFactory(offender=offender, due_on=dt.date(2017, 3, 2))
    services.offender_change_tier(offender=offender, risk_tier=tier("very_high"), user=bob, reason="New intelligence")
    offender.refresh_from_db()
    assert offender.risk_tier == tier("very_high")
    assessment = RiskAssessment.objects.get(offender=offender)
    assert (assessment.assessor, assessment.assessed_on, assessment.risk_tier) == (bob, TODAY, tier("very_high"))
    visit.refresh_from_db()
    assert visit.due_on == dt.date(2016, 10, 1)  # 30 days after the last visit: now overdue
    action = CaseAction.objects.get(offender=offender, kind=CaseAction.Kind.TIER_CHANGED)
    assert action.before == {"risk_tier": "medium", "due_on": "2017-03-02"}
    assert action.after == {"risk_tier": "very_high", "due_on": "2016-10-01"}


def test_lowering_the_tier_never_moves_the_open_visit_later(offender, bob):
    visit = VisitFactory(offender=offender, due_on=dt.date(2016, 12, 1))
    services.offender_change_tier(offender=offender, risk_tier=tier("low"), user=bob, reason="Two years compliant")
    visit.refresh_from_db()
    assert visit.due_on == dt.date(2016, 12, 1)


def test_raising_the_tier_leaves_a_visit_that_is_already_soon_enough(offender, bob):
    visit = VisitFactory(offender=offender, due_on=dt.date(2016, 11, 20))
    services.offender_change_tier(offender=offender, risk_tier=tier("high"), user=bob, reason="Review")
    visit.refresh_from_db()
    assert visit.due_on == dt.date(2016, 11, 20)


def test_an_override_interval_keeps_the_visit_where_it_is_when_the_tier_rises(offender, bob):
    offender.visit_interval_days = 60
    offender.save()
    visit = VisitFactory(offender=offender, due_on=dt.date(2017, 1, 10))
    services.offender_change_tier(offender=offender, risk_tier=tier("high"), user=bob, reason="Review")
    visit.refresh_from_db()
    assert visit.due_on == dt.date(2017, 1, 10)


def test_changing_to_the_same_tier_is_refused(offender, bob):
    with pytest.raises(ValidationError, match="already this offender's tier"):
        services.offender_change_tier(offender=offender, risk_tier=tier("medium"), user=bob, reason="Review")


@pytest.mark.parametrize("status", ["custody", "hospital", "abroad", "missing"])
def test_a_status_away_from_the_community_suspends_scheduling(offender, bob, status):
    visit = VisitFactory(offender=offender)
    services.offender_change_status(offender=offender, status=status, user=bob, reason="Notified")
    visit.refresh_from_db()
    assert visit.status == VisitStatus.CANCELLED and visit.cancel_reason == f"Suspended: {status}"
    assert visit.cancelled_by == bob
    action = CaseAction.objects.get(offender=offender)
    assert (action.before, action.after) == ({"status": "community"}, {"status": status})


def test_returning_to_the_community_schedules_the_first_visit_within_14_days(offender, bob):
    offender.status = OffenderStatus.CUSTODY
    offender.save()
    services.offender_change_status(offender=offender, status="community", user=bob, reason="Released")
    assert open_visit(offender).due_on == TODAY + dt.timedelta(days=14)


@override_settings(CASELOAD_INITIAL_VISIT_DAYS=3)
def test_the_first_visit_allowance_is_configurable(offender, bob):
    offender.status = OffenderStatus.HOSPITAL
    offender.save()
    services.offender_change_status(offender=offender, status="community", user=bob, reason="Discharged")
    assert open_visit(offender).due_on == TODAY + dt.timedelta(days=3)


def test_a_death_ends_scheduling(offender, bob):
    VisitFactory(offender=offender)
    services.offender_change_status(offender=offender, status="deceased", user=bob, reason="Coroner's notice")
    assert Visit.objects.get(offender=offender).cancel_reason == "Ended: deceased"


def test_putting_a_low_risk_offender_on_reactive_management_cancels_visits(bob, charlie):
    offender = OffenderFactory(officer=charlie.officer, risk_tier=tier("low"))
    visit = VisitFactory(offender=offender)
    services.offender_set_reactive(offender=offender, reactive=True, user=bob, reason="Criteria met")
    offender.refresh_from_db()
    assert offender.reactive
    visit.refresh_from_db()
    assert visit.status == VisitStatus.CANCELLED and visit.cancel_reason == "Reactive management"


def test_only_low_risk_offenders_go_on_reactive_management(offender, bob):
    with pytest.raises(ValidationError, match="Only low-risk offenders"):
        services.offender_set_reactive(offender=offender, reactive=True, user=bob, reason="Criteria met")


def test_coming_off_reactive_management_schedules_the_first_visit(bob, charlie):
    offender = OffenderFactory(officer=charlie.officer, risk_tier=tier("low"), reactive=True)
    services.offender_set_reactive(offender=offender, reactive=False, user=bob, reason="Intelligence received")
    offender.refresh_from_db()
    assert not offender.reactive
    assert open_visit(offender).due_on == TODAY + dt.timedelta(days=14)


def test_raising_the_tier_of_a_reactive_offender_puts_them_back_on_visits(bob, charlie):
    offender = OffenderFactory(officer=charlie.officer, risk_tier=tier("low"), reactive=True)
    services.offender_change_tier(offender=offender, risk_tier=tier("high"), user=bob, reason="Breach")
    offender.refresh_from_db()
    assert not offender.reactive
    assert open_visit(offender).due_on == TODAY + dt.timedelta(days=14)


def test_reassigning_moves_the_case_and_its_open_visit(offender, bob, north):
    visit = VisitFactory(offender=offender)
    erin = OfficerFactory(staff_id="OM101", team=north)
    services.offender_reassign(offender=offender, officer=erin, user=bob, reason="Balancing caseloads")
    offender.refresh_from_db()
    visit.refresh_from_db()
    assert offender.officer == erin and visit.officer == erin
    action = CaseAction.objects.get(offender=offender)
    assert (action.before, action.after) == ({"officer": "OM100"}, {"officer": "OM101"})


def test_an_inactive_officer_gets_no_new_cases(offender, bob, north):
    gone = OfficerFactory(staff_id="OM102", team=north, active=False)
    with pytest.raises(ValidationError, match="inactive"):
        services.offender_reassign(offender=offender, officer=gone, user=bob, reason="Balancing")
    offender.refresh_from_db()
    assert offender.officer.staff_id == "OM100"


def test_an_action_says_in_a_line_what_changed(offender, bob):
    services.offender_change_status(offender=offender, status="custody", user=bob, reason="Remanded")
    assert CaseAction.objects.get().change == "status: community → custody"
