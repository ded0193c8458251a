"""/healthz: the database and the task queue's oldest due task; no login, no secrets."""

from __future__ import annotations

import datetime as dt
import socket
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from siaga.core.tasks import deliver_notification

pytestmark = pytest.mark.django_db


def test_healthy_without_login(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == {"status": "ok"}
    assert body["checks"]["tasks"]["status"] == "ok"
    assert body["checks"]["tasks"]["oldest_due_seconds"] is None
    assert "no-cache" in response["Cache-Control"]


def test_a_task_waiting_too_long_fails_until_a_worker_runs_it(client: Client, settings: Any, run_worker: Any) -> None:
    settings.HEALTH_TASK_MAX_AGE_SECONDS = 300
    result = deliver_notification.enqueue(987654)  # no such notification: the task only returns
    assert client.get("/healthz").status_code == 200  # just queued: fine
    DBTaskResult.objects.filter(pk=result.id).update(enqueued_at=timezone.now() - dt.timedelta(minutes=20))

    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["tasks"]["status"] == "fail"
    assert 1190 <= body["checks"]["tasks"]["oldest_due_seconds"] <= 1300
    assert body["problems"] == [
        f"tasks: the oldest due task has waited {body['checks']['tasks']['oldest_due_seconds']} s "
        "(limit 300 s); is the worker (siaga worker) running?"
    ]

    run_worker()
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()


def test_a_task_scheduled_for_later_is_not_late(client: Client) -> None:
    later = timezone.now() + dt.timedelta(hours=1)
    result = deliver_notification.using(run_after=later).enqueue(987654)
    DBTaskResult.objects.filter(pk=result.id).update(enqueued_at=timezone.now() - dt.timedelta(days=1))
    assert client.get("/healthz").status_code == 200
    # once its time has come and passed by more than the limit, it is late
    DBTaskResult.objects.filter(pk=result.id).update(run_after=timezone.now() - dt.timedelta(hours=1))
    assert client.get("/healthz").status_code == 503


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs a database server that can be unreachable; SQLite's in-memory test database cannot be",
)
@pytest.mark.django_db(transaction=True)
def test_database_unreachable_is_503_without_driver_details(client: Client) -> None:
    """The web process's database goes away (here: it points at a port where nothing listens): 503,
    and not the driver's message, which names hosts and users."""
    saved = dict(connection.settings_dict)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(closed_port))
    try:
        response = client.get("/healthz")
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["database"] == {"status": "fail"}
    assert body["checks"]["tasks"] == {"status": "unknown"}
    assert body["problems"] == ["database: not reachable"]
    assert str(closed_port) not in response.content.decode()
    assert client.get("/healthz").status_code == 200  # back once the database is


def test_only_get(client: Client) -> None:
    assert client.post("/healthz").status_code == 405
