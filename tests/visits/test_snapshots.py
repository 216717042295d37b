import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from offenders.models import OffenderStatus, Officer
from tests.factories import OffenderFactory, VisitFactory, tier
from visits.models import OfficerSnapshot, TeamSnapshot, VisitStatus
from visits.snapshots import snapshot_take, snapshots_backfill

pytestmark = pytest.mark.django_db
D = dt.date(2016, 11, 14)


@pytest.fixture
def charlies_cases(charlie):
    officer = Officer.objects.get(staff_id="OM100")
    high = OffenderFactory(officer=officer, risk_tier=tier("high"), registered_on=D - dt.timedelta(days=30))
    low = OffenderFactory(officer=officer, risk_tier=tier("low"), registered_on=D - dt.timedelta(days=30))
    VisitFactory(offender=high, due_on=D - dt.timedelta(days=3))
    VisitFactory(offender=low, status=VisitStatus.COMPLETED, due_on=D - dt.timedelta(days=40),
                 completed_on=D - dt.timedelta(days=5))
    OffenderFactory(officer=officer, status=OffenderStatus.MISSING)
    return officer


def test_a_snapshot_records_each_officers_and_teams_figures(charlies_cases, north):
    snapshot_take(day=D)
    officer = OfficerSnapshot.objects.get(day=D, officer=charlies_cases)
    assert (officer.caseload, officer.in_community, officer.missing, officer.overdue) == (3, 2, 1, 1)
    assert officer.overdue_by_tier == {"low": 0, "medium": 0, "high": 1, "very_high": 0}
    assert officer.capacity_pct == 6  # 3 + 1 + 2 points of 100
    team = TeamSnapshot.objects.get(day=D, team=north)
    assert (team.caseload, team.overdue, team.caseload_per_fte, team.overloaded_officers) == (3, 1, 3, 0)


def test_taking_a_days_snapshot_again_replaces_it(charlies_cases):
    snapshot_take(day=D)
    OffenderFactory(officer=charlies_cases)
    snapshot_take(day=D)
    assert OfficerSnapshot.objects.get(day=D, officer=charlies_cases).caseload == 4


def test_a_backfill_recomputes_past_days_from_the_visit_history(charlies_cases):
    result = snapshots_backfill(start=D - dt.timedelta(days=40), end=D)
    assert result.days == 41
    figures = dict(OfficerSnapshot.objects.filter(officer=charlies_cases).values_list("day", "overdue"))
    assert figures[D - dt.timedelta(days=40)] == 0
    assert figures[D - dt.timedelta(days=20)] == 1  # the low-risk visit, late until it was done
    assert figures[D - dt.timedelta(days=4)] == 0
    assert figures[D] == 1  # the high-risk one, three days late


def test_the_row_without_a_team_holds_the_unallocated_offenders(db):
    OffenderFactory(officer=None)
    snapshot_take(day=D)
    assert TeamSnapshot.objects.get(day=D, team=None).unallocated == 1


def test_the_snapshot_command_backfills_a_range(charlies_cases):
    out = StringIO()
    call_command("take_snapshots", "--from", "2016-11-01", "--to", "2016-11-03", stdout=out)
    assert "3 day(s)" in out.getvalue()
    with pytest.raises(CommandError, match="after --to"):
        call_command("take_snapshots", "--from", "2016-11-05", "--to", "2016-11-03")
