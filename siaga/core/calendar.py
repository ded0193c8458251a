"""The working calendar of a government: its working week, national holidays and cuti bersama
(from the ``holidays`` package), and its own overrides (the joint decree is revised mid-year)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from functools import lru_cache

import holidays

from siaga.core.models import CalendarOverride, Government


@lru_cache(maxsize=64)
def national_holidays(year: int) -> dict[dt.date, str]:
    """National public holidays and collective leave (cuti bersama) of one year, named in Indonesian."""
    calendar = holidays.country_holidays("ID", years=year, categories=("public", "government"), language="id")
    return dict(calendar.items())


class WorkingCalendar:
    """Answers "is this a working day?" for one government over a range of dates."""

    def __init__(self, government: Government, start: dt.date, end: dt.date) -> None:
        self.government = government
        self.workdays = government.workday_numbers
        self.overrides = {
            o.date: o for o in CalendarOverride.objects.filter(government=government, date__gte=start, date__lte=end)
        }
        self._national: dict[dt.date, str] = {}
        for year in range(start.year, end.year + 1):
            self._national.update(national_holidays(year))

    def holiday_name(self, day: dt.date) -> str | None:
        override = self.overrides.get(day)
        if override is not None:
            return override.name if override.kind == CalendarOverride.Kind.HOLIDAY else None
        return self._national.get(day)

    def is_working_day(self, day: dt.date) -> bool:
        override = self.overrides.get(day)
        if override is not None:
            return override.kind == CalendarOverride.Kind.WORKDAY
        return day.weekday() in self.workdays and day not in self._national


def working_days(government: Government, start: dt.date, end: dt.date) -> Iterator[dt.date]:
    """The working days from ``start`` to ``end`` inclusive."""
    calendar = WorkingCalendar(government, start, end)
    day = start
    while day <= end:
        if calendar.is_working_day(day):
            yield day
        day += dt.timedelta(days=1)


def add_working_days(government: Government, start: dt.date, count: int) -> dt.date:
    """The date ``count`` working days after ``start`` (``start`` itself not counted)."""
    horizon = start + dt.timedelta(days=count * 3 + 30)
    calendar = WorkingCalendar(government, start, horizon)
    day, left = start, count
    while left > 0:
        day += dt.timedelta(days=1)
        if day > horizon:
            calendar = WorkingCalendar(government, day, day + dt.timedelta(days=left * 3 + 30))
            horizon = day + dt.timedelta(days=left * 3 + 30)
        if calendar.is_working_day(day):
            left -= 1
    return day
