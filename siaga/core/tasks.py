"""Background tasks of the core app. Every task is idempotent: running it twice does no harm."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from siaga.core import queue
from siaga.core.channels import SENDERS, DeliveryError
from siaga.core.models import Notification

logger = logging.getLogger(__name__)


def backoff(attempt: int) -> dt.timedelta:
    """Wait before the next try: base × 2^(attempt-1), at most six hours."""
    seconds = settings.NOTIFY_BACKOFF_SECONDS * 2 ** max(attempt - 1, 0)
    return dt.timedelta(seconds=min(seconds, 6 * 3600))


@task()
def deliver_notification(notification_id: int) -> str:
    """Send one stored notification. A claim (attempt count and next try time) is written before
    sending, so two workers never send the same message at once and a crash is retried later."""
    now = timezone.now()
    with transaction.atomic():
        note = Notification.objects.select_for_update().filter(pk=notification_id).first()
        if note is None or note.status != Notification.Status.PENDING:
            return "done"
        if note.next_attempt_at and note.next_attempt_at > now:
            return "not due"
        note.attempts += 1
        note.next_attempt_at = now + backoff(note.attempts)
        note.save(update_fields=["attempts", "next_attempt_at"])
    try:
        SENDERS[Notification.Channel(note.channel)](note)
    except Exception as exc:
        # DeliveryError is the expected failure; anything else is a bug in a sender, retried and kept
        # visible in last_error rather than leaving the message pending without a reason.
        if not isinstance(exc, DeliveryError):
            logger.exception("notification %s: unexpected error while sending", note.pk)
            exc = DeliveryError(f"{type(exc).__name__}: {exc}")
        return _attempt_failed(note, exc)
    Notification.objects.filter(pk=note.pk).update(
        status=Notification.Status.SENT, sent_at=timezone.now(), next_attempt_at=None, last_error=""
    )
    return "sent"


def _attempt_failed(note: Notification, exc: DeliveryError) -> str:
    """Record a failed attempt; queue the next one after the backoff, or give up after the last."""
    final = note.attempts >= settings.NOTIFY_MAX_ATTEMPTS
    Notification.objects.filter(pk=note.pk).update(
        last_error=str(exc)[:2000],
        status=Notification.Status.FAILED if final else Notification.Status.PENDING,
        next_attempt_at=None if final else note.next_attempt_at,
    )
    logger.warning("notification %s attempt %s failed: %s", note.pk, note.attempts, exc)
    if final:
        return "failed"
    if deliver_notification.get_backend().supports_defer and note.next_attempt_at is not None:
        deliver_notification.using(run_after=queue.not_before(note.next_attempt_at)).enqueue(note.pk)
    # A backend that cannot defer (the immediate one) leaves the retry to requeue_due_notifications.
    return "retry"


def _queued_notification_ids() -> set[int]:
    """Notifications that already wait in the queue (so requeueing them adds nothing)."""
    return {int(pk) for pk in queue.waiting_first_args(deliver_notification.module_path)}


def requeue_due_notifications() -> int:
    """Enqueue every pending message whose time has come and that does not wait in the queue already
    (recovers from a lost queue entry or a worker that died mid-send). Safe to run often: delivery
    itself checks the claim. Returns how many were enqueued."""
    queued = _queued_notification_ids()
    due = [
        pk
        for pk in Notification.objects.filter(status=Notification.Status.PENDING, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[: 1000 + len(queued)]
        if pk not in queued
    ][:1000]
    for pk in due:
        deliver_notification.enqueue(pk)
    return len(due)
