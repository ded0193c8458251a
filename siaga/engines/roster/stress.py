"""How many random absences a plan survives before a public service loses its minimum staff (H6).

Each trial shuffles the employees (a seeded ``random.Random``) and takes them away one at a time for the
whole period, as if they fell ill the day before it starts, until some unit's coverage of a skill in
some shift of some day falls below its minimum. A trial records how many absences the plan survived and
which (unit, skill) broke first. The services that break first most often are the weakest.
"""

from __future__ import annotations

import math
import random
import statistics
from dataclasses import dataclass, field

from siaga.engines.roster.types import Plan, Problem


@dataclass(frozen=True)
class ServiceStress:
    """One coverage rule's service, (unit, skill): how many trials it was the first to break."""

    unit: str
    skill: str
    broken_first: int
    min_survived: int | None = None


@dataclass
class StressReport:
    trials: int
    seed: int
    survived: list[int] = field(default_factory=list)
    broken: list[tuple[str, str] | None] = field(default_factory=list)
    services: list[ServiceStress] = field(default_factory=list)

    @property
    def min(self) -> int:
        return min(self.survived)

    @property
    def median(self) -> float:
        return statistics.median(self.survived)

    @property
    def p90(self) -> int:
        """The 90th percentile (nearest rank) of the absences survived."""
        ordered = sorted(self.survived)
        return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]

    @property
    def never_broken(self) -> int:
        return sum(1 for b in self.broken if b is None)


def stress(problem: Problem, plan: Plan, *, trials: int = 200, seed: int = 0) -> StressReport:
    """Run ``trials`` random absence orders on ``plan``; deterministic for a given ``seed``."""
    if trials < 1:
        raise ValueError("trials must be at least 1")
    days = {d: i for i, d in enumerate(problem.days)}
    shifts = {s.id for s in problem.shifts}
    unit_of = {e.id: e.unit for e in problem.employees}
    skills_of = {e.id: e.skills for e in problem.employees}
    # One slot per (unit, skill, day, shift) with its minimum and the plan's count of on-site holders.
    strictest: dict[tuple[str, str], int] = {}
    for u in problem.units:
        for c in u.coverage:
            if c.min > 0:
                strictest[u.id, c.skill] = max(c.min, strictest.get((u.id, c.skill), 0))
    rules = [(unit_id, skill, least) for (unit_id, skill), least in strictest.items()]
    slot: dict[tuple[str, str, int, str], int] = {}
    minimum: list[int] = []
    service: list[tuple[str, str]] = []
    for unit_id, skill, least in rules:
        for di in range(len(days)):
            for s in problem.shifts:
                slot[unit_id, skill, di, s.id] = len(minimum)
                minimum.append(least)
                service.append((unit_id, skill))
    start = [0] * len(minimum)
    holds: dict[str, list[int]] = {}
    seen: set[tuple[str, object]] = set()
    for a in plan.assignments:
        if (a.employee, a.date) in seen:
            continue  # a second assignment on one day breaks H1; like ``check``, the first one counts
        seen.add((a.employee, a.date))
        if a.mode != "wfo" or not isinstance(a.shift, str) or a.shift not in shifts:
            continue
        if a.date not in days or a.employee not in unit_of:
            continue
        unit_id = unit_of[a.employee]
        for skill in skills_of[a.employee]:
            k = slot.get((unit_id, skill, days[a.date], a.shift))
            if k is not None:
                start[k] += 1
                holds.setdefault(a.employee, []).append(k)
    already = next((k for k in range(len(minimum)) if start[k] < minimum[k]), None)

    rng = random.Random(seed)
    order = [e.id for e in problem.employees]
    survived: list[int] = []
    broken: list[tuple[str, str] | None] = []
    for _ in range(trials):
        rng.shuffle(order)
        if already is not None:
            survived.append(0)
            broken.append(service[already])
            continue
        count = start.copy()
        result: tuple[int, tuple[str, str] | None] = (len(order), None)
        for absent, employee_id in enumerate(order):
            hit = None
            for k in holds.get(employee_id, ()):
                count[k] -= 1
                if hit is None and count[k] < minimum[k]:
                    hit = k
            if hit is not None:
                result = (absent, service[hit])
                break
        survived.append(result[0])
        broken.append(result[1])

    tally: dict[tuple[str, str], list[int]] = {(u, s): [] for u, s, _ in rules}
    for n, b in zip(survived, broken, strict=True):
        if b is not None:
            tally[b].append(n)
    services = [
        ServiceStress(unit_id, skill, len(ns), min(ns) if ns else None) for (unit_id, skill), ns in tally.items()
    ]
    services.sort(key=lambda s: (-s.broken_first, s.min_survived if s.min_survived is not None else 1 << 62))
    return StressReport(trials=trials, seed=seed, survived=survived, broken=broken, services=services)
