"""Roster engine at regency scale (≈7,000 employees) against two baselines, and a province by parts.

The regency instance (``regency_instance``: 7,000 employees, 40 units, 16 floors in four buildings, 2
shifts, 21 working days) is planned by

- the engine (``solve``, 2 workers, one 60 s run whose ``on_progress`` reports give the objective and
  the proven bound at 10 s, 30 s and 60 s);
- (a) the naive A/B alternation (``naive_alternation``): instant, but it ignores caps, coverage and
  floors, so its violations are counted;
- (b) the monolithic employee-level CP-SAT model (``monolithic``, 2 workers, capped at 60 s), with the
  same snapshots.

Then each replans after 50 flexible employees are isolated from the middle of the period to its end
(previous plan = its own plan, ``frozen_until`` = the day before the isolation); *forced* changes are
those employees' WFO/WFH days that must become ``off``. The engine replans with a 5 s limit, the
monolithic model with 30 s.

Every solver runs in its own spawned process, which reports its peak resident memory
(``ru_maxrss``) after its solves and before the checks, so the figures do not mix.

Province: ``province_instance`` (50,000 employees in 7 independent governments, 21 working days)
planned by ``solve_parallel(processes=2)`` with a 60 s limit per part; the first complete plan is when the
last part found its first plan (before the merge). Its baseline is the engine's 7,000-employee figure.

The ratio column is engine ÷ monolithic, measured in the same run (province: ÷ the engine at 7,000).
"""

from __future__ import annotations

import math
import multiprocessing
import resource
import time
from collections.abc import Callable
from typing import Any

from bench.common import Row, print_table

SEED = 0
LIMIT = 60.0
MARKS = (10.0, 30.0, 60.0)
ISOLATED = 50
ENGINE_REPLAN_LIMIT = 5.0
ONE_COHORT_LIMIT = 30.0
MONOLITHIC_REPLAN_LIMIT = 30.0
PROVINCE_EMPLOYEES = 50_000
PROVINCE_GOVERNMENTS = 7
PROVINCE_LIMIT = 60.0
TARGET_FIRST = 2.0
TARGET_GAP = 0.02
TARGET_REPLAN = 5.0
TARGET_CHANGES = 1.5
TARGET_MB = 2048.0


def _rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def _snapshots(seen: list[tuple[float, float, float]], plan: Any, limit: float) -> dict[str, Any]:
    """First solution time and (total, bound) at each mark: the last report by then; at the limit, the
    returned plan (its objective recomputed, its bound as returned)."""
    first = next((t for t, total, _ in seen if not math.isnan(total)), None)
    marks: dict[float, tuple[float, float] | None] = {}
    for mark in MARKS:
        if plan is not None and mark >= limit:
            marks[mark] = (float(plan.objective["total"]), float(plan.bound or 0.0))
            continue
        before = [(total, bound) for t, total, bound in seen if t <= mark and not math.isnan(total)]
        marks[mark] = before[-1] if before else None
    return {"first": first, "marks": marks}


