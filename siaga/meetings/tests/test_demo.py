"""The demo month: mostly online meetings, some very urgent ones in person with presence, and the
month's mass events postponed under the demo policy."""

from __future__ import annotations

import datetime as dt

import pytest

from siaga.attendance.models import Presence
from siaga.meetings.demo import demo_generate
from siaga.meetings.models import MassEvent, Meeting
from siaga.rostering.problem import policy_in_effect

pytestmark = pytest.mark.django_db


def test_a_demo_month_of_meetings_and_postponed_events(org, rooms, policy, make_employee):
    for _ in range(6):
        make_employee(org["dinas"])
    start, end = dt.date(2020, 10, 1), dt.date(2020, 10, 31)
    counts = demo_generate(government=org["government"], start=start, end=end, seed=7)
    meetings = Meeting.objects.filter(government=org["government"])
    assert counts["meetings"] == meetings.count() > 20
    online = meetings.filter(mode="daring").count()
    in_person = meetings.exclude(mode="daring")
    assert counts["in_person"] == in_person.count() >= 1
    assert online > in_person.count()
    assert set(in_person.values_list("priority", flat=True)) == {"sangat_mendesak"}
    assert set(meetings.values_list("status", flat=True)) == {"approved"}
    # past in-person meetings have their attendance, recorded as presence in the room
    assert counts["attended"] == Presence.objects.filter(source="meeting").count() >= 1
    for presence in Presence.objects.filter(source="meeting"):
        meeting = Meeting.objects.get(pk=int(presence.ref.split(":")[1]))
        assert (presence.room_id, presence.start, presence.end) == (meeting.room_id, meeting.start, meeting.end)
    # the demo's copy of SE 67/2020 bans mass gatherings: every event of the month is postponed
    assert policy_in_effect(government=org["government"], on=start).mass_gathering_ban
    assert counts["events"] == 4 == counts["postponed"]
    assert set(MassEvent.objects.values_list("status", flat=True)) == {"postponed"}
    # a second run adds nothing
    again = demo_generate(government=org["government"], start=start, end=end, seed=7)
    assert (again["meetings"], again["events"], again["postponed"]) == (0, 0, 0)
    assert Meeting.objects.count() == counts["meetings"]
