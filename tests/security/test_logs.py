"""No offender's name or address reaches a log line: the main flows are run with every logger
at DEBUG, through the handlers the settings configure, and their output is searched."""

import io
import logging

import pytest
from django.db import IntegrityError, transaction

from offenders.models import Offender
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def log_output(settings):
    settings.DEBUG = True  # the most talkative setting: queries would be logged if anything let them
    root = logging.getLogger()
    console = next(h for h in root.handlers if h.get_name() == "console")
    stream, level = io.StringIO(), root.level
    previous = console.setStream(stream)
    root.setLevel(logging.DEBUG)
    yield stream
    root.setLevel(level)
    console.setStream(previous)


def secrets_of(*offenders):
    return [value for o in offenders for value in (o.surname, o.forenames, o.address, o.postcode)]


def assert_nothing_leaked(output: str, world):
    for value in secrets_of(world.north_offender, world.south_offender):
        assert value not in output, f"{value!r} appeared in the log"


def test_signing_in_opening_records_and_the_admin_log_no_names_or_addresses(client, world, log_output):
    client.post("/login/", {"username": "charlie", "password": "wrong"})
    client.post("/login/", {"username": world.north_offender.surname, "password": "wrong"})
    client.post("/login/", {"username": "charlie", "password": PASSWORD})
    client.get("/visits/mine/")
    client.get(f"/visits/offenders/{world.north_offender.pk}/")
    client.get(f"/visits/offenders/{world.south_offender.pk}/")  # out of scope: a 404 is logged
    client.force_login(world.alice)
    world.alice.is_superuser = True
    world.alice.save()
    client.get("/admin/offenders/offender/")
    client.get("/admin/offenders/offender/", {"q": world.north_offender.surname})
    client.get(f"/admin/offenders/offender/{world.north_offender.pk}/change/")
    client.get("/admin/pghistory/events/")
    output = log_output.getvalue()
    assert "Not Found" in output  # the capture works
    assert_nothing_leaked(output, world)


def test_a_database_error_quoting_the_row_is_redacted(world, log_output):
    try:
        with transaction.atomic():
            Offender.objects.filter(pk=world.north_offender.pk).update(mappa_level=9)
    except IntegrityError as error:
        assert world.north_offender.surname in str(error)  # Postgres quotes the row...
        logging.getLogger("caseload.imports").exception("Import failed: %s", error)
    output = log_output.getvalue()
    assert "Failing row contains (redacted)" in output  # ...and the log does not
    assert_nothing_leaked(output, world)


def test_a_duplicate_key_value_is_redacted(world, log_output):
    from tests.factories import OffenderFactory

    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        OffenderFactory(reference=world.north_offender.reference.lower(), officer=world.north_officer)
    logging.getLogger("caseload.imports").error("Import failed", exc_info=caught.value)
    output = log_output.getvalue()
    assert "=(redacted)" in output and world.north_offender.reference.lower() not in output
