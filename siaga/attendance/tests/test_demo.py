"""The demo generator follows the published roster and can run twice."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from siaga.attendance import selectors
from siaga.attendance.demo import demo_generate
from siaga.attendance.models import CheckIn, Presence
from siaga.attendance.tests.conftest import publish
from siaga.rostering.models import Absence

pytestmark = pytest.mark.django_db


def test_a_month_follows_the_published_roster(office: dict[str, Any], actor_of: Any) -> None:
    gov = office["government"]
    end = timezone.localdate() - dt.timedelta(days=1)
    start = end - dt.timedelta(days=29)
    days = [start + dt.timedelta(days=i) for i in range(30)]
    people = [office["staff"], office["kabid"], office["staff_umum"], office["kadis"]]
    rows = []
    for i, day in enumerate(days):
        for j, person in enumerate(people):
            mode = "off" if day.weekday() >= 5 else ("wfo" if (i + j) % 2 else "wfh")
            rows.append((person, day, mode))
    publish(gov, rows)
    Absence.objects.create(
        government=gov, employee=office["kadis"], start=days[3], end=days[3], reason="travel", source="t:1"
    )
    counts = demo_generate(government=gov, start=start, end=end, seed=7)

    working = {(p.pk, d): m for p, d, m in rows if m != "off"}
    records = list(CheckIn.objects.all())
    assert counts["check_ins"] == len(records) > 0.9 * len(working)
    for r in records:
        expected = (
            "travel" if (r.employee_id, r.date) == (office["kadis"].pk, days[3]) else working[(r.employee_id, r.date)]
        )
        assert r.mode == expected
        assert r.checked_out_at is not None and r.checked_out_at > r.checked_in_at
        assert (r.building is not None) == (r.mode == "wfo")
    assert counts["wfo"] == sum(1 for r in records if r.mode == "wfo")
    assert Presence.objects.filter(source="check_in").count() == counts["wfo"]
    assert 0 < counts["late"] < counts["wfo"]
    # the recap reads the same days back
    recap = selectors.recap(employees=people, year=end.year, month=end.month, today=end + dt.timedelta(days=1))
    month_records = [r for r in records if (r.date.year, r.date.month) == (end.year, end.month)]
    assert sum(r.wfo + r.wfh + r.travel for r in recap) == len(month_records)

    again = demo_generate(government=gov, start=start, end=end, seed=7)
    assert again == counts
    assert CheckIn.objects.count() == len(records)
    assert Presence.objects.count() == counts["presence"]
