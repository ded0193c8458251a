"""The objective terms of a plan, recomputed from its assignments with the specification's formulas."""

from __future__ import annotations

import bisect
import datetime as dt
from collections import Counter
from collections.abc import Sequence
from typing import NamedTuple

from siaga.engines.roster.types import Assignment, Problem

WEIGHT_KEY = {"mixing": "mixing", "fairness": "fairness", "changes": "change", "underuse": "underuse"}


class Row(NamedTuple):
    """An assignment without the cost of building an ``Assignment`` (for progress reports)."""

    employee: str
    date: dt.date
    mode: str
    shift: str | None


def objective_terms(
    problem: Problem, assignments: Sequence[Assignment | Row], cohorts: dict[str, dict[str, list[str]]]
) -> dict[str, float]:
    """{"total", "mixing", "fairness", "changes", "underuse"}; total = Σ weight × term (an int when whole).

    mixing = Σ_{f,d,s} max(0, |{cohorts with someone on site}| − 1);
    fairness = Σ_u (max − min WFO days over flexible e ∈ E_u with no unavailable day in D);
    changes = |{(e, d) : d > frozen_until, previous assigned, (mode, shift) differs}|;
    underuse = Σ_{u,d} max(0, ⌊wfo_target_u · N_u⌋ − on-site members).
    """
    days = problem.days
    cohort_of = {e: (u, name) for u, teams in cohorts.items() for name, ids in teams.items() for e in ids}
    employees = {e.id: e for e in problem.employees}
    unit_floor = {u.id: u.floor for u in problem.units}
    seat = {e.id: e.floor or unit_floor[e.unit] for e in problem.employees}
    present: dict[tuple[str, object, str], set[tuple[str, str]]] = {}
    unit_wfo: Counter[tuple[str, object]] = Counter()
    wfo_days: Counter[str] = Counter()
    for a in assignments:
        if a.mode != "wfo" or a.shift is None:
            continue
        e = employees[a.employee]
        unit_wfo[e.unit, a.date] += 1
        wfo_days[e.id] += 1
        present.setdefault((seat[e.id], a.date, a.shift), set()).add(cohort_of[e.id])
    mixing = sum(max(0, len(c) - 1) for c in present.values())
    by_unit: dict[str, list[int]] = {}
    for e in problem.employees:
        # a range touches D when the first day of D on or after its start is on or before its end
        if e.mode == "flexible" and not any(
            (i := bisect.bisect_left(days, u.start)) < len(days) and days[i] <= u.end for u in e.unavailable
        ):
            by_unit.setdefault(e.unit, []).append(wfo_days[e.id])
    fairness = sum(max(v) - min(v) for v in by_unit.values() if v)
    changes = 0
    if problem.previous_plan is not None:
        before = {(a.employee, a.date): a for a in problem.previous_plan.assignments}
        for a in assignments:
            if problem.frozen_until is not None and a.date <= problem.frozen_until:
                continue
            p = before.get((a.employee, a.date))
            if p is not None and (p.mode, p.shift if p.mode == "wfo" else None) != (
                a.mode,
                a.shift if a.mode == "wfo" else None,
            ):
                changes += 1
    members = problem.members()
    underuse = sum(max(0, u.target_count(len(members[u.id])) - unit_wfo[u.id, d]) for u in problem.units for d in days)
    terms = {"mixing": mixing, "fairness": fairness, "changes": changes, "underuse": underuse}
    total = sum(problem.weights.get(WEIGHT_KEY[k], 0) * v for k, v in terms.items())
    return {"total": int(total) if float(total).is_integer() else total, **terms}
