"""orders.csv: the civil orders on offenders, each its offender, kind and start date; a row adds the order or
corrects its end and conditions."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from notifications.models import CivilOrder
from offenders.models import ImportRun, Offender
from tests.imports.conftest import errors_of, load
from tests.imports.test_semantics import HEADER, R1, om100  # noqa: F401 (fixture)
from visits import rules

pytestmark = pytest.mark.django_db
ORDERS = "reference,kind,starts_on,ends_on,conditions"


@pytest.fixture
def registered(write, om100, as_of_essex):  # noqa: F811
    """R-1, born 14 January 1989, registered in 2011, with no order on record."""
    load("register", write("\n".join([HEADER, R1]), name="register.csv"))
    return Offender.objects.get(reference="R-1")


def test_the_orders_of_a_file_are_recorded_with_their_dates_and_conditions(write, registered):
    run = load("orders", write(f"""{ORDERS}
        r-1,SHPO,2014-05-01,,No unsupervised contact with children under 16
        R-1,travel_prohibition,2015-01-01,2016-12-31,"""))

    assert (run.outcome, run.created, run.updated) == (ImportRun.Outcome.APPLIED, 2, 0)
    assert list(registered.orders.order_by("starts_on").values_list("kind", "starts_on", "ends_on", "conditions")) == [
        ("shpo", dt.date(2014, 5, 1), None, "No unsupervised contact with children under 16"),
        ("travel_prohibition", dt.date(2015, 1, 1), dt.date(2016, 12, 31), "")]
    assert CivilOrder.objects.filter(rules.shpo_in_force(dt.date(2016, 11, 14)), offender=registered).exists()
    assert all(order.import_run == run for order in registered.orders.all())


def test_importing_the_same_file_again_changes_nothing_and_says_so(write, registered):
    path = write(f"{ORDERS}\nR-1,shpo,2014-05-01,,\nR-1,other,2015-01-01,2019-01-01,Curfew")
    load("orders", path)
    again = load("orders", path)

    assert (again.outcome, again.created, again.updated, again.unchanged) == (ImportRun.Outcome.UNCHANGED, 0, 0, 2)
    assert not CivilOrder.objects.filter(import_run=again).exists()


def test_an_order_whose_end_or_conditions_differ_is_updated_and_a_missing_column_is_left_alone(write, registered):
    load("orders", write(f"{ORDERS}\nR-1,shpo,2014-05-01,,Curfew\nR-1,other,2015-01-01,,Curfew"))
    run = load("orders", write(f"{ORDERS}\nR-1,shpo,2014-05-01,2019-05-01,Curfew\nR-1,other,2015-01-01,,Curfew 9pm",
                               name="2.csv"))
    ends_only = load("orders", write("reference,kind,starts_on,ends_on\nR-1,other,2015-01-01,2017-01-01",
                                     name="3.csv"))

    assert (run.outcome, run.created, run.updated) == (ImportRun.Outcome.APPLIED, 0, 2)
    assert (ends_only.created, ends_only.updated) == (0, 1)
    assert list(registered.orders.order_by("starts_on").values_list("ends_on", "conditions")) == [
        (dt.date(2019, 5, 1), "Curfew"), (dt.date(2017, 1, 1), "Curfew 9pm")]


def test_a_dry_run_counts_as_the_import_would_and_writes_nothing(write, registered):
    load("orders", write(f"{ORDERS}\nR-1,shpo,2014-05-01,,"))
    run = load("orders", write(f"{ORDERS}\nR-1,shpo,2014-05-01,2019-05-01,\nR-1,other,2015-01-01,,", name="2.csv"),
               dry_run=True)

    assert (run.outcome, run.created, run.updated) == (ImportRun.Outcome.DRY_RUN, 1, 1)
    assert list(registered.orders.values_list("kind", "ends_on")) == [("shpo", None)]


def test_every_bad_row_is_named_with_its_column_and_what_is_wrong_and_nothing_is_written(write, registered):
    run = load("orders", write(f"""{ORDERS}
        R-9,shpo,2014-05-01,,
        R-1,curfew,2014-05-01,,
        R-1,shpo,2016-12-01,,
        R-1,shpo,1980-01-01,,
        R-1,other,2015-01-01,2014-12-31,
        R-1,travel_prohibition,2015-01-01,,
        r-1,Travel_Prohibition,2015-01-01,2016-01-01,"""))

    assert run.outcome == ImportRun.Outcome.INVALID
    assert errors_of(run) == [
        (2, "reference", "R-9"), (3, "kind", "curfew"), (4, "starts_on", "2016-12-01"), (5, "starts_on", "1980-01-01"),
        (6, "ends_on", "2014-12-31"), (8, "starts_on", "2015-01-01")]
    messages = [e["message"] for e in run.report["errors"]]
    assert messages == [
        "is not on the register: import the register first",
        "is not one of: shpo, travel_prohibition, notification_order, other",
        "is in the future: import an order once it is in force",
        "is before the offender's date of birth",
        "is before starts_on (2015-01-01)",
        "is the same order as row 7 (same offender, kind and start date)"]
    assert not CivilOrder.objects.exists()


def test_the_valid_rows_only_are_imported_when_asked(write, registered):
    run = load("orders", write(f"{ORDERS}\nR-1,shpo,2014-05-01,,\nR-1,shpo,2016-05-01,2016-01-01,"),
               valid_rows_only=True)

    assert (run.outcome, run.created, run.error_count, run.report["rows_left_out"]) == (
        ImportRun.Outcome.APPLIED, 1, 1, 1)
    assert list(registered.orders.values_list("starts_on", flat=True)) == [dt.date(2014, 5, 1)]


def test_the_command_fails_and_prints_every_error_with_its_row(write, registered, capsys):
    with pytest.raises(CommandError, match="Rejected"):
        call_command("import_orders", str(write(f"{ORDERS}\nR-1,shpo,2014-05-01,2014-01-01,")))

    assert "row 2, ends_on: '2014-01-01' is before starts_on (2014-05-01)" in capsys.readouterr().err
    assert not CivilOrder.objects.exists()
    call_command("import_orders", str(write(f"{ORDERS}\nR-1,shpo,2014-05-01,,", name="ok.csv")))
    assert "Applied: 1 rows, 1 created" in capsys.readouterr().out
