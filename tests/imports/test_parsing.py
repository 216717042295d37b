"""Files as real exports arrive: BOM or not, commas or semicolons, quoted newlines, UK dates, XLSX."""

import datetime as dt

import pytest
from openpyxl import Workbook

from offenders.models import ImportRun, Offender, Officer, RiskAssessment, Team
from tests.imports.conftest import errors_of, load
from visits.models import Flag, Review, Visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def om100(db):
    return Officer.objects.create(staff_id="OM100", name="Charlie Chalk", team=Team.objects.create(name="North"))


def test_a_utf8_file_with_a_byte_order_mark_and_semicolons_imports(write, om100):
    text = "reference;surname;forenames;date_of_birth;risk_tier;officer;registered_on\r\n" \
           "R-1;Ó Súilleabháin;Ciarán;14/01/1989;low;OM100;17/02/2011\r\n"
    run = load("register", write(b"\xef\xbb\xbf" + text.encode()))

    assert run.outcome == ImportRun.Outcome.APPLIED
    offender = Offender.objects.get()
    assert (offender.surname, offender.forenames) == ("Ó Súilleabháin", "Ciarán")
    assert (offender.date_of_birth, offender.registered_on) == (dt.date(1989, 1, 14), dt.date(2011, 2, 17))


def test_headers_come_in_any_case_and_order_and_cells_are_trimmed(write, om100):
    path = write('''
        Registered On , RISK TIER,Officer,Date-of-Birth,Forenames,Surname,Reference
        2011-02-17,  Very High  ,OM100 ,1989-01-14,  Gary , Nowak ,  R-1
    ''')
    load("register", path)

    offender = Offender.objects.get()
    assert (offender.reference, offender.surname, offender.forenames) == ("R-1", "Nowak", "Gary")
    assert offender.risk_tier.code == "very_high" and offender.officer == om100


def test_a_quoted_address_may_hold_newlines_and_delimiters(write, om100):
    path = write(b'reference,surname,forenames,date_of_birth,risk_tier,registered_on,address\n'
                 b'R-1,Nowak,Gary,1989-01-14,medium,2011-02-17,"12 High Street,\nFlat 2\nChelmsford"\n'
                 b'R-2,Khan,Mo,1962-10-07,LOW,2014-03-02,\n')
    run = load("register", path)

    assert run.rows == 2
    assert Offender.objects.get(reference="R-1").address == "12 High Street,\nFlat 2\nChelmsford"


def test_a_file_that_is_not_utf8_is_refused_naming_the_row(write, om100):
    text = ("reference,surname,forenames,date_of_birth,risk_tier,registered_on\n"
            "R-1,Nowak,Gary,1989-01-14,low,2011-02-17\n"
            "R-2,Müller,José,1970-01-01,low,2011-02-17\n")
    run = load("register", write(text.encode("cp1252")))

    assert run.outcome == ImportRun.Outcome.INVALID
    [error] = run.report["errors"]
    assert error["row"] == 3 and "not UTF-8" in error["message"]
    assert not Offender.objects.exists()


def test_a_missing_required_column_is_refused_at_row_one(write):
    run = load("register", write("reference,surname\nR-1,Nowak"))

    [error] = run.report["errors"]
    assert error["row"] == 1 and "forenames" in error["column"] and "Required column missing" in error["message"]


def test_unknown_columns_are_reported_and_ignored(write, om100):
    run = load("register", write('''
        reference,surname,forenames,date_of_birth,risk_tier,registered_on,shoe size
        R-1,Nowak,Gary,1989-01-14,low,2011-02-17,44
    '''))

    assert run.outcome == ImportRun.Outcome.APPLIED
    assert run.report["ignored_columns"] == ["shoe size"]


def test_blank_rows_are_skipped_and_keep_the_row_numbers_right(write):
    run = load("officers", write("staff_id,name,team\nOM1,Ann,North\n,,\nOM2,,North\n\n\n"))

    assert errors_of(run) == [(4, "name", "")]


