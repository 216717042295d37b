"""Import files are read within limits: each bomb is refused with the limit it passed and where, before it
can hold memory, time or the import lock. The bombs are made here, part by part (bombs.py)."""

import zipfile

import psycopg
import pytest
from django.db import connection

from caseload.imports import engine
from offenders.models import ImportRun, Offender
from tests.imports import bombs
from tests.imports.conftest import load

pytestmark = pytest.mark.django_db


def refusal(run) -> dict:
    assert run.outcome == ImportRun.Outcome.INVALID and run.report.get("file_error"), run.report
    assert run.error_count == 1 and Offender.objects.count() == 0
    return run.report["errors"][0]


def test_shared_strings_that_unpack_past_their_limit_are_refused_before_they_are_read(tmp_path, settings):
    settings.CASELOAD_IMPORT_MAX_SHARED_STRINGS_MB = 2
    path = bombs.write_xlsx(tmp_path / "strings.xlsx", [bombs.header_row(), bombs.good_row(2)],
                            strings=bombs.repeated(bombs.string_item("x" * 1000), 3 << 20))
    assert path.stat().st_size < 100_000

    error = refusal(load("register", path))

    assert "xl/sharedStrings.xml unpacks to 3 MB" in error["message"]
    assert "CASELOAD_IMPORT_MAX_SHARED_STRINGS_MB" in error["message"] and "2 MB" in error["message"]


def test_a_workbook_that_unpacks_past_its_limit_is_refused(tmp_path, settings):
    settings.CASELOAD_IMPORT_MAX_UNPACKED_MB = 1
    rows = (bombs.good_row(n) for n in range(2, 12_000))
    path = bombs.write_xlsx(tmp_path / "big.xlsx", [bombs.header_row(), *rows])

    error = refusal(load("register", path))

    assert error["message"].startswith("The spreadsheet unpacks to 4 MB; an import may unpack to at most 1 MB")
    assert "CASELOAD_IMPORT_MAX_UNPACKED_MB" in error["message"]


def test_a_sheet_of_more_rows_than_a_spreadsheet_holds_is_refused_at_the_default_limits(tmp_path):
    empty_row = b"<row><c><v>1</v></c></row>"
    path = bombs.write_xlsx(tmp_path / "rows.xlsx", [bombs.header_row(), *bombs.repeated(empty_row, 40 << 20)])

    error = refusal(load("register", path))

    assert error["row"] == 1_048_577
    assert error["message"].startswith("The file has more than 1,048,576 rows")


def test_a_sheet_of_more_rows_than_the_setting_is_refused_naming_it(tmp_path, settings):
    settings.CASELOAD_IMPORT_MAX_ROWS = 1000
    path = bombs.write_xlsx(tmp_path / "rows.xlsx", [bombs.header_row(), *map(bombs.good_row, range(2, 1100))])

    error = refusal(load("register", path))

    assert error["row"] == 1001 and "CASELOAD_IMPORT_MAX_ROWS" in error["message"]


def test_rows_numbered_past_the_limit_are_refused_while_reading(tmp_path, settings):
    settings.CASELOAD_IMPORT_MAX_ROWS = 1000
    path = bombs.write_xlsx(tmp_path / "gap.xlsx", [bombs.header_row(), bombs.good_row(2), bombs.good_row(900_000)])

    error = refusal(load("register", path))

    assert error["row"] == 1001 and "CASELOAD_IMPORT_MAX_ROWS" in error["message"]


def test_a_row_of_more_cells_than_a_file_may_have_columns_is_refused(tmp_path):
    wide = bombs.row(3, (bombs.shared(3, column, 0) for column in range(1, 5000)))
    path = bombs.write_xlsx(tmp_path / "wide.xlsx", [bombs.header_row(), bombs.good_row(2), wide],
                            strings=[bombs.string_item("x")])

    error = refusal(load("register", path))

    assert error["row"] == 3 and error["message"] == (
        "Row 3 has more than 200 cells; a row may have at most 200: check that it is the right file")


