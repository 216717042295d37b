"""SQL built once a day per shape gives what building it afresh gives, with each call's own ids, and is built again
on a new day or when a setting changes."""

import datetime as dt

import pytest
import time_machine

from notifications.models import CivilOrder, OrderKind
from notifications.selectors import falling_due_sql, offenders_as_their_page_shows_them, orders_as_a_page_shows_them
from tests.factories import OffenderFactory
from visits.built_once import built_once
from visits.selectors import caseload_of_the_day, workloads_of_the_day
from visits.views import offenders_as_the_page_shows_them

pytestmark = pytest.mark.django_db
D = dt.date(2016, 11, 14)
built = []


@built_once("offenders")
def counted(start: dt.date, *, offenders: list[int] | None) -> tuple[str, list]:
    built.append(start)
    return "SELECT count(*) FROM t WHERE day = %s AND id = ANY(%s)", [start, offenders]


def as_built_afresh(start: dt.date, offenders: list[int]) -> tuple[str, list]:
    sql, params = falling_due_sql.afresh(start, start + dt.timedelta(days=14), offenders=offenders)
    return sql, list(params)


@pytest.mark.parametrize("offenders", [[1], [5, 6, 7], [2, 4]])
def test_the_fortnights_sql_built_once_is_the_sql_built_afresh(offenders):
    for _ in range(2):
        assert falling_due_sql(D, D + dt.timedelta(days=14), offenders=offenders) == as_built_afresh(D, offenders)


def test_each_call_gets_its_own_ids_and_the_sql_is_built_once():
    built.clear()
    assert counted(D, offenders=[1, 2])[1] == [D, [1, 2]]
    assert counted(D, offenders=[30])[1] == [D, [30]]
    assert built == [D]


def test_no_ids_and_an_empty_list_are_shapes_of_their_own():
    built.clear()
    assert counted(D, offenders=None)[1] == [D, None]
    assert counted(D, offenders=[])[1] == [D, []]
    assert counted(D, offenders=[9])[1] == [D, [9]]
    assert len(built) == 3


def test_a_new_day_builds_again():
    built.clear()
    with time_machine.travel(dt.datetime(2016, 11, 14, 12, tzinfo=dt.UTC), tick=False):
        counted(D, offenders=[1])
    with time_machine.travel(dt.datetime(2016, 11, 15, 12, tzinfo=dt.UTC), tick=False):
        counted(D, offenders=[1])
    assert len(built) == 2


KEPT_FOR_THE_DAY = [caseload_of_the_day, offenders_as_their_page_shows_them, offenders_as_the_page_shows_them,
                    orders_as_a_page_shows_them, workloads_of_the_day]


@pytest.mark.parametrize("kept", KEPT_FOR_THE_DAY)
def test_a_queryset_kept_for_the_day_is_the_one_built_afresh_and_each_use_gets_its_own_clone(kept):
    for offender in OffenderFactory.create_batch(2):
        CivilOrder.objects.create(offender=offender, kind=OrderKind.SHPO, starts_on=D)
    first = kept()
    assert str(first.query) == str(kept.afresh().query)
    narrowed = first.filter(pk=first[0].pk)
    assert (narrowed.count(), kept().count()) == (1, 2)


@pytest.mark.parametrize("kept", KEPT_FOR_THE_DAY)
def test_a_queryset_kept_for_the_day_counts_from_a_new_day_on_that_day(kept):
    with time_machine.travel(dt.datetime(2016, 11, 14, 12, tzinfo=dt.UTC), tick=False):
        monday = str(kept().query)
    with time_machine.travel(dt.datetime(2016, 11, 15, 12, tzinfo=dt.UTC), tick=False):
        tuesday = str(kept().query)
        assert tuesday == str(kept.afresh().query) != monday
