"""Source ranking on a hand-computed cohort (outbreak-trace-v1, "Sources")."""

from __future__ import annotations

import datetime as dt

import pytest

from siaga.engines.tracing.sources import NoCasesError, rank_places, sources_document
from siaga.engines.tracing.stats import fisher_greater, holm, risk_ratio
from siaga.engines.tracing.tests.builders import cases, presence

# Case dates 15 and 17 October: the exposure period runs from 1 October to 15 October.
CLUSTER = cases(
    ("c1", "konfirmasi-simptomatik", "2026-10-15", "", ""),
    ("c2", "konfirmasi-asimptomatik", "", "2026-10-17", ""),
    ("c3", "probable", "2026-10-16", "", ""),
    ("s1", "suspek", "", "", ""),  # not part of the cluster
    ("gone", "konfirmasi-simptomatik", "2026-10-16", "", ""),  # no presence: outside the population
)


def day(d: int, place: str, person: str) -> tuple[str, str, str, str]:
    return (person, place, f"2026-10-{d:02d}T08:00", f"2026-10-{d:02d}T16:00")


PEOPLE = presence(
    day(5, "mw/5/501", "c1"),
    day(6, "mw/5/502", "c2"),
    day(7, "mw/5", "c3"),  # floor-only
    day(5, "mw/5/501", "n1"),
    day(5, "mw/6/601", "n2"),
    day(5, "mw/6/601", "n3"),
    day(5, "kb/1/101", "n4"),
    day(5, "kb/1/101", "s1"),
    ("n5", "kb/1/101", "2026-09-30T08:00", "2026-10-01T00:00"),  # ends when the period starts
    ("n6", "kb/2/201", "2026-10-15T23:00", "2026-10-16T01:00"),  # inside until midnight of 15 Oct
    day(16, "mw/6/601", "n7"),  # after the period
)


def test_the_exposure_period_and_the_floor_cohort() -> None:
    ranking = rank_places(PEOPLE, CLUSTER, level="floor")
    assert ranking.period == (dt.date(2026, 10, 1), dt.date(2026, 10, 15))
    assert (ranking.population, ranking.cases, ranking.cases_without_presence) == (11, 3, ("gone",))
    table = {p.place: (p.a, p.b, p.c, p.d) for p in ranking.places}
    # population 11 (c1 c2 c3, n1–n7, s1), cases 3
    assert table == {
        "mw/5": (3, 1, 0, 7),
        "mw/6": (0, 2, 3, 6),  # n7 came after the period
        "kb/1": (0, 2, 3, 6),  # n4 and s1; n5 left at 00:00 on 1 October
        "kb/2": (0, 1, 3, 7),  # n6 until midnight of 15 October
    }
    first = ranking.places[0]
    assert first.place == "mw/5"
    assert first.attack_rate_exposed == 0.75
    assert first.attack_rate_unexposed == 0.0  # not corrected
    rr, lo, hi = risk_ratio(3, 1, 0, 7) or (0.0, 0.0, 0.0)
    assert first.risk_ratio == pytest.approx((3.5 / 5) / (0.5 / 8))  # corrected for the zero cell
    assert first.risk_ratio == rr
    assert first.ci95 == (lo, hi)
    p = [fisher_greater(*table[name]) for name in ("mw/5", "mw/6", "kb/1", "kb/2")]
    assert first.p == pytest.approx(4 / 165)  # C(3,3)·C(8,1)/C(11,4) = 8/330
    assert first.p_holm == pytest.approx(holm(p)[0]) == pytest.approx(16 / 165)


def test_at_room_level_a_floor_only_record_is_its_own_place() -> None:
    ranking = rank_places(PEOPLE, CLUSTER, level="room")
    table = {p.place: (p.a, p.b) for p in ranking.places}
    assert table == {
        "mw/5/501": (1, 1),
        "mw/5/502": (1, 0),
        "mw/5": (1, 0),
        "mw/6/601": (0, 2),
        "kb/1/101": (0, 2),
        "kb/2/201": (0, 1),
    }


def test_at_building_level_and_when_nobody_is_unexposed() -> None:
    everyone = presence(day(5, "mw/1/1", "c1"), day(5, "mw/2/1", "n1"), day(5, "mw/2/1", "n2"))
    ranking = rank_places(everyone, CLUSTER, level="building")
    [place] = ranking.places
    assert (place.place, place.a, place.b, place.c, place.d) == ("mw", 1, 2, 0, 0)
    assert (place.risk_ratio, place.ci95, place.attack_rate_unexposed) == (None, None, None)
    assert place.p == 1.0
    assert sources_document(ranking, None)["places"][0]["ci95"] is None


def test_places_are_sorted_by_holm_p_then_risk_ratio_then_name() -> None:
    people = presence(
        day(5, "b/1/1", "c1"),
        day(5, "b/1/1", "n1"),
        day(5, "b/2/1", "n2"),
        day(5, "b/3/1", "n3"),
        day(5, "a/1/1", "n4"),
    )
    ranking = rank_places(people, cases(("c1", "probable", "2026-10-10", "", "")), level="floor")
    assert [p.place for p in ranking.places] == ["b/1", "a/1", "b/2", "b/3"]
    assert [p.p_holm for p in ranking.places] == [1.0, 1.0, 1.0, 1.0]  # 4 × 0.5 capped; the rest are 1
    assert ranking.places[0].risk_ratio is not None
    assert ranking.places[1].risk_ratio == ranking.places[2].risk_ratio  # ties broken by name


def test_the_document_has_the_format_keys() -> None:
    ranking = rank_places(PEOPLE, CLUSTER, level="floor")
    doc = sources_document(ranking, None)
    assert list(doc) == ["format", "level", "exposure_period", "places", "space_time_scan"]
    assert doc["format"] == "siaga-outbreak-sources/1"
    assert doc["exposure_period"] == {"start": "2026-10-01", "end": "2026-10-15"}
    assert list(doc["places"][0]) == [
        "place",
        "a",
        "b",
        "c",
        "d",
        "attack_rate_exposed",
        "attack_rate_unexposed",
        "risk_ratio",
        "ci95",
        "p",
        "p_holm",
    ]


def test_no_index_case_is_an_error() -> None:
    with pytest.raises(NoCasesError):
        rank_places(PEOPLE, cases(("s1", "suspek", "", "", "")))