def test_a_row_of_elements_that_are_not_cells_is_refused_and_comments_do_not_hide_it(tmp_path):
    """openpyxl builds every child of a row, whatever its name; a byte count of cells would miss these."""
    decoys = b"<!--<row>--><!--</sheetData>-->" + b"<d/>" * 5000
    path = bombs.write_xlsx(tmp_path / "junk.xlsx", [bombs.header_row(), b'<row r="2">' + decoys + b"</row>"])

    error = refusal(load("register", path))

    assert error["row"] == 2 and "holds more than 1,600 elements" in error["message"]


def test_elements_outside_the_rows_are_bounded_too(tmp_path):
    path = bombs.write_xlsx(tmp_path / "outside.xlsx", [bombs.header_row(), b"<x/>" * 200_000])

    error = refusal(load("register", path))

    assert "more than 100,000 elements outside its rows" in error["message"]


def test_an_xml_part_that_is_neither_a_sheet_nor_the_shared_strings_is_held_to_20_mb(tmp_path):
    path = bombs.write_xlsx(tmp_path / "part.xlsx", [bombs.header_row(), bombs.good_row(2)])
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive, archive.open("xl/worksheets/wb.xml", "w") as part:
        for _ in range(21):
            part.write(b" " * (1 << 20))

    error = refusal(load("register", path))

    assert error["message"].startswith("The spreadsheet's part xl/worksheets/wb.xml unpacks to 21 MB")


def test_one_long_shared_string_is_refused_before_any_cell_is_read(tmp_path):
    """The probe's report amplifier: 100 KB of text, used in 200 cells."""
    cells = (bombs.row(n, [bombs.shared(n, 1, 1), bombs.shared(n, 2, 0)]) for n in range(2, 202))
    path = bombs.write_xlsx(tmp_path / "long.xlsx", [bombs.header_row(), *cells],
                            strings=[bombs.string_item("y" * 100_000), bombs.string_item("R-1")])
    assert path.stat().st_size < 10_000

    run = load("register", path)
    error = refusal(run)

    assert error["message"].startswith("The spreadsheet's part xl/sharedStrings.xml holds a text of more than 10,000")
    assert len(str(run.report)) < 2000


def test_a_long_inline_cell_is_refused_with_its_row(tmp_path, settings):
    settings.CASELOAD_IMPORT_MAX_CELL_CHARS = 50
    path = bombs.write_xlsx(tmp_path / "cell.xlsx", [bombs.header_row(), bombs.text_row(2, ["R-1", "N" * 60])])

    error = refusal(load("register", path))

    assert error["row"] == 2 and "row 2 holds a text of more than 50 characters" in error["message"].lower()


def test_an_empty_sheet_says_so(tmp_path):
    error = refusal(load("register", bombs.write_xlsx(tmp_path / "empty.xlsx", [])))

    assert error["message"] == "The first sheet is empty: its first row must name the columns"


def test_a_sheet_larger_than_one_read_of_it_imports_whole(tmp_path):
    """Rows cross the boundaries of the chunks the parts are read in."""
    rows = [bombs.header_row(), *map(bombs.good_row, range(2, 6002))]
    path = bombs.write_xlsx(tmp_path / "big.xlsx", rows)

    run = load("register", path, dry_run=True)

    assert (run.outcome, run.rows, run.error_count) == (ImportRun.Outcome.DRY_RUN, 6000, 0)


def test_a_text_longer_than_any_cell_is_refused_before_it_is_parsed(tmp_path, settings):
    settings.CASELOAD_IMPORT_MAX_CELL_CHARS = 1000
    huge = b'<row r="2"><c r="A2" t="inlineStr"><is><t>' + b"z" * (8 << 20) + b"</t></is></c></row>"
    path = bombs.write_xlsx(tmp_path / "text.xlsx", [bombs.header_row(), huge])

    error = refusal(load("register", path))

    assert "holds a text of more than 1,000 characters" in error["message"]
    assert "CASELOAD_IMPORT_MAX_CELL_CHARS" in error["message"]


def test_a_csv_cell_longer_than_the_limit_is_refused_with_its_row_and_column(write, settings):
    settings.CASELOAD_IMPORT_MAX_CELL_CHARS = 50
    path = write(f"{','.join(bombs.REGISTER_HEADER)}\nR-1,Nowak,Gary,1989-01-14,low,,2011-02-17\n"
                 f"R-2,{'N' * 60},Gary,1989-01-14,low,,2011-02-17\n")

    error = refusal(load("register", path))

    assert (error["row"], error["column"]) == (3, "surname")
    assert error["message"].startswith("The cell holds 60 characters; a cell may hold at most 50")


