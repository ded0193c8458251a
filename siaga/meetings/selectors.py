"""Reads of the meetings app, scoped through ``siaga.core.access``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from siaga.core import access
from siaga.core.access import Actor, Perm
from siaga.core.models import Role
from siaga.meetings.models import MassEvent, Meeting, MeetingAttendee
from siaga.org.models import Employee, Room, SpaceStatus, Unit


def meeting_list(
    *, actor: Actor, start: dt.datetime | None = None, end: dt.datetime | None = None, status: str = ""
) -> QuerySet[Meeting]:
    qs = access.scope_meetings(actor, Meeting.objects.all())
    if start is not None:
        qs = qs.filter(end__gt=start)
    if end is not None:
        qs = qs.filter(start__lt=end)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("organiser_unit", "room__floor__building").order_by("start", "id")


def meeting_get(*, actor: Actor, pk: int) -> Meeting:
    meeting = (
        access.scope_meetings(actor, Meeting.objects.all())
        .select_related("government", "organiser_unit", "room__floor__building", "approved_by", "requested_by")
        .prefetch_related(
            Prefetch(
                "attendees",
                queryset=MeetingAttendee.objects.select_related("employee__unit").order_by("employee__name"),
            )
        )
        .filter(pk=pk)
        .first()
    )
    if meeting is None:
        raise Http404
    return meeting


def require_meeting_manager(actor: Actor, meeting: Meeting) -> None:
    if not access.can_manage_meeting(actor, meeting):
        raise PermissionDenied("meeting")


def actor_employee(*, actor: Actor) -> Employee | None:
    if actor.employee_id is None:
        return None
    return Employee.objects.select_related("position", "unit", "user").get(pk=actor.employee_id)


def organiser_units(*, actor: Actor) -> QuerySet[Unit]:
    """Units the actor may organise meetings for: every unit for BKPSDM, the managed ones for heads."""
    if not actor.has_perm(Perm.MANAGE_MEETINGS):
        return Unit.objects.none()
    qs = access.scope_government(actor, Unit.objects.filter(is_active=True))
    if not actor.has_role(Role.ADMIN):
        qs = qs.filter(pk__in=actor.managed_unit_ids)
    return qs.order_by("code")


def organiser_unit_get(*, actor: Actor, pk: int | None = None, code: str | None = None) -> Unit:
    qs = access.scope_government(actor, Unit.objects.filter(is_active=True))
    unit = qs.filter(pk=pk).first() if pk is not None else qs.filter(code=code).first()
    if unit is None:
        raise Http404
    if not organiser_units(actor=actor).filter(pk=unit.pk).exists():
        raise PermissionDenied("organiser unit")
    return unit


def form_invitees(*, actor: Actor, limit: int = 300) -> list[Employee]:
    """The people listed for ticking on the request form: those of the units the actor heads (and
    below), or of their own unit; others are invited by NIP."""
    unit_ids = actor.managed_unit_ids or ({actor.unit_id} if actor.unit_id else set())
    qs = invitable_employees(actor=actor).filter(unit_id__in=unit_ids).order_by("unit__code", "name")
    return list(qs[:limit])


def invitable_employees(*, actor: Actor) -> QuerySet[Employee]:
    """Anyone of the government may be invited (meetings cross units); callers show NIP and name only."""
    return access.scope_government(actor, Employee.objects.filter(is_active=True)).select_related("unit")


@dataclass(frozen=True)
class RoomChoice:
    room: Room
    capacity: int
    taken: int

    @property
    def free(self) -> int:
        return max(self.capacity - self.taken, 0)


def room_choices(*, actor: Actor, start: dt.datetime | None, end: dt.datetime | None) -> list[RoomChoice]:
    """Open rooms of the government with the seats left for ``[start, end)`` (all seats when no time)."""
    rooms = access.scope_org(
        actor,
        Room.objects.filter(
            status=SpaceStatus.OPEN, floor__status=SpaceStatus.OPEN, floor__building__status=SpaceStatus.OPEN
        ),
    ).select_related("floor__building")
    if start and end and end > start:
        # one query for every room: the in-person seats of the bookings that overlap the window
        overlapping = Q(
            meetings__status__in=Meeting.HOLDING,
            meetings__start__lt=end,
            meetings__end__gt=start,
            meetings__attendees__in_person=True,
        )
        rooms = rooms.annotate(taken=Count("meetings__attendees", filter=overlapping))
    ordered = rooms.order_by("floor__building__name", "floor__number", "name")
    return [RoomChoice(room=r, capacity=r.distancing_capacity, taken=getattr(r, "taken", 0)) for r in ordered]


def room_get(*, actor: Actor, pk: int | None = None, code: str | None = None) -> Room:
    qs = access.scope_org(actor, Room.objects.select_related("floor__building"))
    room = qs.filter(pk=pk).first() if pk is not None else qs.filter(code=code).first()
    if room is None:
        raise Http404
    return room


def event_list(*, actor: Actor, status: str = "") -> QuerySet[MassEvent]:
    qs = access.scope_mass_events(actor, MassEvent.objects.all())
    if status:
        qs = qs.filter(status=status)
    return qs.prefetch_related("units").order_by("start", "id")


def event_get(*, actor: Actor, pk: int) -> MassEvent:
    event = (
        access.scope_mass_events(actor, MassEvent.objects.all())
        .select_related("government")
        .prefetch_related("units", "employees", "history")
        .filter(pk=pk)
        .first()
    )
    if event is None:
        raise Http404
    return event


def require_event_manager(actor: Actor) -> None:
    actor.require(Perm.MANAGE_EVENTS)


def event_units_get(*, actor: Actor, codes: list[str]) -> list[Unit]:
    units = list(access.scope_government(actor, Unit.objects.filter(code__in=codes)))
    return units


def my_event_ids(*, actor: Actor) -> set[int]:
    """Events the actor takes part in (by unit or by name)."""
    if actor.employee_id is None or actor.unit_id is None:
        return set()
    parents = access.scope_government(actor, Unit.objects.all()).values_list("pk", "parent_id")
    parent_of = dict(parents)
    chain: set[int] = set()
    current: int | None = actor.unit_id
    while current is not None and current not in chain:
        chain.add(current)
        current = parent_of.get(current)
    return set(
        access.scope_government(actor, MassEvent.objects.filter(units__in=chain)).values_list("pk", flat=True)
    ) | set(
        access.scope_government(actor, MassEvent.objects.filter(employees=actor.employee_id)).values_list(
            "pk", flat=True
        )
    )


def event_unit_choices(*, actor: Actor) -> list[Unit]:
    """The active units of the actor's government, for choosing a mass event's participants."""
    return list(access.scope_government(actor, Unit.objects.filter(is_active=True)).order_by("code"))
