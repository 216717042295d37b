from io import StringIO

import pytest
from django.core.management import call_command

from caseload.models import ApiToken
from caseload.services import api_token_create, api_tokens_revoke
from offenders.models import Officer
from tests.factories import OffenderFactory, VisitFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/summary/"


@pytest.fixture
def register(charlie, dave):
    import datetime as dt

    for staff_id in ("OM100", "OM200"):
        offender = OffenderFactory(officer=Officer.objects.get(staff_id=staff_id))
        VisitFactory(offender=offender, due_on=dt.date.today() - dt.timedelta(days=5))
    OffenderFactory(officer=None)


def bearer(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_without_a_session_or_token_it_answers_401_json_not_a_redirect(client):
    response = client.get(URL)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert "Authentication required" in response.json()["error"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_signed_in_admin_gets_the_whole_register(client, alice, register):
    client.force_login(alice)
    summary = client.get(URL).json()
    assert summary["overdue_visits"] == 2 and summary["unallocated_offenders"] == 1
    assert summary["overdue_by_tier"] == {"low": 0, "medium": 2, "high": 0, "very_high": 0}
    assert [row["staff_id"] for row in summary["officers"]] == ["OM100", "OM200"]
    assert set(summary["officers"][0]) >= {"staff_id", "team", "fte", "caseload", "caseload_per_fte", "overdue",
                                          "overloaded"}


def test_a_supervisor_sees_only_their_team_and_the_unallocated(client, bob, register):
    client.force_login(bob)
    summary = client.get(URL).json()
    assert [row["staff_id"] for row in summary["officers"]] == ["OM100"]
    assert summary["overdue_visits"] == 1 and summary["unallocated_offenders"] == 1


def test_a_token_stands_for_its_user_and_only_its_hash_is_kept(client, charlie, register):
    token, raw = api_token_create(user=charlie, name="reporting")
    assert raw not in (token.token_hash, token.prefix + "x") and token.prefix == raw[:8]
    summary = client.get(URL, **bearer(raw)).json()
    assert [row["staff_id"] for row in summary["officers"]] == ["OM100"]
    assert summary["offenders_in_community"] == 1
    assert ApiToken.objects.get().last_used_at is not None


def test_a_wrong_or_revoked_token_gets_401(client, charlie):
    token, raw = api_token_create(user=charlie, name="reporting")
    assert client.get(URL, **bearer(raw + "x")).status_code == 401
    assert client.get(URL, HTTP_AUTHORIZATION=f"Token {raw}").status_code == 401
    api_tokens_revoke(tokens=ApiToken.objects.filter(pk=token.pk))
    assert client.get(URL, **bearer(raw)).status_code == 401


def test_as_of_gives_any_past_days_figures_and_a_bad_one_says_what_is_wrong(client, alice, register):
    client.force_login(alice)
    assert client.get(URL, {"as_of": "2015-01-01"}).json()["as_of"] == "2015-01-01"
    response = client.get(URL, {"as_of": "14/11/2016"})
    assert response.status_code == 400
    assert response.json()["error"] == "Query parameter as_of: expected a date written YYYY-MM-DD, got '14/11/2016'"
    assert client.get(URL, {"as_of": "2999-01-01"}).status_code == 400


def test_the_command_prints_a_token_that_works(client, alice):
    out = StringIO()
    call_command("create_api_token", "alice", "--name", "inspectors", stdout=out, stderr=StringIO())
    assert client.get(URL, **bearer(out.getvalue().strip())).status_code == 200


def test_a_user_without_a_role_is_refused(client, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="nobody"))
    assert client.get(URL).status_code == 403
