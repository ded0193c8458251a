"""API of the case registry (mounted at /api/v1/): cases, classification, lab results, orders.

Health data: the health task force reads and writes its government's cases; an employee reads only
their own; everyone else gets 403 (or 404 for a case they cannot see). Every read is audit-logged."""

# No ``from __future__ import annotations``: ninja resolves the annotations of paginated views.
import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from siaga.api.pagination import Pagination
from siaga.api.schemas import ERRORS_ONE, ERRORS_WRITE
from siaga.api.schemas import api_actor as _actor
from siaga.core.access import Actor, Perm
from siaga.core.views import client_ip
from siaga.org.identifiers import clean_digits
from siaga.org.models import Employee
from siaga.outbreak import selectors, services
from siaga.outbreak.models import Case, ContactProposal, LabResult, Order

router = Router(tags=["outbreak"])

ClassificationValue = Literal[
    "suspect",
    "probable",
    "confirmed_symptomatic",
    "confirmed_asymptomatic",
    "close_contact",
    "discarded",
    "isolation_finished",
    "died",
]


class ChangeOut(Schema):
    from_value: str = Field(description="Empty for the first classification.")
    to_value: str
    changed_at: dt.datetime
    changed_by: str | None
    note: str

    @staticmethod
    def resolve_changed_by(obj: Any) -> str | None:
        return obj.changed_by.username if obj.changed_by_id and obj.changed_by else None


class LabResultOut(Schema):
    id: int
    kind: str
    specimen_taken_at: dt.datetime
    result_date: dt.date
    result: str


class OrderOut(Schema):
    id: int
    kind: str
    start: dt.date
    end: dt.date = Field(description="Last day of the order (inclusive).")
    status: str
    rule_set: str

    @staticmethod
    def resolve_rule_set(obj: Order) -> str:
        return obj.rule_set.code


class CaseOut(Schema):
    id: int
    employee_nip: str | None
    person_name: str
    classification: str
    outcome: str
    onset_date: dt.date | None
    symptoms_ended: dt.date | None
    specimen_date: dt.date | None
    last_exposure: dt.date | None

    @staticmethod
    def resolve_employee_nip(obj: Case) -> str | None:
        return obj.employee.nip if obj.employee_id and obj.employee else None


class CaseDetailOut(CaseOut):
    history: list[ChangeOut]
    lab_results: list[LabResultOut]
    orders: list[OrderOut]

    @staticmethod
    def resolve_history(obj: Case) -> list[Any]:
        return list(obj.history.all())

    @staticmethod
    def resolve_lab_results(obj: Case) -> list[Any]:
        return list(obj.lab_results.all())

    @staticmethod
    def resolve_orders(obj: Case) -> list[Any]:
        return list(obj.orders.all())


class CaseFilterIn(Schema):
    classification: ClassificationValue | None = None
    open_only: bool = False
    under_order: Literal["isolation", "quarantine"] | None = Field(None, description="An order in force today.")
    q: str = Field("", description="Part of the name, or the NIP.")


class CaseIn(Schema):
    classification: ClassificationValue
    employee_nip: str | None = Field(None, description="The employee; or give visitor_name.")
    visitor_name: str = ""
    visitor_phone: str = ""
    onset_date: dt.date | None = None
    specimen_date: dt.date | None = None
    last_exposure: dt.date | None = None
    note: str = ""


class ClassifyIn(Schema):
    to: ClassificationValue
    note: str = ""


class LabResultIn(Schema):
    kind: Literal["rt_pcr", "antigen"]
    specimen_taken_at: dt.datetime
    result_date: dt.date
    result: Literal["positive", "negative"]


class OrderIn(Schema):
    kind: Literal["isolation", "quarantine"]
    start: dt.date
    end: dt.date | None = Field(None, description="Last day; omitted: the rule set's proposal.")
    note: str = ""


class OrderEndIn(Schema):
    last_day: dt.date | None = Field(None, description="New last day; omitted: lift the order entirely.")


class ProposalOut(Schema):
    kind: str = Field(description="classification, isolation_end or quarantine_end")
    reason: str
    to: str = Field(description="The proposed classification (kind classification).")
    last_day: dt.date | None
    provisional: bool


def _case(request: HttpRequest, case_id: int) -> Case:
    return selectors.case_get(actor=_actor(request), pk=case_id, ip_address=client_ip(request))


