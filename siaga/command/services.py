"""Writes of the command center: report subscriptions, and the daily sending of the situation report."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from siaga.command.models import ReportDelivery, ReportSubscription
from siaga.command.selectors import require_viewer
from siaga.core.access import Actor, Perm, actor_for_user
from siaga.core.models import Government
from siaga.core.services import audit_record

logger = logging.getLogger(__name__)


def subscription_set(*, actor: Actor, active: bool, ip_address: str | None = None) -> ReportSubscription:
    """Subscribe the actor to the daily situation report, or unsubscribe."""
    require_viewer(actor)
    government = actor.tenant
    with transaction.atomic():
        sub, created = ReportSubscription.objects.select_for_update().get_or_create(
            government=government, user_id=actor.user_id, defaults={"active": active}
        )
        if not created and sub.active == active:
            return sub
        if not created:
            sub.active = active
            sub.save(update_fields=["active", "updated_at"])
        audit_record(
            actor=actor.user,
            government=government,
            action="create" if created else "update",
            obj=sub,
            changes={"active": active},
            ip_address=ip_address,
        )
    return sub


def _local_now(government: Government, now: dt.datetime) -> dt.datetime:
    return timezone.localtime(now, government.tzinfo)


def schedule_reports(*, now: dt.datetime | None = None) -> int:
    """Create today's delivery for every active subscriber whose government's morning hour has come.

    The unique (subscription, date) key makes this safe to run from several workers at once."""
    now = now or timezone.now()
    created = 0
    subs = ReportSubscription.objects.filter(active=True).select_related("government")
    for sub in subs:
        local = _local_now(sub.government, now)
        if local.hour < settings.COMMAND_REPORT_HOUR:
            continue
        if ReportDelivery.objects.filter(subscription=sub, date=local.date()).exists():
            continue
        try:
            with transaction.atomic():
                ReportDelivery.objects.create(
                    government=sub.government, subscription=sub, date=local.date(), next_attempt_at=now
                )
            created += 1
        except IntegrityError:  # another worker created it first
            continue
    return created


def _claim(pk: int, now: dt.datetime) -> ReportDelivery | None:
    """Take one due delivery: the attempt and the next try time are written before sending, so two
    workers never send the same report and a crash is retried after the backoff."""
    from siaga.core.tasks import backoff

    with transaction.atomic():
        delivery = (
            ReportDelivery.objects.select_for_update(skip_locked=True)
            .filter(pk=pk, status=ReportDelivery.Status.PENDING, next_attempt_at__lte=now)
            .select_related("subscription__user", "government")
            .first()
        )
        if delivery is None:
            return None
        delivery.attempts += 1
        delivery.next_attempt_at = now + backoff(delivery.attempts)
        delivery.save(update_fields=["attempts", "next_attempt_at"])
    return delivery


def send_report(delivery: ReportDelivery) -> None:
    """Build the day's report as the subscriber would see it and e-mail it with the PDF attached."""
    from siaga.command.report import report_pdf
    from siaga.command.selectors import overview, with_charts

    user = delivery.subscription.user
    actor = actor_for_user(user, government_id=delivery.government_id, today=delivery.date)
    if not actor.has_perm(Perm.VIEW_COMMAND):
        raise PermissionError("the subscriber no longer holds a role that may see the report")
    with override(settings.LANGUAGE_CODE):
        board = with_charts(overview(actor=actor, day=delivery.date), actor)
        pdf = report_pdf(board)
        subject = _("Daily situation report %(date)s — %(government)s") % {
            "date": delivery.date.strftime("%d/%m/%Y"),
            "government": delivery.government.name,
        }
        body = _("The daily situation report is attached (PDF). Unsubscribe on the command center page.")
    message = EmailMessage(
        subject=subject,
        body=body,
        to=[user.email],
        headers={"X-Siaga-Report": str(delivery.pk)},
        connection=get_connection(fail_silently=False, timeout=settings.EMAIL_TIMEOUT),
    )
    message.attach(f"laporan-harian-situasi-{delivery.date:%Y-%m-%d}.pdf", pdf, "application/pdf")
    message.send()


def send_due_reports(*, now: dt.datetime | None = None) -> int:
    """Send every delivery that is due; a failure is retried with the outbox's backoff, up to its limit."""
    now = now or timezone.now()
    sent = 0
    due = ReportDelivery.objects.filter(status=ReportDelivery.Status.PENDING, next_attempt_at__lte=now).values_list(
        "pk", flat=True
    )
    for pk in list(due):
        delivery = _claim(pk, now)
        if delivery is None:
            continue
        if not delivery.subscription.user.email:
            ReportDelivery.objects.filter(pk=pk).update(status=ReportDelivery.Status.SKIPPED, next_attempt_at=None)
            continue
        try:
            send_report(delivery)
        except Exception as exc:  # an SMTP error or a lost role: retried, then given up
            logger.warning("situation report %s not sent: %s", pk, exc)
            final = delivery.attempts >= settings.NOTIFY_MAX_ATTEMPTS
            ReportDelivery.objects.filter(pk=pk).update(
                last_error=f"{type(exc).__name__}: {exc}"[:2000],
                status=ReportDelivery.Status.FAILED if final else ReportDelivery.Status.PENDING,
                next_attempt_at=None if final else delivery.next_attempt_at,
            )
            continue
        ReportDelivery.objects.filter(pk=pk).update(
            status=ReportDelivery.Status.SENT, sent_at=timezone.now(), next_attempt_at=None, last_error=""
        )
        sent += 1
    return sent


def daily_reports(*, now: dt.datetime | None = None) -> dict[str, Any]:
    """The periodic job: schedule today's reports, then send what is due."""
    return {"scheduled": schedule_reports(now=now), "sent": send_due_reports(now=now)}
