"""Writes of the core app: audit log, notifications outbox, calendar overrides, API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from functools import partial
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from siaga.core.models import ApiToken, AuditEvent, CalendarOverride, Government, Notification


def _label(user: Any) -> str:
    if user is None:
        return "system"
    return str(getattr(user, "get_username", lambda: user)())


def audit_record(
    *,
    actor: Any,
    government: Government | int | None,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    object_repr: str = "",
    changes: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> AuditEvent:
    """Append one event to the audit log (inside the caller's transaction)."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
    government_id = government.pk if isinstance(government, Government) else government
    return AuditEvent.objects.create(
        government_id=government_id,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=_label(actor)[:150],
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        object_repr=object_repr[:200],
        changes=changes or {},
        ip_address=ip_address,
    )


def diff_fields(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Changed fields as ``{name: [old, new]}`` with values made JSON-safe."""

    def safe(value: Any) -> Any:
        if isinstance(value, dt.date | dt.datetime):
            return value.isoformat()
        if isinstance(value, models.Model):
            return str(value)
        if isinstance(value, list | tuple | set | frozenset):
            return sorted(str(v) for v in value)
        return value

    return {
        key: [safe(before.get(key)), safe(after[key])] for key in after if safe(before.get(key)) != safe(after[key])
    }


def whatsapp_enabled() -> bool:
    return bool(settings.WHATSAPP_TOKEN and settings.WHATSAPP_PHONE_NUMBER_ID)


def normalise_phone(phone: str) -> str:
    """Indonesian mobile numbers in the international form WhatsApp expects: 0812… → 62812…"""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    elif digits.startswith("8"):
        digits = "62" + digits
    return digits


def _addresses(user: Any) -> tuple[str, str]:
    employee = getattr(user, "employee", None) if hasattr(user, "employee") else None
    email = user.email or (employee.email if employee else "")
    phone = employee.phone if employee else ""
    return email, phone


def notify(
    *,
    user: Any,
    government: Government,
    subject: str,
    body: str,
    link: str = "",
    channels: tuple[str, ...] | None = None,
) -> list[Notification]:
    """Tell a person something: in-app always, by e-mail and WhatsApp where they have an address.

    Each message is stored first, then sent by a background task after the transaction commits, so
    nothing is lost when a mail server or WhatsApp is down: the task retries with backoff.
    """
    from siaga.core.tasks import deliver_notification

    wanted = channels or (
        Notification.Channel.IN_APP,
        Notification.Channel.EMAIL,
        Notification.Channel.WHATSAPP,
    )
    email, phone = _addresses(user)
    now = timezone.now()
    created: list[Notification] = []
    with transaction.atomic():
        for channel in wanted:
            if channel == Notification.Channel.IN_APP:
                created.append(
                    Notification.objects.create(
                        government=government,
                        recipient=user,
                        channel=channel,
                        subject=subject[:200],
                        body=body,
                        link=link,
                        status=Notification.Status.SENT,
                        sent_at=now,
                    )
                )
                continue
            if channel == Notification.Channel.WHATSAPP and not whatsapp_enabled():
                continue
            address = email if channel == Notification.Channel.EMAIL else normalise_phone(phone)
            note = Notification.objects.create(
                government=government,
                recipient=user,
                channel=channel,
                address=address,
                subject=subject[:200],
                body=body,
                link=link,
                status=Notification.Status.PENDING if address else Notification.Status.SKIPPED,
                next_attempt_at=now if address else None,
            )
            created.append(note)
            if address:
                transaction.on_commit(partial(deliver_notification.enqueue, note.pk))
    return created


def notification_mark_read(*, notification: Notification) -> None:
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())


def notifications_mark_all_read(*, user: Any, government: Government) -> int:
    return Notification.objects.filter(
        recipient=user, government=government, channel=Notification.Channel.IN_APP, read_at__isnull=True
    ).update(read_at=timezone.now())


def calendar_override_set(
    *, government: Government, date: dt.date, kind: str, name: str, actor: Any
) -> CalendarOverride:
    with transaction.atomic():
        override, created = CalendarOverride.objects.update_or_create(
            government=government, date=date, defaults={"kind": kind, "name": name}
        )
        audit_record(
            actor=actor,
            government=government,
            action="create" if created else "update",
            obj=override,
            changes={"kind": kind, "name": name},
        )
    return override


def calendar_override_delete(*, override: CalendarOverride, actor: Any) -> None:
    with transaction.atomic():
        audit_record(actor=actor, government=override.government_id, action="delete", obj=override)
        override.delete()


def hash_token(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_create(
    *, government: Government, user: Any, name: str, actor: Any, expires_at: dt.datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a token; the plain key is returned once and never stored."""
    key = settings.API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            government=government,
            user=user,
            name=name,
            prefix=key[: len(settings.API_TOKEN_PREFIX) + 6],
            key_hash=hash_token(key),
            expires_at=expires_at,
        )
        audit_record(actor=actor, government=government, action="create", obj=token)
    return token, key


def api_token_revoke(*, token: ApiToken, actor: Any) -> None:
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        audit_record(actor=actor, government=token.government_id, action="delete", obj=token)
