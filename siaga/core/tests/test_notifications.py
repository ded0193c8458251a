"""Notifications: stored before they are sent, sent by the worker, retried with backoff, never lost.

The e-mail tests talk to a real SMTP server (aiosmtpd) on loopback that is stopped and started; the
WhatsApp tests to a real HTTP server standing in for the Cloud API.
"""

from __future__ import annotations

import datetime as dt
import logging
import signal

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from siaga.core.models import Notification
from siaga.core.services import normalise_phone, notify
from siaga.core.tasks import backoff, deliver_notification, requeue_due_notifications

SUBJECT = "Jadwal kerja pekan depan — WFO Senin & Rabu"
BODY = "Yth. Staf Pelayanan,\njadwal kerja Anda untuk pekan 7–11 Desember sudah terbit."
LINK = "https://siaga.sukoharjokab.go.id/inbox/"
DELIVER = "siaga.core.tasks.deliver_notification"
NOT_DEFERRED = dt.datetime(9999, 1, 1, tzinfo=dt.UTC)  # how django-tasks-db stores "run as soon as possible"


def send(org, *, channels=None, user=None):
    """notify() the staff member (or ``user``) and run the on-commit callbacks, as a commit would."""
    return notify(
        user=user or org["users"]["staff"],
        government=org["government"],
        subject=SUBJECT,
        body=BODY,
        link=LINK,
        channels=channels,
    )


def queued():
    """The queue entries waiting to run, as (notification id, run_after)."""
    return [
        (entry.args_kwargs["args"][0], entry.run_after)
        for entry in DBTaskResult.objects.filter(status=TaskResultStatus.READY, task_path=DELIVER).order_by("run_after")
    ]


def move_clock_past_the_backoff():
    """Make every pending message and queued retry due now, as if the backoff had passed."""
    past = timezone.now() - dt.timedelta(seconds=1)
    Notification.objects.filter(status=Notification.Status.PENDING).update(next_attempt_at=past)
    DBTaskResult.objects.filter(status=TaskResultStatus.READY).exclude(run_after__year=9999).update(run_after=past)


def lose_the_queue():
    """Lose every queue entry, as when a worker died holding one or the queue table was restored."""
    DBTaskResult.objects.all().delete()


# notify() -------------------------------------------------------------------------------------------


def test_notify_stores_a_sent_in_app_message_and_a_pending_email(org, django_capture_on_commit_callbacks):
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        in_app, mail = send(org)
    assert (in_app.channel, in_app.status, in_app.address, in_app.attempts) == ("in_app", "sent", "", 0)
    assert in_app.sent_at is not None and in_app.sent_at >= before
    assert (mail.channel, mail.status, mail.address, mail.attempts, mail.sent_at) == (
        "email",
        "pending",
        "staf@example.go.id",
        0,
        None,
    )
    assert before <= mail.next_attempt_at <= timezone.now()
    assert (mail.subject, mail.body, mail.link, mail.government_id, mail.recipient_id) == (
        SUBJECT,
        BODY,
        LINK,
        org["government"].pk,
        org["users"]["staff"].pk,
    )
    assert Notification.objects.count() == 2


def test_notify_stores_no_whatsapp_message_while_whatsapp_is_not_configured(org, settings):
    settings.WHATSAPP_TOKEN = settings.WHATSAPP_PHONE_NUMBER_ID = ""
    send(org)
    assert sorted(Notification.objects.values_list("channel", flat=True)) == ["email", "in_app"]


def test_notify_skips_a_channel_for_which_the_person_has_no_address(db, government, whatsapp_api):
    user = get_user_model().objects.create_user(username="warga", password="x", email="")
    notes = notify(user=user, government=government, subject=SUBJECT, body=BODY)
    assert [(n.channel, n.status, n.address, n.next_attempt_at) for n in notes] == [
        ("in_app", "sent", "", None),
        ("email", "skipped", "", None),
        ("whatsapp", "skipped", "", None),
    ]
    assert queued() == []


def test_notify_uses_the_employee_email_when_the_user_account_has_none(org):
    user = org["users"]["staff"]
    user.email = ""
    user.save()
    _in_app, mail = send(org, channels=("in_app", "email"))
    assert mail.address == "staf@example.go.id"


