"""Presence and case records, their strict CSV form, and local days (see docs/outbreak-format.md).

Times are kept as integer microseconds since the Unix epoch (UTC); calendar days are dates in the zone
given by ``--tz``. Parsing collects every bad row with its line number in a ``DataError``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

US = 1_000_000  # microseconds per second
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
ONE_US = dt.timedelta(microseconds=1)

PRESENCE_COLUMNS = ("person", "place", "start", "end")
CASE_COLUMNS = ("person", "classification", "onset", "specimen", "isolation_start")
CLASSIFICATIONS = ("suspek", "probable", "konfirmasi-simptomatik", "konfirmasi-asimptomatik", "discarded")
INDEX_CLASSIFICATIONS = ("probable", "konfirmasi-simptomatik", "konfirmasi-asimptomatik")
LEVELS = ("room", "floor", "building")
MAX_ERRORS = 100  # a file with more bad rows reports the first ones and how many more


class DataError(ValueError):
    """A file whose rows do not follow the format; ``errors`` holds one message per bad row."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


class Presence(NamedTuple):
    """One stay of a person at a place, ``start`` < ``end`` in microseconds since the epoch."""

    person: str
    place: str  # building/floor/room or building/floor
    start: int
    end: int


@dataclass(frozen=True)
class Case:
    person: str
    classification: str
    onset: dt.date | None = None
    specimen: dt.date | None = None
    isolation_start: dt.date | None = None

    @property
    def is_index(self) -> bool:
        """Probable and confirmed cases are index cases for contacts and the cluster for sources."""
        return self.classification in INDEX_CLASSIFICATIONS

    @property
    def date(self) -> dt.date | None:
        """The case date: the specimen date when asymptomatic, otherwise the onset date."""
        if self.classification == "konfirmasi-asimptomatik":
            return self.specimen
        return self.onset


def micros(moment: dt.datetime) -> int:
    """An aware datetime as integer microseconds since the epoch."""
    return (moment - EPOCH) // ONE_US


