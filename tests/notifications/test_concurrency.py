"""A notifications import and an officer recording a notification for the same offender at the same moment, on real
separate database connections: each waits for the other, and the case ends with one open notification due."""

import datetime as dt

import pytest

from caseload.imports.services import import_file
from notifications.services import notification_record
from offenders.models import ImportRun, Offender
from tests.factories import OffenderFactory
from tests.visits.test_concurrency import race
from visits import reviews
from visits.models import Review, ReviewKind

D = dt.date


@pytest.mark.parametrize("attempt", range(3))
def test_an_import_and_a_recorded_notification_at_once_leave_one_open_notification_after_the_later(
        transactional_db, charlie, tmp_path, attempt):
    offender = OffenderFactory(officer=charlie.officer, reference="N-RACE", registered_on=D(2012, 1, 4))
    reviews.notification_open_first(offender, last_notified_on=D(2015, 1, 10))
    path = tmp_path / "notifications.csv"
    path.write_text("reference,notified_on,kind\nN-RACE,2016-01-05,periodic\n")

    def recorded():
        return notification_record(offender=Offender.objects.get(pk=offender.pk), user=charlie,
                                   notified_on=D(2016, 2, 1), kind="periodic")

    results = race(lambda: import_file(kind="notifications", path=path), recorded)

    assert not any(isinstance(result, Exception) for result in results), results
    assert results[0].outcome == ImportRun.Outcome.APPLIED
    open_items = Review.objects.filter(offender=offender, kind=ReviewKind.NOTIFICATION, closed_on__isnull=True)
    assert list(open_items.values_list("due_on", flat=True)) == [D(2017, 2, 1)]
    assert Offender.objects.get(pk=offender.pk).last_notified_on == D(2016, 2, 1)
