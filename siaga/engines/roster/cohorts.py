"""Cohort formation (H8): every unit split into at most ``cohorts`` stable teams ("kelompok kerja").

A cohort must be able to cover the unit's services on its own, so the holders of each coverage skill are
dealt round-robin over the cohorts, scarcest skill first. ``always_wfo`` staff are on site every day and
so make their cohort present every day; they all go to the first cohort, so the other cohorts meet them
only on their own days. Deterministic: the result depends only on the file order of the problem.
"""

from __future__ import annotations

import string

from siaga.engines.roster.types import Employee, Problem, Unit


def cohort_names(count: int) -> list[str]:
    """The names A, B, … Z, then AA, AB, …"""
    letters = string.ascii_uppercase
    out = []
    for i in range(count):
        name, n = "", i
        while True:
            name = letters[n % 26] + name
            n = n // 26 - 1
            if n < 0:
                break
        out.append(name)
    return out


def form_cohorts(problem: Problem) -> dict[str, dict[str, list[str]]]:
    """{unit: {cohort: [employee, …]}}, keeping the previous cohorts of a unit whose count did not change."""
    members = problem.members()
    previous = problem.previous_plan.cohorts if problem.previous_plan is not None else {}
    return {u.id: _unit_cohorts(u, members[u.id], previous.get(u.id)) for u in problem.units}


def _unit_cohorts(unit: Unit, staff: list[Employee], before: dict[str, list[str]] | None) -> dict[str, list[str]]:
    k = max(1, min(unit.cohorts, len(staff)))
    ids = {e.id for e in staff}
    if before is not None and len(before) == unit.cohorts:
        # H8 for replanning: the unit keeps its cohorts; newcomers join by the same balancing rule.
        names = list(before)
        teams: dict[str, list[Employee]] = {name: [] for name in names}
        placed: set[str] = set()
        by_id = {e.id: e for e in staff}
        for name in names:
            for employee_id in before[name]:
                if employee_id in ids and employee_id not in placed:
                    teams[name].append(by_id[employee_id])
                    placed.add(employee_id)
        rest = [e for e in staff if e.id not in placed]
        _deal(unit, rest, teams)
        return {name: [e.id for e in team] for name, team in teams.items()}
    teams = {name: [] for name in cohort_names(k)}
    first = next(iter(teams))
    teams[first].extend(e for e in staff if e.mode == "always_wfo")
    _deal(unit, [e for e in staff if e.mode != "always_wfo"], teams)
    return {name: [e.id for e in team] for name, team in teams.items()}


def _deal(unit: Unit, staff: list[Employee], teams: dict[str, list[Employee]]) -> None:
    """Deal ``staff`` into ``teams``: coverage-skill holders by scarcity, then the rest by team size."""
    names = list(teams)
    skills = [c.skill for c in unit.coverage]
    scarcity = {s: sum(1 for e in staff if s in e.skills) for s in skills}
    order = sorted(dict.fromkeys(skills), key=lambda s: (scarcity[s], skills.index(s)))
    left = list(staff)
    for skill in order:
        holders = [e for e in left if skill in e.skills]
        for e in holders:
            name = min(
                names,
                key=lambda n: (
                    sum(1 for m in teams[n] if skill in m.skills and m.mode != "always_wfh"),
                    _weight(teams[n]),
                    names.index(n),
                ),
            )
            teams[name].append(e)
        left = [e for e in left if skill not in e.skills]
    for e in left:
        name = min(names, key=lambda n: (_weight(teams[n]), len(teams[n]), names.index(n)))
        teams[name].append(e)


def _weight(team: list[Employee]) -> int:
    """Members who can be on site: they are what the cap and the floor see."""
    return sum(1 for e in team if e.mode != "always_wfh")
