"""Source ranking of a cluster (outbreak-trace-v1, "Sources"): a retrospective cohort by place.

Index cases are the cluster C, every person in the presence records the population P. A person is
exposed to a place when one of their stays there overlaps the exposure period, from the earliest case
date − 14 days to the end of the latest case date − 2 days, in local days.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from siaga.engines.tracing.data import Case, Clock, Presence, place_at
from siaga.engines.tracing.stats import fisher_greater, holm, risk_ratio

SOURCES_FORMAT = "siaga-outbreak-sources/1"
LOOKBACK_DAYS = 14  # the earliest case date minus this many days starts the exposure period
LAG_DAYS = 2  # the latest case date minus this many days ends it


class NoCasesError(ValueError):
    """The case file has no probable or confirmed case: there is no cluster to explain."""


@dataclass(frozen=True)
class PlaceRisk:
    place: str
    a: int
    b: int
    c: int
    d: int
    attack_rate_exposed: float
    attack_rate_unexposed: float | None
    risk_ratio: float | None
    ci95: tuple[float, float] | None
    p: float
    p_holm: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "place": self.place,
            "a": self.a,
            "b": self.b,
            "c": self.c,
            "d": self.d,
            "attack_rate_exposed": self.attack_rate_exposed,
            "attack_rate_unexposed": self.attack_rate_unexposed,
            "risk_ratio": self.risk_ratio,
            "ci95": None if self.ci95 is None else list(self.ci95),
            "p": self.p,
            "p_holm": self.p_holm,
        }


@dataclass(frozen=True)
class Ranking:
    level: str
    period: tuple[dt.date, dt.date]
    places: list[PlaceRisk]
    population: int
    cases: int  # index cases in the population
    cases_without_presence: tuple[str, ...]  # index cases absent from the presence file (not counted)


def exposure_period(cases: Iterable[Case]) -> tuple[dt.date, dt.date]:
    dates = [c.date for c in cases if c.is_index and c.date is not None]
    if not dates:
        raise NoCasesError("the case file has no probable or confirmed case (konfirmasi-*)")
    return min(dates) - dt.timedelta(days=LOOKBACK_DAYS), max(dates) - dt.timedelta(days=LAG_DAYS)


def rank_places(
    presence: Sequence[Presence], cases: Sequence[Case], *, level: str = "floor", tz: str = "Asia/Jakarta"
) -> Ranking:
    """Every place with someone present in the exposure period, ranked by Holm-adjusted p, then risk
    ratio (descending; none last), then name."""
    clock = Clock(tz)
    first, last = exposure_period(cases)
    t0, t1 = clock.midnight(first), clock.midnight(last + dt.timedelta(days=1))
    population: set[str] = set()
    exposed: dict[str, set[str]] = defaultdict(set)
    for r in presence:
        population.add(r.person)
        if r.start < t1 and r.end > t0:
            exposed[place_at(r.place, level)].add(r.person)
    index = {c.person for c in cases if c.is_index}
    cluster = index & population
    n, k = len(population), len(cluster)
    rows: list[tuple[str, int, int, int, int]] = []
    for place, people in exposed.items():
        a = len(people & cluster)
        b = len(people) - a
        rows.append((place, a, b, k - a, n - k - b))
    p_values = [fisher_greater(a, b, c, d) for _, a, b, c, d in rows]
    adjusted = holm(p_values)
    places = []
    for (place, a, b, c, d), p, p_adj in zip(rows, p_values, adjusted, strict=True):
        rr = risk_ratio(a, b, c, d)
        places.append(
            PlaceRisk(
                place=place,
                a=a,
                b=b,
                c=c,
                d=d,
                attack_rate_exposed=a / (a + b),
                attack_rate_unexposed=c / (c + d) if c + d else None,
                risk_ratio=None if rr is None else rr[0],
                ci95=None if rr is None else (rr[1], rr[2]),
                p=p,
                p_holm=p_adj,
            )
        )
    places.sort(key=lambda r: (r.p_holm, r.risk_ratio is None, -(r.risk_ratio or 0.0), r.place))
    return Ranking(
        level=level,
        period=(first, last),
        places=places,
        population=n,
        cases=k,
        cases_without_presence=tuple(sorted(index - population)),
    )


def sources_document(ranking: Ranking, scan: dict[str, Any] | None) -> dict[str, Any]:
    """SOURCES.json: the format's keys, and the space-time scan under ``space_time_scan``."""
    return {
        "format": SOURCES_FORMAT,
        "level": ranking.level,
        "exposure_period": {"start": ranking.period[0].isoformat(), "end": ranking.period[1].isoformat()},
        "places": [p.as_dict() for p in ranking.places],
        "space_time_scan": scan,
    }
