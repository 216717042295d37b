"""absences.csv: officers' absences and reductions, each its officer, kind and first day; a row adds the absence or
corrects its last day and hours. Every bad row is named with its column, and nothing is written unless all are good."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from offenders.models import Absence, ImportRun
from tests.factories import OfficerFactory, TeamFactory
from tests.imports.conftest import errors_of, load

pytestmark = pytest.mark.django_db
ABSENCES = "staff_id,kind,starts_on,ends_on,hours_per_week"


@pytest.fixture
def officers(db):
    team = TeamFactory(name="North")
    OfficerFactory(staff_id="OM1", name="Ann", team=team)
    OfficerFactory(staff_id="OM2", name="Ben", team=team, fte=Decimal("0.5"))


def test_absences_and_reductions_are_recorded_with_their_dates(write, officers):
    run = load("absences", write(f"""{ABSENCES}
        OM1,annual_leave,2016-12-19,2016-12-30,
        OM1,reduction,01/11/2016,31/01/2017,7.5
        OM2,SICKNESS,2016-11-14,2016-11-18,"""))
    assert (run.outcome, run.created) == (ImportRun.Outcome.APPLIED, 3)
    rows = set(Absence.objects.values_list("officer__staff_id", "kind", "starts_on", "ends_on", "hours_per_week"))
    assert rows == {("OM1", "annual_leave", dt.date(2016, 12, 19), dt.date(2016, 12, 30), None),
                    ("OM1", "reduction", dt.date(2016, 11, 1), dt.date(2017, 1, 31), Decimal("7.5")),
                    ("OM2", "sickness", dt.date(2016, 11, 14), dt.date(2016, 11, 18), None)}


def test_a_second_import_corrects_the_last_day_and_leaves_the_unchanged_alone(write, officers):
    load("absences", write(f"{ABSENCES}\nOM1,sickness,2016-11-14,2016-11-18,\nOM2,court,2016-11-21,2016-11-21,"))
    run = load("absences", write(f"{ABSENCES}\nOM1,sickness,2016-11-14,2016-11-25,\nOM2,court,2016-11-21,2016-11-21,",
                                 name="again.csv"))
    assert (run.created, run.updated) == (0, 1)
    assert Absence.objects.get(officer__staff_id="OM1").ends_on == dt.date(2016, 11, 25)


def test_every_bad_row_is_named_and_nothing_is_written(write, officers):
    load("absences", write(f"{ABSENCES}\nOM1,training,2016-12-01,2016-12-02,"))
    run = load("absences", write(f"""{ABSENCES}
        OM9,sickness,2016-11-14,2016-11-18,
        OM1,court,2016-11-14,2016-11-10,
        OM1,reduction,2016-11-14,2016-11-30,
        OM1,sickness,2016-11-21,2016-11-25,4
        OM2,reduction,2016-11-14,2016-11-30,20
        OM2,annual_leave,2016-12-01,2016-12-09,
        OM2,sickness,2016-12-05,2016-12-06,
        OM1,annual_leave,2016-11-28,2016-12-01,
        OM1,holiday,2016-11-28,2016-12-01,""", name="bad.csv"))
    assert run.outcome == ImportRun.Outcome.INVALID
    assert errors_of(run) == [
        (2, "staff_id", "OM9"), (3, "ends_on", "2016-11-10"), (4, "hours_per_week", ""), (5, "hours_per_week", "4"),
        (6, "hours_per_week", "20"), (8, "starts_on", "2016-12-05"), (9, "starts_on", "2016-11-28"),
        (10, "kind", "holiday")]
    messages = {e["row"]: e["message"] for e in run.report["errors"]}
    assert messages[6] == "is more than the officer's contracted 18.5 hours a week"
    assert messages[8] == "overlaps the absence on row 7 (the officer cannot be away twice)"
    assert messages[9] == "overlaps an absence on record for this officer (the officer cannot be away twice)"
    assert Absence.objects.count() == 1


def test_the_command_loads_a_file_and_fails_on_a_bad_one(write, officers):
    call_command("import_absences", str(write(f"{ABSENCES}\nOM1,other,2016-11-14,2016-11-14,")))
    with pytest.raises(CommandError):
        call_command("import_absences", str(write(f"{ABSENCES}\nOM1,other,2016-11-20,2016-11-14,", name="bad.csv")))
    assert Absence.objects.count() == 1
