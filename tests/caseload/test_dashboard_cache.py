"""The dashboard's figures are kept in Redis only for as long as they are true."""

import datetime as dt
import uuid

import pytest
import redis
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import OffenderFactory, UserFactory, VisitFactory
from visits.flagging import flags_refresh
from visits.selectors import today
from visits.services import visit_log
from visits.snapshots import snapshot_take

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def kept_in_redis(settings):
    """Caching on, in the real Redis, under a key prefix of this test's own."""
    settings.CASELOAD_DASHBOARD_CACHE_SECONDS = 60
    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}}


def days_ago(n: int) -> dt.date:
    return today() - dt.timedelta(days=n)


def overdue_shown(client) -> int:
    return client.get(reverse("dashboard")).context["figures"]["now"]["overdue_visits"]


def counted_visits(client) -> bool:
    """Whether viewing the dashboard read the visits (rather than the figures kept)."""
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("dashboard"))
    return any('"visits_visit"' in query["sql"] for query in queries)


def test_a_visit_scheduled_after_a_view_is_counted_at_the_next_view(client, bob, charlie):
    client.force_login(bob)
    VisitFactory(offender=OffenderFactory(officer=charlie.officer), due_on=days_ago(3))
    assert overdue_shown(client) == 1
    VisitFactory(offender=OffenderFactory(officer=charlie.officer), due_on=days_ago(3))
    assert overdue_shown(client) == 2


def test_a_visit_logged_after_a_view_is_counted_at_the_next_view(client, bob, charlie):
    offender = OffenderFactory(officer=charlie.officer, registered_on=days_ago(400))
    visit = VisitFactory(offender=offender, due_on=days_ago(3))
    client.force_login(bob)
    assert overdue_shown(client) == 1
    visit_log(offender=offender, visit_id=visit.pk, user=charlie, visited_on=days_ago(1), kind="home_announced",
              outcome="seen", notes="")
    assert overdue_shown(client) == 0


def test_the_figures_are_counted_once_while_nothing_is_written(client, bob, charlie):
    VisitFactory(offender=OffenderFactory(officer=charlie.officer), due_on=days_ago(3))
    client.force_login(bob)
    assert counted_visits(client)
    assert not counted_visits(client)


def test_a_flag_run_has_the_figures_counted_again(client, bob, charlie):
    VisitFactory(offender=OffenderFactory(officer=charlie.officer), due_on=days_ago(3))
    client.force_login(bob)
    client.get(reverse("dashboard"))
    flags_refresh()
    assert counted_visits(client)


def test_a_snapshot_taken_after_a_view_is_shown_at_the_next_view(client, bob, charlie):
    OffenderFactory(officer=charlie.officer, status="missing")
    client.force_login(bob)
    assert client.get(reverse("dashboard")).context["figures"]["month_ago"]["missing"] is None
    snapshot_take(day=days_ago(30))
    assert client.get(reverse("dashboard")).context["figures"]["month_ago"]["missing"] == 1


def test_supervisors_of_the_same_teams_share_the_figures_and_no_one_else_gets_them(client, bob, north, south,
                                                                                   charlie, dave):
    VisitFactory(offender=OffenderFactory(officer=charlie.officer), due_on=days_ago(3))
    VisitFactory(offender=OffenderFactory(officer=dave.officer), due_on=days_ago(3))
    VisitFactory(offender=OffenderFactory(officer=dave.officer), due_on=days_ago(3))
    erin = UserFactory(username="erin", role="Supervisor")
    north.supervisors.add(erin)
    frank = UserFactory(username="frank", role="Supervisor")
    south.supervisors.add(frank)
    client.force_login(bob)
    assert overdue_shown(client) == 1
    client.force_login(erin)
    assert not counted_visits(client)
    client.force_login(frank)
    assert overdue_shown(client) == 2


def test_the_dashboard_answers_when_the_cache_cannot_be_reached(client, bob, charlie, settings):
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:1/0"}}
    VisitFactory(offender=OffenderFactory(officer=charlie.officer), due_on=days_ago(3))
    client.force_login(bob)
    assert overdue_shown(client) == 1
    VisitFactory(offender=OffenderFactory(officer=charlie.officer), due_on=days_ago(3))
    assert overdue_shown(client) == 2


def overdue_references(client, **query) -> list[str]:
    response = client.get(reverse("dashboards:overdue"), query)
    assert response.status_code == 200
    return sorted(r for r in ("N-1", "N-2", "S-1") if f">{r}<" in response.content.decode())


def test_a_table_page_is_shared_by_supervisors_of_the_same_teams_and_no_one_else(client, bob, north, south,
                                                                                 charlie, dave):
    VisitFactory(offender=OffenderFactory(reference="N-1", officer=charlie.officer), due_on=days_ago(3))
    VisitFactory(offender=OffenderFactory(reference="S-1", officer=dave.officer), due_on=days_ago(3))
    erin = UserFactory(username="erin", role="Supervisor")
    north.supervisors.add(erin)
    frank = UserFactory(username="frank", role="Supervisor")
    south.supervisors.add(frank)
    client.force_login(bob)
    assert overdue_references(client) == ["N-1"]
    client.force_login(erin)
    with CaptureQueriesContext(connection) as queries:
        assert overdue_references(client) == ["N-1"]
    assert not any('"visits_visit"' in query["sql"] for query in queries)
    client.force_login(frank)
    assert overdue_references(client) == ["S-1"]


