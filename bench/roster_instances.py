"""Deterministic roster problems for benchmarks: a regency-scale instance and its replanning variant."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import random

from siaga.engines.roster.types import (
    Coverage,
    Employee,
    Floor,
    Plan,
    Problem,
    Shift,
    Unavailable,
    Unit,
)

REASONS = ("isolation", "quarantine", "leave", "travel")


def regency_instance(
    seed: int = 0,
    employees: int = 7000,
    units: int = 40,
    floors: int = 16,
    shifts: int = 2,
    start: dt.date = dt.date(2026, 11, 2),
    end: dt.date = dt.date(2026, 11, 30),
    service_units: int = 10,
    cap: float = 0.5,
    cohorts: int = 2,
    capacity_share: float = 0.35,
    mobile_share: float = 0.003,
) -> Problem:
    """A regency government: ``units`` units of uneven size on ``floors`` floors in four buildings, the
    first ``service_units`` with coverage rules; the default period has 21 working days.

    About 2 % of staff are ``always_wfo`` (echelon II/III), 5 % ``always_wfh``, 10 % have an absence of
    3–10 days; a few (``mobile_share``) sit on another floor of the same building. A floor holds
    ``capacity_share`` of the staff seated there in one shift.
    """
    rng = random.Random(seed)
    floor_ids = [f"g{b + 1}-{n + 1}" for b in range(4) for n in range(math.ceil(floors / 4))][:floors]
    weights = [rng.uniform(0.4, 1.6) for _ in range(units)]
    sizes = [max(8, int(employees * w / sum(weights))) for w in weights]
    sizes[-1] += employees - sum(sizes)
    unit_list: list[Unit] = []
    for i in range(units):
        coverage: tuple[Coverage, ...] = ()
        if i < service_units:
            coverage = (Coverage("front_office", rng.choice((2, 3, 4))), Coverage("signer", 1))
        unit_list.append(Unit(f"unit-{i + 1:02d}", floor_ids[i % floors], cap, cap, cohorts=cohorts, coverage=coverage))
    days = [start + dt.timedelta(days=k) for k in range((end - start).days + 1)]
    staff: list[Employee] = []
    number = 0
    for unit, size in zip(unit_list, sizes, strict=True):
        building = unit.floor.split("-")[0]
        same_building = [f for f in floor_ids if f.startswith(building + "-") and f != unit.floor]
        for _ in range(size):
            number += 1
            roll = rng.random()
            mode = "always_wfo" if roll < 0.02 else "always_wfh" if roll < 0.07 else "flexible"
            skills = set()
            if unit.coverage:
                if rng.random() < 0.15:
                    skills.add("front_office")
                if rng.random() < 0.04:
                    skills.add("signer")
            unavailable: tuple[Unavailable, ...] = ()
            if rng.random() < 0.10:
                first = rng.choice(days)
                unavailable = (Unavailable(first, first + dt.timedelta(days=rng.randint(2, 9)), rng.choice(REASONS)),)
            floor = rng.choice(same_building) if same_building and rng.random() < mobile_share else None
            staff.append(Employee(f"19800101{number:010d}", unit.id, frozenset(skills), floor, mode, unavailable))
    seated: dict[str, int] = dict.fromkeys(floor_ids, 0)
    for e in staff:
        floor = e.floor or next(u.floor for u in unit_list if u.id == e.unit)
        seated[floor] += 1
    floor_list = [Floor(f, f.split("-")[0], max(4, math.ceil(capacity_share * seated[f]))) for f in floor_ids]
    return Problem(
        name=f"Kabupaten Sintetis {seed}",
        start=start,
        end=end,
        shifts=tuple(
            Shift(sid, dt.time(7 + 5 * k, 30), dt.time(11 + 5 * k, 0))
            for k, sid in enumerate(("pagi", "siang", "malam")[:shifts])
        ),
        floors=tuple(floor_list),
        units=tuple(unit_list),
        employees=tuple(staff),
    )


def replanning_instance(
    problem: Problem, plan: Plan, *, frozen_until: dt.date, newly_unavailable: int = 20, seed: int = 0
) -> tuple[Problem, int]:
    """``problem`` replanned after ``frozen_until`` with ``newly_unavailable`` flexible staff isolated
    for the rest of the period; returns the problem and the number of changes this forces (their WFO or
    WFH days after ``frozen_until`` that become ``off``)."""
    rng = random.Random(seed)
    flexible = [i for i, e in enumerate(problem.employees) if e.mode == "flexible" and not e.unavailable]
    chosen = set(rng.sample(flexible, min(newly_unavailable, len(flexible))))
    rest = frozen_until + dt.timedelta(days=1)
    staff = list(problem.employees)
    for i in chosen:
        staff[i] = dataclasses.replace(staff[i], unavailable=(Unavailable(rest, problem.end, "isolation"),))
    forced = sum(1 for d in problem.days if d > frozen_until) * len(chosen)
    return (
        dataclasses.replace(problem, employees=tuple(staff), previous_plan=plan, frozen_until=frozen_until),
        forced,
    )


def province_instance(
    seed: int = 0,
    employees: int = 50_000,
    governments: int = 7,
    start: dt.date = dt.date(2026, 11, 2),
    end: dt.date = dt.date(2026, 11, 30),
) -> Problem:
    """A province: ``governments`` regency-like governments (``regency_instance`` with seeds ``seed``,
    ``seed + 1``, …) of uneven size, each in its own four buildings, so that they do not interact; unit,
    floor, building and employee ids are prefixed with the government's number. Every coverage rule gets
    at least 2 · min · |S| + 2 holders who may come in (fully available flexible staff take the skill),
    so that no government is infeasible by the luck of the draw."""
    rng = random.Random(seed)
    weights = [rng.uniform(0.6, 1.4) for _ in range(governments)]
    sizes = [max(400, int(employees * w / sum(weights))) for w in weights]
    sizes[-1] += employees - sum(sizes)
    floors: list[Floor] = []
    units: list[Unit] = []
    staff: list[Employee] = []
    for k, size in enumerate(sizes):
        tag = f"k{k + 1:02d}"
        part = regency_instance(
            seed=seed + k,
            employees=size,
            units=max(10, round(40 * size / 7000)),
            floors=max(4, round(16 * size / 7000)),
            start=start,
            end=end,
        )
        floors.extend(dataclasses.replace(f, id=f"{tag}-{f.id}", building=f"{tag}-{f.building}") for f in part.floors)
        units.extend(dataclasses.replace(u, id=f"{tag}-{u.id}", floor=f"{tag}-{u.floor}") for u in part.units)
        people = _enough_holders(part)
        staff.extend(
            dataclasses.replace(
                e,
                id=f"{k + 1:02d}{e.id}",
                unit=f"{tag}-{e.unit}",
                floor=None if e.floor is None else f"{tag}-{e.floor}",
            )
            for e in people
        )
    template = regency_instance(seed=seed, employees=8, units=1, floors=1, start=start, end=end)
    return dataclasses.replace(
        template,
        name=f"Provinsi Sintetis {seed}",
        floors=tuple(floors),
        units=tuple(units),
        employees=tuple(staff),
    )


def _enough_holders(problem: Problem) -> list[Employee]:
    """The employees of ``problem``, with fully available flexible staff given a coverage skill where a
    unit has fewer than 2 · min · |S| + 2 holders of it who may come in."""
    staff = list(problem.employees)
    for unit in problem.units:
        mine = [i for i, e in enumerate(staff) if e.unit == unit.id]
        for rule in unit.coverage:
            need = 2 * rule.min * len(problem.shifts) + 2
            have = sum(1 for i in mine if rule.skill in staff[i].skills and staff[i].mode != "always_wfh")
            for i in mine:
                if have >= need:
                    break
                e = staff[i]
                if e.mode == "flexible" and not e.unavailable and rule.skill not in e.skills:
                    staff[i] = dataclasses.replace(e, skills=e.skills | {rule.skill})
                    have += 1
    return staff
