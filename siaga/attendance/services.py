"""Writes of the attendance app: validated, atomic and audit-logged."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from siaga.attendance.models import Presence
from siaga.org.models import Building, Employee, Floor, Room


def presence_record(
    *,
    employee: Employee | None,
    building: Building,
    start: dt.datetime,
    end: dt.datetime | None,
    source: str,
    ref: str = "",
    floor: Floor | None = None,
    room: Room | None = None,
    visitor_name: str = "",
) -> Presence:
    """Store one presence interval. ``room`` implies its floor and building, ``floor`` its building; they
    must agree. Called by check-ins, room scans and meetings (in-person attendance)."""
    if room is not None:
        floor = floor or room.floor
    errors: dict[str, str] = {}
    if room is not None and room.floor_id != getattr(floor, "pk", None):
        errors["room"] = _("The room is not on that floor.")
    if floor is not None and floor.building_id != building.pk:
        errors["floor"] = _("The floor is not in that building.")
    if employee is None and not visitor_name.strip():
        errors["visitor_name"] = _("Name the visitor.")
    if employee is not None and employee.government_id != building.government_id:
        errors["building"] = _("The building belongs to another government.")
    if end is not None and end < start:
        errors["end"] = _("The end time comes before the start time.")
    if source not in Presence.Source.values:
        errors["source"] = _("Unknown source of presence.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        return Presence.objects.create(
            government_id=building.government_id,
            employee=employee,
            visitor_name=visitor_name.strip(),
            building=building,
            floor=floor,
            room=room,
            start=start,
            end=end,
            source=source,
            ref=ref,
        )


def presence_close(*, ref: str, end: dt.datetime) -> int:
    """Close the open intervals that ``ref`` produced (a check-out, the end of a meeting)."""
    return Presence.objects.filter(ref=ref, end__isnull=True, start__lte=end).update(end=end)
