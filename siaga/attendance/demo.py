"""Demo data of the attendance app: a period of check-ins and presence intervals consistent with the
published roster (WFO days → office check-ins on the assigned floor, WFH days → home check-ins, travel
absences → official travel), with some late arrivals, early leaves, room scans and missing days."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from siaga.attendance.models import CheckIn, CheckInMode, Presence
from siaga.attendance.services import workplace_of
from siaga.core.models import Government
from siaga.org.models import Employee, Room
from siaga.rostering.models import Absence, RosterAssignment, RosterPlan
from siaga.rostering.selectors import plan_shift_times

#: idempotency keys of demo check-ins start with this, so that a second run replaces the first
DEMO_KEY = "demo:"
LATE_SHARE = 0.08
EARLY_SHARE = 0.04
MISSING_SHARE = 0.03
ROOM_SCAN_SHARE = 0.2
DEFAULT_DAY = (dt.time(7, 30), dt.time(16, 0))


def _aware(day: dt.date, time: dt.time, minutes: float = 0) -> dt.datetime:
    moment = dt.datetime.combine(day, time) + dt.timedelta(minutes=minutes)
    return timezone.make_aware(moment, timezone.get_current_timezone())


def _jitter(value: Decimal | None, rng: random.Random) -> Decimal | None:
    # about ±25 m: well inside any geofence
    return None if value is None else (value + Decimal(f"{rng.uniform(-0.00022, 0.00022):.6f}"))


def demo_generate(*, government: Government, start: dt.date, end: dt.date, seed: int) -> dict[str, int]:
    """Check-ins and presence of ``government``'s employees for the days of [start, end] before today,
    following the published roster; replaces earlier demo rows of the period. Returns counts."""
    rng = random.Random(seed)
    last = min(end, timezone.localdate() - dt.timedelta(days=1))
    employees = {
        e.pk: e
        for e in Employee.objects.filter(government=government, is_active=True).select_related(
            "unit__floor__building", "unit__building", "floor__building", "building"
        )
    }
    places = {pk: workplace_of(e) for pk, e in employees.items()}
    rooms_by_floor: dict[int, list[Room]] = {}
    for room in Room.objects.filter(government=government).select_related("floor"):
        rooms_by_floor.setdefault(room.floor_id, []).append(room)
    days: dict[tuple[int, dt.date], RosterAssignment] = {}
    for a in (
        RosterAssignment.objects.filter(
            plan__government=government,
            plan__status=RosterPlan.Status.PUBLISHED,
            date__gte=start,
            date__lte=last,
            employee_id__in=employees,
        )
        .order_by("date", "-plan__published_at")
        .only("plan_id", "employee_id", "date", "mode", "shift")
    ):
        days.setdefault((a.employee_id, a.date), a)
    shifts = plan_shift_times(plan_ids={a.plan_id for a in days.values()})
    travel: set[tuple[int, dt.date]] = set()
    for absence in Absence.objects.filter(
        government=government, reason=Absence.Reason.TRAVEL, start__lte=last, end__gte=start
    ):
        day = max(absence.start, start)
        while day <= min(absence.end, last):
            travel.add((absence.employee_id, day))
            day += dt.timedelta(days=1)

    check_ins: list[CheckIn] = []
    rooms_of: dict[int, Room] = {}
    for (emp, day), a in sorted(days.items(), key=lambda item: (item[0][1], item[0][0])):
        if (emp, day) in travel:
            mode = CheckInMode.TRAVEL
        elif a.mode in ("wfo", "wfh"):
            mode = CheckInMode(a.mode)
        else:
            continue
        if rng.random() < MISSING_SHARE:
            continue
        shift_start, shift_end = shifts.get(a.plan_id, {}).get(a.shift, DEFAULT_DAY) if a.shift else DEFAULT_DAY
        late = mode == CheckInMode.WFO and bool(a.shift) and rng.random() < LATE_SHARE
        arrive = rng.uniform(16, 75) if late else -rng.uniform(0, 25)
        early = mode == CheckInMode.WFO and bool(a.shift) and rng.random() < EARLY_SHARE
        leave = -rng.uniform(30, 90) if early else rng.uniform(0, 35)
        building, floor = places[emp]
        at_office = mode == CheckInMode.WFO and building is not None
        record = CheckIn(
            government=government,
            employee_id=emp,
            date=day,
            mode=mode,
            checked_in_at=_aware(day, shift_start, arrive),
            checked_out_at=_aware(day, shift_end, leave),
            latitude=_jitter(building.latitude, rng) if at_office and building else None,
            longitude=_jitter(building.longitude, rng) if at_office and building else None,
            accuracy_m=rng.randint(5, 25) if at_office else None,
            building=building if at_office else None,
            floor=floor if at_office else None,
            distance_m=rng.randint(3, 30) if at_office and building and building.latitude is not None else None,
            shift=a.shift,
            late=late,
            early_leave=early,
            idempotency_key=f"{DEMO_KEY}{emp}:{day.isoformat()}",
        )
        check_ins.append(record)
        if at_office and floor is not None and rooms_by_floor.get(floor.pk) and rng.random() < ROOM_SCAN_SHARE:
            rooms_of[len(check_ins) - 1] = rng.choice(rooms_by_floor[floor.pk])

    with transaction.atomic():
        old = CheckIn.objects.filter(
            government=government, date__gte=start, date__lte=end, idempotency_key__startswith=DEMO_KEY
        )
        old_refs = [f"checkin:{pk}" for pk in old.values_list("pk", flat=True)]
        Presence.objects.filter(government=government, ref__in=old_refs).delete()
        Presence.objects.filter(
            government=government, source=Presence.Source.ROOM_SCAN, ref__startswith="demo:", start__date__gte=start
        ).delete()
        old.delete()
        CheckIn.objects.bulk_create(check_ins, batch_size=2000)
        presences: list[Presence] = []
        for index, record in enumerate(check_ins):
            if record.building_id is None:
                continue
            assert record.checked_out_at is not None
            presences.append(
                Presence(
                    government=government,
                    employee_id=record.employee_id,
                    building_id=record.building_id,
                    floor_id=record.floor_id,
                    start=record.checked_in_at,
                    end=record.checked_out_at,
                    source=Presence.Source.CHECK_IN,
                    ref=f"checkin:{record.pk}",
                )
            )
            scanned = rooms_of.get(index)
            if scanned is not None:
                begin = record.checked_in_at + dt.timedelta(minutes=rng.randint(30, 180))
                finish = min(begin + dt.timedelta(minutes=rng.randint(30, 90)), record.checked_out_at)
                if finish > begin:
                    presences.append(
                        Presence(
                            government=government,
                            employee_id=record.employee_id,
                            building_id=record.building_id,
                            floor_id=scanned.floor_id,
                            room=scanned,
                            start=begin,
                            end=finish,
                            source=Presence.Source.ROOM_SCAN,
                            ref=f"demo:scan:{record.employee_id}",
                        )
                    )
        Presence.objects.bulk_create(presences, batch_size=2000)
    counts: dict[str, Any] = {m.value: 0 for m in CheckInMode}
    for record in check_ins:
        counts[record.mode] += 1
    return {
        "check_ins": len(check_ins),
        **counts,
        "late": sum(r.late for r in check_ins),
        "early_leave": sum(r.early_leave for r in check_ins),
        "presence": len(presences),
        "room_scans": sum(1 for p in presences if p.source == Presence.Source.ROOM_SCAN),
    }
