"""Writes of the attendance app: validated, atomic and audit-logged."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from siaga.attendance import selectors as attendance_selectors
from siaga.attendance.models import AttendanceException, CheckIn, CheckInMode, Presence
from siaga.core.services import audit_record
from siaga.measures.selectors import MeasureCheck, floor_capacity_guard, measure_check
from siaga.org.authority import Action, can_act
from siaga.org.models import Building, Employee, Floor, Room, SpaceStatus
from siaga.rostering import selectors as rostering_selectors
from siaga.rostering.models import RosterAssignment
from siaga.rostering.problem import policy_in_effect


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
    # One INSERT needs no savepoint of its own inside a caller's transaction (a check-in's).
    with transaction.atomic(savepoint=False):
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


# ---------------------------------------------------------------------------------------------------
# Check-in and check-out

EARTH_RADIUS_M = 6_371_008.8


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres between two points given in degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def clock_skew_tolerance() -> dt.timedelta:
    """How far the phone's clock may differ from the server's (``ATTENDANCE_CLOCK_SKEW_SECONDS``)."""
    return dt.timedelta(seconds=settings.ATTENDANCE_CLOCK_SKEW_SECONDS)


def workplace_of(employee: Employee) -> tuple[Building | None, Floor | None]:
    """Where the employee works: their own floor (and its building), else their building, else their unit's."""
    unit = employee.unit
    floor = employee.floor or unit.floor
    building = (
        (employee.floor.building if employee.floor is not None else None)
        or employee.building
        or (unit.floor.building if unit.floor is not None else None)
        or unit.building
    )
    if floor is not None and building is not None and floor.building_id != building.pk:
        floor = None
    return building, floor


# Messages for the person about their own absence: they may see their own reason, nobody else does.
_UNAVAILABLE_MESSAGES = {
    "leave": gettext_lazy(
        "You are on approved leave today, so you cannot check in at the office. Cancel the leave first."
    ),
    "travel": gettext_lazy(
        "You have an approved travel permit for today. Check in as official travel, or ask your unit head "
        "for an exception."
    ),
    "isolation": gettext_lazy(
        "You are in isolation today: do not come to the office. Check in as work from home if you are well "
        "enough to work, and follow the health task force's advice."
    ),
    "quarantine": gettext_lazy(
        "You are in quarantine today: do not come to the office. Check in as work from home and follow the "
        "health task force's advice."
    ),
    "other": gettext_lazy("You are marked unavailable today. Ask your unit head for an exception if you must come in."),
}


def _shift_of(employee: Employee, day: dt.date) -> tuple[RosterAssignment | None, tuple[dt.time, dt.time] | None]:
    """The published roster day and the start and end of its shift (when the plan knows it)."""
    days = rostering_selectors.published_days(employee=employee, start=day, end=day)
    assignment = days[0] if days else None
    if assignment is None or not assignment.shift:
        return assignment, None
    times = rostering_selectors.plan_shift_times(plan_ids={assignment.plan_id}).get(assignment.plan_id, {})
    return assignment, times.get(assignment.shift)


def _tolerances(employee: Employee, day: dt.date) -> tuple[int, int]:
    policy = policy_in_effect(government=employee.government, on=day)
    if policy is None:
        return 15, 0
    return policy.late_tolerance_minutes, policy.early_leave_tolerance_minutes


def _local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment)


def _check_clock(client_time: dt.datetime | None, now: dt.datetime, errors: dict[str, str]) -> None:
    if client_time is None:
        return
    if timezone.is_naive(client_time):
        errors["client_time"] = _("Send the phone's time with its time zone.")
        return
    skew = abs((client_time - now).total_seconds())
    if skew > clock_skew_tolerance().total_seconds():
        errors["client_time"] = _(
            "Your phone's clock is %(minutes)d minutes off the server's time. Turn on automatic date and time "
            "in the phone's settings and try again."
        ) % {"minutes": round(skew / 60)}


