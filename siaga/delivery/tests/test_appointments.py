"""KTP-el recording appointments: slots on working days, capacity within distancing, booking, moving,
cancelling, attendance and the reminder the day before; a race of bookings on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import postgresql_only
from siaga.core.access import actor_for_user
from siaga.core.calendar import working_days
from siaga.core.models import Notification
from siaga.delivery import services
from siaga.delivery.models import Appointment, AppointmentSlot
from siaga.services.models import FaceToFaceRestriction, Mode

T8, T10, T12 = dt.time(8), dt.time(10), dt.time(12)


def next_monday() -> dt.date:
    today = timezone.localdate()
    return today + dt.timedelta(days=7 - today.weekday())


def _slots(post: dict[str, Any], actor_of: Any, capacity: int = 2, days: int = 7) -> list[AppointmentSlot]:
    start = next_monday()
    return services.slots_generate(
        unit=post["dinas"],
        start=start,
        end=start + dt.timedelta(days=days - 1),
        times=[(T8, T10), (T10, T12)],
        capacity=capacity,
        room=post["room"],
        actor=actor_of(post["users"]["officer"], post["government"]),
    )


@pytest.mark.django_db
def test_slots_on_working_days_only_and_within_distancing(post: dict[str, Any], actor_of: Any) -> None:
    slots = _slots(post, actor_of)
    start = next_monday()
    days = list(working_days(post["government"], start, start + dt.timedelta(days=6)))
    assert sorted({s.date for s in slots}) == days and all(d.weekday() < 5 for d in days)
    assert len(slots) == 2 * len(days)
    # Generating again does not double them.
    assert _slots(post, actor_of) == []
    with pytest.raises(ValidationError) as exc:
        _slots(post, actor_of, capacity=7)
    assert "at most 6 people with distancing" in str(exc.value)
    officer = actor_of(post["users"]["officer"], post["government"])
    with pytest.raises(ValidationError) as exc:
        services.slots_generate(unit=post["dinas"], start=start, end=start, times=[], capacity=1, actor=officer)
    assert "Choose a room or write where" in str(exc.value)
    with pytest.raises(PermissionDenied):
        services.slots_generate(
            unit=post["dinas"],
            start=start,
            end=start,
            times=[(T8, T10)],
            capacity=1,
            place="Aula",
            actor=actor_of(post["other_officer"], post["government"]),
        )
    aula = services.slots_generate(
        unit=post["dinas"], start=start, end=start, times=[(T8, T10)], capacity=40, place="Aula Kecamatan", actor=None
    )
    assert [(s.place_label, s.capacity) for s in aula] == [("Aula Kecamatan", 40)]


@pytest.mark.django_db
def test_book_move_cancel_and_mark(post: dict[str, Any], actor_of: Any) -> None:
    first, second, *_ = _slots(post, actor_of, capacity=1)
    budi = actor_of(post["budi"].user, post["government"])
    siti = actor_of(post["siti"].user, post["government"])
    booked = services.appointment_book(application=post["app"], slot=first, actor=budi)
    assert booked.status == "booked"
    with pytest.raises(PermissionDenied):
        services.appointment_book(application=post["app"], slot=second, actor=siti)
    with pytest.raises(ValidationError) as exc:
        services.appointment_book(application=post["app"], slot=second, actor=budi)
    assert "already has an appointment" in str(exc.value)
    moved = services.appointment_move(appointment=booked, slot=second, actor=budi)
    assert moved.slot_id == second.pk
    assert Appointment.objects.get(pk=booked.pk).status == "cancelled"
    # The first slot is free again (capacity 1): another application can take it.
    from siaga.services.models import Application

    other = Application.objects.create(
        government=post["government"], service=post["ktp"], unit=post["dinas"], citizen=post["siti"]
    )
    services.appointment_book(application=other, slot=first, actor=siti)
    with pytest.raises(ValidationError) as exc:
        services.appointment_move(appointment=moved, slot=first, actor=budi)
    assert "This time is full" in str(exc.value)
    assert Appointment.objects.get(pk=moved.pk).status == "booked"  # nothing half-written
    # Attendance is marked on the day, by an officer.
    officer = actor_of(post["users"]["officer"], post["government"])
    with pytest.raises(ValidationError):
        services.appointment_mark(appointment=moved, attended=True, actor=officer)
    AppointmentSlot.objects.filter(pk=second.pk).update(date=timezone.localdate())
    with pytest.raises(PermissionDenied):
        services.appointment_mark(appointment=moved, attended=True, actor=budi)
    assert services.appointment_mark(appointment=moved, attended=False, actor=officer).status == "no_show"
    cancelled = services.appointment_cancel(appointment=Appointment.objects.get(application=other), actor=siti)
    assert cancelled.status == "cancelled"


@pytest.mark.django_db
def test_only_services_by_appointment_are_booked(post: dict[str, Any], actor_of: Any, make_application: Any) -> None:
    slot = _slots(post, actor_of)[0]
    post["ktp"].mode = Mode.ONLINE
    post["ktp"].restricted_mode = Mode.APPOINTMENT
    post["ktp"].save()
    budi = actor_of(post["budi"].user, post["government"])
    with pytest.raises(ValidationError) as exc:
        services.appointment_book(application=post["app"], slot=slot, actor=budi)
    assert "needs no appointment" in str(exc.value)
    # While face-to-face service is restricted, the restricted mode (appointment) applies.
    FaceToFaceRestriction.objects.create(government=post["government"], start=slot.date, reason="PPKM")
    assert services.appointment_book(application=post["app"], slot=slot, actor=budi).status == "booked"


@pytest.mark.django_db
def test_reminder_the_day_before_once(post: dict[str, Any], actor_of: Any) -> None:
    slot = _slots(post, actor_of)[0]
    services.appointment_book(application=post["app"], slot=slot, actor=actor_of(post["budi"].user, post["government"]))
    assert services.appointment_reminders(today=slot.date - dt.timedelta(days=2)) == 0
    assert services.appointment_reminders(today=slot.date - dt.timedelta(days=1)) == 1
    assert services.appointment_reminders(today=slot.date - dt.timedelta(days=1)) == 0
    bodies = list(
        Notification.objects.filter(recipient=post["budi"].user, channel="in_app").values_list("body", flat=True)
    )
    assert sum("Pengingat" in b for b in bodies) == 1, bodies
    from siaga.core.schedule import PERIODIC_JOBS

    assert "appointment-reminders" in {job.name for job in PERIODIC_JOBS}


@pytest.mark.django_db
def test_appointment_pages(post: dict[str, Any], actor_of: Any) -> None:
    slots = _slots(post, actor_of, capacity=1)
    owner, other = Client(), Client()
    owner.force_login(post["budi"].user)
    other.force_login(post["siti"].user)
    url = reverse("delivery:appointment", args=[post["app"].reference])
    assert other.get(url).status_code == 404
    officer = Client()
    officer.force_login(post["users"]["officer"])
    assert officer.get(url).status_code == 403
    page = owner.get(url)
    assert page.status_code == 200 and "Ruang Perekaman" in page.content.decode()
    assert owner.post(url, {"slot": slots[0].pk}).status_code == 302
    assert "Your appointment" in owner.get(url).content.decode()
    assert owner.post(url, {"slot": slots[1].pk}).status_code == 302
    assert Appointment.objects.get(status="booked").slot_id == slots[1].pk
    assert owner.post(url, {"slot": 999999}).status_code == 422
    assert owner.post(url, {"action": "cancel"}).status_code == 302
    assert not Appointment.objects.filter(status="booked").exists()
    # Officers' slot pages.
    slot_url = reverse("delivery:slot", args=[slots[0].pk])
    for user, code in [
        (post["users"]["officer"], 200),
        (post["users"]["admin"], 200),
        (post["users"]["head"], 200),
        (post["other_officer"], 404),
        (post["users"]["staff"], 404),
        (post["budi"].user, 404),
    ]:
        c = Client()
        c.force_login(user)
        assert c.get(slot_url).status_code == code, user
    listing = officer.get(reverse("delivery:slot_list"))
    assert listing.status_code == 200
    start = next_monday() + dt.timedelta(days=14)
    bad = officer.post(
        reverse("delivery:slot_list"),
        {
            "unit": post["dinas"].pk,
            "start": start,
            "end": start,
            "times": "08:00-10:00",
            "room": post["room"].pk,
            "capacity": 9,
        },
    )
    assert bad.status_code == 422 and "at most 6 people" in bad.content.decode()
    ok = officer.post(
        reverse("delivery:slot_list"),
        {
            "unit": post["dinas"].pk,
            "start": start,
            "end": start,
            "times": "08:00-10:00, 13:00-14:00",
            "room": post["room"].pk,
            "capacity": 6,
        },
    )
    assert ok.status_code == 302 and AppointmentSlot.objects.filter(date=start).count() == 2
    staff = Client()
    staff.force_login(post["users"]["staff"])
    assert staff.get(reverse("delivery:slot_list")).status_code == 403


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_bookings_never_exceed_capacity(post: dict[str, Any], actor_of: Any, make_citizen: Any) -> None:
    from siaga.services.models import Application

    slot = _slots(post, actor_of, capacity=3, days=1)[0]
    applications = []
    for i in range(8):
        citizen = make_citizen(post["government"], f"warga{i}", f"33740112059000{10 + i}", f"Warga {i}")
        applications.append(
            Application.objects.create(
                government=post["government"], service=post["ktp"], unit=post["dinas"], citizen=citizen
            )
        )
    barrier = threading.Barrier(len(applications))
    outcomes: list[str] = []

    def book(application: Application) -> None:
        try:
            actor = actor_for_user(application.citizen.user)
            barrier.wait()
            services.appointment_book(application=application, slot=slot, actor=actor)
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("full")
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(a,)) for a in applications]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["full"] * 5 + ["ok"] * 3
    assert Appointment.objects.filter(slot=slot, status="booked").count() == 3
