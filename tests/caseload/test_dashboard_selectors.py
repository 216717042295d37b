import datetime as dt

import pytest

from caseload.dashboards.selectors import (
    figures_compared,
    months_before,
    overdue_trend,
    overdue_visits,
    team_workloads,
    unallocated_offenders,
    year_before,
)
from tests.essex import AS_OF, load_essex
from tests.factories import OffenderFactory, VisitFactory, tier
from visits.models import VisitStatus

pytestmark = pytest.mark.django_db
D = dt.date(2016, 11, 14)


@pytest.fixture
def essex(db):
    return load_essex()


def test_it_shows_the_essex_figures_and_the_year_before(alice, essex):
    figures = figures_compared(user=alice, as_of=AS_OF)
    assert figures["now"]["offenders_in_community"] == 1297
    assert figures["now"]["overdue_visits"] == 400
    assert figures["now"]["overdue_high_or_above"] == 38
    assert figures["now"]["overloaded_officers"] == 3
    assert figures["now"]["unallocated"] == 0
    assert figures["year_ago"]["on"] == dt.date(2015, 11, 14)
    assert figures["year_ago"]["overdue_visits"] == 50


def test_the_trend_ends_today_and_starts_where_the_year_ago_figure_is(alice, essex):
    trend = overdue_trend(user=alice, months=12, as_of=AS_OF)
    assert len(trend) == 13
    assert trend[-1] == {"on": AS_OF, "overdue": 400, "high": 38}
    assert trend[0]["on"] == dt.date(2015, 11, 14)
    assert trend[0]["overdue"] == 50


def test_the_overdue_table_counts_days_from_the_due_date(alice, essex):
    visits = overdue_visits(user=alice, as_of=AS_OF)
    assert visits.count() == 400
    oldest = visits.order_by("due_on").first()
    assert oldest.days_overdue == (AS_OF - oldest.due_on).days
    assert oldest.last_seen_on is None or oldest.last_seen_on < AS_OF


def test_a_supervisor_sees_only_the_figures_of_their_team(bob, charlie, dave):
    VisitFactory(offender=OffenderFactory(officer=charlie.officer), due_on=D - dt.timedelta(days=3))
    VisitFactory(offender=OffenderFactory(officer=dave.officer), due_on=D - dt.timedelta(days=3))
    figures = figures_compared(user=bob, as_of=D)
    assert figures["now"]["overdue_visits"] == 1
    assert [o.staff_id for o in team_workloads(user=bob, as_of=D)] == ["OM100"]


def test_picking_a_team_narrows_the_figures_to_it(alice, charlie, dave, south):
    VisitFactory(offender=OffenderFactory(officer=charlie.officer), due_on=D - dt.timedelta(days=3))
    VisitFactory(offender=OffenderFactory(officer=dave.officer, risk_tier=tier("high")),
                 due_on=D - dt.timedelta(days=3))
    figures = figures_compared(user=alice, team=south, as_of=D)
    assert figures["now"]["overdue_visits"] == 1
    assert figures["now"]["overdue_high_or_above"] == 1


def test_a_visit_completed_last_week_was_overdue_a_month_ago(alice):
    VisitFactory(due_on=D - dt.timedelta(days=60), status=VisitStatus.COMPLETED,
                 completed_on=D - dt.timedelta(days=7))
    figures = figures_compared(user=alice, as_of=D)
    assert figures["now"]["overdue_visits"] == 0
    assert figures["month_ago"]["overdue_visits"] == 1


def test_unallocated_offenders_are_listed_for_a_supervisor(bob):
    OffenderFactory(officer=None, reference="REF-NOBODY")
    assert [o.reference for o in unallocated_offenders(user=bob, as_of=D)] == ["REF-NOBODY"]


def test_month_arithmetic_clamps_to_the_end_of_a_short_month():
    assert months_before(dt.date(2017, 3, 31), 1) == dt.date(2017, 2, 28)
    assert months_before(dt.date(2017, 1, 15), 12) == dt.date(2016, 1, 15)
    assert year_before(dt.date(2016, 2, 29)) == dt.date(2015, 2, 28)


def test_earlier_missing_unallocated_and_overloaded_come_from_that_days_snapshot(alice, charlie):
    from visits.snapshots import snapshot_take

    OffenderFactory(officer=charlie.officer, status="missing")
    OffenderFactory(officer=None)
    snapshot_take(day=D - dt.timedelta(days=30))
    figures = figures_compared(user=alice, as_of=D)
    assert (figures["month_ago"]["missing"], figures["month_ago"]["unallocated"]) == (1, 1)
    assert figures["month_ago"]["overloaded_officers"] == 0


def test_without_a_snapshot_the_earlier_figures_say_there_is_no_history(alice, charlie):
    OffenderFactory(officer=charlie.officer, status="missing")
    figures = figures_compared(user=alice, as_of=D)
    assert figures["year_ago"]["missing"] is None and figures["year_ago"]["unallocated"] is None