def check_in_made(
    *,
    employee: Employee,
    mode: str,
    user: Any = None,
    latitude: float | Decimal | None = None,
    longitude: float | Decimal | None = None,
    accuracy_m: float | None = None,
    client_time: dt.datetime | None = None,
    idempotency_key: str = "",
    now: dt.datetime | None = None,
) -> tuple[CheckIn, bool]:
    """Check ``employee`` in. A retry with the same ``idempotency_key``, a double tap or a second device
    gets the open check-in back instead of a second one. A WFO check-in must be inside the building's
    geofence, on a day the published roster, the person's availability and the building allow (or with a
    unit head's exception); it opens a presence interval on the assigned floor. Returns the record and
    whether it is new."""
    now = now or timezone.now()
    day = _local(now).date()
    key = (idempotency_key or "").strip()[:64]
    # One read for the day (roster, leave, absence, policy) that also finds a retry (same key) and the
    # open check-in (at most one each, by constraint); the records themselves only when there are any.
    building, floor = workplace_of(employee)
    facts = attendance_selectors.day_facts(
        employee=employee, day=day, idempotency_key=key, building=building, floor=floor
    )
    ids = {i for i in (facts.open_check_in_id, facts.retry_check_in_id) if i is not None}
    found = list(CheckIn.objects.filter(pk__in=ids)) if ids else []
    earlier = next((c for c in found if key and c.idempotency_key == key), None)
    if earlier is not None:
        return earlier, False
    errors: dict[str, str] = {}
    if mode not in CheckInMode.values:
        errors["mode"] = _("Choose office (WFO), home (WFH) or official travel.")
    if not employee.is_active:
        errors["__all__"] = _("Your employee record is not active; contact BKPSDM.")
    _check_clock(client_time, now, errors)
    if errors:
        raise ValidationError(errors)
    open_now = next((c for c in found if c.checked_out_at is None), None)
    if open_now is not None and open_now.date == day:
        return open_now, False
    lat = lon = None
    if latitude is not None or longitude is not None:
        try:
            lat, lon = float(latitude), float(longitude)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            errors["latitude"] = _("The location could not be read; try again.")
        else:
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                errors["latitude"] = _("The location could not be read; try again.")
                lat = lon = None
    accuracy = None
    if accuracy_m is not None:
        try:
            accuracy = max(0, round(float(accuracy_m)))
        except (TypeError, ValueError):
            accuracy = None
    shift_times = facts.shift_times
    exception_id = facts.exception_id
    distance: int | None = None
    measures = MeasureCheck()
    if mode == CheckInMode.WFO and not errors:
        health_reasons = {"isolation", "quarantine"}
        reason = facts.unavailable
        if lat is None or lon is None:
            errors["latitude"] = _(
                "An office check-in needs your location. Allow location access for this site in the browser "
                "and try again."
            )
        elif building is None:
            errors["__all__"] = _("No office building is set for you or your unit; ask BKPSDM to set it.")
        elif building.latitude is None or building.longitude is None:
            errors["__all__"] = _("The location of %(building)s is not set; ask BKPSDM to set it.") % {
                "building": building.name
            }
        else:
            distance = round(haversine_m(lat, lon, float(building.latitude), float(building.longitude)))
            if distance > building.geofence_radius_m:
                errors["latitude"] = _(
                    "You are %(distance)d m from %(building)s; an office check-in must be within %(radius)d m. "
                    "Move closer to the building and try again, or check in as WFH or official travel."
                ) % {"distance": distance, "building": building.name, "radius": building.geofence_radius_m}
        if building is not None and building.status == SpaceStatus.CLOSED:
            errors["__all__"] = _("%(building)s is closed today. Work from home and check in as WFH.") % {
                "building": building.name
            }
        elif floor is not None and floor.status == SpaceStatus.CLOSED:
            errors["__all__"] = _("Your floor (%(floor)s) is closed today. Work from home and check in as WFH.") % {
                "floor": str(floor)
            }
        elif facts.measure_in_force and (measures := measure_check(building=building, floor=floor, day=day)).refusal:
            errors["__all__"] = measures.refusal
        elif reason in health_reasons:
            # An exception never overrides a health order.
            errors["__all__"] = str(_UNAVAILABLE_MESSAGES[reason])
        elif exception_id is None:
            if reason is not None:
                errors["__all__"] = str(_UNAVAILABLE_MESSAGES.get(reason, _UNAVAILABLE_MESSAGES["other"]))
            elif facts.mode == "wfh":
                errors["__all__"] = _(
                    "The published roster says you work from home today. Check in as WFH, or ask your unit head "
                    "for an exception if you are needed at the office."
                )
            elif facts.mode == "off":
                errors["__all__"] = _(
                    "The published roster has no work for you today. Ask your unit head for an exception if you "
                    "are needed at the office."
                )
    if errors:
        raise ValidationError(errors)
    late = False
    if shift_times is not None:
        start = timezone.make_aware(dt.datetime.combine(day, shift_times[0]), timezone.get_current_timezone())
        late = now > start + dt.timedelta(minutes=facts.late_tolerance)
    record = CheckIn(
        government_id=employee.government_id,
        employee=employee,
        date=day,
        mode=mode,
        checked_in_at=now,
        latitude=Decimal(f"{lat:.6f}") if lat is not None else None,
        longitude=Decimal(f"{lon:.6f}") if lon is not None else None,
        accuracy_m=accuracy,
        building=building if mode == CheckInMode.WFO else None,
        floor=floor if mode == CheckInMode.WFO else None,
        distance_m=distance,
        shift=facts.shift,
        late=late,
        exception_id=exception_id if mode == CheckInMode.WFO else None,
        idempotency_key=key,
    )
    try:
        with transaction.atomic():
            if open_now is not None:
                _close_forgotten(open_now)
            if measures.capacity is not None and floor is not None:  # a restricted floor
                floor_capacity_guard(floor=floor, day=day, capacity=measures.capacity)
            record.save()
            if mode == CheckInMode.WFO and building is not None:
                presence_record(
                    employee=employee,
                    building=building,
                    floor=floor,
                    start=now,
                    end=None,
                    source=Presence.Source.CHECK_IN,
                    ref=f"checkin:{record.pk}",
                )
            audit_record(
                actor=user,
                government=employee.government_id,
                action="check_in",
                obj=record,
                changes={
                    "mode": mode,
                    "distance_m": distance,
                    "late": late,
                    "exception": record.exception_id,
                },
            )
    except IntegrityError:
        # Another tap or device won the race: hand back what it made.
        existing = (
            CheckIn.objects.filter(employee=employee, idempotency_key=key).first() if key else None
        ) or CheckIn.objects.filter(employee=employee, checked_out_at__isnull=True).first()
        if existing is None:
            raise
        return existing, False
    return record, True


