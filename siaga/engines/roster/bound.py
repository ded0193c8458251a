"""A proven lower bound on the weighted total of *every* feasible plan: the per-day aggregate relaxation.

For one component (units U_c, floors F_c) and one day d, take any feasible plan, whatever its cohorts, and
read off, for every unit u, floor f where some of its members sit, and shift s:

- n[u,f,s] = the members of u seated on f who are on site in s, and y[u,f,s] = [n[u,f,s] > 0].

These counts satisfy, because the plan satisfies H1–H7 and the frozen days:

- fixed[u,f,s] ≤ n[u,f,s] (frozen WFO slots), Σ_s n[u,f,s] ≥ Σ_s fixed[u,f,s] + must[u,f] (available
  ``always_wfo`` staff, H3), Σ_s n[u,f,s] ≤ Σ_s fixed[u,f,s] + must[u,f] + free[u,f] (nobody else may
  come: off, ``always_wfh`` and frozen WFH days are constants), n[u,f,s] ≤ that same total · y[u,f,s];
- H5: Σ_{f,s} n[u,f,s] ≤ ⌊cap_u · N_u⌋; H7: Σ_u n[u,f,s] ≤ capacity_f;
- H6: for every rule (k, m) of u with m > 0 and every s, Σ_f h_k[u,f,s] ≥ m where h_k[u,f,s] ≤ n[u,f,s]
  and h_k[u,f,s] ≤ the holders of k seated on f who may come in;
- the cohorts on site in (f, d, s) number at least Σ_u y[u,f,s], since cohorts of different units differ,
  so mixing(f,d,s) ≥ Σ_u y[u,f,s] − 1 (and ≥ 0); underuse(u,d) ≥ ⌊target_u · N_u⌋ − Σ_{f,s} n[u,f,s].

So min over (n, y, h) of w_mixing · Σ mixing + w_underuse · Σ underuse under these constraints is at most the
plan's mixing and underuse cost on day d. The days do not share a variable of this relaxation; summing the
per-day minima (or any proven bound CP-SAT gives for them) and adding w_change × the changes that H2/H3
force (``forced_changes``) and 0 for fairness bounds the total of every feasible plan. Nothing here
depends on the cohorts, so the bound holds for the engine's cohorts and every other choice of them.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

if TYPE_CHECKING:
    from siaga.engines.roster.solve import _Data


def forced_changes(data: _Data, units: list[str]) -> int:
    """The (employee, day) after ``frozen_until`` whose previous assignment H2/H3 now forbid."""
    members = data.problem.members()
    changes = 0
    for u in units:
        for e in members[u]:
            for di in range(len(data.days)):
                p = data.previous.get((e.id, di))
                if p is None or data.frozen[di]:
                    continue
                off = data.off[e.id][di]
                changes += int(
                    (off and p.mode != "off")
                    or (not off and p.mode == "off")
                    or (not off and e.mode == "always_wfh" and p.mode == "wfo")
                    or (not off and e.mode == "always_wfo" and p.mode == "wfh")
                )
    return changes


def _day_model(
    data: _Data, units: list[str], floors: list[str], di: int, weights: dict[str, int]
) -> tuple[cp_model.CpModel, tuple] | None:
    """The relaxation of day ``di`` and a signature of its data (days with equal data share a solve);
    ``None`` when the day's data already rule out every plan (cannot happen for a feasible problem)."""
    problem = data.problem
    members = problem.members()
    shifts = data.shifts
    capacity = {f.id: f.capacity for f in problem.floors}
    model = cp_model.CpModel()
    n: dict[tuple[str, str, str], cp_model.IntVar] = {}
    y: dict[tuple[str, str, str], cp_model.IntVar] = {}
    signature: list[object] = []
    under_terms = []
    for u in units:
        unit = problem.unit(u)
        staff = members[u]
        fixed: Counter[tuple[str, str]] = Counter()
        must: Counter[str] = Counter()
        free: Counter[str] = Counter()
        holders: dict[str, Counter[str]] = {rule.skill: Counter() for rule in unit.coverage if rule.min > 0}
        holders_fixed: dict[str, Counter[tuple[str, str]]] = {k: Counter() for k in holders}
        for e in staff:
            f = data.floor[e.id]
            kind = data.slot(e, di)
            if isinstance(kind, tuple):
                if kind[0] == "wfo" and kind[1] is not None:
                    fixed[f, kind[1]] += 1
                    for k in holders:
                        if k in e.skills:
                            holders_fixed[k][f, kind[1]] += 1
                continue
            if kind == "exact":
                must[f] += 1
            else:
                free[f] += 1
            for k in holders:
                if k in e.skills:
                    holders[k][f] += 1
        seats = sorted({data.floor[e.id] for e in staff})
        on_site = []
        for f in seats:
            most = sum(fixed[f, s] for s in shifts) + must[f] + free[f]
            row = []
            for s in shifts:
                v = model.new_int_var(fixed[f, s], max(fixed[f, s], most), f"n[{u},{f},{s}]")
                b = model.new_bool_var(f"y[{u},{f},{s}]")
                model.add(v <= most * b)
                n[u, f, s] = v
                y[u, f, s] = b
                row.append(v)
            model.add(sum(row) >= sum(fixed[f, s] for s in shifts) + must[f])
            model.add(sum(row) <= most)
            on_site.extend(row)
            signature.append((u, f, most, must[f], tuple(fixed[f, s] for s in shifts)))
        cap, target = unit.cap_count(len(staff)), unit.target_count(len(staff))
        model.add(sum(on_site) <= cap)
        for rule in unit.coverage:
            if rule.min <= 0:
                continue
            k = rule.skill
            for s in shifts:
                have = []
                for f in seats:
                    top = holders[k][f] + holders_fixed[k][f, s]
                    if top == 0:
                        continue
                    h = model.new_int_var(holders_fixed[k][f, s], top, f"h[{u},{k},{f},{s}]")
                    model.add(h <= n[u, f, s])
                    have.append(h)
                if not have:
                    return None
                model.add(sum(have) >= rule.min)
            signature.append((u, k, tuple(sorted(holders[k].items())), tuple(sorted(holders_fixed[k].items()))))
        if target > 0:
            under = model.new_int_var(0, target, f"under[{u}]")
            model.add(under >= target - sum(on_site))
            under_terms.append(under)
        signature.append((u, cap, target))
    mix_terms = []
    for f in floors:
        for s in shifts:
            count = [n[key] for key in n if key[1] == f and key[2] == s]
            if count:
                model.add(sum(count) <= capacity[f])
            here = [y[key] for key in y if key[1] == f and key[2] == s]
            if len(here) >= 2:
                mix = model.new_int_var(0, len(here) - 1, f"mix[{f},{s}]")
                model.add(mix >= sum(here) - 1)
                mix_terms.append(mix)
    model.minimize(weights["mixing"] * sum(mix_terms) + weights["underuse"] * sum(under_terms))
    return model, tuple(signature)


