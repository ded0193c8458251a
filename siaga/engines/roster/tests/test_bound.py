"""The aggregate lower bound (bound.py) against plans: it never exceeds the total of any feasible plan."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any
from unittest import mock

from hypothesis import given
from hypothesis import strategies as st

from siaga.engines.roster import solve as solve_module
from siaga.engines.roster.bound import aggregate_bound
from siaga.engines.roster.check import check
from siaga.engines.roster.cohorts import form_cohorts
from siaga.engines.roster.solve import _Data, _weights, components, solve, structural_bound
from siaga.engines.roster.tests.test_solve import FAST, MONDAY, problems
from siaga.engines.roster.types import Problem, parse_problem, plan_to_dict


def _bounds(problem: Problem) -> tuple[float, float]:
    """(aggregate, structural) summed over the components."""
    data = _Data(problem, form_cohorts(problem))
    weights, scale = _weights(problem)
    aggregate = structural = 0.0
    for units, floors in components(problem):
        aggregate += aggregate_bound(data, units, floors, weights, scale)
        structural += structural_bound(data, units, floors)
    return aggregate, structural


def _one_cohort(data: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(data)
    for unit in out["units"]:
        unit["cohorts"] = 1
    return out


@FAST
@given(problems())
def test_the_bound_never_exceeds_the_proven_optimum(data: dict[str, Any]) -> None:
    # with one cohort per unit the cohorts are forced, so the exact model's optimum is the optimum over
    # every feasible plan; the bound does not depend on the cohort count, so it must stay below it
    problem = parse_problem(_one_cohort(data))
    plan = solve(problem, time_limit=5.0, workers=1)
    if plan.status != "optimal":
        return
    aggregate, structural = _bounds(problem)
    assert aggregate <= plan.objective["total"] + 1e-9
    assert aggregate >= structural - 1e-9


@FAST
@given(problems())
def test_the_bound_never_exceeds_a_plan_the_engine_returns(data: dict[str, Any]) -> None:
    problem = parse_problem(data)
    plan = solve(problem, time_limit=2.0, workers=1)
    if plan.status == "infeasible":
        return
    aggregate, _ = _bounds(problem)
    assert aggregate <= plan.objective["total"] + 1e-9


@FAST
@given(problems(), st.integers(0, 8))
def test_the_bound_holds_when_replanning(data: dict[str, Any], isolated: int) -> None:
    problem = parse_problem(data)
    first = solve(problem, time_limit=2.0, workers=1)
    if first.status == "infeasible" or not data["employees"]:
        return
    again = copy.deepcopy(data)
    again["previous_plan"] = plan_to_dict(first)
    again["frozen_until"] = MONDAY.isoformat()
    person = again["employees"][isolated % len(again["employees"])]
    person["unavailable"] = [
        {"start": MONDAY.isoformat(), "end": (MONDAY + dt.timedelta(days=9)).isoformat(), "reason": "isolation"}
    ]
    replanned = parse_problem(again)
    plan = solve(replanned, time_limit=2.0, workers=1)
    if plan.status == "infeasible":
        return
    aggregate, _ = _bounds(replanned)
    assert aggregate <= plan.objective["total"] + 1e-9


def _tight_floor() -> dict[str, Any]:
    """Two units of 8 (cap and target 4) on one floor that holds 3 per shift, one day, two shifts."""
    staff = [{"id": f"{u}{i}", "unit": u} for u in ("a", "b") for i in range(8)]
    return {
        "format": "siaga-roster-problem/1",
        "period": {"start": MONDAY.isoformat(), "end": MONDAY.isoformat()},
        "shifts": [{"id": "pagi", "start": "07:30", "end": "11:30"}, {"id": "siang", "start": "13:00", "end": "16:00"}],
        "floors": [{"id": "f", "building": "b", "capacity": 3}],
        "units": [{"id": u, "floor": "f", "wfo_cap": 0.5, "cohorts": 1} for u in ("a", "b")],
        "employees": staff,
        "weights": {"mixing": 10, "fairness": 0, "change": 5, "underuse": 1},
    }


def test_a_tight_floor_raises_the_bound_to_the_optimum() -> None:
    # 6 seats a day for 8 wanted: underuse ≥ 2 whatever the plan; the counting bound sees only room
    problem = parse_problem(_tight_floor())
    aggregate, structural = _bounds(problem)
    assert structural == 0
    assert aggregate == 2
    plan = solve(problem, time_limit=5.0, workers=1)
    assert plan.status == "optimal"
    assert plan.objective["total"] == 2
    assert plan.bound == 2


def test_the_engine_reports_the_aggregate_bound_on_the_grouped_path() -> None:
    # grouped (as at regency scale), where CP-SAT's own bound is not used: the plan's bound is the
    # aggregate relaxation's, above the counting bound
    problem = parse_problem(_tight_floor())
    with mock.patch.object(solve_module, "EXACT_LIMIT", 0):
        plan = solve(problem, time_limit=solve_module.AGGREGATE_FROM, workers=1)
    assert check(problem, plan).ok
    assert plan.bound == 2
    assert plan.objective["total"] >= 2


def test_two_cohorts_are_not_called_optimal_on_the_strength_of_their_own_bound() -> None:
    # the exact model proves its optimum for the cohorts it formed; with two cohorts allowed, a plan with
    # other cohorts may be better, so that bound is not the plan's bound
    data = _tight_floor()
    data["units"][0]["cohorts"] = 2
    problem = parse_problem(data)
    plan = solve(problem, time_limit=solve_module.AGGREGATE_FROM, workers=1)
    assert check(problem, plan).ok
    aggregate, _ = _bounds(problem)
    assert plan.bound == aggregate == 2
    assert plan.status == ("optimal" if plan.objective["total"] == 2 else "feasible")
