"""The attendance API: check-in/out, exceptions and presence, with the roles that must be refused
(employee, unit head of another unit, admin of another government, token without a role)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from siaga.attendance import services
from siaga.attendance.models import AttendanceException, CheckIn
from siaga.attendance.tests.conftest import INSIDE, OUTSIDE, at, publish
from siaga.core.models import AuditEvent, Role
from siaga.core.services import api_token_create

pytestmark = pytest.mark.django_db
API = "/api/v1"


class Api:
    def __init__(self, *, user: Any = None, token: str | None = None) -> None:
        self.client = Client()
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        self.headers: dict[str, str] = {}
        if user is not None:
            self.client.force_login(user)
        if token is not None:
            self.headers["Authorization"] = f"Bearer {token}"

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(API + path, params, headers=self.headers)

    def post(self, path: str, data: Any = None, **headers: str) -> Any:
        return self.client.post(
            API + path, json.dumps(data or {}), content_type="application/json", headers={**self.headers, **headers}
        )


def test_check_in_returns_201_then_200_for_the_retry_and_checks_out(office: dict[str, Any]) -> None:
    api = Api(user=office["users"]["staff"])
    publish(office["government"], [(office["staff"], timezone.localdate(), "wfo")])
    body = {"mode": "wfo", "latitude": INSIDE[0], "longitude": INSIDE[1], "client_time": timezone.now().isoformat()}
    first = api.post("/attendance/check-ins", {**body, "idempotency_key": "a1"})
    assert first.status_code == 201, first.content
    data = first.json()
    assert (data["mode"], data["building"], data["floor"], data["nip"]) == (
        "wfo",
        "menara-wijaya",
        2,
        office["staff"].nip,
    )
    retry = api.post("/attendance/check-ins", body, **{"Idempotency-Key": "a1"})
    assert (retry.status_code, retry.json()["id"]) == (200, data["id"])
    out = api.post(f"/attendance/check-ins/{data['id']}/check-out", {})
    assert out.status_code == 200 and out.json()["checked_out_at"] is not None
    assert CheckIn.objects.count() == 1


def test_refused_check_ins_answer_422_with_the_reason(office: dict[str, Any]) -> None:
    api = Api(user=office["users"]["staff"])
    far = api.post("/attendance/check-ins", {"mode": "wfo", "latitude": OUTSIDE[0], "longitude": OUTSIDE[1]})
    assert far.status_code == 422 and "within 100 m" in far.json()["errors"]["latitude"][0]
    skewed = api.post(
        "/attendance/check-ins",
        {"mode": "wfh", "client_time": (timezone.now() - dt.timedelta(hours=1)).isoformat()},
    )
    assert skewed.status_code == 422 and "clock" in skewed.json()["errors"]["client_time"][0]
    assert api.post("/attendance/check-ins", {"mode": "kantor"}).status_code == 422
    assert not CheckIn.objects.exists()


def test_anonymous_gets_401_and_a_token_without_a_role_403(office: dict[str, Any], make_user: Any) -> None:
    assert Api().post("/attendance/check-ins", {"mode": "wfh"}).status_code == 401
    nobody = make_user("tanpa-peran", (office["government"], Role.SERVICE_OFFICER))
    _token, key = api_token_create(government=office["government"], user=nobody, name="x", actor=None)
    api = Api(token=key)
    assert api.post("/attendance/check-ins", {"mode": "wfh"}).status_code == 403
    assert (
        api.post(
            "/attendance/exceptions", {"nip": office["staff"].nip, "date": str(timezone.localdate()), "reason": "x"}
        ).status_code
        == 403
    )
    assert (
        api.get(
            "/presence", start=at(0, 0).isoformat(), end=at(23, 0).isoformat(), building="menara-wijaya"
        ).status_code
        == 403
    )
    assert not CheckIn.objects.exists()


def test_check_in_lists_are_scoped_by_role(office: dict[str, Any]) -> None:
    for key in ("staff", "staff_umum", "kabid"):
        services.check_in(employee=office[key], mode="wfh", now=at(7, 0))
    nips = lambda r: sorted(i["nip"] for i in r.json()["items"])  # noqa: E731
    assert nips(Api(user=office["users"]["staff"]).get("/attendance/check-ins")) == [office["staff"].nip]
    assert nips(Api(user=office["users"]["kabid"]).get("/attendance/check-ins")) == sorted(
        [office["staff"].nip, office["kabid"].nip]
    )
    assert len(Api(user=office["users"]["admin"]).get("/attendance/check-ins").json()["items"]) == 3
    # a unit head asking for someone of another unit: not found
    assert (
        Api(user=office["users"]["kabid"]).get("/attendance/check-ins", nip=office["staff_umum"].nip).status_code == 404
    )
    other = CheckIn.objects.get(employee=office["staff_umum"])
    assert Api(user=office["users"]["kabid"]).get(f"/attendance/check-ins/{other.pk}").status_code == 404
    # nobody checks out someone else's check-in, not even their head
    assert (
        Api(user=office["users"]["kabid"])
        .post(f"/attendance/check-ins/{CheckIn.objects.get(employee=office['staff']).pk}/check-out")
        .status_code
        == 404
    )


def test_exceptions_by_the_head_and_refusals_for_other_units_and_governments(
    office: dict[str, Any], other_government: Any, make_user: Any
) -> None:
    body = {"nip": office["staff"].nip, "date": str(timezone.localdate()), "reason": "Rapat koordinasi"}
    assert Api(user=office["users"]["staff"]).post("/attendance/exceptions", body).status_code == 403
    assert (
        Api(user=office["users"]["kabid"])
        .post("/attendance/exceptions", {**body, "nip": office["staff_umum"].nip})
        .status_code
        == 404
    )
    stranger = make_user("admin-lain", (other_government, Role.ADMIN))
    assert Api(user=stranger).post("/attendance/exceptions", body).status_code == 404
    created = Api(user=office["users"]["kabid"]).post("/attendance/exceptions", body)
    assert created.status_code == 201 and created.json()["basis"] == "official"
    again = Api(user=office["users"]["admin"]).post("/attendance/exceptions", body)
    assert again.status_code == 422 and "already has an exception" in again.json()["errors"]["date"][0]
    assert AttendanceException.objects.count() == 1
    listed = Api(user=office["users"]["staff"]).get("/attendance/exceptions").json()["items"]
    assert [x["reason"] for x in listed] == ["Rapat koordinasi"]


def test_presence_for_the_task_force_and_for_oneself_only(
    office: dict[str, Any], other_government: Any, make_user: Any
) -> None:
    services.check_in(employee=office["staff"], mode="wfo", latitude=INSIDE[0], longitude=INSIDE[1], now=at(7, 20))
    window = {"start": at(8, 0).isoformat(), "end": at(9, 0).isoformat()}
    health = Api(user=office["users"]["health"])
    found = health.get("/presence", building="menara-wijaya", floor=2, **window)
    assert found.status_code == 200
    assert [i["nip"] for i in found.json()["items"]] == [office["staff"].nip]
    assert AuditEvent.objects.filter(action="read_presence").count() == 1
    assert len(health.get("/presence", nip=office["staff"].nip, **window).json()["items"]) == 1
    assert health.get("/presence", building="nope", **window).status_code == 404
    own = Api(user=office["users"]["staff"]).get("/presence", **window)
    assert [i["source"] for i in own.json()["items"]] == ["check_in"]
    assert Api(user=office["users"]["kabid"]).get("/presence", nip=office["staff"].nip, **window).status_code == 404
    assert Api(user=office["users"]["admin"]).get("/presence", building="menara-wijaya", **window).status_code == 403
    stranger = make_user("satgas-lain", (other_government, Role.HEALTH))
    assert Api(user=stranger).get("/presence", building="menara-wijaya", **window).status_code == 404
    assert health.get("/presence", start=window["end"], end=window["start"], nip=office["staff"].nip).status_code == 422