def _task_force(request: HttpRequest) -> Actor:
    actor = _actor(request)
    actor.require(Perm.VIEW_HEALTH)
    return actor


@router.get("/cases", response={200: list[CaseOut], **ERRORS_ONE}, summary="Cases")
@paginate(Pagination)
def case_list(request: HttpRequest, filters: Query[CaseFilterIn]) -> Any:
    """The task force: its government's cases, filtered. An employee: their own cases. Others: 403."""
    actor = _actor(request)
    if not actor.has_perm(Perm.VIEW_HEALTH):
        return selectors.my_cases(actor=actor, ip_address=client_ip(request)).select_related("employee")
    return selectors.case_list(
        actor=actor,
        filters=selectors.CaseFilters(
            classification=filters.classification or "",
            open_only=filters.open_only,
            under_order=filters.under_order or "",
            q=filters.q,
        ),
        ip_address=client_ip(request),
    )


@router.post("/cases", response={201: CaseDetailOut, **ERRORS_WRITE}, summary="Record a case")
def case_create(request: HttpRequest, payload: CaseIn) -> Any:
    actor = _task_force(request)
    employee = None
    if payload.employee_nip:
        employee = Employee.objects.filter(
            government_id=actor.government_id, nip=clean_digits(payload.employee_nip)
        ).first()
        if employee is None:
            from django.core.exceptions import ValidationError
            from django.utils.translation import gettext as _

            raise ValidationError(
                {"employee_nip": _("No employee of your government has this NIP; check the 18 digits.")}
            )
    case = services.case_create(
        actor=actor,
        classification=payload.classification,
        employee=employee,
        visitor_name=payload.visitor_name,
        visitor_phone=payload.visitor_phone,
        onset_date=payload.onset_date,
        specimen_date=payload.specimen_date,
        last_exposure=payload.last_exposure,
        note=payload.note,
    )
    return Status(201, _case(request, case.pk))


@router.get("/cases/{case_id}", response={200: CaseDetailOut, **ERRORS_ONE}, summary="One case")
def case_detail(request: HttpRequest, case_id: int) -> Any:
    """With its classification history, lab results and orders: the task force or the person (404 otherwise)."""
    return _case(request, case_id)


@router.get("/cases/{case_id}/proposals", response={200: list[ProposalOut], **ERRORS_ONE}, summary="Rule proposals")
def case_proposals(request: HttpRequest, case_id: int) -> Any:
    """What the rule set in force proposes today (isolation end, quarantine end, classification); the task
    force confirms a classification with `POST /cases/{case_id}/classify`."""
    _task_force(request)
    return services.case_proposals(case=_case(request, case_id))


@router.post("/cases/{case_id}/classify", response={200: CaseDetailOut, **ERRORS_WRITE}, summary="Classify")
def case_classify(request: HttpRequest, case_id: int, payload: ClassifyIn) -> Any:
    """The task force's confirmation of a new classification (one history row)."""
    actor = _task_force(request)
    services.case_classify(actor=actor, case=_case(request, case_id), to=payload.to, note=payload.note)
    return _case(request, case_id)


@router.get("/cases/{case_id}/lab-results", response={200: list[LabResultOut], **ERRORS_ONE}, summary="Lab results")
def lab_result_list(request: HttpRequest, case_id: int) -> Any:
    return list(_case(request, case_id).lab_results.all())


@router.post(
    "/cases/{case_id}/lab-results", response={201: LabResultOut, **ERRORS_WRITE}, summary="Record a lab result"
)
def lab_result_add(request: HttpRequest, case_id: int, payload: LabResultIn) -> Any:
    actor = _task_force(request)
    lab: LabResult = services.lab_result_add(actor=actor, case=_case(request, case_id), **payload.dict())
    return Status(201, lab)


@router.get("/cases/{case_id}/orders", response={200: list[OrderOut], **ERRORS_ONE}, summary="Orders of a case")
def order_list(request: HttpRequest, case_id: int) -> Any:
    return list(_case(request, case_id).orders.select_related("rule_set"))


@router.post("/cases/{case_id}/orders", response={201: OrderOut, **ERRORS_WRITE}, summary="Issue an order")
def order_issue(request: HttpRequest, case_id: int, payload: OrderIn) -> Any:
    """Isolation (case) or quarantine (close contact); the person becomes absent and is notified, their unit
    head learns only that they are unavailable."""
    actor = _task_force(request)
    order = services.order_issue(actor=actor, case=_case(request, case_id), **payload.dict())
    return Status(201, order)


