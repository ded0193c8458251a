"""The roster engine: cohorts first, then a small CP-SAT model per independent part of the building.

1. ``prechecks`` proves the obvious infeasibilities by counting and explains them (``explain.py``).
2. ``form_cohorts`` splits every unit into balanced cohorts (H8, ``cohorts.py``).
3. Units that share a floor interact (H7, mixing); the floor–unit graph falls apart into components that
   are solved one after the other, each with CP-SAT, sharing the time limit by size.
4. In a component the decisions are, for every day d of D:
   - q[g, d] for a *group* g = at most ``SQUAD`` plain flexible members of one cohort seated on one floor
     and given one shift: the whole group is on site in its shift or works from home (rotation by cohort);
   - x[e, d, s] for the employees that coverage, H3 or freezing single out: holders of one of their unit's
     coverage skills, ``always_wfo`` staff, and unfrozen slots on frozen days.
   Everyone else is a constant (off when unavailable, wfh when ``always_wfh``, the previous assignment on
   frozen days). Sending every group home keeps H1–H7, so this model is feasible exactly when the
   problem is: restricting plain staff to their cohort's rotation costs optimality, never feasibility.
   Components of at most ``EXACT_LIMIT`` employees get x[e, d, s] for everyone (no groups).
   Each component starts from a complete feasible hint: the previous plan when replanning; else, for a
   grouped component, the constructive plan (``rotation.py``), which is also the first plan reported,
   before any model is built; for an exact one, the plain rotation (cohort i on the days d ≡ i mod k).
   Hints are repaired greedily and completed by CP-SAT with them fixed. A component whose search finds
   nothing in its share of time keeps its completed hint, so the time limit holds.
5. The plan's objective is recomputed from its assignments (``objective.py``). ``bound`` sums, per
   component, the largest of ``structural_bound`` (a counting bound), ``aggregate_bound`` (the per-day
   relaxation of ``bound.py``, computed beside the search on solves of ``AGGREGATE_FROM`` seconds or
   more), both valid for any plan whatever its cohorts, and, for exact components whose cohorts H8 fixes (one
   cohort, or a replan keeping them), the CP-SAT bound. ``status`` is "optimal" when the total reaches
   that bound.
"""

from __future__ import annotations

import functools
import logging
import math
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from siaga.engines.roster.bound import aggregate_bound
from siaga.engines.roster.cohorts import form_cohorts
from siaga.engines.roster.explain import prechecks, sort_explanations, tanggal, violation_message
from siaga.engines.roster.objective import Row, objective_terms
from siaga.engines.roster.rotation import rotation_grid
from siaga.engines.roster.types import Assignment, Employee, Explanation, Plan, Problem

log = logging.getLogger(__name__)
Expr = Any  # a CP-SAT linear expression or an int (the ortools stubs type these too narrowly)
Slot = tuple[str, str | None]  # (mode, shift) of a constant assignment


@dataclass(frozen=True)
class Progress:
    """For a live progress bar: seconds so far, the best total found and the proven bound (both summed
    over the components solved so far and the current one; ``None`` before the first solution)."""

    elapsed: float
    total: float | None
    bound: float
    done: bool = False


@dataclass
class _Sum:
    """A linear expression being collected: const + Σ coef · var."""

    const: int = 0
    terms: list[tuple[int, cp_model.IntVar]] = field(default_factory=list)

    def add(self, coef: int, var: cp_model.IntVar | None) -> None:
        if var is None:
            self.const += coef
        else:
            self.terms.append((coef, var))

    def expr(self) -> Expr:
        if not self.terms:
            return self.const
        return cp_model.LinearExpr.weighted_sum([v for _, v in self.terms], [c for c, _ in self.terms]) + self.const


EXACT_LIMIT = 60  # components this small get x[e,d,s] for everyone: exact, so their bound is proven
SQUAD = 8  # plain members per group: small enough to fill a cap or a floor closely
AGGREGATE_FROM = 10.0  # seconds: shorter solves (replans) leave the CPU to the search, with the counting bound

GroupKey = tuple[str, str, str, int]  # unit, cohort, floor, squad


