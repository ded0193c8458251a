"""solve_parallel: independent buildings solved in separate processes and merged into one plan."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from siaga.engines.roster.check import check
from siaga.engines.roster.parallel import PartReport, solve_parallel, split
from siaga.engines.roster.solve import components, solve
from siaga.engines.roster.types import Coverage, Employee, Floor, Problem, Shift, Unavailable, Unit

START = dt.date(2026, 12, 7)  # Monday
END = dt.date(2026, 12, 10)


def multi_building(buildings: int = 3, coverage_min: int = 1) -> Problem:
    """``buildings`` buildings, each with two floors and three units (two of them sharing a floor, one with
    a front office), 8–12 employees per unit, a few always_wfo/always_wfh/unavailable members."""
    floors: list[Floor] = []
    units: list[Unit] = []
    staff: list[Employee] = []
    for b in range(buildings):
        f1, f2 = f"b{b}-1", f"b{b}-2"
        floors += [Floor(f1, f"b{b}", 8 + b), Floor(f2, f"b{b}", 5)]
        for k, floor in enumerate((f1, f1, f2)):
            coverage = (Coverage("front_office", coverage_min),) if k == 0 else ()
            unit = Unit(f"b{b}-u{k}", floor, 0.5, 0.5, cohorts=2, coverage=coverage)
            units.append(unit)
            for n in range(8 + k + b):
                mode = "always_wfo" if n == 0 else "always_wfh" if n == 1 else "flexible"
                skills = frozenset({"front_office"}) if k == 0 and n in (2, 3, 4) else frozenset()
                away = (Unavailable(START + dt.timedelta(days=1), START + dt.timedelta(days=2), "leave"),)
                staff.append(Employee(f"e{b}{k}{n:02d}", unit.id, skills, None, mode, away if n == 5 else ()))
    return Problem(
        name="Provinsi Uji",
        start=START,
        end=END,
        shifts=(Shift("pagi", dt.time(7, 30), dt.time(11, 30)), Shift("siang", dt.time(13), dt.time(16))),
        floors=tuple(floors),
        units=tuple(units),
        employees=tuple(staff),
    )


def test_split_keeps_components_whole_and_balances() -> None:
    problem = multi_building(4)
    assert len(components(problem)) == 8
    parts = split(problem, 2)
    assert len(parts) == 2
    assert sorted(e.id for p in parts for e in p.employees) == sorted(e.id for e in problem.employees)
    sizes = [len(p.employees) for p in parts]
    assert max(sizes) - min(sizes) <= 15
    for part in parts:
        floors = {f.id for f in part.floors}
        assert all(part.floor_of(e) in floors for e in part.employees)
    assert len(split(problem, 100)) == 8


def test_merged_plan_is_checked_and_equals_its_parts() -> None:
    problem = multi_building(3)
    reports: list[PartReport] = []
    plan = solve_parallel(problem, time_limit=20, processes=2, seed=3, on_part=reports.append)
    report = check(problem, plan)
    assert report.ok, report.violations[:5]
    assert len(plan.assignments) == len(problem.employees) * len(problem.days)
    assert set(plan.cohorts) == {u.id for u in problem.units}
    parts = [solve(part, time_limit=20, workers=1, seed=3) for part in split(problem, 2)]
    assert plan.objective["total"] == sum(p.objective["total"] for p in parts)
    for term in ("mixing", "fairness", "changes", "underuse"):
        assert plan.objective[term] == sum(p.objective[term] for p in parts)
    assert plan.bound == sum(float(p.bound or 0) for p in parts)
    expected = "optimal" if all(p.status == "optimal" for p in parts) else "feasible"
    assert plan.status == expected
    assert [r.status for r in reports] == [p.status for p in parts]
    assert sum(r.employees for r in reports) == len(problem.employees)


def test_one_process_and_determinism() -> None:
    problem = multi_building(3)
    one = solve_parallel(problem, time_limit=20, processes=1, seed=5)
    assert check(problem, one).ok
    again = solve_parallel(problem, time_limit=20, processes=1, seed=5)
    two = solve_parallel(problem, time_limit=20, processes=2, seed=5)
    assert again.assignments == one.assignments and again.objective == one.objective
    assert check(problem, two).ok
    assert two.assignments == solve_parallel(problem, time_limit=20, processes=2, seed=5).assignments


def test_replanning_is_split_with_the_previous_plan() -> None:
    problem = multi_building(2)
    first = solve_parallel(problem, time_limit=20, processes=2, seed=1)
    sick = {"e0007", "e1108"}
    staff = tuple(
        dataclasses.replace(e, unavailable=(Unavailable(START + dt.timedelta(days=2), END, "isolation"),))
        if e.id in sick
        else e
        for e in problem.employees
    )
    again = dataclasses.replace(
        problem, employees=staff, previous_plan=first, frozen_until=START + dt.timedelta(days=1)
    )
    plan = solve_parallel(again, time_limit=20, processes=2, seed=1)
    assert check(again, plan).ok
    assert plan.cohorts == first.cohorts
    assert plan.objective["changes"] >= 4  # the two isolated employees' last two days at least


@pytest.mark.parametrize("processes", [1, 2])
def test_infeasible_part_makes_the_plan_infeasible_with_every_reason(processes: int) -> None:
    problem = multi_building(2)
    # both front offices need more holders than they have (three each, one shift each at most)
    units = tuple(
        dataclasses.replace(u, coverage=(Coverage("front_office", 4),)) if u.coverage else u for u in problem.units
    )
    plan = solve_parallel(dataclasses.replace(problem, units=units), time_limit=10, processes=processes)
    assert plan.status == "infeasible"
    assert not plan.assignments
    assert {r.unit for r in plan.explanation} >= {"b0-u0", "b1-u0"}
