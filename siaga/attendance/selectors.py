"""Reads of the attendance app, scoped through ``siaga.core.access``."""

from __future__ import annotations

import calendar
import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from siaga.attendance.models import AttendanceException, CheckIn, CheckInMode, Presence
from siaga.core.access import Actor, Perm, scope_check_ins, scope_employees, scope_org, scope_presence
from siaga.core.models import Role
from siaga.core.prepared import execute, statement_name
from siaga.core.services import audit_record
from siaga.measures.models import BuildingMeasure
from siaga.org.models import Building, Employee, Floor, Room, Unit
from siaga.rostering.models import Absence, GovernmentPolicy, Leave, RosterAssignment, RosterPlan, WorkPolicy

#: Presence intervals longer than this are closed by check-out, the next check-in or the end of a meeting;
#: an interval still open counts for this long at most (a forgotten check-out does not keep somebody on a
#: floor for ever). Overlap queries use it as the lower bound of the one index range on ``start`` they scan,
#: which on PostgreSQL also limits them to the month partitions of the window.
PRESENCE_MAX_SPAN = dt.timedelta(hours=36)


def overlapping(qs: QuerySet[Presence], start: dt.datetime, end: dt.datetime) -> QuerySet[Presence]:
    """Intervals that overlap [start, end), an open one lasting ``PRESENCE_MAX_SPAN`` at most: one bounded
    range on ``start``, so every index on (place or person, start) serves it."""
    return qs.filter(start__gte=start - PRESENCE_MAX_SPAN, start__lt=end).filter(
        Q(end__gt=start) | Q(end__isnull=True, start__gt=start - PRESENCE_MAX_SPAN)
    )


