import datetime as dt
from decimal import Decimal

import pytest

from offenders.models import OffenderStatus
from tests.factories import OffenderFactory, OfficerFactory, VisitFactory, tier
from visits.models import VisitStatus
from visits.selectors import offenders_unseen, officer_workloads, visits_overdue

pytestmark = pytest.mark.django_db
D = dt.date(2016, 11, 14)


def completed(offender, on, due=None):
    return VisitFactory(offender=offender, status=VisitStatus.COMPLETED, completed_on=on, due_on=due or on)


def test_it_counts_a_visit_one_day_late_as_overdue(alice):
    VisitFactory(due_on=D - dt.timedelta(days=1))
    assert visits_overdue(user=alice, as_of=D).count() == 1


def test_a_visit_due_today_is_not_yet_overdue(alice):
    VisitFactory(due_on=D)
    assert visits_overdue(user=alice, as_of=D).count() == 0


def test_a_visit_completed_late_was_overdue_on_the_days_in_between(alice):
    completed(OffenderFactory(), on=dt.date(2016, 3, 1), due=dt.date(2016, 1, 1))
    assert visits_overdue(user=alice, as_of=dt.date(2016, 2, 1)).count() == 1
    assert visits_overdue(user=alice, as_of=dt.date(2016, 3, 2)).count() == 0


def test_an_offender_in_custody_is_not_counted_overdue(alice):
    VisitFactory(offender=OffenderFactory(status=OffenderStatus.CUSTODY), due_on=D - dt.timedelta(days=30))
    assert visits_overdue(user=alice, as_of=D).count() == 0


def test_an_offender_is_unseen_once_interval_and_half_again_have_passed(alice):
    offender = OffenderFactory(risk_tier=tier("high"))  # 91 days, grace 46
    completed(offender, on=D - dt.timedelta(days=137))
    assert not offenders_unseen(user=alice, as_of=D).exists()
    assert offenders_unseen(user=alice, as_of=D + dt.timedelta(days=1)).get() == offender


def test_cancelling_visits_does_not_hide_an_unseen_offender(alice):
    offender = OffenderFactory(risk_tier=tier("low"))
    completed(offender, on=D - dt.timedelta(days=600))
    VisitFactory(offender=offender, status=VisitStatus.CANCELLED, cancelled_on=D - dt.timedelta(days=60),
                 cancel_reason="Low-risk visits cancelled", due_on=D - dt.timedelta(days=200))
    assert visits_overdue(user=alice, as_of=D).count() == 0
    assert offenders_unseen(user=alice, as_of=D).get() == offender


def test_reactive_management_is_never_unseen(alice):
    offender = OffenderFactory(reactive=True)
    completed(offender, on=D - dt.timedelta(days=2000))
    assert not offenders_unseen(user=alice, as_of=D).exists()


def test_a_part_time_officer_with_120_cases_carries_240_per_fte_and_is_overloaded(alice):
    officer = OfficerFactory(fte=Decimal("0.5"))
    OffenderFactory.create_batch(120, officer=officer, risk_tier=tier("low"))
    OffenderFactory(officer=officer, status=OffenderStatus.CUSTODY)
    workload = officer_workloads(user=alice, as_of=D).get(pk=officer.pk)
    assert (workload.caseload, workload.caseload_per_fte, workload.overloaded) == (120, Decimal("240.0"), True)
    assert workload.capacity_pct == Decimal("240.0")  # 120 points / (100 x 0.5)


def test_a_supervisor_sees_only_their_teams_officers(bob, charlie, dave):
    assert list(officer_workloads(user=bob, as_of=D).values_list("staff_id", flat=True)) == ["OM100"]
