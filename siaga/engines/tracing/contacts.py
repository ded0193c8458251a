"""Close contacts of index cases from presence records (outbreak-trace-v1, "Contacts").

Presence records are grouped by place at the chosen level and sorted by start time once; each stay of a
case inside its infectious window is then matched by binary search against the records of the places it
meets, so the work grows with the records that really overlap, not with all pairs.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from siaga.engines.tracing.data import US, Case, Clock, Presence, place_at

MINUTE = 60 * US


@dataclass(frozen=True)
class Contact:
    """One row of CONTACTS.csv: ``minutes`` on ``date`` (rounded down), ``places`` of the contact."""

    case: str
    contact: str
    date: dt.date
    minutes: int
    places: tuple[str, ...]


class _Bucket:
    """The records of one place, sorted by start, with the longest duration for the search bound."""

    __slots__ = ("ends", "longest", "persons", "places", "starts")

    def __init__(self, records: list[Presence]) -> None:
        records.sort(key=lambda r: r.start)
        self.starts = [r.start for r in records]
        self.ends = [r.end for r in records]
        self.persons = [r.person for r in records]
        self.places = [r.place for r in records]
        self.longest = max(e - s for s, e in zip(self.starts, self.ends, strict=True))

    def overlapping(self, start: int, end: int) -> Iterable[tuple[str, str, int, int]]:
        """(person, place, overlap start, overlap end) of each record overlapping [start, end)."""
        lo = bisect.bisect_right(self.starts, start - self.longest)
        hi = bisect.bisect_left(self.starts, end)
        starts, ends = self.starts, self.ends
        for k in range(lo, hi):
            if ends[k] > start:
                yield self.persons[k], self.places[k], max(start, starts[k]), min(end, ends[k])


class PresenceIndex:
    """Presence records grouped by place at a level, for the places a stay meets."""

    def __init__(self, presence: Sequence[Presence], level: str) -> None:
        self.level = level
        self.groups: dict[str, list[Presence]] = defaultdict(list)
        self.by_person: dict[str, list[Presence]] = defaultdict(list)
        for record in presence:
            self.groups[record.place if level == "room" else place_at(record.place, level)].append(record)
            self.by_person[record.person].append(record)
        self._buckets: dict[str, _Bucket] = {}
        # At room level a floor-only record meets every room of its floor: the keys under each floor.
        self.floor_keys: dict[str, list[str]] = defaultdict(list)
        if level == "room":
            for key in self.groups:
                self.floor_keys["/".join(key.split("/")[:2])].append(key)

    def bucket(self, key: str) -> _Bucket:
        """The sorted records of one place, sorted when a case first needs them."""
        found = self._buckets.get(key)
        if found is None:
            found = self._buckets[key] = _Bucket(self.groups[key])
        return found

    def keys_meeting(self, place: str) -> list[str]:
        """The bucket keys whose records meet a record at ``place``."""
        if self.level != "room":
            key = place_at(place, self.level)
            return [key] if key in self.groups else []
        parts = place.split("/")
        if len(parts) == 2:  # a floor-only record meets every room of the floor and the floor itself
            return self.floor_keys.get(place, [])
        floor = "/".join(parts[:2])
        return [k for k in (place, floor) if k in self.groups]


def infectious_window(case: Case, clock: Clock, before_days: int, after_days: int) -> tuple[int, int] | None:
    """[00:00 of case date − before, 00:00 after case date + after), cut at 00:00 of isolation_start."""
    day = case.date
    if day is None:
        return None
    start = clock.midnight(day - dt.timedelta(days=before_days))
    end = clock.midnight(day + dt.timedelta(days=after_days + 1))
    if case.isolation_start is not None:
        end = min(end, clock.midnight(case.isolation_start))
    return (start, end) if end > start else None


def _union_length(intervals: list[tuple[int, int]]) -> int:
    intervals.sort()
    total, cur_start, cur_end = 0, intervals[0][0], intervals[0][1]
    for s, e in intervals[1:]:
        if s > cur_end:
            total += cur_end - cur_start
            cur_start, cur_end = s, e
        elif e > cur_end:
            cur_end = e
    return total + cur_end - cur_start


def contacts_of(
    case: Case,
    index: PresenceIndex,
    clock: Clock,
    *,
    min_minutes: int = 15,
    before_days: int = 2,
    after_days: int = 14,
) -> list[Contact]:
    """The close contacts of one index case, sorted by contact and date.

    The time a contact spent with the case on a day is the union of the overlaps (two records of the
    case or of the contact that overlap each other are not counted twice)."""
    window = infectious_window(case, clock, before_days, after_days)
    if window is None:
        return []
    w_start, w_end = window
    # (contact, day) -> overlap pieces and the contact's places
    pieces: dict[tuple[str, dt.date], list[tuple[int, int]]] = defaultdict(list)
    places: dict[tuple[str, dt.date], set[str]] = defaultdict(set)
    for own in index.by_person.get(case.person, ()):
        start, end = max(own.start, w_start), min(own.end, w_end)
        if start >= end:
            continue
        for key in index.keys_meeting(own.place):
            for person, place, o_start, o_end in index.bucket(key).overlapping(start, end):
                if person == case.person:
                    continue
                for day, p_start, p_end in clock.split(o_start, o_end):
                    pieces[person, day].append((p_start, p_end))
                    places[person, day].add(place)
    threshold = min_minutes * MINUTE
    out = []
    for (person, day), intervals in pieces.items():
        total = _union_length(intervals)
        if total >= threshold:
            out.append(Contact(case.person, person, day, total // MINUTE, tuple(sorted(places[person, day]))))
    out.sort(key=lambda c: (c.contact, c.date))
    return out


def close_contacts(
    presence: Sequence[Presence],
    cases: Iterable[Case],
    *,
    tz: str = "Asia/Jakarta",
    level: str = "room",
    min_minutes: int = 15,
    before_days: int = 2,
    after_days: int = 14,
) -> list[Contact]:
    """Every row of CONTACTS.csv: the close contacts of every index case, sorted by case, contact, date."""
    clock = Clock(tz)
    index = PresenceIndex(presence, level)
    out: list[Contact] = []
    for case in sorted((c for c in cases if c.is_index), key=lambda c: c.person):
        out.extend(
            contacts_of(case, index, clock, min_minutes=min_minutes, before_days=before_days, after_days=after_days)
        )
    return out


def naive_close_contacts(
    presence: Sequence[Presence],
    cases: Iterable[Case],
    *,
    tz: str = "Asia/Jakarta",
    level: str = "room",
    min_minutes: int = 15,
    before_days: int = 2,
    after_days: int = 14,
) -> list[Contact]:
    """The same rows by comparing every record of every case with every other record (the baseline of
    the benchmark and a cross-check in the tests)."""
    clock = Clock(tz)

    def meet(a: str, b: str) -> bool:
        if level != "room":
            return place_at(a, level) == place_at(b, level)
        pa, pb = a.split("/"), b.split("/")
        if len(pa) == 2 or len(pb) == 2:
            return pa[:2] == pb[:2]
        return a == b

    out: list[Contact] = []
    for case in sorted((c for c in cases if c.is_index), key=lambda c: c.person):
        window = infectious_window(case, clock, before_days, after_days)
        if window is None:
            continue
        pieces: dict[tuple[str, dt.date], list[tuple[int, int]]] = defaultdict(list)
        places: dict[tuple[str, dt.date], set[str]] = defaultdict(set)
        for own in presence:
            if own.person != case.person:
                continue
            start, end = max(own.start, window[0]), min(own.end, window[1])
            for other in presence:
                if other.person == case.person or not meet(own.place, other.place):
                    continue
                o_start, o_end = max(start, other.start), min(end, other.end)
                for day, p_start, p_end in clock.split(o_start, o_end):
                    pieces[other.person, day].append((p_start, p_end))
                    places[other.person, day].add(other.place)
        rows = []
        for (person, day), intervals in pieces.items():
            total = _union_length(intervals)
            if total >= min_minutes * MINUTE:
                rows.append(Contact(case.person, person, day, total // MINUTE, tuple(sorted(places[person, day]))))
        out.extend(sorted(rows, key=lambda c: (c.contact, c.date)))
    return out
