"""Small hand-made roster problems and plans, with their objective worked out by hand.

The small problem: the week of Monday 7 December 2026 with Thursday 10 December a holiday, so the days D
are 7, 8, 9 and 11 December; shifts ``pagi`` and ``siang``; floors ``f1`` (capacity 3) and ``f2``
(capacity 2).

- ``dpmptsp`` on f1, cap and target 0.5 of 6 → 3, two cohorts, one ``front_office`` on site per shift:
  p1, p2 (front_office), p3, p4 (always_wfh), p5 (always_wfo), p6 (unavailable 8–9 December).
- ``bappeda`` on f2, cap and target 0.5 of 4 → 2, one cohort, no coverage: b1, b2 (sits on f1), b3, b4.

The plan (cohorts dpmptsp A = p1 p3 p5, B = p2 p4 p6; bappeda X = all four):
p1 and p5 WFO pagi, p2 WFO siang every day; p3, p4 WFH; p6 WFH, off on the 8th and 9th;
b1 WFO pagi on the 7th and 8th, b2 WFO siang on the 7th and 9th, b3 WFO pagi on the 9th, b4 WFH.

Objective by hand: mixing 2 (f1 siang on the 7th and the 9th holds dpmptsp B and bappeda X);
fairness 6 (dpmptsp p1, p2, p3: 4 − 0; bappeda 2 − 0); changes 0; underuse 3 (bappeda: 1 on the 8th,
2 on the 11th); total 10·2 + 3·6 + 5·0 + 1·3 = 41.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from siaga.engines.roster.types import Plan, Problem, parse_plan, parse_problem

D1, D2, D3, D4 = "2026-12-07", "2026-12-08", "2026-12-09", "2026-12-11"
DAYS = (D1, D2, D3, D4)
SMALL_OBJECTIVE = {"total": 41, "mixing": 2, "fairness": 6, "changes": 0, "underuse": 3}


def small_problem_dict() -> dict[str, Any]:
    return {
        "format": "siaga-roster-problem/1",
        "name": "Kabupaten Uji, minggu 7 Desember 2026",
        "period": {"start": "2026-12-07", "end": "2026-12-13"},
        "workdays": ["mon", "tue", "wed", "thu", "fri"],
        "holidays": ["2026-12-10"],
        "shifts": [{"id": "pagi", "start": "07:30", "end": "11:30"}, {"id": "siang", "start": "13:00", "end": "16:00"}],
        "floors": [
            {"id": "f1", "building": "menara-wijaya", "capacity": 3},
            {"id": "f2", "building": "menara-wijaya", "capacity": 2},
        ],
        "units": [
            {
                "id": "dpmptsp",
                "floor": "f1",
                "wfo_cap": 0.5,
                "wfo_target": 0.5,
                "cohorts": 2,
                "coverage": [{"skill": "front_office", "min": 1}],
            },
            {"id": "bappeda", "floor": "f2", "wfo_cap": 0.5, "cohorts": 1},
        ],
        "employees": [
            {"id": "p1", "unit": "dpmptsp", "skills": ["front_office"]},
            {"id": "p2", "unit": "dpmptsp", "skills": ["front_office"]},
            {"id": "p3", "unit": "dpmptsp"},
            {"id": "p4", "unit": "dpmptsp", "mode": "always_wfh"},
            {"id": "p5", "unit": "dpmptsp", "skills": ["signer"], "mode": "always_wfo"},
            {
                "id": "p6",
                "unit": "dpmptsp",
                "unavailable": [{"start": "2026-12-08", "end": "2026-12-09", "reason": "isolation"}],
            },
            {"id": "b1", "unit": "bappeda"},
            {"id": "b2", "unit": "bappeda", "floor": "f1"},
            {"id": "b3", "unit": "bappeda"},
            {"id": "b4", "unit": "bappeda"},
        ],
        "weights": {"mixing": 10, "fairness": 3, "change": 5, "underuse": 1},
    }


def _row(employee: str, date: str, where: str) -> dict[str, Any]:
    if where in ("wfh", "off"):
        return {"employee": employee, "date": date, "mode": where}
    return {"employee": employee, "date": date, "mode": "wfo", "shift": where}


# Each employee's assignment on D1…D4: "wfh", "off" or the shift of a WFO day.
SMALL_SCHEDULE = {
    "p1": ("pagi", "pagi", "pagi", "pagi"),
    "p2": ("siang", "siang", "siang", "siang"),
    "p3": ("wfh", "wfh", "wfh", "wfh"),
    "p4": ("wfh", "wfh", "wfh", "wfh"),
    "p5": ("pagi", "pagi", "pagi", "pagi"),
    "p6": ("wfh", "off", "off", "wfh"),
    "b1": ("pagi", "pagi", "wfh", "wfh"),
    "b2": ("siang", "wfh", "siang", "wfh"),
    "b3": ("wfh", "wfh", "pagi", "wfh"),
    "b4": ("wfh", "wfh", "wfh", "wfh"),
}


def plan_dict(
    schedule: dict[str, tuple[str, ...]],
    objective: dict[str, Any],
    cohorts: dict[str, dict[str, list[str]]] | None = None,
    days: tuple[str, ...] = DAYS,
) -> dict[str, Any]:
    return {
        "format": "siaga-roster-plan/1",
        "status": "feasible",
        "solve_seconds": 0.0,
        "cohorts": copy.deepcopy(cohorts if cohorts is not None else SMALL_COHORTS),
        "assignments": [_row(e, d, where) for e, row in schedule.items() for d, where in zip(days, row, strict=True)],
        "objective": dict(objective),
        "bound": 0,
        "explanation": [],
    }


SMALL_COHORTS = {
    "dpmptsp": {"A": ["p1", "p3", "p5"], "B": ["p2", "p4", "p6"]},
    "bappeda": {"X": ["b1", "b2", "b3", "b4"]},
}


def small_plan_dict() -> dict[str, Any]:
    return plan_dict(SMALL_SCHEDULE, SMALL_OBJECTIVE)


def small_problem() -> Problem:
    return parse_problem(small_problem_dict())


def small_plan() -> Plan:
    return parse_plan(small_plan_dict())


def replanning_problem_dict() -> dict[str, Any]:
    """The small problem replanned after the 8th: p3 turns out to be in quarantine on the 9th."""
    data = small_problem_dict()
    data["employees"][2]["unavailable"] = [{"start": "2026-12-09", "end": "2026-12-09", "reason": "quarantine"}]
    data["previous_plan"] = small_plan_dict()
    data["frozen_until"] = D2
    return data


# The replanned days: p3 off on the 9th; b3 moves from pagi to siang on the 9th; b4 takes WFO pagi on the
# 11th. By hand: mixing 2 (f1 siang on the 7th and the 9th, as before; b3 sits on f2); fairness 1
# (p3 is no longer counted, having an unavailable day, so dpmptsp 4 − 4 = 0; bappeda 2 − 1 = 1);
# changes 3 (the three moves above, all after frozen_until = the 8th); underuse 2 (bappeda 1 on the 8th
# and 1 on the 11th); total 10·2 + 3·1 + 5·3 + 1·2 = 40.
REPLANNING_SCHEDULE = {
    **SMALL_SCHEDULE,
    "p3": ("wfh", "wfh", "off", "wfh"),
    "b3": ("wfh", "wfh", "siang", "wfh"),
    "b4": ("wfh", "wfh", "wfh", "pagi"),
}
REPLANNING_OBJECTIVE = {"total": 40, "mixing": 2, "fairness": 1, "changes": 3, "underuse": 2}


def replanning_problem() -> Problem:
    return parse_problem(replanning_problem_dict())


def replanning_plan_dict() -> dict[str, Any]:
    return plan_dict(REPLANNING_SCHEDULE, REPLANNING_OBJECTIVE)


def replanning_plan() -> Plan:
    return parse_plan(replanning_plan_dict())


def with_assignment(plan: Plan, employee: str, date: str, mode: str, shift: str | None = None) -> Plan:
    """A copy of ``plan`` whose assignment of ``employee`` on ``date`` is replaced."""
    day = dt.date.fromisoformat(date)
    out = copy.deepcopy(plan)
    out.assignments = [
        a if (a.employee, a.date) != (employee, day) else type(a)(employee, day, mode, shift) for a in out.assignments
    ]
    return out


def one_unit_problem_dict(holders: int, others: int) -> dict[str, Any]:
    """One unit whose only coverage rule is one ``signer`` in the single shift; ``holders`` signers."""
    employees = [{"id": f"s{i}", "unit": "dukcapil", "skills": ["signer"]} for i in range(holders)]
    employees += [{"id": f"o{i}", "unit": "dukcapil"} for i in range(others)]
    return {
        "format": "siaga-roster-problem/1",
        "period": {"start": D1, "end": D1},
        "shifts": [{"id": "hari", "start": "08:00", "end": "16:00"}],
        "floors": [{"id": "f1", "building": "kantor", "capacity": 100}],
        "units": [
            {"id": "dukcapil", "floor": "f1", "wfo_cap": 1.0, "coverage": [{"skill": "signer", "min": 1}]},
            {"id": "setda", "floor": "f1", "wfo_cap": 1.0},
        ],
        "employees": employees,
    }


def one_unit_plan_dict(holders: int, others: int) -> dict[str, Any]:
    """The signers work on site, everyone else from home.

    Objective: mixing 0 (one cohort); fairness 1 when there are both signers and others (1 − 0 WFO
    days), else 0; underuse N − holders (target 1.0 of N); total 3 · fairness + underuse."""
    fairness = 1 if holders and others else 0
    underuse = others
    schedule = {f"s{i}": ("hari",) for i in range(holders)} | {f"o{i}": ("wfh",) for i in range(others)}
    objective = {
        "total": 3 * fairness + underuse,
        "mixing": 0,
        "fairness": fairness,
        "changes": 0,
        "underuse": underuse,
    }
    return plan_dict(schedule, objective, cohorts={"dukcapil": {"A": list(schedule)}}, days=(D1,))
