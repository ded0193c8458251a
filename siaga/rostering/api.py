"""API of the rostering app (mounted at /api/v1/): roster plans (create and solve, follow, cancel,
publish, read the days), the caller's own schedule ("Jadwal saya") and leave.

Thin like the other routers: plans are for BKPSDM (every unit) and unit heads or their Plh/Plt (the
units they manage, 404 for others); the schedule and leave requests are every employee's own; leave is
decided by whoever holds the authority on the day (``can_act``; otherwise 422 with the reason).
"""

# No ``from __future__ import annotations`` here: ninja reads the annotations of paginated views
# through a wrapper defined in another module, where string annotations cannot be resolved.
import datetime as dt
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from siaga.api.pagination import Pagination
from siaga.api.schemas import ERRORS_ONE, ERRORS_READ, ERRORS_WRITE
from siaga.api.schemas import api_actor as _actor
from siaga.core.access import Perm
from siaga.core.models import Role
from siaga.rostering import selectors, services
from siaga.rostering.models import Leave, RosterAssignment, RosterPlan

router = Router(tags=["roster"])

PlanStatus = Literal["queued", "solving", "draft", "infeasible", "cancelled", "failed", "published", "superseded"]
Mode = Literal["wfo", "wfh", "off"]
LeaveKind = Literal["annual", "sick", "other"]

#: The longest period one request of days may cover (the schedule, a plan's days).
MAX_DAYS = 92


# ---------------------------------------------------------------------------------------------------
# Schemas


class PlanIn(Schema):
    start: dt.date
    end: dt.date = Field(description="At most three months after the start.")
    unit: str | None = Field(
        None, description="Code of the unit to plan, with the units below it; empty for the whole government (BKPSDM)."
    )
    time_limit: int = Field(30, description="Seconds the solver may search (5–600).")


class ExplanationOut(Schema):
    kind: str
    message: str = Field(
        description="What cannot be satisfied, for a planner (in the caller's language at solve time)."
    )
    unit: str | None = None
    floor: str | None = None
    date: dt.date | None = None
    shift: str | None = None
    skill: str | None = None
    needed: int | None = None
    possible: int | None = None


class PlanOut(Schema):
    id: int
    name: str
    start: dt.date
    end: dt.date
    unit: str | None = Field(description="Code of the planned unit; null for the whole government.")
    status: PlanStatus
    time_limit: int
    created_at: dt.datetime
    finished_at: dt.datetime | None
    published_at: dt.datetime | None
    replaces: int | None = Field(description="The published plan this one replans, if any.")

    @staticmethod
    def resolve_unit(obj: RosterPlan) -> str | None:
        return obj.unit.code if obj.unit_id and obj.unit else None

    @staticmethod
    def resolve_replaces(obj: RosterPlan) -> int | None:
        return obj.replaces_id


class ProgressPoint(Schema):
    seconds: float
    best: float | None = Field(description="The best plan's cost so far (lower is better).")
    bound: float | None = Field(description="The proven lower bound of the cost.")


class PlanDetailOut(PlanOut):
    progress: list[ProgressPoint]
    objective: dict[str, float] = Field(description="The cost's terms and their total, once solved.")
    bound: float | None
    explanation: list[ExplanationOut] = Field(description="Why the plan is infeasible or what it could not meet.")
    error: str

    @staticmethod
    def resolve_progress(obj: RosterPlan) -> list[dict[str, Any]]:
        return [
            {"seconds": point[0], "best": point[1], "bound": point[2] if len(point) > 2 else None}
            for point in obj.progress or []
        ]

    @staticmethod
    def resolve_objective(obj: RosterPlan) -> dict[str, float]:
        return dict((obj.result or {}).get("objective") or {})

    @staticmethod
    def resolve_bound(obj: RosterPlan) -> float | None:
        return (obj.result or {}).get("bound")

    @staticmethod
    def resolve_explanation(obj: RosterPlan) -> list[dict[str, Any]]:
        return list((obj.result or {}).get("explanation") or [])


