"""The Prometheus endpoint, /metrics, for a force's monitoring: off unless CASELOAD_METRICS_TOKEN is set, and then
only for `Authorization: Bearer <token>` (anything else is a 404, as if it were not there). Counts and durations
only: never a name, an address or a reference.

- caseload_request_seconds{view,method}: request latency by view (this process's; with several gunicorn workers, set
  PROMETHEUS_MULTIPROC_DIR so that every worker's are summed);
- caseload_flag_run_seconds and caseload_flag_run_last_success_timestamp_seconds: the flag job's last run;
- caseload_import_seconds{kind}, caseload_import_rows{kind}: each kind's last applied import;
  caseload_imports{kind,outcome}: imports on record;
- caseload_queue_length: tasks waiting in the Celery queue;
- caseload_open_flags{kind}: open flags by kind.
"""

import contextlib
import hmac
import os
import time

import redis
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db.models import Count, OuterRef, Subquery
from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily

REQUEST_SECONDS = Histogram("caseload_request_seconds", "Request latency by view", ["view", "method"],
                            buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
CELERY_QUEUE = "celery"


class RequestTimingMiddleware:
    """Times each request by the name of the view that served it (the URL pattern's, never the path)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = match.view_name if match else "unresolved"
        REQUEST_SECONDS.labels(view=view, method=request.method).observe(time.perf_counter() - started)
        return response


class CaseloadCollector:
    """The figures read from the database and Redis at each scrape."""

    def collect(self):
        from offenders.models import ImportRun
        from visits.models import Flag, FlagRun

        last = FlagRun.objects.filter(finished_at__isnull=False).order_by("-finished_at").first()
        run = GaugeMetricFamily("caseload_flag_run_seconds", "Duration of the flag job's last run")
        done = GaugeMetricFamily("caseload_flag_run_last_success_timestamp_seconds",
                                 "When the flag job last finished (Unix time)")
        if last:
            run.add_metric([], (last.finished_at - last.started_at).total_seconds())
            done.add_metric([], last.finished_at.timestamp())
        yield run
        yield done

        latest = ImportRun.objects.filter(kind=OuterRef("kind"), outcome__in=["applied", "unchanged"],
                                          duration__isnull=False).order_by("-finished_at")
        seconds = GaugeMetricFamily("caseload_import_seconds", "Duration of each kind's last applied import",
                                    labels=["kind"])
        rows = GaugeMetricFamily("caseload_import_rows", "Rows of each kind's last applied import", labels=["kind"])
        for kind, duration, n in (ImportRun.objects.filter(pk=Subquery(latest.values("pk")[:1]))
                                  .values_list("kind", "duration", "rows")):
            seconds.add_metric([kind], duration.total_seconds())
            rows.add_metric([kind], n)
        yield seconds
        yield rows
        runs = GaugeMetricFamily("caseload_imports", "Imports on record", labels=["kind", "outcome"])
        for kind, outcome, n in ImportRun.objects.values_list("kind", "outcome").annotate(n=Count("id")).order_by():
            runs.add_metric([kind, outcome], n)
        yield runs

        flags = GaugeMetricFamily("caseload_open_flags", "Open flags by kind", labels=["kind"])
        for kind, n in (Flag.objects.filter(cleared_at__isnull=True).values_list("kind").annotate(n=Count("id"))
                        .order_by()):
            flags.add_metric([kind], n)
        yield flags

        queue = GaugeMetricFamily("caseload_queue_length", "Tasks waiting in the Celery queue")
        with contextlib.suppress(redis.RedisError):  # no sample while the broker is down, which /readyz says
            queue.add_metric([], redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=2).llen(CELERY_QUEUE))
        yield queue


def registry() -> CollectorRegistry:
    scrape = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(scrape)  # every gunicorn worker's request timings
    else:
        scrape.register(REQUEST_SECONDS)
    scrape.register(CaseloadCollector())
    return scrape


@login_not_required
@require_GET
def metrics(request):
    token = settings.CASELOAD_METRICS_TOKEN
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not token or not hmac.compare_digest(given.encode(), token.encode()):
        raise Http404
    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)


