"""Quick scale check of the roster engine (not a committed test): ``python -m bench.roster_scale``."""

from __future__ import annotations

import logging
import resource
import sys
import time

from bench.roster_instances import regency_instance, replanning_instance
from siaga.engines.roster.check import check
from siaga.engines.roster.solve import Progress, solve


def main(argv: list[str]) -> int:
    if "-v" in argv:
        logging.basicConfig(level=logging.DEBUG, format="%(message)s")
        argv = [a for a in argv if a != "-v"]
    limit = float(argv[0]) if argv else 30.0
    started = time.perf_counter()
    problem = regency_instance()
    print(
        f"instance: {len(problem.employees)} employees, {len(problem.units)} units, {len(problem.floors)} floors, "
        f"{len(problem.days)} days, built in {time.perf_counter() - started:.2f}s"
    )
    seen: list[Progress] = []
    plan = solve(problem, time_limit=limit, workers=2, on_progress=seen.append)
    first = next((p.elapsed for p in seen if p.total is not None), None)
    for mark in (2.0, 10.0, 30.0):
        best = [p for p in seen if p.elapsed <= mark]
        if best:
            print(f"by {mark:>4.0f}s: total {best[-1].total} bound {best[-1].bound}")
    print(
        f"first solution after {first:.2f}s; final {plan.status} {plan.objective} bound {plan.bound} "
        f"in {plan.solve_seconds:.2f}s"
    )
    report = check(problem, plan)
    print("check ok:", report.ok, report.violations[:3])
    frozen = problem.days[9]
    again, forced = replanning_instance(problem, plan, frozen_until=frozen)
    t = time.perf_counter()
    replan = solve(again, time_limit=5.0, workers=2)
    print(
        f"replan {replan.status} in {time.perf_counter() - t:.2f}s changes {replan.objective.get('changes')} "
        f"forced {forced} objective {replan.objective} bound {replan.bound}"
    )
    print("replan check ok:", check(again, replan).ok)
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
