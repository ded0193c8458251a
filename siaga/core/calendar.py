"""The working calendar of a government: its working week, national holidays and cuti bersama
(from the ``holidays`` package), and its own overrides (the joint decree is revised mid-year)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from functools import lru_cache
from types import MappingProxyType

import holidays

from siaga.core.models import CalendarOverride, Government

# How far beyond the requested range a calendar loads when asked about a day outside it.
_EXTEND_BY = dt.timedelta(days=90)


@lru_cache(maxsize=64)
def national_holidays(year: int) -> Mapping[dt.date, str]:
    """National public holidays and collective leave (cuti bersama) of one year, named in Indonesian.

    The mapping is shared between callers (cached), hence read-only.
    """
    calendar = holidays.country_holidays("ID", years=year, categories=("public", "government"), language="id")
    return MappingProxyType(dict(calendar.items()))


class WorkingCalendar:
    """Answers "is this a working day?" for one government.

    It loads the overrides of ``start``…``end`` in one query; asking about a day outside that range
    loads more (so a caller never gets an answer that silently ignores an override).
    """

    def __init__(self, government: Government, start: dt.date, end: dt.date) -> None:
        if end < start:
            raise ValueError(f"The calendar range ends ({end}) before it starts ({start}).")
        self.government = government
        self.workdays = government.workday_numbers
        self.overrides: dict[dt.date, CalendarOverride] = {}
        self._national: dict[dt.date, str] = {}
        self._years: set[int] = set()
        self._load(start, end)
        self.start, self.end = start, end

    def _load(self, low: dt.date, high: dt.date) -> None:
        """Load the overrides and national holidays of ``low``…``high``."""
        self.overrides.update(
            (o.date, o) for o in CalendarOverride.objects.filter(government=self.government, date__range=(low, high))
        )
        for year in range(low.year, high.year + 1):
            if year not in self._years:
                self._years.add(year)
                self._national.update(national_holidays(year))

    def _ensure(self, day: dt.date) -> None:
        """Extend the loaded range to cover ``day`` (and some margin, for callers walking on)."""
        if day < self.start:
            low = day - _EXTEND_BY
            self._load(low, self.start - dt.timedelta(days=1))
            self.start = low
        elif day > self.end:
            high = day + _EXTEND_BY
            self._load(self.end + dt.timedelta(days=1), high)
            self.end = high

    def holiday_name(self, day: dt.date) -> str | None:
        """The name of the holiday or collective leave on ``day``, if any (overrides first)."""
        self._ensure(day)
        override = self.overrides.get(day)
        if override is not None:
            return override.name if override.kind == CalendarOverride.Kind.HOLIDAY else None
        return self._national.get(day)

    def is_working_day(self, day: dt.date) -> bool:
        self._ensure(day)
        override = self.overrides.get(day)
        if override is not None:
            return override.kind == CalendarOverride.Kind.WORKDAY
        return day.weekday() in self.workdays and day not in self._national


def working_days(government: Government, start: dt.date, end: dt.date) -> Iterator[dt.date]:
    """The working days from ``start`` to ``end`` inclusive (none when ``end`` is before ``start``)."""
    if end < start:
        return
    calendar = WorkingCalendar(government, start, end)
    day = start
    while day <= end:
        if calendar.is_working_day(day):
            yield day
        day += dt.timedelta(days=1)


def add_working_days(government: Government, start: dt.date, count: int) -> dt.date:
    """The date ``count`` working days after ``start`` (``start`` itself not counted).

    ``count`` 0 gives ``start`` back unchanged, even on a holiday; a negative count is refused.
    """
    if count < 0:
        raise ValueError(f"count must be zero or more, not {count}.")
    # About 1.4 calendar days per working day plus the longest holiday run; the calendar loads more
    # by itself when this is not enough.
    calendar = WorkingCalendar(government, start, start + dt.timedelta(days=count * 3 // 2 + 30))
    day, left = start, count
    while left > 0:
        day += dt.timedelta(days=1)
        if calendar.is_working_day(day):
            left -= 1
    return day
