"""Admins watch delivery of e-mail and WhatsApp messages without reading them, and resend failed ones."""

import pytest
from django.urls import reverse

from siaga.core.models import Notification
from siaga.core.services import notify

pytestmark = pytest.mark.django_db


def test_admins_see_delivery_but_not_content_and_resend_a_failed_message(
    org, client, other_government, django_capture_on_commit_callbacks
):
    note = notify(
        user=org["users"]["staff"],
        government=org["government"],
        subject="Hasil swab",
        body="Rahasia kesehatan",
        channels=("email",),
    )[0]
    Notification.objects.filter(pk=note.pk).update(status="failed", attempts=8, last_error="SMTP down")
    foreign = Notification.objects.create(
        government=other_government,
        recipient=org["users"]["staff"],
        channel="email",
        address="x@example.go.id",
        subject="s",
        body="b",
        status="failed",
    )
    client.force_login(org["users"]["admin"])
    response = client.get(reverse("outbox_list"), {"status": "failed"})
    assert [n.pk for n in response.context["page"]] == [note.pk]
    assert b"Hasil swab" not in response.content and b"Rahasia kesehatan" not in response.content
    with django_capture_on_commit_callbacks() as callbacks:
        client.post(reverse("outbox_resend", args=[note.pk]))
    assert len(callbacks) == 1
    note.refresh_from_db()
    assert (note.status, note.attempts, note.last_error) == ("pending", 0, "")
    assert client.post(reverse("outbox_resend", args=[foreign.pk])).status_code == 404


def test_other_roles_may_not_open_the_outbox(org, client):
    for who in ("health", "head", "staff", "officer"):
        client.force_login(org["users"][who])
        assert client.get(reverse("outbox_list")).status_code == 403
