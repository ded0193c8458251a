"""Parsing of PRESENCE.csv and CASES.csv: every bad row is reported with its line number."""

from __future__ import annotations

import datetime as dt

import pytest

from siaga.engines.tracing.data import Case, Clock, DataError, Presence, parse_cases, parse_presence


def test_presence_rows_become_instants_in_utc_microseconds() -> None:
    rows = parse_presence(
        "person,place,start,end\n"
        "198003152005011002,menara-wijaya/5/501,2026-10-01T07:31:00+07:00,2026-10-01T08:00:00+07:00\n"
        "p2,menara-wijaya/5,2026-10-01T00:31:00Z,2026-10-01T01:00:00.5+00:00\n"
    )
    start = int(dt.datetime(2026, 10, 1, 0, 31, tzinfo=dt.UTC).timestamp()) * 1_000_000
    assert rows == [
        Presence("198003152005011002", "menara-wijaya/5/501", start, start + 29 * 60_000_000),
        Presence("p2", "menara-wijaya/5", start, start + 29 * 60_000_000 + 500_000),
    ]


def test_columns_may_come_in_any_order() -> None:
    rows = parse_presence("end,start,place,person\n2026-10-01T09:00+07:00,2026-10-01T08:00+07:00,b/1,p\n")
    assert [(r.person, r.place, (r.end - r.start) // 60_000_000) for r in rows] == [("p", "b/1", 60)]


def test_every_bad_presence_row_is_reported_with_its_line_number() -> None:
    text = (
        "person,place,start,end\n"
        "p1,b/1/101,2026-10-01T08:00:00+07:00,2026-10-01T09:00:00+07:00\n"
        "p2,b,2026-10-01T08:00:00+07:00,2026-10-01T09:00:00+07:00\n"
        "p3,b/1/101,2026-10-01T08:00:00,2026-10-01T09:00:00+07:00\n"
        "p4,b/1/101,2026-10-01T09:00:00+07:00,2026-10-01T09:00:00+07:00\n"
        "p5,b//101,2026-10-01T08:00:00+07:00,2026-10-01T09:00:00+07:00\n"
        ",b/1/101,2026-10-01T08:00:00+07:00,2026-10-01T09:00:00+07:00\n"
        "p7,b/1/101,tomorrow,2026-10-01T09:00:00+07:00\n"
        "p8,b/1/101,2026-10-01T08:00:00+07:00\n"
        " ,b/1/101,2026-10-01T08:00:00+07:00,2026-10-01T09:00:00+07:00\n"
        " ,b/1/101,2026-10-01T08:00:00+07:00,2026-10-01T09:00:00+07:00\n"
    )
    with pytest.raises(DataError) as raised:
        parse_presence(text, "presence.csv")
    assert raised.value.errors == [
        "presence.csv: line 3: place 'b' must be building/floor/room or building/floor",
        "presence.csv: line 4: start '2026-10-01T08:00:00' has no UTC offset; write it as 2026-10-01T07:31:00+07:00",
        "presence.csv: line 5: end 2026-10-01T09:00:00+07:00 is not after start 2026-10-01T09:00:00+07:00",
        "presence.csv: line 6: place 'b//101' must be building/floor/room or building/floor",
        "presence.csv: line 7: person is empty",
        "presence.csv: line 8: start 'tomorrow' is not an ISO 8601 time such as 2026-10-01T07:31:00+07:00",
        "presence.csv: line 9: expected 4 fields, found 3",
        "presence.csv: line 10: person is empty",
        "presence.csv: line 11: person is empty",
    ]


def test_a_wrong_header_is_reported_on_line_1() -> None:
    with pytest.raises(DataError) as raised:
        parse_presence("person,room,start,end\n", "x.csv")
    assert raised.value.errors == [
        "x.csv: line 1: the header must be person,place,start,end (in any order); found person,room,start,end"
    ]
    with pytest.raises(DataError, match="empty file"):
        parse_presence("", "x.csv")


def test_many_bad_rows_are_cut_to_the_first_hundred() -> None:
    text = "person,place,start,end\n" + "p,b,x,y\n" * 150
    with pytest.raises(DataError) as raised:
        parse_presence(text)
    assert len(raised.value.errors) == 101
    assert raised.value.errors[-1] == "… and 50 more bad row(s)"


def test_cases_give_the_case_date_by_classification() -> None:
    rows = parse_cases(
        "person,classification,onset,specimen,isolation_start\n"
        "a,konfirmasi-simptomatik,2026-10-05,2026-10-06,2026-10-07\n"
        "b,konfirmasi-asimptomatik,2026-10-01,2026-10-04,\n"
        "c,probable,2026-10-03,,\n"
        "d,suspek,,,\n"
        "e,discarded,,2026-10-02,\n"
    )
    assert rows[0] == Case(
        "a", "konfirmasi-simptomatik", dt.date(2026, 10, 5), dt.date(2026, 10, 6), dt.date(2026, 10, 7)
    )
    assert [(c.person, c.date, c.is_index) for c in rows] == [
        ("a", dt.date(2026, 10, 5), True),
        ("b", dt.date(2026, 10, 4), True),  # asymptomatic: the specimen date, even with an onset
        ("c", dt.date(2026, 10, 3), True),
        ("d", None, False),
        ("e", None, False),
    ]


def test_every_bad_case_row_is_reported_with_its_line_number() -> None:
    text = (
        "person,classification,onset,specimen,isolation_start\n"
        "a,konfirmasi,2026-10-05,,\n"
        "b,probable,,2026-10-05,\n"
        "c,konfirmasi-simptomatik,,,\n"
        "d,konfirmasi-asimptomatik,2026-10-05,,\n"
        "e,suspek,05/10/2026,,2026-13-01\n"
        "f,suspek,,,\n"
        "f,probable,2026-10-05,,\n"
    )
    with pytest.raises(DataError) as raised:
        parse_cases(text, "cases.csv")
    assert raised.value.errors == [
        "cases.csv: line 2: classification 'konfirmasi' is not one of suspek, probable, konfirmasi-simptomatik, "
        "konfirmasi-asimptomatik, discarded",
        "cases.csv: line 3: onset is required for probable",
        "cases.csv: line 4: onset is required for konfirmasi-simptomatik",
        "cases.csv: line 5: specimen is required for konfirmasi-asimptomatik",
        "cases.csv: line 6: onset '05/10/2026' is not a date YYYY-MM-DD; "
        "isolation_start '2026-13-01' is not a date YYYY-MM-DD",
        "cases.csv: line 8: person f is already on line 7",
    ]


def test_a_quoted_field_over_two_lines_keeps_the_following_line_numbers_right() -> None:
    text = (
        "person,place,start,end\n"
        '"p\n1",b/1,2026-10-01T08:00+07:00,2026-10-01T09:00+07:00\n'
        "p2,b,2026-10-01T08:00+07:00,2026-10-01T09:00+07:00\n"
    )
    with pytest.raises(DataError) as raised:
        parse_presence(text, "f")
    assert raised.value.errors == ["f: line 4: place 'b' must be building/floor/room or building/floor"]


def test_the_clock_splits_at_local_midnight() -> None:
    clock = Clock("Asia/Jakarta")
    start = clock.midnight(dt.date(2026, 10, 2)) - 30 * 60_000_000  # 23:30 WIB on 1 October
    pieces = list(clock.split(start, start + 60 * 60_000_000))
    assert pieces == [
        (dt.date(2026, 10, 1), start, start + 30 * 60_000_000),
        (dt.date(2026, 10, 2), start + 30 * 60_000_000, start + 60 * 60_000_000),
    ]
    # 00:00 WIB is 17:00 UTC the day before
    assert clock.midnight(dt.date(2026, 10, 2)) == int(dt.datetime(2026, 10, 1, 17, tzinfo=dt.UTC).timestamp()) * 10**6
