import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from tests.factories import OffenderFactory, VisitFactory
from visits.models import VisitStatus

pytestmark = pytest.mark.django_db


def test_a_second_scheduled_visit_for_an_offender_is_refused():
    offender = OffenderFactory()
    VisitFactory(offender=offender)
    with pytest.raises(IntegrityError), transaction.atomic():
        VisitFactory(offender=offender, due_on=dt.date(2017, 1, 1))


def test_an_attempted_visit_still_counts_as_the_open_one():
    offender = OffenderFactory()
    VisitFactory(offender=offender, status=VisitStatus.ATTEMPTED)
    with pytest.raises(IntegrityError), transaction.atomic():
        VisitFactory(offender=offender)


def test_completed_visits_do_not_block_the_next_scheduled_one():
    offender = OffenderFactory()
    VisitFactory(offender=offender, status=VisitStatus.COMPLETED, completed_on=dt.date(2016, 6, 1))
    VisitFactory(offender=offender, status=VisitStatus.COMPLETED, completed_on=dt.date(2016, 9, 1))
    assert VisitFactory(offender=offender).pk


def test_a_completed_visit_without_a_date_is_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        VisitFactory(status=VisitStatus.COMPLETED, completed_on=None)


def test_a_cancelled_visit_needs_a_reason():
    with pytest.raises(IntegrityError), transaction.atomic():
        VisitFactory(status=VisitStatus.CANCELLED, cancelled_on=dt.date(2016, 9, 1), cancel_reason="")


def test_closed_on_is_the_completion_or_cancellation_date():
    done = VisitFactory(status=VisitStatus.COMPLETED, completed_on=dt.date(2016, 6, 1))
    done.refresh_from_db()
    assert done.closed_on == dt.date(2016, 6, 1)
