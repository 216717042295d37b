import datetime as dt

import pytest
import time_machine

from caseload.dashboards.selectors import (
    chart_loads,
    dashboard,
    figures_on,
    figures_today,
    months_before,
    most_loaded,
    overdue_visits,
    team_workloads,
    unallocated_offenders,
    year_before,
)
from offenders.models import Officer, Team
from tests.essex import AS_OF, load_essex
from tests.factories import OffenderFactory, OfficerFactory, VisitFactory, tier
from visits.flagging import flags_refresh
from visits.models import VisitStatus
from visits.rules import today

pytestmark = pytest.mark.django_db
D = dt.date(2016, 11, 14)


def figures_compared(*, user, team=None, as_of):
    """The dashboard's headline figures: today, 30 days ago and a year ago."""
    return dashboard(user=user, team=team, as_of=as_of)["figures"]


def overdue_trend(*, user, months, as_of):
    """The dashboard's overdue trend, oldest first."""
    return dashboard(user=user, as_of=as_of, months=months)["trend"]


@pytest.fixture
def essex(db):
    """The Essex register on the inspection's count date, flagged by the job as each morning."""
    with time_machine.travel(dt.datetime(2016, 11, 14, 12, 0, tzinfo=dt.UTC), tick=False):
        teams = load_essex()
        flags_refresh()
        yield teams


def test_it_shows_the_essex_figures_and_the_year_before(alice, essex):
    figures = figures_compared(user=alice, as_of=AS_OF)
    assert figures["now"]["offenders_in_community"] == 1297
    assert figures["now"]["overdue_visits"] == 400
    assert figures["now"]["overdue_high_or_above"] == 38
    assert figures["now"]["overloaded_officers"] == 3
    assert figures["now"]["unallocated"] == 0
    assert figures["year_ago"]["on"] == dt.date(2015, 11, 14)
    assert figures["year_ago"]["overdue_visits"] == 50


@pytest.mark.parametrize("listed", [1, 2, 3, 60])
def test_overloaded_officers_are_counted_whether_or_not_the_chart_lists_every_officer(bob, essex, listed):
    for team in Team.objects.all():
        team.supervisors.add(bob)
    shown = dashboard(user=bob, as_of=AS_OF, officers=listed)
    assert shown["figures"]["now"]["overloaded_officers"] == 3
    assert len(shown["workloads"]) == min(listed, Officer.objects.count())


def test_the_trend_ends_today_and_starts_where_the_year_ago_figure_is(alice, essex):
    trend = overdue_trend(user=alice, months=12, as_of=AS_OF)
    assert len(trend) == 13
    assert trend[-1] == {"on": AS_OF, "overdue": 400, "high": 38}
    assert trend[0]["on"] == dt.date(2015, 11, 14)
    assert trend[0]["overdue"] == 50


def test_the_overdue_table_counts_days_from_the_due_date(alice, essex):
    visits = overdue_visits(user=alice)
    assert visits.count() == 400
    oldest = visits.order_by("due_on").first()
    assert oldest.days_overdue == (AS_OF - oldest.due_on).days
    assert oldest.last_seen_on is None or oldest.last_seen_on < AS_OF


def test_a_supervisor_sees_only_the_figures_of_their_team(bob, charlie, dave):
    VisitFactory(offender=OffenderFactory(officer=charlie.officer), due_on=D - dt.timedelta(days=3))
    VisitFactory(offender=OffenderFactory(officer=dave.officer), due_on=D - dt.timedelta(days=3))
    flags_refresh(as_of=D)
    figures = figures_compared(user=bob, as_of=D)
    assert (figures["now"]["offenders_in_community"], figures["now"]["overdue_visits"]) == (1, 1)
    assert [o.staff_id for o in team_workloads(user=bob, as_of=D)] == ["OM100"]


def test_picking_a_team_narrows_the_figures_to_it(alice, charlie, dave, south):
    VisitFactory(offender=OffenderFactory(officer=charlie.officer), due_on=D - dt.timedelta(days=3))
    VisitFactory(offender=OffenderFactory(officer=dave.officer, risk_tier=tier("high")),
                 due_on=D - dt.timedelta(days=3))
    flags_refresh(as_of=D)
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
    flags_refresh(as_of=D)
    assert [o.reference for o in unallocated_offenders(user=bob)] == ["REF-NOBODY"]


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


def test_earlier_overdue_and_unseen_figures_are_those_of_that_days_snapshot(alice, charlie):
    from visits.snapshots import snapshot_take

    offender = OffenderFactory(officer=charlie.officer)
    VisitFactory(offender=offender, due_on=D - dt.timedelta(days=40))
    snapshot_take(day=D - dt.timedelta(days=30))
    offender.status = "custody"  # no longer managed: recounting the history now would leave the visit out
    offender.save()
    figures = figures_compared(user=alice, as_of=D)
    assert (figures["month_ago"]["overdue_visits"], figures["month_ago"]["unseen"]) == (1, 1)
    assert figures["now"]["overdue_visits"] == 0


def test_the_trend_reads_snapshots_where_taken_and_recounts_the_other_days(alice, charlie):
    from visits.snapshots import snapshot_take

    offender = OffenderFactory(officer=charlie.officer, risk_tier=tier("high"))
    VisitFactory(offender=offender, due_on=D - dt.timedelta(days=200))
    snapshot_take(day=months_before(D, 1))
    offender.status = "custody"
    offender.save()
    trend = overdue_trend(user=alice, months=12, as_of=D)
    assert trend[-2] == {"on": months_before(D, 1), "overdue": 1, "high": 1}
    assert trend[-3] == {"on": months_before(D, 2), "overdue": 0, "high": 0}