class DayOut(Schema):
    nip: str = Field(alias="employee.nip")
    name: str = Field(alias="employee.name")
    unit: str = Field(alias="employee.unit.code")
    date: dt.date
    mode: Mode
    shift: str
    cohort: str
    pinned: bool

    @staticmethod
    def resolve_pinned(obj: RosterAssignment) -> bool:
        return obj.pinned_by_id is not None


class MyDayOut(Schema):
    date: dt.date
    mode: Mode
    shift: str
    plan: int = Field(alias="plan_id")


class LeaveIn(Schema):
    start: dt.date
    end: dt.date
    kind: LeaveKind
    reason: str = ""


class LeaveOut(Schema):
    id: int
    nip: str = Field(alias="employee.nip")
    name: str = Field(alias="employee.name")
    start: dt.date
    end: dt.date
    kind: LeaveKind
    reason: str
    status: Literal["requested", "approved", "refused"]
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_note: str

    @staticmethod
    def resolve_decided_by(obj: Leave) -> str | None:
        return obj.decided_by.nip if obj.decided_by_id and obj.decided_by else None


class LeaveDecisionIn(Schema):
    approve: bool
    note: str = Field("", max_length=250)


class DaysFilterIn(Schema):
    start: dt.date | None = Field(None, description="First day (default: today, or the plan's first day).")
    end: dt.date | None = Field(None, description="Last day (default: 42 days on, or the plan's last day).")


class PlanDaysFilterIn(DaysFilterIn):
    unit: str | None = Field(None, description="Only this unit's people (code).")


def _period(
    start: dt.date | None, end: dt.date | None, default_start: dt.date, default_days: int
) -> tuple[dt.date, dt.date]:
    first = start or default_start
    last = end or first + dt.timedelta(days=default_days)
    if last < first:
        raise ValidationError({"end": _("The end date comes before the start date.")})
    if (last - first).days > MAX_DAYS:
        raise ValidationError({"end": _("Ask for at most %(days)s days at a time.") % {"days": MAX_DAYS}})
    return first, last


# ---------------------------------------------------------------------------------------------------
# Plans


@router.get("/roster/plans", response={200: list[PlanOut], **ERRORS_READ}, summary="Roster plans")
@paginate(Pagination)
def plan_list(request: HttpRequest) -> Any:
    """BKPSDM: every plan of the government; a unit head or Plh/Plt: the plans of the units they manage."""
    actor = _actor(request)
    actor.require(Perm.MANAGE_ROSTER)
    return selectors.plan_list(actor=actor)


@router.post("/roster/plans", response={201: PlanOut, **ERRORS_WRITE}, summary="Plan a period (queues the solve)")
def plan_create(request: HttpRequest, payload: PlanIn) -> Any:
    """Builds the roster problem from the organisation, the policy and everyone's absences, and queues the
    solve; follow it with ``GET /roster/plans/{id}`` until it is a draft (or infeasible, with reasons)."""
    actor = _actor(request)
    actor.require(Perm.MANAGE_ROSTER)
    unit = None
    if payload.unit:
        unit = selectors.plannable_units(actor=actor).filter(code=payload.unit).first()
        if unit is None:
            raise ValidationError({"unit": _("You cannot plan unit %(code)s.") % {"code": payload.unit}})
    elif not actor.has_role(Role.ADMIN):
        raise ValidationError(
            {"unit": _("Choose one of the units you manage: only BKPSDM plans the whole government.")}
        )
    plan = services.plan_create(
        government=actor.tenant,
        start=payload.start,
        end=payload.end,
        unit=unit,
        time_limit=payload.time_limit,
        actor=request.user,
    )
    return Status(201, plan)


@router.get("/roster/plans/{plan_id}", response={200: PlanDetailOut, **ERRORS_ONE}, summary="One plan and its progress")
def plan_detail(request: HttpRequest, plan_id: int) -> Any:
    actor = _actor(request)
    actor.require(Perm.MANAGE_ROSTER)
    return selectors.plan_get(actor=actor, pk=plan_id, full=True)


