"""Writes of the core app: audit log, notifications outbox, calendar overrides, API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from decimal import Decimal
from functools import partial
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from siaga.core import scopes as token_scopes
from siaga.core.models import ApiToken, AuditEvent, CalendarOverride, Government, Notification, Role, RoleAssignment


def _label(user: Any) -> str:
    if user is None:
        return "system"
    if getattr(user, "is_anonymous", False):
        return "anonymous"
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


def _json_safe(value: Any) -> Any:
    """A value as the audit log stores it: dates as ISO text, records by their name, sets sorted."""
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, Decimal | UUID | dt.timedelta):
        return str(value)
    if isinstance(value, list | tuple | set | frozenset):
        return sorted(str(_json_safe(v)) for v in value)
    return value


def _identity(value: Any) -> Any:
    """What makes two values equal: records by their primary key (two units may share a name)."""
    if isinstance(value, models.Model):
        return f"{value._meta.label_lower}#{value.pk}"
    if isinstance(value, list | tuple | set | frozenset):
        return sorted(str(_identity(v)) for v in value)
    return _json_safe(value)


def diff_fields(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Changed fields as ``{name: [old, new]}`` with values made JSON-safe."""
    return {
        key: [_json_safe(before.get(key)), _json_safe(after[key])]
        for key in after
        if _identity(before.get(key)) != _identity(after[key])
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
    """A person's e-mail and phone: from the account, then their employee or citizen record."""
    employee = getattr(user, "employee", None) if hasattr(user, "employee") else None
    citizen = getattr(user, "citizen", None) if employee is None and hasattr(user, "citizen") else None
    record = employee or citizen
    email = user.email or (record.email if record else "")
    phone = record.phone if record else ""
    return email, phone


def notify(
    *,
    user: Any,
    government: Government,
    subject: str,
    body: str,
    link: str = "",
    channels: tuple[str, ...] | None = None,
    attachment: tuple[str, str, str] | None = None,
) -> list[Notification]:
    """Tell a person something: in-app always, by e-mail and WhatsApp where they have an address.

    ``attachment`` is ``(file name, MIME type, text)``, e.g. ``("invite.ics", "text/calendar;
    method=REQUEST", ics)``: it goes with the e-mail only.

    Each message is stored first, then sent by a background task after the transaction commits, so
    nothing is lost when a mail server or WhatsApp is down: the task retries with backoff.
    """
    from siaga.core.tasks import deliver_notification

    wanted = channels or (
        Notification.Channel.IN_APP,
        Notification.Channel.EMAIL,
        Notification.Channel.WHATSAPP,
    )
    for channel in wanted:
        if channel not in Notification.Channel.values:
            raise ValueError(
                f"Unknown notification channel {channel!r}; use {', '.join(Notification.Channel.values[:-1])}"
                f" or {Notification.Channel.values[-1]}."
            )
    email, phone = _addresses(user)
    now = timezone.now()
    attachment_name, attachment_type, attachment_text = attachment or ("", "", "")
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
                **(
                    {
                        "attachment_name": attachment_name[:100],
                        "attachment_type": attachment_type[:100],
                        "attachment": attachment_text,
                    }
                    if channel == Notification.Channel.EMAIL
                    else {}
                ),
                next_attempt_at=now if address else None,
            )
            created.append(note)
            if address:
                transaction.on_commit(partial(deliver_notification.enqueue, note.pk))
    return created


