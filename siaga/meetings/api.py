"""API of the meetings app (mounted at /api/v1/): meetings with their room bookings, approval and
attendance, and mass events.

Thin: each operation parses, resolves codes and NIPs through the selectors (scoped to the caller),
calls a service and returns. A meeting the caller may not see is 404; a role that may not act is 403;
refused data is 422 with messages per field.
"""

# No ``from __future__ import annotations``: ninja reads the annotations at run time.
import datetime as dt
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from siaga.api.schemas import ERRORS_ONE, ERRORS_WRITE, ErrorOut
from siaga.api.schemas import api_actor as _actor
from siaga.core.access import Actor, Perm
from siaga.meetings import selectors, services
from siaga.meetings.models import MassEvent, Meeting, MeetingAttendee
from siaga.org.authority import Action, can_act
from siaga.org.models import Employee, Room, Unit

router = Router(tags=["meetings"])

Priority = Literal["rutin", "penting", "sangat_mendesak"]
Mode = Literal["daring", "luring", "hybrid"]
Kind = Literal["apel", "diklat", "bimtek", "upacara", "other"]


class AttendeeOut(Schema):
    nip: str = Field(alias="employee.nip")
    name: str = Field(alias="employee.name")
    unit: str = Field(alias="employee.unit.code")
    in_person: bool
    attended_at: dt.datetime | None


class MeetingOut(Schema):
    id: int
    title: str
    priority: str
    mode: str
    status: str = Field(description="pending (awaiting approval), approved, refused or cancelled.")
    start: dt.datetime
    end: dt.datetime
    organiser_unit: str = Field(alias="organiser_unit.code")
    room: str | None = Field(description="Code of the booked room (in-person and hybrid meetings).")
    video_link: str
    sequence: int = Field(description="ICS SEQUENCE of the last invitation sent (raised by every change).")
    uid: str = Field(description="ICS UID, the same for the life of the meeting.")

    @staticmethod
    def resolve_room(obj: Meeting) -> str | None:
        return obj.room.code if obj.room_id and obj.room else None


class MeetingDetailOut(MeetingOut):
    agenda: str
    approved_by: str | None = Field(description="NIP of the head or Plh who decided.")
    decision_note: str
    attendees: list[AttendeeOut]

    @staticmethod
    def resolve_approved_by(obj: Meeting) -> str | None:
        return obj.approved_by.nip if obj.approved_by_id and obj.approved_by else None

    @staticmethod
    def resolve_attendees(obj: Meeting) -> list[MeetingAttendee]:
        return list(obj.attendees.all())


class MeetingIn(Schema):
    title: str = Field(max_length=200)
    agenda: str = ""
    priority: Priority
    mode: Mode
    start: dt.datetime
    end: dt.datetime
    organiser_unit: str = Field(description="Code of the organising unit (one you head; any for BKPSDM).")
    attendees: list[str] = Field(description="NIPs of the invitees.")
    in_person: list[str] | None = Field(
        None, description="Hybrid only: NIPs of those in the room (default: every invitee)."
    )
    room: str | None = Field(None, description="Room code; required for luring and hybrid.")
    video_link: str = Field("", description="Required for daring and hybrid.")


class DecisionIn(Schema):
    approve: bool
    note: str = Field("", max_length=250, description="Required to refuse.")


class RescheduleIn(Schema):
    start: dt.datetime
    end: dt.datetime
    room: str | None = Field(None, description="Another room code (in-person and hybrid meetings).")


class CancelIn(Schema):
    reason: str = Field("", max_length=250)


class AttendanceIn(Schema):
    nip: str | None = Field(None, description="Whose attendance; omit for your own.")


class RoomOut(Schema):
    code: str
    name: str
    building: str
    capacity: int = Field(description="Seats with distancing.")
    free: int = Field(description="Seats left at the asked time.")


class EventChangeOut(Schema):
    action: str
    start: dt.datetime
    end: dt.datetime
    reason: str
    at: dt.datetime


class EventOut(Schema):
    id: int
    kind: str
    title: str
    place: str
    start: dt.datetime
    end: dt.datetime
    status: str = Field(description="scheduled, postponed or cancelled.")
    status_reason: str
    units: list[str]

    @staticmethod
    def resolve_units(obj: MassEvent) -> list[str]:
        return sorted(u.code for u in obj.units.all())


class EventDetailOut(EventOut):
    history: list[EventChangeOut]

    @staticmethod
    def resolve_history(obj: MassEvent) -> list[Any]:
        return list(obj.history.all())


class EventIn(Schema):
    kind: Kind
    title: str = Field(max_length=200)
    place: str = Field(max_length=200)
    start: dt.datetime
    end: dt.datetime
    units: list[str] = Field(default_factory=list, description="Codes of the participating units (and those below).")
    employees: list[str] = Field(default_factory=list, description="NIPs of further participants.")


class EventRescheduleIn(Schema):
    start: dt.datetime
    end: dt.datetime


