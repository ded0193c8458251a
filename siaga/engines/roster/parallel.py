"""Province scale: a problem whose buildings do not interact, solved part by part in parallel processes.

Units that share a floor interact (H7, mixing); units that do not are independent in every rule and every
objective term (all of them are sums over units or over floors). ``split`` groups the components of the
floor–unit graph (``solve.components``) into at most ``processes`` sub-problems of similar size (largest
component first into the lightest part), ``solve_parallel`` solves them with ``solve`` in a pool of
spawned processes (problems and plans travel as pickled dataclasses: plain data) and merges the plans:
the union of cohorts and assignments in the problem's employee order, the objective recomputed from the
merged assignments (``objective.py``), the bound the sum of the parts' bounds, "optimal" only when every
part is, "infeasible" when any part is, with the explanations of all of them.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import time
from collections.abc import Callable
from dataclasses import dataclass

from siaga.engines.roster.explain import sort_explanations
from siaga.engines.roster.objective import objective_terms
from siaga.engines.roster.solve import Progress, components, solve
from siaga.engines.roster.types import Assignment, Explanation, Plan, Problem


@dataclass(frozen=True)
class PartReport:
    """What one part did: its size, its plan's status, total and bound, and (on the parent's clock, from
    the start of ``solve_parallel``) when its first complete plan was found and when it finished."""

    index: int
    units: int
    employees: int
    status: str
    total: float | None
    bound: float | None
    first: float | None
    finished: float


def split(problem: Problem, parts: int) -> list[Problem]:
    """At most ``parts`` sub-problems, each a union of whole components of the floor–unit graph, balanced
    by employee count; deterministic (depends only on the problem's file order)."""
    members = problem.members()
    found = components(problem)
    sizes = [sum(len(members[u]) for u in units) for units, _ in found]
    order = sorted(range(len(found)), key=lambda i: (-sizes[i], i))
    count = max(1, min(parts, len(found)))
    bins: list[list[int]] = [[] for _ in range(count)]
    load = [0] * count
    for i in order:
        lightest = min(range(count), key=lambda b: (load[b], b))
        bins[lightest].append(i)
        load[lightest] += sizes[i]
    return [_sub_problem(problem, [found[i] for i in sorted(chosen)]) for chosen in bins if chosen]


def _sub_problem(problem: Problem, groups: list[tuple[list[str], list[str]]]) -> Problem:
    """The problem restricted to these components: their units, floors, employees, previous cohorts and
    assignments."""
    unit_ids = {u for units, _ in groups for u in units}
    floor_ids = {f for _, floors in groups for f in floors}
    employees = tuple(e for e in problem.employees if e.unit in unit_ids)
    previous = problem.previous_plan
    if previous is not None:
        staff = {e.id for e in employees}
        previous = dataclasses.replace(
            previous,
            assignments=[a for a in previous.assignments if a.employee in staff],
            cohorts={u: teams for u, teams in previous.cohorts.items() if u in unit_ids},
            explanation=[],
        )
    return dataclasses.replace(
        problem,
        floors=tuple(f for f in problem.floors if f.id in floor_ids),
        units=tuple(u for u in problem.units if u.id in unit_ids),
        employees=employees,
        previous_plan=previous,
    )


def _solve_part(job: tuple[int, Problem, float, int, int]) -> tuple[int, Plan, float | None, float]:
    """Pool worker (top level, so that spawned processes can import it): the plan of one part, with the
    wall-clock times (``time.time``) of its first complete plan and of its end."""
    index, part, time_limit, workers, seed = job
    first: list[float] = []

    def seen(progress: Progress) -> None:
        if not first and progress.total is not None:
            first.append(time.time())

    plan = solve(part, time_limit=time_limit, workers=workers, seed=seed, on_progress=seen)
    return index, plan, first[0] if first else None, time.time()


def merge(problem: Problem, plans: list[Plan], started: float) -> Plan:
    """One plan of ``problem`` from the plans of its parts (see the module docstring)."""
    cohorts = {u: teams for plan in plans for u, teams in plan.cohorts.items()}
    infeasible = [plan for plan in plans if plan.status == "infeasible"]
    if infeasible:
        reasons: list[Explanation] = [r for plan in infeasible for r in plan.explanation]
        return Plan(
            status="infeasible",
            cohorts=cohorts,
            explanation=sort_explanations(reasons),
            solve_seconds=time.perf_counter() - started,
        )
    by_employee: dict[str, list[Assignment]] = {}
    for plan in plans:
        for a in plan.assignments:
            by_employee.setdefault(a.employee, []).append(a)
    assignments = [a for e in problem.employees for a in by_employee.get(e.id, [])]
    objective = objective_terms(problem, assignments, cohorts)
    bounds = [plan.bound for plan in plans]
    bound: float | None = None
    if all(b is not None for b in bounds):
        value = float(sum(float(b or 0) for b in bounds))
        bound = int(value) if value.is_integer() else value
    return Plan(
        status="optimal" if all(plan.status == "optimal" for plan in plans) else "feasible",
        assignments=assignments,
        cohorts=cohorts,
        objective=objective,
        bound=bound,
        solve_seconds=time.perf_counter() - started,
    )


def solve_parallel(
    problem: Problem,
    *,
    time_limit: float = 60.0,
    processes: int = 2,
    seed: int = 0,
    workers: int = 1,
    on_part: Callable[[PartReport], None] | None = None,
) -> Plan:
    """Plan ``problem`` by solving its independent parts in ``processes`` processes (in this process when
    ``processes`` is 1), each part within ``time_limit`` seconds with ``workers`` CP-SAT workers; with
    ``workers=1`` and a fixed ``seed`` the plan is the same on every run. ``on_part`` hears of every part
    when it is done (in the parent, in part order)."""
    started = time.perf_counter()
    wall = time.time()
    parts = split(problem, max(1, processes))
    # leave time to send the parts and merge the plans
    limit = max(0.5, time_limit - 1e-6 * 2 * len(problem.employees) * len(problem.days))
    jobs = [(i, part, limit, workers, seed) for i, part in enumerate(parts)]
    if processes <= 1 or len(parts) <= 1:
        results = [_solve_part(job) for job in jobs]
    else:
        context = multiprocessing.get_context("spawn")
        with context.Pool(min(processes, len(parts))) as pool:
            results = pool.map(_solve_part, jobs, chunksize=1)
    results.sort(key=lambda r: r[0])
    if on_part is not None:
        for (index, plan, first, finished), part in zip(results, parts, strict=True):
            on_part(
                PartReport(
                    index=index,
                    units=len(part.units),
                    employees=len(part.employees),
                    status=plan.status,
                    total=plan.objective.get("total"),
                    bound=plan.bound,
                    first=None if first is None else first - wall,
                    finished=finished - wall,
                )
            )
    return merge(problem, [plan for _, plan, _, _ in results], started)


__all__ = ["PartReport", "merge", "solve_parallel", "split"]
