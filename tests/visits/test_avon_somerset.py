"""Avon & Somerset 2023, as of 30 June 2023: 217 overdue visits, the oldest 243 days overdue, and 151 overdue risk
assessments. The register file carries the assessment columns (last_assessed_on, next_assessment_due)."""

import datetime as dt
import json
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from visits.models import Flag, FlagKind

pytestmark = pytest.mark.django_db
SCENARIO = Path(__file__).resolve().parents[1] / "fixtures" / "avon_somerset_2023"


@pytest.fixture
def avon_somerset():
    with time_machine.travel(dt.datetime(2023, 6, 30, 7, 5, tzinfo=ZoneInfo("Europe/London")), tick=False):
        for kind in ("officers", "register"):
            call_command(f"import_{kind}", str(SCENARIO / f"{kind}.csv"), stdout=StringIO())
        call_command("refresh_flags", stdout=StringIO())
        yield json.loads((SCENARIO / "expected.json").read_text())


def summary_json() -> dict:
    out = StringIO()
    call_command("caseload_summary", "--json", stdout=out)
    return json.loads(out.getvalue())


def test_after_the_flag_job_the_summary_equals_the_inspection_figures(avon_somerset):
    summary, want = summary_json(), avon_somerset
    assert summary["offenders_in_community"] == want["offenders_in_community"] == 1550
    assert summary["overdue_visits"] == want["overdue_visits"] == 217
    assert summary["oldest_overdue_visit_days"] == want["oldest_overdue_visit_days"] == 243
    assert summary["overdue_assessments"] == want["overdue_assessments"] == 151
    assert summary["overdue_assessments_by_tier"] == want["overdue_assessments_by_tier"] == {
        "low": 70, "medium": 48, "high": 29, "very_high": 4}


def test_the_flag_job_flags_each_overdue_assessment_once(avon_somerset):
    open_flags = Flag.objects.filter(cleared_at__isnull=True)
    assert open_flags.filter(kind=FlagKind.ASSESSMENT_OVERDUE).count() == 151
    assert open_flags.filter(kind=FlagKind.OVERDUE_VISIT).count() == 217
