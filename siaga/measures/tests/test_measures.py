"""Building measures: validation, capacity in force, who is told, and office check-ins refused."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from siaga.attendance import services as attendance
from siaga.attendance.models import CheckIn
from siaga.attendance.tests.conftest import INSIDE, at, publish
from siaga.core.models import AuditEvent, Notification
from siaga.measures import selectors, services
from siaga.measures.models import BuildingMeasure
from siaga.org.models import Building, Floor

pytestmark = pytest.mark.django_db


def measure(office: dict[str, Any], actor: Any = None, **values: Any) -> BuildingMeasure:
    today = timezone.localdate()
    fields: dict[str, Any] = {
        "government": office["government"],
        "building": office["building"],
        "floor": office["floor"],
        "kind": "close",
        "start": today,
        "end": today + dt.timedelta(days=2),
        "reason": "Disinfeksi",
    }
    fields.update(values)
    return services.measure_set(actor=actor, **fields)


def refused(office: dict[str, Any], **values: Any) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        measure(office, **values)
    return caught.value.message_dict


def test_capacity_follows_the_measures_in_force(office):
    floor, today = office["floor"], timezone.localdate()
    assert selectors.capacity_on(floor, today) == 20
    measure(office, kind="restrict", capacity_people=5, start=today + dt.timedelta(days=1))
    assert selectors.capacity_on(floor, today) == 20
    assert selectors.capacity_on(floor, today + dt.timedelta(days=1)) == 5
    measure(office, floor=None, kind="restrict", capacity_percent=10, start=today + dt.timedelta(days=2))
    assert selectors.capacity_on(floor, today + dt.timedelta(days=2)) == 2  # the stricter of 5 and 10% of 20
    closing = measure(office, floor=None, start=today + dt.timedelta(days=3), end=today + dt.timedelta(days=3))
    assert selectors.capacity_on(floor, today + dt.timedelta(days=3)) == 0
    assert selectors.closure_on(floor, today + dt.timedelta(days=3)) == closing
    assert selectors.closure_on(floor, today + dt.timedelta(days=1)) is None
    services.measure_lift(measure=closing)
    assert selectors.capacity_on(floor, today + dt.timedelta(days=3)) == 20


def test_each_bad_input_is_refused_with_what_to_fix(office, other_government):
    today = timezone.localdate()
    other = Building.objects.create(government=office["government"], code="lain", name="Gedung Lain")
    other_floor = Floor.objects.create(
        government=office["government"], building=other, number=1, capacity=9, distancing_capacity=5
    )
    assert "not in" in refused(office, floor=other_floor)["floor"][0]
    assert "comes before" in refused(office, end=today - dt.timedelta(days=1), start=today)["end"][0]
    assert (
        "already passed"
        in refused(office, start=today - dt.timedelta(days=5), end=today - dt.timedelta(days=1))["end"][0]
    )
    assert "at most 366" in refused(office, end=today + dt.timedelta(days=400))["end"][0]
    assert "reason" in refused(office, reason="  ")["reason"][0]
    assert "restrict or close" in refused(office, kind="open")["kind"][0]
    assert "not both" in refused(office, kind="restrict", capacity_people=3, capacity_percent=10)["capacity_people"][0]
    assert "not both" in refused(office, kind="restrict")["capacity_people"][0]
    assert (
        "below the floor's normal capacity (20"
        in refused(office, kind="restrict", capacity_people=20)["capacity_people"][0]
    )
    assert "percentage" in refused(office, floor=None, kind="restrict", capacity_people=3)["capacity_people"][0]
    assert "between 1 and 99" in refused(office, kind="restrict", capacity_percent=100)["capacity_percent"][0]
    foreign = Building.objects.create(government=other_government, code="x", name="X")
    assert "your government" in refused(office, building=foreign, floor=None)["building"][0]
    assert not BuildingMeasure.objects.exists()


def test_overlapping_measures_on_the_same_space_are_refused(office):
    today = timezone.localdate()
    measure(office)
    message = refused(office, start=today + dt.timedelta(days=2), end=today + dt.timedelta(days=4))["start"][0]
    assert "already has a measure" in message
    # Another space (the whole building) may have its own; the stricter applies.
    measure(office, floor=None, kind="restrict", capacity_percent=50)
    assert BuildingMeasure.objects.count() == 2


def test_only_the_task_force_and_bkpsdm_may_set_or_lift(office, actor_of):
    users = office["users"]
    for role in ("staff", "kabid", "head", "officer"):
        with pytest.raises(PermissionDenied):
            measure(office, actor=actor_of(users[role]))
    made = measure(office, actor=actor_of(users["health"]))
    with pytest.raises(PermissionDenied):
        services.measure_lift(measure=made, actor=actor_of(users["kabid"]))
    services.measure_lift(measure=made, actor=actor_of(users["admin"]), note="Selesai disinfeksi")
    with pytest.raises(ValidationError, match="already been lifted"):
        services.measure_lift(measure=made, actor=actor_of(users["admin"]))
    actions = list(AuditEvent.objects.filter(object_type="measures.buildingmeasure").values_list("action", flat=True))
    assert sorted(actions) == ["create", "update"]


def test_heads_seated_there_and_people_rostered_there_are_told(office):
    today = timezone.localdate()
    publish(
        office["government"],
        [
            (office["staff"], today + dt.timedelta(days=1), "wfo"),
            (office["other_staff"], today + dt.timedelta(days=1), "wfo"),
        ],
    )
    measure(office, reason="Klaster lantai 2")
    told = {n.recipient.username: n for n in Notification.objects.filter(channel="in_app")}
    # kadis heads DPMPTSP and kabid Bidang Pelayanan (both on floor 2); the staff member is rostered there.
    # The Dinkes staff member is rostered at the office but not on floor 2.
    assert set(told) == {"kadis", "kabid", "staf"}
    assert "closed" in told["staf"].subject
    assert "Klaster lantai 2" in told["staf"].body


def test_an_office_check_in_on_a_closed_floor_is_refused_with_the_reason(office):
    today = timezone.localdate()
    publish(office["government"], [(office["staff"], today, "wfo")])
    measure(office, reason="Disinfeksi lantai 2")
    with pytest.raises(ValidationError) as caught:
        attendance.check_in(
            employee=office["staff"], mode="wfo", latitude=INSIDE[0], longitude=INSIDE[1], now=at(7, 20)
        )
    message = caught.value.message_dict["__all__"][0]
    assert "is closed" in message and "Disinfeksi lantai 2" in message and "check in as WFH" in message
    assert not CheckIn.objects.exists()
    assert attendance.check_in(employee=office["staff"], mode="wfh", now=at(7, 21)).mode == "wfh"


def test_a_restricted_floor_refuses_office_check_ins_once_full(office):
    today = timezone.localdate()
    publish(
        office["government"],
        [(office["staff"], today, "wfo"), (office["kabid"], today, "wfo"), (office["kadis"], today, "wfo")],
    )
    measure(office, kind="restrict", capacity_people=2)
    for person in ("staff", "kabid"):
        attendance.check_in(employee=office[person], mode="wfo", latitude=INSIDE[0], longitude=INSIDE[1], now=at(7, 20))
    with pytest.raises(ValidationError) as caught:
        attendance.check_in(
            employee=office["kadis"], mode="wfo", latitude=INSIDE[0], longitude=INSIDE[1], now=at(7, 22)
        )
    assert "limited to 2 people today and is full" in caught.value.message_dict["__all__"][0]
    # Someone leaves: there is room again.
    attendance.check_out(check_in=CheckIn.objects.get(employee=office["staff"]), now=at(8, 0))
    attendance.check_in(employee=office["kadis"], mode="wfo", latitude=INSIDE[0], longitude=INSIDE[1], now=at(8, 5))


@pytest.mark.indonesian
def test_the_restriction_refusal_is_in_indonesian(office):
    today = timezone.localdate()
    publish(office["government"], [(office["staff"], today, "wfo")])
    measure(office, kind="restrict", capacity_people=1)
    attendance.check_in(employee=office["kabid"], mode="wfo", latitude=INSIDE[0], longitude=INSIDE[1], now=at(7, 20))
    with pytest.raises(ValidationError) as caught:
        attendance.check_in(
            employee=office["staff"], mode="wfo", latitude=INSIDE[0], longitude=INSIDE[1], now=at(7, 21)
        )
    assert (
        "Lantai 2 Gedung Menara Wijaya dibatasi 1 orang hari ini dan sudah penuh"
        in caught.value.message_dict["__all__"][0]
    )
