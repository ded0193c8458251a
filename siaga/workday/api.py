"""API of the workday app (mounted at /api/v1/): daily work reports (e-Kinerja), travel permits
(izin keluar daerah) and recalls to the office (panggilan ke kantor).

Thin on purpose: each operation parses its input, reads through the selectors (scoped to the caller:
an employee sees their own rows, a unit head or Plh/Plt the units they manage, BKPSDM the whole
government; anything else is 404), calls a service, and returns. Decisions need the authority of
``can_act`` on the day (403 otherwise); invalid data is refused with 422 and a message per field.
"""

# No ``from __future__ import annotations`` here: ninja reads the annotations of paginated views
# through a wrapper defined in another module, where string annotations cannot be resolved.
import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from siaga.api.pagination import Pagination
from siaga.api.schemas import ERRORS_ONE, ERRORS_READ, ERRORS_WRITE
from siaga.core import access
from siaga.core.access import Actor, Perm
from siaga.workday import selectors, services
from siaga.workday.models import Recall, TravelPermit, WorkReport

router = Router(tags=["workday"])

ReportStatus = Literal["draft", "submitted", "approved", "returned"]
PermitStatus = Literal["pending", "approved", "refused", "cancelled"]
Month = str


def _actor(request: HttpRequest) -> Actor:
    """The caller, who must belong to a government (403 otherwise)."""
    return access.request_actor(request)


def _month(value: str | None) -> dt.date:
    from django.core.exceptions import ValidationError
    from django.utils import timezone
    from django.utils.translation import gettext as _

    if not value:
        return timezone.localdate().replace(day=1)
    try:
        return dt.date.fromisoformat(f"{value}-01")
    except ValueError:
        raise ValidationError({"month": _("Give the month as YYYY-MM, e.g. 2026-11.")}) from None


# ---------------------------------------------------------------------------------------------------
# Schemas


class PersonRef(Schema):
    nip: str
    name: str
    unit: str = Field(alias="unit.code")


class LineIn(Schema):
    activity: str = Field(description="What was done.")
    output: str = Field(description="What it produced (letter, report, served applicant…).")
    quantity: int = Field(description="How many outputs.")
    minutes: int = Field(description="Time spent, in minutes (1–1440).")


class LineOut(LineIn):
    id: int


class WorkReportIn(Schema):
    date: dt.date = Field(description="The day reported (today or up to 31 days back).")
    lines: list[LineIn] = Field(description="Every activity of the day (replaces those saved before).")


class WorkReportOut(Schema):
    id: int
    employee: PersonRef
    date: dt.date
    status: ReportStatus
    submitted_at: dt.datetime | None
    decided_by: str | None = Field(description="NIP of whoever approved or returned it.")
    decided_basis: str = Field(description="official, plh or plt; empty while undecided.")
    decided_at: dt.datetime | None
    comment: str
    lines: list[LineOut]

    @staticmethod
    def resolve_decided_by(obj: WorkReport) -> str | None:
        return obj.decided_by.nip if obj.decided_by_id and obj.decided_by else None

    @staticmethod
    def resolve_lines(obj: WorkReport) -> list[Any]:
        return list(obj.lines.all())


class DecisionIn(Schema):
    approve: bool
    comment: str = Field("", description="Needed when returning: what to correct.")


class RecapOut(Schema):
    nip: str
    name: str
    unit: str
    days: int
    approved: int
    submitted: int
    returned: int
    draft: int
    activities: int
    minutes: int


class WorkReportFilterIn(Schema):
    status: ReportStatus | None = None
    month: Month | None = Field(None, description="YYYY-MM.")
    nip: str | None = Field(None, description="One employee (within the caller's scope).")
    mine: bool = Field(False, description="Only the caller's own reports.")


class TravelPermitIn(Schema):
    destination: str
    start: dt.date
    end: dt.date
    purpose: str


class TravelPermitOut(Schema):
    id: int
    employee: PersonRef
    destination: str
    start: dt.date
    end: dt.date
    purpose: str
    status: PermitStatus
    decided_by: str | None
    decided_basis: str
    decided_at: dt.datetime | None
    note: str
    office_days: list[dt.date] = Field(description="Days of the permit on which the published roster says WFO.")

    @staticmethod
    def resolve_decided_by(obj: TravelPermit) -> str | None:
        return obj.decided_by.nip if obj.decided_by_id and obj.decided_by else None

    @staticmethod
    def resolve_office_days(obj: TravelPermit) -> list[dt.date]:
        return selectors.travel_conflicts(employee=obj.employee, start=obj.start, end=obj.end)


class PermitDecisionIn(Schema):
    approve: bool
    note: str = Field("", description="Needed when refusing: why.")


class RecallIn(Schema):
    date: dt.date
    nips: list[str] = Field(description="NIPs of the people to recall.")
    reason: str
    go_ahead: bool = Field(False, description="Send even though the roster change breaks a limit (recorded).")


class RecallCheckIn(Schema):
    date: dt.date
    nips: list[str]