def test_notify_sends_only_on_the_channels_asked_for(org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notes = send(org, channels=("email",))
    assert [n.channel for n in notes] == ["email"]
    assert queued() == [(notes[0].pk, NOT_DEFERRED)]


def test_notify_refuses_a_channel_it_does_not_know(org):
    with pytest.raises(ValueError, match=r"^Unknown notification channel 'sms'; use in_app, email or whatsapp\.$"):
        send(org, channels=("sms",))
    assert Notification.objects.count() == 0


def test_notify_enqueues_the_sending_only_when_the_transaction_commits(org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _in_app, mail = send(org)
        assert DBTaskResult.objects.count() == 0
    assert len(callbacks) == 1
    callbacks[0]()
    entry = DBTaskResult.objects.get()
    assert (entry.task_path, entry.args_kwargs, entry.status, entry.queue_name) == (
        DELIVER,
        {"args": [mail.pk], "kwargs": {}},
        "READY",
        "default",
    )


def test_notify_inside_a_transaction_that_rolls_back_stores_and_enqueues_nothing(
    org, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        send(org)
        raise RuntimeError("the caller's write failed")
    assert (Notification.objects.count(), len(callbacks), DBTaskResult.objects.count()) == (0, 0, 0)


@pytest.mark.parametrize(
    ("phone", "expected"),
    [
        ("081234567890", "6281234567890"),
        ("+62 812-3456-7890", "6281234567890"),
        ("6281234567890", "6281234567890"),
        ("81234567890", "6281234567890"),
        ("(0271) 593068", "62271593068"),
        ("", ""),
    ],
)
def test_phone_numbers_are_written_in_the_international_form_whatsapp_expects(phone, expected):
    assert normalise_phone(phone) == expected


def test_backoff_doubles_from_the_base_and_stops_at_six_hours(settings):
    settings.NOTIFY_BACKOFF_SECONDS = 30
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4, 10, 30)] == [30, 60, 120, 240, 15360, 21600]


# E-mail over real SMTP ----------------------------------------------------------------------------


def test_an_smtp_outage_loses_nothing_the_message_goes_once_the_server_is_back(org, smtp_server, run_worker, settings):
    settings.NOTIFY_BACKOFF_SECONDS = 30
    # Transactions commit for real here (see run_worker), so notify()'s on-commit hook writes the entry.
    _in_app, mail = send(org)
    assert queued() == [(mail.pk, NOT_DEFERRED)]

    # 1. The SMTP server is down: the attempt fails, the message waits, a retry is queued after the backoff.
    before = timezone.now()
    run_worker()
    mail.refresh_from_db()
    assert (mail.status, mail.attempts, mail.sent_at) == ("pending", 1, None)
    assert mail.last_error.startswith("ConnectionRefusedError: [Errno 111]")
    assert before + dt.timedelta(seconds=30) <= mail.next_attempt_at <= timezone.now() + dt.timedelta(seconds=30)
    assert queued() == [(mail.pk, mail.next_attempt_at)]
    assert smtp_server.received == []

    # 2. Running the worker again before the backoff has passed does nothing.
    run_worker()
    mail.refresh_from_db()
    assert (mail.status, mail.attempts) == ("pending", 1)

    # 3. The server comes back and the backoff passes: the retry sends the message, once.
    smtp_server.start()
    move_clock_past_the_backoff()
    run_worker()
    mail.refresh_from_db()
    assert (mail.status, mail.attempts, mail.last_error, mail.next_attempt_at) == ("sent", 2, "", None)
    assert mail.sent_at is not None
    assert len(smtp_server.received) == 1
    received = smtp_server.received[0]
    assert (received.mail_from, received.rcpt_tos) == ("siaga@sukoharjokab.go.id", ["staf@example.go.id"])
    assert received.message["To"] == "staf@example.go.id"
    assert received.message["From"] == "Siaga Sukoharjo <siaga@sukoharjokab.go.id>"
    assert received.message["Subject"] == SUBJECT
    assert received.message["X-Siaga-Notification"] == str(mail.pk)
    # SMTP carries lines ending in CRLF, and the last line ends too.
    assert received.message.get_content() == f"{BODY}\n\n{LINK}\n".replace("\n", "\r\n")

    # 4. Idempotent: more worker runs, or a stray duplicate of the task, send nothing more.
    run_worker()
    deliver_notification.enqueue(mail.pk)
    run_worker()
    assert len(smtp_server.received) == 1
    assert queued() == []


def test_a_message_that_fails_every_attempt_ends_failed_with_no_retry_queued(org, smtp_server, run_worker, settings):
    settings.NOTIFY_MAX_ATTEMPTS = 3
    _in_app, mail = send(org)
    for attempt in (1, 2):
        run_worker()
        mail.refresh_from_db()
        assert (mail.status, mail.attempts, len(queued())) == ("pending", attempt, 1)
        move_clock_past_the_backoff()
    run_worker()
    mail.refresh_from_db()
    assert (mail.status, mail.attempts, mail.next_attempt_at, mail.sent_at) == ("failed", 3, None, None)
    assert mail.last_error.startswith("ConnectionRefusedError: ")
    assert queued() == []
    assert requeue_due_notifications() == 0

    # A failed message is not sent later, even when the server is back and a task turns up.
    smtp_server.start()
    deliver_notification.enqueue(mail.pk)
    run_worker()
    mail.refresh_from_db()
    assert (mail.status, len(smtp_server.received)) == ("failed", 0)


def test_a_message_is_sent_on_the_first_attempt_when_the_server_is_up(org, smtp_server, run_worker):
    smtp_server.start()
    _in_app, mail = send(org)
    run_worker()
    mail.refresh_from_db()
    assert (mail.status, mail.attempts, mail.last_error) == ("sent", 1, "")
    assert [m.message["Subject"] for m in smtp_server.received] == [SUBJECT]


def test_a_link_inside_the_app_reaches_email_and_whatsapp_as_a_full_address(org, smtp_server, whatsapp_api, settings):
    settings.BASE_URL = "https://siaga.sukoharjokab.go.id"
    smtp_server.start()
    in_app, mail, whatsapp = notify(
        user=org["users"]["staff"],
        government=org["government"],
        subject="Rapat",
        body="Undangan rapat.",
        link="/inbox/",
    )
    assert (deliver_notification.call(mail.pk), deliver_notification.call(whatsapp.pk)) == ("sent", "sent")
    assert in_app.link == "/inbox/"
    assert (
        smtp_server.received[0].message.get_content()
        == "Undangan rapat.\r\n\r\nhttps://siaga.sukoharjokab.go.id/inbox/\r\n"
    )
    assert (
        whatsapp_api.requests[0].body["text"]["body"]
        == "*Rapat*\nUndangan rapat.\nhttps://siaga.sukoharjokab.go.id/inbox/"
    )


def test_a_task_that_runs_before_the_message_is_due_leaves_it_alone(org, smtp_server):
    smtp_server.start()
    _in_app, mail = send(org)
    later = timezone.now() + dt.timedelta(minutes=5)
    Notification.objects.filter(pk=mail.pk).update(next_attempt_at=later)
    assert deliver_notification.call(mail.pk) == "not due"
    mail.refresh_from_db()
    assert (mail.status, mail.attempts, mail.next_attempt_at) == ("pending", 0, later)
    assert smtp_server.received == []


def test_delivering_a_message_that_no_longer_exists_is_done(db):
    assert deliver_notification.call(987654) == "done"


def test_the_immediate_task_backend_sends_at_once_and_leaves_retries_to_the_periodic_requeue(
    org, smtp_server, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        _in_app, mail = send(org)
    mail.refresh_from_db()
    assert (mail.status, mail.attempts) == ("pending", 1)  # the server is down; nothing raised
    assert DBTaskResult.objects.count() == 0

    smtp_server.start()
    Notification.objects.filter(pk=mail.pk).update(next_attempt_at=timezone.now())
    assert requeue_due_notifications() == 1
    mail.refresh_from_db()
    assert (mail.status, mail.attempts, len(smtp_server.received)) == ("sent", 2, 1)


# Recovering lost queue entries ---------------------------------------------------------------------


def test_requeue_enqueues_a_due_message_whose_queue_entry_was_lost(org, smtp_server, run_worker):
    smtp_server.start()
    _in_app, mail = send(org)
    lose_the_queue()
    assert queued() == []
    assert requeue_due_notifications() == 1
    assert [pk for pk, _run_after in queued()] == [mail.pk]
    run_worker()
    mail.refresh_from_db()
    assert (mail.status, len(smtp_server.received)) == ("sent", 1)


def test_requeue_does_not_duplicate_a_message_that_still_waits_in_the_queue(org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send(org)
    assert requeue_due_notifications() == 0
    assert len(queued()) == 1


def test_requeue_leaves_alone_messages_that_are_not_due_or_not_pending(org):
    _in_app, waiting = send(org)
    Notification.objects.filter(pk=waiting.pk).update(next_attempt_at=timezone.now() + dt.timedelta(minutes=1))
    _in_app, failed = send(org)
    Notification.objects.filter(pk=failed.pk).update(status="failed", next_attempt_at=None)
    _in_app, sent = send(org)
    Notification.objects.filter(pk=sent.pk).update(status="sent", next_attempt_at=None)
    assert requeue_due_notifications() == 0
    assert queued() == []


def test_requeue_recovers_a_message_whose_worker_died_while_sending(org, smtp_server, run_worker):
    smtp_server.start()
    _in_app, mail = send(org)
    lose_the_queue()
    # The claim was written (attempt 1), then the worker died; the backoff has passed since.
    Notification.objects.filter(pk=mail.pk).update(attempts=1, next_attempt_at=timezone.now())
    assert requeue_due_notifications() == 1
    run_worker()
    mail.refresh_from_db()
    assert (mail.status, mail.attempts, len(smtp_server.received)) == ("sent", 2, 1)


def test_a_batch_worker_run_with_periodic_jobs_recovers_lost_messages_by_itself(org, smtp_server, run_worker):
    smtp_server.start()
    _in_app, mail = send(org)
    lose_the_queue()
    run_worker(periodic=True)
    mail.refresh_from_db()
    assert (mail.status, len(smtp_server.received)) == ("sent", 1)


def test_the_worker_gives_back_the_signal_handlers_it_found(db, run_worker):
    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    run_worker()
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before


# WhatsApp Cloud API ---------------------------------------------------------------------------------


def test_a_whatsapp_message_is_posted_to_the_cloud_api_and_marked_sent(org, whatsapp_api, run_worker):
    notes = send(org)
    whatsapp = next(n for n in notes if n.channel == "whatsapp")
    assert (whatsapp.status, whatsapp.address) == ("pending", "6281234567890")
    Notification.objects.filter(channel="email").update(status="sent")  # only WhatsApp is under test

    run_worker()
    whatsapp.refresh_from_db()
    assert (whatsapp.status, whatsapp.attempts, whatsapp.last_error) == ("sent", 1, "")
    assert len(whatsapp_api.requests) == 1
    request = whatsapp_api.requests[0]
    assert (request.method, request.path) == ("POST", "/106540352242922/messages")
    assert request.headers["authorization"] == "Bearer test-cloud-api-token"
    assert request.headers["content-type"] == "application/json"
    assert request.body == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "6281234567890",
        "type": "text",
        "text": {"preview_url": False, "body": f"*{SUBJECT}*\n{BODY}\n{LINK}"},
    }


def test_a_whatsapp_server_error_keeps_the_message_pending_for_a_retry(org, whatsapp_api, run_worker):
    whatsapp_api.status = 500
    whatsapp_api.answer = b'{"error":{"message":"Service temporarily unavailable","code":2}}'
    send(org, channels=("whatsapp",))
    run_worker()
    whatsapp = Notification.objects.get(channel="whatsapp")
    assert (whatsapp.status, whatsapp.attempts) == ("pending", 1)
    assert whatsapp.last_error == (
        'WhatsApp API answered 500: {"error":{"message":"Service temporarily unavailable","code":2}}'
    )
    assert queued() == [(whatsapp.pk, whatsapp.next_attempt_at)]

    whatsapp_api.status = 200
    whatsapp_api.answer = b'{"messages":[{"id":"wamid.second"}]}'
    move_clock_past_the_backoff()
    run_worker()
    whatsapp.refresh_from_db()
    assert (whatsapp.status, whatsapp.attempts, whatsapp.last_error, len(whatsapp_api.requests)) == ("sent", 2, "", 2)


def test_a_whatsapp_answer_without_a_message_id_counts_as_a_failure(org, whatsapp_api, run_worker):
    whatsapp_api.answer = b'{"messages":[]}'
    send(org, channels=("whatsapp",))
    run_worker()
    whatsapp = Notification.objects.get(channel="whatsapp")
    assert (whatsapp.status, whatsapp.last_error) == ("pending", "WhatsApp API accepted no message: {'messages': []}")


def test_an_unreachable_whatsapp_api_is_retried(org, settings, run_worker):
    settings.WHATSAPP_TOKEN, settings.WHATSAPP_PHONE_NUMBER_ID = "t", "1"
    settings.WHATSAPP_API_URL = "http://127.0.0.1:1"
    send(org, channels=("whatsapp",))
    run_worker()
    whatsapp = Notification.objects.get(channel="whatsapp")
    assert (whatsapp.status, whatsapp.attempts) == ("pending", 1)
    assert whatsapp.last_error.startswith("WhatsApp API unreachable: URLError: <urlopen error [Errno 111]")


def test_a_whatsapp_answer_that_is_not_an_object_counts_as_a_failure(org, whatsapp_api):
    whatsapp_api.answer = b'["not", "an", "object"]'
    send(org, channels=("whatsapp",))
    whatsapp = Notification.objects.get(channel="whatsapp")
    assert deliver_notification.call(whatsapp.pk) == "retry"
    whatsapp.refresh_from_db()
    assert (whatsapp.status, whatsapp.attempts) == ("pending", 1)
    assert whatsapp.last_error == "WhatsApp API accepted no message: ['not', 'an', 'object']"


def test_an_unexpected_error_while_sending_is_logged_recorded_and_retried(org, settings, caplog):
    settings.EMAIL_BACKEND = "siaga.no_such_module.EmailBackend"
    _in_app, mail = send(org)
    with caplog.at_level(logging.ERROR, logger="siaga.core.tasks"):
        assert deliver_notification.call(mail.pk) == "retry"
    mail.refresh_from_db()
    assert (mail.status, mail.attempts) == ("pending", 1)
    assert mail.last_error == "ModuleNotFoundError: No module named 'siaga.no_such_module'"
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR] == [
        f"notification {mail.pk}: unexpected error while sending"
    ]
    assert queued() == [(mail.pk, mail.next_attempt_at)]
