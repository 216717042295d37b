"""notifications.csv: the notifications offenders made, each its offender, date and kind; those later than any on
record hold the offender's notification due items one after another, a trip moves the next past the return, and a
change of address moves the offender and brings the risk assessment review forward."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from caseload.imports.tasks import preview_import
from notifications.models import Notification
from offenders.models import ImportRun, Offender
from tests.imports.conftest import errors_of, load
from tests.imports.test_semantics import HEADER, R1, om100  # noqa: F401 (fixture)
from visits import rules
from visits.models import Review, ReviewKind
from visits.selectors import open_review

pytestmark = pytest.mark.django_db
NOTIFICATIONS = "reference,notified_on,kind,details"
FULL = "reference,notified_on,kind,details,destination,departs_on,returns_on,address,postcode"


@pytest.fixture
def registered(write, om100, as_of_essex):  # noqa: F811
    """R-1, registered 17 February 2011 and never notified since: the next notification was due a year after."""
    load("register", write("\n".join([HEADER, R1]), name="register.csv"))
    return Offender.objects.get(reference="R-1")


def items(offender) -> list[tuple]:
    return list(Review.objects.filter(offender=offender, kind=ReviewKind.NOTIFICATION).order_by("due_on")
                .values_list("due_on", "closed_on"))


def test_a_notification_history_holds_one_due_item_after_another_for_past_days_counts(write, registered):
    run = load("notifications", write(f"""{NOTIFICATIONS}
        r-1,2012-02-10,initial,At Chelmsford
        R-1,2013-02-01,periodic,
        R-1,2014-03-01,periodic,late"""))

    assert (run.outcome, run.created, run.updated) == (ImportRun.Outcome.APPLIED, 3, 0)
    assert list(registered.notifications.values_list("notified_on", "kind", "details")) == [
        (dt.date(2014, 3, 1), "periodic", "late"), (dt.date(2013, 2, 1), "periodic", ""),
        (dt.date(2012, 2, 10), "initial", "At Chelmsford")]
    assert items(registered) == [
        (dt.date(2012, 2, 17), dt.date(2012, 2, 10)), (dt.date(2013, 2, 10), dt.date(2013, 2, 1)),
        (dt.date(2014, 2, 1), dt.date(2014, 3, 1)), (dt.date(2015, 3, 1), None)]
    closed = Review.objects.filter(offender=registered, kind=ReviewKind.NOTIFICATION, closed_on__isnull=False)
    assert {r.notification.notified_on for r in closed} == {dt.date(2012, 2, 10), dt.date(2013, 2, 1),
                                                             dt.date(2014, 3, 1)}
    due = Review.objects.filter(offender=registered, kind=ReviewKind.NOTIFICATION)
    assert due.filter(rules.overdue_on(dt.date(2014, 2, 15))).count() == 1  # the one due 1 February 2014
    assert not due.filter(rules.overdue_on(dt.date(2013, 6, 1))).exists()
    assert due.filter(rules.overdue_on(dt.date(2016, 11, 14))).get().due_on == dt.date(2015, 3, 1)


def test_the_import_leaves_the_due_items_that_recording_each_notification_on_the_page_leaves(write, registered):
    from notifications.services import notification_record

    load("register", write("\n".join([HEADER, R1.replace("R-1", "R-2")]), name="twin.csv"))
    twin = Offender.objects.get(reference="R-2")
    rows = [("2012-02-10", "periodic", "", "", "", ""),
            ("2013-01-20", "travel", "Spain", "2014-01-10", "2014-01-31", ""),
            ("2014-02-01", "change", "", "", "", "2 New Road"),
            ("2015-03-01", "periodic", "", "", "", ""),
            ("2016-10-01", "travel", "Malta", "2016-10-05", "2016-10-10", "")]
    header = "reference,notified_on,kind,destination,departs_on,returns_on,address"
    load("notifications", write("\n".join([header, *(f"R-1,{','.join(row)}" for row in rows)])))
    for notified_on, kind, destination, departs_on, returns_on, address in rows:
        notification_record(offender=twin, user=None, notified_on=dt.date.fromisoformat(notified_on), kind=kind,
                            destination=destination, address=address,
                            departs_on=dt.date.fromisoformat(departs_on) if departs_on else None,
                            returns_on=dt.date.fromisoformat(returns_on) if returns_on else None)

    assert items(registered) == items(twin)
    assert items(registered)[2] == (dt.date(2014, 2, 3), dt.date(2014, 2, 1))  # after the trip to Spain
    assessment_reviews = [list(o.reviews.filter(kind=ReviewKind.ASSESSMENT).values_list("due_on", "closed_on"))
                          for o in (registered, twin)]
    assert assessment_reviews[0] == assessment_reviews[1]


def test_an_older_notification_is_history_and_leaves_the_due_items_alone(write, registered):
    load("notifications", write(f"{NOTIFICATIONS}\nR-1,2016-01-05,periodic,"))
    before = items(registered)
    run = load("notifications", write(f"{NOTIFICATIONS}\nR-1,2015-01-05,periodic,\nR-1,2016-01-05,weekly,",
                                      name="older.csv"))

    assert run.created == 2
    assert items(registered) == before == [(dt.date(2012, 2, 17), dt.date(2016, 1, 5)), (dt.date(2017, 1, 5), None)]


def test_importing_the_same_file_again_changes_nothing_and_says_so(write, registered):
    path = write(f"{FULL}\nR-1,2016-01-05,change,moved,,,,2 New Road,cm1 1aa\nR-1,2016-02-01,periodic,,,,,,")
    first = load("notifications", path)
    again = load("notifications", path)

    assert (first.created, again.outcome, again.created, again.updated, again.unchanged) == (
        2, ImportRun.Outcome.UNCHANGED, 0, 0, 2)
    assert not Notification.objects.filter(import_run=again).exists()
    assert not Review.objects.filter(import_run=again).exists()
    assert not Offender.objects.filter(import_run=again).exists()


def test_a_row_that_differs_from_the_notification_on_record_updates_it(write, registered):
    load("notifications", write(f"{NOTIFICATIONS}\nR-1,2016-01-05,periodic,"))
    run = load("notifications", write(f"{NOTIFICATIONS}\nR-1,2016-01-05,periodic,Seen by PC Ward", name="2.csv"))

    assert (run.outcome, run.created, run.updated) == (ImportRun.Outcome.APPLIED, 0, 1)
    assert registered.notifications.get().details == "Seen by PC Ward"
    assert items(registered) == [(dt.date(2012, 2, 17), dt.date(2016, 1, 5)), (dt.date(2017, 1, 5), None)]


def test_a_dry_run_counts_as_the_import_would_and_writes_nothing(write, registered):
    load("notifications", write(f"{NOTIFICATIONS}\nR-1,2016-01-05,periodic,"))
    run = load("notifications", write(f"{NOTIFICATIONS}\nR-1,2016-01-05,periodic,new\nR-1,2016-03-01,change,",
                                      name="2.csv"), dry_run=True)

    assert (run.outcome, run.created, run.updated, run.unchanged) == (ImportRun.Outcome.DRY_RUN, 1, 1, 0)
    assert list(registered.notifications.values_list("details", flat=True)) == [""]
    assert items(registered) == [(dt.date(2012, 2, 17), dt.date(2016, 1, 5)), (dt.date(2017, 1, 5), None)]


def test_every_bad_row_is_named_with_its_column_and_what_is_wrong_and_nothing_is_written(write, registered):
    run = load("notifications", write(f"""{FULL}
        R-9,2016-01-01,periodic,,,,,,
        R-1,2016-12-01,periodic,,,,,,
        R-1,2010-05-01,periodic,,,,,,
        R-1,2016-01-01,monthly,,,,,,
        R-1,2016-02-01,periodic,,Spain,2016-03-01,2016-03-08,,
        R-1,2016-03-01,travel,,Spain,2016-04-08,2016-04-01,,
        R-1,2016-04-01,travel,,Spain,2016-05-01,,,
        R-1,2016-05-01,periodic,,,,,1 New Road,
        R-1,2016-06-01,change,,,,,,CM1 1AA
        R-1,2016-07-01,periodic,,,,,,
        r-1,2016-07-01,Periodic,,,,,,"""))

    assert run.outcome == ImportRun.Outcome.INVALID
    assert errors_of(run) == [
        (2, "reference", "R-9"), (3, "notified_on", "2016-12-01"), (4, "notified_on", "2010-05-01"),
        (5, "kind", "monthly"), (6, "departs_on", "2016-03-01"), (6, "destination", "Spain"),
        (6, "returns_on", "2016-03-08"), (7, "returns_on", "2016-04-01"), (8, "returns_on", ""),
        (9, "address", "1 New Road"), (10, "postcode", "CM1 1AA"), (12, "notified_on", "2016-07-01")]
    messages = {(e["row"], e["column"]): e["message"] for e in run.report["errors"]}
    assert messages[(2, "reference")] == "is not on the register: import the register first"
    assert messages[(3, "notified_on")] == "is in the future"
    assert messages[(4, "notified_on")] == "is before the offender's registration (registered_on 2011-02-17)"
    assert messages[(5, "kind")] == "is not one of: initial, periodic, weekly, change, travel"
    assert messages[(6, "destination")] == "is for travel notifications only (kind travel)"
    assert messages[(7, "returns_on")] == "is before departs_on (2016-04-08)"
    assert messages[(8, "returns_on")] == "is required when departs_on is given: a trip has both dates"
    assert messages[(9, "address")] == "is for change notifications only (kind change): the new address"
    assert messages[(10, "postcode")] == "goes with a new address: give the address too"
    assert messages[(12, "notified_on")] == "is the same notification as row 11 (same offender, date and kind)"
    assert not Notification.objects.exists()


def test_a_change_of_address_moves_the_offender_and_brings_the_assessment_review_forward(write, registered):
    load("assessments", write("reference,assessed_on,tool,risk_tier,assessor\nR-1,2016-10-01,arms,low,",
                              name="assessments.csv"))
    assert open_review(registered).due_on > dt.date(2017, 1, 1)
    run = load("notifications", write(f"{FULL}\nR-1,2016-11-01,change,moved in with his sister,,,,"
                                      "\"2 New Road, Chelmsford\",cm1 1aa"))

    registered.refresh_from_db()
    assert (registered.address, registered.postcode) == ("2 New Road, Chelmsford", "CM1 1AA")
    review = open_review(registered)
    assert review.due_on == rules.review_brought_forward(due_on=dt.date(2017, 10, 1), event_on=dt.date(2016, 11, 1))
    assert review.brought_forward_because == "New address notified"
    assert (run.report["addresses_changed"], run.report["reviews_brought_forward"]) == (1, 1)
    assert open_review(registered, ReviewKind.NOTIFICATION).due_on == dt.date(2017, 11, 1)


def test_an_offender_of_no_fixed_abode_is_due_weekly_until_a_new_address_is_notified(write, registered):
    Offender.objects.filter(pk=registered.pk).update(no_fixed_abode=True)
    load("notifications", write(f"{NOTIFICATIONS}\nR-1,2016-11-01,weekly,\nR-1,2016-11-07,weekly,"))
    assert items(registered)[1:] == [(dt.date(2016, 11, 8), dt.date(2016, 11, 7)), (dt.date(2016, 11, 14), None)]

    load("notifications", write(f"{FULL}\nR-1,2016-11-11,change,,,,,2 New Road,", name="moved.csv"))
    registered.refresh_from_db()
    assert (registered.no_fixed_abode, registered.address) == (False, "2 New Road")
    assert open_review(registered, ReviewKind.NOTIFICATION).due_on == dt.date(2017, 11, 11)


def test_an_address_notified_before_the_latest_assessment_moves_the_offender_but_not_the_review(write, registered):
    load("assessments", write("reference,assessed_on,tool,risk_tier,assessor\nR-1,2016-10-01,arms,low,",
                              name="assessments.csv"))
    due = open_review(registered).due_on
    load("notifications", write(f"{FULL}\nR-1,2016-09-01,change,,,,,2 New Road,"))

    registered.refresh_from_db()
    assert (registered.address, open_review(registered).due_on) == ("2 New Road", due)


def test_a_file_imported_again_leaves_an_address_the_register_changed_since(write, registered):
    path = write(f"{FULL}\nR-1,2016-01-05,change,,,,,2 New Road,")
    load("notifications", path)
    Offender.objects.filter(pk=registered.pk).update(address="3 Old Lane")
    load("notifications", path)

    registered.refresh_from_db()
    assert registered.address == "3 Old Lane"


def test_a_trip_notified_with_its_dates_moves_the_next_notification_falling_during_it_past_the_return(write,
                                                                                                     registered):
    load("notifications", write(f"""{FULL}
        R-1,2014-06-01,travel,,Spain,2014-07-01,2014-07-14,,
        R-1,2015-11-20,travel,,Portugal,2016-11-10,2016-11-30,,"""))

    after_trip = dt.date(2016, 11, 30) + dt.timedelta(days=rules.notify_after_return_days())
    assert items(registered) == [(dt.date(2012, 2, 17), dt.date(2014, 6, 1)),
                                 (dt.date(2015, 6, 1), dt.date(2015, 11, 20)), (after_trip, None)]
    assert after_trip == rules.notification_around_trip(due_on=dt.date(2016, 11, 20),
                                                        departs_on=dt.date(2016, 11, 10),
                                                        returns_on=dt.date(2016, 11, 30))


def test_two_notifications_of_one_day_close_one_due_item_and_the_trip_counts(write, registered):
    load("notifications", write(f"""{FULL}
        R-1,2015-11-20,travel,,Portugal,2016-11-10,2016-11-30,,
        R-1,2015-11-20,periodic,,,,,,"""))

    assert items(registered) == [(dt.date(2012, 2, 17), dt.date(2015, 11, 20)), (dt.date(2016, 12, 3), None)]
    assert open_review(registered, ReviewKind.NOTIFICATION) is not None


def test_an_offender_without_an_open_notification_item_gets_one(write, registered):
    Review.objects.filter(offender=registered, kind=ReviewKind.NOTIFICATION).delete()
    load("notifications", write(f"{NOTIFICATIONS}\nR-1,2016-01-05,periodic,"))
    Review.objects.filter(offender=registered, kind=ReviewKind.NOTIFICATION).delete()
    load("notifications", write(f"{NOTIFICATIONS}\nR-1,2015-01-05,periodic,", name="older.csv"))

    assert items(registered) == [(dt.date(2017, 1, 5), None)]


def test_the_valid_rows_only_are_imported_when_asked(write, registered):
    run = load("notifications", write(f"{NOTIFICATIONS}\nR-1,2016-01-05,periodic,\nR-9,2016-01-05,periodic,"),
               valid_rows_only=True)

    assert (run.outcome, run.created, run.error_count, run.report["rows_left_out"]) == (
        ImportRun.Outcome.APPLIED, 1, 1, 1)
    assert registered.notifications.count() == 1


def test_the_command_fails_and_prints_every_error_with_its_row(write, registered, capsys):
    with pytest.raises(CommandError, match="Rejected"):
        call_command("import_notifications", str(write(f"{NOTIFICATIONS}\nR-1,2016-12-05,periodic,")))

    assert "row 2, notified_on: '2016-12-05' is in the future" in capsys.readouterr().err
    call_command("import_notifications", str(write(f"{NOTIFICATIONS}\nR-1,2016-01-05,periodic,", name="ok.csv")))
    assert "Applied: 1 rows, 1 created" in capsys.readouterr().out


@pytest.mark.parametrize(("kind", "content"), [("notifications", f"{NOTIFICATIONS}\nR-1,2016-01-05,periodic,"),
                                               ("orders", "reference,kind,starts_on\nR-1,shpo,2014-05-01")])
def test_the_web_import_takes_notifications_and_orders(client, alice, registered, settings, tmp_path, kind, content,
                                                       django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("imports:history"),
                               {"kind": kind, "file": SimpleUploadedFile(f"{kind}.csv", content.encode())})
    run = ImportRun.objects.get(kind=kind)
    preview_import(run.pk)

    run.refresh_from_db()
    assert response.url == reverse("imports:run", args=[run.pk])
    assert (run.outcome, run.created, run.error_count) == (ImportRun.Outcome.VALIDATED, 1, 0)
