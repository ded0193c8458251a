"""Drill (docs/reliability.md "Killed workers"): a batch of 12 documents signed by two real ``siaga worker``
processes on PostgreSQL; one is killed with SIGKILL while it holds an item; the other worker's recovery
job retries that item. All 12 end signed exactly once (one IssuedDocument each, numbers 1–12 without a
gap or a repeat, each PDF verifies with pyHanko), both workers signed some, the queue is left clean."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from django.db.models import Count
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from siaga.core.access import actor_for_user
from siaga.core.recovery import WORKER_LOST
from siaga.core.uploads import private_path
from siaga.engines.signing import ca
from siaga.engines.signing.verify import verify_pdf
from siaga.rostering.tests.worker_processes import Workers, postgresql_processes, wait_for
from siaga.services import batch_signing
from siaga.services.models import Application, IssuedDocument, SigningBatch, SigningBatchItem, Status
from siaga.services.tests.test_documents_setup import *  # noqa: F403 - the fixtures
from siaga.services.tests.test_documents_setup import PASSPHRASE, awaiting

pytestmark = [pytest.mark.django_db(transaction=True), postgresql_processes]

BATCH = 12


@pytest.fixture
def workers(signing_settings: Any, signing_ca: Path) -> Any:
    # the workers' private files are the test's: MEDIA_ROOT is SIAGA_VAR_DIR/private
    var_dir = Path(signing_settings.MEDIA_ROOT).parent
    started = Workers(
        var_dir,
        SIGNING_BACKEND="local",
        SIGNING_DIR=str(signing_ca),
        SIAGA_BASE_URL=signing_settings.BASE_URL,
    )
    yield started
    started.stop_all()


def test_kill_9_a_worker_mid_batch_and_every_document_is_signed_once(
    signing: dict, make_application: Any, workers: Workers, signing_ca: Path
) -> None:
    applications = [signing["application"]] + [
        awaiting(make_application, signing["usaha"], signing["siti"] if i % 2 else signing["budi"])
        for i in range(BATCH - 1)
    ]
    workers.start("w1")
    workers.start("w2")
    workers.wait_started()
    batch = batch_signing.batch_start(
        actor=actor_for_user(signing["users"]["head"]), applications=applications, passphrase=PASSPHRASE
    )
    items = SigningBatchItem.objects.filter(batch=batch)

    victim: dict[str, Any] = {}

    def a_worker_holds_an_item_after_signing_one() -> bool:
        signed_by = set(items.filter(status=SigningBatchItem.Status.SIGNED).values_list("worker", flat=True))
        for item in items.filter(status=SigningBatchItem.Status.RUNNING):
            if item.worker in signed_by:
                victim.update(item=item.pk, worker=item.worker)
                return True
        return False

    wait_for(a_worker_holds_an_item_after_signing_one, 60, "a worker to hold an item", workers)
    name = workers.by_pid(int(victim["worker"].rsplit(":", 1)[1]))
    workers.kill(name)
    killed_at = time.monotonic()

    def done() -> bool:
        return SigningBatch.objects.filter(pk=batch.pk, status=SigningBatch.Status.DONE).exists()

    wait_for(done, 90, "the batch to finish", workers)
    took = time.monotonic() - killed_at

    assert set(items.values_list("status", flat=True)) == {SigningBatchItem.Status.SIGNED}, list(
        items.values_list("status", "error")
    )
    assert IssuedDocument.objects.count() == BATCH
    assert not IssuedDocument.objects.values("application").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert Application.objects.filter(pk__in=[a.pk for a in applications], status=Status.ISSUED).count() == BATCH
    numbers = sorted(int(d.number.split("/")[1]) for d in IssuedDocument.objects.all())
    assert numbers == list(range(1, BATCH + 1))  # the killed worker's number was rolled back with it
    for item in items.select_related("document"):
        pdf = private_path(item.document.path).read_bytes()
        assert verify_pdf(pdf, [signing_ca / ca.ROOT_CERT]).valid
    retried = items.get(pk=victim["item"])
    assert retried.attempts == 2 and retried.worker != victim["worker"]
    assert len(set(items.values_list("worker", flat=True))) == 2  # both workers signed some
    lost = DBTaskResult.objects.get(
        task_path=batch_signing.TASK_PATH, args_kwargs__args__0=victim["item"], status=TaskResultStatus.FAILED
    )
    assert lost.exception_class_path == WORKER_LOST
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).exists()
    batch.refresh_from_db()
    assert batch.sealed_passphrase == ""
    files = [p for p in (Path(private_path("x")).parent / "documents").rglob("*.pdf")]
    print(
        f"\nsigning drill: {BATCH} signed once each, batch done {took:.1f} s after the kill; "
        f"per worker {dict(items.values_list('worker').annotate(n=Count('id')))}; "
        f"{len(files) - BATCH} orphaned PDF file(s) of the killed signature"
    )
