import datetime as dt
import threading

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection
from django.db.models.expressions import RawSQL

from offenders.models import OffenderStatus, Officer
from tests.factories import OffenderFactory, OfficerFactory, VisitFactory, tier
from visits import flagging
from visits.flagging import RUN_KEY, flags_refresh
from visits.models import Flag, FlagKind, VisitStatus
from visits.selectors import offenders_unseen

pytestmark = pytest.mark.django_db
D = dt.date(2016, 11, 14)


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def open_flags(kind=None):
    flags = Flag.objects.filter(cleared_at__isnull=True)
    return flags.filter(kind=kind) if kind else flags


def row_versions() -> list:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, xmin::text FROM visits_flag ORDER BY id")
        return cursor.fetchall()


def completed(offender, on):
    return VisitFactory(offender=offender, status=VisitStatus.COMPLETED, completed_on=on, due_on=on)


def test_it_flags_a_visit_one_day_late():
    visit = VisitFactory(due_on=D - days(1))
    result = flags_refresh(as_of=D)
    flag = open_flags(FlagKind.OVERDUE_VISIT).get()
    assert (flag.visit, flag.offender, result.open_by_kind["overdue_visit"]) == (visit, visit.offender, 1)
    assert flag.details == {"due_on": str(D - days(1)), "tier": "medium"}


def test_a_visit_due_today_is_not_flagged():
    VisitFactory(due_on=D)
    flags_refresh(as_of=D)
    assert not open_flags(FlagKind.OVERDUE_VISIT).exists()


def test_severity_rises_with_the_tier_and_once_a_whole_interval_is_missed():
    low = VisitFactory(offender=OffenderFactory(risk_tier=tier("low")), due_on=D - days(10))
    high = VisitFactory(offender=OffenderFactory(risk_tier=tier("high")), due_on=D - days(10))
    very_late = VisitFactory(offender=OffenderFactory(risk_tier=tier("high")), due_on=D - days(92))
    flags_refresh(as_of=D)
    severity = dict(open_flags(FlagKind.OVERDUE_VISIT).values_list("visit", "severity"))
    assert severity == {low.pk: 1, high.pk: 3, very_late.pk: 4}


def test_completing_the_visit_clears_its_flag_the_next_day():
    visit = VisitFactory(due_on=D - days(5))
    flags_refresh(as_of=D)
    visit.status, visit.completed_on = VisitStatus.COMPLETED, D
    visit.save()
    flags_refresh(as_of=D + days(1))
    assert Flag.objects.get(kind=FlagKind.OVERDUE_VISIT).cleared_at is not None


def test_a_second_run_with_nothing_changed_writes_nothing():
    VisitFactory(due_on=D - days(40))
    OffenderFactory(officer=None)
    OffenderFactory(status=OffenderStatus.MISSING)
    completed(OffenderFactory(risk_tier=tier("very_high")), on=D - days(100))
    flags_refresh(as_of=D)
    before = row_versions()
    result = flags_refresh(as_of=D)
    assert result.wrote_nothing
    assert row_versions() == before
    assert {"overdue_visit", "unallocated_offender", "missing_offender", "unseen_offender"} <= set(
        Flag.objects.values_list("kind", flat=True))


def test_a_flag_that_gets_worse_is_updated_in_place_and_marked_worse():
    VisitFactory(offender=OffenderFactory(risk_tier=tier("high")), due_on=D - days(30))
    flags_refresh(as_of=D)
    result = flags_refresh(as_of=D + days(70))
    flag = open_flags(FlagKind.OVERDUE_VISIT).get()
    assert (result.updated, result.raised, flag.severity) == (1, 0, 4)
    assert flag.worsened_at is not None


def test_missing_and_unallocated_offenders_are_flagged_and_missing_is_most_severe():
    missing = OffenderFactory(status=OffenderStatus.MISSING, risk_tier=tier("low"))
    unallocated = OffenderFactory(officer=None, risk_tier=tier("high"))
    OffenderFactory(officer=None, status=OffenderStatus.CUSTODY)
    flags_refresh(as_of=D)
    assert open_flags(FlagKind.MISSING_OFFENDER).get().offender == missing
    assert open_flags(FlagKind.MISSING_OFFENDER).get().severity == 5
    assert open_flags(FlagKind.UNALLOCATED_OFFENDER).get().offender == unallocated


def test_an_officer_over_the_ceiling_per_fte_is_flagged_overloaded(north):
    part_timer = OfficerFactory(team=north, fte=0.5)
    full_timer = OfficerFactory(team=north, fte=1)
    OffenderFactory.create_batch(26, officer=part_timer)
    OffenderFactory.create_batch(26, officer=full_timer)
    flags_refresh(as_of=D)
    flag = open_flags(FlagKind.OVERLOADED_OFFICER).get()
    assert flag.officer == part_timer
    assert flag.details["caseload_per_fte"] == 52.0 and flag.details["ceiling"] == 50


