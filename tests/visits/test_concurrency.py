"""Two officers at the same door, each pressing "Log visit" at the same moment, on real separate
database connections (one per thread)."""

import datetime as dt
import threading

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from tests.factories import OffenderFactory, OfficerFactory, UserFactory, VisitFactory, tier
from visits import services
from visits.models import Visit, VisitStatus


def race(*calls):
    """Run each call in its own thread and connection, released together by a barrier."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as error:  # noqa: BLE001 (the test inspects whatever happened)
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_two_officers_logging_the_same_visit_at_once_make_one_completion_and_one_next_visit(
    transactional_db, charlie, north
):
    erin = UserFactory(username="erin", role="Officer")
    OfficerFactory(staff_id="OM101", team=north, user=erin)
    offender = OffenderFactory(officer=charlie.officer, risk_tier=tier("high"))
    visit = VisitFactory(offender=offender, due_on=timezone.localdate())
    visited_on = timezone.localdate()

    def log(user):
        return lambda: services.visit_log(offender=offender, visit_id=visit.pk, user=user, visited_on=visited_on,
                                          kind=Visit.Kind.HOME_UNANNOUNCED, outcome=Visit.Outcome.SEEN)

    results = race(log(charlie), log(erin))

    completions = Visit.objects.filter(offender=offender, status=VisitStatus.COMPLETED)
    assert completions.count() == 1
    next_visits = Visit.objects.filter(offender=offender, status=VisitStatus.SCHEDULED)
    assert list(next_visits.values_list("due_on", flat=True)) == [visited_on + dt.timedelta(days=91)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(refused) == 1, results
    assert isinstance(refused[0], ValidationError) and refused[0].code == "conflict"
    winner = completions.get().recorded_by.username
    assert f"already logged by {winner}" in refused[0].messages[0]
