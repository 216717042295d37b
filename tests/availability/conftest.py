import datetime as dt

import pytest

from offenders.roles import Role
from tests.factories import OffenderFactory, OfficerFactory, UserFactory, VisitFactory, tier
from tests.visits.conftest import TODAY, frozen  # noqa: F401 (the clock: 14 November 2016)


@pytest.fixture
def nina(north):
    """A second officer of North, with an account: the one who covers."""
    user = UserFactory(username="nina", role=Role.OFFICER)
    OfficerFactory(staff_id="OM102", name="Nina North", team=north, user=user)
    return user


@pytest.fixture
def charlies_cases(charlie):
    """Charlie's cases: S-1 with a visit due during the absence below, S-2 with one due long after it, S-3 with one
    already late."""
    cases = {}
    for reference, due in (("S-1", TODAY + dt.timedelta(days=5)), ("S-2", TODAY + dt.timedelta(days=90)),
                           ("S-3", TODAY - dt.timedelta(days=10))):
        cases[reference] = OffenderFactory(officer=charlie.officer, risk_tier=tier("low"), reference=reference)
        VisitFactory(offender=cases[reference], officer=charlie.officer, due_on=due)
    return cases


def fortnight_from(day=TODAY):
    return day, day + dt.timedelta(days=13)
