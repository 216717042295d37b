"""The flag job stops at once when the register has not changed since its last full run."""

import datetime as dt
import threading
import time

import psycopg
import pytest
from django.db import OperationalError, connection, transaction
from django.db.models import F
from django.test import override_settings

from offenders.models import Offender, Officer, RiskTier, Team
from tests.factories import OffenderFactory, OfficerFactory, TeamFactory, VisitFactory
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


# One offender's completed visits on as many days as asked, one a day from 1 January 2000, in one statement.
COMPLETED_VISITS = (
    "INSERT INTO visits_visit (offender_id, due_on, status, completed_on, kind, outcome, notes, cancel_reason,"
    " created_at, updated_at) SELECT %s, day, 'completed', day, '', '', '', '', now(), now()"
    " FROM generate_series('2000-01-01'::date, '2000-01-01'::date + %s, '1 day') day"
)


def logged_teams() -> list:
    """The teams each logged statement wrote to, oldest first (None: every team)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT teams FROM visits_registerchange ORDER BY id")
        return [sorted(teams) if teams is not None else None for (teams,) in cursor.fetchall()]


def forget_the_log() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM visits_registerchange")


def test_each_write_names_the_teams_whose_register_it_wrote_to(transactional_db):
    north, south = TeamFactory(), TeamFactory()
    north_officer, south_officer = OfficerFactory(team=north), OfficerFactory(team=south)
    offender = OffenderFactory(officer=north_officer)
    forget_the_log()
    VisitFactory(offender=offender)
    Offender.objects.filter(pk=offender.pk).update(officer=south_officer)
    Officer.objects.filter(pk=south_officer.pk).update(team=north)
    Team.objects.filter(pk=south.pk).update(name="South West")
    assert logged_teams() == [[north.pk], sorted([north.pk, south.pk]), sorted([north.pk, south.pk]), [south.pk]]


def test_writes_that_every_supervisor_sees_name_every_team(transactional_db):
    officer = OfficerFactory()
    unallocated = OffenderFactory(officer=None)
    forget_the_log()
    VisitFactory(offender=unallocated)
    RiskTier.objects.filter(pk=unallocated.risk_tier_id).update(order=F("order"))
    Offender.objects.filter(pk=unallocated.pk).update(officer=officer)  # from no team to one
    assert logged_teams() == [None, None, None]


def test_a_statement_too_large_to_place_names_every_team(transactional_db):
    offender = OffenderFactory()
    forget_the_log()
    with connection.cursor() as cursor:
        cursor.execute(
            COMPLETED_VISITS,
            [offender.pk, 5000],
        )
        cursor.execute("UPDATE visits_visit SET notes = 'seen' WHERE completed_on < '2000-01-05'")
    assert logged_teams() == [None, [offender.officer.team_id]]


def test_a_statement_that_wrote_nothing_is_not_logged(transactional_db):
    forget_the_log()
    Offender.objects.filter(pk=-1).update(postcode="")
    Team.objects.filter(pk=-1).delete()
    RiskTier.objects.filter(pk=-1).update(order=0)
    assert logged_teams() == []


def insert_a_visit(params: dict, offender_id: int) -> None:
    """A visit written as an import writes it: no lock of the offender's own."""
    with psycopg.connect(**params) as importer:
        importer.execute(COMPLETED_VISITS, [offender_id, 0])


def test_a_visit_written_while_its_officer_moves_team_is_logged_under_the_team_moved_to(transactional_db):
    north, south = TeamFactory(), TeamFactory()
    officer = OfficerFactory(team=north)
    offender = OffenderFactory(officer=officer)
    forget_the_log()
    params = connection.get_connection_params()
    with psycopg.connect(**params) as admin:
        admin.execute("UPDATE offenders_officer SET team_id = %s WHERE id = %s", [south.pk, officer.pk])
        importer = threading.Thread(target=insert_a_visit, args=(params, offender.pk))
        importer.start()
        time.sleep(0.5)
        assert importer.is_alive()  # waiting for the move
        admin.commit()
    importer.join(timeout=10)
    assert logged_teams() == [sorted([north.pk, south.pk]), [south.pk]]


def test_an_officer_cannot_move_team_while_a_visit_of_theirs_is_being_written(transactional_db):
    north, south = TeamFactory(), TeamFactory()
    officer = OfficerFactory(team=north)
    offender = OffenderFactory(officer=officer)
    with psycopg.connect(**connection.get_connection_params()) as importer:
        importer.execute(COMPLETED_VISITS, [offender.pk, 0])
        with pytest.raises(OperationalError), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '300ms'")
            Officer.objects.filter(pk=officer.pk).update(team=south)
        importer.commit()
    forget_the_log()
    Officer.objects.filter(pk=officer.pk).update(team=south)  # after the visit, whose row it then follows
    assert logged_teams() == [sorted([north.pk, south.pk])]
