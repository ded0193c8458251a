"""The constructive plan (rotation.py): every grid it returns is a feasible plan, and the engine falls back
on it when the search finds nothing in its share of time."""

from __future__ import annotations

from typing import Any
from unittest import mock

from hypothesis import given
from ortools.sat.python import cp_model

from siaga.engines.roster import solve as solve_module
from siaga.engines.roster.check import check
from siaga.engines.roster.cohorts import form_cohorts
from siaga.engines.roster.rotation import rotation_grid
from siaga.engines.roster.solve import Progress, _Data, components, plan_from_grid, solve
from siaga.engines.roster.tests.builders import small_problem
from siaga.engines.roster.tests.test_solve import FAST, problems
from siaga.engines.roster.types import parse_problem


@FAST
@given(problems())
def test_every_constructed_plan_passes_the_checker(data: dict[str, Any]) -> None:
    problem = parse_problem(data)
    cohorts = form_cohorts(problem)
    prepared = _Data(problem, cohorts)
    grid: dict = {}
    for units, _ in components(problem):
        part = rotation_grid(prepared, units)
        if part is None:
            return
        grid.update(part)
    plan = plan_from_grid(problem, grid, cohorts, None, False, 0.0)
    report = check(problem, plan)
    assert report.ok, report.violations


def test_the_small_problem_is_constructed_feasible_and_fair() -> None:
    problem = small_problem()
    cohorts = form_cohorts(problem)
    prepared = _Data(problem, cohorts)
    grid = rotation_grid(prepared, [u.id for u in problem.units], split=True)
    assert grid is not None
    plan = plan_from_grid(problem, grid, cohorts, None, False, 0.0)
    assert check(problem, plan).ok
    # bappeda (one cohort, cap 2 of 4) takes turns: every member is on site on 2 of the 4 days
    on_site = {
        e: sum(1 for a in plan.assignments if a.employee == e and a.mode == "wfo") for e in ("b1", "b2", "b3", "b4")
    }
    assert on_site == {"b1": 2, "b2": 2, "b3": 2, "b4": 2}
    # dpmptsp needs a front-office holder in both shifts every day: p1 and p2 (one in each cohort) both come
    for day in range(len(problem.days)):
        assert {grid["p1", day], grid["p2", day]} == {("wfo", "pagi"), ("wfo", "siang")}


def test_a_search_that_finds_nothing_returns_the_constructed_plan() -> None:
    problem = small_problem()
    seen: list[Progress] = []
    # grouped (the regency-scale path), and the search finds nothing
    with (
        mock.patch.object(solve_module, "EXACT_LIMIT", 0),
        mock.patch.object(solve_module, "_run", return_value=cp_model.UNKNOWN),
    ):
        plan = solve(problem, time_limit=2.0, workers=1, on_progress=seen.append)
    assert plan.status == "feasible"
    assert check(problem, plan).ok
    cohorts = form_cohorts(problem)
    grid = rotation_grid(_Data(problem, cohorts), [u.id for u in problem.units])
    assert grid is not None
    constructed = plan_from_grid(problem, grid, cohorts, None, False, 0.0)
    assert plan.objective["total"] == constructed.objective["total"]
    # the first report is the constructed plan, the last one the plan returned
    assert seen[0].total == constructed.objective["total"]
    assert seen[-1].done and seen[-1].total == plan.objective["total"]


def test_a_solve_out_of_time_before_its_search_keeps_the_constructed_plan() -> None:
    # the limit is spent before the search starts (as on a loaded machine): CP-SAT is not started, the
    # constructed plan is returned
    problem = small_problem()
    with (
        mock.patch.object(solve_module, "EXACT_LIMIT", 0),
        mock.patch.object(solve_module, "_run", side_effect=AssertionError("the search must not start")),
    ):
        plan = solve(problem, time_limit=0.0, workers=1)
    assert plan.status == "feasible"
    assert check(problem, plan).ok
