"""The Essex 2017 inspection, as of 14 November 2016: the figures nobody saw until inspectors counted."""

import datetime as dt
import json
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from tests.essex import AS_OF, ESSEX, expected, load_essex
from visits.models import Flag, FlagKind
from visits.selectors import offenders_unseen, officer_workloads, visits_overdue

pytestmark = pytest.mark.django_db


def import_essex() -> None:
    """The real path: the three files through the import commands, in formats.md's order."""
    for kind in ("officers", "register", "visits"):
        call_command(f"import_{kind}", str(ESSEX / f"{kind}.csv"), stdout=StringIO())


@pytest.fixture(params=["import commands", "direct load"])
def essex(request):
    with time_machine.travel(dt.datetime(2016, 11, 14, 7, 5, tzinfo=ZoneInfo("Europe/London")), tick=False):
        import_essex() if request.param == "import commands" else load_essex()
        yield


def summary_json(*args) -> dict:
    out = StringIO()
    call_command("caseload_summary", "--json", *args, stdout=out)
    return json.loads(out.getvalue())


def test_after_the_flag_job_the_summary_equals_the_inspection_figures(essex):
    call_command("refresh_flags", stdout=StringIO())
    summary, want = summary_json(), expected()
    assert summary["as_of"] == want["as_of"] == str(AS_OF)
    assert summary["offenders_in_community"] == want["offenders_in_community"] == 1297
    assert summary["overdue_visits"] == want["overdue_visits"] == 400
    assert summary["overdue_by_tier"] == {**want["overdue_by_tier"], "very_high": 0}
    assert summary["overdue_by_tier"] == {"low": 250, "medium": 112, "high": 38, "very_high": 0}
    assert summary["overdue_visits_year_ago"] == want["overdue_visits_year_ago"] == 50
    officers = {row["staff_id"]: row for row in summary["officers"]}
    assert len(officers) == want["officers"]
    assert [staff for staff, row in officers.items() if row["overloaded"]] == ["OM001", "OM002", "OM003"]
    assert {staff: row["caseload"] for staff, row in officers.items()} == want["caseload_by_officer"]
    assert {staff: row["overdue"] for staff, row in officers.items()} == want["overdue_by_officer"]
    assert {staff: row["fte"] for staff, row in officers.items()} == want["fte_by_officer"]
    assert officers["OM002"]["caseload_per_fte"] == 240.0


def test_the_flag_job_raises_the_same_flags_the_pages_count(essex, alice):
    call_command("refresh_flags", stdout=StringIO())
    flagged = Flag.objects.filter(cleared_at__isnull=True)
    overdue = set(flagged.filter(kind=FlagKind.OVERDUE_VISIT).values_list("visit", flat=True))
    assert overdue == set(visits_overdue(user=alice).values_list("id", flat=True))
    assert len(overdue) == 400
    unseen = set(flagged.filter(kind=FlagKind.UNSEEN_OFFENDER).values_list("offender", flat=True))
    assert unseen == set(offenders_unseen(user=alice).values_list("id", flat=True))
    overloaded = flagged.filter(kind=FlagKind.OVERLOADED_OFFICER)
    assert {(f.officer.staff_id, f.details["caseload"]) for f in overloaded} == {
        ("OM001", 215), ("OM002", 120), ("OM003", 203)
    }
    assert set(officer_workloads(user=alice).filter(overloaded=True).values_list("staff_id", flat=True)) == {
        "OM001", "OM002", "OM003"
    }


def test_the_summary_of_a_year_earlier_is_recomputed_from_the_visit_history(essex):
    year_ago = summary_json("--as-of", "2015-11-14")
    assert year_ago["overdue_visits"] == 50
    assert summary_json()["overdue_visits_year_ago"] == year_ago["overdue_visits"]


def test_a_second_refresh_of_the_essex_register_writes_nothing(essex):
    call_command("refresh_flags", stdout=StringIO())
    out = StringIO()
    call_command("refresh_flags", stdout=out)
    assert "0 raised, 0 cleared, 0 updated" in out.getvalue()