def test_a_team_snapshot_counts_for_that_team_only(bob, charlie, dave, south):
    from visits.snapshots import snapshot_take

    VisitFactory(offender=OffenderFactory(officer=charlie.officer), due_on=D - dt.timedelta(days=40))
    VisitFactory(offender=OffenderFactory(officer=dave.officer), due_on=D - dt.timedelta(days=40))
    VisitFactory(offender=OffenderFactory(officer=None), due_on=D - dt.timedelta(days=40))
    snapshot_take(day=D - dt.timedelta(days=30))
    assert figures_compared(user=bob, as_of=D)["month_ago"]["overdue_visits"] == 2  # North and unallocated
    assert figures_compared(user=bob, as_of=D)["month_ago"]["unallocated"] == 1


def test_todays_figures_are_the_open_flags_and_say_when_the_job_last_ran(alice, charlie, dave):
    VisitFactory(offender=OffenderFactory(officer=charlie.officer, risk_tier=tier("high")),
                 due_on=D - dt.timedelta(days=3))
    VisitFactory(offender=OffenderFactory(officer=dave.officer), due_on=D - dt.timedelta(days=300))
    before = figures_today(user=alice, as_of=D)
    assert (before["overdue_visits"], before["flag_run"], before["flags_stale"]) == (0, None, True)
    flags_refresh(as_of=D)
    after = figures_today(user=alice, as_of=D)
    assert (after["overdue_visits"], after["overdue_high_or_above"], after["flags_stale"]) == (2, 1, False)
    assert after["flag_run"].as_of == D


def test_a_visit_logged_shows_on_every_teams_figures_at_once(alice, charlie, north):
    from visits import services

    visit = VisitFactory(offender=OffenderFactory(officer=charlie.officer), due_on=dt.date.today() - dt.timedelta(3))
    flags_refresh()
    assert figures_today(user=alice)["overdue_visits"] == figures_today(user=alice, team=north)["overdue_visits"] == 1
    services.visit_complete(offender=visit.offender, visit_id=visit.pk, user=charlie, visited_on=dt.date.today(),
                            kind=visit.Kind.HOME_UNANNOUNCED)
    assert figures_today(user=alice)["overdue_visits"] == figures_today(user=alice, team=north)["overdue_visits"] == 0


def test_the_most_loaded_officers_of_every_team_are_found_in_one_pass(alice, charlie, dave):
    from caseload.dashboards.most_loaded import most_loaded_officers

    for officer, n in ((charlie.officer, 3), (dave.officer, 5), (OfficerFactory(fte="0.5"), 2)):
        OffenderFactory.create_batch(n, officer=officer)
    one_by_one = list(team_workloads(user=alice, as_of=D).order_by("-caseload_per_fte", "name")[:2])
    assert list(most_loaded_officers(as_of=D, limit=2)) == one_by_one
    assert most_loaded_officers(as_of=D, limit=4) is None  # only three carry a caseload


@pytest.mark.parametrize(("who", "picked"), [("bob", None), ("bob", "north"), ("alice", "north"), ("erin", None)])
@pytest.mark.parametrize("limit", [1, 60])
def test_the_most_loaded_from_a_kept_statement_are_those_of_the_workloads(request, charlie, who, picked, limit):
    for officer, n in ((charlie.officer, 3), (OfficerFactory(team=charlie.officer.team, fte="0.5"), 2)):
        OffenderFactory.create_batch(n, officer=officer)
    user, team = request.getfixturevalue(who), request.getfixturevalue(picked) if picked else None
    expected = list(chart_loads(team_workloads(user=user, team=team).order_by("-caseload_per_fte", "name")[:limit]))
    for _ in range(2):  # built, then kept
        assert most_loaded(user=user, team=team, as_of=today(), limit=limit) == expected
    assert len(expected) == (0 if who == "erin" else min(limit, 2))


@pytest.mark.parametrize(("who", "picked"), [("bob", None), ("bob", "north"), ("alice", None), ("erin", None)])
def test_the_snapshots_read_from_a_kept_statement_are_those_the_orm_reads(request, charlie, dave, who, picked):
    from caseload.dashboards.snapshot_figures import snapshot_rows, snapshot_totals
    from offenders.selectors import team_ids_visible_to
    from visits.snapshots import snapshot_take

    VisitFactory(offender=OffenderFactory(officer=charlie.officer), due_on=D - dt.timedelta(days=40))
    VisitFactory(offender=OffenderFactory(officer=dave.officer), due_on=D - dt.timedelta(days=40))
    for days_ago in (30, 365):
        snapshot_take(day=D - dt.timedelta(days=days_ago))
    user, team = request.getfixturevalue(who), request.getfixturevalue(picked) if picked else None
    days = [D - dt.timedelta(days=365), D - dt.timedelta(days=30)]
    teams = [team.pk] if team else team_ids_visible_to(user=user)
    expected = snapshot_totals(snapshot_rows(teams=teams, with_unallocated=team is None, days=days))
    for _ in range(2):  # built, then kept
        assert figures_on(user=user, team=team, days=days) == expected
    assert len(expected) == 2