class Clock:
    """Local calendar days of one time zone: the instant a date starts, and the date of an instant."""

    def __init__(self, tz: str | dt.tzinfo) -> None:
        self.zone = ZoneInfo(tz) if isinstance(tz, str) else tz
        self.midnight = lru_cache(maxsize=None)(self._midnight)

    def _midnight(self, day: dt.date) -> int:
        return micros(dt.datetime(day.year, day.month, day.day, tzinfo=self.zone))

    def day_of(self, instant: int) -> dt.date:
        return dt.datetime.fromtimestamp(instant // US, self.zone).date()

    def split(self, start: int, end: int) -> Iterable[tuple[dt.date, int, int]]:
        """The pieces of [start, end) on each local calendar day it touches."""
        day = self.day_of(start)
        while start < end:
            nxt = self.midnight(day + dt.timedelta(days=1))
            piece_end = min(end, nxt)
            if piece_end > start:
                yield day, start, piece_end
            start = piece_end
            day += dt.timedelta(days=1)


def place_parts(place: str) -> list[str] | None:
    """``building/floor/room`` or ``building/floor`` split in parts; ``None`` when it is neither."""
    parts = place.split("/")
    if len(parts) not in (2, 3) or any(not p or p != p.strip() for p in parts):
        return None
    return parts


def place_at(place: str, level: str) -> str:
    """The place as seen at a level: the full path at ``room``, the first two parts at ``floor``, the
    building at ``building``."""
    if level == "room":
        return place
    parts = place.split("/")
    return "/".join(parts[:2]) if level == "floor" else parts[0]


def _reader(text: str, columns: tuple[str, ...], name: str) -> tuple[Any, list[int]]:
    """A CSV reader past the header, and the position of each column; a wrong header raises at once."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise DataError([f"{name}: line 1: empty file, expected the header {','.join(columns)}"]) from None
    except csv.Error as exc:
        raise DataError([f"{name}: line 1: {exc}"]) from None
    header = [h.strip() for h in header]
    if sorted(header) != sorted(columns) or len(set(header)) != len(header):
        raise DataError(
            [f"{name}: line 1: the header must be {','.join(columns)} (in any order); found {','.join(header)}"]
        )
    return reader, [header.index(c) for c in columns]


def _rows(text: str, columns: tuple[str, ...], name: str) -> Iterable[tuple[int, list[str] | str]]:
    """Rows of a CSV text as lists of the columns in the format's order, with their line number; a row
    with the wrong number of fields comes as its error message."""
    reader, index = _reader(text, columns, name)
    width = len(columns)
    in_order = index == list(range(width))
    try:
        for row in reader:
            if len(row) != width:
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue  # blank line
                yield reader.line_num, f"expected {width} fields, found {len(row)}"
                continue
            yield reader.line_num, row if in_order else [row[i] for i in index]
    except csv.Error as exc:
        raise DataError([f"{name}: line {reader.line_num}: {exc}"]) from None


def _instant(value: str, field: str) -> int:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{field} {value!r} is not an ISO 8601 time such as 2026-10-01T07:31:00+07:00") from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{field} {value!r} has no UTC offset; write it as 2026-10-01T07:31:00+07:00")
    return micros(moment)


def _date(value: str, field: str) -> dt.date | None:
    value = value.strip()
    if not value:
        return None
    try:
        if len(value) != 10:
            raise ValueError
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{field} {value!r} is not a date YYYY-MM-DD") from None


def _collect(errors: list[str], name: str, line: int, message: str) -> None:
    errors.append(f"{name}: line {line}: {message}")


def _raise(errors: list[str]) -> None:
    if errors:
        more = len(errors) - MAX_ERRORS
        raise DataError(errors[:MAX_ERRORS] + ([f"… and {more} more bad row(s)"] if more > 0 else []))


def parse_presence(text: str, name: str = "PRESENCE.csv") -> list[Presence]:
    """``person,place,start,end`` rows; every bad row is reported, with its line number."""
    out: list[Presence] = []
    errors: list[str] = []
    # The same times, places and people recur across rows: parse each text once, keep one copy.
    instants: dict[str, int] = {}
    places: dict[str, str] = {}
    persons: dict[str, str] = {}
    for line, row in _rows(text, PRESENCE_COLUMNS, name):
        if isinstance(row, str):
            _collect(errors, name, line, row)
            continue
        person, place, start_text, end_text = row
        try:
            known = persons.get(person)
            if known is None:
                known = persons[person] = person.strip()
            if not known:
                raise ValueError("person is empty")
            person = known
            known = places.get(place)
            if known is None:
                if place_parts(place) is None:
                    raise ValueError(f"place {place!r} must be building/floor/room or building/floor")
                known = places[place] = place
            place = known
            start = instants.get(start_text)
            if start is None:
                start = instants[start_text] = _instant(start_text, "start")
            end = instants.get(end_text)
            if end is None:
                end = instants[end_text] = _instant(end_text, "end")
            if end <= start:
                raise ValueError(f"end {end_text} is not after start {start_text}")
        except ValueError as exc:
            _collect(errors, name, line, str(exc))
            continue
        out.append(Presence(person, place, start, end))
    _raise(errors)
    return out


def parse_cases(text: str, name: str = "CASES.csv") -> list[Case]:
    """``person,classification,onset,specimen,isolation_start`` rows; one row per person."""
    out: list[Case] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for line, values in _rows(text, CASE_COLUMNS, name):
        if isinstance(values, str):
            _collect(errors, name, line, values)
            continue
        row = dict(zip(CASE_COLUMNS, values, strict=True))
        person, classification = row["person"].strip(), row["classification"].strip()
        try:
            if not person:
                raise ValueError("person is empty")
            if person in seen:
                raise ValueError(f"person {person} is already on line {seen[person]}")
            if classification not in CLASSIFICATIONS:
                raise ValueError(f"classification {classification!r} is not one of {', '.join(CLASSIFICATIONS)}")
            problems = []
            dates: dict[str, dt.date | None] = {}
            for field in ("onset", "specimen", "isolation_start"):
                try:
                    dates[field] = _date(row[field], field)
                except ValueError as exc:
                    problems.append(str(exc))
            if problems:
                raise ValueError("; ".join(problems))
            if classification in ("probable", "konfirmasi-simptomatik") and dates["onset"] is None:
                raise ValueError(f"onset is required for {classification}")
            if classification == "konfirmasi-asimptomatik" and dates["specimen"] is None:
                raise ValueError("specimen is required for konfirmasi-asimptomatik")
        except ValueError as exc:
            _collect(errors, name, line, str(exc))
            continue
        seen[person] = line
        out.append(Case(person, classification, dates["onset"], dates["specimen"], dates["isolation_start"]))
    _raise(errors)
    return out
