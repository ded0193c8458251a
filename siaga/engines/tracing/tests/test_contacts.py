"""Close contacts, each rule on a hand-computed example (outbreak-trace-v1, "Contacts")."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from siaga.engines.tracing.contacts import Contact, close_contacts, naive_close_contacts
from siaga.engines.tracing.data import Presence, micros
from siaga.engines.tracing.tests.builders import cases, presence

D = dt.date
ONSET_5 = cases(("case", "konfirmasi-simptomatik", "2026-10-05", "", ""))


def test_a_contact_in_the_same_room_for_15_minutes_or_more_is_listed() -> None:
    rows = close_contacts(
        presence(
            ("case", "mw/5/501", "2026-10-05T08:00", "2026-10-05T12:00"),
            ("ani", "mw/5/501", "2026-10-05T09:00", "2026-10-05T09:15"),  # exactly 15 minutes
            ("budi", "mw/5/501", "2026-10-05T09:00", "2026-10-05T09:14"),  # 14 minutes
            ("citra", "mw/5/502", "2026-10-05T08:00", "2026-10-05T12:00"),  # another room
        ),
        ONSET_5,
    )
    assert rows == [Contact("case", "ani", D(2026, 10, 5), 15, ("mw/5/501",))]


def test_the_threshold_is_on_seconds_and_minutes_are_rounded_down() -> None:
    rows = close_contacts(
        presence(
            ("case", "mw/5/501", "2026-10-05T08:00", "2026-10-05T12:00"),
            ("ani", "mw/5/501", "2026-10-05T09:00:00+07:00", "2026-10-05T09:14:59+07:00"),
            ("budi", "mw/5/501", "2026-10-05T09:00:00+07:00", "2026-10-05T09:15:59+07:00"),
        ),
        ONSET_5,
    )
    assert [(r.contact, r.minutes) for r in rows] == [("budi", 15)]


def test_short_meetings_on_one_day_add_up() -> None:
    rows = close_contacts(
        presence(
            ("case", "mw/5/501", "2026-10-05T08:00", "2026-10-05T16:00"),
            ("ani", "mw/5/501", "2026-10-05T08:00", "2026-10-05T08:10"),
            ("ani", "mw/5/501", "2026-10-05T13:00", "2026-10-05T13:06"),
            ("budi", "mw/5/501", "2026-10-05T08:00", "2026-10-05T08:10"),
            ("budi", "mw/5/501", "2026-10-06T08:00", "2026-10-06T08:10"),  # 10 + 10 on two days: no contact
        ),
        ONSET_5,
        min_minutes=15,
    )
    assert rows == [Contact("case", "ani", D(2026, 10, 5), 16, ("mw/5/501",))]


def test_overlapping_records_are_not_counted_twice() -> None:
    rows = close_contacts(
        presence(
            ("case", "mw/5/501", "2026-10-05T08:00", "2026-10-05T09:00"),
            ("case", "mw/5", "2026-10-05T08:00", "2026-10-05T09:00"),  # the same hour, also without room
            ("ani", "mw/5/501", "2026-10-05T08:00", "2026-10-05T08:10"),
            ("ani", "mw/5", "2026-10-05T08:05", "2026-10-05T08:12"),
        ),
        ONSET_5,
        min_minutes=10,
    )
    assert rows == [Contact("case", "ani", D(2026, 10, 5), 12, ("mw/5", "mw/5/501"))]
    assert (
        close_contacts(
            presence(
                ("case", "mw/5/501", "2026-10-05T08:00", "2026-10-05T09:00"),
                ("case", "mw/5", "2026-10-05T08:00", "2026-10-05T09:00"),
                ("ani", "mw/5/501", "2026-10-05T08:00", "2026-10-05T08:10"),
            ),
            ONSET_5,
            min_minutes=11,
        )
        == []
    )  # 10 minutes, not 20


def test_the_window_runs_from_2_days_before_onset_to_the_end_of_14_days_after() -> None:
    people = presence(
        ("case", "b/1/1", "2026-10-02T23:00", "2026-10-20T01:00"),  # one long stay across the window
        ("early", "b/1/1", "2026-10-02T23:00", "2026-10-03T00:20"),  # 20 minutes inside on 3 Oct
        ("before", "b/1/1", "2026-10-02T23:00", "2026-10-03T00:00"),  # ends at the start of the window
        ("late", "b/1/1", "2026-10-19T23:40", "2026-10-20T01:00"),  # 20 minutes on 19 Oct, after on 20 Oct
    )
    rows = close_contacts(people, ONSET_5)
    assert [(r.contact, r.date, r.minutes) for r in rows] == [
        ("early", D(2026, 10, 3), 20),
        ("late", D(2026, 10, 19), 20),
    ]


def test_an_asymptomatic_case_counts_from_the_specimen_date_and_isolation_cuts_the_window() -> None:
    people = presence(
        ("case", "b/1/1", "2026-10-01T08:00", "2026-10-01T09:00"),
        ("case", "b/1/1", "2026-10-08T08:00", "2026-10-08T09:00"),
        ("case", "b/1/1", "2026-10-09T08:00", "2026-10-09T09:00"),
        ("ani", "b/1/1", "2026-10-01T08:00", "2026-10-01T09:00"),
        ("ani", "b/1/1", "2026-10-08T08:00", "2026-10-08T09:00"),
        ("ani", "b/1/1", "2026-10-09T08:00", "2026-10-09T09:00"),
    )
    # specimen 3 Oct: window from 00:00 on 1 Oct; isolation from 9 Oct 00:00 ends it (onset is ignored)
    index = cases(("case", "konfirmasi-asimptomatik", "2026-09-01", "2026-10-03", "2026-10-09"))
    assert [r.date for r in close_contacts(people, index)] == [D(2026, 10, 1), D(2026, 10, 8)]
    assert [r.date for r in close_contacts(people, index, before_days=1)] == [D(2026, 10, 8)]


def test_suspects_and_discarded_cases_have_no_contacts_but_cases_can_be_contacts() -> None:
    people = presence(
        ("a", "b/1/1", "2026-10-05T08:00", "2026-10-05T09:00"),
        ("b", "b/1/1", "2026-10-05T08:00", "2026-10-05T09:00"),
        ("c", "b/1/1", "2026-10-05T08:00", "2026-10-05T09:00"),
    )
    index = cases(
        ("a", "probable", "2026-10-05", "", ""),
        ("b", "konfirmasi-simptomatik", "2026-10-06", "", ""),
        ("c", "suspek", "2026-10-05", "", ""),
    )
    assert [(r.case, r.contact) for r in close_contacts(people, index)] == [
        ("a", "b"),
        ("a", "c"),
        ("b", "a"),
        ("b", "c"),
    ]


def test_a_stay_across_midnight_in_jakarta_counts_on_both_days() -> None:
    people = presence(
        ("case", "b/1/1", "2026-10-05T23:00", "2026-10-06T01:00"),
        ("ani", "b/1/1", "2026-10-05T23:40", "2026-10-06T00:20"),
    )
    rows = close_contacts(people, ONSET_5)
    assert [(r.date, r.minutes) for r in rows] == [(D(2026, 10, 5), 20), (D(2026, 10, 6), 20)]
    # The same instants in UTC (16:40–17:20) fall on one day: 40 minutes on 5 October.
    assert [(r.date, r.minutes) for r in close_contacts(people, ONSET_5, tz="UTC")] == [(D(2026, 10, 5), 40)]


def test_day_totals_follow_the_zone_of_tz() -> None:
    # 06:50–07:10 WIB = 23:50–00:10 UTC: one day in Jakarta (20 min), two days of 10 minutes in UTC.
    people = presence(
        ("case", "b/1/1", "2026-10-06T06:50", "2026-10-06T07:10"),
        ("ani", "b/1/1", "2026-10-06T06:50", "2026-10-06T07:10"),
    )
    assert [(r.date, r.minutes) for r in close_contacts(people, ONSET_5)] == [(D(2026, 10, 6), 20)]
    assert close_contacts(people, ONSET_5, tz="UTC") == []
    assert [(r.date, r.minutes) for r in close_contacts(people, ONSET_5, tz="UTC", min_minutes=10)] == [
        (D(2026, 10, 5), 10),
        (D(2026, 10, 6), 10),
    ]


LEVEL_PEOPLE = [
    ("case", "mw/5/501", "2026-10-05T08:00", "2026-10-05T09:00"),
    ("same_room", "mw/5/501", "2026-10-05T08:00", "2026-10-05T09:00"),
    ("floor_only", "mw/5", "2026-10-05T08:00", "2026-10-05T09:00"),
    ("other_room", "mw/5/502", "2026-10-05T08:00", "2026-10-05T09:00"),
    ("other_floor", "mw/6/601", "2026-10-05T08:00", "2026-10-05T09:00"),
    ("other_building", "kantor-bupati/5/501", "2026-10-05T08:00", "2026-10-05T09:00"),
]


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        ("room", ["floor_only", "same_room"]),
        ("floor", ["floor_only", "other_room", "same_room"]),
        ("building", ["floor_only", "other_floor", "other_room", "same_room"]),
    ],
)
def test_places_meet_at_the_chosen_level(level: str, expected: list[str]) -> None:
    assert [r.contact for r in close_contacts(presence(*LEVEL_PEOPLE), ONSET_5, level=level)] == expected


def test_a_floor_only_record_of_the_case_meets_every_room_of_the_floor() -> None:
    people = [("case", "mw/5", "2026-10-05T08:00", "2026-10-05T09:00"), *LEVEL_PEOPLE[1:]]
    rows = close_contacts(presence(*people), ONSET_5, level="room")
    assert [(r.contact, r.places) for r in rows] == [
        ("floor_only", ("mw/5",)),
        ("other_room", ("mw/5/502",)),
        ("same_room", ("mw/5/501",)),
    ]


def test_places_are_the_contacts_own_places_of_that_day_sorted() -> None:
    people = presence(
        ("case", "mw/5", "2026-10-05T08:00", "2026-10-05T12:00"),
        ("ani", "mw/5/503", "2026-10-05T08:00", "2026-10-05T08:10"),
        ("ani", "mw/5/501", "2026-10-05T09:00", "2026-10-05T09:10"),
        ("ani", "mw/5/501", "2026-10-05T10:00", "2026-10-05T10:10"),
        ("ani", "mw/5/502", "2026-10-06T10:00", "2026-10-06T10:10"),  # a day the case is not there
    )
    assert close_contacts(people, ONSET_5) == [Contact("case", "ani", D(2026, 10, 5), 30, ("mw/5/501", "mw/5/503"))]


def test_the_index_matches_all_pairs_on_random_data() -> None:
    rng = random.Random(7)
    base = micros(dt.datetime(2026, 10, 1, tzinfo=dt.UTC))
    places = ["a/1/1", "a/1/2", "a/1", "a/2/1", "b/1/1", "b/1"]
    records = []
    for _ in range(600):
        start = base + rng.randrange(0, 12 * 86400) * 10**6
        records.append(
            Presence(f"p{rng.randrange(40)}", rng.choice(places), start, start + rng.randrange(60, 6 * 3600) * 10**6)
        )
    index = cases(
        ("p1", "konfirmasi-simptomatik", "2026-10-04", "", ""),
        ("p2", "konfirmasi-asimptomatik", "", "2026-10-06", "2026-10-08"),
        ("p3", "probable", "2026-10-09", "", ""),
    )
    for level in ("room", "floor", "building"):
        fast = close_contacts(records, index, level=level, min_minutes=20)
        assert fast == naive_close_contacts(records, index, level=level, min_minutes=20)
        assert len(fast) > 10
