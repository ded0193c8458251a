"""Reads of issued documents and of the signing queue, scoped through ``siaga.core.access``."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from siaga.core.access import Actor
from siaga.org.authority import Action, can_act
from siaga.org.models import Employee
from siaga.services import selectors
from siaga.services.models import Application, IssuedDocument, SigningBatch, SigningBatchItem, Status


def signer_employee(actor: Actor) -> Employee | None:
    """The actor's employee record, when they have one."""
    if not actor.is_authenticated or not actor.employee_id:
        return None
    return Employee.objects.select_related("position", "unit").filter(pk=actor.employee_id).first()


def awaiting_signature(actor: Actor) -> list[Application]:
    """The applications awaiting signature that ``actor`` may sign today (as the signer position's holder
    or its Plh/Plt), oldest first."""
    employee = signer_employee(actor)
    if employee is None or not actor.headed_unit_ids:
        return []
    candidates = (
        Application.objects.filter(government_id=actor.government_id, status=Status.AWAITING_SIGNATURE)
        .select_related("service__signer_position__unit", "citizen", "unit")
        .order_by("due_on", "pk")
    )
    allowed: dict[int, bool] = {}
    out = []
    for application in candidates:
        unit = application.service.signer_position.unit
        if unit.pk not in allowed:
            allowed[unit.pk] = bool(can_act(employee, Action.SIGN_SERVICE_DECISION, unit))
        if allowed[unit.pk]:
            out.append(application)
    return out


def signable_get(actor: Actor, pk: int) -> Application:
    """One application awaiting the actor's signature, or 404."""
    for application in awaiting_signature(actor):
        if application.pk == pk:
            return application
    raise Http404


def documents(actor: Actor) -> QuerySet[IssuedDocument]:
    """Issued documents of the applications ``actor`` may see."""
    return IssuedDocument.objects.filter(application__in=selectors.applications(actor)).select_related(
        "application__service", "application__citizen", "application__unit"
    )


def document_by_token(actor: Actor, token: str) -> IssuedDocument:
    """The document with this verification token if ``actor`` may see its application; 404 otherwise."""
    try:
        return documents(actor).get(verify_token=token)
    except IssuedDocument.DoesNotExist:
        raise Http404 from None


def public_document(token: str) -> IssuedDocument | None:
    """The document behind a public verification link (no login), or None."""
    return IssuedDocument.objects.filter(verify_token=token).first()


def documents_by_hash(sha256: str) -> QuerySet[IssuedDocument]:
    return IssuedDocument.objects.filter(sha256=sha256)


def batch_get(actor: Actor, pk: int) -> SigningBatch:
    """A signing batch of the actor's own making, with its items, or 404 (anyone else's, any other
    government's)."""
    batch = (
        SigningBatch.objects.filter(pk=pk, government_id=actor.government_id, created_by_id=actor.user_id)
        .prefetch_related(
            Prefetch(
                "items",
                queryset=SigningBatchItem.objects.select_related(
                    "application__service", "application__citizen", "document"
                ),
            )
        )
        .first()
    )
    if batch is None:
        raise Http404
    return batch
