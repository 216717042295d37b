import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from offenders.models import OffenderStatus
from tests.factories import OffenderFactory, VisitFactory, tier
from tests.visits.conftest import TODAY
from visits import services
from visits.models import CaseAction, Visit, VisitAttempt, VisitStatus

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]
HOME = Visit.Kind.HOME_UNANNOUNCED


@pytest.fixture
def visit(charlie):
    offender = OffenderFactory(officer=charlie.officer, risk_tier=tier("high"))
    return VisitFactory(offender=offender, due_on=dt.date(2016, 11, 20))


def log(visit, user, outcome=Visit.Outcome.SEEN, visited_on=TODAY, **extra):
    return services.visit_log(offender=visit.offender, visit_id=visit.pk, user=user, visited_on=visited_on,
                              kind=HOME, outcome=outcome, **extra)


def open_visit(offender):
    return Visit.objects.get(offender=offender, status__in=["scheduled", "attempted"])


def test_completing_a_visit_schedules_the_next_one_a_tier_interval_after_the_visit_date(visit, charlie):
    log(visit, charlie, visited_on=dt.date(2016, 11, 10))
    visit.refresh_from_db()
    assert visit.status == VisitStatus.COMPLETED
    assert visit.completed_on == dt.date(2016, 11, 10)
    assert visit.officer == charlie.officer and visit.recorded_by == charlie
    assert open_visit(visit.offender).due_on == dt.date(2016, 11, 10) + dt.timedelta(days=91)


def test_the_next_visit_uses_the_offenders_override_interval_when_there_is_one(visit, charlie):
    visit.offender.visit_interval_days = 45
    visit.offender.save()
    log(visit, charlie)
    assert open_visit(visit.offender).due_on == TODAY + dt.timedelta(days=45)


def test_a_visit_date_in_the_future_is_refused_with_a_message(visit, charlie):
    with pytest.raises(ValidationError) as error:
        log(visit, charlie, visited_on=TODAY + dt.timedelta(days=1))
    assert "15/11/2016 is in the future" in error.value.message_dict["visited_on"][0]
    visit.refresh_from_db()
    assert visit.status == VisitStatus.SCHEDULED


def test_a_visit_date_before_registration_is_refused(visit, charlie):
    with pytest.raises(ValidationError) as error:
        log(visit, charlie, visited_on=dt.date(2014, 12, 31))
    assert "before registration (01/01/2015)" in error.value.message_dict["visited_on"][0]


def test_a_visit_date_on_or_before_the_last_recorded_visit_is_refused(visit, charlie):
    VisitFactory(offender=visit.offender, status=VisitStatus.COMPLETED, completed_on=dt.date(2016, 10, 1))
    with pytest.raises(ValidationError) as error:
        log(visit, charlie, visited_on=dt.date(2016, 10, 1))
    assert "01/10/2016 is already recorded" in error.value.message_dict["visited_on"][0]


def test_no_access_records_an_attempt_and_keeps_the_visit_open(visit, charlie):
    log(visit, charlie, outcome=Visit.Outcome.NO_ACCESS, notes="Curtains drawn")
    visit.refresh_from_db()
    assert visit.status == VisitStatus.ATTEMPTED and visit.is_open
    attempt = VisitAttempt.objects.get(visit=visit)
    assert attempt.attempted_on == TODAY and attempt.notes == "Curtains drawn"
    assert Visit.objects.filter(offender=visit.offender).count() == 1


def test_a_visit_can_be_completed_after_an_attempt(visit, charlie):
    log(visit, charlie, outcome=Visit.Outcome.NO_ACCESS, visited_on=dt.date(2016, 11, 12))
    log(visit, charlie)
    visit.refresh_from_db()
    assert visit.status == VisitStatus.COMPLETED and visit.attempts.count() == 1


def test_no_longer_at_address_makes_the_offender_missing_and_raises_it_for_the_supervisor(visit, charlie):
    log(visit, charlie, outcome=Visit.Outcome.MOVED, notes="New tenant at the door")
    offender = visit.offender
    offender.refresh_from_db()
    assert offender.status == OffenderStatus.MISSING
    visit.refresh_from_db()
    assert visit.status == VisitStatus.CANCELLED and visit.cancel_reason == "Suspended: missing"
    raised = CaseAction.objects.get(offender=offender, kind=CaseAction.Kind.ADDRESS_LEFT)
    assert raised.needs_review and raised.user == charlie and "New tenant" in raised.reason
    assert CaseAction.objects.filter(offender=offender, kind=CaseAction.Kind.STATUS_CHANGED).exists()
    assert not Visit.objects.filter(offender=offender, status__in=["scheduled", "attempted"]).exists()


def test_no_longer_at_address_with_a_new_address_keeps_the_offender_in_the_community(visit, charlie):
    log(visit, charlie, outcome=Visit.Outcome.MOVED, new_address="2 New Street, Chelmsford", new_postcode="cm1 1aa")
    offender = visit.offender
    offender.refresh_from_db()
    assert offender.status == OffenderStatus.COMMUNITY
    assert offender.address == "2 New Street, Chelmsford" and offender.postcode == "CM1 1AA"
    assert open_visit(offender).pk == visit.pk
    assert CaseAction.objects.get(offender=offender).needs_review


def test_a_visit_already_logged_by_someone_else_is_refused_with_who_did_it(visit, charlie, bob):
    log(visit, bob)
    with pytest.raises(ValidationError) as error:
        log(visit, charlie)
    assert error.value.code == "conflict"
    assert "already logged by bob" in error.value.messages[0]
    assert Visit.objects.filter(offender=visit.offender, status=VisitStatus.COMPLETED).count() == 1


def test_a_visit_to_an_offender_on_reactive_management_is_logged_without_scheduling_another(charlie):
    offender = OffenderFactory(officer=charlie.officer, risk_tier=tier("low"), reactive=True)
    services.visit_log(offender=offender, visit_id=None, user=charlie, visited_on=TODAY, kind=HOME,
                       outcome=Visit.Outcome.SEEN)
    assert Visit.objects.get(offender=offender).status == VisitStatus.COMPLETED
    assert not Visit.objects.filter(offender=offender, status="scheduled").exists()


def test_no_access_needs_an_open_visit(charlie):
    offender = OffenderFactory(officer=charlie.officer)
    with pytest.raises(ValidationError, match="no open visit"):
        services.visit_log(offender=offender, visit_id=None, user=charlie, visited_on=TODAY, kind=HOME,
                           outcome=Visit.Outcome.NO_ACCESS)


def test_an_offender_no_longer_at_the_address_is_raised_for_the_supervisor(visit, charlie):
    log(visit, charlie, outcome=Visit.Outcome.MOVED)
    action = CaseAction.objects.get(offender=visit.offender, kind=CaseAction.Kind.ADDRESS_LEFT)
    assert action.needs_review
