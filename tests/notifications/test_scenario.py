"""Notifications 2026 (issue #15), as of 2 March 2026: a unit of about 3,000 offenders loaded through the import
commands, whose notification figures must be those the scenario's own oracle (tests/fixtures/notifications_2026/
build.py, written from the formats and the Sexual Offences Act notes, never from caseload's code) worked out from the
same files. Refused reviews of indefinite notification have no file of their own: they are recorded as an officer
records them. oracle.csv there says, offender by offender, what the oracle made of each case."""

import csv
import datetime as dt
import json
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from notifications.models import CivilOrder, IndefiniteReview, Notification
from notifications.services import indefinite_review_record
from offenders.models import Offender
from visits.models import Review, Visit

pytestmark = pytest.mark.django_db
SCENARIO = Path(__file__).resolve().parents[1] / "fixtures" / "notifications_2026"
AS_OF = "2026-03-02"
FILES = ("officers", "register", "notifications", "orders")


@pytest.fixture
def unit(alice):
    """The files imported in their order on the morning of 2 March 2026, then the refusals recorded."""
    with time_machine.travel(dt.datetime(2026, 3, 2, 8, 30, tzinfo=ZoneInfo("Europe/London")), tick=False):
        import_files()
        with open(SCENARIO / "refusals.csv", newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                indefinite_review_record(offender=Offender.objects.get(reference=row["reference"]), user=alice,
                                         decided_on=dt.date.fromisoformat(row["decided_on"]), outcome=row["outcome"])
        yield


def import_files() -> list[str]:
    """What each import command printed."""
    printed = []
    for kind in FILES:
        out = StringIO()
        call_command(f"import_{kind}", str(SCENARIO / f"{kind}.csv"), stdout=out, stderr=StringIO())
        printed.append(out.getvalue())
    return printed


def summary_json() -> dict:
    out = StringIO()
    call_command("caseload_summary", "--as-of", AS_OF, "--json", stdout=out)
    return json.loads(out.getvalue())


def everything_written() -> dict:
    return {model.__name__: list(model.objects.order_by("pk").values())
            for model in (Offender, Notification, CivilOrder, IndefiniteReview, Review, Visit)}


def test_the_summary_shows_the_notification_figures_the_oracle_worked_out_from_the_files(unit):
    expected = json.loads((SCENARIO / "expected.json").read_text())
    summary = summary_json()
    assert {key: summary[key] for key in expected} == expected


def test_importing_the_same_files_again_changes_nothing(unit):
    before, written = summary_json(), everything_written()
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Europe/London")), tick=False):
        printed = import_files()
    assert all("the file was already imported, nothing changed" in text for text in printed), printed
    assert everything_written() == written
    assert summary_json() == before
