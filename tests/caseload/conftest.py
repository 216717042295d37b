"""What the dashboard tests share: two overdue visits in North, and reading a CSV download."""

import csv
import datetime as dt
import io

import pytest

from tests.factories import OffenderFactory, VisitFactory, tier
from visits.flagging import flags_refresh
from visits.reviews import review_open_first
from visits.selectors import today


def days_ago(n: int) -> dt.date:
    return today() - dt.timedelta(days=n)


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


@pytest.fixture
def overdue_in_north(charlie):
    """Two overdue visits in North, and the two offenders' overdue assessment reviews (never assessed since their
    registration), flagged by the job as each morning."""
    visits = [
        VisitFactory(offender=OffenderFactory(officer=charlie.officer, reference="N-HIGH", risk_tier=tier("high")),
                     due_on=days_ago(100)),
        VisitFactory(offender=OffenderFactory(officer=charlie.officer, reference="N-LOW", risk_tier=tier("low"),
                                              forenames="=HYPERLINK(\"x\")"), due_on=days_ago(5)),
    ]
    for visit in visits:
        review_open_first(visit.offender)
    flags_refresh()
    return visits