def check_in(
    *,
    employee: Employee,
    mode: str,
    user: Any = None,
    latitude: float | Decimal | None = None,
    longitude: float | Decimal | None = None,
    accuracy_m: float | None = None,
    client_time: dt.datetime | None = None,
    idempotency_key: str = "",
    now: dt.datetime | None = None,
) -> CheckIn:
    """``check_in_made`` without the "is it new" flag."""
    record, _new = check_in_made(
        employee=employee,
        mode=mode,
        user=user,
        latitude=latitude,
        longitude=longitude,
        accuracy_m=accuracy_m,
        client_time=client_time,
        idempotency_key=idempotency_key,
        now=now,
    )
    return record


def _close_forgotten(record: CheckIn) -> None:
    """Close an earlier day's check-in that was never checked out (counted as a missing check-out)."""
    CheckIn.objects.filter(pk=record.pk, checked_out_at__isnull=True).update(
        checked_out_at=record.checked_in_at, auto_closed=True
    )
    presence_close(ref=f"checkin:{record.pk}", end=record.checked_in_at)
    _close_room_scans(employee_id=record.employee_id, end=record.checked_in_at)


def check_out(
    *, check_in: CheckIn, user: Any = None, client_time: dt.datetime | None = None, now: dt.datetime | None = None
) -> CheckIn:
    """Check out of ``check_in``; a repeated check-out returns the record unchanged. Closes the presence
    intervals the check-in and room scans opened, and flags an early leave by the shift's end."""
    now = now or timezone.now()
    errors: dict[str, str] = {}
    _check_clock(client_time, now, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        record = CheckIn.objects.select_for_update().get(pk=check_in.pk)
        if record.checked_out_at is not None:
            return record
        end = max(now, record.checked_in_at)
        early = False
        if record.shift:
            _assignment, shift_times = _shift_of(record.employee, record.date)
            if shift_times is not None:
                _late, early_minutes = _tolerances(record.employee, record.date)
                shift_end = timezone.make_aware(
                    dt.datetime.combine(record.date, shift_times[1]), timezone.get_current_timezone()
                )
                early = end < shift_end - dt.timedelta(minutes=early_minutes)
        record.checked_out_at = end
        record.early_leave = early
        record.save(update_fields=["checked_out_at", "early_leave"])
        presence_close(ref=f"checkin:{record.pk}", end=end)
        _close_room_scans(employee_id=record.employee_id, end=end)
        audit_record(
            actor=user, government=record.government_id, action="check_out", obj=record, changes={"early_leave": early}
        )
    return record


def attendance_exception_grant(
    *, employee: Employee, day: dt.date, reason: str, granter: Employee | None, user: Any = None, admin: bool = False
) -> AttendanceException:
    """Let ``employee`` check in at the office on ``day`` despite the roster or an absence (never a health
    order or a closed building). Granted by the head of their unit (or a unit above) or the acting Plh/Plt,
    checked with ``can_act``; BKPSDM admins (``admin=True``) may grant it too."""
    errors: dict[str, str] = {}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("Say why the person must come to the office.")
    elif len(reason) > 250:
        errors["reason"] = _("Keep the reason under 250 characters.")
    if day < timezone.localdate():
        errors["date"] = _("An exception is for today or a later day.")
    basis = "admin"
    if not admin:
        if granter is None:
            raise PermissionDenied
        authority = can_act(granter, Action.PLAN_ROSTER, employee.unit, on=day)
        if not authority:
            raise PermissionDenied(authority.reason)
        basis = authority.basis
    if AttendanceException.objects.filter(employee=employee, date=day).exists():
        errors["date"] = _("%(name)s already has an exception for %(date)s.") % {
            "name": employee.name,
            "date": day.strftime("%d-%m-%Y"),
        }
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            exception = AttendanceException.objects.create(
                government_id=employee.government_id,
                employee=employee,
                date=day,
                reason=reason,
                granted_by=granter,
                granted_by_user=user if getattr(user, "pk", None) else None,
                basis=basis,
            )
            audit_record(
                actor=user,
                government=employee.government_id,
                action="grant_exception",
                obj=exception,
                changes={"date": day.isoformat(), "reason": reason, "basis": basis},
            )
    except IntegrityError as exc:
        raise ValidationError(
            {"date": _("%(name)s already has an exception for %(date)s.") % {"name": employee.name, "date": day}}
        ) from exc
    return exception


# ---------------------------------------------------------------------------------------------------
# Presence from room scans, and retention


def _close_room_scans(*, employee_id: int, end: dt.datetime) -> int:
    return Presence.objects.filter(
        employee_id=employee_id, source=Presence.Source.ROOM_SCAN, end__isnull=True, start__lte=end
    ).update(end=end)


def presence_room_scan(*, employee: Employee, room: Room, user: Any = None, now: dt.datetime | None = None) -> Presence:
    """Record that ``employee`` is in ``room`` from now on (from the room's QR poster), closing their
    previous room interval. Scanning the same room again keeps the open interval."""
    now = now or timezone.now()
    if room.government_id != employee.government_id:
        raise ValidationError({"room": _("The room belongs to another government.")})
    if room.status == SpaceStatus.CLOSED:
        raise ValidationError(
            {"room": _("%(room)s is closed. Leave the room and tell the building manager.") % {"room": room.name}}
        )
    with transaction.atomic():
        current = (
            Presence.objects.select_for_update()
            .filter(employee=employee, source=Presence.Source.ROOM_SCAN, end__isnull=True)
            .order_by("-start")
            .first()
        )
        if current is not None and current.room_id == room.pk:
            return current
        _close_room_scans(employee_id=employee.pk, end=now)
        floor = room.floor
        return presence_record(
            employee=employee,
            building=floor.building,
            floor=floor,
            room=room,
            start=now,
            end=None,
            source=Presence.Source.ROOM_SCAN,
            ref=f"scan:{employee.pk}",
        )


def presence_purge(*, now: dt.datetime | None = None, days: int | None = None) -> int:
    """Delete presence intervals that ended more than ``PRESENCE_RETENTION_DAYS`` ago (idempotent)."""
    now = now or timezone.now()
    keep = days if days is not None else settings.PRESENCE_RETENTION_DAYS
    cutoff = now - dt.timedelta(days=keep)
    deleted, _per_model = Presence.objects.filter(
        Q(end__lt=cutoff) | Q(end__isnull=True, start__lt=cutoff - dt.timedelta(days=1))
    ).delete()
    return deleted
