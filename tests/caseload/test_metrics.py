"""/metrics: off unless a token is configured, then only for that token; request latency by view, the flag job,
imports, the queue and open flags by kind; never a name or a reference."""

import datetime as dt

import pytest
from django.utils import timezone

from offenders.models import ImportRun
from tests.factories import OffenderFactory, VisitFactory, tier
from visits.flagging import flags_refresh
from visits.models import FlagRun

pytestmark = pytest.mark.django_db
TOKEN = "s3cret-scrape-token"


@pytest.fixture
def metrics_on(settings):
    settings.CASELOAD_METRICS_TOKEN = TOKEN


def scrape(client, token=TOKEN):
    return client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}")


def test_metrics_are_off_without_a_token_configured(client, alice):
    client.force_login(alice)
    assert scrape(client).status_code == 404


def test_a_wrong_or_missing_token_is_a_404(client, metrics_on):
    assert scrape(client, token="guess").status_code == 404
    assert client.get("/metrics").status_code == 404


def test_the_figures_are_there_and_no_name_or_reference(client, metrics_on, charlie, alice):
    offender = OffenderFactory(officer=charlie.officer, surname="Zebedee-Unique", reference="REF-SECRET-9",
                               risk_tier=tier("high"))
    VisitFactory(offender=offender, due_on=timezone.localdate() - dt.timedelta(days=40))
    flags_refresh()
    ImportRun.objects.create(kind="officers", outcome="applied", rows=12, duration=dt.timedelta(seconds=3),
                             finished_at=timezone.now(), user=alice)
    client.get("/healthz")
    text = scrape(client).content.decode()
    assert FlagRun.objects.exists()
    assert 'caseload_open_flags{kind="overdue_visit"} 1.0' in text
    assert "caseload_flag_run_last_success_timestamp_seconds " in text
    assert 'caseload_import_rows{kind="officers"} 12.0' in text
    assert 'caseload_import_seconds{kind="officers"} 3.0' in text
    assert 'caseload_imports{kind="officers",outcome="applied"} 1.0' in text
    assert "caseload_queue_length " in text
    assert 'caseload_request_seconds_count{method="GET",view="healthz"}' in text
    assert "Zebedee" not in text and "REF-SECRET" not in text
