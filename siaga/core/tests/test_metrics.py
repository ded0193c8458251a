"""/metrics: Prometheus text exposition, only for allowed addresses or the bearer token; figures that
follow what is in the database and what the web process answered."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from prometheus_client.parser import text_string_to_metric_families

from siaga.attendance.models import Presence
from siaga.core.models import Notification
from siaga.core.tasks import deliver_notification
from siaga.org.models import Building
from siaga.services.models import Application, Status
from siaga.services.tests.conftest import desk, make_application, make_citizen  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db
TOKEN = "a-long-metrics-token-0123456789abcdef"


def scrape(client: Client, **headers: Any) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics", **headers)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_refused_to_other_addresses_without_the_token(client: Client, settings: Any) -> None:
    settings.METRICS_TOKEN = TOKEN
    remote = {"REMOTE_ADDR": "203.0.113.7"}
    assert client.get("/metrics", **remote).status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong-token", **remote).status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}", **remote).status_code == 200
    settings.METRICS_ALLOWED_NETWORKS = [__import__("ipaddress").ip_network("203.0.113.0/24")]
    assert client.get("/metrics", **remote).status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="198.51.100.1").status_code == 404


def test_without_a_token_configured_an_empty_bearer_is_refused(client: Client, settings: Any) -> None:
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ", REMOTE_ADDR="203.0.113.7").status_code == 404


def test_requests_are_counted_by_view_and_status_class(client: Client) -> None:
    before = scrape(client)
    client.get("/login/")
    client.get("/login/")
    client.get("/no-such-page/")
    after = scrape(client)
    assert (
        value(after, "siaga_http_requests_total", view="login", status="2xx")
        - value(before, "siaga_http_requests_total", view="login", status="2xx")
        == 2
    )
    assert (
        value(after, "siaga_http_requests_total", view="<unmatched>", status="4xx")
        - value(before, "siaga_http_requests_total", view="<unmatched>", status="4xx")
        == 1
    )
    assert (
        value(after, "siaga_http_request_duration_seconds_count", view="login")
        - value(before, "siaga_http_request_duration_seconds_count", view="login")
        == 2
    )
    # the scrapes themselves are not counted
    assert value(after, "siaga_http_requests_total", view="metrics", status="2xx") == 0


def test_database_gauges(client: Client, desk: dict, make_application: Callable[..., Application]) -> None:  # noqa: F811
    government = desk["government"]
    today = timezone.localdate()
    make_application(desk["usaha"], desk["budi"], status=Status.IN_REVIEW, due_on=today - dt.timedelta(days=2))
    make_application(desk["usaha"], desk["siti"], status=Status.IN_REVIEW, due_on=today + dt.timedelta(days=2))
    make_application(desk["pbg"], desk["budi"], status=Status.SUBMITTED)
    make_application(desk["pbg"], desk["siti"], status=Status.CLOSED, due_on=today - dt.timedelta(days=9))

    building = Building.objects.create(government=government, code="kantor", name="Kantor Bupati")
    now = timezone.now()
    employee = desk["officer"]
    Presence.objects.create(
        government=government,
        employee=employee,
        building=building,
        start=now - dt.timedelta(hours=30),
        end=now - dt.timedelta(hours=22),
        source=Presence.Source.CHECK_IN,
    )
    Presence.objects.create(
        government=government,
        employee=employee,
        building=building,
        start=now - dt.timedelta(hours=2),
        end=None,
        source=Presence.Source.CHECK_IN,
    )

    user = desk["users"]["officer"]
    for status, channel in [("pending", "email"), ("pending", "email"), ("failed", "whatsapp"), ("sent", "email")]:
        Notification.objects.create(
            recipient=user,
            channel=channel,
            status=status,
            address="x@example.com",
            subject="s",
            body="b",
            government=government,
        )
    late = deliver_notification.enqueue(987654)
    DBTaskResult.objects.filter(pk=late.id).update(enqueued_at=now - dt.timedelta(minutes=5))

    if connection.vendor == "postgresql":
        # the presence figure is the planner's estimate there: what ANALYZE (autovacuum) last counted
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = 'attendance_presence'::regclass"
            )
            for (partition,) in cursor.fetchall() or [("attendance_presence",)]:
                cursor.execute(f"ANALYZE {partition}")
    samples = scrape(client)
    assert value(samples, "siaga_applications_open") == 3
    assert value(samples, "siaga_applications_late") == 1
    assert value(samples, "siaga_presence_rows") == 2
    assert value(samples, "siaga_presence_open") == 1
    assert value(samples, "siaga_outbox_messages", status="pending", channel="email") == 2
    assert value(samples, "siaga_outbox_messages", status="failed", channel="whatsapp") == 1
    assert value(samples, "siaga_outbox_messages", status="failed", channel="email") == 0
    assert value(samples, "siaga_tasks", status="ready") >= 1
    assert 290 <= value(samples, "siaga_tasks_oldest_due_seconds") <= 400
    # no names, addresses or health data in the exposition
    text = client.get("/metrics").content.decode()
    for secret in ("Budi", "x@example.com", "Kantor Bupati", government.code):
        assert secret not in text
