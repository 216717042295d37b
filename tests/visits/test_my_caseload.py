import datetime as dt

import pytest
from django.urls import reverse

from tests.factories import OffenderFactory, VisitFactory, tier
from tests.visits.conftest import TODAY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def references(response):
    return [row.record.reference for row in response.context["table"].paginated_rows]


@pytest.fixture
def caseload(charlie):
    officer = charlie.officer
    soon = VisitFactory(offender=OffenderFactory(officer=officer, reference="SOON"), due_on=TODAY + dt.timedelta(3))
    late = VisitFactory(offender=OffenderFactory(officer=officer, reference="LATE", risk_tier=tier("high")),
                        due_on=TODAY - dt.timedelta(10))
    later = VisitFactory(offender=OffenderFactory(officer=officer, reference="LATER"), due_on=TODAY + dt.timedelta(60))
    OffenderFactory(officer=officer, reference="JAILED", status="custody")
    OffenderFactory(officer=officer, reference="GONE", status="missing")
    return soon, late, later


def test_the_most_urgent_come_first_missing_then_overdue_then_next_due(client, charlie, caseload):
    client.force_login(charlie)
    response = client.get(reverse("visits:my_caseload"))
    assert references(response) == ["GONE", "LATE", "SOON", "LATER", "JAILED"]
    assert "10 days overdue" in response.text and "in 3 days" in response.text


def test_an_officer_sees_only_their_own_caseload(client, dave, caseload):
    VisitFactory(offender=OffenderFactory(officer=dave.officer, reference="SOUTH-1"))
    client.force_login(dave)
    assert references(client.get(reverse("visits:my_caseload"))) == ["SOUTH-1"]


def test_a_supervisor_sees_their_teams_caseloads_with_the_officer_column(client, bob, dave, caseload):
    OffenderFactory(officer=dave.officer, reference="SOUTH-1")
    client.force_login(bob)
    response = client.get(reverse("visits:my_caseload"))
    assert "SOUTH-1" not in references(response)
    assert len(references(response)) == 5
    assert "Officer" in [column.header for column in response.context["table"].columns]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"due": "overdue"}, ["LATE"]),
        ({"due": "week"}, ["LATE", "SOON"]),
        ({"due": "unscheduled"}, ["GONE", "JAILED"]),
        ({"status": "custody"}, ["JAILED"]),
        ({"q": "late"}, ["LATE"]),
    ],
)
def test_the_caseload_can_be_filtered(client, charlie, caseload, query, expected):
    client.force_login(charlie)
    assert references(client.get(reverse("visits:my_caseload"), query)) == expected


def test_the_caseload_can_be_filtered_by_tier(client, charlie, caseload):
    client.force_login(charlie)
    assert references(client.get(reverse("visits:my_caseload"), {"risk_tier": tier("high").pk})) == ["LATE"]


def test_every_column_of_the_caseload_sorts(client, bob, caseload):
    client.force_login(bob)
    table = client.get(reverse("visits:my_caseload")).context["table"]
    for column in table.columns:
        if column.orderable:
            for direction in ("", "-"):
                response = client.get(reverse("visits:my_caseload"), {"sort": f"{direction}{column.name}"})
                assert response.status_code == 200, column.name
