"""Delivery orders: scheduling, the courier's moves, proof of delivery, failures and reschedules."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from siaga.core.models import AuditEvent, Notification
from siaga.delivery import selectors, services
from siaga.delivery.models import DeliveryOrder
from siaga.delivery.tests.conftest import image_bytes, photo
from siaga.services.models import Application, ApplicationEvent
from siaga.services.models import Status as AppStatus

pytestmark = pytest.mark.django_db


def _order(post: dict[str, Any], actor_of: Any, **extra: Any) -> DeliveryOrder:
    fields = {
        "courier_kind": "staff",
        "courier": post["courier"],
        "scheduled_on": timezone.localdate(),
        "area": "Kartasura",
    }
    fields.update(extra)
    return services.delivery_create(
        application=post["app"], actor=actor_of(post["users"]["officer"], post["government"]), **fields
    )


def test_full_delivery_closes_the_application_and_tells_the_citizen(post: dict[str, Any], actor_of: Any) -> None:
    order = _order(post, actor_of)
    assert (order.status, order.address, order.recipient) == (
        "scheduled",
        "Jl. Melati 5, RT 2 RW 3, Kartasura",
        "Budi Santoso",
    )
    courier = actor_of(post["users"]["staff"], post["government"])
    assert [o.pk for o in selectors.courier_day(courier, timezone.localdate())] == [order.pk]
    services.delivery_depart(order=order, actor=courier)
    done = services.delivery_complete(
        order=order, received_by="Ibu Sri", photo=photo(), latitude="-7.5561", longitude="110.8316", actor=courier
    )
    assert (done.status, done.received_by, done.photo_type) == ("delivered", "Ibu Sri", "image/jpeg")
    assert str(done.latitude) == "-7.556100"
    assert services.photo_path(done).read_bytes()[:2] == b"\xff\xd8"
    app = Application.objects.get(pk=post["app"].pk)
    assert app.status == AppStatus.CLOSED and app.closed_at is not None
    steps = list(ApplicationEvent.objects.filter(application=app).values_list("to_status", flat=True))
    assert steps[-2:] == ["delivered", "closed"]
    assert [e.to_status for e in done.events.all()] == ["scheduled", "out", "delivered"]
    subjects = list(
        Notification.objects.filter(recipient=post["budi"].user, channel="in_app").values_list("subject", flat=True)
    )
    # Citizens are told in Indonesian: scheduled, on the way, delivered (and the application's own moves).
    assert any("Dikirim" in s or "Terjadwal" in s for s in subjects), subjects
    assert any(s.startswith("Pengiriman permohonan") for s in subjects), subjects
    assert AuditEvent.objects.filter(object_type="delivery.deliveryorder", object_id=str(order.pk)).count() == 3


def test_failed_then_rescheduled_then_delivered(post: dict[str, Any], actor_of: Any) -> None:
    order = _order(post, actor_of)
    courier = actor_of(post["users"]["staff"], post["government"])
    officer = actor_of(post["users"]["officer"], post["government"])
    services.delivery_depart(order=order, actor=courier)
    with pytest.raises(ValidationError) as exc:
        services.delivery_fail(order=order, reason="", actor=courier)
    assert "why the delivery failed" in str(exc.value)
    failed = services.delivery_fail(order=order, reason="not_home", note="Rumah kosong", actor=courier)
    assert (failed.status, failed.failure_reason) == ("failed", "not_home")
    # The courier cannot reschedule; an officer can.
    with pytest.raises(PermissionDenied):
        services.delivery_reschedule(order=order, scheduled_on=timezone.localdate(), actor=courier)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    moved = services.delivery_reschedule(order=order, scheduled_on=tomorrow, actor=officer, note="Sore hari")
    assert (moved.status, moved.scheduled_on, moved.courier_id) == ("rescheduled", tomorrow, post["courier"].pk)
    services.delivery_depart(order=order, actor=courier)
    done = services.delivery_complete(order=order, received_by="Budi", photo=photo("PNG"), actor=courier)
    assert (done.status, done.attempts, done.photo_type, done.latitude) == ("delivered", 2, "image/png", None)
    assert [e.to_status for e in done.events.all()] == ["scheduled", "out", "failed", "rescheduled", "out", "delivered"]


def test_moves_out_of_order_are_refused_with_nothing_written(post: dict[str, Any], actor_of: Any) -> None:
    order = _order(post, actor_of)
    courier = actor_of(post["users"]["staff"], post["government"])
    with pytest.raises(ValidationError) as exc:
        services.delivery_complete(order=order, received_by="Budi", photo=photo(), actor=courier)
    assert "cannot become" in str(exc.value)
    with pytest.raises(ValidationError):
        services.delivery_fail(order=order, reason="refused", actor=courier)
    order.refresh_from_db()
    assert order.status == "scheduled" and not order.photo
    assert Application.objects.get(pk=post["app"].pk).status == AppStatus.ISSUED


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"received_by": ""}, "name of the person"),
        ({"photo": None}, "Take a photo"),
        ({"photo": "text"}, "not a readable JPEG or PNG"),
        ({"latitude": "95", "longitude": "110"}, "latitude must be a number from -90 to 90"),
        ({"latitude": "abc", "longitude": "110"}, "latitude must be a number"),
        ({"latitude": "-7.5", "longitude": "200"}, "longitude must be a number from -180 to 180"),
        ({"latitude": "-7.5", "longitude": ""}, "both latitude and longitude"),
    ],
)
def test_proof_of_delivery_is_checked(
    post: dict[str, Any], actor_of: Any, fields: dict[str, Any], message: str
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    order = _order(post, actor_of)
    courier = actor_of(post["users"]["staff"], post["government"])
    services.delivery_depart(order=order, actor=courier)
    values: dict[str, Any] = {"received_by": "Budi", "photo": photo()}
    values.update(fields)
    if values["photo"] == "text":
        values["photo"] = SimpleUploadedFile("foto.jpg", b"<script>alert(1)</script>", content_type="image/jpeg")
    with pytest.raises(ValidationError) as exc:
        services.delivery_complete(order=order, actor=courier, **values)
    assert message in str(exc.value)
    order.refresh_from_db()
    assert order.status == "out" and not order.photo


def test_create_is_checked(post: dict[str, Any], actor_of: Any, make_application: Any) -> None:
    officer = actor_of(post["users"]["officer"], post["government"])
    today = timezone.localdate()

    def refused(**fields: Any) -> str:
        values = {
            "application": post["app"],
            "courier_kind": "staff",
            "courier": post["courier"],
            "scheduled_on": today,
        }
        values.update(fields)
        with pytest.raises(ValidationError) as exc:
            services.delivery_create(actor=officer, **values)
        return str(exc.value)

    assert "tracking number" in refused(courier_kind="pos", courier=None)
    assert "employee who delivers" in refused(courier=None)
    assert "active employee of the providing office" in refused(courier=post["other_staff"])
    assert "cannot be in the past" in refused(scheduled_on=today - dt.timedelta(days=1))
    pickup = make_application(post["ktp"], post["siti"], status=AppStatus.ISSUED, handover="pickup")
    assert "did not choose delivery" in refused(application=pickup)
    not_deliverable = make_application(post["usaha"], post["siti"], status=AppStatus.ISSUED, handover="delivery")
    assert "cannot be delivered" in refused(application=not_deliverable)
    not_yet = make_application(
        post["ktp"], post["siti"], status=AppStatus.SIGNED, handover="delivery", delivery_address="Jl. B"
    )
    assert "not issued yet" in refused(application=not_yet)
    pos = services.delivery_create(
        application=post["app"], courier_kind="pos", tracking_number=" P2211ABC ", scheduled_on=today, actor=officer
    )
    assert (pos.courier_id, pos.tracking_number) == (None, "P2211ABC")
    assert "already has a delivery order" in refused()
    # An officer of another OPD may not; the system (actor None) may.
    with pytest.raises(PermissionDenied):
        services.delivery_create(
            application=not_yet,
            courier_kind="pos",
            tracking_number="X",
            scheduled_on=today,
            actor=actor_of(post["other_officer"], post["government"]),
        )


def test_other_employee_cannot_move_an_order(post: dict[str, Any], actor_of: Any) -> None:
    order = _order(post, actor_of)
    with pytest.raises(PermissionDenied):
        services.delivery_depart(order=order, actor=actor_of(post["users"]["other_staff"], post["government"]))
    with pytest.raises(PermissionDenied):
        services.delivery_depart(order=order, actor=actor_of(post["budi"].user, post["government"]))
    assert services.delivery_depart(order=order, actor=None).status == "out"


def test_courier_day_is_in_route_order(post: dict[str, Any], actor_of: Any, make_application: Any) -> None:
    officer = actor_of(post["users"]["officer"], post["government"])
    today = timezone.localdate()
    second = make_application(
        post["ktp"], post["siti"], status=AppStatus.ISSUED, handover="delivery", delivery_address="Jl. A"
    )
    b = services.delivery_create(
        application=post["app"],
        courier_kind="staff",
        courier=post["courier"],
        scheduled_on=today,
        area="Sukoharjo",
        actor=officer,
    )
    a = services.delivery_create(
        application=second,
        courier_kind="staff",
        courier=post["courier"],
        scheduled_on=today,
        area="Bendosari",
        actor=officer,
    )
    courier = actor_of(post["users"]["staff"], post["government"])
    assert [o.pk for o in selectors.courier_day(courier, today)] == [a.pk, b.pk]
    assert selectors.courier_day(actor_of(post["users"]["other_staff"], post["government"]), today) == []
    groups = selectors.day_by_courier(officer, today)
    assert [(name, [o.pk for o in orders]) for name, orders in groups] == [("Staf Pelayanan", [a.pk, b.pk])]
    assert selectors.delivery_for(post["app"]) == b


def test_image_helper_makes_real_images() -> None:
    assert image_bytes("PNG")[:4] == b"\x89PNG"
