"""The hourly flag job goes over the whole register once a day, and after that over what was written since its
last run, read from the change history: whoever wrote it, however, and however long their transaction ran."""

import datetime as dt

import psycopg
import pytest
import time_machine
from django.core.management import call_command
from django.db import ProgrammingError, connection, transaction
from django.test import override_settings

from tests.factories import OffenderFactory, OfficerFactory, VisitFactory
from visits import built_once, flag_changes, flags_wanted
from visits.flagging import flags_refresh, policy
from visits.models import Flag, FlagKind, FlagRun

# Every test commits as it goes, as the job and the services do: what "since the last run" means depends on it.
pytestmark = pytest.mark.django_db(transaction=True)
D = dt.date(2016, 11, 14)


@pytest.fixture(autouse=True)
def _no_margin(monkeypatch):
    """These tests write and run within a second: the watermark's second of margin would read the setting-up too."""
    monkeypatch.setattr(flag_changes, "MARGIN", dt.timedelta(0))


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def open_flags(kind):
    return Flag.objects.filter(kind=kind, cleared_at__isnull=True)


def in_sql(statement: str, params=()) -> None:
    """A write that brings no flags in line: a correction made in SQL, say."""
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as other:
        other.execute(statement, params)


def test_the_days_first_run_looks_at_the_whole_register_and_the_next_at_nothing_when_nothing_was_written():
    VisitFactory.create_batch(3, due_on=D - days(3))
    first, again = flags_refresh(as_of=D), flags_refresh(as_of=D)
    assert (first.scope, first.offenders_looked_at, first.open_by_kind["overdue_visit"]) == ("register", None, 3)
    assert (again.scope, again.offenders_looked_at, again.wrote_nothing) == ("changes", 0, True)
    assert list(FlagRun.objects.order_by("id").values_list("scope", flat=True)) == ["register", "changes"]


def test_a_visit_moved_in_sql_is_flagged_by_the_next_run_which_looks_at_its_offender_only():
    visits = VisitFactory.create_batch(3, due_on=D + days(3))
    flags_refresh(as_of=D)
    in_sql("UPDATE visits_visit SET due_on = %s WHERE id = %s", [D - days(1), visits[1].pk])
    result = flags_refresh(as_of=D)
    assert (result.scope, result.offenders_looked_at, result.raised) == ("changes", 1, 1)
    assert open_flags(FlagKind.OVERDUE_VISIT).get().visit_id == visits[1].pk


def test_a_write_begun_before_a_run_and_committed_after_it_is_looked_at_by_the_next_run():
    visit = VisitFactory(due_on=D + days(3))
    flags_refresh(as_of=D)
    with psycopg.connect(**connection.get_connection_params()) as slow_writer:
        slow_writer.execute("UPDATE visits_visit SET due_on = %s WHERE id = %s", [D - days(1), visit.pk])
        during = flags_refresh(as_of=D)  # cannot see the write yet
        slow_writer.commit()
    after = flags_refresh(as_of=D)
    assert during.raised == 0 and after.raised == 1
    assert open_flags(FlagKind.OVERDUE_VISIT).get().visit_id == visit.pk


def test_the_watermark_is_a_second_before_the_start_of_the_oldest_transaction_open(monkeypatch):
    monkeypatch.setattr(flag_changes, "MARGIN", dt.timedelta(seconds=1))
    with psycopg.connect(**connection.get_connection_params()) as other:
        began = other.execute("SELECT now()").fetchone()[0]
        with connection.cursor() as cursor:
            assert flag_changes.watermark(cursor) == began - dt.timedelta(seconds=1)


def test_a_run_that_reads_the_register_as_it_was_when_it_began_leaves_no_watermark():
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        assert flag_changes.watermark(cursor) is None
    flags_refresh(as_of=D)
    assert FlagRun.objects.get().watermark is not None


def test_a_visit_stays_with_its_offender_for_good():
    visit, other = VisitFactory(due_on=D), OffenderFactory()
    with pytest.raises(ProgrammingError, match="Cannot update rows from visits_visit"), transaction.atomic():
        type(visit).objects.filter(pk=visit.pk).update(offender=other)


def test_cases_moved_in_sql_off_an_overloaded_officer_clear_the_officers_flag(north):
    busy, quiet = OfficerFactory(team=north), OfficerFactory(team=north)
    cases = OffenderFactory.create_batch(52, officer=busy)
    flags_refresh(as_of=D)
    assert open_flags(FlagKind.OVERLOADED_OFFICER).get().officer == busy
    in_sql("UPDATE offenders_offender SET officer_id = %s WHERE id = ANY(%s)", [quiet.pk, [c.pk for c in cases[:5]]])
    result = flags_refresh(as_of=D)
    assert (result.scope, result.offenders_looked_at, result.cleared) == ("changes", 5, 1)
    assert not open_flags(FlagKind.OVERLOADED_OFFICER).exists()


def test_cases_moved_in_sql_onto_an_officer_flag_the_officer_overloaded(north):
    busy, quiet = OfficerFactory(team=north), OfficerFactory(team=north)
    cases = OffenderFactory.create_batch(52, officer=busy)
    in_sql("UPDATE offenders_offender SET officer_id = %s WHERE id = ANY(%s)", [quiet.pk, [c.pk for c in cases[:26]]])
    flags_refresh(as_of=D)
    assert not open_flags(FlagKind.OVERLOADED_OFFICER).exists()
    in_sql("UPDATE offenders_offender SET officer_id = %s WHERE id = ANY(%s)", [busy.pk, [c.pk for c in cases[:26]]])
    assert flags_refresh(as_of=D).raised == 1
    assert open_flags(FlagKind.OVERLOADED_OFFICER).get().officer == busy


