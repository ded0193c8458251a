"""API of the attendance app (mounted at /api/v1/): check-ins and check-outs, exceptions granted by unit
heads, and presence intervals for contact tracing.

Thin on purpose: parse, resolve through the selectors (scoped to the caller), call a service, return.
Another government's records are never found (404); a role that may not act gets 403; services refuse
invalid data with ``ValidationError`` (422).
"""

# No ``from __future__ import annotations`` here: ninja reads the annotations of paginated views
# through a wrapper defined in another module, where string annotations cannot be resolved.
import datetime as dt
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from siaga.api.pagination import Pagination
from siaga.api.schemas import ERRORS_ONE, ERRORS_WRITE
from siaga.attendance import selectors, services
from siaga.attendance.models import AttendanceException, CheckIn, Presence
from siaga.core import access
from siaga.core.access import Perm
from siaga.core.models import Role
from siaga.org.identifiers import clean_digits

router = Router(tags=["attendance"])


class CheckInIn(Schema):
    mode: Literal["wfo", "wfh", "travel"] = Field(description="wfo (office), wfh (home) or travel (dinas luar).")
    latitude: float | None = Field(None, ge=-90, le=90, description="Needed for wfo.")
    longitude: float | None = Field(None, ge=-180, le=180, description="Needed for wfo.")
    accuracy_m: float | None = Field(
        None, ge=0, description="The location's accuracy in metres, as the phone reports it."
    )
    client_time: dt.datetime | None = Field(
        None, description="The phone's clock (ISO 8601 with a time zone); refused when too far from the server's."
    )
    idempotency_key: str = Field(
        "", max_length=64, description="A fresh random key per tap: a retry with the same key returns the same record."
    )


class CheckOutIn(Schema):
    client_time: dt.datetime | None = None


class CheckInOut(Schema):
    id: int
    nip: str = Field(alias="employee.nip")
    name: str = Field(alias="employee.name")
    date: dt.date
    mode: str
    checked_in_at: dt.datetime
    checked_out_at: dt.datetime | None
    missing_check_out: bool = Field(alias="auto_closed")
    building: str | None
    floor: int | None
    distance_m: int | None
    shift: str
    late: bool
    early_leave: bool
    exception: bool

    @staticmethod
    def resolve_building(obj: CheckIn) -> str | None:
        return obj.building.code if obj.building_id and obj.building else None

    @staticmethod
    def resolve_floor(obj: CheckIn) -> int | None:
        return obj.floor.number if obj.floor_id and obj.floor else None

    @staticmethod
    def resolve_exception(obj: CheckIn) -> bool:
        return obj.exception_id is not None


class CheckInFilterIn(Schema):
    start: dt.date | None = Field(None, description="From this date.")
    end: dt.date | None = Field(None, description="Until this date.")
    nip: str = Field("", description="Only this employee (within the caller's scope).")


class ExceptionIn(Schema):
    nip: str
    date: dt.date
    reason: str = Field(max_length=250)


class ExceptionOut(Schema):
    id: int
    nip: str = Field(alias="employee.nip")
    name: str = Field(alias="employee.name")
    date: dt.date
    reason: str
    basis: str = Field(description="official, plh, plt or admin.")
    granted_by: str | None

    @staticmethod
    def resolve_granted_by(obj: AttendanceException) -> str | None:
        return obj.granted_by.nip if obj.granted_by_id and obj.granted_by else None


class PresenceOut(Schema):
    id: int
    nip: str | None
    name: str
    building: str = Field(alias="building.code")
    floor: int | None
    room: str | None
    start: dt.datetime
    end: dt.datetime | None
    source: str

    @staticmethod
    def resolve_nip(obj: Presence) -> str | None:
        return obj.employee.nip if obj.employee_id and obj.employee else None

    @staticmethod
    def resolve_name(obj: Presence) -> str:
        return obj.employee.name if obj.employee_id and obj.employee else obj.visitor_name

    @staticmethod
    def resolve_floor(obj: Presence) -> int | None:
        return obj.floor.number if obj.floor_id and obj.floor else None

    @staticmethod
    def resolve_room(obj: Presence) -> str | None:
        return obj.room.code if obj.room_id and obj.room else None


class PresenceFilterIn(Schema):
    start: dt.datetime = Field(description="Start of the window (ISO 8601).")
    end: dt.datetime = Field(description="End of the window (ISO 8601).")
    nip: str = Field("", description="One person's intervals (oneself, or anyone for the health task force).")
    building: str = Field("", description="Everybody in this building (health task force only).")
    floor: int | None = Field(None, description="With building: only this floor.")
    room: str = Field("", description="Everybody in this room (health task force only).")


