"""A constructive plan: cohorts rotate over the days, each unit keeps to one shift per floor and day.

For one component and every day d (cohort i of a unit with k cohorts is the one on site when d ≡ i mod k):

1. constants stay (off, ``always_wfh``, frozen days);
2. per floor, the units with someone coming are given a *main shift* by load, largest first, each to the
   shift with the least load so far (so units of one floor are kept apart while the floor has room);
3. ``always_wfo`` staff come in their unit's main shift; for every coverage rule and shift, holders of the
   cohort on site are called to the shift until the rule is met, then holders of the other cohorts;
4. everyone else of the cohort on site comes in the main shift, or the other shift when the floor or the
   unit's cap leaves no room there, or stays home: squads (``_Data.group_of``) move as a whole, and the
   squad that starts the queue turns from day to day so that nobody is always the one sent home.

The result is checked against H3 and H5–H7 by counting; ``None`` when a rule is not met (the caller then
falls back on the CP-SAT repair of the plain rotation), so every grid returned is feasible.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from siaga.engines.roster.solve import Slot, _Data
    from siaga.engines.roster.types import Employee


def rotation_grid(data: _Data, units: list[str], *, split: bool = False) -> dict[tuple[str, int], Slot] | None:
    """The plan of the component of ``units`` as (employee, day index) → (mode, shift), or ``None``. With
    ``split`` (a component the model decides person by person) squads do not hold together: members come
    one by one, the queue turning from day to day."""
    problem = data.problem
    members = problem.members()
    shifts = data.shifts
    capacity = {f.id: f.capacity for f in problem.floors}
    grid: dict[tuple[str, int], Slot] = {}
    unit_of = {u: problem.unit(u) for u in units}
    caps = {u: unit_of[u].cap_count(len(members[u])) for u in units}
    for di in range(len(data.days)):
        seats: Counter[tuple[str, str]] = Counter()
        onsite: Counter[str] = Counter()
        mandatory: list[Employee] = []
        holders: dict[str, list[Employee]] = {}  # unit → free holders, the cohort on site first
        rest: dict[str, list[list[Employee]]] = {}  # unit → squads / single free members of the cohort on site
        load: Counter[tuple[str, str]] = Counter()  # (unit, floor) → people expected on site

        def put(
            e: Employee, s: str, di: int = di, seats: Counter[tuple[str, str]] = seats, onsite: Counter[str] = onsite
        ) -> None:
            grid[e.id, di] = ("wfo", s)
            seats[data.floor[e.id], s] += 1
            onsite[e.unit] += 1

        for u in units:
            names = list(data.cohorts[u])
            today = names[di % len(names)]
            squads: dict[tuple, list[Employee]] = {}
            mine: list[Employee] = []
            theirs: list[Employee] = []
            for e in members[u]:
                kind = data.slot(e, di)
                if isinstance(kind, tuple):
                    grid[e.id, di] = kind
                    if kind[0] == "wfo" and kind[1] is not None:
                        seats[data.floor[e.id], kind[1]] += 1
                        onsite[u] += 1
                        load[u, data.floor[e.id]] += 1
                    continue
                grid[e.id, di] = ("wfh", None)
                on = data.cohort_of[e.id] == today
                if kind == "exact":
                    mandatory.append(e)
                    load[u, data.floor[e.id]] += 1
                elif data.critical(e):
                    (mine if on else theirs).append(e)
                    load[u, data.floor[e.id]] += int(on)
                elif on:
                    key = data.group_of[e.id] if kind == "group" else ("single", e.id)
                    squads.setdefault(key, []).append(e)
                    load[u, data.floor[e.id]] += 1
            holders[u] = mine + theirs
            queue = list(squads.values())
            if split:
                queue = [[e] for squad in queue for e in squad]
            turn = di % len(queue) if queue else 0
            rest[u] = queue[turn:] + queue[:turn]
            rest[u].append(mine)  # holders of the cohort on site not needed for coverage come last
        main: dict[tuple[str, str], str] = {}
        by_floor: dict[str, list[tuple[int, str]]] = {}
        for (u, f), n in load.items():
            by_floor.setdefault(f, []).append((n, u))
        for f, pairs in by_floor.items():
            used = Counter({s: seats[f, s] for s in shifts})
            for n, u in sorted(pairs, key=lambda p: (-p[0], p[1])):
                s = min(shifts, key=lambda s: (used[s], shifts.index(s)))
                main[u, f] = s
                used[s] += n
        for e in mandatory:
            put(e, main[e.unit, data.floor[e.id]])
        placed: set[str] = {e.id for e in mandatory}
        for u in units:
            for rule in unit_of[u].coverage:
                for s in shifts:
                    have = sum(1 for e in members[u] if rule.skill in e.skills and grid[e.id, di] == ("wfo", s))
                    for e in holders[u]:
                        if have >= rule.min:
                            break
                        if rule.skill in e.skills and e.id not in placed:
                            put(e, s)
                            placed.add(e.id)
                            have += 1
                    if have < rule.min:
                        return None
        for u in units:
            for squad in rest[u]:
                squad = [e for e in squad if e.id not in placed]
                if not squad:
                    continue
                # a squad sits on one floor; single members and leftover holders are placed one by one
                parts = (
                    [squad] if len({data.floor[e.id] for e in squad}) == 1 and len(squad) > 1 else [[e] for e in squad]
                )
                for part in parts:
                    f = data.floor[part[0].id]
                    first = main.get((u, f), shifts[0])
                    for s in [first, *(t for t in shifts if t != first)]:
                        if onsite[u] + len(part) <= caps[u] and seats[f, s] + len(part) <= capacity[f]:
                            for e in part:
                                put(e, s)
                                placed.add(e.id)
                            break
        if any(onsite[u] > caps[u] for u in units):
            return None
        if any(n > capacity[f] for (f, _), n in seats.items()):
            return None
    return grid


__all__ = ["rotation_grid"]
