"""The backlog forecast: overdue visits expected in 30 and 90 days from each officer's completion rate over the last
8 weeks, the open visits and the absences booked; tested on history, as of 90 days ago, against what happened."""

import datetime as dt
import random

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from availability.forecast import (
    DASHBOARD_OFFICERS,
    backlog_forecast,
    backtest,
    forecast_from,
    officers_in_scope,
    simulate,
)
from availability.services import absence_record
from caseload.dashboards.counted import dashboard_figures
from offenders.models import Offender, Officer
from tests.availability.conftest import TODAY
from tests.factories import OfficerFactory, tier
from visits.models import Visit, VisitStatus

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]
DAY = dt.timedelta(days=1)


def history(team, officers: dict[str, tuple[int, int]], days: int = 200, seed: int = 7):
    """Officers, each with (cases, visits a day), who make exactly that many visits a day, the due ones earliest
    first, for `days` days up to yesterday: each visit made schedules the next a high-tier interval (91 days) later.
    Worked out in memory, then written in two statements."""
    chance = random.Random(seed)
    start = TODAY - days * DAY
    visits = []
    for staff_id, (cases, rate) in officers.items():
        officer = OfficerFactory(team=team, staff_id=staff_id)
        offenders = Offender.objects.bulk_create(
            Offender(reference=f"{staff_id}-{n}", surname="Case", forenames=str(n), date_of_birth=dt.date(1970, 1, 1),
                     risk_tier=tier("high"), officer=officer, registered_on=dt.date(2010, 1, 1))
            for n in range(cases))
        due = {o.pk: start + dt.timedelta(days=chance.randint(-60, 90)) for o in offenders}
        day = start
        while day < TODAY:
            for pk in sorted((pk for pk in due if due[pk] <= day), key=lambda pk: (due[pk], pk))[:rate]:
                visits.append(Visit(offender_id=pk, officer=officer, due_on=due[pk], status=VisitStatus.COMPLETED,
                                    completed_on=day))
                due[pk] = day + 91 * DAY
            day += DAY
        visits += [Visit(offender_id=pk, officer=officer, due_on=on) for pk, on in due.items()]
    Visit.objects.bulk_create(visits)


def test_one_officer_makes_the_due_visits_at_their_rate_and_schedules_the_next():
    start = dt.date(2017, 1, 2)
    queue = [(start - DAY, 91), (start - DAY, 91), (start + 5 * DAY, 91)]
    assert simulate(queue, 1.0, set(), start, horizons=(1, 2, 30)) == {1: 1, 2: 0, 30: 0}
    assert simulate(queue, 1.0, {start, start + DAY}, start, horizons=(1, 2, 30)) == {1: 2, 2: 2, 30: 0}
    assert simulate(queue, 0.5, set(), start, horizons=(2, 4)) == {2: 1, 4: 0}


def test_the_backtest_as_of_90_days_ago_is_within_ten_percent_of_what_happened(north):
    history(north, {"FC1": (150, 1), "FC2": (250, 2)})  # each more cases than their rate keeps up with
    officers = Officer.objects.filter(team=north)
    result = backtest(officers, TODAY)
    assert set(result.actual) == {30, 90} and result.actual[90] > 0
    assert all(abs(error) <= 0.10 for error in result.errors.values()), result


def test_absences_booked_raise_the_forecast(north, bob):
    history(north, {"FC1": (100, 1)})
    officers = Officer.objects.filter(team=north)
    before = backlog_forecast(officers, TODAY)
    absence_record(officer=officers.get(), kind="annual_leave", starts_on=TODAY, ends_on=TODAY + 20 * DAY, user=bob)
    after = backlog_forecast(officers, TODAY)
    assert after.days_away == 21 and after.expected[30] > before.expected[30]


def test_the_forecast_page_shows_the_figures_their_assumptions_and_the_backtest(client, bob, north):
    history(north, {"FC1": (30, 1)})
    client.force_login(bob)
    page = client.get(reverse("availability:forecast")).text
    assert "Overdue visits expected" in page and "in 90 days" in page
    assert "the last 8 weeks" in page and "Made as of 16 Aug 2016" in page


@pytest.mark.parametrize(("who", "picked"), [("bob", None), ("bob", "north"), ("alice", "north"), ("erin", None)])
def test_the_dashboards_forecast_read_with_its_figures_is_the_forecast(request, north, who, picked):
    """erin leads South, which has no officers."""
    history(north, {"FC1": (40, 1), "FC2": (60, 2)}, days=90)
    absence_record(officer=Officer.objects.get(staff_id="FC1"), kind="sickness", starts_on=TODAY - 10 * DAY,
                   ends_on=TODAY + 5 * DAY, user=request.getfixturevalue("bob"))
    user, team = request.getfixturevalue(who), north if picked else None
    for _ in range(2):  # built, then kept
        read = dashboard_figures(user=User.objects.get(pk=user.pk), team=team, as_of=TODAY)["forecast"]
        made = forecast_from(read, TODAY)
        assert made == backlog_forecast(officers_in_scope(user=user, team=team), TODAY)
    assert made.officers == (0 if who == "erin" else 2)


def test_the_dashboard_leaves_the_forecast_of_every_team_to_its_page(alice, north):
    history(north, {"FC1": (40, 1)}, days=30)
    assert dashboard_figures(user=alice, team=None, as_of=TODAY)["forecast"] is None


def test_a_supervisor_of_more_officers_than_the_dashboard_forecasts_finds_it_on_its_page_or_for_a_team(
        client, bob, north):
    history(north, {"FC1": (40, 1)}, days=30)
    OfficerFactory.create_batch(DASHBOARD_OFFICERS, team=north)
    assert dashboard_figures(user=User.objects.get(pk=bob.pk), team=None, as_of=TODAY)["forecast"] is None
    assert dashboard_figures(user=User.objects.get(pk=bob.pk), team=north, as_of=TODAY)["forecast"] is not None
    client.force_login(bob)
    page = client.get(reverse("dashboard")).text
    assert "pick a team above to see it here" in page and reverse("availability:forecast") in page