def notification_resend(*, notification: Notification, actor: Any) -> bool:
    """Try a failed e-mail or WhatsApp message again from the start (e.g. after a wrong address was fixed)."""
    from siaga.core.tasks import deliver_notification

    with transaction.atomic():
        updated = Notification.objects.filter(pk=notification.pk, status=Notification.Status.FAILED).update(
            status=Notification.Status.PENDING, attempts=0, next_attempt_at=timezone.now(), last_error=""
        )
        if updated:
            audit_record(
                actor=actor,
                government=notification.government_id,
                action="update",
                object_type="core.notification",
                object_id=str(notification.pk),
                object_repr=f"{notification.channel} → {notification.recipient_id}",
                changes={"status": ["failed", "pending"]},
            )
            transaction.on_commit(partial(deliver_notification.enqueue, notification.pk))
    return bool(updated)


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
    *,
    government: Government,
    user: Any,
    name: str,
    actor: Any,
    expires_at: dt.datetime | None = None,
    scopes: Iterable[str] | None = None,
) -> tuple[ApiToken, str]:
    """Create a token; the plain key is returned once and never stored.

    ``scopes`` (siaga.core.scopes) limits the parts of the API the token may call; ``None`` grants every
    scope. Raises ValidationError for an unknown scope or an empty list."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    try:
        granted = token_scopes.normalise(token_scopes.ALL_SCOPES if scopes is None else scopes)
    except ValueError as exc:
        raise ValidationError(
            {"scopes": _("Unknown scope: %(scopes)s. Choose from the list of scopes.") % {"scopes": exc}}
        ) from exc
    if not granted:
        raise ValidationError({"scopes": _("Choose at least one scope: a token without scopes can call nothing.")})
    key = settings.API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            government=government,
            user=user,
            name=name,
            prefix=key[: len(settings.API_TOKEN_PREFIX) + 6],
            key_hash=hash_token(key),
            expires_at=expires_at,
            scopes=granted,
        )
        audit_record(actor=actor, government=government, action="create", obj=token)
    return token, key


def api_token_revoke(*, token: ApiToken, actor: Any) -> None:
    """Revoke a token at once; revoking a revoked token changes nothing (and logs nothing)."""
    with transaction.atomic():
        now = timezone.now()
        if ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now):
            token.revoked_at = now
            audit_record(actor=actor, government=token.government_id, action="delete", obj=token)


def government_create(
    *, code: str, name: str, kind: str, zone: str = "WIB", workweek: str = "mon-fri", actor: Any = None
) -> Government:
    """Register a government (tenant) on this instance."""
    government = Government(code=code.strip(), name=name.strip(), kind=kind, zone=zone, workweek=workweek)
    government.full_clean()
    with transaction.atomic():
        government.save()
        audit_record(actor=actor, government=government, action="create", obj=government)
    return government


def user_create(
    *, username: str, email: str = "", password: str | None = None, actor: Any = None, government: Government
) -> Any:
    """Create a login. Without a password the account cannot log in until its owner sets one."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    user_model = get_user_model()
    username = username.strip()
    if not username:
        raise ValidationError({"username": _("Enter a user name.")})
    if user_model.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("The user name %(name)s is taken.") % {"name": username}})
    user = user_model(username=username, email=email.strip())
    if password:
        validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    with transaction.atomic():
        user.save()
        audit_record(actor=actor, government=government, action="create", obj=user, object_repr=username)
    return user


def role_assign(*, user: Any, government: Government, role: str, actor: Any = None) -> RoleAssignment:
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role %(role)s.") % {"role": role}})
    with transaction.atomic():
        assignment, created = RoleAssignment.objects.get_or_create(user=user, government=government, role=role)
        if created:
            audit_record(
                actor=actor,
                government=government,
                action="create",
                obj=assignment,
                changes={"user": user.get_username(), "role": role},
            )
    return assignment


def role_revoke(*, user: Any, government: Government, role: str, actor: Any = None) -> bool:
    with transaction.atomic():
        deleted, _ignored = RoleAssignment.objects.filter(user=user, government=government, role=role).delete()
        if deleted:
            audit_record(
                actor=actor,
                government=government,
                action="delete",
                object_type="core.roleassignment",
                object_repr=f"{user.get_username()} {role}",
                changes={"user": user.get_username(), "role": role},
            )
    return bool(deleted)


def password_link(user: Any) -> str:
    """An absolute one-time link to set a new password (valid for PASSWORD_RESET_TIMEOUT)."""
    from django.contrib.auth.tokens import default_token_generator
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse("password_set", kwargs={"uidb64": uid, "token": default_token_generator.make_token(user)})
    return f"{settings.BASE_URL}{path}"


def password_link_send(*, user: Any, reset: bool) -> list[Notification]:
    """Send a person the link to set their password: a new account's invitation, or a reset they asked for."""
    from django.utils.translation import gettext as _

    from siaga.core.access import actor_for_user

    government = actor_for_user(user).government
    if government is None:
        return []
    hours = settings.PASSWORD_RESET_TIMEOUT // 3600
    if reset:
        subject = _("Reset your Siaga password")
        body = _(
            "Someone (hopefully you) asked to reset the password of the Siaga account %(username)s. "
            "Open the link below within %(hours)d hours to choose a new one. If it was not you, ignore this message."
        ) % {"username": user.get_username(), "hours": hours}
    else:
        subject = _("Your Siaga account")
        body = _(
            "An account has been made for you in Siaga, %(government)s. Your user name is %(username)s. "
            "Open the link below within %(hours)d hours to choose your password."
        ) % {"government": government.name, "username": user.get_username(), "hours": hours}
    return notify(
        user=user,
        government=government,
        subject=subject,
        body=body,
        link=password_link(user),
        channels=(Notification.Channel.EMAIL, Notification.Channel.WHATSAPP),
    )
