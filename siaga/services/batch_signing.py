"""Batch signing by background workers (docs/signing.md, docs/design.md "Batch signing on workers").

``batch_start`` (the web request) checks the passphrase, records a ``SigningBatch`` with one
``SigningBatchItem`` per application and queues one ``sign_batch_item`` task per item, so that every
worker process (on every host) takes items of the batch in parallel. The passphrase travels to the
workers only *sealed*: Fernet (AES-128-CBC + HMAC-SHA256, time-stamped) under a key derived from
``SIGNING_BATCH_KEY`` (default: ``SECRET_KEY``), which lives in the settings of the web processes and the
workers and never in the database; the task arguments carry only the item's id. The sealed passphrase
is refused after ``SIGNING_BATCH_TTL`` seconds and wiped as soon as the batch is finished.

``sign_item`` (the worker) claims the item, unseals the passphrase and signs the application with
``siaga.services.signing.sign_application`` as the batch's creator (their authority is checked again at
that moment), recording the item's result in the same transaction as the signature. A claim is a lease:
``items_recover`` (a periodic job) puts items claimed longer ago than ``TASK_HEARTBEAT_TIMEOUT`` back in
the queue. Nothing is signed twice: the application's row lock and status (AWAITING_SIGNATURE), the
one-to-one ``IssuedDocument`` and the claim's attempt number each refuse a second signature.
"""

from __future__ import annotations

import base64
import logging

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from siaga.core.access import Actor, actor_for_user
from siaga.core.recovery import fail_lost_task_rows, lease_cutoff, worker_name
from siaga.core.services import audit_record
from siaga.core.uploads import private_path
from siaga.engines.signing import errors
from siaga.engines.signing.sign import LocalPkcs12Signer, load_pyhanko_signer
from siaga.services import signing
from siaga.services.models import Application, SigningBatch, SigningBatchItem

log = logging.getLogger(__name__)

#: an item whose worker was lost this many times is given up (it may be what kills the worker)
MAX_ATTEMPTS = 3
#: signing errors that would fail every item of the batch alike: the rest of the batch stops at once
CREDENTIAL_ERRORS = frozenset({errors.WRONG_PASSPHRASE, errors.UNKNOWN_NIK, errors.SERVICE_AUTH})
TASK_PATH = "siaga.services.tasks.sign_batch_item"


# -- the sealed passphrase ---------------------------------------------------------------------------


def _fernet() -> Fernet:
    secret = (settings.SIGNING_BATCH_KEY or settings.SECRET_KEY).encode()
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"siaga signing batch passphrase").derive(secret)
    return Fernet(base64.urlsafe_b64encode(key))


def seal(batch_id: int, passphrase: str) -> str:
    """The passphrase sealed for the workers of batch ``batch_id``."""
    return _fernet().encrypt(f"{batch_id}:{passphrase}".encode()).decode()


def unseal(batch_id: int, sealed: str) -> str | None:
    """The passphrase, or None when the seal is missing, expired, forged or of another batch."""
    if not sealed:
        return None
    try:
        plain = _fernet().decrypt(sealed.encode(), ttl=settings.SIGNING_BATCH_TTL).decode()
    except InvalidToken:
        return None
    prefix = f"{batch_id}:"
    return plain[len(prefix) :] if plain.startswith(prefix) else None


# -- the web request ---------------------------------------------------------------------------------


def passphrase_check(employee: signing.Employee, passphrase: str) -> None:
    """Refuse a passphrase that does not open the official's certificate, before anything is queued.

    With the local backend the PKCS#12 file is opened (milliseconds). A remote signing service has no
    call that checks a passphrase without signing: its first item's answer stops the batch instead."""
    backend = signing.signer_backend(employee, passphrase)
    if isinstance(backend, LocalPkcs12Signer):
        try:
            p12 = backend.path.read_bytes()
        except FileNotFoundError as exc:
            raise errors.SigningError(errors.UNKNOWN_NIK, str(backend.path)) from exc
        load_pyhanko_signer(p12, passphrase)