def test_weighted_capacity_is_flagged_only_where_the_team_turns_it_on(north, south):
    heavy_north, heavy_south = OfficerFactory(team=north), OfficerFactory(team=south)
    for officer in (heavy_north, heavy_south):  # 21 x very high (5 points) = 105% of 100 points
        OffenderFactory.create_batch(21, officer=officer, risk_tier=tier("very_high"))
    south.flag_weighted_capacity = True
    south.save()
    flags_refresh(as_of=D)
    flag = open_flags(FlagKind.OVERLOADED_OFFICER).get()
    assert flag.officer == heavy_south and flag.details["capacity_pct"] == 105.0


def test_a_mass_cancellation_empties_the_overdue_list_but_not_the_unseen_one():
    low = [OffenderFactory(risk_tier=tier("low")) for _ in range(3)]
    for offender in low:
        completed(offender, on=D - days(400))
        VisitFactory(offender=offender, due_on=D - days(35))
    flags_refresh(as_of=D)
    assert open_flags(FlagKind.OVERDUE_VISIT).count() == 3
    for visit in [offender.visits.get(status=VisitStatus.SCHEDULED) for offender in low]:
        visit.status, visit.cancelled_on, visit.cancel_reason = VisitStatus.CANCELLED, D, "Low-risk visits cancelled"
        visit.save()
    flags_refresh(as_of=D + days(1))
    assert not open_flags(FlagKind.OVERDUE_VISIT).exists()
    assert not open_flags(FlagKind.UNSEEN_OFFENDER).exists()  # 401 days: inside 365 + 183 grace
    flags_refresh(as_of=D + days(150))  # 550 days since the last visit
    assert set(open_flags(FlagKind.UNSEEN_OFFENDER).values_list("offender", flat=True)) == {o.pk for o in low}


def test_a_run_that_fails_half_way_leaves_nothing_half_written(monkeypatch):
    VisitFactory(due_on=D - days(3))
    flags_refresh(as_of=D)
    VisitFactory(due_on=D - days(3))
    complete_set = flagging.flags_wanted

    def failing_half_way(as_of, **scope):
        wanted = complete_set(as_of, **scope)
        broken = Officer.objects.annotate(flag_offender=RawSQL("1 / (id - id)", []))  # division by zero
        return {**wanted, FlagKind.MISSING_OFFENDER: broken.values("flag_offender").query.sql_with_params()}

    monkeypatch.setattr(flagging, "flags_wanted", failing_half_way)
    with pytest.raises(DatabaseError):
        flags_refresh(as_of=D + days(400))
    overdue = open_flags(FlagKind.OVERDUE_VISIT)
    assert overdue.count() == 1 and overdue.get().severity == 2


def test_a_run_finding_another_one_going_does_nothing(transactional_db):
    VisitFactory(due_on=D - days(3))
    with psycopg.connect(**connection.get_connection_params()) as other_run:
        other_run.execute("SELECT pg_advisory_lock(%s)", [RUN_KEY])
        result = flags_refresh(as_of=D)
        with pytest.raises(CommandError, match="Another flag refresh is running"):
            call_command("refresh_flags", "--as-of", str(D))
        # Let go before closing: a closed connection's server process may still hold the lock for a moment.
        other_run.execute("SELECT pg_advisory_unlock(%s)", [RUN_KEY])
    assert result.skipped and not Flag.objects.exists()
    assert flags_refresh(as_of=D).raised == Flag.objects.count() > 0


def test_two_overlapping_runs_raise_each_flag_once(transactional_db):
    VisitFactory.create_batch(20, due_on=D - days(3))
    start = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            start.wait()
            results.append(flags_refresh(as_of=D))
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sum(r.raised for r in results) == Flag.objects.count()
    assert Flag.objects.filter(kind=FlagKind.OVERDUE_VISIT).count() == 20


@pytest.mark.parametrize(("tier_code", "last_visit_days_ago", "registered_days_ago", "interval"), [
    ("high", 137, 900, None),  # 91 + 46 grace: the last day still seen
    ("high", 138, 900, None),  # the first day unseen
    ("low", None, 547, None),  # never visited, registered 365 + 183 - 1 days ago
    ("low", None, 549, None),  # never visited, past interval and grace
    ("medium", 300, 20, None),  # visited before a recent registration
    ("medium", 40, 900, 20),  # an override interval of 20 days (grace 10)
    ("very_high", 46, 900, None),  # 30 + 15 grace
])
def test_the_jobs_unseen_offenders_are_exactly_the_pages_unseen_offenders(
    alice, tier_code, last_visit_days_ago, registered_days_ago, interval
):
    offender = OffenderFactory(risk_tier=tier(tier_code), registered_on=D - days(registered_days_ago),
                               visit_interval_days=interval)
    if last_visit_days_ago is not None:
        completed(offender, on=D - days(last_visit_days_ago))
        completed(offender, on=D - days(last_visit_days_ago + 400))
    completed(OffenderFactory(registered_on=D - days(900)), on=D)  # seen today: counts from tomorrow
    flags_refresh(as_of=D)
    flagged = set(open_flags(FlagKind.UNSEEN_OFFENDER).values_list("offender", flat=True))
    assert flagged == set(offenders_unseen(user=alice, as_of=D).values_list("id", flat=True))