class RefusedOut(Schema):
    nip: str
    reason: str = Field(description="Why this person cannot be recalled (never a health reason).")


class RecallCheckOut(Schema):
    ok: list[str] = Field(description="NIPs that can be recalled.")
    refused: list[RefusedOut]
    breaks: list[str] = Field(description="Roster limits the change would break (unit cap, floor capacity…).")


class RecallOut(Schema):
    id: int
    employee: PersonRef
    date: dt.date
    reason: str
    recalled_by: str = Field(alias="recalled_by.nip")
    recalled_basis: str
    status: Literal["sent", "acknowledged", "cancelled"]
    arrival_time: dt.time | None
    acknowledged_at: dt.datetime | None
    escalated_at: dt.datetime | None
    roster_updated: bool
    accepted_breaks: list[str]


class AcknowledgeIn(Schema):
    arrival_time: dt.time = Field(description="Expected arrival, HH:MM.")


# ---------------------------------------------------------------------------------------------------
# Work reports


def _report(actor: Actor, pk: int) -> WorkReport:
    return selectors.work_report_get(actor=actor, pk=pk)


@router.get("/work-reports/recap", response={200: list[RecapOut], **ERRORS_WRITE}, summary="Monthly recap")
def work_report_recap(request: HttpRequest, month: Month | None = None) -> Any:
    """Per person in the caller's scope: the month's reports by status, activities and minutes."""
    actor = _actor(request)
    actor.require(Perm.MANAGE_ATTENDANCE)
    return selectors.work_report_recap(actor=actor, month=_month(month))


