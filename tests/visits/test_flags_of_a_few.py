"""A write's few offenders and officers have their flags brought in line by one statement, prepared on the
connection and planned once; more go through the working table, planned for their number. The two agree."""

import datetime as dt
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, transaction

from offenders.models import OffenderStatus
from tests.factories import OffenderFactory, OfficerFactory, VisitFactory, tier
from tests.visits.conftest import TODAY
from visits import flagging
from visits.flagging import flags_refresh_for
from visits.models import Flag

pytestmark = pytest.mark.django_db


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def open_flags() -> list[tuple]:
    return sorted(Flag.objects.filter(cleared_at__isnull=True).values_list(
        "kind", "offender_id", "officer_id", "visit_id", "severity", "details"))


@pytest.fixture
def a_unit(frozen, north) -> tuple[list[int], list[int]]:
    """Offenders of every state a write can leave, an overloaded part-timer among their officers: their ids."""
    part_timer = OfficerFactory(team=north, fte=0.5)
    cases = OffenderFactory.create_batch(26, officer=part_timer, registered_on=dt.date(2010, 1, 1))
    VisitFactory(offender=cases[0], due_on=TODAY - days(3))
    VisitFactory(offender=cases[1], due_on=TODAY - days(200), status="completed", completed_on=TODAY - days(200))
    cases += [OffenderFactory(status=OffenderStatus.MISSING), OffenderFactory(officer=None, risk_tier=tier("high"))]
    return [case.pk for case in cases], [part_timer.pk]


def brought_in_line(offenders: list[int], officers: list[int]) -> list[tuple]:
    Flag.objects.all().delete()
    flags_refresh_for(offenders=offenders, officers=officers)
    return open_flags()


def test_a_few_subjects_get_the_flags_the_working_table_gives_them(a_unit, monkeypatch):
    in_one_statement = brought_in_line(*a_unit)
    monkeypatch.setattr(flagging, "FEW", 0)
    assert brought_in_line(*a_unit) == in_one_statement
    assert {kind for kind, *_ in in_one_statement} == {
        "overdue_visit", "unseen_offender", "missing_offender", "unallocated_offender", "overloaded_officer"}


def test_a_second_run_over_the_same_few_writes_nothing(a_unit):
    offenders, officers = a_unit
    flags_refresh_for(offenders=offenders, officers=officers)
    before = list(Flag.objects.order_by("pk").values_list("pk", "severity", "details", "cleared_at"))
    flags_refresh_for(offenders=offenders, officers=officers)
    assert list(Flag.objects.order_by("pk").values_list("pk", "severity", "details", "cleared_at")) == before


def test_the_statement_is_prepared_once_and_planned_once_for_every_write_of_its_shape(a_unit):
    offenders, officers = a_unit
    for offender in offenders[:4]:
        flags_refresh_for(offenders=[offender], officers=officers)
    with connection.cursor() as cursor:
        cursor.execute("SELECT generic_plans, custom_plans FROM pg_prepared_statements"
                       " WHERE statement LIKE '%%flag_wanted%%'")
        assert cursor.fetchall() == [(4, 0)]


def test_without_prepared_statements_the_flags_come_out_the_same(a_unit):
    prepared = brought_in_line(*a_unit)
    threshold, connection.connection.prepare_threshold = connection.connection.prepare_threshold, None
    try:  # as behind a pooler that does not carry prepared statements
        assert brought_in_line(*a_unit) == prepared
    finally:
        connection.connection.prepare_threshold = threshold


@pytest.mark.parametrize("few", [flagging.FEW, 0], ids=["in one statement", "through the working table"])
def test_two_writes_on_one_overloaded_officers_cases_at_once_raise_the_overload_once(transactional_db, north,
                                                                                       monkeypatch, few):
    """Each write reads the open flags before the other commits: the second finds the overload raised as it inserts,
    and leaves it (the hourly job reads both writes again)."""
    monkeypatch.setattr(flagging, "FEW", few)
    part_timer = OfficerFactory(team=north, fte=0.5)
    first, second, *_ = OffenderFactory.create_batch(26, officer=part_timer)
    barrier = threading.Barrier(2)

    def write(offender):
        try:
            with transaction.atomic():
                barrier.wait(timeout=10)
                flags_refresh_for(offenders=[offender.pk], officers=[part_timer.pk])
                time.sleep(0.5)  # the write's transaction goes on: the other write reads before this one commits
            return None
        except Exception as error:  # noqa: BLE001 (the test inspects whatever happened)
            return error
        finally:
            connection.close()

    with ThreadPoolExecutor(2) as pool:
        outcomes = list(pool.map(write, [first, second]))
    assert outcomes == [None, None]
    assert Flag.objects.filter(kind="overloaded_officer", officer=part_timer, cleared_at__isnull=True).count() == 1