def presence_end(start: dt.datetime, end: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    """Where an interval ends for tracing and display: its end, or for an open one now but
    ``PRESENCE_MAX_SPAN`` after its start at most."""
    return end if end is not None else min(now, start + PRESENCE_MAX_SPAN)


def actor_employee(*, actor: Actor) -> Employee:
    """The employee record of the person acting; refuses people who have none (403)."""
    if actor.employee_id is None or not actor.has_perm(Perm.ATTEND):
        raise PermissionDenied
    loaded = actor._cache.get("employee")  # loaded with its workplace by ``actor_for_user``
    if isinstance(loaded, Employee) and loaded.pk == actor.employee_id:
        return loaded
    return Employee.objects.select_related(
        "government", "unit__floor__building", "unit__building", "floor__building", "building"
    ).get(pk=actor.employee_id)


def check_in_list(
    *, actor: Actor, start: dt.date | None = None, end: dt.date | None = None, employee_id: int | None = None
) -> QuerySet[CheckIn]:
    qs = scope_check_ins(actor, CheckIn.objects.all()).select_related("employee", "building", "floor")
    if start is not None:
        qs = qs.filter(date__gte=start)
    if end is not None:
        qs = qs.filter(date__lte=end)
    if employee_id is not None:
        qs = qs.filter(employee_id=employee_id)
    return qs.order_by("-checked_in_at", "-id")


@dataclass(frozen=True)
class DayFacts:
    """What a check-in needs to know about one person's day, read in one query: the published roster day
    (``mode`` and ``shift``, as ``rostering.selectors.published_days`` gives them, the newest published plan
    winning), the shift's start and end (``plan_shift_times``), the unit head's exception, why the person is
    unavailable (``unavailability``: approved leave first, else the earliest absence) and the tolerances of
    the work policy in effect (``policy_in_effect``; 15 and 0 minutes without one); and the ids of the
    person's open check-in and of the check-in made with the request's idempotency key, if any; and whether
    a building measure is in force at the workplace (so that the common case needs no further read)."""

    mode: str | None
    shift: str
    shift_times: tuple[dt.time, dt.time] | None
    exception_id: int | None
    unavailable: str | None
    late_tolerance: int
    early_leave_tolerance: int
    open_check_in_id: int | None = None
    retry_check_in_id: int | None = None
    #: whether a building measure (``siaga.measures``) is in force on the day at the workplace given
    measure_in_force: bool = False


def _shift_times(shifts: Any, shift: str) -> tuple[dt.time, dt.time] | None:
    if isinstance(shifts, str):  # a JSON text where the backend does not decode a subquery's JSON
        shifts = json.loads(shifts)
    for s in shifts or []:
        if isinstance(s, dict) and {"id", "start", "end"} <= set(s) and s["id"] == shift:
            return dt.time.fromisoformat(s["start"]), dt.time.fromisoformat(s["end"])
    return None


def _day_facts_sql(vendor: str) -> str:
    """The SQL of ``day_facts``: plain SQL (SQLite and PostgreSQL alike, but for reading one key of a JSON
    column), because compiling the equivalent ORM query cost more than running it on every check-in."""
    q = connection.ops.quote_name
    shifts = (
        f"{q('p')}.{q('problem')} -> 'shifts'"
        if vendor == "postgresql"
        else f"json_extract({q('p')}.{q('problem')}, '$.shifts')"
    )
    t = {
        "assignment": q(RosterAssignment._meta.db_table),
        "plan": q(RosterPlan._meta.db_table),
        "exception": q(AttendanceException._meta.db_table),
        "leave": q(Leave._meta.db_table),
        "absence": q(Absence._meta.db_table),
        "selection": q(GovernmentPolicy._meta.db_table),
        "policy": q(WorkPolicy._meta.db_table),
        "check_in": q(CheckIn._meta.db_table),
        "measure": q(BuildingMeasure._meta.db_table),
    }
    return f"""
        SELECT r.mode, r.shift, r.shifts,
          (SELECT x.id FROM {t["exception"]} x WHERE x.employee_id = %(employee)s AND x.date = %(day)s
           ORDER BY x.id LIMIT 1),
          EXISTS (SELECT 1 FROM {t["leave"]} l WHERE l.employee_id = %(employee)s AND l.status = %(approved)s
                  AND l."start" <= %(day)s AND l."end" >= %(day)s),
          (SELECT b.reason FROM {t["absence"]} b WHERE b.employee_id = %(employee)s
             AND b."start" <= %(day)s AND b."end" >= %(day)s ORDER BY b."start" LIMIT 1),
          w.late_tolerance_minutes, w.early_leave_tolerance_minutes,
          (SELECT c.id FROM {t["check_in"]} c WHERE c.employee_id = %(employee)s AND c.checked_out_at IS NULL
           ORDER BY c.id LIMIT 1),
          (SELECT c.id FROM {t["check_in"]} c WHERE c.employee_id = %(employee)s
             AND c.idempotency_key = %(key)s AND c.idempotency_key <> '' ORDER BY c.id LIMIT 1),
          EXISTS (SELECT 1 FROM {t["measure"]} m WHERE m.building_id = %(building)s AND m.status = %(active)s
                  AND m."start" <= %(day)s AND m."end" >= %(day)s
                  AND (m.floor_id IS NULL OR m.floor_id = %(floor)s))
        FROM (SELECT 1 AS one) o
        LEFT JOIN (
          SELECT a.mode, a.shift, {shifts} AS shifts
          FROM {t["assignment"]} a INNER JOIN {t["plan"]} p ON p.id = a.plan_id
          WHERE a.employee_id = %(employee)s AND a.date = %(day)s AND p.status = %(published)s
            AND p.government_id = %(government)s
          ORDER BY p.published_at DESC, a.id DESC LIMIT 1
        ) r ON 1 = 1
        LEFT JOIN (
          SELECT s.policy_id FROM {t["selection"]} s
          WHERE s.government_id = %(government)s AND s.effective_from <= %(day)s
          ORDER BY s.effective_from DESC LIMIT 1
        ) g ON 1 = 1
        LEFT JOIN {t["policy"]} w ON w.id = g.policy_id
    """  # noqa: S608 (only table names from the models' metadata are interpolated; values are parameters)


#: Per database vendor: the statement's name, its SQL with positional placeholders, and the order of the
#: named values among them.
_DAY_FACTS_SQL: dict[str, tuple[str, str, list[str]]] = {}
_NAMED = re.compile(r"%\((\w+)\)s")


def day_facts(
    *,
    employee: Employee,
    day: dt.date,
    idempotency_key: str = "",
    building: Building | None = None,
    floor: Floor | None = None,
) -> DayFacts:
    """``DayFacts`` of ``employee`` on ``day``, with a single query."""
    vendor = connection.vendor
    if vendor not in _DAY_FACTS_SQL:
        named = _day_facts_sql(vendor)
        _DAY_FACTS_SQL[vendor] = (statement_name(), _NAMED.sub("%s", named), _NAMED.findall(named))
    name, sql, order = _DAY_FACTS_SQL[vendor]
    values = {
        "employee": employee.pk,
        "government": employee.government_id,
        "day": connection.ops.adapt_datefield_value(day),
        "published": str(RosterPlan.Status.PUBLISHED),
        "approved": str(Leave.Status.APPROVED),
        "key": idempotency_key,
        "building": building.pk if building is not None else None,
        "floor": floor.pk if floor is not None else None,
        "active": str(BuildingMeasure.Status.ACTIVE),
    }
    with connection.cursor() as cursor:
        execute(connection, cursor, name, sql, [values[v] for v in order])
        (mode, shift, shifts, exception_id, on_leave, absence, late, early, open_id, retry_id, measure) = (
            cursor.fetchone()
        )
    shift = (shift or "") if mode is not None else ""
    has_policy = late is not None
    return DayFacts(
        mode=mode,
        shift=shift,
        shift_times=_shift_times(shifts, shift) if shift else None,
        exception_id=exception_id,
        unavailable="leave" if on_leave else (str(absence) if absence is not None else None),
        late_tolerance=late if has_policy else 15,
        early_leave_tolerance=early if has_policy else 0,
        open_check_in_id=open_id,
        retry_check_in_id=retry_id,
        measure_in_force=bool(measure),
    )


def check_in_open(*, employee: Employee) -> CheckIn | None:
    return CheckIn.objects.filter(employee=employee, checked_out_at__isnull=True).first()


def own_check_in_get(*, actor: Actor, pk: int) -> CheckIn:
    """One of the actor's own check-ins (only the person checks out); 404 for anyone else's."""
    employee = actor_employee(actor=actor)
    record = CheckIn.objects.filter(pk=pk, employee=employee, government_id=actor.government_id).first()
    if record is None:
        raise Http404
    return record


def check_in_get(*, actor: Actor, pk: int) -> CheckIn:
    record = scope_check_ins(actor, CheckIn.objects.filter(pk=pk)).select_related("employee").first()
    if record is None:
        raise Http404
    return record


def exception_list(*, actor: Actor, start: dt.date | None = None) -> QuerySet[AttendanceException]:
    qs = scope_check_ins(actor, AttendanceException.objects.all()).select_related("employee", "granted_by")
    if start is not None:
        qs = qs.filter(date__gte=start)
    return qs.order_by("-date", "-id")


def can_manage(actor: Actor) -> bool:
    return actor.is_authenticated and actor.has_perm(Perm.MANAGE_ATTENDANCE)


def managed_unit_list(*, actor: Actor) -> QuerySet[Unit]:
    """Units whose attendance the actor manages: the whole government for admins, the headed units (and
    below) for unit heads; refused (403) to everyone else."""
    if not can_manage(actor):
        raise PermissionDenied
    qs = scope_org(actor, Unit.objects.filter(is_active=True))
    if actor.has_role(Role.ADMIN):
        return qs.order_by("code")
    return qs.filter(pk__in=actor.managed_unit_ids).order_by("code")


def managed_unit_get(*, actor: Actor, pk: int) -> Unit:
    unit = managed_unit_list(actor=actor).filter(pk=pk).first()
    if unit is None:
        raise Http404
    return unit


def managed_employee_get(*, actor: Actor, nip: str = "", pk: int | None = None) -> Employee:
    """An employee of a unit the actor manages; 404 otherwise (another government, another unit)."""
    if not can_manage(actor):
        raise PermissionDenied
    qs = scope_employees(actor, Employee.objects.filter(is_active=True)).select_related("unit", "position")
    if not actor.has_role(Role.ADMIN):
        qs = qs.filter(unit_id__in=actor.managed_unit_ids)
    employee = qs.filter(pk=pk).first() if pk is not None else qs.filter(nip=nip).first()
    if employee is None:
        raise Http404
    return employee


def _published_modes(employee_ids: list[int], start: dt.date, end: dt.date) -> dict[tuple[int, dt.date], str]:
    """(employee, day) → roster mode from published plans, the newest plan winning."""
    rows = (
        RosterAssignment.objects.filter(
            employee_id__in=employee_ids,
            plan__status=RosterPlan.Status.PUBLISHED,
            date__gte=start,
            date__lte=end,
        )
        .order_by("date", "-plan__published_at")
        .values_list("employee_id", "date", "mode")
    )
    modes: dict[tuple[int, dt.date], str] = {}
    for emp, day, mode in rows:
        modes.setdefault((emp, day), mode)
    return modes


def _unavailable_labels(employee_ids: list[int], day: dt.date) -> dict[int, str]:
    """Why each person is unavailable on ``day`` as a unit head may see it: health reasons read as
    ``unavailable``."""
    labels: dict[int, str] = {}
    for emp in Leave.objects.filter(
        employee_id__in=employee_ids, status=Leave.Status.APPROVED, start__lte=day, end__gte=day
    ).values_list("employee_id", flat=True):
        labels[emp] = "leave"
    for absence in Absence.objects.filter(employee_id__in=employee_ids, start__lte=day, end__gte=day):
        labels.setdefault(absence.employee_id, absence.problem_reason)
    return labels


@dataclass
class TodayRow:
    employee: Employee
    roster_mode: str
    unavailable: str
    check_in: CheckIn | None
    exception: AttendanceException | None


def unit_today(*, actor: Actor, unit: Unit, day: dt.date | None = None) -> list[TodayRow]:
    """Each person of ``unit`` (a unit the actor manages) on ``day``: the roster, whether they are
    unavailable (without a health reason), their check-in and any exception."""
    day = day or timezone.localdate()
    employees = list(
        Employee.objects.filter(unit=unit, is_active=True, government_id=actor.government_id).order_by("name")
    )
    ids = [e.pk for e in employees]
    modes = _published_modes(ids, day, day)
    labels = _unavailable_labels(ids, day)
    check_ins: dict[int, CheckIn] = {}
    for record in CheckIn.objects.filter(employee_id__in=ids, date=day).order_by("checked_in_at"):
        check_ins[record.employee_id] = record
    exceptions = {x.employee_id: x for x in AttendanceException.objects.filter(employee_id__in=ids, date=day)}
    return [
        TodayRow(e, modes.get((e.pk, day), ""), labels.get(e.pk, ""), check_ins.get(e.pk), exceptions.get(e.pk))
        for e in employees
    ]


@dataclass
class RecapRow:
    employee: Employee
    wfo: int = 0
    wfh: int = 0
    travel: int = 0
    late: int = 0
    early_leave: int = 0
    missing_check_out: int = 0
    missing: int = 0
    days: dict[dt.date, str] = field(default_factory=dict)


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def recap(*, employees: list[Employee], year: int, month: int, today: dt.date | None = None) -> list[RecapRow]:
    """Per person for the month: days worked at the office, at home, on travel (a day counts once, by its
    first check-in), late arrivals, early leaves, missing check-outs, and missing days (working days of
    the published roster up to today without any check-in)."""
    start, end = month_bounds(year, month)
    today = today or timezone.localdate()
    ids = [e.pk for e in employees]
    rows = {e.pk: RecapRow(employee=e) for e in employees}
    for record in CheckIn.objects.filter(employee_id__in=ids, date__gte=start, date__lte=end).order_by("checked_in_at"):
        row = rows[record.employee_id]
        if record.date not in row.days:
            row.days[record.date] = record.mode
            if record.mode == CheckInMode.WFO:
                row.wfo += 1
            elif record.mode == CheckInMode.WFH:
                row.wfh += 1
            else:
                row.travel += 1
        row.late += int(record.late)
        row.early_leave += int(record.early_leave)
        row.missing_check_out += int(record.auto_closed)
    for (emp, day), mode in _published_modes(ids, start, min(end, today)).items():
        if mode in ("wfo", "wfh") and day not in rows[emp].days and day < today:
            rows[emp].missing += 1
    return sorted(rows.values(), key=lambda r: (r.employee.name, r.employee.pk))


def recap_unit(*, actor: Actor, unit: Unit, year: int, month: int) -> list[RecapRow]:
    employees = list(Employee.objects.filter(unit=unit, is_active=True, government_id=actor.government_id))
    return recap(employees=employees, year=year, month=month)


def recap_own(*, actor: Actor, year: int, month: int) -> RecapRow:
    return recap(employees=[actor_employee(actor=actor)], year=year, month=month)[0]


# ---------------------------------------------------------------------------------------------------
# Presence


def presence_overlapping(
    *,
    actor: Actor,
    start: dt.datetime,
    end: dt.datetime,
    building: Building | None = None,
    floor: Floor | None = None,
    room: Room | None = None,
) -> QuerySet[Presence]:
    """Everybody present in a building, floor or room during [start, end): for the health task force
    only; every read is audit-logged."""
    if not actor.has_perm(Perm.VIEW_PRESENCE):
        raise PermissionDenied
    qs = scope_presence(actor, Presence.objects.all())
    place: Building | Floor | Room
    if room is not None:
        qs, place = qs.filter(room=room), room
    elif floor is not None:
        qs, place = qs.filter(floor=floor), floor
    elif building is not None:
        qs, place = qs.filter(building=building), building
    else:
        raise Http404
    audit_record(
        actor=actor.user,
        government=actor.government_id,
        action="read_presence",
        object_type=place._meta.label_lower,
        object_id=place.pk,
        object_repr=str(place)[:200],
        changes={"start": start.isoformat(), "end": end.isoformat()},
    )
    return overlapping(qs, start, end).select_related("employee", "building", "floor", "room").order_by("start", "id")


def presence_of(*, actor: Actor, employee: Employee, start: dt.datetime, end: dt.datetime) -> QuerySet[Presence]:
    """Where ``employee`` was during [start, end): the person themself, or the health task force (whose
    read is audit-logged); 404 for anyone else."""
    if employee.government_id != actor.government_id:
        raise Http404
    if actor.employee_id != employee.pk:
        if not actor.has_perm(Perm.VIEW_PRESENCE):
            raise Http404
        audit_record(
            actor=actor.user,
            government=actor.government_id,
            action="read_presence",
            obj=employee,
            changes={"start": start.isoformat(), "end": end.isoformat()},
        )
    qs = scope_presence(actor, Presence.objects.filter(employee=employee))
    return overlapping(qs, start, end).select_related("building", "floor", "room").order_by("start", "id")


def presence_employee_get(*, actor: Actor, nip: str) -> Employee:
    """The person whose presence is asked for: oneself, or anyone of the government for the task force."""
    if not actor.is_authenticated:
        raise PermissionDenied
    employee = Employee.objects.filter(government_id=actor.government_id, nip=nip).first()
    if employee is None or (employee.pk != actor.employee_id and not actor.has_perm(Perm.VIEW_PRESENCE)):
        raise Http404
    return employee


def room_get(*, actor: Actor, pk: int) -> Room:
    room = scope_org(actor, Room.objects.filter(pk=pk)).select_related("floor", "floor__building").first()
    if room is None:
        raise Http404
    return room


def room_list(*, actor: Actor) -> QuerySet[Room]:
    return (
        scope_org(actor, Room.objects.all())
        .select_related("floor", "floor__building")
        .order_by("floor__building__name", "floor__number", "code")
    )


def place_get(*, actor: Actor, kind: str, pk: int) -> Any:
    models: dict[str, Any] = {"building": Building, "floor": Floor, "room": Room}
    if kind not in models:
        raise Http404
    place = scope_org(actor, models[kind].objects.filter(pk=pk)).first()
    if place is None:
        raise Http404
    return place


def place_by_code(
    *, actor: Actor, building: str = "", floor: int | None = None, room: str = ""
) -> tuple[Building | None, Floor | None, Room | None]:
    """The building (by code), a floor of it (by number) or a room (by code) of the actor's government;
    404 for what is not found."""
    if room:
        found_room = scope_org(actor, Room.objects.filter(code=room)).select_related("floor__building").first()
        if found_room is None:
            raise Http404
        return None, None, found_room
    if not building:
        return None, None, None
    found = scope_org(actor, Building.objects.filter(code=building)).first()
    if found is None:
        raise Http404
    if floor is None:
        return found, None, None
    found_floor = Floor.objects.filter(building=found, number=floor).first()
    if found_floor is None:
        raise Http404
    return None, found_floor, None


def place_choices(*, actor: Actor) -> list[tuple[str, str]]:
    """Buildings, floors and rooms of the government as ``("building:3", "Gedung A")`` choices."""
    choices: list[tuple[str, str]] = []
    for building in scope_org(actor, Building.objects.all()).order_by("name"):
        choices.append((f"building:{building.pk}", building.name))
        for floor in building.floors.all().order_by("number"):
            choices.append((f"floor:{floor.pk}", f"— {floor}"))
            for room in floor.rooms.all().order_by("code"):
                choices.append((f"room:{room.pk}", f"—— {room.name}"))
    return choices
