"""The services keep the open flags current in the write's own transaction; the hourly job only has the calendar
to catch up with. While the job is writing, a service leaves its flags to a task that runs after it."""

import datetime as dt
from decimal import Decimal

import psycopg
import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from offenders.models import OffenderStatus, Team
from tests.factories import OffenderFactory, OfficerFactory, VisitFactory, tier
from tests.visits.conftest import TODAY
from visits import services
from visits.flagging import WRITE_KEY, flags_refresh, flags_refresh_for
from visits.models import Flag, FlagKind, Visit
from visits.tasks import refresh_flags_of

pytestmark = pytest.mark.django_db
HOME = Visit.Kind.HOME_UNANNOUNCED


def open_kinds(offender) -> set[str]:
    return set(Flag.objects.filter(offender=offender, cleared_at__isnull=True).values_list("kind", flat=True))


def overloaded(officer) -> bool:
    return Flag.objects.filter(officer=officer, kind=FlagKind.OVERLOADED_OFFICER, cleared_at__isnull=True).exists()


@pytest.fixture
def late_and_unseen(frozen, charlie):
    """An offender last seen 400 days ago whose visit was due 30 days ago, flagged by the morning's run."""
    offender = OffenderFactory(officer=charlie.officer, registered_on=dt.date(2010, 1, 1))
    VisitFactory(offender=offender, due_on=TODAY - dt.timedelta(days=400), status="completed",
                 completed_on=TODAY - dt.timedelta(days=400))
    visit = VisitFactory(offender=offender, due_on=TODAY - dt.timedelta(days=30))
    flags_refresh()
    assert open_kinds(offender) == {FlagKind.OVERDUE_VISIT, FlagKind.UNSEEN_OFFENDER}
    return visit


def test_logging_a_visit_closes_the_offenders_overdue_and_unseen_flags_at_once(late_and_unseen, charlie):
    services.visit_complete(offender=late_and_unseen.offender, visit_id=late_and_unseen.pk, user=charlie,
                            visited_on=TODAY, kind=HOME)
    assert open_kinds(late_and_unseen.offender) == set()


def test_the_next_run_leaves_the_flags_the_visit_closed_closed(late_and_unseen, charlie):
    services.visit_complete(offender=late_and_unseen.offender, visit_id=late_and_unseen.pk, user=charlie,
                            visited_on=TODAY, kind=HOME)
    assert flags_refresh().wrote_nothing


def test_an_offender_gone_missing_is_flagged_missing_and_no_longer_overdue(late_and_unseen, bob):
    services.offender_change_status(offender=late_and_unseen.offender, status=OffenderStatus.MISSING, user=bob,
                                    reason="Not at the address")
    assert open_kinds(late_and_unseen.offender) == {FlagKind.MISSING_OFFENDER}


def test_a_tier_raised_makes_the_overdue_flag_more_severe(late_and_unseen, bob):
    services.offender_change_tier(offender=late_and_unseen.offender, risk_tier=tier("very_high"), user=bob,
                                  reason="ARMS review")
    flag = Flag.objects.get(offender=late_and_unseen.offender, kind=FlagKind.OVERDUE_VISIT, cleared_at__isnull=True)
    assert flag.details["tier"] == "very_high" and flag.worsened_at is not None


def test_a_case_moved_to_another_officer_moves_the_overload_with_it(frozen, bob, north):
    full, light = OfficerFactory(team=north), OfficerFactory(team=north)
    OffenderFactory.create_batch(50, officer=full)
    last = OffenderFactory(officer=full)
    flags_refresh()
    assert overloaded(full)
    services.offender_reassign(offender=last, officer=light, user=bob, reason="Rebalancing")
    assert not overloaded(full) and not overloaded(light)


def test_a_team_whose_setting_an_admin_changes_is_flagged_as_the_page_is_saved(client, frozen, alice, north):
    officer = OfficerFactory(team=north)
    OffenderFactory.create_batch(40, officer=officer, risk_tier=tier("high"))  # 120% weighted capacity
    flags_refresh()
    client.force_login(alice)
    data = {"name": "North", "caseload_ceiling_per_fte": 50, "capacity_points_per_fte": 100,
            "flag_weighted_capacity": "on", "full_time_hours": 37}
    response = client.post(reverse("admin:offenders_team_change", args=[north.pk]), data)
    assert response.status_code == 302
    assert overloaded(officer)


def test_an_officers_fte_an_admin_lowers_is_flagged_as_the_page_is_saved(client, frozen, alice, north):
    officer = OfficerFactory(team=north, staff_id="OM300", name="Pat")
    OffenderFactory.create_batch(30, officer=officer)
    flags_refresh()
    client.force_login(alice)
    data = {"staff_id": "OM300", "name": "Pat", "team": north.pk, "fte": "0.5", "active": "on"}
    assert client.post(reverse("admin:offenders_officer_change", args=[officer.pk]), data).status_code == 302
    assert overloaded(officer)


def test_while_the_job_writes_a_service_leaves_its_flags_to_a_task_that_runs_after_it(transactional_db, charlie):
    visit = VisitFactory(offender=OffenderFactory(officer=charlie.officer), due_on=dt.date.today() - dt.timedelta(1))
    flags_refresh()
    with psycopg.connect(**connection.get_connection_params()) as the_job:
        the_job.execute("SELECT pg_advisory_lock(%s)", [WRITE_KEY])
        services.visit_complete(offender=visit.offender, visit_id=visit.pk, user=charlie,
                                visited_on=dt.date.today(), kind=HOME)
        assert FlagKind.OVERDUE_VISIT in open_kinds(visit.offender)  # written by nobody yet
        the_job.execute("SELECT pg_advisory_unlock(%s)", [WRITE_KEY])
    refresh_flags_of(offenders=[visit.offender_id], officers=[charlie.officer.pk])  # what the worker runs
    assert FlagKind.OVERDUE_VISIT not in open_kinds(visit.offender)


def test_keeping_flags_current_for_nobody_does_nothing(db):
    assert flags_refresh_for(offenders=[], officers=[None])


def test_a_visit_logged_moves_the_supervisors_dashboard_at_once(frozen, late_and_unseen, bob):
    client = Client()
    client.force_login(bob)
    before = client.get(reverse("dashboard")).content.decode()
    services.visit_complete(offender=late_and_unseen.offender, visit_id=late_and_unseen.pk, user=bob,
                            visited_on=TODAY, kind=HOME)
    after = client.get(reverse("dashboard")).content.decode()
    assert 'data-figure="overdue_visits">\n      <span class="figure">1<' in before
    assert 'data-figure="overdue_visits">\n      <span class="figure">0<' in after


def test_the_team_setting_decimal_capacity_is_compared_as_the_rule_says(frozen, north):
    Team.objects.filter(pk=north.pk).update(flag_weighted_capacity=True)
    officer = OfficerFactory(team=north, fte=Decimal("0.75"))
    OffenderFactory.create_batch(25, officer=officer, risk_tier=tier("high"))  # 75 points / 75 = 100.0%: not over
    flags_refresh_for(officers=[officer.pk])
    assert not overloaded(officer)
