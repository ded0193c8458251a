"""API of the public services back office (mounted at /api/v1/): an officer's queues, one application
with its history and the moves open to the caller, moving it, taking and assigning it.

Service officers see their OPD's applications, unit heads (and their Plh/Plt) their units', BKPSDM the
government's; everything else answers 404, and a role that may not act 403."""

# No ``from __future__ import annotations``: ninja resolves the annotations of paginated views.
import datetime as dt
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.pagination import paginate

from siaga.api.pagination import Pagination
from siaga.api.schemas import ERRORS_ONE, ErrorOut
from siaga.core.access import Actor
from siaga.org.models import Employee
from siaga.services import selectors_office as sel
from siaga.services import services_office as office
from siaga.services import workflow
from siaga.services.models import Application, ApplicationEvent, Status

office_router = Router(tags=["services back office"])


def _actor(request: HttpRequest) -> Actor:
    actor: Actor = request.actor  # type: ignore[attr-defined]
    if not sel.is_office(actor):
        raise PermissionDenied
    return actor


ERRORS_WRITE: dict[int, Any] = {**ERRORS_ONE, 409: ErrorOut, 422: ErrorOut}


class ApplicationOut(Schema):
    id: int
    reference: str
    receipt_number: str
    service: str
    unit: str
    applicant: str
    status: str
    officer: str | None
    submitted_at: dt.datetime
    due_on: dt.date | None
    working_days_left: int | None

    @staticmethod
    def resolve_service(obj: Application) -> str:
        return obj.service.code

    @staticmethod
    def resolve_unit(obj: Application) -> str:
        return obj.unit.code

    @staticmethod
    def resolve_applicant(obj: Application) -> str:
        return obj.citizen.name

    @staticmethod
    def resolve_officer(obj: Application) -> str | None:
        return obj.assigned_to.nip if obj.assigned_to else None

    @staticmethod
    def resolve_working_days_left(obj: Application) -> int | None:
        if obj.status not in office.CLOCK_RUNS:
            return None
        return office.working_days_left(obj.government, obj.due_on)


class EventOut(Schema):
    at: dt.datetime
    from_status: str
    to_status: str
    by: str
    note: str
    public: bool

    @staticmethod
    def resolve_by(obj: ApplicationEvent) -> str:
        return obj.actor_label


class ApplicationDetailOut(ApplicationOut):
    data: dict[str, Any]
    status_note: str
    fee_amount: int
    bill_number: str
    payment_reference: str
    paid_at: dt.datetime | None
    history: list[EventOut]
    moves: list[str]

    @staticmethod
    def resolve_fee_amount(obj: Application) -> int:
        return int(obj.fee_amount)

    @staticmethod
    def resolve_history(obj: Application) -> list[ApplicationEvent]:
        return list(sel.history(obj))

    @staticmethod
    def resolve_moves(obj: Application, context: Any) -> list[str]:
        actor = context["request"].actor
        return [to for to in workflow.allowed_moves(obj) if workflow.may_move(actor, obj, to)]


class MoveIn(Schema):
    to: Literal[
        "incomplete",
        "registered",
        "in_review",
        "field_check",
        "recommended",
        "rejected",
        "awaiting_payment",
        "awaiting_signature",
        "picked_up",
    ]
    note: str = ""
    #: for ``incomplete``: the codes of the missing or wrong requirements
    missing: list[str] = []
    #: for ``awaiting_signature`` after the bill: the payment
    payment_reference: str = ""
    paid_on: dt.date | None = None


class AssignIn(Schema):
    officer: str  # the officer's NIP
    note: str = ""


@office_router.get(
    "/services/office/queue", response={200: list[ApplicationOut], **ERRORS_ONE}, summary="An officer's queue"
)
@paginate(Pagination)
def queue(request: HttpRequest, name: Literal["mine", "unassigned", "overdue", "due_soon", "unit"] = "mine") -> Any:
    """Soonest due first: ``mine`` (assigned to me), ``unassigned`` (new, nobody has taken them),
    ``overdue`` and ``due_soon`` (mine; a head's: the unit's), ``unit`` (heads and BKPSDM: everything)."""
    actor = _actor(request)
    return sel.queue(actor, name).select_related("government")


@office_router.get(
    "/services/office/applications/{application_id}",
    response={200: ApplicationDetailOut, **ERRORS_ONE},
    summary="One application with its history",
)
def application_detail(request: HttpRequest, application_id: int) -> Any:
    """The application, its whole history (internal notes included) and the moves open to the caller."""
    return sel.office_application_get(_actor(request), application_id)


@office_router.post(
    "/services/office/applications/{application_id}/move",
    response={200: ApplicationDetailOut, **ERRORS_WRITE},
    summary="Move an application to its next status",
)
def application_move(request: HttpRequest, application_id: int, payload: MoveIn) -> Any:
    """``incomplete`` needs ``missing`` or a ``note``; ``rejected`` a ``note`` (the reason);
    ``recommended`` after the field check a ``note`` (the field report); ``awaiting_payment`` issues the
    bill (SKRD); ``awaiting_signature`` after the bill needs ``payment_reference`` and ``paid_on``."""
    actor = _actor(request)
    app = sel.office_application_get(actor, application_id)
    if payload.to == Status.INCOMPLETE:
        office.application_mark_incomplete(application=app, actor=actor, missing=payload.missing, note=payload.note)
    elif payload.to == Status.AWAITING_SIGNATURE and app.status == Status.AWAITING_PAYMENT:
        if payload.paid_on is None:
            raise ValidationError({"paid_on": _("Enter the date of the payment.")})
        office.application_record_payment(
            application=app, actor=actor, reference=payload.payment_reference, paid_on=payload.paid_on
        )
    else:
        office.application_move(application=app, to=payload.to, actor=actor, note=payload.note)
    return sel.office_application_get(actor, application_id)


@office_router.post(
    "/services/office/applications/{application_id}/take",
    response={200: ApplicationDetailOut, **ERRORS_WRITE},
    summary="Take an unassigned application",
)
def application_take(request: HttpRequest, application_id: int) -> Any:
    """A service officer of the OPD takes it; 422 says who has it when someone was quicker."""
    actor = _actor(request)
    app = sel.office_application_get(actor, application_id)
    office.application_take(application=app, actor=actor)
    return sel.office_application_get(actor, application_id)


@office_router.post(
    "/services/office/applications/{application_id}/assign",
    response={200: ApplicationDetailOut, **ERRORS_WRITE},
    summary="Assign or reassign an application",
)
def application_assign(request: HttpRequest, application_id: int, payload: AssignIn) -> Any:
    """The head of the unit (or their Plh/Plt) assigns it to an available service officer of the OPD."""
    actor = _actor(request)
    app = sel.office_application_get(actor, application_id)
    if not office.may_assign(actor, app):
        raise PermissionDenied
    officer = Employee.objects.filter(government_id=actor.government_id, nip=payload.officer.strip()).first()
    if officer is None:
        raise ValidationError({"officer": _("Choose a service officer of this OPD.")})
    office.application_assign(application=app, officer=officer, actor=actor, note=payload.note)
    return sel.office_application_get(actor, application_id)
