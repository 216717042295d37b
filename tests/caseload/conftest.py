"""What the dashboard tests share: two overdue visits in North, and reading a CSV download."""

import csv
import datetime as dt
import io

import pytest

from offenders.models import Offender
from tests.factories import OffenderFactory, VisitFactory, tier
from visits.flagging import flags_refresh
from visits.models import Review, ReviewKind
from visits.reviews import review_open_first
from visits.selectors import today


def days_ago(n: int) -> dt.date:
    return today() - dt.timedelta(days=n)


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


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
