"""The flag job stops at once when the register has not changed since its last full run."""

import datetime as dt

import psycopg
import pytest
from django.db import connection
from django.test import override_settings

from tests.factories import VisitFactory
from visits.flagging import flags_refresh
from visits.models import Flag, FlagKind, FlagRun

D = dt.date(2016, 11, 14)


@pytest.fixture
def late_visit(transactional_db):
    return VisitFactory(due_on=D - dt.timedelta(days=3))


def change_log_size() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM visits_registerchange")
        return cursor.fetchone()[0]


def overdue_flag():
    return Flag.objects.get(kind=FlagKind.OVERDUE_VISIT)


def test_an_unchanged_register_is_not_recomputed_and_nothing_is_written(late_visit):
    first = flags_refresh(as_of=D)
    assert not first.unchanged and first.raised
    assert change_log_size() == 0  # what the run took into account is forgotten
    again = flags_refresh(as_of=D)
    assert again.unchanged and again.wrote_nothing
    assert again.open_by_kind["overdue_visit"] == 1
    assert FlagRun.objects.count() == 1


def test_a_change_after_a_run_is_picked_up_by_the_next(late_visit):
    flags_refresh(as_of=D)
    late_visit.status, late_visit.completed_on = "completed", D - dt.timedelta(days=1)
    late_visit.save()
    result = flags_refresh(as_of=D)
    assert not result.unchanged and overdue_flag().cleared_at is not None


def test_a_change_still_uncommitted_while_a_run_reads_is_picked_up_by_the_next(late_visit):
    with psycopg.connect(**connection.get_connection_params()) as officer_recording:
        officer_recording.execute(
            "UPDATE visits_visit SET status = 'completed', completed_on = %s WHERE id = %s",
            [D - dt.timedelta(days=1), late_visit.pk],
        )
        flags_refresh(as_of=D)  # cannot see the completion yet
        assert overdue_flag().cleared_at is None
        officer_recording.commit()
    result = flags_refresh(as_of=D)
    assert not result.unchanged and overdue_flag().cleared_at is not None


def test_another_day_or_another_grace_or_force_means_a_full_run(late_visit):
    flags_refresh(as_of=D)
    assert not flags_refresh(as_of=D + dt.timedelta(days=1)).unchanged
    with override_settings(CASELOAD_UNSEEN_GRACE_FRACTION=0.25):
        assert not flags_refresh(as_of=D + dt.timedelta(days=1)).unchanged
    assert not flags_refresh(as_of=D + dt.timedelta(days=1), force=True).unchanged