@router.get("/roster/plans/{plan_id}/days", response={200: list[DayOut], **ERRORS_ONE}, summary="A plan's days")
@paginate(Pagination)
def plan_days(request: HttpRequest, plan_id: int, filters: Query[PlanDaysFilterIn]) -> Any:
    """Each person's day in the plan (WFO with the shift, WFH, or not working), by date and person.
    The reason a person is not working is never given."""
    actor = _actor(request)
    actor.require(Perm.MANAGE_ROSTER)
    plan = selectors.plan_get(actor=actor, pk=plan_id)
    first, last = _period(filters.start, filters.end, plan.start, (plan.end - plan.start).days)
    days = plan.assignments.filter(date__gte=first, date__lte=last).select_related("employee__unit")
    if filters.unit:
        days = days.filter(employee__unit__code=filters.unit)
    return days.order_by("date", "employee__unit__code", "employee__name", "pk")


@router.post("/roster/plans/{plan_id}/cancel", response={200: PlanOut, **ERRORS_WRITE}, summary="Stop a running solve")
def plan_cancel(request: HttpRequest, plan_id: int) -> Any:
    """The search stops; the best plan found so far is kept as a draft."""
    actor = _actor(request)
    actor.require(Perm.MANAGE_ROSTER)
    plan = selectors.plan_get(actor=actor, pk=plan_id)
    services.plan_cancel(plan=plan, actor=request.user)
    return selectors.plan_get(actor=actor, pk=plan_id)


@router.post("/roster/plans/{plan_id}/publish", response={200: PlanOut, **ERRORS_WRITE}, summary="Publish a draft")
def plan_publish(request: HttpRequest, plan_id: int) -> Any:
    """The draft becomes the roster: it replaces the published plan it overlaps, and the employees are told."""
    actor = _actor(request)
    actor.require(Perm.MANAGE_ROSTER)
    plan = selectors.plan_get(actor=actor, pk=plan_id)
    return services.plan_publish(plan=plan, actor=request.user)


# ---------------------------------------------------------------------------------------------------
# The caller's own schedule and leave


@router.get("/roster/me", response={200: list[MyDayOut], **ERRORS_READ}, summary="My schedule (Jadwal saya)")
def my_schedule(request: HttpRequest, filters: Query[DaysFilterIn]) -> Any:
    """The caller's days from the published roster (WFO with the shift, or WFH), 42 days from today
    unless asked otherwise (at most 92 days at a time)."""
    actor = _actor(request)
    first, last = _period(filters.start, filters.end, timezone.localdate(), 42)
    return selectors.my_schedule(actor=actor, start=first, end=last)


@router.get("/roster/leave", response={200: list[LeaveOut], **ERRORS_READ}, summary="Leave")
@paginate(Pagination)
def leave_list(request: HttpRequest) -> Any:
    """The caller's own leave, and for a unit head or Plh/Plt that of the people of their units."""
    return (
        selectors.leave_list(actor=_actor(request)).select_related("employee", "decided_by").order_by("-start", "-id")
    )


@router.post("/roster/leave", response={201: LeaveOut, **ERRORS_WRITE}, summary="Ask for leave")
def leave_request(request: HttpRequest, payload: LeaveIn) -> Any:
    actor = _actor(request)
    employee = selectors.actor_employee(actor=actor)
    leave = services.leave_request(employee=employee, actor=request.user, **payload.dict())
    return Status(201, leave)


@router.post("/roster/leave/{leave_id}/decision", response={200: LeaveOut, **ERRORS_WRITE}, summary="Decide leave")
def leave_decide(request: HttpRequest, leave_id: int, payload: LeaveDecisionIn) -> Any:
    """Approve or refuse a request; an approved leave replans the published roster from the next day."""
    actor = _actor(request)
    leave = selectors.leave_get(actor=actor, pk=leave_id)
    approver = selectors.actor_employee(actor=actor)
    services.leave_decide(
        leave=leave, approver=approver, approve=payload.approve, note=payload.note, actor=request.user
    )
    return selectors.leave_get(actor=actor, pk=leave_id)