# ---------------------------------------------------------------------------------------------------
# Helpers resolving codes inside the caller's scope


def _people(actor: Actor, nips: list[str], field: str) -> list[Employee]:
    found = {e.nip: e for e in selectors.invitable_employees(actor=actor).filter(nip__in=nips)}
    missing = [nip for nip in nips if nip not in found]
    if missing:
        raise ValidationError({field: _("No active employee has the NIP %(nips)s.") % {"nips": ", ".join(missing)}})
    return [found[nip] for nip in nips]


def _room(actor: Actor, code: str) -> Room:
    try:
        return selectors.room_get(actor=actor, code=code)
    except Http404:
        raise ValidationError({"room": _("There is no room with code %(code)s.") % {"code": code}}) from None


def _organiser_unit(actor: Actor, code: str) -> Unit:
    try:
        return selectors.organiser_unit_get(actor=actor, code=code)
    except Http404:
        raise ValidationError({"organiser_unit": _("There is no unit with code %(code)s.") % {"code": code}}) from None


# ---------------------------------------------------------------------------------------------------
# Meetings


@router.get("/meetings", response={200: list[MeetingOut], 401: ErrorOut}, summary="Meetings in view")
def meeting_list(
    request: HttpRequest, start: dt.datetime | None = None, end: dt.datetime | None = None, status: str = ""
) -> Any:
    """Meetings you are invited to or requested; unit heads also see their units' meetings and BKPSDM
    every meeting of the government. Filter by a time window and status."""
    return selectors.meeting_list(actor=_actor(request), start=start, end=end, status=status)


@router.get("/meetings/rooms", response={200: list[RoomOut], **ERRORS_ONE}, summary="Rooms with free seats")
def room_list(request: HttpRequest, start: dt.datetime | None = None, end: dt.datetime | None = None) -> Any:
    """Open rooms with their distancing capacity and the seats still free between `start` and `end`."""
    actor = _actor(request)
    actor.require(Perm.MANAGE_MEETINGS)
    return [
        {
            "code": c.room.code,
            "name": c.room.name,
            "building": c.room.floor.building.code,
            "capacity": c.capacity,
            "free": c.free,
        }
        for c in selectors.room_choices(actor=actor, start=start, end=end)
    ]


@router.get("/meetings/{meeting_id}", response={200: MeetingDetailOut, **ERRORS_ONE}, summary="One meeting")
def meeting_detail(request: HttpRequest, meeting_id: int) -> Any:
    return selectors.meeting_get(actor=_actor(request), pk=meeting_id)


@router.post("/meetings", response={201: MeetingDetailOut, **ERRORS_WRITE}, summary="Request a meeting")
def meeting_create(request: HttpRequest, payload: MeetingIn) -> Any:
    """Unit heads (for the units they head) and BKPSDM. The policy in effect on the date decides
    which priorities may meet in person; a luring or hybrid meeting books the room within its
    distancing capacity. Online meetings and those requested by the unit's head or Plh are approved
    at once; others wait for that approval."""
    actor = _actor(request)
    actor.require(Perm.MANAGE_MEETINGS)
    unit = _organiser_unit(actor, payload.organiser_unit)
    attendees = _people(actor, payload.attendees, "attendees")
    in_person = (
        [e.pk for e in _people(actor, payload.in_person, "in_person")] if payload.in_person is not None else None
    )
    meeting = services.meeting_request(
        government=actor.tenant,
        user=request.user,
        requester=selectors.actor_employee(actor=actor),
        title=payload.title,
        agenda=payload.agenda,
        priority=payload.priority,
        mode=payload.mode,
        start=payload.start,
        end=payload.end,
        organiser_unit=unit,
        attendees=attendees,
        in_person=in_person,
        room=_room(actor, payload.room) if payload.room else None,
        video_link=payload.video_link,
    )
    return Status(201, selectors.meeting_get(actor=actor, pk=meeting.pk))


@router.post(
    "/meetings/{meeting_id}/decision", response={200: MeetingDetailOut, **ERRORS_WRITE}, summary="Approve or refuse"
)
def meeting_decision(request: HttpRequest, meeting_id: int, payload: DecisionIn) -> Any:
    """The organising unit's head or Plh only."""
    actor = _actor(request)
    meeting = selectors.meeting_get(actor=actor, pk=meeting_id)
    me = selectors.actor_employee(actor=actor)
    if me is None or not can_act(me, Action.APPROVE_MEETING, meeting.organiser_unit):
        raise PermissionDenied("approve meeting")
    services.meeting_decide(meeting=meeting, approver=me, user=request.user, approve=payload.approve, note=payload.note)
    return selectors.meeting_get(actor=actor, pk=meeting_id)


