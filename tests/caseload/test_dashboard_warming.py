"""After each flag run the pages supervisors open first are counted and kept, so that nobody waits for them."""

import datetime as dt
import time
import uuid

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from caseload.celery import app
from caseload.dashboards.warming import dashboards_warm
from tests.factories import OffenderFactory, UserFactory, VisitFactory
from visits.selectors import today
from visits.tasks import refresh_flags

FIRST_PAGES = ["dashboard", "dashboards:overdue", "dashboards:unseen", "dashboards:workload",
               "dashboards:unallocated"]


@pytest.fixture(autouse=True)
def kept_in_redis(settings):
    settings.CASELOAD_DASHBOARD_CACHE_SECONDS = 60
    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}}


@pytest.fixture
def overdue_in_north(charlie):
    offender = OffenderFactory(reference="N-1", officer=charlie.officer, registered_on=today() - dt.timedelta(400))
    return VisitFactory(offender=offender, due_on=today() - dt.timedelta(days=3))


def read_the_register(client, url_name: str) -> bool:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse(url_name)).status_code == 200
    return any('"visits_visit"' in query["sql"] or '"offenders_offender"' in query["sql"] for query in queries)


def kept_part(response) -> str:
    """What is kept of a page: the dashboard's content, or a table's filters and rows."""
    if "content" in response.context:
        return response.context["content"]
    html = response.content.decode()
    return html[html.index('<form class="filters"'):html.index("</table>")]


@pytest.mark.django_db
def test_a_supervisor_opens_every_first_page_warmed_without_the_register_being_read(client, bob, overdue_in_north):
    client.force_login(bob)  # signed in lately
    assert dashboards_warm().pages == 5
    for url_name in FIRST_PAGES:
        assert not read_the_register(client, url_name), url_name


@pytest.mark.django_db
def test_a_warmed_page_is_the_page_as_counted_at_a_view(client, bob, overdue_in_north, settings):
    client.force_login(bob)
    dashboards_warm()
    warmed = {url_name: kept_part(client.get(reverse(url_name))) for url_name in FIRST_PAGES}
    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}}
    for url_name in FIRST_PAGES:
        assert kept_part(client.get(reverse(url_name))) == warmed[url_name], url_name
    assert ">N-1<" in warmed["dashboards:overdue"]


@pytest.mark.django_db
def test_pages_are_warmed_once_per_set_of_teams_and_only_for_those_who_signed_in_lately(client, bob, north, south):
    erin = UserFactory(username="erin", role="Supervisor", last_login=timezone.now())
    north.supervisors.add(erin)
    frank = UserFactory(username="frank", role="Supervisor", last_login=timezone.now() - dt.timedelta(days=30))
    south.supervisors.add(frank)
    UserFactory(username="olive", role="Officer", last_login=timezone.now())
    client.force_login(bob)
    result = dashboards_warm()
    assert (result.scopes, result.pages) == (1, 5)
    client.force_login(frank)
    frank.last_login = timezone.now() - dt.timedelta(days=30)
    frank.save()
    assert read_the_register(client, "dashboards:overdue")


@pytest.mark.django_db
def test_warming_again_keeps_the_pages_for_longer_without_counting_them(client, bob, overdue_in_north, settings):
    client.force_login(bob)
    dashboards_warm()
    store = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    keys = store.keys(settings.CACHES["default"]["KEY_PREFIX"] + ":*")
    for key in keys:
        store.expire(key, 5)
    with CaptureQueriesContext(connection) as queries:
        dashboards_warm()
    assert not any('"visits_visit"' in query["sql"] for query in queries)
    assert len(keys) == 5 and all(store.ttl(key) > 50 for key in keys)


@pytest.mark.django_db
def test_warming_stops_when_out_of_time_the_latest_to_sign_in_first(client, bob, north, south):
    frank = UserFactory(username="frank", role="Supervisor", last_login=timezone.now() + dt.timedelta(seconds=1))
    south.supervisors.add(frank)
    client.force_login(bob)
    result = dashboards_warm(budget_seconds=0.001)
    assert (result.scopes, result.out_of_time) == (1, True)
    client.force_login(frank)
    assert not read_the_register(client, "dashboards:overdue")


@pytest.mark.django_db
def test_nothing_is_warmed_when_nothing_is_kept(client, bob, settings):
    settings.CASELOAD_DASHBOARD_CACHE_SECONDS = 0
    client.force_login(bob)
    assert dashboards_warm().pages == 0


@pytest.fixture
def celery_worker(transactional_db):
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
        yield worker


def test_the_beats_flag_run_is_followed_by_the_warming(client, bob, overdue_in_north, celery_worker, settings):
    client.force_login(bob)
    beat = app.conf.beat_schedule["refresh-flags-hourly"]
    refresh_flags.apply_async(**beat["options"]).get(timeout=30)
    deadline = time.monotonic() + 30
    while pages_kept(settings) < len(FIRST_PAGES):
        assert time.monotonic() < deadline, "the pages were not warmed after the flag run"
        time.sleep(0.5)
    for url_name in FIRST_PAGES:
        assert not read_the_register(client, url_name), url_name


def pages_kept(settings) -> int:
    store = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    return len(store.keys(settings.CACHES["default"]["KEY_PREFIX"] + ":*"))
