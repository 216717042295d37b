"""Table exports: CSV streamed from a server-side cursor in constant memory, and XLSX (write-only
openpyxl) for tables small enough to open in a spreadsheet. Cells that a spreadsheet would run as
a formula are neutralised."""

import csv
import io
from collections.abc import Iterable, Iterator

from django.db import connections, transaction
from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook

from caseload.dashboards.tables import ExportColumn

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_MAX_ROWS = 50_000
CHUNK_ROWS = 5_000
EXPORT_SETTINGS = ("SET LOCAL cursor_tuple_fraction = 1", "SET LOCAL jit = off", "SET LOCAL work_mem = '64MB'")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value):
    """Text that starts like a formula gets a leading apostrophe (CSV injection); other values pass."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def export_rows(queryset: QuerySet, columns: Iterable[ExportColumn]) -> Iterator[list]:
    """The header, then one plain row per record, read in chunks from a server-side cursor."""
    columns = list(columns)
    fields = list(dict.fromkeys(field for column in columns for field in column.fields))
    cells = [([fields.index(f) for f in column.fields], column.value) for column in columns]
    yield [column.header for column in columns]
    # A plain (not WITH HOLD) server-side cursor lives in a transaction; the planner is told that every
    # row will be read, so that it picks the plan for the whole result rather than for the first rows.
    with transaction.atomic(using=queryset.db):
        with connections[queryset.db].cursor() as cursor:
            for setting in EXPORT_SETTINGS:
                cursor.execute(setting)
        for row in queryset.values_list(*fields).iterator(chunk_size=CHUNK_ROWS):
            yield [
                neutralise(value(*(row[i] for i in positions)) if value else row[positions[0]])
                for positions, value in cells
            ]


def filename(base: str, extension: str) -> str:
    return f"{base}-{timezone.localdate():%Y-%m-%d}.{extension}"


def csv_response(queryset: QuerySet, columns: Iterable[ExportColumn], base: str) -> StreamingHttpResponse:
    """A CSV download that streams: memory stays flat however many rows there are. Empty values are
    blank and dates ISO 8601 (csv writes None as blank and str() of a date)."""

    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        buffer.write("\ufeff")  # so that spreadsheets read the file as UTF-8
        writer = csv.writer(buffer)
        batch = []
        for row in export_rows(queryset, columns):
            batch.append(row)
            if len(batch) >= 1000:
                writer.writerows(batch)
                batch.clear()
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        writer.writerows(batch)
        yield buffer.getvalue()

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename(base, "csv")}"'
    return response


def too_big_for_xlsx(queryset: QuerySet) -> bool:
    """Whether the export has more rows than XLSX_MAX_ROWS, counting no further than that."""
    return queryset.order_by()[: XLSX_MAX_ROWS + 1].count() > XLSX_MAX_ROWS


def xlsx_response(queryset: QuerySet, columns: Iterable[ExportColumn], base: str) -> HttpResponse:
    """An XLSX download for a table of at most XLSX_MAX_ROWS rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(base.replace("-", " ").capitalize()[:31])
    for row in export_rows(queryset, columns):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename(base, "xlsx")}"'
    return response
