"""The supervision pages' CSV downloads: small files (a few thousand rows at most) written in one go, with text
a spreadsheet would run as a formula given a leading apostrophe, as the dashboards' exports do
(caseload/dashboards/exports.py FORMULA_START, which this lower layer does not import)."""

import csv
import io
import re
from collections.abc import Iterable

from django.http import HttpResponse

FORMULA_START = re.compile(r"^[-=+@\t\r]")


def safe(cell):
    return f"'{cell}" if isinstance(cell, str) and FORMULA_START.match(cell) else cell


def csv_attachment(headers: Iterable[str], rows: Iterable[Iterable], filename: str) -> HttpResponse:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # so that spreadsheets read the file as UTF-8
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows([safe(cell) for cell in row] for row in rows)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def bad_filters(errors: dict) -> HttpResponse:
    return HttpResponse("The filters are not valid: " + "; ".join(
        f"{field}: {' '.join(problems)}" for field, problems in errors.items()),
        status=400, content_type="text/plain; charset=utf-8")
