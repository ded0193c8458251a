"""Presence intervals: room scans, overlap queries for contact tracing (task force only, audit-logged),
one's own presence, and the retention purge."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from siaga.attendance import selectors, services
from siaga.attendance.models import Presence
from siaga.attendance.tests.conftest import INSIDE, at
from siaga.core import schedule
from siaga.core.models import AuditEvent
from siaga.org.models import Building, Floor, Room, SpaceStatus

pytestmark = pytest.mark.django_db


def test_room_scan_closes_the_previous_room_and_a_repeat_scan_keeps_it(office: dict[str, Any]) -> None:
    staff, room = office["staff"], office["room"]
    other = Room.objects.create(
        government=office["government"],
        floor=office["floor"],
        code="r-arsip",
        name="Arsip",
        capacity=4,
        distancing_capacity=2,
    )
    first = services.presence_room_scan(employee=staff, room=room, now=at(9, 0))
    assert services.presence_room_scan(employee=staff, room=room, now=at(9, 5)).pk == first.pk
    second = services.presence_room_scan(employee=staff, room=other, now=at(10, 0))
    first.refresh_from_db()
    assert (first.end, first.room, first.floor, first.building) == (
        at(10, 0),
        room,
        office["floor"],
        office["building"],
    )
    assert (second.room, second.end) == (other, None)


def test_room_scan_refuses_a_closed_room_and_another_governments_room(
    office: dict[str, Any], other_government: Any
) -> None:
    room = office["room"]
    room.status = SpaceStatus.CLOSED
    room.save()
    with pytest.raises(ValidationError):
        services.presence_room_scan(employee=office["staff"], room=room, now=at(9, 0))
    b = Building.objects.create(government=other_government, code="x", name="X")
    f = Floor.objects.create(government=other_government, building=b, number=1, capacity=1, distancing_capacity=1)
    foreign = Room.objects.create(
        government=other_government, floor=f, code="x", name="X", capacity=1, distancing_capacity=1
    )
    with pytest.raises(ValidationError):
        services.presence_room_scan(employee=office["staff"], room=foreign, now=at(9, 0))
    assert not Presence.objects.exists()


def _intervals(office: dict[str, Any]) -> None:
    """staff on the floor 07:20–12:00 and in the room 09:00–10:00; kabid on the floor 13:00–(open)."""
    b, f, room = office["building"], office["floor"], office["room"]
    services.presence_record(
        employee=office["staff"], building=b, floor=f, start=at(7, 20), end=at(12, 0), source="check_in"
    )
    services.presence_record(
        employee=office["staff"], building=b, room=room, start=at(9, 0), end=at(10, 0), source="room_scan"
    )
    services.presence_record(
        employee=office["kabid"], building=b, floor=f, start=at(13, 0), end=None, source="check_in"
    )
    # two days earlier: outside every window below
    services.presence_record(
        employee=office["kadis"],
        building=b,
        floor=f,
        start=at(7, 0) - dt.timedelta(days=2),
        end=at(15, 0) - dt.timedelta(days=2),
        source="check_in",
    )


def test_overlap_query_finds_who_was_there_and_is_audit_logged(office: dict[str, Any], actor_of: Any) -> None:
    _intervals(office)
    health = actor_of(office["users"]["health"])
    names = lambda qs: sorted(p.employee.name for p in qs)  # noqa: E731
    assert names(
        selectors.presence_overlapping(actor=health, building=office["building"], start=at(11, 0), end=at(14, 0))
    ) == [
        "Kepala Bidang",
        "Staf Pelayanan",
    ]
    assert names(selectors.presence_overlapping(actor=health, room=office["room"], start=at(9, 30), end=at(9, 45))) == [
        "Staf Pelayanan"
    ]
    assert (
        names(selectors.presence_overlapping(actor=health, floor=office["floor"], start=at(12, 0), end=at(12, 30)))
        == []
    )
    assert AuditEvent.objects.filter(action="read_presence").count() == 3


def test_an_interval_left_open_counts_for_the_longest_stay_only(office: dict[str, Any], actor_of: Any) -> None:
    """A forgotten check-out does not keep somebody on the floor for ever: an open interval lasts
    PRESENCE_MAX_SPAN (36 h) at most, for the overlap query as for contact tracing."""
    b, f = office["building"], office["floor"]
    for who, since in (("kadis", dt.timedelta(days=3)), ("kabid", dt.timedelta(hours=30))):
        services.presence_record(
            employee=office[who], building=b, floor=f, start=at(8, 0) - since, end=None, source="check_in"
        )
    health = actor_of(office["users"]["health"])
    found = selectors.presence_overlapping(actor=health, floor=f, start=at(9, 0), end=at(10, 0))
    assert [p.employee.name for p in found] == ["Kepala Bidang"]  # 30 h ago: still within 36 h
    earlier = selectors.presence_overlapping(
        actor=health, floor=f, start=at(9, 0) - dt.timedelta(days=2), end=at(10, 0) - dt.timedelta(days=2)
    )
    assert [p.employee.name for p in earlier] == ["Kepala Dinas"]  # within its first 36 h
    assert selectors.presence_end(at(8, 0), None, at(8, 0) + dt.timedelta(days=5)) == at(8, 0) + dt.timedelta(hours=36)


@pytest.mark.parametrize("who", ["admin", "head", "staff", "officer"])
def test_overlap_query_is_refused_to_everyone_but_the_task_force(
    office: dict[str, Any], actor_of: Any, who: str
) -> None:
    with pytest.raises(PermissionDenied):
        selectors.presence_overlapping(
            actor=actor_of(office["users"][who]), building=office["building"], start=at(7, 0), end=at(17, 0)
        )


def test_a_person_sees_their_own_presence_and_nobody_elses(office: dict[str, Any], actor_of: Any) -> None:
    _intervals(office)
    staff_actor = actor_of(office["users"]["staff"])
    own = selectors.presence_of(actor=staff_actor, employee=office["staff"], start=at(0, 0), end=at(23, 59))
    assert [p.source for p in own] == ["check_in", "room_scan"]
    assert not AuditEvent.objects.filter(action="read_presence").exists()
    with pytest.raises(Http404):
        selectors.presence_of(actor=staff_actor, employee=office["kabid"], start=at(0, 0), end=at(23, 59))
    with pytest.raises(Http404):
        selectors.presence_of(
            actor=actor_of(office["users"]["head"]), employee=office["staff"], start=at(0, 0), end=at(23, 59)
        )
    health = actor_of(office["users"]["health"])
    assert len(selectors.presence_of(actor=health, employee=office["kabid"], start=at(0, 0), end=at(23, 59))) == 1
    assert AuditEvent.objects.filter(action="read_presence", object_id=str(office["kabid"].pk)).count() == 1


def test_wfo_check_in_presence_is_found_by_the_overlap_query(office: dict[str, Any], actor_of: Any) -> None:
    services.check_in(employee=office["staff"], mode="wfo", latitude=INSIDE[0], longitude=INSIDE[1], now=at(7, 20))
    health = actor_of(office["users"]["health"])
    found = selectors.presence_overlapping(actor=health, floor=office["floor"], start=at(10, 0), end=at(11, 0))
    assert [p.employee for p in found] == [office["staff"]]


def test_purge_deletes_intervals_past_the_retention_and_runs_as_a_periodic_job(
    office: dict[str, Any], settings: Any
) -> None:
    b = office["building"]
    old_end = at(12, 0) - dt.timedelta(days=61)
    services.presence_record(
        employee=office["staff"], building=b, start=old_end - dt.timedelta(hours=4), end=old_end, source="check_in"
    )
    services.presence_record(
        employee=office["kabid"],
        building=b,
        start=at(7, 0) - dt.timedelta(days=59),
        end=at(12, 0) - dt.timedelta(days=59),
        source="check_in",
    )
    assert services.presence_purge(now=at(12, 0)) == 1
    assert services.presence_purge(now=at(12, 0)) == 0
    settings.PRESENCE_RETENTION_DAYS = 30
    assert "presence-purge" in [job.name for job in schedule.PERIODIC_JOBS]
    schedule.run_due_jobs({}, 0.0)
    assert not Presence.objects.exists()
