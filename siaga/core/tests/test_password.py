"""Forgotten passwords and invitations: a one-time link through the notification outbox."""

import re

import pytest
from django.urls import reverse

from siaga.core.models import Notification
from siaga.core.services import password_link_send

pytestmark = pytest.mark.django_db


def link_in(note):
    match = re.search(r"/password/set/[^/]+/[^/]+/", note.link)
    assert match, note.link
    return match.group(0)


def test_a_forgotten_password_is_reset_through_a_link_sent_by_email(org, client):
    response = client.post(reverse("password_reset"), {"email": "staf@example.go.id"})
    assert response.status_code == 302
    note = Notification.objects.get(channel="email")
    assert (note.recipient, note.address, note.status) == (org["users"]["staff"], "staf@example.go.id", "pending")
    assert note.link.startswith("http://127.0.0.1:8000/password/set/")
    form_page = client.get(link_in(note), follow=True)
    assert form_page.context["validlink"] is True
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": "Kopi-Tubruk-2020", "new_password2": "Kopi-Tubruk-2020"}
    )
    assert done.status_code == 302
    org["users"]["staff"].refresh_from_db()
    assert org["users"]["staff"].check_password("Kopi-Tubruk-2020")
    # The link works once.
    assert client.get(link_in(note), follow=True).context["validlink"] is False


def test_an_unknown_address_gets_the_same_answer_and_no_message(org, client):
    response = client.post(reverse("password_reset"), {"email": "tidak.ada@example.go.id"})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert not Notification.objects.exists()


def test_an_invitation_names_the_user_and_government(org):
    notes = password_link_send(user=org["users"]["staff"], reset=False)
    assert [n.channel for n in notes] == ["email"]
    assert notes[0].subject == "Your Siaga account"
    assert "Kabupaten Sukoharjo" in notes[0].body and "staf" in notes[0].body
