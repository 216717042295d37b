import datetime as dt

import pytest

from offenders.models import Officer
from tests.factories import OffenderFactory, OfficerFactory, VisitFactory
from visits.flagging import flags_refresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def flagged(charlie, dave, north):
    today = dt.date.today()
    mine = OffenderFactory(officer=Officer.objects.get(staff_id="OM100"), registered_on=today)
    theirs = OffenderFactory(officer=Officer.objects.get(staff_id="OM200"), registered_on=today)
    for offender in (mine, theirs):
        VisitFactory(offender=offender, due_on=today - dt.timedelta(days=3))
    busy = OfficerFactory(staff_id="OM150", team=north)
    OffenderFactory.create_batch(51, officer=busy, registered_on=today)
    flags_refresh()
    return mine, theirs


def test_a_supervisor_sees_their_teams_open_flags_and_not_others(client, bob, flagged):
    mine, theirs = flagged
    client.force_login(bob)
    page = client.get("/visits/flags/").content.decode()
    assert mine.reference in page and theirs.reference not in page
    assert "OM150" in page and "caseload 51, 51.0 per FTE against a ceiling of 50, weighted capacity 102.0%" in page
    assert mine.surname not in page


def test_flags_can_be_filtered_by_kind(client, bob, flagged):
    client.force_login(bob)
    page = client.get("/visits/flags/", {"kind": "overloaded_officer"}).content.decode()
    assert "OM150" in page and flagged[0].reference not in page


def test_an_officer_sees_only_their_own_cases_flags(client, charlie, flagged):
    client.force_login(charlie)
    page = client.get("/visits/flags/").content.decode()
    assert flagged[0].reference in page and "OM150" not in page
