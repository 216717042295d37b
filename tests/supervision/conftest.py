import datetime as dt

import pytest

from tests.factories import OffenderFactory, VisitFactory, tier
from tests.visits.conftest import frozen  # noqa: F401 (the visits' clock: 14 November 2016)


@pytest.fixture
def offender(charlie):
    return OffenderFactory(officer=charlie.officer, risk_tier=tier("low"), reference="S-1")


@pytest.fixture
def overdue_visit(offender):
    return VisitFactory(offender=offender, officer=offender.officer, due_on=dt.date(2016, 10, 1))
