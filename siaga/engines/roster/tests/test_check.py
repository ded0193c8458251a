"""The independent validator: every hard rule, frozen days and each objective term on hand-made plans."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from siaga.engines.roster.check import CheckReport, Violation, check, weighted_total
from siaga.engines.roster.tests.builders import (
    D1,
    D2,
    D3,
    REPLANNING_OBJECTIVE,
    SMALL_OBJECTIVE,
    replanning_plan,
    replanning_plan_dict,
    replanning_problem,
    replanning_problem_dict,
    small_plan,
    small_plan_dict,
    small_problem,
    small_problem_dict,
    with_assignment,
)
from siaga.engines.roster.types import Assignment, Explanation, Plan, parse_plan, parse_problem

DAY1, DAY2, DAY3 = dt.date(2026, 12, 7), dt.date(2026, 12, 8), dt.date(2026, 12, 9)


def only(report: CheckReport, rule: str) -> list[Violation]:
    assert not report.ok
    return [v for v in report.violations if v.rule == rule]


def rules(report: CheckReport) -> list[str]:
    return sorted({v.rule for v in report.violations})


def test_the_days_skip_the_weekend_and_the_holiday() -> None:
    assert small_problem().days == [DAY1, DAY2, DAY3, dt.date(2026, 12, 11)]


def test_the_hand_made_plan_passes_with_the_hand_computed_terms() -> None:
    report = check(small_problem(), small_plan())
    assert report.violations == []
    assert report.ok is True
    assert report.terms == {"mixing": 2, "fairness": 6, "changes": 0, "underuse": 3}
    assert report.total == 41
    assert report.claimed == SMALL_OBJECTIVE


def test_the_replanned_plan_passes_with_the_hand_computed_terms() -> None:
    report = check(replanning_problem(), replanning_plan())
    assert report.violations == []
    assert report.terms == {"mixing": 2, "fairness": 1, "changes": 3, "underuse": 2}
    assert report.total == 40 == REPLANNING_OBJECTIVE["total"]


# H1 -------------------------------------------------------------------------------------------------


def test_h1_a_missing_assignment() -> None:
    plan = small_plan()
    plan.assignments = [a for a in plan.assignments if (a.employee, a.date) != ("p3", DAY1)]
    assert only(check(small_problem(), plan), "H1") == [
        Violation("H1", "p3 has no assignment on 2026-12-07", unit="dpmptsp", date=DAY1, employee="p3")
    ]


def test_h1_two_assignments_on_one_day() -> None:
    plan = small_plan()
    plan.assignments.append(Assignment("p3", DAY1, "wfh"))
    assert only(check(small_problem(), plan), "H1") == [
        Violation(
            "H1", "p3 has 2 assignments on 2026-12-07; exactly one is needed", "dpmptsp", None, DAY1, None, None, "p3"
        )
    ]


def test_h1_an_assignment_on_a_holiday_and_one_for_an_unknown_employee() -> None:
    plan = small_plan()
    holiday = dt.date(2026, 12, 10)
    plan.assignments += [Assignment("p3", holiday, "wfh"), Assignment("nobody", DAY1, "wfh")]
    report = check(small_problem(), plan)
    assert report.violations == [
        Violation(
            "H1",
            "p3 has an assignment on 2026-12-10, which is not a day of the problem",
            unit="dpmptsp",
            date=holiday,
            employee="p3",
        ),
        Violation("H1", "assignment for unknown employee 'nobody' on 2026-12-07", date=DAY1),
    ]


# H2, H3, H4 -------------------------------------------------------------------------------------------


def test_h2_working_on_an_unavailable_day() -> None:
    report = check(small_problem(), with_assignment(small_plan(), "p6", D2, "wfh"))
    assert report.violations == [
        Violation("H2", "p6 is unavailable on 2026-12-08 but assigned wfh", unit="dpmptsp", date=DAY2, employee="p6")
    ]


def test_h2_off_on_an_available_day() -> None:
    report = check(small_problem(), with_assignment(small_plan(), "p3", D1, "off"))
    assert report.violations == [
        Violation("H2", "p3 is off on 2026-12-07 but is available", unit="dpmptsp", date=DAY1, employee="p3")
    ]


def test_h3_an_exempt_employee_on_site() -> None:
    report = check(small_problem(), with_assignment(small_plan(), "p4", D1, "wfo", "siang"))
    assert only(report, "H3") == [
        Violation(
            "H3",
            "p4 always works from home but is assigned wfo on 2026-12-07",
            unit="dpmptsp",
            date=DAY1,
            employee="p4",
        )
    ]


def test_h3_an_essential_post_at_home() -> None:
    report = check(small_problem(), with_assignment(small_plan(), "p5", D1, "wfh"))
    assert only(report, "H3") == [
        Violation(
            "H3",
            "p5 always works from the office but is assigned wfh on 2026-12-07",
            unit="dpmptsp",
            date=DAY1,
            employee="p5",
        )
    ]


def test_h4_wfo_without_a_shift() -> None:
    report = check(small_problem(), with_assignment(small_plan(), "p1", D1, "wfo"))
    assert only(report, "H4") == [
        Violation(
            "H4", "p1 works from the office on 2026-12-07 without a shift", unit="dpmptsp", date=DAY1, employee="p1"
        )
    ]
    # Without a shift p1 covers nothing, so the morning front office is empty; p1 still counts as on
    # site for the cap and the objective, which do not change.
    assert rules(report) == ["H4", "H6"]


def test_h4_wfo_in_an_unknown_shift() -> None:
    report = check(small_problem(), with_assignment(small_plan(), "p1", D1, "wfo", "malam"))
    assert only(report, "H4") == [
        Violation(
            "H4",
            "p1 works from the office on 2026-12-07 in unknown shift 'malam'",
            unit="dpmptsp",
            date=DAY1,
            shift="malam",
            employee="p1",
        )
    ]


def test_h4_wfh_naming_a_shift() -> None:
    report = check(small_problem(), with_assignment(small_plan(), "p3", D1, "wfh", "pagi"))
    assert report.violations == [
        Violation(
            "H4",
            "p3 is wfh on 2026-12-07 but names shift 'pagi'",
            unit="dpmptsp",
            date=DAY1,
            shift="pagi",
            employee="p3",
        )
    ]


# H5, H6, H7 -------------------------------------------------------------------------------------------


def test_h5_one_more_on_site_than_the_cap() -> None:
    report = check(small_problem(), with_assignment(small_plan(), "p3", D1, "wfo", "siang"))
    assert only(report, "H5") == [
        Violation("H5", "unit dpmptsp: 4 on site on 2026-12-07, above the cap of 3", unit="dpmptsp", date=DAY1)
    ]
    assert rules(report) == ["H5", "objective"]


def test_h6_a_shift_without_its_front_office() -> None:
    report = check(small_problem(), with_assignment(small_plan(), "p2", D2, "wfh"))
    assert only(report, "H6") == [
        Violation(
            "H6",
            "unit dpmptsp: 0 on site with skill front_office in shift siang on 2026-12-08, below the minimum of 1",
            unit="dpmptsp",
            date=DAY2,
            shift="siang",
            skill="front_office",
        )
    ]
    assert rules(report) == ["H6", "objective"]


def test_h7_a_full_floor_counts_the_employee_who_sits_on_another_units_floor() -> None:
    data = small_problem_dict()
    data["floors"][0]["capacity"] = 2
    # f1 in the afternoon of the 7th: p2, p5 (moved) and b2 (bappeda, but sitting on f1).
    report = check(parse_problem(data), with_assignment(small_plan(), "p5", D1, "wfo", "siang"))
    assert only(report, "H7") == [
        Violation(
            "H7",
            "floor f1: 3 on site in shift siang on 2026-12-07, above the capacity of 2",
            floor="f1",
            date=DAY1,
            shift="siang",
        )
    ]
    assert rules(report) == ["H7", "objective"]


# H8 ---------------------------------------------------------------------------------------------------


def plan_with_cohorts(cohorts: dict[str, dict[str, list[str]]]) -> Plan:
    data = small_plan_dict()
    data["cohorts"] = cohorts
    return parse_plan(data)


def test_h8_an_employee_in_no_cohort() -> None:
    plan = plan_with_cohorts(
        {"dpmptsp": {"A": ["p1", "p5"], "B": ["p2", "p4", "p6"]}, "bappeda": {"X": ["b1", "b2", "b3", "b4"]}}
    )
    assert only(check(small_problem(), plan), "H8") == [
        Violation("H8", "p3 of unit dpmptsp is in no cohort", unit="dpmptsp", employee="p3")
    ]


def test_h8_an_employee_in_two_cohorts() -> None:
    plan = plan_with_cohorts(
        {
            "dpmptsp": {"A": ["p1", "p3", "p5"], "B": ["p2", "p3", "p4", "p6"]},
            "bappeda": {"X": ["b1", "b2", "b3", "b4"]},
        }
    )
    assert check(small_problem(), plan).violations == [
        Violation(
            "H8", "p3 of unit dpmptsp is in 2 cohorts (A, B); exactly one is needed", unit="dpmptsp", employee="p3"
        )
    ]


def test_h8_too_many_cohorts_another_units_employee_and_unknown_names() -> None:
    plan = plan_with_cohorts(
        {
            "dpmptsp": {"A": ["p1", "p3", "p5"], "B": ["p2", "p4", "p6", "b1", "zz"]},
            "bappeda": {"X": ["b1", "b2", "b3", "b4"], "Y": []},
            "dinkes": {"A": []},
        }
    )
    assert only(check(small_problem(), plan), "H8") == [
        Violation("H8", "unit bappeda has 2 cohorts, more than its 1", unit="bappeda"),
        Violation("H8", "cohorts name unknown unit 'dinkes'", unit="dinkes"),
        Violation(
            "H8", "cohort B of unit dpmptsp names b1, who belongs to unit bappeda", unit="dpmptsp", employee="b1"
        ),
        Violation("H8", "cohort B of unit dpmptsp names unknown employee 'zz'", unit="dpmptsp", employee="zz"),
    ]


def test_h8_replanning_keeps_the_previous_cohorts() -> None:
    data = replanning_plan_dict()
    data["cohorts"]["dpmptsp"] = {"A": ["p1", "p2", "p5"], "B": ["p3", "p4", "p6"]}
    report = check(replanning_problem(), parse_plan(data))
    assert only(report, "H8") == [
        Violation("H8", "unit dpmptsp kept its 2 cohorts, but p2, p3 moved to another cohort", unit="dpmptsp")
    ]


def test_h8_replanning_may_regroup_a_unit_whose_cohort_count_changed() -> None:
    problem_data = replanning_problem_dict()
    problem_data["units"][0]["cohorts"] = 3
    data = replanning_plan_dict()
    data["cohorts"]["dpmptsp"] = {"A": ["p1", "p5"], "B": ["p2", "p4", "p6"], "C": ["p3"]}
    report = check(parse_problem(problem_data), parse_plan(data))
    assert report.violations == []
    # p3 (now in cohort C) shares no floor and shift with anyone, so mixing is unchanged.
    assert report.terms == {"mixing": 2, "fairness": 1, "changes": 3, "underuse": 2}


# Frozen days ------------------------------------------------------------------------------------------


def test_a_frozen_day_keeps_the_previous_assignment() -> None:
    report = check(replanning_problem(), with_assignment(replanning_plan(), "b1", D2, "wfh"))
    assert only(report, "frozen") == [
        Violation(
            "frozen",
            "b1 on 2026-12-08 is frozen (until 2026-12-08) as wfo pagi but assigned wfh",
            unit="bappeda",
            date=DAY2,
            employee="b1",
        )
    ]
    # A change on a frozen day is not counted as a change: it is a violation instead.
    assert report.terms["changes"] == 3


def test_a_frozen_day_gives_way_to_a_new_absence() -> None:
    problem_data = replanning_problem_dict()
    problem_data["employees"][2]["unavailable"] = [{"start": D2, "end": D3, "reason": "quarantine"}]
    plan = with_assignment(replanning_plan(), "p3", D2, "off")
    report = check(parse_problem(problem_data), plan)
    assert rules(report) == []
    assert report.ok is True


def test_days_after_the_frozen_ones_may_change_and_count() -> None:
    plan = with_assignment(replanning_plan(), "b4", "2026-12-11", "wfh")
    report = check(replanning_problem(), plan)
    assert report.terms == {"mixing": 2, "fairness": 2, "changes": 2, "underuse": 3}
    assert rules(report) == ["objective"]


# Objective --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("term", "claimed", "value"),
    [("mixing", 3, 2), ("fairness", 5, 6), ("changes", 1, 0), ("underuse", 0, 3), ("total", 40.5, 41)],
)
def test_each_claimed_term_must_match(term: str, claimed: float, value: int) -> None:
    data = small_plan_dict()
    data["objective"][term] = claimed
    assert check(small_problem(), parse_plan(data)).violations == [
        Violation("objective", f"objective.{term} is {claimed!r}, but the plan gives {value}")
    ]


def test_a_missing_term_and_a_float_that_equals_the_integer() -> None:
    data = small_plan_dict()
    del data["objective"]["changes"]
    data["objective"]["total"] = 41.0
    assert check(small_problem(), parse_plan(data)).violations == [
        Violation("objective", "objective.changes is missing; the plan gives 0")
    ]


def test_mixing_counts_each_extra_cohort_on_a_floor_and_shift() -> None:
    # b2 (bappeda X, sitting on f1) joins p1 and p5 (dpmptsp A) on f1 in the morning of the 8th: +1.
    # Fairness: dpmptsp 4 − 0, bappeda b2 3 − b4 0; underuse: bappeda now only 2 short on the 11th.
    plan = with_assignment(small_plan(), "b2", D2, "wfo", "pagi")
    report = check(small_problem(), plan)
    assert report.terms == {"mixing": 3, "fairness": 7, "changes": 0, "underuse": 2}
    assert report.total == 10 * 3 + 3 * 7 + 1 * 2 == 53


def test_fairness_ignores_a_unit_with_fewer_than_two_eligible_employees() -> None:
    data = small_problem_dict()
    for employee in data["employees"]:
        if employee["id"] in ("b2", "b3", "b4"):
            employee["unavailable"] = [{"start": D1, "end": D1}]
    plan_data = small_plan_dict()
    for row in plan_data["assignments"]:
        if row["employee"] in ("b2", "b3", "b4") and row["date"] == D1:
            row.pop("shift", None)
            row["mode"] = "off"
    report = check(parse_problem(data), parse_plan(plan_data))
    assert rules(report) == ["objective"]
    # dpmptsp 4 − 0; bappeda has only b1 left, so it adds nothing. Underuse: bappeda 1 + 1 + 0 + 2.
    assert report.terms == {"mixing": 1, "fairness": 4, "changes": 0, "underuse": 4}


def test_the_bound_may_not_exceed_the_total() -> None:
    data = small_plan_dict()
    data["bound"] = 41
    assert check(small_problem(), parse_plan(data)).ok is True
    data["bound"] = 42
    assert check(small_problem(), parse_plan(data)).violations == [Violation("bound", "bound 42 is above the total 41")]


def test_weights_that_are_not_whole_numbers() -> None:
    problem = dataclasses.replace(small_problem(), weights={"mixing": 0.25, "fairness": 3, "change": 5, "underuse": 1})
    assert weighted_total(problem, {"mixing": 2, "fairness": 6, "changes": 0, "underuse": 3}) == 21.5
    assert weighted_total(small_problem(), {"mixing": 2, "fairness": 6, "changes": 0, "underuse": 3}) == 41


# Infeasible -------------------------------------------------------------------------------------------


def test_an_infeasible_plan_has_no_assignments_and_says_why() -> None:
    plan = small_plan()
    plan.status = "infeasible"
    report = check(small_problem(), plan)
    assert report.violations == [
        Violation("status", "an infeasible plan has 40 assignments; it must have none"),
        Violation("status", "an infeasible plan must explain why, but its explanation is empty"),
    ]
    assert report.total is None


def test_an_explained_infeasible_plan_passes() -> None:
    reason = Explanation(
        kind="coverage",
        unit="dpmptsp",
        skill="front_office",
        needed=1,
        possible=0,
        message="DPMPTSP butuh 1 petugas front office per sif, tetapi tidak ada yang tersedia.",
    )
    report = check(small_problem(), Plan(status="infeasible", explanation=[reason]))
    assert report.ok is True
    assert report.violations == []


# Robustness -------------------------------------------------------------------------------------------

ANY_ASSIGNMENT = st.builds(
    Assignment,
    employee=st.sampled_from(["p1", "p2", "p6", "b2", "ghost"]),
    date=st.dates(min_value=dt.date(2026, 12, 5), max_value=dt.date(2026, 12, 14)),
    mode=st.sampled_from(["wfo", "wfh", "off"]),
    shift=st.sampled_from([None, "pagi", "siang", "malam"]),
)


@settings(max_examples=150, deadline=None)
@given(extra=st.lists(ANY_ASSIGNMENT, max_size=6), drop=st.sets(st.integers(0, 39), max_size=4))
def test_any_edit_of_a_plan_is_judged_without_error(extra: list[Assignment], drop: set[int]) -> None:
    plan = small_plan()
    dropped = {(a.employee, a.date) for i, a in enumerate(plan.assignments) if i in drop}
    plan.assignments = [a for i, a in enumerate(plan.assignments) if i not in drop] + extra
    report = check(small_problem(), plan)
    assert report.ok == (report.violations == [])
    assert set(report.terms) == {"mixing", "fairness", "changes", "underuse"}
    if dropped - {(a.employee, a.date) for a in extra}:  # a day left without its assignment
        assert "H1" in rules(report)
    if not drop and not extra:
        assert report.ok is True


def test_malformed_cohorts_and_shifts_are_violations_not_crashes() -> None:
    data = small_plan_dict()
    data["cohorts"]["bappeda"] = {"X": "b1 b2 b3 b4"}
    data["assignments"][0]["shift"] = ["pagi"]
    report = check(small_problem(), parse_plan(data))
    assert [v.message for v in report.violations if v.rule in ("H4", "H8")] == [
        "cohort X of unit bappeda is not a list of employees",
        *(f"{e} of unit bappeda is in no cohort" for e in ("b1", "b2", "b3", "b4")),
        "p1 works from the office on 2026-12-07 in unknown shift ['pagi']",
    ]
