"""Check-in and check-out: the geofence, the roster, absences, closed buildings, exceptions, clock skew,
late and early-leave flags, and exactly one open check-in per person."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from conftest import postgresql_only
from siaga.attendance import services
from siaga.attendance.models import AttendanceException, CheckIn, Presence
from siaga.attendance.tests.conftest import INSIDE, OUTSIDE, at, publish
from siaga.core.models import AuditEvent
from siaga.org.models import Delegation, SpaceStatus
from siaga.rostering.models import Absence, Leave

pytestmark = pytest.mark.django_db


def wfo(employee: Any, now: dt.datetime, where: tuple[float, float] = INSIDE, **extra: Any) -> CheckIn:
    return services.check_in(employee=employee, mode="wfo", latitude=where[0], longitude=where[1], now=now, **extra)


def test_haversine_matches_a_known_distance() -> None:
    # one degree of latitude is about 111.2 km
    assert round(services.haversine_m(0, 110, 1, 110)) == 111_195
    assert services.haversine_m(-7.682, 110.838, -7.682, 110.838) == 0


def test_wfo_inside_the_geofence_opens_presence_on_the_assigned_floor(office: dict[str, Any]) -> None:
    staff = office["staff"]
    publish(office["government"], [(staff, timezone.localdate(), "wfo")])
    record = wfo(staff, at(7, 20), accuracy_m=12.4)
    assert (record.mode, record.building, record.floor, record.shift) == (
        "wfo",
        office["building"],
        office["floor"],
        "pagi",
    )
    assert 30 <= record.distance_m <= 40
    assert record.accuracy_m == 12
    assert record.late is False
    presence = Presence.objects.get()
    assert (presence.employee, presence.floor, presence.end, presence.ref) == (
        staff,
        office["floor"],
        None,
        f"checkin:{record.pk}",
    )
    assert AuditEvent.objects.filter(action="check_in", object_id=str(record.pk)).count() == 1


@pytest.mark.parametrize(("hour", "minute", "late"), [(7, 44, False), (7, 46, True), (9, 0, True)])
def test_late_after_the_shift_start_and_the_policy_tolerance(
    office: dict[str, Any], hour: int, minute: int, late: bool
) -> None:
    staff = office["staff"]
    publish(office["government"], [(staff, timezone.localdate(), "wfo")])
    assert wfo(staff, at(hour, minute)).late is late


def test_outside_the_geofence_is_refused_with_the_distance(office: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as caught:
        wfo(office["staff"], at(7, 20), OUTSIDE)
    message = caught.value.message_dict["latitude"][0]
    assert "from Gedung Menara Wijaya" in message and "within 100 m" in message
    assert not CheckIn.objects.exists() and not Presence.objects.exists()


def test_wfo_without_location_asks_to_allow_location_access(office: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as caught:
        services.check_in(employee=office["staff"], mode="wfo", now=at(7, 20))
    assert "Allow location access" in caught.value.message_dict["latitude"][0]
    assert not CheckIn.objects.exists()


def test_unknown_mode_is_refused(office: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as caught:
        services.check_in(employee=office["staff"], mode="office", now=at(7, 20))
    assert set(caught.value.message_dict) == {"mode"}


def test_wfh_day_refuses_wfo_but_accepts_wfh_without_location(office: dict[str, Any]) -> None:
    staff = office["staff"]
    publish(office["government"], [(staff, timezone.localdate(), "wfh")])
    with pytest.raises(ValidationError) as caught:
        wfo(staff, at(7, 20))
    assert "work from home today" in caught.value.messages[0]
    record = services.check_in(employee=staff, mode="wfh", now=at(7, 20))
    assert (record.mode, record.building, record.late) == ("wfh", None, False)
    assert not Presence.objects.exists()


def test_exception_from_the_unit_head_lets_the_check_in_pass_and_is_recorded(office: dict[str, Any]) -> None:
    staff, today = office["staff"], timezone.localdate()
    publish(office["government"], [(staff, today, "wfh")])
    exception = services.attendance_exception_grant(
        employee=staff, day=today, reason="Verifikasi berkas", granter=office["kabid"], user=office["users"]["kabid"]
    )
    assert exception.basis == "official"
    record = wfo(staff, at(8, 0))
    assert record.exception == exception
    assert AuditEvent.objects.filter(action="grant_exception", object_id=str(exception.pk)).count() == 1


def test_a_head_of_another_unit_may_not_grant_an_exception(office: dict[str, Any]) -> None:
    with pytest.raises(PermissionDenied):
        services.attendance_exception_grant(
            employee=office["staff_umum"], day=timezone.localdate(), reason="x", granter=office["kabid"]
        )
    assert not AttendanceException.objects.exists()


def test_plh_may_grant_an_exception_and_a_second_one_for_the_day_is_refused(office: dict[str, Any]) -> None:
    today = timezone.localdate()
    Delegation.objects.create(
        government=office["government"],
        kind="plh",
        unit=office["pelayanan"],
        official=office["kabid"],
        acting=office["staff_umum"],
        start=today,
        end=today,
    )
    exception = services.attendance_exception_grant(
        employee=office["staff"], day=today, reason="Rapat mendadak", granter=office["staff_umum"]
    )
    assert exception.basis == "plh"
    with pytest.raises(ValidationError) as caught:
        services.attendance_exception_grant(employee=office["staff"], day=today, reason="lagi", granter=office["kadis"])
    assert "already has an exception" in caught.value.message_dict["date"][0]


def test_exception_needs_a_reason_and_a_day_not_in_the_past(office: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as caught:
        services.attendance_exception_grant(
            employee=office["staff"],
            day=timezone.localdate() - dt.timedelta(days=1),
            reason=" ",
            granter=office["kadis"],
        )
    assert set(caught.value.message_dict) == {"reason", "date"}


@pytest.mark.parametrize("reason", ["isolation", "quarantine"])
def test_health_orders_refuse_wfo_even_with_an_exception(office: dict[str, Any], reason: str) -> None:
    staff, today = office["staff"], timezone.localdate()
    Absence.objects.create(
        government=office["government"], employee=staff, start=today, end=today, reason=reason, source="x:1"
    )
    AttendanceException.objects.create(government=office["government"], employee=staff, date=today, reason="x")
    with pytest.raises(ValidationError) as caught:
        wfo(staff, at(7, 20))
    assert f"You are in {reason} today" in caught.value.messages[0]
    assert services.check_in(employee=staff, mode="wfh", now=at(7, 20)).mode == "wfh"


def test_leave_refuses_wfo(office: dict[str, Any]) -> None:
    staff, today = office["staff"], timezone.localdate()
    Leave.objects.create(
        government=office["government"], employee=staff, start=today, end=today, kind="annual", status="approved"
    )
    with pytest.raises(ValidationError) as caught:
        wfo(staff, at(7, 20))
    assert "approved leave" in caught.value.messages[0]


def test_closed_building_or_floor_refuses_wfo(office: dict[str, Any]) -> None:
    floor = office["floor"]
    floor.status = SpaceStatus.CLOSED
    floor.save()
    with pytest.raises(ValidationError) as caught:
        wfo(office["staff"], at(7, 20))
    assert "floor" in caught.value.messages[0] and "is closed today" in caught.value.messages[0]
    building = office["building"]
    building.status = SpaceStatus.CLOSED
    building.save()
    with pytest.raises(ValidationError) as caught:
        wfo(office["staff"], at(7, 20))
    assert "Gedung Menara Wijaya is closed today" in caught.value.messages[0]
    assert not CheckIn.objects.exists()


def test_clock_skew_is_refused_and_the_server_time_is_stored(office: dict[str, Any]) -> None:
    now = at(7, 20)
    with pytest.raises(ValidationError) as caught:
        services.check_in(employee=office["staff"], mode="wfh", now=now, client_time=now - dt.timedelta(minutes=12))
    assert "12 minutes off" in caught.value.message_dict["client_time"][0]
    assert not CheckIn.objects.exists()
    record = services.check_in(
        employee=office["staff"], mode="wfh", now=now, client_time=now + dt.timedelta(seconds=40)
    )
    assert record.checked_in_at == now


def test_double_tap_and_retry_give_back_the_same_record(office: dict[str, Any]) -> None:
    staff = office["staff"]
    first = wfo(staff, at(7, 20), idempotency_key="tap-1")
    assert (
        wfo(
            staff,
            at(
                7,
                20,
            ),
            idempotency_key="tap-2",
        ).pk
        == first.pk
    )
    assert wfo(staff, at(7, 21)).pk == first.pk
    services.check_out(check_in=first, now=at(16, 5))
    # a retry of the first request after check-out still finds its record, and makes no new one
    again = wfo(staff, at(16, 6), idempotency_key="tap-1")
    assert again.pk == first.pk and again.checked_out_at is not None
    assert CheckIn.objects.count() == 1 and Presence.objects.count() == 1


def test_check_out_flags_early_leave_closes_presence_and_is_idempotent(office: dict[str, Any]) -> None:
    staff = office["staff"]
    publish(office["government"], [(staff, timezone.localdate(), "wfo")])
    record = wfo(staff, at(7, 20))
    services.presence_room_scan(employee=staff, room=office["room"], now=at(9, 0))
    out = services.check_out(check_in=record, now=at(15, 0), user=office["users"]["staff"])
    assert (out.checked_out_at, out.early_leave) == (at(15, 0), True)
    assert sorted(Presence.objects.values_list("source", "end")) == [("check_in", at(15, 0)), ("room_scan", at(15, 0))]
    assert services.check_out(check_in=record, now=at(16, 30)).checked_out_at == at(15, 0)


def test_check_out_after_the_shift_end_is_not_early(office: dict[str, Any]) -> None:
    staff = office["staff"]
    publish(office["government"], [(staff, timezone.localdate(), "wfo")])
    assert services.check_out(check_in=wfo(staff, at(7, 20)), now=at(16, 1)).early_leave is False


def test_a_forgotten_check_out_is_closed_by_the_next_check_in(office: dict[str, Any]) -> None:
    staff = office["staff"]
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    old = wfo(staff, at(7, 20, yesterday))
    new = services.check_in(employee=staff, mode="wfh", now=at(7, 25))
    old.refresh_from_db()
    assert old.auto_closed is True and old.checked_out_at == old.checked_in_at
    assert new.pk != old.pk and new.checked_out_at is None
    assert Presence.objects.get().end == old.checked_in_at


@pytest.mark.django_db(transaction=True)
@postgresql_only
@pytest.mark.parametrize("same_key", [True, False])
def test_concurrent_taps_from_two_devices_make_one_open_check_in(office: dict[str, Any], same_key: bool) -> None:
    staff = office["staff"]
    publish(office["government"], [(staff, timezone.localdate(), "wfo")])
    barrier = threading.Barrier(8)
    results: list[int] = []
    errors: list[BaseException] = []

    def tap(i: int) -> None:
        from django.db import connection as conn

        try:
            barrier.wait()
            record = wfo(staff, at(7, 20), idempotency_key="same" if same_key else f"device-{i}")
            results.append(record.pk)
        except BaseException as exc:
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=tap, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(results) == 8 and len(set(results)) == 1
    assert CheckIn.objects.count() == 1
    assert Presence.objects.count() == 1