@router.post(
    "/cases/{case_id}/orders/{order_id}/end", response={200: OrderOut, **ERRORS_WRITE}, summary="End or move an order"
)
def order_end(request: HttpRequest, case_id: int, order_id: int, payload: OrderEndIn) -> Any:
    actor = _task_force(request)
    order = selectors.order_get(actor=actor, case=_case(request, case_id), pk=order_id)
    return services.order_end(actor=actor, order=order, last_day=payload.last_day)


class EvidenceOut(Schema):
    date: dt.date
    minutes: int
    places: list[str]


class ContactOut(Schema):
    id: int
    employee_nip: str | None
    person_name: str
    origin: str = Field(description="location (from stored presence), manual or self (reported by the case)")
    generation: int = Field(description="1: a contact of the case; 2: a contact of a contact, and so on.")
    status: str = Field(description="proposed, confirmed or dismissed")
    minutes: int
    last_exposure: dt.date
    evidence: list[EvidenceOut]
    quarantine_start: dt.date | None = Field(description="Proposed when confirmed: the day after the last exposure.")
    quarantine_end: dt.date | None = Field(description="Proposed when confirmed: last day under the rule set.")
    contact_case_id: int | None
    decided_at: dt.datetime | None

    @staticmethod
    def resolve_employee_nip(obj: ContactProposal) -> str | None:
        return obj.employee.nip if obj.employee_id and obj.employee else None


class ContactIn(Schema):
    employee_nip: str
    last_exposure: dt.date
    note: str = ""


class DecisionIn(Schema):
    decision: Literal["confirm", "dismiss"]


@router.get("/cases/{case_id}/contacts", response={200: list[ContactOut], **ERRORS_ONE}, summary="Contacts of a case")
def contact_list(request: HttpRequest, case_id: int) -> Any:
    """Possible close contacts found in the stored presence, and contacts added by hand (task force only)."""
    actor = _task_force(request)
    return list(selectors.contact_list(actor=actor, case=_case(request, case_id), ip_address=client_ip(request)))


@router.post("/cases/{case_id}/contacts", response={201: ContactOut, **ERRORS_WRITE}, summary="Add a contact")
def contact_add(request: HttpRequest, case_id: int, payload: ContactIn) -> Any:
    """Add a contact by NIP (told by the case, self-reported); it is proposed like the others."""
    actor = _task_force(request)
    case = _case(request, case_id)
    employee = Employee.objects.filter(
        government_id=actor.government_id, nip=clean_digits(payload.employee_nip)
    ).first()
    if employee is None:
        from django.core.exceptions import ValidationError
        from django.utils.translation import gettext as _

        raise ValidationError({"employee_nip": _("No employee of your government has this NIP; check the 18 digits.")})
    proposal = services.contact_add(
        actor=actor, case=case, employee=employee, last_exposure=payload.last_exposure, note=payload.note
    )
    return Status(201, proposal)


@router.post(
    "/cases/{case_id}/contacts/trace", response={200: list[ContactOut], **ERRORS_WRITE}, summary="Trace contacts"
)
def contact_trace(request: HttpRequest, case_id: int) -> Any:
    """Run the tracing on the stored presence again (idempotent)."""
    actor = _task_force(request)
    return services.contacts_propose(actor=actor, case=_case(request, case_id))


@router.post(
    "/cases/{case_id}/contacts/{contact_id}/decision",
    response={200: ContactOut, **ERRORS_WRITE},
    summary="Confirm or dismiss a contact",
)
def contact_decide(request: HttpRequest, case_id: int, contact_id: int, payload: DecisionIn) -> Any:
    """Confirming makes the person a close contact with quarantine dates proposed by the rule set."""
    actor = _task_force(request)
    proposal = selectors.contact_get(actor=actor, case=_case(request, case_id), pk=contact_id)
    return services.contact_decide(actor=actor, proposal=proposal, confirm=payload.decision == "confirm")


# The task force's dashboard (siaga.outbreak.api_dashboard): /api/v1/outbreak/dashboard.
from siaga.outbreak.api_dashboard import router as dashboard_router  # noqa: E402

router.add_router("/outbreak", dashboard_router)
