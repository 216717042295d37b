import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from offenders.models import Offender, Officer
from tests.factories import OffenderFactory, OfficerFactory, VisitFactory
from visits.models import Flag, FlagKind, Visit

pytestmark = pytest.mark.django_db


def flag(**subject) -> Flag:
    return Flag.objects.create(severity=1, raised_at=timezone.now(), **subject)


def test_a_flag_on_an_offender_who_does_not_exist_is_refused():
    with pytest.raises(IntegrityError, match="offender 987654, which does not exist"), transaction.atomic():
        flag(kind=FlagKind.MISSING_OFFENDER, offender_id=987654)
    assert not Flag.objects.exists()


def test_a_flag_on_a_visit_that_does_not_exist_is_refused():
    offender = OffenderFactory()
    with pytest.raises(IntegrityError, match="visit 987654 of offender"), transaction.atomic():
        flag(kind=FlagKind.OVERDUE_VISIT, offender=offender, visit_id=987654)


def test_a_flag_on_a_visit_must_name_the_visits_own_offender():
    visit = VisitFactory(due_on=dt.date(2016, 1, 1))
    someone_else = OffenderFactory()
    with pytest.raises(IntegrityError, match=f"visit {visit.id} of offender {someone_else.id}"), transaction.atomic():
        flag(kind=FlagKind.OVERDUE_VISIT, offender=someone_else, visit=visit)


def test_a_flag_on_an_officer_who_does_not_exist_is_refused():
    with pytest.raises(IntegrityError, match="officer 987654, which does not exist"), transaction.atomic():
        flag(kind=FlagKind.OVERLOADED_OFFICER, officer_id=987654)


def test_a_statement_raising_many_flags_is_refused_whole_if_one_subject_is_missing():
    offenders = OffenderFactory.create_batch(3)
    rows = [Flag(kind=FlagKind.MISSING_OFFENDER, offender_id=o.id, severity=5, raised_at=timezone.now())
            for o in offenders]
    rows.append(Flag(kind=FlagKind.MISSING_OFFENDER, offender_id=987654, severity=5, raised_at=timezone.now()))
    with pytest.raises(IntegrityError), transaction.atomic():
        Flag.objects.bulk_create(rows)
    assert not Flag.objects.exists()


def flagged_offender() -> Offender:
    offender = OffenderFactory()
    flag(kind=FlagKind.MISSING_OFFENDER, offender=offender)
    return offender


def flagged_officer() -> Officer:
    officer = OfficerFactory()
    flag(kind=FlagKind.OVERLOADED_OFFICER, officer=officer)
    return officer


def flagged_visit() -> Visit:
    visit = VisitFactory(due_on=dt.date(2016, 1, 1))
    flag(kind=FlagKind.OVERDUE_VISIT, offender=visit.offender, visit=visit)
    return visit


@pytest.mark.parametrize("flagged", [flagged_offender, flagged_officer, flagged_visit])
def test_a_flagged_subject_cannot_be_deleted_even_bypassing_the_application(flagged):
    subject = flagged()
    model = type(subject)
    with pytest.raises(IntegrityError, match="flags refer to it"), transaction.atomic():
        model.objects.filter(id=subject.id)._raw_delete(model.objects.db)
    assert model.objects.filter(id=subject.id).exists()


def test_an_unflagged_subject_can_still_be_deleted():
    officer = OfficerFactory()
    Officer.objects.filter(id=officer.id)._raw_delete(Officer.objects.db)
    assert not Officer.objects.filter(id=officer.id).exists()


def test_a_flag_keeps_its_subject_for_life():
    first, second = OffenderFactory.create_batch(2)
    raised = flag(kind=FlagKind.MISSING_OFFENDER, offender=first)
    with pytest.raises(IntegrityError, match="cannot change its subject"), transaction.atomic():
        Flag.objects.filter(id=raised.id).update(offender=second)
    Flag.objects.filter(id=raised.id).update(severity=5)
    assert Flag.objects.get(id=raised.id).offender_id == first.id