def batch_start(*, actor: Actor, applications: list[Application], passphrase: str) -> SigningBatch:
    """Queue the signing of ``applications`` (already scoped to what ``actor`` may sign) as one batch.

    ``ValidationError`` (nothing written, nothing queued) for an empty choice, an empty passphrase or
    one that does not open the certificate."""
    if not applications:
        raise ValidationError(_("Choose at least one document to sign."))
    if not passphrase:
        raise ValidationError({"passphrase": _("Type the passphrase of your signing certificate.")})
    employee = signing._employee_of(actor, None)
    if actor.user_id is None:  # _employee_of refuses anonymous actors; this says so to the type checker
        raise PermissionDenied
    user_id: int = actor.user_id
    try:
        passphrase_check(employee, passphrase)
    except errors.SigningError as exc:
        raise ValidationError({"passphrase": signing.signing_error_message(exc)}) from exc
    with transaction.atomic():
        batch = SigningBatch.objects.create(
            government_id=actor.government_id, created_by_id=user_id, signer=employee, total=len(applications)
        )
        batch.sealed_passphrase = seal(batch.pk, passphrase)
        batch.save(update_fields=["sealed_passphrase"])
        items = SigningBatchItem.objects.bulk_create(
            [SigningBatchItem(batch=batch, application=application) for application in applications]
        )
        audit_record(
            actor=actor.user,
            government=batch.government_id,
            action="create",
            obj=batch,
            changes={"applications": [a.pk for a in applications]},
        )
        item_ids = [item.pk for item in items]
        transaction.on_commit(lambda: _enqueue(item_ids))
    return batch


def _enqueue(item_ids: list[int]) -> None:
    from siaga.services.tasks import sign_batch_item

    for item_id in item_ids:
        sign_batch_item.enqueue(item_id)


# -- the worker --------------------------------------------------------------------------------------


def _claim(item_id: int, worker: str) -> SigningBatchItem | None:
    with transaction.atomic():
        item = (
            SigningBatchItem.objects.select_for_update()
            .select_related("batch__created_by", "application")
            .filter(pk=item_id)
            .first()
        )
        if item is None or item.status != SigningBatchItem.Status.PENDING:
            return None  # done, failed, or claimed by a live worker (a duplicate task)
        item.status = SigningBatchItem.Status.RUNNING
        item.worker = worker
        item.claimed_at = timezone.now()
        item.attempts += 1
        item.save(update_fields=["status", "worker", "claimed_at", "attempts"])
        SigningBatch.objects.filter(pk=item.batch_id, status=SigningBatch.Status.QUEUED).update(
            status=SigningBatch.Status.RUNNING
        )
    return item


def _mine(item: SigningBatchItem) -> dict[str, object]:
    """The filter that matches the item only while this claim holds it."""
    return {"pk": item.pk, "status": SigningBatchItem.Status.RUNNING, "attempts": item.attempts}


class _ClaimLost(Exception):
    """The claim was taken over (the lease ran out) while signing: roll the signature back."""


def sign_item(item_id: int) -> str:
    """Sign one item of a batch (the task's body). Returns the item's outcome."""
    item = _claim(item_id, worker_name())
    if item is None:
        return "skipped"
    return sign_claimed(item)


def sign_claimed(item: SigningBatchItem) -> str:
    """Sign an item this process has claimed; the signature and the item's result are written in one
    transaction, and only while the claim (its attempt) is still this one."""
    batch = item.batch
    passphrase = unseal(batch.pk, batch.sealed_passphrase)
    if passphrase is None:
        _fail(item, _("The batch waited too long and its passphrase was forgotten; sign this document again."))
        return "failed"
    actor = actor_for_user(batch.created_by, government_id=batch.government_id)
    document = None
    try:
        with transaction.atomic():
            document = signing.sign_application(application=item.application, actor=actor, passphrase=passphrase)
            updated = SigningBatchItem.objects.filter(**_mine(item)).update(
                status=SigningBatchItem.Status.SIGNED, document=document, error="", finished_at=timezone.now()
            )
            if not updated:
                raise _ClaimLost
    except _ClaimLost:
        if document is not None:  # the signature was rolled back: its file is nobody's
            private_path(document.path).unlink(missing_ok=True)
        log.warning("batch item %s was taken over by another worker; its signature was rolled back", item.pk)
        return "superseded"
    except PermissionDenied as exc:
        _fail(item, str(exc) or _("You may not sign this document."))
        return "failed"
    except ValidationError as exc:
        message = " ".join(exc.messages)
        _fail(item, message)
        cause = exc.__cause__
        if isinstance(cause, errors.SigningError) and cause.msg in CREDENTIAL_ERRORS:
            _stop_batch(batch, message)
        return "failed"
    _finish_if_done(batch.pk)
    return "signed"


