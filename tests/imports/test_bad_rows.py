"""A catalogue of bad rows: each is reported with its spreadsheet row (header = row 1), column and value,
and a file with any of them writes nothing."""

import csv

import pytest

from offenders.models import ImportRun, Offender, Officer, Team
from tests.factories import OffenderFactory
from tests.imports.conftest import load
from visits.models import Visit

pytestmark = pytest.mark.django_db

HEADER = ("reference,surname,forenames,date_of_birth,risk_tier,officer,status,registered_on,registration_ends_on,"
          "mappa_category,mappa_level,postcode,visit_interval_days,reactive,last_visit_on,next_visit_due")
GOOD = "R-1,Smith,John,1970-01-01,low,OM100,community,2015-01-01,,1,1,AB1 2CD,,no,2016-01-01,2017-01-01"
FIELDS = HEADER.split(",")


def row(**changes) -> str:
    values = dict(zip(FIELDS, GOOD.split(","), strict=True), reference="R-2")
    values.update(changes)
    return ",".join(values[f] for f in FIELDS)


REGISTER_CASES = [
    ("a missing reference", row(reference=""), "reference", "", "is required"),
    ("a missing surname", row(surname=""), "surname", "", "is required"),
    ("an impossible date", row(date_of_birth="31/02/1980"), "date_of_birth", "31/02/1980", "is not a date"),
    ("a month that does not exist", row(next_visit_due="2016-13-01"), "next_visit_due", "2016-13-01", "not a date"),
    ("a birth date in the future", row(date_of_birth="2090-01-01"), "date_of_birth", "2090-01-01", "not in the past"),
    ("an unknown tier", row(risk_tier="extreme"), "risk_tier", "extreme", "is not a risk tier"),
    ("an unknown officer", row(officer="OM999"), "officer", "OM999", "is not the staff_id of any officer"),
    ("an unknown status", row(status="on holiday"), "status", "on holiday", "is not one of"),
    ("a duplicate reference, in another case", row(reference="r-1"), "reference", "r-1", "already on row 2"),
    ("a registration that ends before it starts", row(registration_ends_on="2014-01-01"), "registration_ends_on",
     "2014-01-01", "is before registered_on"),
    ("a MAPPA level out of range", row(mappa_level="5"), "mappa_level", "5", "between 1 and 3"),
    ("an interval that is not a number", row(visit_interval_days="monthly"), "visit_interval_days", "monthly",
     "not a whole number"),
    ("a reactive flag that is not yes or no", row(reactive="maybe"), "reactive", "maybe", "not yes or no"),
    ("a last visit in the future", row(last_visit_on="2090-01-01"), "last_visit_on", "2090-01-01", "in the future"),
    ("a postcode too long", row(postcode="AB1 2CD EXTRA LONG"), "postcode", "AB1 2CD EXTRA LONG", "longer than 12"),
    ("a missing registration date", row(registered_on=""), "registered_on", "", "is required"),
]


@pytest.fixture
def om100(db):
    return Officer.objects.create(staff_id="OM100", name="Charlie Chalk", team=Team.objects.create(name="North"))


@pytest.mark.parametrize(("bad_row", "column", "value", "message"), [c[1:] for c in REGISTER_CASES],
                         ids=[c[0] for c in REGISTER_CASES])
def test_a_bad_register_row_is_reported_with_its_row_and_nothing_is_written(write, om100, bad_row, column, value,
                                                                             message):
    run = load("register", write(f"{HEADER}\n{GOOD}\n{bad_row}"))

    assert run.outcome == ImportRun.Outcome.INVALID
    assert run.error_count == 1
    [error] = run.report["errors"]
    assert (error["row"], error["column"], error["value"]) == (3, column, value)
    assert message in error["message"]
    assert not Offender.objects.exists() and not Visit.objects.exists()


