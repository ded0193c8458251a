"""Fixtures of the attendance tests: an office with a geofence, a published roster for today."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from siaga.org.models import Building, Floor, Room
from siaga.rostering.models import RosterAssignment, RosterPlan

# Gedung Menara Wijaya, Sukoharjo (a point near it, for the geofence)
LAT, LON = Decimal("-7.682000"), Decimal("110.838000")
INSIDE = (-7.68230, 110.83810)  # about 35 m away
OUTSIDE = (-7.68900, 110.83800)  # about 780 m away
SHIFTS = [{"id": "pagi", "start": "07:30", "end": "16:00"}]


def at(hour: int, minute: int = 0, day: dt.date | None = None) -> dt.datetime:
    """A moment today (or on ``day``) in the server's time zone."""
    day = day or timezone.localdate()
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)), timezone.get_current_timezone())


def publish(government: Any, rows: list[tuple[Any, dt.date, str]]) -> RosterPlan:
    """A published plan with the given (employee, day, mode) rows; WFO days in the morning shift."""
    days = [d for _e, d, _m in rows]
    plan = RosterPlan.objects.create(
        government=government,
        name="Roster",
        start=min(days),
        end=max(days),
        status=RosterPlan.Status.PUBLISHED,
        problem={"shifts": SHIFTS},
        published_at=timezone.now(),
    )
    RosterAssignment.objects.bulk_create(
        RosterAssignment(plan=plan, employee=e, date=d, mode=m, shift="pagi" if m == "wfo" else "") for e, d, m in rows
    )
    return plan


@pytest.fixture
def office(org: dict[str, Any]) -> dict[str, Any]:
    gov = org["government"]
    building = Building.objects.create(
        government=gov,
        code="menara-wijaya",
        name="Gedung Menara Wijaya",
        latitude=LAT,
        longitude=LON,
        geofence_radius_m=100,
    )
    floor = Floor.objects.create(government=gov, building=building, number=2, capacity=40, distancing_capacity=20)
    room = Room.objects.create(
        government=gov, floor=floor, code="r-rapat-2", name="Ruang Rapat Lt. 2", capacity=20, distancing_capacity=10
    )
    for unit in (org["dinas"], org["pelayanan"], org["umum"]):
        unit.building, unit.floor = building, floor
        unit.save(update_fields=["building", "floor"])
    return {**org, "building": building, "floor": floor, "room": room}
