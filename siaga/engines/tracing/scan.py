"""Space-time permutation scan statistic (Kulldorff et al. 2005) over places and days.

Events are *case-days*: an index case present at a place (the finest place of the record: a room, or
a floor when the room is not known) on a day of the exposure period, counted once per case, place and
day. Zones are the hierarchy of places: every room, every floor (its rooms and its floor-only records)
and every building. A cylinder is a zone × a window of consecutive days, at most half the period long.

With c_zd the events of zone z on day d, C the total, the expected count of a cylinder A under no
space-time interaction is μ_A = C_zone(A)·C_days(A) / C, and its log-likelihood ratio when c_A > μ_A is

    LLR(A) = c_A·ln(c_A/μ_A) + (C − c_A)·ln((C − c_A)/(C − μ_A)).

The most likely cluster maximises LLR; its p-value is (1 + #{replicates with max LLR ≥ observed}) /
(R + 1), where each replicate permutes the days among the events (keeping places and day totals).
Habits (a case on their own floor every working day) do not make a cluster; cases together at one
place on some days more than their habits and the day totals explain do.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from siaga.engines.tracing.data import Case, Clock, Presence

DEFAULT_REPLICATES = 999


@dataclass(frozen=True)
class ScanResult:
    zone: str
    level: str  # room, floor or building
    start: dt.date
    end: dt.date
    case_days: int  # observed events in the cylinder
    expected: float
    cases: tuple[str, ...]  # the distinct cases with an event in the cylinder
    llr: float
    p: float
    replicates: int
    seed: int
    total_case_days: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": "space-time permutation scan (Kulldorff 2005)",
            "zone": self.zone,
            "zone_level": self.level,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "case_days_observed": self.case_days,
            "case_days_expected": self.expected,
            "observed_over_expected": self.case_days / self.expected,
            "cases": list(self.cases),
            "llr": self.llr,
            "p": self.p,
            "replicates": self.replicates,
            "seed": self.seed,
            "total_case_days": self.total_case_days,
        }


def _xlogx_over(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """x·ln(x/y), 0 where x = 0."""
    safe_x = np.where(x > 0, x, 1.0)
    safe_y = np.where(y > 0, y, 1.0)
    return np.where(x > 0, x * np.log(safe_x / safe_y), 0.0)


def _llr(counts: np.ndarray, expected: np.ndarray, total: float) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        value = _xlogx_over(counts, expected) + _xlogx_over(total - counts, total - expected)
    return np.where(counts > expected, value, 0.0)


def space_time_scan(
    presence: Sequence[Presence],
    cases: Sequence[Case],
    period: tuple[dt.date, dt.date],
    *,
    tz: str = "Asia/Jakarta",
    replicates: int = DEFAULT_REPLICATES,
    seed: int = 0,
    max_window: float = 0.5,
    on_progress: Callable[[int], None] | None = None,
) -> ScanResult | None:
    """The most likely space-time cluster of the index cases' presence in ``period`` (both dates
    included) and its Monte-Carlo p-value; ``None`` when there is no case-day to scan or no cylinder
    holds more case-days than expected. ``on_progress`` is called with the number of replicates done,
    every 50 replicates and at the end (it does not change the result)."""
    clock = Clock(tz)
    first, last = period
    n_days = (last - first).days + 1
    t0, t1 = clock.midnight(first), clock.midnight(last + dt.timedelta(days=1))
    index = {c.person for c in cases if c.is_index}
    events: set[tuple[str, str, int]] = set()
    for r in presence:
        if r.person in index and r.start < t1 and r.end > t0:
            for day, _, _ in clock.split(max(r.start, t0), min(r.end, t1)):
                events.add((r.person, r.place, (day - first).days))
    if not events or n_days < 1:
        return None
    ordered = sorted(events)
    places = sorted({place for _, place, _ in ordered})
    place_index = {p: i for i, p in enumerate(places)}
    ev_place = np.array([place_index[p] for _, p, _ in ordered], dtype=np.int64)
    ev_day = np.array([d for _, _, d in ordered], dtype=np.int64)
    total = len(ordered)

    # Zones: rooms, floors, buildings; membership as a row per zone over the finest places.
    zone_names: list[str] = []
    zone_levels: list[str] = []
    members: list[list[int]] = []
    groups: dict[tuple[str, str], list[int]] = {}
    for i, place in enumerate(places):
        parts = place.split("/")
        keys = [("building", parts[0]), ("floor", "/".join(parts[:2]))]
        if len(parts) == 3:
            keys.append(("room", place))
        for key in keys:
            groups.setdefault(key, []).append(i)
    for (level, name), rows in sorted(groups.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        zone_names.append(name)
        zone_levels.append(level)
        members.append(rows)
    membership = np.zeros((len(zone_names), len(places)))
    for z, rows in enumerate(members):
        membership[z, rows] = 1.0

    longest = max(1, int(n_days * max_window))
    pairs = [(i, j) for i in range(n_days) for j in range(i + 1, min(n_days, i + longest) + 1)]
    starts = np.array([i for i, _ in pairs])
    ends = np.array([j for _, j in pairs])

    def window_counts(days: np.ndarray) -> np.ndarray:
        grid = np.bincount(ev_place * n_days + days, minlength=len(places) * n_days).reshape(len(places), n_days)
        zone_days = membership @ grid
        cumulative = np.concatenate([np.zeros((len(zone_names), 1)), np.cumsum(zone_days, axis=1)], axis=1)
        return cumulative[:, ends] - cumulative[:, starts]

    zone_totals = membership @ np.bincount(ev_place, minlength=len(places)).astype(float)
    day_cumulative = np.concatenate([[0.0], np.cumsum(np.bincount(ev_day, minlength=n_days))])
    window_totals = day_cumulative[ends] - day_cumulative[starts]
    expected = np.outer(zone_totals, window_totals) / total

    observed = window_counts(ev_day)
    llr = _llr(observed, expected, float(total))
    best = int(np.argmax(llr))
    z, w = divmod(best, len(pairs))
    best_llr = float(llr[z, w])
    if best_llr <= 0.0:
        return None

    rng = np.random.default_rng(seed)
    exceed = 0
    for done in range(1, replicates + 1):
        replicate = _llr(window_counts(rng.permutation(ev_day)), expected, float(total)).max()
        if replicate >= best_llr - 1e-9 * max(1.0, best_llr):
            exceed += 1
        if on_progress is not None and (done % 50 == 0 or done == replicates):
            on_progress(done)
    zone_places = {places[i] for i in members[z]}
    lo, hi = int(starts[w]), int(ends[w])
    in_cluster = sorted({person for person, place, day in ordered if place in zone_places and lo <= day < hi})
    return ScanResult(
        zone=zone_names[z],
        level=zone_levels[z],
        start=first + dt.timedelta(days=lo),
        end=first + dt.timedelta(days=hi - 1),
        case_days=int(observed[z, w]),
        expected=float(expected[z, w]),
        cases=tuple(in_cluster),
        llr=best_llr,
        p=(1 + exceed) / (replicates + 1),
        replicates=replicates,
        seed=seed,
        total_case_days=total,
    )
