"""The delivery, appointment and survey API, role by role."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from siaga.delivery import services
from siaga.delivery.models import DeliveryOrder
from siaga.delivery.tests.conftest import photo
from siaga.services.models import Application

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client(enforce_csrf_checks=False)
    client.force_login(user)
    return client


def _json(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def order(post: dict[str, Any], actor_of: Any) -> DeliveryOrder:
    return services.delivery_create(
        application=post["app"],
        courier_kind="staff",
        courier=post["courier"],
        scheduled_on=timezone.localdate(),
        actor=actor_of(post["users"]["officer"], post["government"]),
    )


def test_officer_schedules_and_courier_delivers(post: dict[str, Any]) -> None:
    officer = _client(post["users"]["officer"])
    body = {"reference": post["app"].reference, "courier_kind": "staff", "courier": post["courier"].nip}
    bad = _json(officer, "/api/v1/delivery/orders", {**body, "scheduled_on": "2000-01-01"})
    assert bad.status_code == 422 and "past" in bad.json()["errors"]["scheduled_on"][0]
    for user in (post["other_officer"], post["users"]["staff"], post["budi"].user, post["users"]["admin"]):
        got = _json(
            _client(user), "/api/v1/delivery/orders", {**body, "scheduled_on": timezone.localdate().isoformat()}
        )
        assert got.status_code in (403, 404), user
    created = _json(officer, "/api/v1/delivery/orders", {**body, "scheduled_on": timezone.localdate().isoformat()})
    assert created.status_code == 201, created.content
    order_id = created.json()["id"]
    courier = _client(post["users"]["staff"])
    assert [o["id"] for o in courier.get("/api/v1/delivery/today").json()] == [order_id]
    assert _client(post["users"]["other_staff"]).get("/api/v1/delivery/today").json() == []
    assert _client(post["budi"].user).get("/api/v1/delivery/today").status_code == 403
    assert courier.post(f"/api/v1/delivery/orders/{order_id}/depart").json()["status"] == "out"
    no_photo = courier.post(f"/api/v1/delivery/orders/{order_id}/delivered", {"received_by": "Budi"})
    assert no_photo.status_code == 422
    done = courier.post(
        f"/api/v1/delivery/orders/{order_id}/delivered",
        {"received_by": "Budi", "photo": photo(), "latitude": "-7.55", "longitude": "110.83"},
    )
    assert done.status_code == 200 and done.json()["status"] == "delivered" and done.json()["has_photo"]
    assert Application.objects.get(pk=post["app"].pk).status == "closed"


def test_order_reads_and_moves_by_role(post: dict[str, Any], order: DeliveryOrder) -> None:
    url = f"/api/v1/delivery/orders/{order.pk}"
    expected = {
        "admin": 200,
        "officer": 200,
        "other_officer": 404,
        "head": 200,
        "courier": 200,
        "other_staff": 404,
        "owner": 200,
        "other_citizen": 404,
    }
    users = {
        "admin": post["users"]["admin"],
        "officer": post["users"]["officer"],
        "other_officer": post["other_officer"],
        "head": post["users"]["head"],
        "courier": post["users"]["staff"],
        "other_staff": post["users"]["other_staff"],
        "owner": post["budi"].user,
        "other_citizen": post["siti"].user,
    }
    assert {k: _client(u).get(url).status_code for k, u in users.items()} == expected
    listing = {k: _client(u).get("/api/v1/delivery/orders").status_code for k, u in users.items()}
    assert listing == {
        **expected,
        "other_officer": 200,
        "courier": 403,
        "other_staff": 403,
        "owner": 403,
        "other_citizen": 403,
    }
    assert _client(users["owner"]).post(f"{url}/depart").status_code == 403
    assert _client(users["other_staff"]).post(f"{url}/depart").status_code == 404
    assert _client(users["other_citizen"]).post(f"{url}/depart").status_code == 404
    courier = _client(users["courier"])
    courier.post(f"{url}/depart")
    assert _json(courier, f"{url}/failed", {"reason": "refused"}).json()["status"] == "failed"
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    assert _json(courier, f"{url}/reschedule", {"scheduled_on": tomorrow}).status_code == 403
    moved = _json(_client(users["officer"]), f"{url}/reschedule", {"scheduled_on": tomorrow})
    assert moved.status_code == 200 and moved.json()["status"] == "rescheduled"


def test_appointments_api(post: dict[str, Any], actor_of: Any) -> None:
    monday = timezone.localdate() + dt.timedelta(days=7 - timezone.localdate().weekday())
    slots = services.slots_generate(
        unit=post["dinas"],
        start=monday,
        end=monday,
        times=[(dt.time(8), dt.time(10)), (dt.time(10), dt.time(12))],
        capacity=1,
        room=post["room"],
        actor=None,
    )
    ref = post["app"].reference
    owner = _client(post["budi"].user)
    assert [s["id"] for s in owner.get(f"/api/v1/appointments/{ref}/slots").json()] == [s.pk for s in slots]
    assert _client(post["siti"].user).get(f"/api/v1/appointments/{ref}/slots").status_code == 404
    assert _client(post["users"]["officer"]).get(f"/api/v1/appointments/{ref}/slots").status_code == 403
    booked = _json(owner, f"/api/v1/appointments/{ref}", {"slot": slots[0].pk})
    assert booked.status_code == 200 and booked.json()["slot"]["id"] == slots[0].pk
    moved = _json(owner, f"/api/v1/appointments/{ref}", {"slot": slots[1].pk})
    assert moved.json()["slot"]["id"] == slots[1].pk
    assert [s["id"] for s in owner.get(f"/api/v1/appointments/{ref}/slots").json()] == [slots[0].pk]
    assert _json(owner, f"/api/v1/appointments/{ref}", {"slot": 99999}).status_code == 422
    assert owner.post(f"/api/v1/appointments/{ref}/cancel").json()["status"] == "cancelled"
    assert owner.post(f"/api/v1/appointments/{ref}/cancel").status_code == 422


def test_survey_api(post: dict[str, Any], make_application: Any) -> None:
    app = make_application(post["ktp"], post["budi"], status="closed")
    body = {f"u{i}": 4 for i in range(1, 10)}
    url = f"/api/v1/survey/{app.reference}/answer"
    assert _json(_client(post["siti"].user), url, body).status_code == 404
    assert _json(_client(post["users"]["officer"]), url, body).status_code == 403
    owner = _client(post["budi"].user)
    bad = _json(owner, url, {**body, "u3": 0})
    assert bad.status_code == 422 and "u3" in bad.json()["errors"]
    assert _json(owner, url, body).status_code == 201
    assert _json(owner, url, body).status_code == 422
    codes = {
        name: _client(user).get("/api/v1/survey/ikm").status_code
        for name, user in [
            ("admin", post["users"]["admin"]),
            ("head", post["users"]["head"]),
            ("officer", post["users"]["officer"]),
            ("staff", post["users"]["staff"]),
            ("owner", post["budi"].user),
        ]
    }
    assert codes == {"admin": 200, "head": 200, "officer": 403, "staff": 403, "owner": 403}
    report = _client(post["users"]["head"]).get("/api/v1/survey/ikm").json()
    assert report["total"]["respondents"] == 1 and report["total"]["ikm"] in ("100.00", 100.0, "100")
    assert report["units"][0]["grade"] == "A"
