"""The independent validator of a plan: hard rules H1–H8, frozen days and the objective, recomputed.

Nothing here comes from the solver: ``check`` rebuilds every count from the ``Problem`` and the ``Plan``
alone (see docs/roster-format.md), so a plan from any source, edited by hand or by another tool, can be
trusted only after it passes. Interpretations where the specification leaves room:

- an employee who has no unavailable day among the days D counts for fairness;
- a unit's cohort count "did not change" when the previous plan gave it exactly ``cohorts`` cohorts; then
  every employee who was in one of its previous cohorts must stay in the cohort of the same name;
- a frozen day keeps a previous ``wfo``/``wfh`` assignment; a previous ``off`` is not kept (the employee
  is available again, and H2 forbids ``off``); changes count only (employee, day) pairs that the previous
  plan assigned.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass, field

from siaga.engines.roster.types import Assignment, Employee, Plan, Problem

TERMS = ("mixing", "fairness", "changes", "underuse")
WEIGHT_OF = {"mixing": "mixing", "fairness": "fairness", "changes": "change", "underuse": "underuse"}


@dataclass(frozen=True)
class Violation:
    """One broken rule: ``rule`` is ``H1``…``H8``, ``frozen``, ``objective``, ``bound`` or ``status``."""

    rule: str
    message: str
    unit: str | None = None
    floor: str | None = None
    date: dt.date | None = None
    shift: str | None = None
    skill: str | None = None
    employee: str | None = None


@dataclass
class CheckReport:
    """The verdict: ``ok`` when there is no violation; ``terms`` and ``total`` as recomputed."""

    ok: bool
    violations: list[Violation] = field(default_factory=list)
    terms: dict[str, int] = field(default_factory=dict)
    total: float | None = None
    claimed: dict[str, object] = field(default_factory=dict)
    bound: float | None = None


def weighted_total(problem: Problem, terms: dict[str, int]) -> float:
    """Σ weight × term, as an ``int`` when every product is whole."""
    total = sum(problem.weights.get(WEIGHT_OF[name], 0) * terms[name] for name in TERMS)
    return int(total) if float(total).is_integer() else total


def _label(a: Assignment) -> str:
    return f"wfo {a.shift}" if a.mode == "wfo" else a.mode


def check(problem: Problem, plan: Plan) -> CheckReport:
    """Check ``plan`` against ``problem``; every violation is listed, in a stable order."""
    if plan.status == "infeasible":
        return _check_infeasible(plan)
    out: list[Violation] = []
    days = problem.days
    nd = len(days)
    day_index = {d: i for i, d in enumerate(days)}
    employees = problem.employees
    emp_index = {e.id: i for i, e in enumerate(employees)}
    shift_ids = {s.id for s in problem.shifts}
    units = {u.id: u for u in problem.units}
    floors = {f.id: f for f in problem.floors}

    # H1: exactly one assignment per employee and day of D.
    grid: list[Assignment | None] = [None] * (len(employees) * nd)
    extra: Counter[int] = Counter()
    for a in plan.assignments:
        ei = emp_index.get(a.employee)
        if ei is None:
            out.append(Violation("H1", f"assignment for unknown employee {a.employee!r} on {a.date}", date=a.date))
            continue
        di = day_index.get(a.date)
        if di is None:
            out.append(
                Violation(
                    "H1",
                    f"{a.employee} has an assignment on {a.date}, which is not a day of the problem",
                    unit=employees[ei].unit,
                    date=a.date,
                    employee=a.employee,
                )
            )
            continue
        k = ei * nd + di
        if grid[k] is None:
            grid[k] = a
        else:
            extra[k] += 1
    for k in sorted(extra):
        e, d = employees[k // nd], days[k % nd]
        out.append(
            Violation(
                "H1",
                f"{e.id} has {extra[k] + 1} assignments on {d}; exactly one is needed",
                unit=e.unit,
                date=d,
                employee=e.id,
            )
        )

    cohort_of = _check_cohorts(problem, plan, out)

    # Per-employee rules, and the counters for H5–H7 and the objective.
    cover_skills = {u.id: {c.skill for c in u.coverage} for u in problem.units}
    unit_wfo: Counter[tuple[str, int]] = Counter()
    floor_wfo: Counter[tuple[str, int, str]] = Counter()
    cover: Counter[tuple[str, str, int, str]] = Counter()
    groups: dict[tuple[str, int, str], set[tuple[str, str | None]]] = {}
    wfo_days = [0] * len(employees)
    previous = _previous_grid(problem, emp_index, day_index, nd)
    frozen_until = problem.frozen_until
    changes = 0
    for ei, e in enumerate(employees):
        off_days = _unavailable_indices(e, days)
        floor = problem.floor_of(e)
        skills = e.skills & cover_skills[e.unit]
        group = (e.unit, cohort_of.get(e.id))
        base = ei * nd
        for di in range(nd):
            x = grid[base + di]
            d = days[di]
            if x is None:
                out.append(Violation("H1", f"{e.id} has no assignment on {d}", unit=e.unit, date=d, employee=e.id))
                continue
            mode, shift = x.mode, x.shift
            known_shift = isinstance(shift, str) and shift in shift_ids
            unavailable = di in off_days
            if unavailable and mode != "off":
                out.append(
                    Violation(
                        "H2",
                        f"{e.id} is unavailable on {d} but assigned {mode}",
                        unit=e.unit,
                        date=d,
                        employee=e.id,
                    )
                )
            elif not unavailable and mode == "off":
                out.append(
                    Violation("H2", f"{e.id} is off on {d} but is available", unit=e.unit, date=d, employee=e.id)
                )
            if e.mode == "always_wfh" and mode == "wfo":
                out.append(
                    Violation(
                        "H3",
                        f"{e.id} always works from home but is assigned wfo on {d}",
                        unit=e.unit,
                        date=d,
                        employee=e.id,
                    )
                )
            elif e.mode == "always_wfo" and mode == "wfh":
                out.append(
                    Violation(
                        "H3",
                        f"{e.id} always works from the office but is assigned wfh on {d}",
                        unit=e.unit,
                        date=d,
                        employee=e.id,
                    )
                )
            if mode == "wfo":
                if shift is None:
                    out.append(
                        Violation(
                            "H4",
                            f"{e.id} works from the office on {d} without a shift",
                            unit=e.unit,
                            date=d,
                            employee=e.id,
                        )
                    )
                elif not known_shift:
                    out.append(
                        Violation(
                            "H4",
                            f"{e.id} works from the office on {d} in unknown shift {shift!r}",
                            unit=e.unit,
                            date=d,
                            shift=shift,
                            employee=e.id,
                        )
                    )
                wfo_days[ei] += 1
                unit_wfo[e.unit, di] += 1
                if isinstance(shift, str) and known_shift:
                    key = (floor, di, shift)
                    floor_wfo[key] += 1
                    groups.setdefault(key, set()).add(group)
                    for skill in skills:
                        cover[e.unit, skill, di, shift] += 1
            elif shift is not None:
                out.append(
                    Violation(
                        "H4",
                        f"{e.id} is {mode} on {d} but names shift {shift!r}",
                        unit=e.unit,
                        date=d,
                        shift=shift,
                        employee=e.id,
                    )
                )
            if previous is not None:
                p = previous[base + di]
                if p is None:
                    continue
                now = (mode, shift if mode == "wfo" else None)
                before = (p.mode, p.shift if p.mode == "wfo" else None)
                if frozen_until is not None and d <= frozen_until:
                    if not unavailable and p.mode != "off" and now != before:
                        out.append(
                            Violation(
                                "frozen",
                                f"{e.id} on {d} is frozen (until {frozen_until}) as {_label(p)} "
                                f"but assigned {_label(x)}",
                                unit=e.unit,
                                date=d,
                                employee=e.id,
                            )
                        )
                elif now != before:
                    changes += 1

    members = problem.members()
    # H5: the WFO cap of every unit and day.
    for u in problem.units:
        cap = u.cap_count(len(members[u.id]))
        for di, d in enumerate(days):
            n = unit_wfo[u.id, di]
            if n > cap:
                out.append(
                    Violation("H5", f"unit {u.id}: {n} on site on {d}, above the cap of {cap}", unit=u.id, date=d)
                )
    # H6: coverage of every unit, day, shift and rule.
    for u in problem.units:
        for di, d in enumerate(days):
            for s in problem.shifts:
                for c in u.coverage:
                    n = cover[u.id, c.skill, di, s.id]
                    if n < c.min:
                        out.append(
                            Violation(
                                "H6",
                                f"unit {u.id}: {n} on site with skill {c.skill} in shift {s.id} on {d}, "
                                f"below the minimum of {c.min}",
                                unit=u.id,
                                date=d,
                                shift=s.id,
                                skill=c.skill,
                            )
                        )
    # H7: floor capacity of every floor, day and shift.
    for (floor_id, di, shift_id), n in sorted(floor_wfo.items()):
        capacity = floors[floor_id].capacity
        if n > capacity:
            out.append(
                Violation(
                    "H7",
                    f"floor {floor_id}: {n} on site in shift {shift_id} on {days[di]}, "
                    f"above the capacity of {capacity}",
                    floor=floor_id,
                    date=days[di],
                    shift=shift_id,
                )
            )

    terms = {
        "mixing": sum(len(g) - 1 for g in groups.values() if g),
        "fairness": _fairness(problem, days, wfo_days),
        "changes": changes,
        "underuse": sum(
            max(0, units[u_id].target_count(len(members[u_id])) - unit_wfo[u_id, di])
            for u_id in units
            for di in range(nd)
        ),
    }
    total = weighted_total(problem, terms)
    _compare_objective(plan, terms, total, out)
    return CheckReport(
        ok=not out, violations=out, terms=terms, total=total, claimed=dict(plan.objective), bound=plan.bound
    )


def _check_infeasible(plan: Plan) -> CheckReport:
    out = []
    if plan.assignments:
        out.append(
            Violation("status", f"an infeasible plan has {len(plan.assignments)} assignments; it must have none")
        )
    if not plan.explanation:
        out.append(Violation("status", "an infeasible plan must explain why, but its explanation is empty"))
    return CheckReport(ok=not out, violations=out, claimed=dict(plan.objective), bound=plan.bound)


def _unavailable_indices(e: Employee, days: list[dt.date]) -> set[int]:
    if not e.unavailable:
        return set()
    return {i for i, d in enumerate(days) if e.is_unavailable(d)}


def _previous_grid(
    problem: Problem, emp_index: dict[str, int], day_index: dict[dt.date, int], nd: int
) -> list[Assignment | None] | None:
    if problem.previous_plan is None:
        return None
    grid: list[Assignment | None] = [None] * (len(emp_index) * nd)
    for a in problem.previous_plan.assignments:
        ei, di = emp_index.get(a.employee), day_index.get(a.date)
        if ei is not None and di is not None and grid[ei * nd + di] is None:
            grid[ei * nd + di] = a
    return grid


def _check_cohorts(problem: Problem, plan: Plan, out: list[Violation]) -> dict[str, str]:
    """H8; returns the cohort of every employee placed in one of their own unit's cohorts (first one)."""
    units = {u.id: u for u in problem.units}
    unit_of = {e.id: e.unit for e in problem.employees}
    cohort_of: dict[str, str] = {}
    places: dict[str, list[str]] = {}
    for unit_id in sorted(plan.cohorts):
        cohorts = plan.cohorts[unit_id]
        if unit_id not in units:
            out.append(Violation("H8", f"cohorts name unknown unit {unit_id!r}", unit=unit_id))
            continue
        limit = units[unit_id].cohorts
        if len(cohorts) > limit:
            out.append(
                Violation("H8", f"unit {unit_id} has {len(cohorts)} cohorts, more than its {limit}", unit=unit_id)
            )
        for name, ids in cohorts.items():
            if not isinstance(ids, list):
                out.append(Violation("H8", f"cohort {name} of unit {unit_id} is not a list of employees", unit=unit_id))
                continue
            for employee_id in ids:
                other = unit_of.get(employee_id) if isinstance(employee_id, str) else None
                if other is None:
                    out.append(
                        Violation(
                            "H8",
                            f"cohort {name} of unit {unit_id} names unknown employee {employee_id!r}",
                            unit=unit_id,
                            employee=employee_id,
                        )
                    )
                elif other != unit_id:
                    out.append(
                        Violation(
                            "H8",
                            f"cohort {name} of unit {unit_id} names {employee_id}, who belongs to unit {other}",
                            unit=unit_id,
                            employee=employee_id,
                        )
                    )
                else:
                    places.setdefault(employee_id, []).append(name)
                    cohort_of.setdefault(employee_id, name)
    for e in problem.employees:
        names = places.get(e.id, [])
        if not names:
            out.append(Violation("H8", f"{e.id} of unit {e.unit} is in no cohort", unit=e.unit, employee=e.id))
        elif len(names) > 1:
            out.append(
                Violation(
                    "H8",
                    f"{e.id} of unit {e.unit} is in {len(names)} cohorts ({', '.join(names)}); exactly one is needed",
                    unit=e.unit,
                    employee=e.id,
                )
            )
    if problem.previous_plan is not None:
        for u in problem.units:
            before = problem.previous_plan.cohorts.get(u.id)
            if before is None or len(before) != u.cohorts:
                continue
            moved = sorted(
                employee_id
                for name, ids in before.items()
                if isinstance(ids, list)
                for employee_id in ids
                if isinstance(employee_id, str)
                and unit_of.get(employee_id) == u.id
                and cohort_of.get(employee_id, name) != name
            )
            if moved:
                out.append(
                    Violation(
                        "H8",
                        f"unit {u.id} kept its {u.cohorts} cohorts, but {', '.join(moved)} moved to another cohort",
                        unit=u.id,
                    )
                )
    return cohort_of