@router.get("/work-reports/recap.xlsx", response={200: None, **ERRORS_WRITE}, summary="Monthly recap as XLSX")
def work_report_recap_xlsx(request: HttpRequest, month: Month | None = None) -> Any:
    actor = _actor(request)
    actor.require(Perm.MANAGE_ATTENDANCE)
    day = _month(month)
    response = HttpResponse(
        selectors.work_report_recap_xlsx(actor=actor, month=day),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="laporan-kerja-{day:%Y-%m}.xlsx"'
    return response


@router.get("/work-reports", response={200: list[WorkReportOut], **ERRORS_WRITE}, summary="Daily work reports")
@paginate(Pagination)
def work_report_list(request: HttpRequest, filters: Query[WorkReportFilterIn]) -> Any:
    """Reports the caller may see, newest first."""
    actor = _actor(request)
    employee_id = selectors.employee_get(actor=actor, nip=filters.nip).pk if filters.nip else None
    return selectors.work_report_list(
        actor=actor,
        status=filters.status or "",
        month=_month(filters.month) if filters.month else None,
        employee_id=employee_id,
        mine=filters.mine,
    ).prefetch_related("lines")


@router.get("/work-reports/{int:report_id}", response={200: WorkReportOut, **ERRORS_ONE}, summary="One report")
def work_report_detail(request: HttpRequest, report_id: int) -> Any:
    return _report(_actor(request), report_id)


@router.post("/work-reports", response={200: WorkReportOut, **ERRORS_WRITE}, summary="Write the day's report")
def work_report_save(request: HttpRequest, payload: WorkReportIn) -> Any:
    """Create or rewrite the caller's own report of a day (while a draft or returned)."""
    actor = _actor(request)
    employee = selectors.actor_employee(actor=actor)
    report = services.work_report_save(
        employee=employee, day=payload.date, lines=[line.dict() for line in payload.lines], actor=request.user
    )
    return _report(actor, report.pk)


@router.post(
    "/work-reports/{int:report_id}/submit", response={200: WorkReportOut, **ERRORS_WRITE}, summary="Submit for approval"
)
def work_report_submit(request: HttpRequest, report_id: int) -> Any:
    actor = _actor(request)
    report = _report(actor, report_id)
    if report.employee_id != actor.employee_id:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("own reports only")
    services.work_report_submit(report=report, actor=request.user)
    return _report(actor, report_id)


@router.post(
    "/work-reports/{int:report_id}/decision", response={200: WorkReportOut, **ERRORS_WRITE}, summary="Approve or return"
)
def work_report_decide(request: HttpRequest, report_id: int, payload: DecisionIn) -> Any:
    """The head of the employee's unit (the head above for a head) or their Plh/Plt approves, or returns
    the report with a comment."""
    actor = _actor(request)
    report = _report(actor, report_id)
    services.work_report_decide(report=report, user=request.user, approve=payload.approve, comment=payload.comment)
    return _report(actor, report_id)


# ---------------------------------------------------------------------------------------------------
# Travel permits


@router.get("/travel-permits", response={200: list[TravelPermitOut], **ERRORS_READ}, summary="Travel permits")
@paginate(Pagination)
def travel_permit_list(
    request: HttpRequest, status: PermitStatus | None = None, mine: bool = False, to_decide: bool = False
) -> Any:
    actor = _actor(request)
    if to_decide:
        return selectors.travel_permits_to_decide(actor=actor)
    return selectors.travel_permit_list(actor=actor, status=status or "", mine=mine)


@router.get("/travel-permits/{int:permit_id}", response={200: TravelPermitOut, **ERRORS_ONE}, summary="One permit")
def travel_permit_detail(request: HttpRequest, permit_id: int) -> Any:
    return selectors.travel_permit_get(actor=_actor(request), pk=permit_id)


@router.post("/travel-permits", response={201: TravelPermitOut, **ERRORS_WRITE}, summary="Ask for a travel permit")
def travel_permit_request(request: HttpRequest, payload: TravelPermitIn) -> Any:
    actor = _actor(request)
    employee = selectors.actor_employee(actor=actor)
    permit = services.travel_permit_request(employee=employee, actor=request.user, **payload.dict())
    return Status(201, selectors.travel_permit_get(actor=actor, pk=permit.pk))


@router.post(
    "/travel-permits/{int:permit_id}/decision",
    response={200: TravelPermitOut, **ERRORS_WRITE},
    summary="Approve or refuse",
)
def travel_permit_decide(request: HttpRequest, permit_id: int, payload: PermitDecisionIn) -> Any:
    actor = _actor(request)
    permit = selectors.travel_permit_get(actor=actor, pk=permit_id)
    services.travel_permit_decide(permit=permit, user=request.user, approve=payload.approve, note=payload.note)
    return selectors.travel_permit_get(actor=actor, pk=permit_id)


@router.post(
    "/travel-permits/{int:permit_id}/cancel", response={200: TravelPermitOut, **ERRORS_WRITE}, summary="Cancel"
)
def travel_permit_cancel(request: HttpRequest, permit_id: int) -> Any:
    actor = _actor(request)
    permit = selectors.travel_permit_get(actor=actor, pk=permit_id)
    services.travel_permit_cancel(permit=permit, user=request.user)
    return selectors.travel_permit_get(actor=actor, pk=permit_id)


# ---------------------------------------------------------------------------------------------------
# Recalls


def _people(actor: Actor, nips: list[str]) -> list[Any]:
    return [selectors.employee_get(actor=actor, nip=nip) for nip in dict.fromkeys(nips)]


@router.get("/recalls", response={200: list[RecallOut], **ERRORS_READ}, summary="Recalls to the office")
@paginate(Pagination)
def recall_list(request: HttpRequest, date: dt.date | None = None, mine: bool = False) -> Any:
    return selectors.recall_list(actor=_actor(request), day=date, mine=mine)


@router.get("/recalls/{int:recall_id}", response={200: RecallOut, **ERRORS_ONE}, summary="One recall")
def recall_detail(request: HttpRequest, recall_id: int) -> Any:
    return selectors.recall_get(actor=_actor(request), pk=recall_id)


@router.post("/recalls/check", response={200: RecallCheckOut, **ERRORS_WRITE}, summary="Check a recall before sending")
def recall_check(request: HttpRequest, payload: RecallCheckIn) -> Any:
    """Who can be recalled, who not (unavailable, already recalled, already at the office) and which
    roster limits the change would break. Nothing is saved."""
    actor = _actor(request)
    check = services.recall_check(user=request.user, employees=_people(actor, payload.nips), day=payload.date)
    return {
        "ok": [e.nip for e in check.ok],
        "refused": [{"nip": e.nip, "reason": reason} for e, reason in check.refused],
        "breaks": check.breaks,
    }


@router.post("/recalls", response={201: list[RecallOut], **ERRORS_WRITE}, summary="Recall people to the office")
def recall_send(request: HttpRequest, payload: RecallIn) -> Any:
    """Recall named people for a day; each is told at once (in-app, e-mail, WhatsApp). Refused (422)
    when someone cannot be recalled, or when a roster limit would break and `go_ahead` is false."""
    actor = _actor(request)
    recalls = services.recall_send(
        user=request.user,
        employees=_people(actor, payload.nips),
        day=payload.date,
        reason=payload.reason,
        go_ahead=payload.go_ahead,
    )
    return Status(201, [selectors.recall_get(actor=actor, pk=r.pk) for r in recalls])


@router.post(
    "/recalls/{int:recall_id}/acknowledge",
    response={200: RecallOut, **ERRORS_WRITE},
    summary="Answer with arrival time",
)
def recall_acknowledge(request: HttpRequest, recall_id: int, payload: AcknowledgeIn) -> Any:
    actor = _actor(request)
    recall: Recall = selectors.recall_get(actor=actor, pk=recall_id)
    services.recall_acknowledge(recall=recall, user=request.user, arrival=payload.arrival_time)
    return selectors.recall_get(actor=actor, pk=recall_id)


@router.post("/recalls/{int:recall_id}/cancel", response={200: RecallOut, **ERRORS_WRITE}, summary="Cancel a recall")
def recall_cancel(request: HttpRequest, recall_id: int) -> Any:
    actor = _actor(request)
    recall = selectors.recall_get(actor=actor, pk=recall_id)
    services.recall_cancel(recall=recall, user=request.user)
    return selectors.recall_get(actor=actor, pk=recall_id)
