"""One-time codes do not stay in the outbox: the message that carried a code is blanked once it is sent
and the code used, replaced or expired; the in-app inbox never carries a code."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from siaga.core.models import Notification
from siaga.core.schedule import PERIODIC_JOBS, run_due_jobs
from siaga.core.tasks import deliver_notification
from siaga.services import services_portal
from siaga.services.models import Citizen, OneTimeCode
from siaga.services.tests.test_portal import NIK_NEW, PASSWORD, register

pytestmark = pytest.mark.django_db

ADDRESS = "rina@example.com"


def code_of(note: Notification) -> str | None:
    found = re.search(r"\b(\d{6})\b", note.subject + " " + note.body)
    return found.group(1) if found else None


def outbox(address: str = ADDRESS) -> list[Notification]:
    return list(Notification.objects.filter(address__iexact=address).order_by("pk"))


def carries_code(code: str) -> list[Notification]:
    return [note for note in Notification.objects.all() if code in note.subject or code in note.body]


def test_the_message_is_blanked_when_the_code_is_used_and_the_inbox_never_has_it(client: Any, government: Any) -> None:
    register(client, government)
    (note,) = outbox()
    code = code_of(note)
    assert code and note.status == Notification.Status.PENDING
    assert deliver_notification.call(note.pk) == "sent"
    assert code in mail.outbox[-1].subject  # the resident did get it
    # no in-app copy of the code at any time
    assert not Notification.objects.filter(channel=Notification.Channel.IN_APP, body__contains=code).exists()
    otc = OneTimeCode.objects.get()
    assert otc.payload["notifications"] == [note.pk]

    response = client.post(reverse("portal:register_confirm", args=[government.code]), {"code": code})
    assert response.status_code == 302
    note.refresh_from_db()
    assert code_of(note) is None and carries_code(code) == []
    assert note.subject == "Kode Siaga" and "dihapus" in note.body
    assert note.status == Notification.Status.SENT  # its delivery record is kept
    assert Citizen.objects.get(nik=NIK_NEW).verified_at is not None


def test_a_sign_in_code_is_blanked_once_used(client: Any, government: Any, make_citizen: Any) -> None:
    citizen = make_citizen(government, "rina", NIK_NEW, "Rina", email=ADDRESS, verified_at=timezone.now())
    otc = services_portal.login_code_request(government=government, identifier=NIK_NEW)
    assert otc is not None
    (note,) = Notification.objects.filter(recipient=citizen.user)
    code = code_of(note)
    services_portal.login_code_check(government=government, code_id=otc.pk, code=code)
    assert carries_code(code) == []


def test_a_code_still_valid_keeps_its_pending_message_for_the_retry(client: Any, government: Any) -> None:
    register(client, government)
    (note,) = outbox()
    code = code_of(note)
    assert services_portal.code_messages_blank() == 0
    note.refresh_from_db()
    assert code_of(note) == code and note.status == Notification.Status.PENDING


def test_the_periodic_job_blanks_sent_messages_and_the_messages_of_expired_codes(client: Any, government: Any) -> None:
    register(client, government)
    (note,) = outbox()
    code = code_of(note)
    deliver_notification.call(note.pk)
    job = "portal-code-messages-blank"
    others = {other.name: 0.0 for other in PERIODIC_JOBS if other.name != job}  # just ran: not due
    assert run_due_jobs(others, 1.0) == [job]
    note.refresh_from_db()
    assert carries_code(code) == [] and note.status == Notification.Status.SENT
    # the code itself still works: only the copy in the outbox is gone
    response = client.post(reverse("portal:register_confirm", args=[government.code]), {"code": code})
    assert response.status_code == 302


def test_an_expired_code_s_unsent_message_is_blanked_and_not_sent(client: Any, government: Any) -> None:
    register(client, government)
    (note,) = outbox()
    code = code_of(note)
    OneTimeCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert services_portal.code_messages_blank() == 1
    note.refresh_from_db()
    assert carries_code(code) == []
    assert note.status == Notification.Status.FAILED and "kedaluwarsa" in note.last_error
    assert deliver_notification.call(note.pk) == "done" and mail.outbox == []
    assert OneTimeCode.objects.get().payload["blanked"] is True
    assert services_portal.code_messages_blank() == 0  # idempotent


def test_the_expired_code_is_blanked_when_the_resident_tries_it(client: Any, government: Any) -> None:
    register(client, government)
    (note,) = outbox()
    code = code_of(note)
    OneTimeCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    page = client.post(reverse("portal:register_confirm", args=[government.code]), {"code": code}).content.decode()
    assert "This code has expired" in page
    assert carries_code(code) == []


def test_a_replaced_code_s_message_is_blanked(client: Any, government: Any, settings: Any) -> None:
    settings.PORTAL_CODE_RESEND_SECONDS = 0
    register(client, government)
    first_note = outbox()[0]
    first = code_of(first_note)
    deliver_notification.call(first_note.pk)
    register(client, government, password=PASSWORD)  # registering again sends a new code
    notes = outbox()
    assert len(notes) == 2
    assert code_of(notes[0]) is None and code_of(notes[1]) not in (None, first)
    assert carries_code(first) == []