def _fail(item: SigningBatchItem, message: str) -> None:
    SigningBatchItem.objects.filter(**_mine(item)).update(
        status=SigningBatchItem.Status.FAILED, error=message[:500], finished_at=timezone.now()
    )
    _finish_if_done(item.batch_id)


def _stop_batch(batch: SigningBatch, message: str) -> None:
    """The passphrase or certificate is refused: every item still waiting fails with the same reason."""
    SigningBatchItem.objects.filter(batch_id=batch.pk, status=SigningBatchItem.Status.PENDING).update(
        status=SigningBatchItem.Status.FAILED, error=message[:500], finished_at=timezone.now()
    )
    _finish_if_done(batch.pk)


def _finish_if_done(batch_id: int) -> None:
    """When no item waits or is being signed, the batch is finished and its sealed passphrase wiped."""
    open_items = SigningBatchItem.objects.filter(
        batch_id=batch_id, status__in=[SigningBatchItem.Status.PENDING, SigningBatchItem.Status.RUNNING]
    )
    if open_items.exists():
        return
    with transaction.atomic():
        batch = SigningBatch.objects.select_for_update().filter(pk=batch_id).first()
        if batch is None or batch.status == SigningBatch.Status.DONE or open_items.exists():
            return
        batch.status = SigningBatch.Status.DONE
        batch.sealed_passphrase = ""  # nosec B105
        batch.finished_at = timezone.now()
        batch.save(update_fields=["status", "sealed_passphrase", "finished_at"])
        counts = {
            status: SigningBatchItem.objects.filter(batch_id=batch_id, status=status).count()
            for status in (SigningBatchItem.Status.SIGNED, SigningBatchItem.Status.FAILED)
        }
        audit_record(
            actor=None, government=batch.government_id, action="update", obj=batch, changes={"finished": counts}
        )


# -- recovery ----------------------------------------------------------------------------------------


def items_recover() -> int:
    """Put back in the queue the items claimed by workers presumed dead (claimed longer ago than
    ``TASK_HEARTBEAT_TIMEOUT``), or give up an item after ``MAX_ATTEMPTS`` lost workers. Idempotent,
    safe on several workers at once (rows locked, locked rows skipped). Returns how many were requeued."""
    requeued: list[int] = []
    touched: set[int] = set()
    with transaction.atomic():
        stale = (
            SigningBatchItem.objects.select_for_update(skip_locked=True)
            .filter(status=SigningBatchItem.Status.RUNNING, claimed_at__lt=lease_cutoff())
            .order_by("pk")[:500]
        )
        for item in stale:
            fail_lost_task_rows(TASK_PATH, item.pk)
            touched.add(item.batch_id)
            if item.attempts >= MAX_ATTEMPTS:
                item.status = SigningBatchItem.Status.FAILED
                item.error = _("The signing was interrupted %(n)d times; sign this document again.") % {
                    "n": item.attempts
                }
                item.finished_at = timezone.now()
            else:
                item.status = SigningBatchItem.Status.PENDING
                requeued.append(item.pk)
            log.warning("batch item %s: worker %s lost, %s", item.pk, item.worker, item.status)
            item.worker = ""
            item.claimed_at = None
            item.save(update_fields=["status", "error", "finished_at", "worker", "claimed_at"])
        if requeued:
            transaction.on_commit(lambda: _enqueue(requeued))
    for batch_id in touched:
        _finish_if_done(batch_id)
    return len(requeued)