def _replan(problem: Any, plan: Any, run: Callable[[Any], Any]) -> tuple[Any, Any, int, float]:
    from bench.roster_instances import replanning_instance

    days = problem.days
    frozen = days[len(days) // 2 - 1]
    again, forced = replanning_instance(problem, plan, frozen_until=frozen, newly_unavailable=ISOLATED, seed=SEED)
    start = time.perf_counter()
    replan = run(again)
    return again, replan, forced, time.perf_counter() - start


def _engine() -> dict[str, Any]:
    from bench.roster_instances import regency_instance
    from siaga.engines.roster.check import check
    from siaga.engines.roster.solve import Progress, solve

    problem = regency_instance(seed=SEED)
    seen: list[tuple[float, float, float]] = []

    def progress(p: Progress) -> None:
        seen.append((p.elapsed, math.nan if p.total is None else p.total, p.bound))

    started = time.perf_counter()
    plan = solve(problem, time_limit=LIMIT, workers=2, seed=SEED, on_progress=progress)
    solve_wall = time.perf_counter() - started
    first_replan: list[float] = []
    replan_start = [0.0]

    def replan_progress(p: Progress) -> None:
        if not first_replan and p.total is not None:
            first_replan.append(time.perf_counter() - replan_start[0])

    def run(again: Any) -> Any:
        replan_start[0] = time.perf_counter()
        return solve(again, time_limit=ENGINE_REPLAN_LIMIT, workers=2, seed=SEED, on_progress=replan_progress)

    again, replan, forced, seconds = _replan(problem, plan, run)
    rss = _rss_mb()
    return {
        **_snapshots(seen, plan, LIMIT),
        "status": plan.status,
        "ok": check(problem, plan).ok,
        "solve_wall": solve_wall,
        "terms": dict(plan.objective),
        "replan_seconds": seconds,
        "replan_first": first_replan[0] if first_replan else math.nan,
        "replan_changes": replan.objective.get("changes", math.nan),
        "replan_ok": check(again, replan).ok,
        "forced": forced,
        "rss": rss,
    }


def _one_cohort() -> dict[str, Any]:
    """The engine on the same instance with every unit given one cohort: the plan keeps H8 of the original
    problem (a unit has *at most* ``cohorts`` cohorts), so its total caps the optimum over every plan, and
    so every valid bound. Measures how much of the engine's total the two rotating teams cost."""
    import dataclasses

    from bench.roster_instances import regency_instance
    from siaga.engines.roster.check import check
    from siaga.engines.roster.solve import solve

    problem = regency_instance(seed=SEED)
    single = dataclasses.replace(problem, units=tuple(dataclasses.replace(u, cohorts=1) for u in problem.units))
    plan = solve(single, time_limit=ONE_COHORT_LIMIT, workers=2, seed=SEED)
    return {"terms": dict(plan.objective), "ok": check(problem, plan).ok, "rss": _rss_mb()}


def _naive() -> dict[str, Any]:
    from bench.roster_instances import regency_instance
    from siaga.engines.roster.baselines import naive_alternation
    from siaga.engines.roster.check import check

    problem = regency_instance(seed=SEED)
    start = time.perf_counter()
    plan = naive_alternation(problem)
    seconds = time.perf_counter() - start
    again, replan, forced, replan_seconds = _replan(problem, plan, naive_alternation)
    rss = _rss_mb()
    report = check(problem, plan)
    return {
        "first": seconds,
        "total": float(plan.objective["total"]),
        "violations": len(report.violations),
        "replan_seconds": replan_seconds,
        "replan_changes": replan.objective.get("changes", math.nan),
        "replan_violations": len(check(again, replan).violations),
        "forced": forced,
        "rss": rss,
    }


def _monolithic() -> dict[str, Any]:
    from bench.roster_instances import regency_instance
    from siaga.engines.roster.baselines import monolithic
    from siaga.engines.roster.check import check
    from siaga.engines.roster.solve import Progress

    problem = regency_instance(seed=SEED)
    seen: list[tuple[float, float, float]] = []

    def progress(p: Progress) -> None:
        seen.append((p.elapsed, math.nan if p.total is None else p.total, p.bound))

    plan = monolithic(problem, time_limit=LIMIT, workers=2, seed=SEED, on_progress=progress)
    out: dict[str, Any] = {**_snapshots(seen, plan, LIMIT), "status": None if plan is None else plan.status}
    if plan is not None and plan.status != "infeasible":
        again, replan, forced, seconds = _replan(
            problem, plan, lambda p: monolithic(p, time_limit=MONOLITHIC_REPLAN_LIMIT, workers=2, seed=SEED)
        )
        out["rss"] = _rss_mb()
        out.update(
            ok=check(problem, plan).ok,
            replan_seconds=seconds,
            replan_changes=math.nan if replan is None else replan.objective.get("changes", math.nan),
            replan_ok=replan is not None and check(again, replan).ok,
            forced=forced,
        )
    else:
        out.update(rss=_rss_mb(), ok=False, replan_seconds=math.nan, replan_changes=math.nan, replan_ok=False)
    return out


def _province() -> dict[str, Any]:
    from bench.roster_instances import province_instance
    from siaga.engines.roster.check import check
    from siaga.engines.roster.parallel import PartReport, solve_parallel

    problem = province_instance(seed=SEED, employees=PROVINCE_EMPLOYEES, governments=PROVINCE_GOVERNMENTS)
    parts: list[PartReport] = []
    start = time.perf_counter()
    plan = solve_parallel(problem, time_limit=PROVINCE_LIMIT, processes=2, seed=SEED, on_part=parts.append)
    seconds = time.perf_counter() - start
    rss = _rss_mb()
    workers_rss = _rss_mb(resource.RUSAGE_CHILDREN)
    firsts = [math.nan if p.first is None else p.first for p in parts]
    total = float(plan.objective.get("total", math.nan))
    bound = float(plan.bound) if plan.bound is not None else math.nan
    return {
        "employees": len(problem.employees),
        "units": len(problem.units),
        "days": len(problem.days),
        "parts": [(p.employees, p.status) for p in parts],
        "first": max(firsts) if firsts and not any(math.isnan(f) for f in firsts) else math.nan,
        "seconds": seconds,
        "total": total,
        "bound": bound,
        "status": plan.status,
        "ok": check(problem, plan).ok,
        "rss": rss,
        "workers_rss": workers_rss,
    }


CHILDREN: dict[str, Callable[[], dict[str, Any]]] = {
    "engine": _engine,
    "one_cohort": _one_cohort,
    "naive": _naive,
    "monolithic": _monolithic,
    "province": _province,
}


def _child(name: str, queue: Any) -> None:
    try:
        queue.put(CHILDREN[name]())
    except BaseException as error:  # report it to the parent rather than die silently
        queue.put({"error": f"{type(error).__name__}: {error}"})


def measure(name: str) -> dict[str, Any]:
    """Run one measurement in a fresh spawned process and return what it reported."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_child, args=(name, queue))
    start = time.perf_counter()
    process.start()
    result: dict[str, Any] = queue.get()
    process.join()
    if "error" in result:
        raise RuntimeError(f"bench_roster {name}: {result['error']}")
    result["wall"] = time.perf_counter() - start
    return result


def _gap(mark: tuple[float, float] | None) -> float:
    if mark is None or mark[0] <= 0:
        return math.nan if mark is None else 0.0
    return 100.0 * (mark[0] - mark[1]) / mark[0]


def _value(x: float | None) -> float:
    return math.nan if x is None else float(x)


def _base(x: float | None) -> float | None:
    """A baseline figure, or ``None`` (no ratio) when the baseline has none."""
    return None if x is None or math.isnan(x) else float(x)


def rows(
    engine: dict[str, Any],
    naive: dict[str, Any],
    mono: dict[str, Any],
    province: dict[str, Any],
    single: dict[str, Any] | None = None,
) -> list[Row]:
    def yes(flag: bool) -> float:
        return 1.0 if flag else 0.0

    def met(ok: bool) -> str:
        return "met" if ok else "MISSED"

    out: list[Row] = []
    first = _value(engine["first"])
    out.append(
        Row(
            "engine: first feasible plan",
            first,
            "s",
            _base(mono["first"]),
            f"≤ {TARGET_FIRST:.0f} s ({met(first <= TARGET_FIRST)})",
        )
    )
    out.append(Row("  (a) naive A/B: plan built", naive["first"], "s", target="ignores H5–H7"))
    out.append(Row("  (b) monolithic: first feasible plan", _value(mono["first"]), "s", target="60 s cap"))
    for mark in MARKS:
        e, m = engine["marks"][mark], mono["marks"][mark]
        out.append(Row(f"engine: objective at {mark:.0f} s", _value(e and e[0]), "", _base(m and m[0])))
        out.append(Row(f"engine: proven bound at {mark:.0f} s", _value(e and e[1]), "", _base(m and m[1])))
        gap = _gap(e)
        target = f"≤ {100 * TARGET_GAP:.0f} % by 30 s ({met(gap <= 100 * TARGET_GAP)})" if mark == 30.0 else ""
        out.append(Row(f"engine: gap to bound at {mark:.0f} s", gap, "%", _base(_gap(m)), target))
        out.append(
            Row(
                f"  (b) monolithic: objective at {mark:.0f} s",
                _value(m and m[0]),
                "",
                target="—" if m else "no plan yet",
            )
        )
        out.append(Row(f"  (b) monolithic: proven bound at {mark:.0f} s", _value(m and m[1]), ""))
    wall = engine["solve_wall"]
    out.append(Row(f"engine: solve wall time (limit {LIMIT:.0f} s)", wall, "s", target=f"≤ {LIMIT + 1:.0f} s"))
    terms = engine["terms"]
    out.append(
        Row(
            f"engine: terms at {LIMIT:.0f} s (mixing / fairness / underuse)",
            float(terms["total"]),
            "",
            target=f"{terms['mixing']} / {terms['fairness']} / {terms['underuse']}",
        )
    )
    if single is not None:
        t = single["terms"]
        out.append(
            Row(
                f"  one cohort per unit, {ONE_COHORT_LIMIT:.0f} s (caps every valid bound)",
                float(t["total"]),
                "",
                target=f"{t['mixing']} / {t['fairness']} / {t['underuse']}; check {'ok' if single['ok'] else 'FAILED'}",
            )
        )
    out.append(Row("  (a) naive A/B: objective (infeasible plan)", naive["total"], ""))
    out.append(Row("engine: plan passes check() (1 = yes)", yes(engine["ok"]), "", yes(mono["ok"]), "1"))
    out.append(Row("  (b) monolithic: plan passes check() (1 = yes)", yes(mono["ok"]), "", target="1"))
    out.append(Row("  (a) naive A/B: check() violations", naive["violations"], "", target="0 for a valid plan"))
    forced = engine["forced"]
    replan = engine["replan_seconds"]
    out.append(
        Row(
            f"engine: replan, {ISOLATED} isolated (limit {ENGINE_REPLAN_LIMIT:.0f} s)",
            replan,
            "s",
            _base(mono["replan_seconds"]),
            f"≤ {TARGET_REPLAN:.0f} s ({met(replan <= TARGET_REPLAN)})",
        )
    )
    out.append(Row("engine: replan, first complete plan", engine["replan_first"], "s"))
    changes = engine["replan_changes"]
    out.append(
        Row(
            f"engine: replan changes (forced {forced})",
            changes,
            "",
            _base(mono["replan_changes"]),
            f"≤ {TARGET_CHANGES * forced:.0f} = 1.5× forced ({met(changes <= TARGET_CHANGES * forced)})",
        )
    )
    out.append(
        Row("engine: replan passes check() (1 = yes)", yes(engine["replan_ok"]), "", yes(mono["replan_ok"]), "1")
    )
    out.append(Row(f"  (b) monolithic: replan (limit {MONOLITHIC_REPLAN_LIMIT:.0f} s)", mono["replan_seconds"], "s"))
    out.append(Row("  (b) monolithic: replan changes", mono["replan_changes"], ""))
    out.append(Row("  (a) naive A/B: replan", naive["replan_seconds"], "s"))
    out.append(Row("  (a) naive A/B: replan changes", naive["replan_changes"], "", target=f"forced {naive['forced']}"))
    out.append(Row("  (a) naive A/B: replan check() violations", naive["replan_violations"], ""))
    rss = engine["rss"]
    out.append(
        Row(
            "engine: peak memory (solve + replan)",
            rss,
            "MB",
            mono["rss"],
            f"≤ {TARGET_MB:.0f} MB ({met(rss <= TARGET_MB)})",
        )
    )
    out.append(Row("  (a) naive A/B: peak memory", naive["rss"], "MB"))
    out.append(Row("  (b) monolithic: peak memory (solve + replan)", mono["rss"], "MB"))
    days = province["days"]
    out.append(
        Row(
            f"province {province['employees']:,} empl., {days} days: first plan (all parts)",
            province["first"],
            "s",
            first,
            f"2 processes × 1 worker, merge excluded; parts {province['parts']}",
        )
    )
    out.append(
        Row(
            f"province: finished plan (limit {PROVINCE_LIMIT:.0f} s per part)",
            province["seconds"],
            "s",
            engine["wall"],
            f"status {province['status']}, check {'ok' if province['ok'] else 'FAILED'}",
        )
    )
    out.append(Row("province: objective", province["total"], "", _value(engine["marks"][LIMIT][0])))
    out.append(Row("province: proven bound (sum of parts)", province["bound"], "", _value(engine["marks"][LIMIT][1])))
    out.append(
        Row("province: gap to bound", _gap((province["total"], province["bound"])), "%", _gap(engine["marks"][LIMIT]))
    )
    out.append(Row("province: peak memory, parent", province["rss"], "MB", rss))
    out.append(
        Row(
            "province: peak memory, largest worker",
            province["workers_rss"],
            "MB",
            rss,
            f"≤ {TARGET_MB:.0f} MB per process",
        )
    )
    return out


def main() -> None:
    start = time.perf_counter()
    engine = measure("engine")
    single = measure("one_cohort")
    naive = measure("naive")
    mono = measure("monolithic")
    province = measure("province")
    title = (
        f"Roster, regency instance (seed {SEED}: 7,000 employees, 40 units, 16 floors, 2 shifts, 21 working days), "
        f"2 CP-SAT workers; baseline = (b) monolithic employee-level CP-SAT (province: engine at 7,000); "
        f"run {time.perf_counter() - start:.0f} s"
    )
    print_table(title, rows(engine, naive, mono, province, single))


if __name__ == "__main__":
    main()
