"""The space-time permutation scan finds a planted cluster and nothing in uniform noise (seeded)."""

from __future__ import annotations

import datetime as dt
import random

from siaga.engines.tracing.data import Case, Clock, Presence
from siaga.engines.tracing.scan import space_time_scan

PERIOD = (dt.date(2026, 10, 6), dt.date(2026, 10, 22))
ROOMS = [f"{b}/{f}/{f}0{r}" for b in ("mw", "kb") for f in (1, 2, 3, 5) for r in (1, 2, 3)]
CLOCK = Clock("Asia/Jakarta")
HOUR = 3600 * 10**6


def stay(person: str, place: str, day: dt.date, hours: tuple[int, int] = (8, 16)) -> Presence:
    midnight = CLOCK.midnight(day)
    return Presence(person, place, midnight + hours[0] * HOUR, midnight + hours[1] * HOUR)


def index_cases(n: int) -> list[Case]:
    return [Case(f"c{i:02d}", "konfirmasi-asimptomatik", specimen=dt.date(2026, 10, 22)) for i in range(n)]


def days() -> list[dt.date]:
    return [PERIOD[0] + dt.timedelta(days=k) for k in range((PERIOD[1] - PERIOD[0]).days + 1)]


def habits(rng: random.Random, n: int) -> list[Presence]:
    """Each case in their own room on working days, and a random visit elsewhere now and then."""
    out = []
    for i in range(n):
        home = ROOMS[i % len(ROOMS)]
        for day in days():
            if day.weekday() < 5:
                out.append(stay(f"c{i:02d}", home, day))
            if rng.random() < 0.3:
                out.append(stay(f"c{i:02d}", rng.choice(ROOMS), rng.choice(days()), (16, 17)))
    return out


def test_a_meeting_on_two_days_is_found_with_a_small_p() -> None:
    rng = random.Random(1)
    records = habits(rng, 30)
    meeting = "mw/5/aula"
    for i in range(12):  # twelve cases in the hall on 13 and 14 October
        for day in (dt.date(2026, 10, 13), dt.date(2026, 10, 14)):
            records.append(stay(f"c{i:02d}", meeting, day, (9, 12)))
    result = space_time_scan(records, index_cases(30), PERIOD, replicates=199, seed=3)
    assert result is not None
    assert (result.zone, result.level) == ("mw/5/aula", "room")
    assert (result.start, result.end) == (dt.date(2026, 10, 13), dt.date(2026, 10, 14))
    assert result.case_days == 24
    assert result.cases == tuple(f"c{i:02d}" for i in range(12))
    assert result.case_days > 3 * result.expected
    assert result.p == 1 / 200  # no replicate comes near
    assert result.as_dict()["p"] == 0.005


def test_uniform_noise_gives_no_small_p() -> None:
    rng = random.Random(2)
    records = [stay(f"c{i:02d}", rng.choice(ROOMS), rng.choice(days())) for i in range(30) for _ in range(12)]
    result = space_time_scan(records, index_cases(30), PERIOD, replicates=199, seed=3)
    assert result is not None
    assert result.p > 0.2


def test_the_same_seed_gives_the_same_p_and_another_seed_may_not() -> None:
    rng = random.Random(2)
    records = [stay(f"c{i:02d}", rng.choice(ROOMS), rng.choice(days())) for i in range(30) for _ in range(12)]
    once = space_time_scan(records, index_cases(30), PERIOD, replicates=99, seed=5)
    again = space_time_scan(records, index_cases(30), PERIOD, replicates=99, seed=5)
    other = space_time_scan(records, index_cases(30), PERIOD, replicates=99, seed=6)
    assert once == again
    assert once is not None and other is not None
    assert (once.zone, once.llr) == (other.zone, other.llr)  # the cluster does not depend on the seed


def test_habits_alone_are_not_a_cluster() -> None:
    records = [stay(f"c{i:02d}", ROOMS[i % len(ROOMS)], d) for i in range(30) for d in days() if d.weekday() < 5]
    assert space_time_scan(records, index_cases(30), PERIOD, replicates=99, seed=0) is None


def test_no_case_present_in_the_period_gives_no_scan() -> None:
    records = [stay("c00", "mw/1/101", dt.date(2026, 11, 1))]
    assert space_time_scan(records, index_cases(1), PERIOD, replicates=9) is None


def test_progress_is_reported_without_changing_the_result() -> None:
    rng = random.Random(1)
    records = habits(rng, 20)
    for i in range(8):
        records.append(stay(f"c{i:02d}", "mw/5/aula", dt.date(2026, 10, 13), (9, 12)))
    seen: list[int] = []
    with_progress = space_time_scan(records, index_cases(20), PERIOD, replicates=120, seed=3, on_progress=seen.append)
    without = space_time_scan(records, index_cases(20), PERIOD, replicates=120, seed=3)
    assert seen == [50, 100, 120]
    assert with_progress == without
