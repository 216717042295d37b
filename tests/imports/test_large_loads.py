"""A large register load checks keys once and builds indexes once: same result, same schema afterwards."""

import pytest
from django.db import connection

from offenders.models import ImportRun, Offender
from tests.imports.conftest import load
from tests.imports.test_semantics import HEADER, R1, R2, om100, open_visit  # noqa: F401 (fixture)
from visits.models import Visit, VisitStatus

pytestmark = pytest.mark.django_db
TABLES = ("offenders_offender", "visits_visit", "offenders_offenderevent", "visits_visitevent")


@pytest.fixture
def large(settings):
    """Every load counts as large."""
    settings.CASELOAD_IMPORT_BULK_ROWS = 1


def schema() -> list[tuple]:
    """The foreign keys (with whether they are checked) and indexes of the tables a register import loads."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), convalidated FROM pg_constraint"
            " WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])"
            " UNION ALL SELECT tablename, indexname, '', true FROM pg_indexes WHERE tablename = ANY(%s)"
            " ORDER BY 1, 2",
            [list(TABLES), list(TABLES)],
        )
        return cursor.fetchall()


def test_a_large_load_writes_what_a_small_one_does(write, om100, as_of_essex, large):  # noqa: F811
    run = load("register", write("\n".join([HEADER, R1, R2])))

    assert (run.outcome, run.created) == (ImportRun.Outcome.APPLIED, 2)
    assert open_visit("R-1").due_on.isoformat() == "2016-12-02"
    assert Visit.objects.filter(status=VisitStatus.COMPLETED, import_run=run).count() == 2
    assert run.history_left_out_at is not None  # its inserts' history: test_history_of_large_loads.py


def test_a_large_load_leaves_every_key_checked_and_every_index_in_place(write, om100, as_of_essex, large):  # noqa: F811
    before = schema()

    load("register", write("\n".join([HEADER, R1, R2])))

    assert schema() == before
    assert all(checked for *_, checked in before)


def test_a_large_load_keeps_the_register_unique_by_reference(write, om100, as_of_essex, large):  # noqa: F811
    load("register", write("\n".join([HEADER, R1])))
    run = load("register", write("\n".join([HEADER, R1.replace("R-1", "r-1"), R2])))

    assert (run.created, run.unchanged) == (1, 1)
    assert Offender.objects.filter(reference__iexact="R-1").count() == 1


def test_a_failed_large_load_puts_keys_and_indexes_back(write, om100, as_of_essex, large, monkeypatch):  # noqa: F811
    from caseload.imports import register

    before = schema()

    def broken(cursor, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(register, "write", broken)
    run = load("register", write("\n".join([HEADER, R1])))

    assert run.outcome == ImportRun.Outcome.FAILED
    assert schema() == before
    assert not Offender.objects.exists()


def test_a_key_that_fails_its_check_after_the_import_is_left_checking_new_rows(
    write, om100, as_of_essex, large  # noqa: F811
):
    from caseload.imports import bulk, engine, register

    load("register", write("\n".join([HEADER, R1])))
    with connection.cursor() as cursor:
        cursor.execute("SELECT conname FROM pg_constraint WHERE conrelid = 'visits_visit'::regclass"
                       " AND contype = 'f' AND pg_get_constraintdef(oid) LIKE 'FOREIGN KEY (officer_id)%'")
        (name,) = cursor.fetchone()
        cursor.execute(f'ALTER TABLE visits_visit DROP CONSTRAINT "{name}"')
        cursor.execute("UPDATE visits_visit SET officer_id = officer_id + 1000000")
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # fire the history triggers the update queued
        cursor.execute(f'ALTER TABLE visits_visit ADD CONSTRAINT "{name}" FOREIGN KEY (officer_id)'
                       " REFERENCES offenders_officer (id) DEFERRABLE INITIALLY DEFERRED NOT VALID")

    assert bulk.check_keys_set_aside(tables=register.BULK_KEYS, lock=engine.LOCK) is False
    assert (name, False) in [(n, checked) for _, n, _, checked in schema()]
