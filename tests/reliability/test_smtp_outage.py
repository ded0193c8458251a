"""Drill: the SMTP server is down for an hour of notifications. Messages are stored (``notify``) through
the hour while a real SMTP server (aiosmtpd on loopback) is stopped; the worker runs every minute
(``siaga worker --batch``, plus the periodic ``requeue_due_notifications`` safety net). Time is simulated:
each minute every stored time (next attempt, queued retries, creation) is moved one minute back instead
of sleeping. After the hour the server comes back.

What must hold (docs/reliability.md): every message reaches the server exactly once (counted at the
server by Message-ID and by the notification id each e-mail carries), none is left pending or failed, the
retries follow the designed backoff (30 s doubling, at most 8 attempts), and meanwhile the admins' outbox
page shows the messages waiting with the connection error.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections import Counter
from typing import Any

import pytest
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from siaga.core.models import Notification
from siaga.core.services import notify
from siaga.core.tasks import backoff, requeue_due_notifications
from siaga.core.tests.conftest import SmtpServer, run_worker, smtp_server  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db(transaction=True)

STEP = 60  # seconds of simulated time between worker runs
OUTAGE_MINUTES = 60
EVERY_MINUTES = 5  # a new message every five minutes of the outage


def advance(seconds: int) -> None:
    """Move the simulated clock forward: every stored time moves back by ``seconds``."""
    delta = dt.timedelta(seconds=seconds)
    Notification.objects.update(created_at=F("created_at") - delta)
    Notification.objects.filter(next_attempt_at__isnull=False).update(next_attempt_at=F("next_attempt_at") - delta)
    DBTaskResult.objects.filter(status=TaskResultStatus.READY).exclude(run_after__year=9999).update(
        run_after=F("run_after") - delta
    )


def test_an_hour_without_smtp_then_every_message_is_delivered_once(
    org: dict[str, Any],
    smtp_server: SmtpServer,  # noqa: F811 - the imported fixture
    run_worker: Any,  # noqa: F811 - the imported fixture
    settings: Any,
) -> None:
    settings.NOTIFY_BACKOFF_SECONDS = 30
    settings.NOTIFY_MAX_ATTEMPTS = 8
    users = [org["users"][k] for k in ("staff", "kabid", "head", "officer")]
    attempts_at: dict[int, list[int]] = {}  # notification id → the simulated minutes of its attempts
    created_at: dict[int, int] = {}
    outbox_seen = ""
    minute = 0

    def tick() -> None:
        requeue_due_notifications()
        run_worker()
        for pk, attempts in Notification.objects.filter(channel="email").values_list("pk", "attempts"):
            seen = attempts_at.setdefault(pk, [])
            seen.extend([minute] * (attempts - len(seen)))

    # the hour without SMTP: a message every five minutes, the worker every minute
    while minute < OUTAGE_MINUTES:
        if minute % EVERY_MINUTES == 0:
            user = users[(minute // EVERY_MINUTES) % len(users)]
            mail = notify(
                user=user,
                government=org["government"],
                subject=f"Jadwal kerja menit ke-{minute}",
                body="Jadwal kerja Anda sudah terbit.",
                channels=("email",),
            )[0]
            created_at[mail.pk] = minute
        tick()
        if minute == 30:
            admin = Client()
            admin.force_login(org["users"]["admin"])
            outbox_seen = admin.get(reverse("outbox_list"), {"status": "pending"}).content.decode()
        advance(STEP)
        minute += 1

    assert smtp_server.received == []
    waiting = Notification.objects.filter(channel="email")
    assert waiting.count() == OUTAGE_MINUTES // EVERY_MINUTES
    assert set(waiting.values_list("status", flat=True)) == {"pending"}
    assert all(n.last_error.startswith("ConnectionRefusedError") for n in waiting)
    # the admins saw the messages waiting, with the reason
    assert outbox_seen.count("Waiting to be sent") >= 6 and "ConnectionRefusedError" in outbox_seen

    # SMTP is back: the worker keeps running until nothing is pending
    smtp_server.start()
    back_at = minute
    while Notification.objects.filter(status="pending").exists() and minute < 4 * OUTAGE_MINUTES:
        tick()
        advance(STEP)
        minute += 1

    notes = {n.pk: n for n in Notification.objects.filter(channel="email")}
    assert Counter(n.status for n in notes.values()) == {"sent": len(notes)}
    # exactly once at the server: one e-mail per notification, no Message-ID twice
    by_notification = Counter(int(m.message["X-Siaga-Notification"]) for m in smtp_server.received)
    assert by_notification == dict.fromkeys(notes, 1)
    message_ids = [m.message["Message-ID"] for m in smtp_server.received]
    assert len(set(message_ids)) == len(message_ids) == len(notes)
    # the retries followed the backoff: each wait at least the designed pause, at most one run later
    for pk, minutes in attempts_at.items():
        assert minutes[0] == created_at[pk] and len(minutes) == notes[pk].attempts <= 8
        for n, (earlier, later) in enumerate(itertools.pairwise(minutes), start=1):
            wait = (later - earlier) * STEP
            assert backoff(n).total_seconds() <= wait <= backoff(n).total_seconds() + STEP, (pk, minutes)
        assert minutes[-1] >= back_at  # sent only once the server was back
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists()
    first = min(notes)
    print(
        "\nsmtp outage drill:",
        json.dumps(
            {
                "messages": len(notes),
                "delivered": len(smtp_server.received),
                "duplicates": len(message_ids) - len(set(message_ids)),
                "attempts_first_message": attempts_at[first],
                "attempts_total": sum(n.attempts for n in notes.values()),
                "all_sent_by_minute": minute,
                "smtp_back_at_minute": back_at,
            }
        ),
    )