class _Data:
    """What every component needs: days, freezing, previous grid, cohorts, the groups."""

    def __init__(self, problem: Problem, cohorts: dict[str, dict[str, list[str]]], *, grouped: bool = True) -> None:
        self.problem = problem
        self.grouped = grouped  # False: every employee decides alone (the monolithic baseline)
        self.days = problem.days
        self.shifts = [s.id for s in problem.shifts]
        self.cohorts = cohorts
        self.cohort_of = {e: name for teams in cohorts.values() for name, ids in teams.items() for e in ids}
        self.frozen = [problem.frozen_until is not None and d <= problem.frozen_until for d in self.days]
        unit_floor = {u.id: u.floor for u in problem.units}
        self.floor = {e.id: e.floor or unit_floor[e.unit] for e in problem.employees}
        day_index = {d: i for i, d in enumerate(self.days)}
        self.previous: dict[tuple[str, int], Assignment] = {}
        if problem.previous_plan is not None:
            for a in problem.previous_plan.assignments:
                di = day_index.get(a.date)
                if di is not None:
                    self.previous.setdefault((a.employee, di), a)
        self.off = {e.id: [e.is_unavailable(d) for d in self.days] for e in problem.employees}
        self.cover_skills = {u.id: frozenset(c.skill for c in u.coverage) for u in problem.units}
        self.fair = {e.id for e in problem.employees if e.mode == "flexible" and not any(self.off[e.id])}
        self.group_of = self._groups()

    def critical(self, e: Employee) -> bool:
        return bool(e.skills) and bool(e.skills & self.cover_skills[e.unit])

    def slot(self, e: Employee, di: int, grouped: bool = True) -> Slot | str:
        """A constant (mode, shift), or "exact"/"free" for x variables, or "group"."""
        if self.off[e.id][di]:
            return ("off", None)
        if e.mode == "always_wfh":
            return ("wfh", None)
        if self.frozen[di]:
            p = self.previous.get((e.id, di))
            if p is not None and (p.mode == "wfh" or (p.mode == "wfo" and p.shift in self.shifts)):
                return (p.mode, p.shift if p.mode == "wfo" else None)
        if e.mode == "always_wfo":
            return "exact"
        if self.frozen[di] or self.critical(e) or not (self.grouped and grouped):
            return "free"
        return "group"

    def _groups(self) -> dict[str, GroupKey]:
        """The group of every plain member: a squad of at most ``SQUAD`` members within cohort and floor.
        It depends on the cohorts only, so a replan sees the same groups."""
        out: dict[str, GroupKey] = {}
        filled: Counter[tuple[str, str, str]] = Counter()
        for e in self.problem.employees:
            if e.mode != "flexible" or self.critical(e):
                continue
            key = (e.unit, self.cohort_of[e.id], self.floor[e.id])
            out[e.id] = (*key, filled[key] // SQUAD)
            filled[key] += 1
        return out


def _weights(problem: Problem) -> tuple[dict[str, int], int]:
    """Integer objective coefficients and the scale they carry (1 when the weights are whole)."""
    raw = {k: float(problem.weights.get(k, 0)) for k in ("mixing", "fairness", "change", "underuse")}
    scale = 1 if all(v.is_integer() for v in raw.values()) else 1000
    return {k: round(v * scale) for k, v in raw.items()}, scale


class _Model:
    """The CP-SAT model of one component (units U_c, floors F_c). With ``slack`` the hard rules H5–H7
    get non-negative slacks and the objective is their sum (to find which rules must give way)."""

    def __init__(
        self,
        data: _Data,
        units: list[str],
        floors: list[str],
        *,
        slack: bool = False,
        hints: bool = True,
        grouped: bool = True,
        start: dict[tuple[str, int], Slot] | None = None,
    ) -> None:
        self.data = data
        self.start = start  # a feasible grid to start from (rotation.py), used as the hint
        self.grouped = grouped
        self.with_hints = hints
        self.problem = data.problem
        self.units = units
        self.floors = floors
        self.slack = slack
        self.scale = 1
        self.hint_objective = 0.0
        self.model = cp_model.CpModel()
        self.x: dict[tuple[str, int, str], cp_model.IntVar] = {}
        self.q: dict[tuple[GroupKey, int, str], cp_model.IntVar] = {}
        self._group_key: dict[int, tuple[GroupKey, int]] = {}
        self.slacks: list[tuple[str, dict[str, object], cp_model.IntVar]] = []
        members = self.problem.members()
        self.staff = [e for u in units for e in members[u]]
        self.size = {u: len(members[u]) for u in units}
        self._variables()
        self._sums()
        self._assignment_rules()
        self._cap()
        self._coverage()
        self._capacity()
        self._objective()

    # -- variables and the sums every rule reads -----------------------------------------------------

    def _variables(self) -> None:
        """x[e,d,s] for exact/free slots, q[g,d] for groups; ``entries`` lists every possible on-site
        (unit, cohort, floor, d, s, count, literal or None for a constant, employee or None for a group)."""
        d = self.data
        self.slots: dict[tuple[str, int], Slot | str] = {}
        self.members_of: dict[tuple[GroupKey, int], list[Employee]] = {}
        self.entries: list[tuple[str, str, str, int, str, int, cp_model.IntVar | None, Employee | None]] = []
        for e in self.staff:
            cohort, floor = d.cohort_of[e.id], d.floor[e.id]
            for di in range(len(d.days)):
                kind = d.slot(e, di, self.grouped)
                self.slots[e.id, di] = kind
                if isinstance(kind, tuple):
                    if kind[0] == "wfo" and kind[1] is not None:
                        self.entries.append((e.unit, cohort, floor, di, kind[1], 1, None, e))
                elif kind == "group":
                    self.members_of.setdefault((d.group_of[e.id], di), []).append(e)
                else:
                    for s in d.shifts:
                        v = self.model.new_bool_var(f"x[{e.id},{di},{s}]")
                        self.x[e.id, di, s] = v
                        self.entries.append((e.unit, cohort, floor, di, s, 1, v, e))
        for (g, di), people in self.members_of.items():
            for s in d.shifts:
                v = self.model.new_bool_var(f"q[{g},{di},{s}]")
                self.q[g, di, s] = v
                self._group_key[v.index] = (g, di)
                self.entries.append((g[0], g[1], g[2], di, s, len(people), v, None))

    def _sums(self) -> None:
        """One pass over ``entries``: on-site per unit/day, per floor/day/shift, per coverage rule, and the
        cohorts present per floor/day/shift."""
        self.unit_day: dict[tuple[str, int], _Sum] = {}
        self.floor_shift: dict[tuple[str, int, str], _Sum] = {}
        self.cover: dict[tuple[str, str, int, str], _Sum] = {}
        self.present: dict[tuple[str, int, str], dict[tuple[str, str], list[cp_model.IntVar | None]]] = {}
        cover_skills = self.data.cover_skills
        for unit, cohort, floor, di, s, n, var, e in self.entries:
            self.unit_day.setdefault((unit, di), _Sum()).add(n, var)
            self.floor_shift.setdefault((floor, di, s), _Sum()).add(n, var)
            self.present.setdefault((floor, di, s), {}).setdefault((unit, cohort), []).append(var)
            if e is not None:
                for skill in e.skills & cover_skills[unit]:
                    self.cover.setdefault((unit, skill, di, s), _Sum()).add(1, var)

    def _relax(self, name: str, fields: dict[str, object], bound: int) -> Expr:
        if not self.slack:
            return 0
        v = self.model.new_int_var(0, max(bound, 0), f"slack_{name}")
        self.slacks.append((name, fields, v))
        return v

    # -- hard constraints ----------------------------------------------------------------------------

    def _assignment_rules(self) -> None:
        """H1–H4: Σ_s x[e,d,s] = 1 for always_wfo (H3), ≤ 1 otherwise (one shift at most, H4);
        Σ_s q[g,d,s] ≤ 1 for a group."""
        for g, di in self.members_of:
            self.model.add_at_most_one([self.q[g, di, s] for s in self.data.shifts])
        for (eid, di), kind in self.slots.items():
            if kind in ("exact", "free"):
                xs = [self.x[eid, di, s] for s in self.data.shifts]
                if kind == "exact":
                    self.model.add_exactly_one(xs)
                else:
                    self.model.add_at_most_one(xs)

    def _cap(self) -> None:
        """H5: ∀u, d: |{e ∈ E_u : x(e,d) = wfo}| ≤ ⌊wfo_cap_u · N_u⌋."""
        for u in self.units:
            cap = self.problem.unit(u).cap_count(self.size[u])
            for di, day in enumerate(self.data.days):
                acc = self.unit_day.get((u, di), _Sum())
                if not acc.terms and acc.const <= cap:
                    continue
                extra = self._relax("cap", {"unit": u, "date": day, "possible": cap}, self.size[u])
                self.model.add(acc.expr() <= cap + extra)

    def _coverage(self) -> None:
        """H6: ∀u, d, s, (k, m): |{e ∈ E_u : k ∈ skills(e), x(e,d) = wfo in s}| ≥ m."""
        for u in self.units:
            for rule in self.problem.unit(u).coverage:
                for di, day in enumerate(self.data.days):
                    for s in self.data.shifts:
                        have = self.cover.get((u, rule.skill, di, s), _Sum())
                        fields = {"unit": u, "date": day, "shift": s, "skill": rule.skill, "needed": rule.min}
                        short = self._relax("coverage", fields, rule.min)
                        self.model.add(have.expr() + short >= rule.min)

    def _capacity(self) -> None:
        """H7: ∀f, d, s: |{e : floor(e) = f, x(e,d) = wfo in s}| ≤ capacity_f."""
        capacity = {f.id: f.capacity for f in self.problem.floors}
        for (f, di, s), acc in sorted(self.floor_shift.items(), key=lambda kv: kv[0]):
            if not acc.terms and acc.const <= capacity[f]:
                continue
            fields = {"floor": f, "date": self.data.days[di], "shift": s, "possible": capacity[f]}
            extra = self._relax("capacity", fields, len(self.staff))
            self.model.add(acc.expr() <= capacity[f] + extra)

    # -- objective terms -----------------------------------------------------------------------------

    def _mixing(self) -> Expr:
        """mixing = Σ_{f,d,s} mix[f,d,s], mix ≥ Σ_c p[c,f,d,s] − 1, mix ≥ 0, p[c,f,d,s] ≥ each on-site literal
        of cohort c there (p = 1 when a constant member is on site)."""
        total: list[Expr] = []
        for key in sorted(self.present):
            by_cohort = self.present[key]
            if len(by_cohort) < 2:
                continue
            count: list[Expr] = []
            for c in sorted(by_cohort):
                lits = by_cohort[c]
                if any(v is None for v in lits):
                    count.append(1)
                    continue
                p = self.model.new_bool_var(f"p[{c},{key}]")
                for v in lits:
                    assert v is not None
                    self.model.add_implication(v, p)
                count.append(p)
            mix = self.model.new_int_var(0, len(by_cohort) - 1, f"mix[{key}]")
            self.model.add(mix >= sum(count) - 1)
            total.append(mix)
        return sum(total)

    def _fairness(self) -> Expr:
        """fairness = Σ_u (hi_u − lo_u), lo_u ≤ Σ_d wfo(e,d) ≤ hi_u for flexible e ∈ E_u fully available."""
        d = self.data
        own: dict[str, _Sum] = {}
        for *_, var, e in self.entries:
            if e is not None and e.id in d.fair:
                own.setdefault(e.id, _Sum()).add(1, var)
        # a fully available plain member is in its group on every day that is not frozen: one sum per group
        shared: dict[GroupKey, list[cp_model.IntVar]] = {}
        for (g, *_), var in self.q.items():
            shared.setdefault(g, []).append(var)
        count: dict[str, tuple[tuple, _Sum]] = {}
        for e in self.staff:
            if e.id not in d.fair:
                continue
            mine = own.get(e.id, _Sum())
            group = d.group_of.get(e.id) if self.grouped else None
            group_vars = shared.get(group, []) if group is not None else []
            key = (group, mine.const, *sorted(v.index for _, v in mine.terms))
            count[e.id] = (key, _Sum(mine.const, mine.terms + [(1, v) for v in group_vars]))
        total: list[Expr] = []
        n = len(d.days)
        for u in self.units:
            distinct: dict[tuple, _Sum] = {}
            for e in self.staff:
                if e.unit == u and e.id in count:
                    key, acc = count[e.id]
                    distinct.setdefault(key, acc)
            if len(distinct) < 2:
                continue
            hi = self.model.new_int_var(0, n, f"hi[{u}]")
            lo = self.model.new_int_var(0, n, f"lo[{u}]")
            self.model.add(lo <= hi)
            for acc in distinct.values():
                self.model.add(hi >= acc.expr())
                self.model.add(lo <= acc.expr())
            total.append(hi - lo)
        return sum(total)

    def _changes(self) -> Expr:
        """changes = Σ_{e, d > frozen_until, previous(e,d) given} [x(e,d) ≠ previous(e,d)]."""
        d = self.data
        const = 0
        coef: dict[int, int] = {}
        var_of: dict[int, cp_model.IntVar] = {}

        def add(c: int, v: cp_model.IntVar) -> None:
            coef[v.index] = coef.get(v.index, 0) + c
            var_of[v.index] = v

        for e in self.staff:
            for di in range(len(d.days)):
                p = d.previous.get((e.id, di))
                if p is None or d.frozen[di]:
                    continue
                before: Slot = (p.mode, p.shift if p.mode == "wfo" else None)
                kind = self.slots[e.id, di]
                if isinstance(kind, tuple):
                    const += int(kind != before)
                elif kind in ("exact", "free"):
                    if before[0] == "wfo" and before[1] in d.shifts:
                        const += 1
                        add(-1, self.x[e.id, di, str(before[1])])
                    elif before[0] == "wfh":
                        for s in d.shifts:
                            add(1, self.x[e.id, di, s])
                    else:
                        const += 1
                else:
                    g = d.group_of[e.id]
                    if before[0] == "wfo" and before[1] in d.shifts:
                        const += 1
                        add(-1, self.q[g, di, str(before[1])])
                    elif before == ("wfh", None):
                        for s in d.shifts:
                            add(1, self.q[g, di, s])
                    else:
                        const += 1
        terms = [(c, var_of[i]) for i, c in coef.items() if c]
        return _Sum(const, terms).expr()

    def _underuse(self) -> Expr:
        """underuse = Σ_{u,d} under[u,d], under ≥ ⌊wfo_target_u · N_u⌋ − on-site(u,d), under ≥ 0."""
        total: list[Expr] = []
        for u in self.units:
            target = self.problem.unit(u).target_count(self.size[u])
            if target == 0:
                continue
            for di in range(len(self.data.days)):
                acc = self.unit_day.get((u, di), _Sum())
                if not acc.terms:
                    total.append(max(0, target - acc.const))
                    continue
                under = self.model.new_int_var(0, target, f"under[{u},{di}]")
                self.model.add(under >= target - acc.expr())
                total.append(under)
        return sum(total)

    def _objective(self) -> None:
        """minimise w_mixing·mixing + w_fairness·fairness + w_change·changes + w_underuse·underuse."""
        if self.slack:
            self.model.minimize(sum(v for _, _, v in self.slacks))
            return
        w, self.scale = _weights(self.problem)
        self.model.minimize(
            w["mixing"] * self._mixing()
            + w["fairness"] * self._fairness()
            + w["change"] * self._changes()
            + w["underuse"] * self._underuse()
        )
        if self.with_hints:
            self._hints()

    def _hints(self) -> None:
        """AddHint a complete assignment: the previous plan on the days that are not frozen (a group follows
        its majority), or else the plain rotation; repaired greedily so that it satisfies H3–H7."""
        d = self.data
        hint: dict[int, bool] = {}
        if d.previous:
            for (eid, di, s), var in self.x.items():
                p = d.previous.get((eid, di))
                hint[var.index] = p is not None and p.mode == "wfo" and p.shift == s
            for (g, di), people in self.members_of.items():
                votes: Counter[str | None] = Counter()
                for e in people:
                    p = d.previous.get((e.id, di))
                    if p is not None:
                        votes[p.shift if p.mode == "wfo" and p.shift in d.shifts else None] += 1
                choice = max(votes, key=lambda k: (votes[k], k is None)) if votes else None
                for s in d.shifts:
                    hint[self.q[g, di, s].index] = s == choice
        elif self.start is not None:
            for (eid, di, s), var in self.x.items():
                hint[var.index] = self.start[eid, di] == ("wfo", s)
            for (g, di), people in self.members_of.items():
                for s in d.shifts:
                    hint[self.q[g, di, s].index] = self.start[people[0].id, di] == ("wfo", s)
        else:
            self._rotation_hint(hint)
        self._repair(hint)
        indices = [var.index for var in [*self.x.values(), *self.q.values()]]
        self.model.proto.solution_hint.vars.extend(indices)
        self.model.proto.solution_hint.values.extend(int(hint[i]) for i in indices)

    def _rotation_hint(self, hint: dict[int, bool]) -> None:
        """Cohort i of a unit with k cohorts is on site on the days d ≡ i (mod k), its individuals dealt over
        the shifts, its groups in their shift."""
        d = self.data
        order = {u: list(self.data.cohorts[u]) for u in self.units}
        turn: Counter[str] = Counter()
        for e in self.staff:
            names = order[e.unit]
            mine = names.index(d.cohort_of[e.id])
            for di in range(len(d.days)):
                if self.slots[e.id, di] not in ("exact", "free"):
                    continue
                on = self.slots[e.id, di] == "exact" or di % len(names) == mine
                shift = d.shifts[turn[e.unit] % len(d.shifts)]
                if on:
                    turn[e.unit] += 1
                for s in d.shifts:
                    hint[self.x[e.id, di, s].index] = on and s == shift
        # units sharing a floor take turns over the shifts, so that they meet as little as possible; a
        # group goes to its unit's turn while the floor has room, else to the next shift with room
        rank: dict[tuple[str, str], int] = {}
        for u in self.units:
            for f in sorted({d.floor[e.id] for e in self.problem.members()[u]}):
                rank[u, f] = sum(1 for _, floor in rank if floor == f)
        room = {f.id: f.capacity for f in self.problem.floors}
        seated: Counter[tuple[str, int, str]] = Counter()
        for _, _, floor, di, s, n, var, person in self.entries:
            if person is not None and (var is None or hint.get(var.index)):
                seated[floor, di, s] += n
        for (g, di), people in self.members_of.items():
            names = order[g[0]]
            on = di % len(names) == names.index(g[1])
            first = rank[g[0], g[2]]
            chosen: str | None = None
            for k in range(len(d.shifts)):
                candidate = d.shifts[(first + k) % len(d.shifts)]
                if on and seated[g[2], di, candidate] + len(people) <= room[g[2]]:
                    chosen = candidate
                    seated[g[2], di, candidate] += len(people)
                    break
            for s in d.shifts:
                hint[self.q[g, di, s].index] = s == chosen

    def _repair(self, hint: dict[int, bool]) -> None:
        """Make ``hint`` feasible where a greedy step can: one shift for always_wfo (H3), missing holders
        called in (H6), then groups sent home until caps (H5) and floors (H7) hold."""
        d = self.data

        def value(acc: _Sum) -> int:
            return acc.const + sum(c for c, v in acc.terms if hint[v.index])

        for (eid, di), kind in self.slots.items():
            if kind == "exact" and not any(hint[self.x[eid, di, s].index] for s in d.shifts):
                hint[self.x[eid, di, d.shifts[0]].index] = True
        for u in self.units:
            holders = [e for e in self.staff if e.unit == u and e.skills & d.cover_skills[u]]
            for rule in self.problem.unit(u).coverage:
                for di in range(len(d.days)):
                    for s in d.shifts:
                        short = rule.min - value(self.cover.get((u, rule.skill, di, s), _Sum()))
                        for e in holders:
                            if short <= 0:
                                break
                            if (
                                rule.skill in e.skills
                                and self.slots[e.id, di] == "free"
                                and not any(hint[self.x[e.id, di, t].index] for t in d.shifts)
                            ):
                                hint[self.x[e.id, di, s].index] = True
                                short -= 1
        groups: dict[tuple[str, int], list[cp_model.IntVar]] = {}
        for (g, di, _), var in self.q.items():
            groups.setdefault((g[0], di), []).append(var)
        for u in self.units:
            cap = self.problem.unit(u).cap_count(self.size[u])
            for di in range(len(d.days)):
                over = value(self.unit_day.get((u, di), _Sum())) - cap
                for var in reversed(groups.get((u, di), [])):
                    if over <= 0:
                        break
                    if hint[var.index]:
                        hint[var.index] = False
                        over -= len(self.members_of[self._group_key[var.index]])
        capacity = {f.id: f.capacity for f in self.problem.floors}
        for (f, *_), acc in self.floor_shift.items():
            over = value(acc) - capacity[f]
            for c, var in acc.terms:
                if over <= 0:
                    break
                if var.index in self._group_key and hint[var.index]:
                    hint[var.index] = False
                    over -= c

    def complete_hint(self, seed: int) -> bool:
        """Extend the hint on x and q to every variable by solving the model with them fixed, so that the
        search starts from a complete feasible solution; False when the repaired hint is not feasible."""
        if not self.model.proto.solution_hint.vars:
            return False
        solver = cp_model.CpSolver()
        solver.parameters.fix_variables_to_their_hinted_value = True
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = seed
        solver.parameters.max_deterministic_time = 1.0
        if solver.solve(self.model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return False
        values = list(solver.response_proto.solution)
        self.model.clear_hints()
        self.model.proto.solution_hint.vars.extend(range(len(values)))
        self.model.proto.solution_hint.values.extend(values)
        self.hint_objective = solver.objective_value
        return True

    # -- reading a solution --------------------------------------------------------------------------

    def assignments(self, value: Callable[[cp_model.IntVar], int]) -> dict[tuple[str, int], Slot]:
        out: dict[tuple[str, int], Slot] = {}
        for (eid, di), kind in self.slots.items():
            out[eid, di] = kind if isinstance(kind, tuple) else ("wfh", None)
        for (eid, di, s), var in self.x.items():
            if value(var):
                out[eid, di] = ("wfo", s)
        for (g, di, s), var in self.q.items():
            if value(var):
                for e in self.members_of[g, di]:
                    out[e.id, di] = ("wfo", s)
        return out


class _Watch(cp_model.CpSolverSolutionCallback):
    """Reports every improving solution and stops the search when the web app cancels."""

    def __init__(self, report: Callable[[float, float], None], should_stop: Callable[[], bool] | None) -> None:
        super().__init__()
        self.report = report
        self.should_stop = should_stop
        self.stopped = False

    def on_solution_callback(self) -> None:
        self.report(self.objective_value, self.best_objective_bound)
        if self.should_stop is not None and self.should_stop():
            self.stopped = True
            self.stop_search()


def components(problem: Problem) -> list[tuple[list[str], list[str]]]:
    """Connected components of the floor–unit graph (unit — its floor and its members' floors)."""
    parent: dict[str, str] = {}

    def find(a: str) -> str:
        while parent.setdefault(a, a) != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    def join(a: str, b: str) -> None:
        parent[find(a)] = find(b)

    for u in problem.units:
        join("u:" + u.id, "f:" + u.floor)
    for e in problem.employees:
        join("u:" + e.unit, "f:" + problem.floor_of(e))
    out: dict[str, tuple[list[str], list[str]]] = {}
    for u in problem.units:
        out.setdefault(find("u:" + u.id), ([], []))[0].append(u.id)
    for f in problem.floors:
        root = find("f:" + f.id)
        if root in out:
            out[root][1].append(f.id)
    return list(out.values())


def solve(
    problem: Problem,
    *,
    time_limit: float = 30.0,
    workers: int = 2,
    seed: int = 0,
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> Plan:
    """Plan ``problem`` within ``time_limit`` seconds; with ``workers=1`` and a fixed ``seed`` the plan is
    the same on every run. ``should_stop`` cancels: the best plan so far is returned as "feasible"."""
    start = time.perf_counter()
    cohorts = form_cohorts(problem)
    reasons = prechecks(problem)
    if reasons:
        return Plan(
            status="infeasible",
            cohorts=cohorts,
            explanation=reasons,
            solve_seconds=time.perf_counter() - start,
            objective={},
        )
    prepared = time.perf_counter()
    data = _Data(problem, cohorts)
    # the machine's pace: assembling the plan costs up to 12 times as much as preparing the data
    pace = time.perf_counter() - prepared
    parts = components(problem)
    members = problem.members()
    sizes = [1 + sum(len(members[u]) for u in units) for units, _ in parts]
    grid: dict[tuple[str, int], Slot] = {}
    done_total, done_bound = 0.0, 0.0
    explanations: list[Explanation] = []
    cancelled = False
    exact = [size - 1 <= EXACT_LIMIT for size in sizes]
    # CP-SAT proves its bound for the cohorts of step 2; it bounds every plan only where H8 leaves no
    # other choice of cohorts
    forced = [all(_cohorts_forced(problem, u, members[u]) for u in units) for units, _ in parts]
    floor_bounds = [structural_bound(data, units, floors) for units, floors in parts]
    # Small components are exact: their completed hint (the plain rotation, repaired) comes first, and
    # CP-SAT solves them from it. The big ones start from the constructive plan (rotation.py), which is
    # ready before their models are built: together these are the first plan reported.
    starts = [
        rotation_grid(data, units) if not exact[i] and problem.previous_plan is None else None
        for i, (units, _) in enumerate(parts)
    ]
    models: list[_Model | None] = [None] * len(parts)
    hinted: list[float | None] = [None] * len(parts)

    def build(i: int) -> None:
        units, floors = parts[i]
        model = _Model(data, units, floors, grouped=not exact[i], start=starts[i])
        models[i] = model
        hinted[i] = model.hint_objective / model.scale if model.complete_hint(seed) else None

    for i in range(len(parts)):
        if exact[i]:
            build(i)
    early = all(starts[i] is not None or (exact[i] and hinted[i] is not None) for i in range(len(parts)))
    if on_progress is not None and early:
        whole: dict[tuple[str, int], Slot] = {}
        for i, model in enumerate(models):
            whole.update(starts[i] if model is None else _hint_grid(model))  # type: ignore[arg-type]
        days = data.days
        rows = [Row(e, days[di], mode, shift) for (e, di), (mode, shift) in whole.items()]
        first = objective_terms(problem, rows, cohorts)["total"]
        on_progress(Progress(time.perf_counter() - start, float(first), sum(floor_bounds)))
    for i in range(len(parts)):
        if not exact[i]:
            build(i)
    # every component starts from its completed hint, a feasible solution: together they are the first plan
    if on_progress is not None and not early and all(h is not None for h in hinted):
        on_progress(Progress(time.perf_counter() - start, sum(h or 0.0 for h in hinted), sum(floor_bounds)))
    # keep time to assemble the plan (about 4 µs per employee-day) within the limit
    finish = min(0.25 * time_limit, max(4e-6 * len(problem.employees) * len(data.days), 12 * pace))
    # the per-day aggregate relaxation (bound.py) raises the counting bound where floors are tight; it
    # runs beside the search (CP-SAT releases the interpreter while it solves) and stops at the deadline
    bound_weights, bound_scale = _weights(problem)
    deadline = start + time_limit - finish

    def strengthen() -> None:
        for i, (units, floors) in enumerate(parts):
            found = aggregate_bound(data, units, floors, bound_weights, bound_scale, seed=seed, deadline=deadline)
            floor_bounds[i] = max(floor_bounds[i], found)

    bounding = threading.Thread(target=strengthen, daemon=True)
    if time_limit >= AGGREGATE_FROM:
        bounding.start()
    proven = [0.0] * len(parts)  # the CP-SAT bound of exact components
    for i, (units, floors) in enumerate(parts):
        built = models[i]
        assert built is not None
        remaining = time_limit - finish - (time.perf_counter() - start)
        if remaining < 0.1 and hinted[i] is not None:
            # out of time (a loaded machine): starting CP-SAT alone would overrun; keep the completed hint
            grid.update(_hint_grid(built))
            done_total += hinted[i] or 0.0
            done_bound += floor_bounds[i]
            continue
        left = max(0.05, remaining)
        # by size, but never so little that a small component cannot find its first solution
        share = max(left * sizes[i] / sum(sizes[i:]), min(0.5, left / (len(parts) - i)))
        solver = cp_model.CpSolver()
        params = solver.parameters
        params.num_workers = max(1, workers)
        params.random_seed = seed
        if workers <= 1:
            # the deterministic clock keeps single-worker runs reproducible
            params.max_deterministic_time = max(0.05, share)
            params.max_time_in_seconds = max(0.05, share) * 4
        else:
            params.max_time_in_seconds = max(0.05, share)
        if cancelled:
            params.stop_after_first_solution = True
        scale = built.scale

        def report(
            value: float,
            bound: float,
            base_total: float = done_total,
            base_bound: float = done_bound,
            i: int = i,
            scale: int = scale,
        ) -> None:
            if on_progress is not None:
                proven = max(0.0, bound / scale) if exact[i] and forced[i] else floor_bounds[i]
                rest = sum(h or 0.0 for h in hinted[i + 1 :])
                total = base_total + value / scale + rest
                on_progress(
                    Progress(time.perf_counter() - start, total, base_bound + proven + sum(floor_bounds[i + 1 :]))
                )

        watch = _Watch(report, None if cancelled else should_stop)
        status = _run(solver, built, watch, should_stop if not cancelled else None)
        if log.isEnabledFor(logging.DEBUG):
            log.debug(
                f"component {i}: {len(units)} units, {len(built.model.proto.variables)} vars, share {share:.2f}s, "
                f"{solver.status_name(status)} {solver.objective_value} ≥ {solver.best_objective_bound} "
                f"at {time.perf_counter() - start:.2f}s"
            )
        if status == cp_model.UNKNOWN and hinted[i] is not None:
            # no solution within the share of time: the completed hint is a feasible one
            grid.update(_hint_grid(built))
            done_total += hinted[i] or 0.0
            done_bound += floor_bounds[i]
            cancelled = cancelled or watch.stopped or (should_stop is not None and should_stop())
            continue
        if status == cp_model.UNKNOWN:
            # no solution within the share of time: take the first one found, whatever it costs
            params.stop_after_first_solution = True
            params.max_time_in_seconds = max(5.0, share)
            params.max_deterministic_time = max(5.0, share)
            status = _run(solver, built, watch, None)
        cancelled = cancelled or watch.stopped or (should_stop is not None and should_stop())
        if status == cp_model.INFEASIBLE:
            explanations.extend(_explain(data, units, floors, workers, seed, max(1.0, min(10.0, time_limit))))
            continue
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            explanations.append(_unknown(problem, units))
            continue
        grid.update(built.assignments(solver.value))
        done_total += solver.objective_value / scale
        if exact[i] and forced[i]:
            bound = max(0.0, solver.best_objective_bound / scale)
            proven[i] = math.ceil(bound - 1e-6) if scale == 1 else bound
        done_bound += max(floor_bounds[i], proven[i])
    if bounding.is_alive():
        bounding.join()
    done_bound = sum(max(b, p) for b, p in zip(floor_bounds, proven, strict=True))
    if explanations:
        return Plan(
            status="infeasible",
            cohorts=cohorts,
            explanation=sort_explanations(explanations),
            solve_seconds=time.perf_counter() - start,
        )
    # every part of the bound holds for every plan: the plan is optimal when it reaches the bound
    plan = plan_from_grid(problem, grid, cohorts, done_bound, True, start)
    if on_progress is not None:
        on_progress(Progress(plan.solve_seconds, float(plan.objective["total"]), float(plan.bound or 0), done=True))
    return plan


def _cohorts_forced(problem: Problem, unit_id: str, staff: list[Employee]) -> bool:
    """Whether H8 fixes the cohorts of a unit: one cohort, at most one member, or a replan that keeps
    the previous cohorts of every member."""
    unit = problem.unit(unit_id)
    if unit.cohorts <= 1 or len(staff) <= 1:
        return True
    before = problem.previous_plan.cohorts.get(unit_id) if problem.previous_plan is not None else None
    if before is None or len(before) != unit.cohorts:
        return False
    kept = {e for ids in before.values() for e in ids}
    return all(e.id in kept for e in staff)


def _hinted_value(hint: dict[int, int], var: cp_model.IntVar) -> int:
    return hint[var.index]


def _hint_grid(built: _Model) -> dict[tuple[str, int], Slot]:
    """The assignments of a model's (completed) hint."""
    proto = built.model.proto.solution_hint
    hint = dict(zip(proto.vars, proto.values, strict=True))
    return built.assignments(functools.partial(_hinted_value, hint))


def structural_bound(data: _Data, units: list[str], floors: list[str]) -> float:
    """A lower bound on the weighted total of any plan of these units, whatever its cohorts and groups.

    changes ≥ the (e, d) whose previous assignment H2/H3 now forbid. For every day d: a unit u is absent
    (underuse = ⌊target·N⌋) or present, with underuse ≥ b_u = (⌊target·N⌋ − min(⌊cap·N⌋, available))⁺;
    a unit with coverage is present in every shift, one with an available always_wfo member in one; each
    unit present in a (floor, shift) is a distinct cohort there, so with P the (unit, floor, shift)
    presences and F_c × S the slots, mixing_d ≥ (P − |F_c|·|S|)⁺. The bound takes the best choice of the
    units that are present (the ones with most underuse to save first)."""
    problem = data.problem
    members = problem.members()
    w, scale = _weights(problem)
    changes = 0
    total = 0.0
    slots = len(floors) * len(data.shifts)
    for u in units:
        for e in members[u]:
            for di in range(len(data.days)):
                p = data.previous.get((e.id, di))
                if p is None or data.frozen[di]:
                    continue
                off = data.off[e.id][di]
                forced = (
                    (off and p.mode != "off")
                    or (not off and p.mode == "off")
                    or (not off and e.mode == "always_wfh" and p.mode == "wfo")
                    or (not off and e.mode == "always_wfo" and p.mode == "wfh")
                )
                changes += int(forced)
    total += w["change"] * changes
    for di in range(len(data.days)):
        occupied = 0
        fixed_cost = 0
        optional: list[tuple[int, int]] = []  # (target, base) of units that may stay away
        for u in units:
            unit = problem.unit(u)
            staff = members[u]
            cap, target = unit.cap_count(len(staff)), unit.target_count(len(staff))
            able = sum(1 for e in staff if not data.off[e.id][di] and e.mode != "always_wfh")
            base = max(0, target - min(cap, able))
            fixed = data.frozen[di] and any(data.slot(e, di) in {("wfo", s) for s in data.shifts} for e in staff)
            if any(rule.min > 0 for rule in unit.coverage):
                occupied += len(data.shifts)
                fixed_cost += base
            elif fixed or any(e.mode == "always_wfo" and not data.off[e.id][di] for e in staff):
                occupied += 1
                fixed_cost += base
            else:
                optional.append((target, base))
        optional.sort(key=lambda tb: tb[1] - tb[0])
        absent = sum(t for t, _ in optional)
        best = math.inf
        present_cost = 0
        for n in range(len(optional) + 1):
            if n:
                target, base = optional[n - 1]
                absent -= target
                present_cost += base
            cost = w["mixing"] * max(0, occupied + n - slots) + w["underuse"] * (fixed_cost + present_cost + absent)
            best = min(best, cost)
        total += best
    return total / scale


def plan_from_grid(
    problem: Problem,
    grid: dict[tuple[str, int], Slot],
    cohorts: dict[str, dict[str, list[str]]],
    bound: float | None,
    proven: bool,
    start: float,
) -> Plan:
    """The plan of a complete grid (employee, day index) → (mode, shift), its objective recomputed; status
    "optimal" only when ``proven`` and the bound reaches the total."""
    days = problem.days
    assignments = [Assignment(e.id, day, *grid[e.id, di]) for e in problem.employees for di, day in enumerate(days)]
    objective = objective_terms(problem, assignments, cohorts)
    total = float(objective["total"])
    bound_value = None if bound is None else min(bound, total)
    optimal = proven and bound_value is not None and bound_value >= total - 1e-9
    return Plan(
        status="optimal" if optimal else "feasible",
        assignments=assignments,
        cohorts=cohorts,
        objective=objective,
        bound=None if bound_value is None else int(bound_value) if float(bound_value).is_integer() else bound_value,
        solve_seconds=time.perf_counter() - start,
    )


def _run(
    solver: cp_model.CpSolver, built: _Model, watch: _Watch, should_stop: Callable[[], bool] | None
) -> cp_model.CpSolverStatus:
    """Solve, with a watcher thread that stops the search as soon as ``should_stop`` says so."""
    if should_stop is None:
        return solver.solve(built.model, watch)
    finished = threading.Event()

    def poll() -> None:
        while not finished.wait(0.05):
            if should_stop():
                watch.stopped = True
                solver.stop_search()
                return

    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    try:
        return solver.solve(built.model, watch)
    finally:
        finished.set()
        thread.join()


def _explain(
    data: _Data, units: list[str], floors: list[str], workers: int, seed: int, seconds: float
) -> list[Explanation]:
    """Re-solve with slacks on H5–H7 and explain every rule that must give way."""
    relaxed = _Model(data, units, floors, slack=True)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = max(1, workers)
    solver.parameters.random_seed = seed
    solver.parameters.max_time_in_seconds = seconds
    status = solver.solve(relaxed.model)
    out: list[Explanation] = []
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        for kind, fields, var in relaxed.slacks:
            amount = solver.value(var)
            if amount <= 0:
                continue
            info = dict(fields)
            if kind == "coverage":
                info["possible"] = int(info["needed"]) - amount  # type: ignore[call-overload]
            else:
                info["needed"] = int(info["possible"]) + amount  # type: ignore[call-overload]
            out.append(
                Explanation(
                    kind=kind,
                    message=violation_message(kind, **info),
                    unit=info.get("unit"),  # type: ignore[arg-type]
                    floor=info.get("floor"),  # type: ignore[arg-type]
                    date=info.get("date"),  # type: ignore[arg-type]
                    shift=info.get("shift"),  # type: ignore[arg-type]
                    skill=info.get("skill"),  # type: ignore[arg-type]
                    needed=info.get("needed"),  # type: ignore[arg-type]
                    possible=info.get("possible"),  # type: ignore[arg-type]
                )
            )
    if not out:
        out.append(_unknown(data.problem, units))
    return out


def _unknown(problem: Problem, units: list[str]) -> Explanation:
    first = problem.days[0] if problem.days else problem.start
    return Explanation(
        kind="mode",
        unit=units[0] if units else None,
        date=first,
        message=(
            f"Jadwal untuk unit {', '.join(units)} mulai {tanggal(first)} tidak dapat disusun: aturan wajib WFO, "
            "jadwal yang dibekukan dan batas WFO saling bertentangan. Periksa status pegawai unit ini."
        ),
    )


__all__ = ["Progress", "components", "plan_from_grid", "solve"]