def test_a_file_with_every_kind_of_bad_row_reports_them_all_and_writes_nothing(write, om100):
    rows = [GOOD] + [case[1].replace("R-2,", f"R-{n},", 1) for n, case in enumerate(REGISTER_CASES, start=3)]
    run = load("register", write("\n".join([HEADER, *rows])))

    reported = {(e["row"], e["column"]) for e in run.report["errors"]}
    assert reported == {(n, case[2]) for n, case in enumerate(REGISTER_CASES, start=3)}
    assert run.error_count == len(REGISTER_CASES)
    assert not Offender.objects.exists()


def test_the_full_error_list_is_a_csv_with_row_column_value_and_message(write, om100, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    lines = [HEADER] + [row(reference=f"R-{n}", risk_tier="extreme") for n in range(300)]
    run = load("register", write("\n".join(lines)))

    assert run.error_count == 300 and len(run.report["errors"]) == 200
    with open(settings.MEDIA_ROOT / run.errors_file, newline="", encoding="utf-8-sig") as f:
        lines = list(csv.reader(f))
    assert lines[0] == ["row", "column", "value", "message"] and len(lines) == 301
    assert lines[1][:3] == ["2", "risk_tier", "extreme"] and lines[1][3].startswith("is not a risk tier")


VISIT_HEADER = "reference,due_on,status,completed_on,officer,cancel_reason"
VISIT_CASES = [
    ("an offender not on the register", "R-404,2016-01-01,completed,2016-01-02,,", "reference", "not on the register"),
    ("a completed visit without its date", "R-1,2016-01-01,completed,,,", "completed_on", "is required"),
    ("a cancelled visit without a reason", "R-1,2016-02-01,cancelled,,,", "cancel_reason", "is required"),
    ("an unknown visit status", "R-1,2016-03-01,postponed,,,", "status", "is not one of"),
    ("a second open visit", "R-1,2016-04-01,scheduled,,,", "status", "second open visit"),
    ("a visit completed twice the same day", "R-1,2016-05-01,completed,2015-12-01,,", "completed_on", "row 2"),
]


@pytest.mark.parametrize(("bad_row", "column", "message"), [c[1:] for c in VISIT_CASES],
                         ids=[c[0] for c in VISIT_CASES])
def test_a_bad_visit_row_is_reported_and_nothing_is_written(write, om100, bad_row, column, message):
    OffenderFactory(reference="R-1", officer=om100)
    first = "R-1,2015-12-01,completed,2015-12-01,OM100,\nR-1,2017-01-01,scheduled,,OM100,"
    run = load("visits", write(f"{VISIT_HEADER}\n{first}\n{bad_row}"))

    assert run.outcome == ImportRun.Outcome.INVALID
    assert [(e["row"], e["column"]) for e in run.report["errors"]] == [(4, column)]
    assert message in run.report["errors"][0]["message"]
    assert not Visit.objects.exists()


OFFICER_CASES = [
    ("an FTE above 1", "OM2,Ann,North,1.5,,", "fte", "more than 0 and at most 1"),
    ("an FTE of nothing", "OM2,Ann,North,0,,", "fte", "more than 0 and at most 1"),
    ("an email that is not one", "OM2,Ann,North,1,ann-at-example,", "email", "not an email"),
    ("a duplicate staff id", "OM1,Ann,North,1,,", "staff_id", "already on row 2"),
    ("a missing team", "OM2,Ann,,1,,", "team", "is required"),
    ("an active flag that is not yes or no", "OM2,Ann,North,1,,sometimes", "active", "not yes or no"),
]


@pytest.mark.parametrize(("bad_row", "column", "message"), [c[1:] for c in OFFICER_CASES],
                         ids=[c[0] for c in OFFICER_CASES])
def test_a_bad_officer_row_is_reported_and_nothing_is_written(write, bad_row, column, message):
    run = load("officers", write(f"staff_id,name,team,fte,email,active\nOM1,Bo,North,1,,yes\n{bad_row}"))

    assert [(e["row"], e["column"]) for e in run.report["errors"]] == [(3, column)]
    assert message in run.report["errors"][0]["message"]
    assert not Officer.objects.exists() and not Team.objects.exists()