def test_a_csv_of_more_rows_than_the_setting_is_refused(write, settings):
    settings.CASELOAD_IMPORT_MAX_ROWS = 3
    rows = "".join(f"R-{n},Nowak,Gary,1989-01-14,low,,2011-02-17\n" for n in range(5))
    error = refusal(load("register", write(f"{','.join(bombs.REGISTER_HEADER)}\n{rows}")))

    assert "more than 3 rows" in error["message"] and "CASELOAD_IMPORT_MAX_ROWS" in error["message"]


def test_a_sheet_whose_declared_size_is_too_small_is_read_whole(tmp_path):
    rows = [bombs.header_row(), bombs.good_row(2), bombs.good_row(3), bombs.good_row(4)]
    run = load("register", bombs.write_xlsx(tmp_path / "lies.xlsx", rows, dimension="A1:A1"))

    assert run.outcome == ImportRun.Outcome.APPLIED and run.created == 3


def test_a_sheet_of_shared_strings_imports_as_its_text(tmp_path):
    texts = ["reference", "surname", "forenames", "date_of_birth", "risk_tier", "registered_on",
             "R-7", "Ó Súilleabháin", "Ciarán & co", "low"]
    header = bombs.row(1, (bombs.shared(1, c, i) for c, i in zip((1, 2, 3, 4, 5, 7), range(6), strict=True)))
    data = bombs.row(2, [bombs.shared(2, 1, 6), bombs.shared(2, 2, 7), bombs.shared(2, 3, 8),
                         bombs.inline(2, 4, "1989-01-14"), bombs.shared(2, 5, 9), bombs.inline(2, 7, "2011-02-17")])
    path = bombs.write_xlsx(tmp_path / "shared.xlsx", [header, data], strings=map(bombs.string_item, texts))

    run = load("register", path)

    assert run.outcome == ImportRun.Outcome.APPLIED, run.report
    assert list(Offender.objects.values_list("reference", "surname", "forenames")) == [
        ("R-7", "Ó Súilleabháin", "Ciarán & co")]


def test_a_bomb_is_refused_while_another_import_holds_the_lock(tmp_path, settings):
    """Reading comes before the lock: a refused file never waits for it, and never holds it."""
    settings.CASELOAD_IMPORT_MAX_SHARED_STRINGS_MB = 1
    path = bombs.write_xlsx(tmp_path / "strings.xlsx", [bombs.header_row()],
                            strings=bombs.repeated(bombs.string_item("x" * 1000), 2 << 20))
    params = connection.get_connection_params()
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s)", [engine.LOCK])
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '5s'")
        try:
            refusal(load("register", path))
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = 0")


def with_part(path, name: str, pieces) -> None:
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive, archive.open(name, "w") as part:
        for piece in pieces:
            part.write(piece)


def test_a_part_openpyxl_reads_whole_is_scanned_whatever_its_type(tmp_path):
    """openpyxl opens xl/styles.xml by its name; the content types need not mention it."""
    path = bombs.write_xlsx(tmp_path / "styles.xlsx", [bombs.header_row(), bombs.good_row(2)])
    with_part(path, "xl/styles.xml", [b'<styleSheet xmlns="x">', *bombs.repeated(b"<a/>", 1 << 20), b"</styleSheet>"])

    error = refusal(load("register", path))

    assert "xl/styles.xml holds more than 100,000 elements outside its rows" in error["message"]


def test_a_tag_longer_than_any_spreadsheet_writes_is_refused_before_it_is_held(tmp_path):
    huge = b'<row r="2"><c r="A2" a="' + b"z" * (3 << 20) + b'"/></row>'
    path = bombs.write_xlsx(tmp_path / "tag.xlsx", [bombs.header_row(), huge])

    error = refusal(load("register", path))

    assert "holds a tag longer than 2 MB" in error["message"]


def test_elements_nested_deeper_than_any_spreadsheet_writes_are_refused(tmp_path):
    path = bombs.write_xlsx(tmp_path / "deep.xlsx", [bombs.header_row(), b"<a>" * 100 + b"</a>" * 100])

    error = refusal(load("register", path))

    assert "nests elements more than 64 deep" in error["message"]
