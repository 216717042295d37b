"""Table exports. The cells are worked out by PostgreSQL, in the export's own query: a CSV is that query
copied out (COPY ... TO STDOUT) and streamed in constant memory, an XLSX (write-only openpyxl, for tables
small enough to open in a spreadsheet) reads the same cells row by row. Text that a spreadsheet would run
as a formula is neutralised in that query."""

import csv
import io
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import psycopg
from django.db import connections, transaction
from django.db.backends.utils import CursorWrapper
from django.db.models import CharField, F, Func, QuerySet, TextField
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook

from caseload.dashboards.tables import ExportColumn

FORMULA_START = "^[-=+@\t\r]"  # =, +, -, @, tab and carriage return start a formula in some spreadsheet
# Text that starts like a formula, given a leading apostrophe (CSV injection): the exports' cells and the values an
# import's error list quotes.
FORMULA_SAFE = "CASE WHEN ({value}) ~ {pattern} THEN '''' || ({value}) ELSE ({value}) END"
XLSX_MAX_ROWS = 50_000
CHUNK_ROWS = 5_000
CHUNK_BYTES = 64 * 1024
# The planner is told that every row will be read, so that it picks the plan for the whole result rather
# than for the first rows, and that parallel workers are worth their cost (the web's connections are told
# otherwise: wsgi.py); dates are written ISO 8601 whatever the server's DateStyle.
EXPORT_SETTINGS = ("SET LOCAL cursor_tuple_fraction = 1", "SET LOCAL jit = off", "SET LOCAL work_mem = '64MB'",
                   "SET LOCAL parallel_setup_cost = DEFAULT", "SET LOCAL DateStyle = 'ISO, YMD'")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class FormulaSafe(Func):
    """Text that starts like a formula gets a leading apostrophe (CSV injection); numbers and dates pass."""

    def as_sql(self, compiler, connection, **extra_context):
        (value,) = self.get_source_expressions()
        sql, params = compiler.compile(value)
        if not isinstance(value.output_field, (CharField, TextField)):
            return sql, params
        return FORMULA_SAFE.format(value=sql, pattern="%s"), (*params, FORMULA_START, *params, *params)

    @property
    def output_field(self):
        return self.get_source_expressions()[0].output_field


def export_cells(queryset: QuerySet, columns: Iterable[ExportColumn]) -> QuerySet:
    """The export's query: a tuple of cells per row, formula-safe, in the table's order."""
    cells = {
        f"cell_{i}": FormulaSafe(F(column.value) if isinstance(column.value, str) else column.value)
        for i, column in enumerate(columns)
    }
    return queryset.annotate(**cells).values_list(*cells)


def filename(base: str, extension: str) -> str:
    return f"{base}-{timezone.localdate():%Y-%m-%d}.{extension}"


def header_line(columns: Iterable[ExportColumn]) -> bytes:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # so that spreadsheets read the file as UTF-8
    csv.writer(buffer, lineterminator="\n").writerow([column.header for column in columns])
    return buffer.getvalue().encode()


@contextmanager
def export_transaction(db: str) -> Iterator[CursorWrapper]:
    """A transaction with EXPORT_SETTINGS, and a cursor in it."""
    with transaction.atomic(using=db), connections[db].cursor() as cursor:
        for setting in EXPORT_SETTINGS:
            cursor.execute(setting)
        yield cursor


def copied_out(cells: QuerySet) -> Iterator[bytes]:
    """The rows of `cells` as CSV, copied out by PostgreSQL in about CHUNK_BYTES pieces. A plain COPY lives
    in a transaction; a download cut short rolls it back and the server stops sending."""
    sql, params = cells.query.sql_with_params()
    with export_transaction(cells.db) as cursor:
        query = psycopg.ClientCursor(cursor.connection).mogrify(sql, params)
        buffer = bytearray()
        with cursor.cursor.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)") as copy:
            for row in copy:
                buffer += row
                if len(buffer) >= CHUNK_BYTES:
                    yield bytes(buffer)
                    buffer.clear()
        yield bytes(buffer)


def csv_response(queryset: QuerySet, columns: Iterable[ExportColumn], base: str) -> StreamingHttpResponse:
    """A CSV download that streams: memory stays flat however many rows there are. Empty values are blank,
    dates ISO 8601."""
    columns = list(columns)

    def body() -> Iterator[bytes]:
        yield header_line(columns)
        yield from copied_out(export_cells(queryset, columns))

    response = StreamingHttpResponse(body(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename(base, "csv")}"'
    return response


def too_big_for_xlsx(queryset: QuerySet) -> bool:
    """Whether the export has more rows than XLSX_MAX_ROWS, counting no further than that."""
    return queryset.order_by()[: XLSX_MAX_ROWS + 1].count() > XLSX_MAX_ROWS


def xlsx_response(queryset: QuerySet, columns: Iterable[ExportColumn], base: str) -> HttpResponse:
    """An XLSX download for a table of at most XLSX_MAX_ROWS rows, dates and numbers kept as such."""
    columns = list(columns)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(base.replace("-", " ").capitalize()[:31])
    sheet.append([column.header for column in columns])
    cells = export_cells(queryset, columns)
    with export_transaction(cells.db):
        for row in cells.iterator(chunk_size=CHUNK_ROWS):
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename(base, "xlsx")}"'
    return response
