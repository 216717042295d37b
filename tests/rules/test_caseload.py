"""Caseload (offenders managed in the community, missing ones included), caseload per FTE and weighted capacity %
(tier points against the team's points per FTE times the FTE), read from every surface that shows them.

Charlie works half time with 50 medium-tier offenders in the community, 10 missing and 5 in custody: a caseload
of 60, 120.0 per FTE and 240.0% capacity (2 points each, against 100 x 0.5)."""

from decimal import Decimal

import pytest

from offenders.models import OffenderStatus
from tests.factories import OffenderFactory
from tests.rules import surfaces
from visits.flagging import flags_refresh
from visits.models import Flag, FlagKind, OfficerSnapshot
from visits.rules import today

pytestmark = pytest.mark.django_db
EXPECTED = (60, 120.0, 240.0)


@pytest.fixture
def half_time_charlie(charlie, bob):
    officer = charlie.officer
    officer.fte = Decimal("0.5")
    officer.save()
    OffenderFactory.create_batch(50, officer=officer)
    OffenderFactory.create_batch(10, officer=officer, status=OffenderStatus.MISSING)
    OffenderFactory.create_batch(5, officer=officer, status=OffenderStatus.CUSTODY)
    return officer


def figures(row: dict, *keys: str) -> tuple:
    return tuple(float(row[key]) for key in keys)


def test_every_surface_shows_the_same_caseload_per_fte_and_capacity(client, alice, bob, half_time_charlie):
    flags_refresh()
    summary_keys = ("caseload", "caseload_per_fte", "capacity_pct")
    export_keys = ("Caseload", "Per FTE", "Weighted capacity %")
    (summary_row,) = surfaces.summary(alice)["officers"]
    (api_row,) = surfaces.summary_api(client, bob)["officers"]
    (csv_row,) = surfaces.csv_rows(client, bob, "dashboards:workload")
    (xlsx_row,) = surfaces.xlsx_rows(client, bob, "dashboards:workload")
    surfaces.team_snapshot("caseload")
    snapshot = OfficerSnapshot.objects.get(day=today(), officer=half_time_charlie)
    flag = Flag.objects.get(kind=FlagKind.OVERLOADED_OFFICER, cleared_at__isnull=True)
    answers = {
        "summary": figures(summary_row, *summary_keys),
        "API": figures(api_row, *summary_keys),
        "workload CSV": figures(csv_row, *export_keys),
        "workload XLSX": figures(xlsx_row, *export_keys),
        "officer snapshot": (snapshot.caseload, float(snapshot.caseload_per_fte), float(snapshot.capacity_pct)),
        "open flag": figures(flag.details, *summary_keys),
    }
    assert answers == dict.fromkeys(answers, EXPECTED)
