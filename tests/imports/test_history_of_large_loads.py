"""A large load leaves the rows it inserts out of the change history until they first change; the history still
answers "what did this record look like on day D, and who made it so" for every one of them."""

import datetime as dt

import pgtrigger
import pytest
from django.db import connection

from caseload.imports import bulk
from offenders.history import history_context, state_on
from offenders.models import ImportRun, Offender, OffenderEvent
from tests.factories import OffenderFactory, tier
from tests.imports.conftest import load
from tests.imports.test_large_loads import large  # noqa: F401 (fixture)
from tests.imports.test_semantics import HEADER, R1, R2, om100, open_visit  # noqa: F401 (fixture)
from visits import services
from visits.models import Visit, VisitEvent

pytestmark = pytest.mark.django_db
INSTALLED = dict.fromkeys(bulk.HISTORY_LEFT_OUT, "INSTALLED")
# The history is stamped by the database's clock, which the tests do not move.
JUST_BEFORE = dt.timedelta(microseconds=1)


def events_of(model, pk) -> list[str]:
    return list(model.objects.filter(pgh_obj_id=pk).order_by("pgh_id").values_list("pgh_label", flat=True))


def event(model, pk, label):
    return model.objects.get(pgh_obj_id=pk, pgh_label=label)


@pytest.fixture
def loaded(write, om100, as_of_essex, large):  # noqa: F811
    """R-1 and R-2 loaded by a large load on the Essex day."""
    return load("register", write("\n".join([HEADER, R1, R2])))


def test_a_large_load_copies_none_of_its_inserts_into_the_history_and_says_so(loaded):
    assert loaded.outcome == ImportRun.Outcome.APPLIED
    assert loaded.history_left_out_at is not None
    assert not OffenderEvent.objects.exists()
    assert not VisitEvent.objects.exists()


def test_a_small_load_copies_its_inserts_as_every_write_does(write, om100, as_of_essex):  # noqa: F811
    run = load("register", write("\n".join([HEADER, R1])))

    assert run.history_left_out_at is None
    assert OffenderEvent.objects.filter(import_run=run, pgh_label="insert").count() == 1


def test_a_row_never_changed_is_its_own_history(loaded):
    offender = Offender.objects.get(reference="R-1")

    state = state_on(Offender, offender.pk, offender.created_at)

    assert (state.label, state.import_run_id, state.values["surname"]) == ("insert", loaded.pk, "Nowak")
    assert state_on(Offender, offender.pk, offender.created_at - JUST_BEFORE) is None


@pytest.mark.django_db(transaction=True)  # each write its own transaction, and time
def test_its_first_change_keeps_the_state_it_was_loaded_in_before_the_change(loaded, bob):
    offender = Offender.objects.get(reference="R-1")
    with history_context(user=bob.pk):
        services.offender_change_status(offender=offender, status="custody", user=bob, reason="Recalled")

    assert events_of(OffenderEvent, offender.pk) == ["insert", "update"]
    first, change = event(OffenderEvent, offender.pk, "insert"), event(OffenderEvent, offender.pk, "update")
    assert (first.status, first.import_run_id, first.pgh_created_at) == ("community", loaded.pk, offender.created_at)
    assert state_on(Offender, offender.pk, change.pgh_created_at - JUST_BEFORE).values["status"] == "community"
    changed = state_on(Offender, offender.pk, change.pgh_created_at)
    assert (changed.values["status"], changed.context["user"]) == ("custody", bob.pk)


def test_later_changes_do_not_record_the_first_state_again(loaded, bob):
    offender = Offender.objects.get(reference="R-1")
    Offender.objects.filter(pk=offender.pk).update(postcode="CM1 1AA")
    Offender.objects.filter(pk=offender.pk).update(postcode="CM2 2BB")

    assert events_of(OffenderEvent, offender.pk) == ["insert", "update", "update"]


@pytest.mark.django_db(transaction=True)  # each write its own transaction, and time
def test_a_visit_logged_against_a_loaded_visit_keeps_the_visit_as_it_was_loaded(loaded, bob):
    offender = Offender.objects.get(reference="R-2")
    visit = open_visit("R-2")
    services.visit_complete(offender=offender, visit_id=visit.pk, user=bob, visited_on=dt.date(2016, 11, 14),
                            kind=Visit.Kind.HOME_UNANNOUNCED)

    assert events_of(VisitEvent, visit.pk) == ["insert", "update"]
    logged = event(VisitEvent, visit.pk, "update").pgh_created_at
    assert state_on(Visit, visit.pk, logged - JUST_BEFORE).values["status"] == "scheduled"
    assert state_on(Visit, visit.pk, logged).values["status"] == "completed"


@pytest.mark.django_db(transaction=True)  # each write its own transaction, and time
def test_a_loaded_row_deleted_unchanged_keeps_its_first_state_and_its_deletion(loaded):
    visit = Visit.objects.get(offender__reference="R-1", status="completed")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM visits_visit WHERE id = %s", [visit.pk])

    assert events_of(VisitEvent, visit.pk) == ["insert", "delete"]
    deleted = event(VisitEvent, visit.pk, "delete").pgh_created_at
    assert state_on(Visit, visit.pk, deleted - JUST_BEFORE).values["completed_on"] == dt.date(2015, 12, 1)
    assert state_on(Visit, visit.pk, deleted) is None


def test_a_failed_large_load_leaves_the_history_switched_on(write, om100, as_of_essex, large, monkeypatch):  # noqa: F811
    from caseload.imports import register

    def broken(cursor, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(register, "write", broken)
    run = load("register", write("\n".join([HEADER, R1])))
    run.refresh_from_db()

    assert (run.outcome, run.history_left_out_at) == (ImportRun.Outcome.FAILED, None)
    assert insert_triggers() == INSTALLED


def test_a_large_load_puts_the_history_back_for_the_next_writes(loaded):
    assert insert_triggers() == INSTALLED
    offender = OffenderFactory(risk_tier=tier("low"))
    assert events_of(OffenderEvent, offender.pk) == ["insert"]


def insert_triggers() -> dict[str, str]:
    """The installation status, as pgtrigger sees it, of the history's insert trigger on each table a large load
    leaves out of the history."""
    return {model._meta.db_table: trigger.get_installation_status(model)[0] for model, trigger in pgtrigger.registered()
            if model._meta.db_table in bulk.HISTORY_LEFT_OUT and trigger.name == "insert_insert"}