def aggregate_bound(
    data: _Data,
    units: list[str],
    floors: list[str],
    weights: dict[str, int],
    scale: int,
    *,
    seconds_per_day: float = 0.2,
    seed: int = 0,
    deadline: float | None = None,
) -> float:
    """The per-day aggregate relaxation summed over the days, plus the forced changes (module docstring).
    Each day's CP-SAT solve is cut at ``seconds_per_day`` of deterministic time; its proven bound is used,
    so a cut solve weakens the bound but never invalidates it. Past ``deadline`` (``time.perf_counter()``)
    the remaining days count 0, which keeps the sum a valid, weaker, bound. In objective units."""
    total = float(weights["change"] * forced_changes(data, units))
    solved: dict[tuple, float] = {}
    for di in range(len(data.days)):
        if deadline is not None and time.perf_counter() > deadline:
            break
        built = _day_model(data, units, floors, di, weights)
        if built is None:
            continue  # a day no plan can meet: only reached for an infeasible problem; count it as 0
        model, signature = built
        if signature not in solved:
            solver = cp_model.CpSolver()
            solver.parameters.num_workers = 1
            solver.parameters.random_seed = seed
            solver.parameters.max_deterministic_time = seconds_per_day
            status = solver.solve(model)
            if status == cp_model.OPTIMAL:
                solved[signature] = solver.objective_value
            elif status == cp_model.FEASIBLE:
                solved[signature] = max(0.0, math.ceil(solver.best_objective_bound - 1e-6))
            else:
                solved[signature] = 0.0  # unknown or infeasible (an infeasible problem): no claim
        total += solved[signature]
    return total / scale


__all__ = ["aggregate_bound", "forced_changes"]