def test_a_table_page_is_kept_per_filter_order_and_page(client, bob, charlie):
    VisitFactory(offender=OffenderFactory(reference="N-1", officer=charlie.officer), due_on=days_ago(3))
    VisitFactory(offender=OffenderFactory(reference="N-2", officer=charlie.officer), due_on=days_ago(200))
    client.force_login(bob)
    assert overdue_references(client) == ["N-1", "N-2"]
    assert overdue_references(client, late="91") == ["N-2"]
    assert overdue_references(client, late="91", sort="due_on") == ["N-2"]
    assert overdue_references(client) == ["N-1", "N-2"]


def test_a_visit_logged_after_a_table_is_viewed_leaves_it_at_the_next_view(client, bob, charlie):
    offender = OffenderFactory(reference="N-1", officer=charlie.officer, registered_on=days_ago(400))
    visit = VisitFactory(offender=offender, due_on=days_ago(3))
    client.force_login(bob)
    assert overdue_references(client) == ["N-1"]
    visit_log(offender=offender, visit_id=visit.pk, user=charlie, visited_on=days_ago(1), kind="home_announced",
              outcome="seen", notes="")
    assert overdue_references(client) == []


def test_redis_never_holds_an_offenders_name_in_the_clear(client, bob, charlie, settings):
    VisitFactory(offender=OffenderFactory(reference="N-1", surname="Zebedee", officer=charlie.officer),
                 due_on=days_ago(3))
    client.force_login(bob)
    assert "Zebedee" in client.get(reverse("dashboards:overdue")).content.decode()
    assert "Zebedee" in client.get(reverse("dashboards:overdue")).content.decode()  # served from the cache
    store = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    kept = [store.get(key) for key in store.keys(settings.CACHES["default"]["KEY_PREFIX"] + ":*")]
    assert kept and not any(b"Zebedee" in value or b"N-1" in value for value in kept)


def filters_and_table(response) -> str:
    html = response.content.decode()
    return html[html.index('<form class="filters"'):html.index("</table>")]


def test_a_kept_table_page_is_served_without_building_its_filters_or_reading_the_register(client, bob, charlie):
    VisitFactory(offender=OffenderFactory(reference="N-1", officer=charlie.officer), due_on=days_ago(3))
    client.force_login(bob)
    first = client.get(reverse("dashboards:overdue"))
    with CaptureQueriesContext(connection) as queries:
        again = client.get(reverse("dashboards:overdue"))
    read = " ".join(query["sql"] for query in queries)
    assert filters_and_table(again) == filters_and_table(first) and 'name="officer"' in filters_and_table(again)
    assert not any(table in read for table in ('"visits_visit"', '"offenders_offender"', '"offenders_risktier"'))
    officers_read = [query["sql"] for query in queries if '"offenders_officer"' in query["sql"]]
    assert len(officers_read) == 1 and '"offenders_team_supervisors"' in officers_read[0]  # whose teams, only
    assert len(queries) <= 6  # session, user, roles, the teams led and their officers, the register's version


def test_a_kept_table_page_keeps_its_filter_errors(client, bob, south):
    client.force_login(bob)
    for _ in range(2):
        response = client.get(reverse("dashboards:overdue"), {"team": south.pk})
        assert "Select a valid choice" in response.content.decode()


def test_a_visit_logged_in_another_team_leaves_the_figures_kept(client, bob, charlie, dave):
    VisitFactory(offender=OffenderFactory(officer=charlie.officer), due_on=days_ago(3))
    south_offender = OffenderFactory(officer=dave.officer, registered_on=days_ago(400))
    south_visit = VisitFactory(offender=south_offender, due_on=days_ago(3))
    client.force_login(bob)
    assert counted_visits(client)
    visit_log(offender=south_offender, visit_id=south_visit.pk, user=dave, visited_on=days_ago(1),
              kind="home_announced", outcome="seen", notes="")
    assert not counted_visits(client)


def test_an_admin_sees_a_write_in_any_team_at_the_next_view(client, alice, charlie, dave):
    VisitFactory(offender=OffenderFactory(officer=charlie.officer), due_on=days_ago(3))
    client.force_login(alice)
    assert overdue_shown(client) == 1
    VisitFactory(offender=OffenderFactory(officer=dave.officer), due_on=days_ago(3))
    assert overdue_shown(client) == 2


def test_a_write_to_an_unallocated_offender_is_seen_by_every_supervisor(client, bob, charlie):
    VisitFactory(offender=OffenderFactory(officer=charlie.officer), due_on=days_ago(3))
    client.force_login(bob)
    assert counted_visits(client)
    OffenderFactory(officer=None)
    assert counted_visits(client)


def test_a_tier_changed_has_every_teams_figures_counted_again(client, bob, charlie):
    offender = OffenderFactory(officer=charlie.officer)
    VisitFactory(offender=offender, due_on=days_ago(3))
    client.force_login(bob)
    assert counted_visits(client)
    type(offender.risk_tier).objects.filter(pk=offender.risk_tier_id).update(workload_weight=3)
    assert counted_visits(client)


def test_an_officer_moved_into_a_team_is_counted_at_its_supervisors_next_view(client, bob, north, dave):
    VisitFactory(offender=OffenderFactory(officer=dave.officer), due_on=days_ago(3))
    client.force_login(bob)
    assert overdue_shown(client) == 0
    dave.officer.team = north
    dave.officer.save()
    assert overdue_shown(client) == 1
