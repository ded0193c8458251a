"""Baselines the benchmark measures the engine against; neither is meant for planning.

- ``naive_alternation``: cohort A on the odd days of D, B on the even ones (cohort i on the days
  d ≡ i mod k), keeping only H1–H4; it may break the cap, coverage and floor capacity.
- ``monolithic``: one CP-SAT model with x[e,d,s] for every employee, day and shift, all of H1–H7 and
  the full objective, no decomposition and no hint (the cohorts are the engine's, H8).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from ortools.sat.python import cp_model

from siaga.engines.roster.cohorts import form_cohorts
from siaga.engines.roster.solve import Progress, Slot, _Data, _Model, _Watch, plan_from_grid
from siaga.engines.roster.types import Plan, Problem


def naive_alternation(problem: Problem) -> Plan:
    """Cohort i of a unit with k cohorts works from the office on the days with index ≡ i (mod k), its
    members dealt over the shifts; off when unavailable, wfh when always_wfh, wfo when always_wfo."""
    start = time.perf_counter()
    cohorts = form_cohorts(problem)
    shifts = [s.id for s in problem.shifts]
    index = {
        e: (list(teams).index(name), len(teams))
        for teams in cohorts.values()
        for name, ids in teams.items()
        for e in ids
    }
    grid: dict[tuple[str, int], Slot] = {}
    for number, e in enumerate(problem.employees):
        mine, k = index[e.id]
        shift = shifts[number % len(shifts)]
        for di, day in enumerate(problem.days):
            if e.is_unavailable(day):
                grid[e.id, di] = ("off", None)
            elif e.mode == "always_wfh":
                grid[e.id, di] = ("wfh", None)
            elif e.mode == "always_wfo" or di % k == mine:
                grid[e.id, di] = ("wfo", shift)
            else:
                grid[e.id, di] = ("wfh", None)
    return plan_from_grid(problem, grid, cohorts, None, False, start)


def monolithic(
    problem: Problem,
    *,
    time_limit: float = 30.0,
    workers: int = 2,
    seed: int = 0,
    on_progress: Callable[[Progress], None] | None = None,
) -> Plan | None:
    """The employee-level model of the whole problem in one CP-SAT search; ``None`` when it finds no plan
    within ``time_limit`` (status "infeasible" only when CP-SAT proves it). ``on_progress`` hears of every
    improving solution (seconds since the call, including building the model)."""
    start = time.perf_counter()
    cohorts = form_cohorts(problem)
    data = _Data(problem, cohorts, grouped=False)
    built = _Model(data, [u.id for u in problem.units], [f.id for f in problem.floors], hints=False)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = max(1, workers)
    solver.parameters.random_seed = seed
    solver.parameters.max_time_in_seconds = max(0.05, time_limit - (time.perf_counter() - start))

    def report(value: float, bound: float) -> None:
        if on_progress is not None:
            elapsed = time.perf_counter() - start
            on_progress(Progress(elapsed, value / built.scale, max(0.0, bound / built.scale)))

    status = solver.solve(built.model, _Watch(report, None))
    if status == cp_model.INFEASIBLE:
        return Plan(status="infeasible", cohorts=cohorts, solve_seconds=time.perf_counter() - start)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    bound = max(0.0, solver.best_objective_bound / built.scale)
    return plan_from_grid(problem, built.assignments(solver.value), cohorts, bound, status == cp_model.OPTIMAL, start)