def test_a_row_with_too_many_columns_is_named(write):
    run = load("officers", write("staff_id,name,team\nOM1,Ann,North\nOM2,Bo,North,extra\n"))

    assert run.report["errors"][0]["row"] == 3
    assert "columns" in run.report["errors"][0]["message"]


def test_a_file_over_the_size_limit_is_refused_with_a_clear_error(write, settings):
    settings.CASELOAD_IMPORT_MAX_MB = 0
    run = load("officers", write("staff_id,name,team\nOM1,Ann,North\n"))

    assert run.outcome == ImportRun.Outcome.INVALID
    assert "larger than the 0 MB limit" in run.report["errors"][0]["message"]
    assert not Officer.objects.exists()


def workbook(path, rows):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def test_an_xlsx_register_gives_the_same_result_as_the_csv(write, om100, tmp_path):
    header = ["Reference", "Surname", "Forenames", "Date of birth", "Risk tier", "Officer", "Registered on",
              "MAPPA level", "Next visit due"]
    rows = [
        ["R-1", "Nowak", "Gary", dt.datetime(1989, 1, 14), "Low", "OM100", dt.date(2011, 2, 17), 1, "2017-01-02"],
        [None] * 9,
        ["R-2", "Khan", "Michael", "07/10/1962", "very high", None, dt.date(2014, 3, 2), 2.0, None],
    ]
    csv_text = "\n".join([
        ",".join(header),
        "R-1,Nowak,Gary,1989-01-14,Low,OM100,2011-02-17,1,2017-01-02",
        "R-2,Khan,Michael,07/10/1962,very high,,2014-03-02,2,",
    ])
    from_xlsx = load("register", workbook(tmp_path / "register.xlsx", [header, *rows]), dry_run=True)
    from_csv = load("register", write(csv_text), dry_run=True)
    assert (from_xlsx.rows, from_xlsx.created, from_xlsx.error_count) == (2, 2, 0)

    load("register", tmp_path / "register.xlsx")
    xlsx_state = list(Offender.objects.values_list("reference", "date_of_birth", "risk_tier__code", "officer",
                                                   "registered_on", "mappa_level"))
    xlsx_visits = list(Visit.objects.order_by("offender__reference").values_list("due_on", "status"))
    Flag.objects.all().delete()  # the flags the import raised, which protect their subjects
    Visit.objects.all().delete()
    Review.objects.all().delete()
    RiskAssessment.objects.all().delete()
    Offender.objects.all().delete()
    load("register", write(csv_text))
    csv_state = list(Offender.objects.values_list("reference", "date_of_birth", "risk_tier__code", "officer",
                                                  "registered_on", "mappa_level"))
    assert (from_csv.rows, from_csv.created) == (2, 2)
    assert xlsx_state == csv_state
    assert xlsx_visits == list(Visit.objects.order_by("offender__reference").values_list("due_on", "status"))


def test_a_bad_xlsx_row_is_reported_with_its_spreadsheet_row(om100, tmp_path):
    rows = [["reference", "surname", "forenames", "date_of_birth", "risk_tier", "registered_on"],
            ["R-1", "Nowak", "Gary", dt.date(1989, 1, 14), "low", dt.date(2011, 2, 17)],
            [None] * 6,
            ["R-2", "Khan", "Mo", "31/02/1980", "low", dt.date(2011, 2, 17)]]
    run = load("register", workbook(tmp_path / "bad.xlsx", rows))

    assert errors_of(run) == [(4, "date_of_birth", "31/02/1980")]


def test_a_file_with_mixed_line_endings_imports(write):
    run = load("officers", write(b"staff_id,name,team\r\nOM1,Ann,North\r\nOM2,Bo,North\nOM3,Cy,West\r\n\r\n"))

    assert (run.outcome, run.created) == (ImportRun.Outcome.APPLIED, 3)
