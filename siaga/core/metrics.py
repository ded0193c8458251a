"""Prometheus metrics: ``/metrics`` in the text exposition format.

Two kinds of figures:

- **per request**, counted by :class:`MetricsMiddleware` in each web process: requests by view and
  status class, and their duration. With several processes (gunicorn workers) set
  ``PROMETHEUS_MULTIPROC_DIR`` to an empty directory; every process writes its counters there and a
  scrape adds them up (``deploy/gunicorn.conf.py`` removes the files of a worker that exits).
- **from the database**, read at scrape time by :class:`DatabaseCollector`: the task queue, the
  notification outbox, presence rows and public-service applications. Counts only: no health data,
  no names.

Access: from an address in ``METRICS_ALLOWED_IPS`` or with ``Authorization: Bearer METRICS_TOKEN``;
anyone else gets 404 (the endpoint is not advertised).
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import time
from collections.abc import Callable, Iterator

from django.conf import settings
from django.db import connection, models
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from siaga.core import queue

REQUESTS = Counter(
    "siaga_http_requests",
    "HTTP requests answered, by view and status class.",
    ["view", "status"],
)
DURATION = Histogram(
    "siaga_http_request_duration_seconds",
    "Time to answer an HTTP request, by view.",
    ["view"],
    buckets=(0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0),
)


def view_label(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "<unmatched>"
    return match.view_name or match._func_path  # Django's dotted path of the view


class MetricsMiddleware:
    """Count every request by the view that answered it and its status class (2xx, 4xx, …)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        start = time.perf_counter()
        response = self.get_response(request)
        view = view_label(request)
        if view != "metrics":  # the scraper's own requests would only count themselves
            REQUESTS.labels(view=view, status=f"{response.status_code // 100}xx").inc()
            DURATION.labels(view=view).observe(time.perf_counter() - start)
        return response


def estimated_rows(model: type[models.Model]) -> int:
    """Rows of ``model``'s table: on PostgreSQL the planner's estimate (kept by ANALYZE and autovacuum,
    summed over the month partitions), which costs nothing at any size; elsewhere a count."""
    if connection.vendor != "postgresql":
        return model._default_manager.count()
    with connection.cursor() as cursor:
        cursor.execute(
            # the table itself when it is a plain one, its partitions (the tables holding the rows) when not
            "SELECT coalesce(sum(greatest(c.reltuples, 0)), 0)::bigint FROM pg_class c WHERE c.relkind = 'r' "
            "AND (c.oid = %s::regclass OR c.oid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = %s::regclass))",
            [model._meta.db_table, model._meta.db_table],
        )
        return int(cursor.fetchone()[0])


class DatabaseCollector(Collector):
    """Gauges read from the database at scrape time (so every web process reports the same)."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from django.db.models import Count

        from siaga.attendance.models import Presence
        from siaga.core.health import oldest_due_task_age
        from siaga.core.models import Notification
        from siaga.services.models import Application
        from siaga.services.services_office import CLOCK_RUNS
        from siaga.services.workflow import FINAL

        tasks = GaugeMetricFamily("siaga_tasks", "Background tasks in the queue, by status.", labels=["status"])
        for status, n in queue.counts().items():
            tasks.add_metric([status], n)
        yield tasks
        age = oldest_due_task_age()
        yield GaugeMetricFamily(
            "siaga_tasks_oldest_due_seconds",
            "Seconds the oldest task that is due has waited (0 when none waits).",
            value=age or 0.0,
        )

        outbox = GaugeMetricFamily(
            "siaga_outbox_messages", "Notifications in the outbox, by status and channel.", labels=["status", "channel"]
        )
        counts = {
            (s, c): n
            for s, c, n in Notification.objects.filter(
                status__in=[Notification.Status.PENDING, Notification.Status.FAILED]
            )
            .values_list("status", "channel")
            .annotate(n=Count("pk"))
            .order_by()
        }
        for note_status in (Notification.Status.PENDING, Notification.Status.FAILED):
            for channel in Notification.Channel.values:
                outbox.add_metric([note_status.value, channel], counts.get((note_status.value, channel), 0))
        yield outbox

        yield GaugeMetricFamily(
            "siaga_presence_rows",
            "Presence intervals stored (PostgreSQL: the planner's estimate, as of the last ANALYZE).",
            value=estimated_rows(Presence),
        )
        yield GaugeMetricFamily(
            "siaga_presence_open",
            "Presence intervals still open (people checked in now).",
            value=Presence.objects.filter(end__isnull=True).count(),
        )
        today = timezone.localdate()
        yield GaugeMetricFamily(
            "siaga_applications_open",
            "Public-service applications not yet closed, rejected or cancelled.",
            value=Application.objects.exclude(status__in=FINAL).count(),
        )
        yield GaugeMetricFamily(
            "siaga_applications_late",
            "Applications with the office past their due date.",
            value=Application.objects.filter(status__in=CLOCK_RUNS, due_on__lt=today).count(),
        )


def allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer ") and hmac.compare_digest(header[7:].strip(), token):
        return True
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in network for network in settings.METRICS_ALLOWED_NETWORKS)


def registry() -> CollectorRegistry:
    reg = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(reg)
    else:
        reg.register(REQUESTS)
        reg.register(DURATION)
    reg.register(DatabaseCollector())
    return reg


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not allowed(request):
        raise Http404
    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)
