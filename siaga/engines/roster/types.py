"""Problem and plan of the roster engine, and their strict JSON form (see docs/roster-format.md).

Symbols follow the specification: D the days, S the shifts, E the employees, E_u those of unit u.
Parsing refuses unknown keys and wrong values with a ``FormatError`` that names the place in the file.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

PROBLEM_FORMAT = "siaga-roster-problem/1"
PLAN_FORMAT = "siaga-roster-plan/1"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MODES = ("flexible", "always_wfo", "always_wfh")
ASSIGNMENT_MODES = ("wfo", "wfh", "off")
STATUSES = ("optimal", "feasible", "infeasible")
EXPLANATION_KINDS = ("coverage", "cap", "capacity", "mode")
DEFAULT_WEIGHTS = {"mixing": 10, "fairness": 3, "change": 5, "underuse": 1}
OBJECTIVE_TERMS = ("mixing", "fairness", "changes", "underuse")


class FormatError(ValueError):
    """A problem or plan file that does not follow the format; the message says where and what."""


@dataclass(frozen=True)
class Shift:
    id: str
    start: dt.time
    end: dt.time


@dataclass(frozen=True)
class Floor:
    id: str
    building: str
    capacity: int


@dataclass(frozen=True)
class Coverage:
    skill: str
    min: int


@dataclass(frozen=True)
class Unit:
    id: str
    floor: str
    wfo_cap: float
    wfo_target: float
    cohorts: int = 1
    coverage: tuple[Coverage, ...] = ()

    def cap_count(self, size: int) -> int:
        """⌊wfo_cap_u · N_u⌋ (with a tolerance for binary fractions such as 0.3 · 10)."""
        return math.floor(self.wfo_cap * size + 1e-9)

    def target_count(self, size: int) -> int:
        return math.floor(self.wfo_target * size + 1e-9)


@dataclass(frozen=True)
class Unavailable:
    start: dt.date
    end: dt.date
    reason: str = ""

    def covers(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class Employee:
    id: str
    unit: str
    skills: frozenset[str] = frozenset()
    floor: str | None = None
    mode: str = "flexible"
    unavailable: tuple[Unavailable, ...] = ()

    def is_unavailable(self, day: dt.date) -> bool:
        return any(u.covers(day) for u in self.unavailable)


@dataclass(frozen=True)
class Assignment:
    employee: str
    date: dt.date
    mode: str
    shift: str | None = None


@dataclass(frozen=True)
class Explanation:
    kind: str
    message: str
    unit: str | None = None
    floor: str | None = None
    date: dt.date | None = None
    shift: str | None = None
    skill: str | None = None
    employee: str | None = None
    needed: int | None = None
    possible: int | None = None


@dataclass
class Plan:
    status: str
    assignments: list[Assignment] = field(default_factory=list)
    cohorts: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    objective: dict[str, float] = field(default_factory=dict)
    bound: float | None = None
    solve_seconds: float = 0.0
    explanation: list[Explanation] = field(default_factory=list)


@dataclass(frozen=True)
class Problem:
    name: str
    start: dt.date
    end: dt.date
    shifts: tuple[Shift, ...]
    floors: tuple[Floor, ...]
    units: tuple[Unit, ...]
    employees: tuple[Employee, ...]
    workdays: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri")
    holidays: frozenset[dt.date] = frozenset()
    weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    previous_plan: Plan | None = None
    frozen_until: dt.date | None = None

    @property
    def days(self) -> list[dt.date]:
        """D: the dates of the period that are workdays and not holidays."""
        wanted = {WEEKDAYS.index(w) for w in self.workdays}
        out, day = [], self.start
        while day <= self.end:
            if day.weekday() in wanted and day not in self.holidays:
                out.append(day)
            day += dt.timedelta(days=1)
        return out

    def floor_of(self, employee: Employee) -> str:
        if employee.floor is not None:
            return employee.floor
        return self.unit(employee.unit).floor

    def unit(self, unit_id: str) -> Unit:
        for unit in self.units:
            if unit.id == unit_id:
                return unit
        raise KeyError(unit_id)

    def members(self) -> dict[str, list[Employee]]:
        """E_u for every unit, in file order."""
        out: dict[str, list[Employee]] = {u.id: [] for u in self.units}
        for employee in self.employees:
            out[employee.unit].append(employee)
        return out


# ---------------------------------------------------------------------------------------------------
# JSON


def _keys(data: Any, where: str, required: Iterable[str], optional: Iterable[str] = ()) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise FormatError(f"{where}: expected an object")
    allowed = set(required) | set(optional)
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise FormatError(f"{where}: unknown key(s) {', '.join(unknown)}")
    missing = [k for k in required if k not in data]
    if missing:
        raise FormatError(f"{where}: missing key(s) {', '.join(missing)}")
    return data


def _date(value: Any, where: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise FormatError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from None


def _time(value: Any, where: str) -> dt.time:
    try:
        return dt.time.fromisoformat(value)
    except (TypeError, ValueError):
        raise FormatError(f"{where}: {value!r} is not a time (HH:MM)") from None


def _int(value: Any, where: str, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise FormatError(f"{where}: {value!r} is not a whole number ≥ {minimum}")
    return value


def _share(value: Any, where: str, upper: float = 1.0) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= upper:
        raise FormatError(f"{where}: {value!r} is not a number from 0 to {upper:g}")
    return float(value)


def _str(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise FormatError(f"{where}: expected a non-empty string")
    return value


def _unique(ids: list[str], where: str) -> None:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise FormatError(f"{where}: id {item!r} appears twice")
        seen.add(item)


def parse_problem(data: Any) -> Problem:
    """Validate a decoded ``siaga-roster-problem/1`` document and build the ``Problem``."""
    _keys(
        data,
        "problem",
        ["format", "period", "shifts", "floors", "units", "employees"],
        ["name", "workdays", "holidays", "weights", "previous_plan", "frozen_until"],
    )
    if data["format"] != PROBLEM_FORMAT:
        raise FormatError(f"format: expected {PROBLEM_FORMAT!r}, got {data['format']!r}")
    period = _keys(data["period"], "period", ["start", "end"])
    start, end = _date(period["start"], "period.start"), _date(period["end"], "period.end")
    if end < start:
        raise FormatError("period: end comes before start")
    workdays = data.get("workdays", ["mon", "tue", "wed", "thu", "fri"])
    if not isinstance(workdays, list) or not workdays or any(w not in WEEKDAYS for w in workdays):
        raise FormatError(f"workdays: use a non-empty list of {', '.join(WEEKDAYS)}")
    holidays = frozenset(_date(h, f"holidays[{i}]") for i, h in enumerate(data.get("holidays", [])))
    if not isinstance(data["shifts"], list) or not data["shifts"]:
        raise FormatError("shifts: at least one shift is needed")
    shifts = []
    for i, raw in enumerate(data["shifts"]):
        item = _keys(raw, f"shifts[{i}]", ["id", "start", "end"])
        shift = Shift(
            _str(item["id"], f"shifts[{i}].id"),
            _time(item["start"], f"shifts[{i}].start"),
            _time(item["end"], f"shifts[{i}].end"),
        )
        if shift.end <= shift.start:
            raise FormatError(f"shifts[{i}]: end must come after start")
        shifts.append(shift)
    _unique([s.id for s in shifts], "shifts")
    floors = []
    for i, raw in enumerate(data["floors"]):
        item = _keys(raw, f"floors[{i}]", ["id", "building", "capacity"])
        floors.append(
            Floor(
                _str(item["id"], f"floors[{i}].id"),
                _str(item["building"], f"floors[{i}].building"),
                _int(item["capacity"], f"floors[{i}].capacity"),
            )
        )
    _unique([f.id for f in floors], "floors")
    floor_ids = {f.id for f in floors}
    units = []
    for i, raw in enumerate(data["units"]):
        where = f"units[{i}]"
        item = _keys(raw, where, ["id", "floor", "wfo_cap"], ["wfo_target", "cohorts", "coverage"])
        cap = _share(item["wfo_cap"], f"{where}.wfo_cap")
        target = _share(item.get("wfo_target", cap), f"{where}.wfo_target", cap)
        if item["floor"] not in floor_ids:
            raise FormatError(f"{where}.floor: no floor {item['floor']!r}")
        coverage = []
        for j, rule in enumerate(item.get("coverage", [])):
            rule = _keys(rule, f"{where}.coverage[{j}]", ["skill", "min"])
            coverage.append(
                Coverage(
                    _str(rule["skill"], f"{where}.coverage[{j}].skill"), _int(rule["min"], f"{where}.coverage[{j}].min")
                )
            )
        units.append(
            Unit(
                _str(item["id"], f"{where}.id"),
                item["floor"],
                cap,
                target,
                _int(item.get("cohorts", 1), f"{where}.cohorts", 1),
                tuple(coverage),
            )
        )
    _unique([u.id for u in units], "units")
    unit_ids = {u.id for u in units}
    employees = []
    for i, raw in enumerate(data["employees"]):
        where = f"employees[{i}]"
        item = _keys(raw, where, ["id", "unit"], ["skills", "floor", "mode", "unavailable"])
        if item["unit"] not in unit_ids:
            raise FormatError(f"{where}.unit: no unit {item['unit']!r}")
        floor = item.get("floor")
        if floor is not None and floor not in floor_ids:
            raise FormatError(f"{where}.floor: no floor {floor!r}")
        mode = item.get("mode", "flexible")
        if mode not in MODES:
            raise FormatError(f"{where}.mode: {mode!r} is not one of {', '.join(MODES)}")
        skills = item.get("skills", [])
        if not isinstance(skills, list) or any(not isinstance(s, str) for s in skills):
            raise FormatError(f"{where}.skills: expected a list of strings")
        unavailable = []
        for j, raw_u in enumerate(item.get("unavailable", [])):
            u = _keys(raw_u, f"{where}.unavailable[{j}]", ["start", "end"], ["reason"])
            span = Unavailable(
                _date(u["start"], f"{where}.unavailable[{j}].start"),
                _date(u["end"], f"{where}.unavailable[{j}].end"),
                str(u.get("reason", "")),
            )
            if span.end < span.start:
                raise FormatError(f"{where}.unavailable[{j}]: end comes before start")
            unavailable.append(span)
        employees.append(
            Employee(_str(item["id"], f"{where}.id"), item["unit"], frozenset(skills), floor, mode, tuple(unavailable))
        )
    _unique([e.id for e in employees], "employees")
    weights: dict[str, float] = dict(DEFAULT_WEIGHTS)
    raw_weights = _keys(data.get("weights", {}), "weights", [], DEFAULT_WEIGHTS)
    for key, value in raw_weights.items():
        weights[key] = _share(value, f"weights.{key}", 1e6)
    previous = data.get("previous_plan")
    frozen = data.get("frozen_until")
    return Problem(
        name=str(data.get("name", "")),
        start=start,
        end=end,
        shifts=tuple(shifts),
        floors=tuple(floors),
        units=tuple(units),
        employees=tuple(employees),
        workdays=tuple(workdays),
        holidays=holidays,
        weights=weights,
        previous_plan=parse_plan(previous) if previous is not None else None,
        frozen_until=_date(frozen, "frozen_until") if frozen is not None else None,
    )


def parse_plan(data: Any) -> Plan:
    """Validate a decoded ``siaga-roster-plan/1`` document and build the ``Plan``."""
    _keys(
        data,
        "plan",
        ["format", "status", "assignments"],
        ["solve_seconds", "cohorts", "objective", "bound", "explanation"],
    )
    if data["format"] != PLAN_FORMAT:
        raise FormatError(f"plan.format: expected {PLAN_FORMAT!r}, got {data['format']!r}")
    if data["status"] not in STATUSES:
        raise FormatError(f"plan.status: {data['status']!r} is not one of {', '.join(STATUSES)}")
    assignments = []
    for i, raw in enumerate(data["assignments"]):
        item = _keys(raw, f"assignments[{i}]", ["employee", "date", "mode"], ["shift"])
        if item["mode"] not in ASSIGNMENT_MODES:
            raise FormatError(f"assignments[{i}].mode: {item['mode']!r} is not one of wfo, wfh, off")
        assignments.append(
            Assignment(
                _str(item["employee"], f"assignments[{i}].employee"),
                _date(item["date"], f"assignments[{i}].date"),
                item["mode"],
                item.get("shift"),
            )
        )
    cohorts = data.get("cohorts", {})
    if not isinstance(cohorts, dict) or any(not isinstance(v, dict) for v in cohorts.values()):
        raise FormatError("plan.cohorts: expected {unit: {cohort: [employee, …]}}")
    objective = data.get("objective", {})
    if not isinstance(objective, dict):
        raise FormatError("plan.objective: expected an object")
    explanation = []
    for i, raw in enumerate(data.get("explanation", [])):
        item = _keys(
            raw,
            f"explanation[{i}]",
            ["kind", "message"],
            ["unit", "floor", "date", "shift", "skill", "employee", "needed", "possible"],
        )
        if item["kind"] not in EXPLANATION_KINDS:
            raise FormatError(f"explanation[{i}].kind: {item['kind']!r} is not one of {', '.join(EXPLANATION_KINDS)}")
        explanation.append(
            Explanation(
                kind=item["kind"],
                message=item["message"],
                unit=item.get("unit"),
                floor=item.get("floor"),
                date=_date(item["date"], f"explanation[{i}].date") if item.get("date") else None,
                shift=item.get("shift"),
                skill=item.get("skill"),
                employee=item.get("employee"),
                needed=item.get("needed"),
                possible=item.get("possible"),
            )
        )
    return Plan(
        status=data["status"],
        assignments=assignments,
        cohorts=cohorts,
        objective=objective,
        bound=data.get("bound"),
        solve_seconds=float(data.get("solve_seconds", 0.0)),
        explanation=explanation,
    )


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    def explanation(e: Explanation) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": e.kind}
        for key in ("unit", "floor", "date", "shift", "skill", "employee", "needed", "possible"):
            value = getattr(e, key)
            if value is not None:
                out[key] = value.isoformat() if isinstance(value, dt.date) else value
        out["message"] = e.message
        return out

    return {
        "format": PLAN_FORMAT,
        "status": plan.status,
        "solve_seconds": round(plan.solve_seconds, 3),
        "cohorts": plan.cohorts,
        "assignments": [
            {
                "employee": a.employee,
                "date": a.date.isoformat(),
                "mode": a.mode,
                **({"shift": a.shift} if a.shift else {}),
            }
            for a in plan.assignments
        ],
        "objective": plan.objective,
        "bound": plan.bound,
        "explanation": [explanation(e) for e in plan.explanation],
    }


def problem_to_dict(problem: Problem) -> dict[str, Any]:
    return {
        "format": PROBLEM_FORMAT,
        "name": problem.name,
        "period": {"start": problem.start.isoformat(), "end": problem.end.isoformat()},
        "workdays": list(problem.workdays),
        "holidays": sorted(d.isoformat() for d in problem.holidays),
        "shifts": [
            {"id": s.id, "start": s.start.strftime("%H:%M"), "end": s.end.strftime("%H:%M")} for s in problem.shifts
        ],
        "floors": [{"id": f.id, "building": f.building, "capacity": f.capacity} for f in problem.floors],
        "units": [
            {
                "id": u.id,
                "floor": u.floor,
                "wfo_cap": u.wfo_cap,
                "wfo_target": u.wfo_target,
                "cohorts": u.cohorts,
                "coverage": [{"skill": c.skill, "min": c.min} for c in u.coverage],
            }
            for u in problem.units
        ],
        "employees": [
            {
                "id": e.id,
                "unit": e.unit,
                "skills": sorted(e.skills),
                "floor": e.floor,
                "mode": e.mode,
                "unavailable": [
                    {"start": u.start.isoformat(), "end": u.end.isoformat(), "reason": u.reason} for u in e.unavailable
                ],
            }
            for e in problem.employees
        ],
        "weights": dict(problem.weights),
        "previous_plan": plan_to_dict(problem.previous_plan) if problem.previous_plan else None,
        "frozen_until": problem.frozen_until.isoformat() if problem.frozen_until else None,
    }
