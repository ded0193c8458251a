"""API of the citizens' portal (mounted at /api/v1/): the government's services with today's mode, the
caller's own applications and one of them. Token or session authentication like the rest of the API;
every answer is limited to the caller's government, and an application that is not the caller's is 404.
"""

# No ``from __future__ import annotations`` here: ninja reads the annotations at run time.
import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema

from siaga.api.schemas import ERRORS_ONE, ERRORS_READ
from siaga.core.access import Actor, Perm
from siaga.services import selectors_portal
from siaga.services.models import Application, Mode

portal_router = Router(tags=["portal"])


def _actor(request: HttpRequest) -> Actor:
    actor: Actor = request.actor  # type: ignore[attr-defined]
    if not actor.is_authenticated:
        raise PermissionDenied
    return actor


def _applicant(request: HttpRequest) -> Actor:
    actor = _actor(request)
    if not actor.has_perm(Perm.APPLY):
        raise PermissionDenied
    return actor


class RequirementOut(Schema):
    code: str
    name: str
    required: bool = True


class ServiceOut(Schema):
    code: str
    name: str
    unit: str = Field(description="The providing unit's name.")
    mode: str = Field(description="How the service runs today: online, appointment or in_person.")
    online: bool = Field(description="Whether it can be applied for on the portal today.")
    sla_days: int = Field(description="Time limit in working days.")
    fee: Decimal
    product: str
    requirements: list[RequirementOut]
    deliverable: bool


class EventOut(Schema):
    at: dt.datetime
    status: str
    note: str


class ApplicationOut(Schema):
    reference: str = Field(description="The tracking code.")
    service: str = Field(description="The service's code.")
    service_name: str
    status: str
    status_label: str
    submitted_at: dt.datetime
    receipt_number: str
    due_on: dt.date | None
    fee_amount: Decimal
    handover: str
    note: str = Field(description="The last note from the office.")


class ApplicationDetailOut(ApplicationOut):
    events: list[EventOut] = Field(description="The public history, oldest first.")
    attachments: list[str] = Field(description="Requirement codes with a current upload.")


def _application(app: Application) -> dict[str, Any]:
    return {
        "reference": app.reference,
        "service": app.service.code,
        "service_name": app.service.name,
        "status": app.status,
        "status_label": str(app.get_status_display()),
        "submitted_at": app.submitted_at,
        "receipt_number": app.receipt_number,
        "due_on": app.due_on,
        "fee_amount": app.fee_amount,
        "handover": app.handover,
        "note": app.status_note,
    }


@portal_router.get(
    "/portal/services", response={200: list[ServiceOut], **ERRORS_READ}, summary="Services of the caller's government"
)
def service_list(request: HttpRequest) -> list[dict[str, Any]]:
    actor = _actor(request)
    units, _restriction = selectors_portal.catalogue(actor.tenant, timezone.localdate())
    return [
        {
            "code": entry.service.code,
            "name": entry.service.name,
            "unit": unit.name,
            "mode": entry.mode,
            "online": entry.mode != Mode.IN_PERSON,
            "sla_days": entry.service.sla_days,
            "fee": entry.service.fee,
            "product": entry.service.product,
            "requirements": [
                {"code": r.get("code", ""), "name": r.get("name", ""), "required": bool(r.get("required", True))}
                for r in entry.service.requirements or []
            ],
            "deliverable": entry.service.deliverable,
        }
        for unit in units
        for entry in unit.entries
    ]


@portal_router.get(
    "/portal/applications", response={200: list[ApplicationOut], **ERRORS_READ}, summary="My applications"
)
def application_list(request: HttpRequest) -> list[dict[str, Any]]:
    actor = _applicant(request)
    return [_application(app) for app in selectors_portal.my_applications(actor)[:200]]


@portal_router.get(
    "/portal/applications/{reference}",
    response={200: ApplicationDetailOut, **ERRORS_ONE},
    summary="One of my applications",
)
def application_detail(request: HttpRequest, reference: str) -> dict[str, Any]:
    actor = _applicant(request)
    app = selectors_portal.my_application(actor, reference)
    return {
        **_application(app),
        "events": [{"at": e.at, "status": e.to_status, "note": e.note} for e in app.events.filter(public=True)],
        "attachments": sorted({a.requirement for a in selectors_portal.current_attachments(app)}),
    }
