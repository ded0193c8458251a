"""The roster engine against the independent checker, on random small problems and hand-made ones."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
from typing import Any
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from siaga.engines.roster import solve as solve_module
from siaga.engines.roster.baselines import monolithic, naive_alternation
from siaga.engines.roster.check import check
from siaga.engines.roster.solve import Progress, solve
from siaga.engines.roster.tests.builders import (
    D1,
    D2,
    D3,
    replanning_problem_dict,
    small_problem,
    small_problem_dict,
)
from siaga.engines.roster.types import Unavailable, parse_problem, plan_to_dict

MONDAY = dt.date(2026, 12, 7)


@st.composite
def problems(draw: st.DrawFn) -> dict[str, Any]:
    """A small random problem: 1–3 floors, 1–3 units, up to 9 employees, 2–4 days, 1–2 shifts."""
    n_floors = draw(st.integers(1, 3))
    floors = [{"id": f"f{i}", "building": "b", "capacity": draw(st.integers(1, 10))} for i in range(n_floors)]
    n_units = draw(st.integers(1, 3))
    skills = ["front_office", "signer"]
    units = []
    for i in range(n_units):
        cap = draw(st.sampled_from([0.5, 0.75, 1.0]))
        coverage = [{"skill": s, "min": draw(st.integers(1, 2))} for s in skills if draw(st.integers(0, 3)) == 0]
        units.append(
            {
                "id": f"u{i}",
                "floor": f"f{draw(st.integers(0, n_floors - 1))}",
                "wfo_cap": cap,
                "wfo_target": draw(st.sampled_from([0.0, cap / 2, cap])),
                "cohorts": draw(st.integers(1, 3)),
                "coverage": coverage,
            }
        )
    n_days = draw(st.integers(2, 4))
    employees = []
    for i in range(draw(st.integers(1, 9))):
        unavailable = []
        if draw(st.integers(0, 3)) == 0:
            first = draw(st.integers(0, n_days - 1))
            last = draw(st.integers(first, n_days - 1))
            unavailable.append(
                {
                    "start": (MONDAY + dt.timedelta(days=first)).isoformat(),
                    "end": (MONDAY + dt.timedelta(days=last)).isoformat(),
                    "reason": draw(st.sampled_from(["isolation", "quarantine", "leave", "travel"])),
                }
            )
        employees.append(
            {
                "id": f"e{i}",
                "unit": f"u{draw(st.integers(0, n_units - 1))}",
                "skills": draw(st.lists(st.sampled_from(skills), unique=True, max_size=2)),
                "floor": draw(st.one_of(st.none(), st.sampled_from([f["id"] for f in floors]))),
                "mode": draw(st.sampled_from(["flexible"] * 8 + ["always_wfo", "always_wfh"])),
                "unavailable": unavailable,
            }
        )
    shifts = [{"id": "pagi", "start": "07:30", "end": "11:30"}, {"id": "siang", "start": "13:00", "end": "16:00"}]
    return {
        "format": "siaga-roster-problem/1",
        "period": {"start": MONDAY.isoformat(), "end": (MONDAY + dt.timedelta(days=n_days - 1)).isoformat()},
        "shifts": shifts[: draw(st.integers(1, 2))],
        "floors": floors,
        "units": units,
        "employees": employees,
        "weights": {"mixing": 10, "fairness": 3, "change": 5, "underuse": 1},
    }


FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(problems())
def test_every_plan_passes_the_checker_and_every_refusal_is_explained(data: dict[str, Any]) -> None:
    problem = parse_problem(data)
    plan = solve(problem, time_limit=2.0, workers=1)
    report = check(problem, plan)
    assert report.ok, report.violations
    if plan.status == "infeasible":
        assert plan.explanation
        assert plan.assignments == []
        # the employee-level model agrees that no plan exists
        baseline = monolithic(problem, time_limit=2.0, workers=1)
        assert baseline is not None and baseline.status == "infeasible"
    else:
        assert len(plan.assignments) == len(problem.employees) * len(problem.days)
        if plan.status == "optimal":
            assert plan.bound == plan.objective["total"]


@FAST
@given(problems())
def test_the_cohort_group_model_is_feasible_exactly_when_the_employee_model_is(data: dict[str, Any]) -> None:
    # the regency-scale path (plain staff rotate in groups) on small problems, against the exact path
    problem = parse_problem(data)
    with mock.patch.object(solve_module, "EXACT_LIMIT", 0):
        grouped = solve(problem, time_limit=2.0, workers=1)
    report = check(problem, grouped)
    assert report.ok, report.violations
    exact = solve(problem, time_limit=2.0, workers=1)
    assert (grouped.status == "infeasible") == (exact.status == "infeasible")
    if grouped.status != "infeasible":
        assert grouped.status == "feasible" or grouped.bound == grouped.objective["total"]
        assert grouped.bound is not None and grouped.bound <= exact.objective["total"]


@FAST
@given(problems(), st.integers(0, 3))
def test_replanning_keeps_frozen_days_and_passes_the_checker(data: dict[str, Any], isolated: int) -> None:
    problem = parse_problem(data)
    first = solve(problem, time_limit=2.0, workers=1)
    if first.status == "infeasible":
        return
    again = copy.deepcopy(data)
    again["previous_plan"] = plan_to_dict(first)
    again["frozen_until"] = MONDAY.isoformat()
    if again["employees"] and isolated:
        person = again["employees"][isolated % len(again["employees"])]
        person["unavailable"] = [{"start": MONDAY.isoformat(), "end": MONDAY.isoformat(), "reason": "isolation"}]
    replanned = parse_problem(again)
    plan = solve(replanned, time_limit=2.0, workers=1)
    report = check(replanned, plan)
    assert report.ok, report.violations


def _coverage_shortage_dict() -> dict[str, Any]:
    data = small_problem_dict()
    data["units"][0]["coverage"] = [{"skill": "front_office", "min": 2}]
    data["units"][0]["wfo_cap"] = 1.0
    data["units"][0]["wfo_target"] = 0.5
    data["floors"][0]["capacity"] = 10
    data["employees"].append({"id": "p7", "unit": "dpmptsp", "skills": ["front_office"]})
    # two of the three front-office holders are isolated on the 8th
    for person in data["employees"][:2]:
        person["unavailable"] = [{"start": D2, "end": D2, "reason": "isolation"}]
    return data


def test_a_coverage_shortage_names_unit_day_shift_and_skill() -> None:
    plan = solve(parse_problem(_coverage_shortage_dict()), time_limit=2.0, workers=1)
    assert plan.status == "infeasible"
    assert plan.assignments == []
    found = [(e.kind, e.unit, e.date, e.shift, e.skill, e.needed, e.possible) for e in plan.explanation]
    day = dt.date.fromisoformat(D2)
    assert found == [
        ("coverage", "dpmptsp", day, "pagi", "front_office", 2, 1),
        ("coverage", "dpmptsp", day, "siang", "front_office", 2, 1),
    ]
    assert plan.explanation[0].message == (
        "dpmptsp butuh 2 petugas front_office pada 8 Des shift pagi; hanya 1 tersedia karena 2 orang isolasi."
    )


def test_a_floor_too_small_for_coverage_and_an_always_wfo_post_is_explained_for_every_day() -> None:
    # f1 holds 1 per shift: p5 (always_wfo) takes a seat in one shift, where a front-office holder must sit too
    data = small_problem_dict()
    data["floors"][0]["capacity"] = 1
    data["employees"][7]["floor"] = None  # b2 back on f2
    plan = solve(parse_problem(data), time_limit=2.0, workers=1)
    assert plan.status == "infeasible"
    days = sorted({e.date for e in plan.explanation if e.date is not None})
    assert [d.isoformat() for d in days] == [D1, D2, D3, "2026-12-11"]
    for e in plan.explanation:
        assert (e.kind, e.floor) == ("capacity", "f1") or (e.kind, e.unit, e.skill) == (
            "coverage",
            "dpmptsp",
            "front_office",
        )


def test_the_cap_is_named_when_coverage_needs_more_people_than_it_allows() -> None:
    data = small_problem_dict()
    data["units"][0]["coverage"] = [{"skill": "front_office", "min": 2}]
    data["units"][0]["wfo_cap"] = 0.5  # ⌊0.5 · 6⌋ = 3 < 2 per shift × 2 shifts
    data["floors"][0]["capacity"] = 10
    data["employees"][2]["skills"] = ["front_office"]
    data["employees"][5]["skills"] = ["front_office"]
    plan = solve(parse_problem(data), time_limit=2.0, workers=1)
    assert plan.status == "infeasible"
    caps = [(e.unit, e.date, e.needed, e.possible) for e in plan.explanation if e.kind == "cap"]
    assert caps == [("dpmptsp", dt.date.fromisoformat(d), 4, 3) for d in (D1, D2, D3, "2026-12-11")]


def test_an_infeasibility_found_by_the_search_is_still_explained() -> None:
    # p1 covered the front office on the frozen 7th; now p1 is isolated that day, and p2 is frozen at home
    data = replanning_problem_dict()
    data["employees"][0]["unavailable"] = [{"start": D1, "end": D1, "reason": "isolation"}]
    data["previous_plan"]["assignments"] = [
        a if not (a["employee"] == "p2" and a["date"] == D1) else {"employee": "p2", "date": D1, "mode": "wfh"}
        for a in data["previous_plan"]["assignments"]
    ]
    plan = solve(parse_problem(data), time_limit=2.0, workers=1)
    assert plan.status == "infeasible"
    found = {(e.kind, e.unit, e.date, e.shift, e.skill, e.needed, e.possible) for e in plan.explanation}
    day = dt.date.fromisoformat(D1)
    assert ("coverage", "dpmptsp", day, "pagi", "front_office", 1, 0) in found
    assert ("coverage", "dpmptsp", day, "siang", "front_office", 1, 0) in found
    assert all(e.message for e in plan.explanation)


def test_replanning_changes_only_what_two_new_absences_force() -> None:
    problem = small_problem()
    problem = dataclasses.replace(problem, weights={"mixing": 10, "fairness": 3, "change": 100, "underuse": 1})
    first = solve(problem, time_limit=2.0, workers=1)
    assert first.status != "infeasible"
    frozen = dt.date.fromisoformat(D1)
    sick = {"p3", "b3"}  # plain staff: no coverage depends on them
    staff = tuple(
        dataclasses.replace(e, unavailable=(Unavailable(dt.date.fromisoformat(D2), problem.end, "isolation"),))
        if e.id in sick
        else e
        for e in problem.employees
    )
    again = dataclasses.replace(problem, employees=staff, previous_plan=first, frozen_until=frozen)
    forced = sum(1 for a in first.assignments if a.employee in sick and a.date > frozen and a.mode != "off")
    plan = solve(again, time_limit=2.0, workers=1)
    assert check(again, plan).ok
    assert plan.objective["changes"] <= forced
    before = {(a.employee, a.date): a for a in first.assignments}
    for a in plan.assignments:
        if a.date <= frozen:
            assert a == before[a.employee, a.date]


def test_the_same_seed_with_one_worker_gives_the_same_plan() -> None:
    problem = parse_problem(replanning_problem_dict())
    one = solve(problem, time_limit=2.0, workers=1, seed=7)
    two = solve(problem, time_limit=2.0, workers=1, seed=7)
    assert one.assignments == two.assignments
    assert one.cohorts == two.cohorts
    assert one.objective == two.objective


def test_progress_is_reported_and_a_cancelled_search_returns_a_checked_plan() -> None:
    problem = small_problem()
    seen: list[Progress] = []
    plan = solve(problem, time_limit=2.0, workers=1, on_progress=seen.append)
    assert seen and seen[-1].done and seen[-1].total == plan.objective["total"]
    cancelled = solve(problem, time_limit=2.0, workers=2, should_stop=lambda: True)
    assert cancelled.status == "feasible"
    assert check(problem, cancelled).ok


def test_the_baselines_give_a_full_grid_and_the_monolithic_one_passes_the_checker() -> None:
    problem = small_problem()
    naive = naive_alternation(problem)
    assert len(naive.assignments) == len(problem.employees) * len(problem.days)
    assert not check(problem, naive).ok  # ignoring the cap and coverage breaks them here
    exact = monolithic(problem, time_limit=2.0, workers=1)
    assert exact is not None and check(problem, exact).ok
    assert exact.objective["total"] == solve(problem, time_limit=2.0, workers=1).objective["total"]