def _fairness(problem: Problem, days: list[dt.date], wfo_days: list[int]) -> int:
    by_unit: dict[str, list[int]] = {}
    for ei, e in enumerate(problem.employees):
        if e.mode != "flexible" or (e.unavailable and any(e.is_unavailable(d) for d in days)):
            continue
        by_unit.setdefault(e.unit, []).append(wfo_days[ei])
    return sum(max(counts) - min(counts) for counts in by_unit.values() if len(counts) >= 2)


def _same(claimed: object, value: float) -> bool:
    if isinstance(claimed, bool) or not isinstance(claimed, int | float):
        return False
    return math.isclose(claimed, value, rel_tol=1e-9, abs_tol=1e-9)


def _compare_objective(plan: Plan, terms: dict[str, int], total: float, out: list[Violation]) -> None:
    for name, value in [*terms.items(), ("total", total)]:
        if name not in plan.objective:
            out.append(Violation("objective", f"objective.{name} is missing; the plan gives {value}"))
        elif not _same(plan.objective[name], value):
            out.append(
                Violation("objective", f"objective.{name} is {plan.objective[name]!r}, but the plan gives {value}")
            )
    bound = plan.bound
    if bound is not None:
        if isinstance(bound, bool) or not isinstance(bound, int | float):
            out.append(Violation("bound", f"bound {bound!r} is not a number"))
        elif bound > total + 1e-9 * max(1.0, abs(total)):
            out.append(Violation("bound", f"bound {bound} is above the total {total}"))
