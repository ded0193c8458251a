"""Senders for the notification channels. Each raises ``DeliveryError`` when a message did not go."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from email.mime.text import MIMEText

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from siaga.core.models import Notification


class DeliveryError(Exception):
    """A message could not be delivered this time; the outbox retries it."""


def absolute_link(link: str) -> str:
    """A link outside the app must be a full address: ``/inbox/`` → ``https://siaga.example.go.id/inbox/``."""
    if link.startswith("/") and not link.startswith("//"):
        return f"{settings.BASE_URL}{link}"
    return link


def send_email(notification: Notification) -> None:
    body = notification.body
    if notification.link:
        body = f"{body}\n\n{absolute_link(notification.link)}"
    message = EmailMessage(
        subject=notification.subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.address],
        headers={"X-Siaga-Notification": str(notification.pk)},
        connection=get_connection(fail_silently=False, timeout=settings.EMAIL_TIMEOUT),
    )
    if notification.attachment_name:
        message.attach(_attachment_part(notification))
    try:
        message.send()
    except Exception as exc:  # smtplib errors subclass OSError; a refused recipient or a bug is retried too
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc


def _attachment_part(notification: Notification) -> MIMEText:
    """The stored attachment as a MIME part: ``text/calendar; method=REQUEST`` keeps its parameters,
    which calendar clients read to tell an invitation from a cancellation."""
    mime_type, *params = (part.strip() for part in (notification.attachment_type or "text/plain").split(";"))
    maintype, _slash, subtype = mime_type.partition("/")
    part = MIMEText(notification.attachment, subtype if maintype == "text" and subtype else "plain", "utf-8")
    for param in params:
        key, _eq, value = param.partition("=")
        if key and value:
            part.set_param(key.strip(), value.strip().strip('"'))
    part.add_header("Content-Disposition", "attachment", filename=notification.attachment_name)
    return part


def send_whatsapp(notification: Notification) -> None:
    """Send a text message through the WhatsApp Cloud API (``POST /{phone-number-id}/messages``)."""
    if not (settings.WHATSAPP_TOKEN and settings.WHATSAPP_PHONE_NUMBER_ID):
        raise DeliveryError("WhatsApp is not configured")
    text = f"*{notification.subject}*\n{notification.body}"
    if notification.link:
        text = f"{text}\n{absolute_link(notification.link)}"
    payload = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": notification.address,
        "type": "text",
        "text": {"preview_url": False, "body": text[:4096]},
    }
    request = urllib.request.Request(  # noqa: S310 - the URL comes from settings, validated at start
        f"{settings.WHATSAPP_API_URL}/{settings.WHATSAPP_PHONE_NUMBER_ID}/messages",
        data=json.dumps(payload).encode(),
        headers={
            "Authorization": f"Bearer {settings.WHATSAPP_TOKEN}",
            "Content-Type": "application/json",
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.WHATSAPP_TIMEOUT) as response:  # noqa: S310
            answer = json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        detail = exc.read()[:500].decode(errors="replace")
        raise DeliveryError(f"WhatsApp API answered {exc.code}: {detail}") from exc
    except (OSError, ValueError, http.client.HTTPException) as exc:
        raise DeliveryError(f"WhatsApp API unreachable: {type(exc).__name__}: {exc}") from exc
    if not isinstance(answer, dict) or not answer.get("messages"):
        raise DeliveryError(f"WhatsApp API accepted no message: {str(answer)[:300]}")


SENDERS = {
    Notification.Channel.EMAIL: send_email,
    Notification.Channel.WHATSAPP: send_whatsapp,
}
