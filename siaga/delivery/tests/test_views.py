"""Delivery pages, role by role: admin, officer of the OPD, officer of another OPD, unit head, courier,
other employee, the applicant and another citizen."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from siaga.delivery import services
from siaga.delivery.models import DeliveryOrder
from siaga.delivery.tests.conftest import photo
from siaga.services.models import Application

pytestmark = pytest.mark.django_db

ROLES = ("admin", "officer", "other_officer", "head", "courier", "other_staff", "owner", "other_citizen")


def users(post: dict[str, Any]) -> dict[str, Any]:
    u = post["users"]
    return {
        "admin": u["admin"],
        "officer": u["officer"],
        "other_officer": post["other_officer"],
        "head": u["head"],
        "courier": u["staff"],
        "other_staff": u["other_staff"],
        "owner": post["budi"].user,
        "other_citizen": post["siti"].user,
    }


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def order(post: dict[str, Any], actor_of: Any) -> DeliveryOrder:
    return services.delivery_create(
        application=post["app"],
        courier_kind="staff",
        courier=post["courier"],
        scheduled_on=timezone.localdate(),
        area="Kartasura",
        actor=actor_of(post["users"]["officer"], post["government"]),
    )


def _delivered(order: DeliveryOrder) -> DeliveryOrder:
    services.delivery_depart(order=order, actor=None)
    return services.delivery_complete(order=order, received_by="Budi", photo=photo(), actor=None)


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        (
            "office_day",
            {
                "admin": 200,
                "officer": 200,
                "other_officer": 200,
                "head": 200,
                "courier": 403,
                "other_staff": 403,
                "owner": 403,
                "other_citizen": 403,
            },
        ),
        (
            "order",
            {
                "admin": 200,
                "officer": 200,
                "other_officer": 404,
                "head": 200,
                "courier": 200,
                "other_staff": 404,
                "owner": 200,
                "other_citizen": 404,
            },
        ),
        (
            "photo",
            {
                "admin": 200,
                "officer": 200,
                "other_officer": 404,
                "head": 200,
                "courier": 403,
                "other_staff": 404,
                "owner": 200,
                "other_citizen": 404,
            },
        ),
        (
            "today",
            {
                "admin": 403,
                "officer": 200,
                "other_officer": 200,
                "head": 200,
                "courier": 200,
                "other_staff": 200,
                "owner": 403,
                "other_citizen": 403,
            },
        ),
        (
            "create",
            {
                "admin": 403,
                "officer": 200,
                "other_officer": 404,
                "head": 403,
                "courier": 403,
                "other_staff": 403,
                "owner": 403,
                "other_citizen": 403,
            },
        ),
    ],
)
def test_pages_by_role(
    post: dict[str, Any], order: DeliveryOrder, page: str, expected: dict[str, int], make_application: Any
) -> None:
    if page == "photo":
        _delivered(order)
        url = reverse("delivery:order_photo", args=[order.pk])
    elif page == "order":
        url = reverse("delivery:order", args=[order.pk])
    elif page == "create":
        ready = make_application(
            post["ktp"], post["siti"], status="issued", handover="delivery", delivery_address="Jl. C"
        )
        url = reverse("delivery:order_create", args=[ready.reference])
    elif page == "today":
        url = reverse("delivery:today")
    else:
        url = reverse("delivery:office_day")
    got = {role: client_for(user).get(url).status_code for role, user in users(post).items()}
    assert got == expected


def test_photo_is_an_image_not_from_the_web_root(post: dict[str, Any], order: DeliveryOrder) -> None:
    _delivered(order)
    response = client_for(post["budi"].user).get(reverse("delivery:order_photo", args=[order.pk]))
    assert response["Content-Type"] == "image/jpeg" and response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"


def test_id_guessing_finds_nothing(post: dict[str, Any], order: DeliveryOrder) -> None:
    siti = client_for(post["siti"].user)
    for pk in (order.pk, order.pk + 1, 999999):
        assert siti.get(reverse("delivery:order", args=[pk])).status_code == 404
        assert siti.post(reverse("delivery:order_depart", args=[pk])).status_code == 404
    assert (
        client_for(post["users"]["officer"]).get(reverse("delivery:order_create", args=["ZZZZZZZZZZ"])).status_code
        == 404
    )


def test_officer_schedules_on_the_page(post: dict[str, Any]) -> None:
    officer = client_for(post["users"]["officer"])
    url = reverse("delivery:order_create", args=[post["app"].reference])
    bad = officer.post(url, {"courier_kind": "pos", "scheduled_on": timezone.localdate().isoformat()})
    assert bad.status_code == 422 and "tracking number" in bad.content.decode()
    assert not DeliveryOrder.objects.exists()
    ok = officer.post(
        url,
        {
            "courier_kind": "staff",
            "courier": post["courier"].pk,
            "scheduled_on": timezone.localdate().isoformat(),
            "area": "Kartasura",
        },
    )
    order = DeliveryOrder.objects.get()
    assert ok.status_code == 302 and ok["Location"] == reverse("delivery:order", args=[order.pk])
    day = officer.get(reverse("delivery:office_day")).content.decode()
    assert "Staf Pelayanan" in day and post["app"].reference in day


def test_courier_day_on_the_page(post: dict[str, Any], order: DeliveryOrder) -> None:
    courier = client_for(post["users"]["staff"])
    page = courier.get(reverse("delivery:today")).content.decode()
    assert "Jl. Melati 5" in page and "Leave for delivery" in page
    response = courier.post(reverse("delivery:order_depart", args=[order.pk]), {"next": "today"})
    assert response.status_code == 302 and response["Location"] == reverse("delivery:today")
    bad = courier.post(reverse("delivery:order_delivered", args=[order.pk]), {"received_by": "Budi", "next": "today"})
    assert bad.status_code == 422 and "Take a photo" in bad.content.decode()
    done = courier.post(
        reverse("delivery:order_delivered", args=[order.pk]), {"received_by": "Budi", "photo": photo(), "next": "today"}
    )
    assert done.status_code == 302
    assert Application.objects.get(pk=post["app"].pk).status == "closed"
    # Someone else's order cannot be moved by an employee who is not its courier.
    assert (
        client_for(post["users"]["other_staff"]).post(reverse("delivery:order_failed", args=[order.pk])).status_code
        == 404
    )


def test_failure_and_reschedule_on_the_page(post: dict[str, Any], order: DeliveryOrder) -> None:
    courier = client_for(post["users"]["staff"])
    courier.post(reverse("delivery:order_depart", args=[order.pk]))
    assert courier.post(reverse("delivery:order_failed", args=[order.pk]), {"reason": ""}).status_code == 422
    assert courier.post(reverse("delivery:order_failed", args=[order.pk]), {"reason": "refused"}).status_code == 302
    # The courier has no reschedule rights; the owner neither.
    data = {"courier_kind": "pos", "tracking_number": "P1", "scheduled_on": timezone.localdate().isoformat()}
    assert courier.post(reverse("delivery:order_reschedule", args=[order.pk]), data).status_code == 403
    assert (
        client_for(post["budi"].user).post(reverse("delivery:order_reschedule", args=[order.pk]), data).status_code
        == 403
    )
    ok = client_for(post["users"]["officer"]).post(reverse("delivery:order_reschedule", args=[order.pk]), data)
    assert ok.status_code == 302
    order.refresh_from_db()
    assert (order.status, order.courier_kind, order.tracking_number, order.courier_id) == (
        "rescheduled",
        "pos",
        "P1",
        None,
    )


def test_status_snippet_for_the_applicant(post: dict[str, Any], order: DeliveryOrder) -> None:
    from django.template.loader import render_to_string

    from siaga.delivery.selectors import delivery_for

    html = render_to_string("delivery/_status.html", {"delivery": delivery_for(post["app"])})
    assert "Scheduled" in html and "Jl. Melati 5" in html
    _delivered(order)
    html = render_to_string("delivery/_status.html", {"delivery": delivery_for(post["app"])})
    assert "Received by Budi" in html and reverse("delivery:order_photo", args=[order.pk]) in html


def test_courier_leaves_in_place_with_htmx(post: dict[str, Any], order: DeliveryOrder) -> None:
    courier = client_for(post["users"]["staff"])
    url = reverse("delivery:order_depart", args=[order.pk])
    card = courier.post(url, {"next": "today"}, headers={"HX-Request": "true"})
    html = card.content.decode()
    assert card.status_code == 200 and "<html" not in html
    assert "Out for delivery" in html and "Photo of the handover" in html
    again = courier.post(url, {"next": "today"}, headers={"HX-Request": "true"}).content.decode()
    assert "cannot become" in again