@router.post("/attendance/check-ins", response={200: CheckInOut, 201: CheckInOut, **ERRORS_WRITE}, summary="Check in")
def check_in_create(request: HttpRequest, payload: CheckInIn) -> Any:
    """Check the caller in. 201 with a new record; 200 with the existing one for a retry (same
    idempotency key), a double tap or a second device while a check-in is open."""
    actor = access.request_actor(request)
    employee = selectors.actor_employee(actor=actor)
    record, new = services.check_in_made(
        employee=employee,
        mode=payload.mode,
        user=request.user,
        latitude=payload.latitude,
        longitude=payload.longitude,
        accuracy_m=payload.accuracy_m,
        client_time=payload.client_time,
        idempotency_key=payload.idempotency_key or request.headers.get("Idempotency-Key", ""),
    )
    return Status(201 if new else 200, record)


@router.get("/attendance/check-ins", response={200: list[CheckInOut], **ERRORS_ONE}, summary="Check-ins")
@paginate(Pagination)
def check_in_list(request: HttpRequest, filters: Query[CheckInFilterIn]) -> Any:
    """The caller's own check-ins; unit heads also see their units', admins the government's."""
    actor = access.request_actor(request)
    employee_id = None
    if filters.nip:
        nip = clean_digits(filters.nip)
        employee_id = (
            actor.employee_id if nip == _own_nip(actor) else selectors.managed_employee_get(actor=actor, nip=nip).pk
        )
    return selectors.check_in_list(actor=actor, start=filters.start, end=filters.end, employee_id=employee_id)


def _own_nip(actor: access.Actor) -> str:
    return selectors.actor_employee(actor=actor).nip if actor.employee_id else ""


@router.get("/attendance/check-ins/{pk}", response={200: CheckInOut, **ERRORS_ONE}, summary="One check-in")
def check_in_detail(request: HttpRequest, pk: int) -> Any:
    return selectors.check_in_get(actor=access.request_actor(request), pk=pk)


@router.post("/attendance/check-ins/{pk}/check-out", response={200: CheckInOut, **ERRORS_WRITE}, summary="Check out")
def check_out(request: HttpRequest, pk: int, payload: CheckOutIn | None = None) -> Any:
    """Check out of one's own check-in; a repeated check-out returns the record unchanged."""
    actor = access.request_actor(request)
    record = selectors.own_check_in_get(actor=actor, pk=pk)
    return services.check_out(check_in=record, user=request.user, client_time=payload.client_time if payload else None)


@router.get("/attendance/exceptions", response={200: list[ExceptionOut], **ERRORS_ONE}, summary="Exceptions")
@paginate(Pagination)
def exception_list(request: HttpRequest, start: dt.date | None = None) -> Any:
    """Exceptions the caller may see: their own, their units' (unit heads), the government's (admins)."""
    return selectors.exception_list(actor=access.request_actor(request), start=start)


@router.post("/attendance/exceptions", response={201: ExceptionOut, **ERRORS_WRITE}, summary="Grant an exception")
def exception_create(request: HttpRequest, payload: ExceptionIn) -> Any:
    """A unit head (or Plh/Plt, checked with ``can_act``) or BKPSDM lets a person check in at the office on a
    day the roster or an absence would refuse it."""
    actor = access.request_actor(request)
    employee = selectors.managed_employee_get(actor=actor, nip=clean_digits(payload.nip))
    granter = selectors.actor_employee(actor=actor) if actor.employee_id else None
    exception = services.attendance_exception_grant(
        employee=employee,
        day=payload.date,
        reason=payload.reason,
        granter=granter,
        user=request.user,
        admin=actor.has_role(Role.ADMIN),
    )
    return Status(201, exception)


@router.get("/presence", response={200: list[PresenceOut], **ERRORS_WRITE}, summary="Presence intervals")
@paginate(Pagination)
def presence_list(request: HttpRequest, filters: Query[PresenceFilterIn]) -> Any:
    """Who was in a building, floor or room during a window (health task force only, audit-logged), or
    one person's intervals (oneself; anyone for the task force). Without a place or NIP: one's own."""
    actor = access.request_actor(request)
    if filters.end <= filters.start:
        raise ValidationError({"end": _("The end of the window must come after its start.")})
    if filters.building or filters.room:
        if not actor.has_perm(Perm.VIEW_PRESENCE):
            raise PermissionDenied
        building, floor, room = selectors.place_by_code(
            actor=actor, building=filters.building, floor=filters.floor, room=filters.room
        )
        return selectors.presence_overlapping(
            actor=actor, start=filters.start, end=filters.end, building=building, floor=floor, room=room
        )
    if filters.nip:
        employee = selectors.presence_employee_get(actor=actor, nip=clean_digits(filters.nip))
    else:
        employee = selectors.actor_employee(actor=actor)
    return selectors.presence_of(actor=actor, employee=employee, start=filters.start, end=filters.end)
