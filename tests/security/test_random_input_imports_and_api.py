"""Random files at the importers and random queries at the summary API: no crash, no partial write."""

import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caseload.imports.services import import_file
from offenders.models import ImportRun, Offender, Officer, RiskAssessment
from tests.properties import (
    FUZZ,
    assert_no_server_error,
    assert_unchanged_unless_accepted,
    csv_files,
    hostile_text,
    json_values,
    row_counts,
)
from visits.models import Visit

pytestmark = pytest.mark.django_db

COLUMNS = {
    "officers": ["staff_id", "name", "team", "fte"],
    "register": ["reference", "surname", "forenames", "date_of_birth", "risk_tier", "registered_on", "officer"],
    "visits": ["reference", "due_on", "status", "completed_on"],
}
ACCEPTED = {ImportRun.Outcome.APPLIED, ImportRun.Outcome.UNCHANGED}


def import_bytes(kind: str, content: bytes) -> ImportRun:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{kind}.csv"
        path.write_bytes(content)
        return import_file(kind=kind, path=path, file_name=path.name)


@pytest.mark.parametrize("kind", sorted(COLUMNS))
def test_any_file_is_either_imported_whole_or_rejected_with_nothing_written(kind, alice):
    @FUZZ
    @given(content=csv_files(columns=COLUMNS[kind], max_rows=8))
    def check(content):
        before = row_counts(register_tables())
        run = import_bytes(kind, content)
        assert run.outcome in ACCEPTED | {ImportRun.Outcome.INVALID}, run.report
        if run.outcome == ImportRun.Outcome.INVALID:
            assert run.error_count > 0
        assert_unchanged_unless_accepted(before, accepted=run.outcome in ACCEPTED, models=register_tables())

    check()


def register_tables() -> list:
    """What an import writes; its own ImportRun row is always written, by design."""
    return [Offender, Officer, RiskAssessment, Visit]


@FUZZ
@given(content=st.binary(max_size=400))
def test_random_bytes_are_refused_as_a_file_not_a_crash(content, alice):
    before = row_counts(register_tables())
    run = import_bytes("register", b"reference,surname\n" + content)
    assert run.outcome in {ImportRun.Outcome.INVALID, ImportRun.Outcome.UNCHANGED}, run.report
    assert_unchanged_unless_accepted(before, accepted=False, models=register_tables())


@FUZZ
@given(as_of=hostile_text(40), extra=json_values(max_leaves=4))
def test_the_summary_api_answers_any_query_without_a_server_error(client, bob, as_of, extra):
    client.force_login(bob)
    response = client.get("/api/v1/summary/", {"as_of": as_of, "team": str(extra)[:100]})
    assert_no_server_error(response)
    assert response["Content-Type"].startswith("application/json")
    if response.status_code == 400:
        assert "as_of" in response.json().get("error", "") or response.json()


def test_the_summary_api_refuses_a_bad_date_saying_what_is_wrong(client, bob):
    client.force_login(bob)
    response = client.get("/api/v1/summary/", {"as_of": "2016-02-30"})
    assert response.status_code == 400
    assert "as_of" in str(response.json())