@router.post(
    "/meetings/{meeting_id}/reschedule", response={200: MeetingDetailOut, **ERRORS_WRITE}, summary="Move a meeting"
)
def meeting_reschedule(request: HttpRequest, meeting_id: int, payload: RescheduleIn) -> Any:
    """Whoever requested it, the heads over the organising unit, BKPSDM. Invitees get the change
    (same UID, SEQUENCE + 1)."""
    actor = _actor(request)
    meeting = selectors.meeting_get(actor=actor, pk=meeting_id)
    selectors.require_meeting_manager(actor, meeting)
    services.meeting_reschedule(
        meeting=meeting,
        user=request.user,
        start=payload.start,
        end=payload.end,
        room=_room(actor, payload.room) if payload.room else None,
    )
    return selectors.meeting_get(actor=actor, pk=meeting_id)


@router.post(
    "/meetings/{meeting_id}/cancel", response={200: MeetingDetailOut, **ERRORS_WRITE}, summary="Cancel a meeting"
)
def meeting_cancel(request: HttpRequest, meeting_id: int, payload: CancelIn) -> Any:
    actor = _actor(request)
    meeting = selectors.meeting_get(actor=actor, pk=meeting_id)
    selectors.require_meeting_manager(actor, meeting)
    services.meeting_cancel(meeting=meeting, user=request.user, reason=payload.reason)
    return selectors.meeting_get(actor=actor, pk=meeting_id)


@router.post(
    "/meetings/{meeting_id}/attendance", response={200: AttendeeOut, **ERRORS_WRITE}, summary="Mark attendance"
)
def meeting_attendance(request: HttpRequest, meeting_id: int, payload: AttendanceIn) -> Any:
    """Mark attendance in person (your own, or an invitee's if you manage the meeting); it records
    presence in the room for the meeting's time."""
    actor = _actor(request)
    meeting = selectors.meeting_get(actor=actor, pk=meeting_id)
    rows = {r.employee.nip: r for r in meeting.attendees.all()}
    me = next((r for r in rows.values() if r.employee_id == actor.employee_id), None)
    nip = payload.nip or (me.employee.nip if me else "")
    if me is None or nip != me.employee.nip:
        selectors.require_meeting_manager(actor, meeting)
    row = rows.get(nip)
    if row is None:
        raise ValidationError({"nip": _("Only invitees' attendance can be marked.")})
    services.meeting_attendance_mark(meeting=meeting, employee=row.employee, user=request.user)
    row.refresh_from_db()
    return row


# ---------------------------------------------------------------------------------------------------
# Mass events


@router.get("/events", response={200: list[EventOut], 401: ErrorOut}, summary="Mass events")
def event_list(request: HttpRequest, status: str = "") -> Any:
    """Every mass event of the government (apel, diklat, bimtek, upacara); `status=postponed` lists
    those waiting for a new date."""
    return selectors.event_list(actor=_actor(request), status=status)


@router.get("/events/{event_id}", response={200: EventDetailOut, **ERRORS_ONE}, summary="One event and its history")
def event_detail(request: HttpRequest, event_id: int) -> Any:
    return selectors.event_get(actor=_actor(request), pk=event_id)


@router.post("/events", response={201: EventDetailOut, **ERRORS_WRITE}, summary="Schedule a mass event")
def event_create(request: HttpRequest, payload: EventIn) -> Any:
    """BKPSDM only. Refused on a date when the policy in effect bans mass gatherings."""
    actor = _actor(request)
    selectors.require_event_manager(actor)
    units = selectors.event_units_get(actor=actor, codes=payload.units)
    missing = sorted(set(payload.units) - {u.code for u in units})
    if missing:
        raise ValidationError({"units": _("There is no unit with code %(code)s.") % {"code": ", ".join(missing)}})
    event = services.event_create(
        government=actor.tenant,
        user=request.user,
        kind=payload.kind,
        title=payload.title,
        place=payload.place,
        start=payload.start,
        end=payload.end,
        units=units,
        employees=_people(actor, payload.employees, "employees"),
    )
    return Status(201, selectors.event_get(actor=actor, pk=event.pk))


@router.post(
    "/events/{event_id}/reschedule", response={200: EventDetailOut, **ERRORS_WRITE}, summary="Reschedule an event"
)
def event_reschedule(request: HttpRequest, event_id: int, payload: EventRescheduleIn) -> Any:
    """BKPSDM only; refused while the policy bans mass gatherings on the new date."""
    actor = _actor(request)
    event = selectors.event_get(actor=actor, pk=event_id)
    selectors.require_event_manager(actor)
    services.event_reschedule(event=event, user=request.user, start=payload.start, end=payload.end)
    return selectors.event_get(actor=actor, pk=event_id)


@router.post("/events/{event_id}/cancel", response={200: EventDetailOut, **ERRORS_WRITE}, summary="Cancel an event")
def event_cancel(request: HttpRequest, event_id: int, payload: CancelIn) -> Any:
    actor = _actor(request)
    event = selectors.event_get(actor=actor, pk=event_id)
    selectors.require_event_manager(actor)
    services.event_cancel(event=event, user=request.user, reason=payload.reason)
    return selectors.event_get(actor=actor, pk=event_id)