def test_a_fte_changed_in_sql_is_looked_at_by_the_next_run(north):
    officer = OfficerFactory(team=north, fte=1)
    OffenderFactory.create_batch(30, officer=officer)
    flags_refresh(as_of=D)
    in_sql("UPDATE offenders_officer SET fte = 0.5 WHERE id = %s", [officer.pk])
    result = flags_refresh(as_of=D)
    assert (result.scope, result.offenders_looked_at, result.raised) == ("changes", 0, 1)


@pytest.mark.parametrize("edit", [
    "UPDATE offenders_risktier SET visit_interval_days = visit_interval_days + 1",
    "UPDATE offenders_team SET caseload_ceiling_per_fte = 20",
])
def test_a_tier_or_team_edited_in_sql_sends_the_next_run_over_the_whole_register(north, edit):
    OffenderFactory(officer=OfficerFactory(team=north))
    flags_refresh(as_of=D)
    in_sql(edit)
    assert flags_refresh(as_of=D).scope == "register"


def test_a_new_day_a_changed_setting_or_a_run_asked_for_go_over_the_whole_register():
    VisitFactory(due_on=D - days(3))
    flags_refresh(as_of=D)
    assert flags_refresh(as_of=D + days(1)).scope == "register"
    with override_settings(CASELOAD_UNSEEN_GRACE_FRACTION=0.25):
        assert flags_refresh(as_of=D + days(1)).scope == "register"
    assert flags_refresh(as_of=D + days(1), whole_register=True).scope == "register"


def test_a_run_as_of_a_day_that_has_ended_since_the_last_run_goes_over_the_whole_register():
    VisitFactory(due_on=D - days(3))
    with time_machine.travel(dt.datetime(2016, 11, 14, 23, 0, tzinfo=dt.UTC)):
        flags_refresh()
    with time_machine.travel(dt.datetime(2016, 11, 15, 0, 30, tzinfo=dt.UTC)):
        assert flags_refresh(as_of=D).scope == "register"  # the 14th is now counted as it stood at its start
        assert flags_refresh(as_of=D).scope == "changes"


def test_a_rule_changed_by_a_deploy_sends_the_next_run_over_the_whole_register(monkeypatch):
    VisitFactory(due_on=D - days(3))
    flags_refresh(as_of=D)
    before = policy()
    severer = flags_wanted.UNSEEN.replace("2 * o.interval_days", "3 * o.interval_days")
    monkeypatch.setattr(flags_wanted, "UNSEEN", severer)
    built_once.forget_built()  # a deploy starts new processes: no SQL built before it survives
    assert policy() != before
    assert flags_refresh(as_of=D).scope == "register"


def test_more_writes_than_the_limit_send_the_run_over_the_whole_register(monkeypatch):
    visits = VisitFactory.create_batch(4, due_on=D + days(3))
    flags_refresh(as_of=D)
    monkeypatch.setattr(flag_changes, "WHOLE_REGISTER_AFTER", 2)
    in_sql("UPDATE visits_visit SET due_on = %s WHERE id = ANY(%s)", [D - days(1), [v.pk for v in visits[:2]]])
    assert flags_refresh(as_of=D).scope == "changes"
    in_sql("UPDATE visits_visit SET due_on = %s WHERE id = ANY(%s)", [D - days(1), [v.pk for v in visits[2:]]])
    in_sql("UPDATE visits_visit SET notes = 'checked' WHERE id = ANY(%s)", [[v.pk for v in visits]])
    result = flags_refresh(as_of=D)
    assert (result.scope, result.raised) == ("register", 2)


def test_the_command_says_what_the_run_looked_at(capsys):
    VisitFactory(due_on=D - days(3))
    call_command("refresh_flags", "--as-of", str(D))
    call_command("refresh_flags", "--as-of", str(D))
    call_command("refresh_flags", "--as-of", str(D), "--whole-register")
    first, again, whole = capsys.readouterr().out.splitlines()
    assert first.startswith("Flags as of 2016-11-14: 2 raised") and "Open: overdue_visit 1" in first
    assert again.endswith("Looked at the 0 offenders written since the last run.")
    assert "0 raised" in whole and "Open: overdue_visit 1" in whole


def test_an_officer_who_leaves_leaves_their_cases_unallocated_until_they_come_back(north):
    officer = OfficerFactory(team=north)
    OffenderFactory.create_batch(3, officer=officer)
    flags_refresh(as_of=D)
    in_sql("UPDATE offenders_officer SET active = false WHERE id = %s", [officer.pk])
    left = flags_refresh(as_of=D)
    assert (left.scope, left.offenders_looked_at) == ("changes", 3)
    assert Flag.objects.filter(kind=FlagKind.UNALLOCATED_OFFENDER, cleared_at__isnull=True).count() == 3
    in_sql("UPDATE offenders_officer SET active = true WHERE id = %s", [officer.pk])
    back = flags_refresh(as_of=D)
    assert (back.scope, back.offenders_looked_at) == ("changes", 3)
    assert not Flag.objects.filter(kind=FlagKind.UNALLOCATED_OFFENDER, cleared_at__isnull=True).exists()
