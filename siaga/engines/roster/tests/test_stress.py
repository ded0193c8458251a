"""Random absences against a plan: when does a public service lose its minimum staff?"""

from __future__ import annotations

import random

import pytest

from siaga.engines.roster.stress import ServiceStress, StressReport, stress
from siaga.engines.roster.tests.builders import (
    D2,
    one_unit_plan_dict,
    one_unit_problem_dict,
    small_plan,
    small_problem,
    with_assignment,
)
from siaga.engines.roster.types import parse_plan, parse_problem


def orders(ids: list[str], trials: int, seed: int) -> list[list[str]]:
    """The absence orders of the trials, shuffled the way the documented procedure does."""
    rng, order, out = random.Random(seed), list(ids), []
    for _ in range(trials):
        rng.shuffle(order)
        out.append(list(order))
    return out


def test_a_single_holder_breaks_the_service_at_the_first_absence() -> None:
    problem = parse_problem(one_unit_problem_dict(holders=1, others=0))
    report = stress(problem, parse_plan(one_unit_plan_dict(holders=1, others=0)), trials=5)
    assert report.survived == [0, 0, 0, 0, 0]
    assert report.broken == [("dukcapil", "signer")] * 5
    assert report.services == [ServiceStress("dukcapil", "signer", broken_first=5, min_survived=0)]
    assert (report.min, report.median, report.p90, report.never_broken) == (0, 0, 0, 0)


def test_a_single_holder_among_others_breaks_when_the_holder_is_absent() -> None:
    problem = parse_problem(one_unit_problem_dict(holders=1, others=4))
    report = stress(problem, parse_plan(one_unit_plan_dict(holders=1, others=4)), trials=30, seed=7)
    ids = [e.id for e in problem.employees]
    assert report.survived == [order.index("s0") for order in orders(ids, 30, 7)]
    assert report.broken == [("dukcapil", "signer")] * 30
    assert report.min == 0
    assert report.services[0].broken_first == 30


def test_two_holders_survive_until_both_are_absent() -> None:
    problem = parse_problem(one_unit_problem_dict(holders=2, others=3))
    report = stress(problem, parse_plan(one_unit_plan_dict(holders=2, others=3)), trials=20, seed=3)
    ids = [e.id for e in problem.employees]
    assert report.survived == [max(order.index("s0"), order.index("s1")) for order in orders(ids, 20, 3)]
    assert report.min >= 1


def test_the_small_plan_breaks_at_the_first_front_office_absence() -> None:
    # p1 holds the morning front office alone and p2 the afternoon one.
    report = stress(small_problem(), small_plan(), trials=50, seed=11)
    ids = [e.id for e in small_problem().employees]
    assert report.survived == [min(order.index("p1"), order.index("p2")) for order in orders(ids, 50, 11)]
    assert report.services == [ServiceStress("dpmptsp", "front_office", broken_first=50, min_survived=0)]


def test_the_same_seed_gives_the_same_report_and_another_seed_another() -> None:
    problem, plan = small_problem(), small_plan()
    first = stress(problem, plan, trials=40, seed=5)
    assert stress(problem, plan, trials=40, seed=5) == first
    assert stress(problem, plan, trials=40, seed=6).survived != first.survived


def test_a_plan_that_already_breaks_coverage_survives_nothing() -> None:
    plan = with_assignment(small_plan(), "p2", D2, "wfh")
    report = stress(small_problem(), plan, trials=3)
    assert report.survived == [0, 0, 0]
    assert report.broken == [("dpmptsp", "front_office")] * 3


def test_a_problem_without_coverage_never_breaks() -> None:
    data = one_unit_problem_dict(holders=1, others=2)
    data["units"][0]["coverage"] = []
    report = stress(parse_problem(data), parse_plan(one_unit_plan_dict(holders=1, others=2)), trials=4)
    assert report.survived == [3, 3, 3, 3]
    assert report.broken == [None] * 4
    assert report.never_broken == 4
    assert report.services == []


def test_the_weakest_services_come_first() -> None:
    data = one_unit_problem_dict(holders=2, others=0)
    data["employees"].append({"id": "t0", "unit": "setda", "skills": ["typist"]})
    data["units"][1]["coverage"] = [{"skill": "typist", "min": 1}]
    plan_data = one_unit_plan_dict(holders=2, others=0)
    plan_data["cohorts"]["setda"] = {"A": ["t0"]}
    plan_data["assignments"].append({"employee": "t0", "date": "2026-12-07", "mode": "wfo", "shift": "hari"})
    report = stress(parse_problem(data), parse_plan(plan_data), trials=60, seed=1)
    ids = ["s0", "s1", "t0"]
    expected = []
    for order in orders(ids, 60, 1):
        t, s = order.index("t0"), max(order.index("s0"), order.index("s1"))
        expected.append((t, ("setda", "typist")) if t < s else (s, ("dukcapil", "signer")))
    assert list(zip(report.survived, report.broken, strict=True)) == expected
    typist = sum(1 for _, b in expected if b == ("setda", "typist"))
    assert typist > 30
    assert report.services == [
        ServiceStress("setda", "typist", broken_first=typist, min_survived=0),
        ServiceStress("dukcapil", "signer", broken_first=60 - typist, min_survived=1),
    ]


def test_median_and_p90_use_the_survived_counts() -> None:
    report = StressReport(trials=10, seed=0, survived=[5, 1, 9, 3, 7, 2, 8, 4, 6, 10], broken=[None] * 10)
    assert (report.min, report.median, report.p90) == (1, 5.5, 9)


def test_at_least_one_trial() -> None:
    with pytest.raises(ValueError, match="trials must be at least 1"):
        stress(small_problem(), small_plan(), trials=0)


def test_a_duplicate_assignment_counts_once() -> None:
    plan = parse_plan(one_unit_plan_dict(holders=1, others=0))
    plan.assignments.append(plan.assignments[0])
    report = stress(parse_problem(one_unit_problem_dict(holders=1, others=0)), plan, trials=2)
    assert report.survived == [0, 0]
