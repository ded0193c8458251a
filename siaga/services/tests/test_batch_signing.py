"""Batch signing by the background workers: the batch page queues one task per document and follows the
progress; the passphrase is never stored or queued in clear; a wrong passphrase queues nothing; items
claimed by a lost worker are retried and nothing is signed twice."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from conftest import postgresql_only, race
from siaga.core.models import AuditEvent
from siaga.core.recovery import WORKER_LOST
from siaga.core.uploads import private_path
from siaga.engines.signing import ca
from siaga.engines.signing.verify import verify_pdf
from siaga.services import batch_signing
from siaga.services import signing as signing_service
from siaga.services.models import Application, IssuedDocument, SigningBatch, SigningBatchItem, Status
from siaga.services.tasks import sign_batch_item
from siaga.services.tests.test_documents_setup import *  # noqa: F403 - the fixtures
from siaga.services.tests.test_documents_setup import PASSPHRASE, awaiting

pytestmark = pytest.mark.django_db

TASK = "siaga.services.tasks.sign_batch_item"


@pytest.fixture
def three(signing: dict, make_application: Any) -> list[Application]:
    return [
        signing["application"],
        awaiting(make_application, signing["usaha"], signing["siti"]),
        awaiting(make_application, signing["pbg"], signing["budi"]),
    ]


def start(signing: dict, actor_of: Any, applications: list[Application], passphrase: str = PASSPHRASE) -> SigningBatch:
    head = actor_of(signing["users"]["head"])
    return batch_signing.batch_start(actor=head, applications=applications, passphrase=passphrase)


def run_queue() -> list[str]:
    """Run every queued signing task as a worker would, in queue order; return their outcomes."""
    outcomes = []
    for row in DBTaskResult.objects.filter(task_path=TASK, status=TaskResultStatus.READY).order_by("enqueued_at"):
        outcomes.append(sign_batch_item.call(*row.args_kwargs["args"]))
        DBTaskResult.objects.filter(pk=row.pk).update(status=TaskResultStatus.SUCCESSFUL)
    return outcomes


def test_a_batch_queues_one_task_per_document_and_the_workers_sign_each_once(
    signing: dict, actor_of: Any, three: list[Application], signing_ca: Path, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        batch = start(signing, actor_of, three)
    rows = DBTaskResult.objects.filter(task_path=TASK)
    assert sorted(r.args_kwargs["args"][0] for r in rows) == sorted(batch.items.values_list("pk", flat=True))
    assert not IssuedDocument.objects.exists()  # nothing is signed in the request
    assert run_queue() == ["signed", "signed", "signed"]
    batch.refresh_from_db()
    assert batch.status == SigningBatch.Status.DONE and batch.finished_at is not None
    assert batch.sealed_passphrase == ""  # wiped once the batch is finished
    assert IssuedDocument.objects.count() == 3
    assert sorted(d.number.split("/")[1] for d in IssuedDocument.objects.all()) == ["0001", "0002", "0003"]
    for item in batch.items.all():
        assert item.status == SigningBatchItem.Status.SIGNED and item.attempts == 1
        pdf = private_path(item.document.path).read_bytes()
        assert verify_pdf(pdf, [signing_ca / ca.ROOT_CERT]).valid
    assert Application.objects.filter(status=Status.ISSUED).count() == 3
    # a task run again (a duplicate in the queue) signs nothing
    assert sign_batch_item.call(batch.items.first().pk) == "skipped"
    assert IssuedDocument.objects.count() == 3
    assert AuditEvent.objects.filter(object_type__icontains="signingbatch").count() == 2  # created, finished


def test_the_passphrase_is_neither_stored_nor_queued_in_clear(
    signing: dict, actor_of: Any, three: list[Application], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        batch = start(signing, actor_of, three)
    assert PASSPHRASE not in batch.sealed_passphrase and batch.sealed_passphrase
    with connection.cursor() as cursor:  # every text column of the batch, its items and the queue
        cursor.execute("SELECT * FROM services_signingbatch")
        rows = cursor.fetchall()
        cursor.execute("SELECT * FROM services_signingbatchitem")
        rows += cursor.fetchall()
        cursor.execute("SELECT args_kwargs FROM django_tasks_database_dbtaskresult")
        rows += cursor.fetchall()
    assert rows and PASSPHRASE not in repr(rows)
    assert batch_signing.unseal(batch.pk, batch.sealed_passphrase) == PASSPHRASE
    assert batch_signing.unseal(batch.pk + 1, batch.sealed_passphrase) is None  # bound to its batch


def test_a_wrong_passphrase_queues_nothing_and_says_so(signing: dict, login: Any, three: list[Application]) -> None:
    client = login(signing["users"]["head"])
    data = {"application": [a.pk for a in three], "passphrase": "salah-sekali"}
    response = client.post(reverse("services:sign_batch"), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "The passphrase is wrong" in response.text and "Nothing was signed" in response.text
    page = client.post(reverse("services:sign_batch"), data, follow=True)
    assert "The passphrase is wrong" in page.text
    assert not SigningBatch.objects.exists() and not DBTaskResult.objects.filter(task_path=TASK).exists()
    assert not IssuedDocument.objects.exists()


def test_the_batch_page_shows_live_progress_then_each_result(
    signing: dict, login: Any, three: list[Application], django_capture_on_commit_callbacks: Any
) -> None:
    client = login(signing["users"]["head"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("services:sign_batch"), {"application": [a.pk for a in three], "passphrase": PASSPHRASE}
        )
    batch = SigningBatch.objects.get()
    url = reverse("services:sign_batch_detail", args=[batch.pk])
    assert response.status_code == 302 and response["Location"] == url
    page = client.get(url)
    assert page.status_code == 200
    assert "0 of 3 handled, 0 signed" in page.text and f'hx-get="{url}"' in page.text  # polls while running
    assert 'hx-trigger="every 1s"' in page.text
    sign_batch_item.call(batch.items.first().pk)
    partial = client.get(url, HTTP_HX_REQUEST="true")
    assert "1 of 3 handled, 1 signed" in partial.text and "<html" not in partial.text
    run_queue()
    done = client.get(url, HTTP_HX_REQUEST="true")
    assert "3 of 3 handled, 3 signed" in done.text and "hx-get" not in done.text  # polling stops
    for document in IssuedDocument.objects.all():
        assert document.number in done.text
        assert reverse("services:document_download", args=[document.verify_token]) in done.text


def test_a_batch_started_with_htmx_answers_the_progress_partial(
    signing: dict, login: Any, three: list[Application]
) -> None:
    response = login(signing["users"]["head"]).post(
        reverse("services:sign_batch"),
        {"application": [three[0].pk], "passphrase": PASSPHRASE},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and 'id="batch-progress"' in response.text and "<html" not in response.text


@pytest.mark.parametrize("who", ["kabid", "staff", "officer"])
def test_only_its_maker_sees_a_batch(
    signing: dict, login: Any, actor_of: Any, three: list[Application], who: str
) -> None:
    batch = start(signing, actor_of, three[:1])
    status = login(signing["users"][who]).get(reverse("services:sign_batch_detail", args=[batch.pk])).status_code
    # a head who did not make it: 404 (not theirs); roles that sign nothing: 403
    assert status == (404 if who == "kabid" else 403)


def test_another_governments_batch_is_not_found(
    signing: dict, login: Any, actor_of: Any, three: list[Application], other_government: Any
) -> None:
    batch = start(signing, actor_of, three[:1])
    SigningBatch.objects.filter(pk=batch.pk).update(government=other_government)
    response = login(signing["users"]["head"]).get(reverse("services:sign_batch_detail", args=[batch.pk]))
    assert response.status_code == 404


def test_a_plh_sees_their_own_batch_and_not_the_heads(
    signing: dict, login: Any, actor_of: Any, three: list[Application]
) -> None:
    from siaga.services.tests.test_documents_setup import make_plh

    make_plh(signing, signing["kabid"])
    heads = start(signing, actor_of, three[:1])
    plh = batch_signing.batch_start(
        actor=actor_of(signing["users"]["kabid"]), applications=three[1:], passphrase=PASSPHRASE
    )
    client = login(signing["users"]["kabid"])
    assert client.get(reverse("services:sign_batch_detail", args=[plh.pk])).status_code == 200
    assert client.get(reverse("services:sign_batch_detail", args=[heads.pk])).status_code == 404


def test_an_item_claimed_by_a_lost_worker_is_retried_and_signed_once(
    signing: dict, actor_of: Any, three: list[Application], settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        batch = start(signing, actor_of, three[:2])
    first, _ = batch.items.all()
    # A worker claimed the first item, its queue row is RUNNING, then the worker was killed.
    row = DBTaskResult.objects.get(task_path=TASK, args_kwargs__args__0=first.pk)
    DBTaskResult.objects.filter(pk=row.pk).update(status=TaskResultStatus.RUNNING, started_at=timezone.now())
    assert batch_signing._claim(first.pk, "host-a:111") is not None
    assert batch_signing.items_recover() == 0  # its lease is still fresh
    stale = timezone.now() - dt.timedelta(seconds=settings.TASK_HEARTBEAT_TIMEOUT + 1)
    SigningBatchItem.objects.filter(pk=first.pk).update(claimed_at=stale)
    with django_capture_on_commit_callbacks(execute=True):
        assert batch_signing.items_recover() == 1
    row.refresh_from_db()
    assert row.status == TaskResultStatus.FAILED and row.exception_class_path == WORKER_LOST  # the queue is clean
    first.refresh_from_db()
    assert first.status == SigningBatchItem.Status.PENDING and first.worker == "" and first.attempts == 1
    assert DBTaskResult.objects.filter(task_path=TASK, args_kwargs__args__0=first.pk, status="READY").count() == 1
    run_queue()
    first.refresh_from_db()
    assert first.status == SigningBatchItem.Status.SIGNED and first.attempts == 2
    assert IssuedDocument.objects.count() == 2
    assert IssuedDocument.objects.filter(application=first.application).count() == 1


def test_an_item_lost_too_often_is_given_up(
    signing: dict, actor_of: Any, three: list[Application], settings: Any
) -> None:
    batch = start(signing, actor_of, three[:1])
    item = batch.items.get()
    stale = timezone.now() - dt.timedelta(seconds=settings.TASK_HEARTBEAT_TIMEOUT + 1)
    SigningBatchItem.objects.filter(pk=item.pk).update(
        status=SigningBatchItem.Status.RUNNING, claimed_at=stale, attempts=batch_signing.MAX_ATTEMPTS
    )
    assert batch_signing.items_recover() == 0
    item.refresh_from_db()
    assert item.status == SigningBatchItem.Status.FAILED and "interrupted 3 times" in item.error
    batch.refresh_from_db()
    assert batch.status == SigningBatch.Status.DONE and batch.sealed_passphrase == ""
    assert not IssuedDocument.objects.exists()


def test_a_document_signed_meanwhile_is_not_signed_again(
    signing: dict, actor_of: Any, three: list[Application]
) -> None:
    batch = start(signing, actor_of, three[:2])
    signing_service.sign_application(
        application=three[0], actor=actor_of(signing["users"]["head"]), passphrase=PASSPHRASE
    )
    assert sorted(sign_batch_item.call(i.pk) for i in batch.items.all()) == ["failed", "signed"]
    failed = batch.items.get(application=three[0])
    assert "handled meanwhile" in failed.error or "not awaiting signature" in failed.error
    assert IssuedDocument.objects.filter(application=three[0]).count() == 1


def test_an_expired_passphrase_fails_the_waiting_items(
    signing: dict, actor_of: Any, three: list[Application], settings: Any
) -> None:
    batch = start(signing, actor_of, three[:1])
    settings.SIGNING_BATCH_TTL = 60
    from cryptography.fernet import Fernet

    old = batch_signing._fernet().encrypt_at_time(
        f"{batch.pk}:{PASSPHRASE}".encode(), int(timezone.now().timestamp()) - 61
    )
    assert isinstance(batch_signing._fernet(), Fernet)
    SigningBatch.objects.filter(pk=batch.pk).update(sealed_passphrase=old.decode())
    assert sign_batch_item.call(batch.items.get().pk) == "failed"
    assert "passphrase was forgotten" in batch.items.get().error
    assert not IssuedDocument.objects.exists()


def test_a_passphrase_refused_by_the_worker_stops_the_rest_of_the_batch(
    signing: dict, actor_of: Any, three: list[Application]
) -> None:
    """A remote service checks the passphrase only when it signs: its refusal fails every waiting item."""
    batch = start(signing, actor_of, three)
    SigningBatch.objects.filter(pk=batch.pk).update(sealed_passphrase=batch_signing.seal(batch.pk, "salah-sekali"))
    items = list(batch.items.all())
    assert sign_batch_item.call(items[0].pk) == "failed"
    assert [sign_batch_item.call(i.pk) for i in items[1:]] == ["skipped", "skipped"]
    assert set(batch.items.values_list("status", flat=True)) == {SigningBatchItem.Status.FAILED}
    assert all("passphrase is wrong" in e for e in batch.items.values_list("error", flat=True))
    batch.refresh_from_db()
    assert batch.status == SigningBatch.Status.DONE and not IssuedDocument.objects.exists()


def test_an_empty_choice_or_passphrase_is_refused(signing: dict, actor_of: Any, three: list[Application]) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Choose at least one"):
        start(signing, actor_of, [])
    with pytest.raises(ValidationError, match="Type the passphrase"):
        start(signing, actor_of, three, passphrase="")
    assert not SigningBatch.objects.exists()


@pytest.mark.indonesian
def test_the_resumed_notice_is_in_indonesian(
    signing: dict, login: Any, actor_of: Any, three: list[Application]
) -> None:
    batch = start(signing, actor_of, three[:2])
    SigningBatchItem.objects.filter(batch=batch).update(attempts=2)
    page = login(signing["users"]["head"]).get(reverse("services:sign_batch_detail", args=[batch.pk]))
    assert "Dilanjutkan setelah gangguan" in page.text


@pytest.mark.django_db(transaction=True)
@postgresql_only
def test_two_workers_running_the_same_item_sign_it_once(signing: dict, actor_of: Any, three: list[Application]) -> None:
    batch = start(signing, actor_of, three[:1])
    item = batch.items.get()
    results, errors = race([lambda: sign_batch_item.call(item.pk), lambda: sign_batch_item.call(item.pk)])
    assert errors == [] and sorted(results) == ["signed", "skipped"]
    assert IssuedDocument.objects.count() == 1


def test_a_claim_taken_over_mid_signature_rolls_its_signature_back(
    signing: dict, actor_of: Any, three: list[Application], signing_settings: Any
) -> None:
    """A worker presumed dead that was only slow: the claim is no longer its own when it finishes, so its
    signature is rolled back (number, document, file); the new claim signs."""
    batch = start(signing, actor_of, three[:1])
    slow = batch_signing._claim(batch.items.get().pk, "slow-host:1")
    assert slow is not None
    SigningBatchItem.objects.filter(pk=slow.pk).update(status=SigningBatchItem.Status.PENDING)  # recovered
    fresh = batch_signing._claim(slow.pk, "other-host:2")
    assert fresh is not None and fresh.attempts == 2
    assert batch_signing.sign_claimed(slow) == "superseded"
    assert not IssuedDocument.objects.exists()
    assert not [p for p in (Path(signing_settings.MEDIA_ROOT) / "documents").rglob("*.pdf")]
    assert Application.objects.get(pk=slow.application_id).status == Status.AWAITING_SIGNATURE
    assert batch_signing.sign_claimed(fresh) == "signed"
    document = IssuedDocument.objects.get()
    assert document.number.split("/")[1] == "0001"
    assert SigningBatchItem.objects.get(pk=slow.pk).document == document
