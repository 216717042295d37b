"""What the dashboard tests share: two overdue visits in North, and reading a table's cells and its downloads."""

import csv
import datetime as dt
import io
import re
from decimal import Decimal, InvalidOperation

import pytest
from django.utils.formats import localize
from django.utils.html import conditional_escape
from openpyxl import load_workbook

from offenders.models import Offender
from tests.factories import OffenderFactory, VisitFactory, tier
from visits.flagging import flags_refresh
from visits.models import Review, ReviewKind
from visits.reviews import review_open_first
from visits.selectors import today


def days_ago(n: int) -> dt.date:
    return today() - dt.timedelta(days=n)


def cells_both_ways(table) -> tuple[list[list[str]], list[list[str]]]:
    """A table's page as django-tables2 renders each cell, and as the table's own rows do (visits/table_rows.py)."""
    theirs = [[conditional_escape(localize(cell)) for _, cell in row.items()] for row in table.paginated_rows]
    ours = [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table.body_html())]
    return theirs, ours


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def as_read(value):
    """A cell as a reader takes it: blank for nothing, dates ISO 8601, numbers as numbers (the CSV's 1.00 is
    the spreadsheet's 1)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return value


def exports_read(client, url: str) -> tuple[list[list], list[list]]:
    """The table at `url` downloaded as CSV and as XLSX, each cell as a reader takes it (as_read)."""
    csv_rows = read_csv(client.get(url, {"_export": "csv"}))
    workbook = load_workbook(io.BytesIO(client.get(url, {"_export": "xlsx"}).content))
    return ([[as_read(value) for value in row] for row in csv_rows],
            [[as_read(value) for value in row] for row in workbook.active.values])


@pytest.fixture
def overdue_in_north(charlie):
    """Two overdue visits in North, the two offenders' overdue assessment reviews (never assessed since their
    registration) and N-HIGH's overdue MAPPA review, flagged by the job as each morning."""
    visits = [
        VisitFactory(offender=OffenderFactory(officer=charlie.officer, reference="N-HIGH", risk_tier=tier("high")),
                     due_on=days_ago(100)),
        VisitFactory(offender=OffenderFactory(officer=charlie.officer, reference="N-LOW", risk_tier=tier("low"),
                                              forenames="=HYPERLINK(\"x\")"), due_on=days_ago(5)),
    ]
    for visit in visits:
        review_open_first(visit.offender)
    high = visits[0].offender  # a level 2 case past its MAPPA review
    Offender.objects.filter(pk=high.pk).update(mappa_level=2)
    Review.objects.create(offender=high, kind=ReviewKind.MAPPA, due_on=days_ago(10))
    flags_refresh()
    return visits
