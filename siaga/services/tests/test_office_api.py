"""The back office API, role by role: queue, one application, move, take, assign.

The module mounts ``office_router`` on an API of its own with the project's authentication and error
handlers, so it gives the same answers whether or not the project's API mounts it yet."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from siaga.services.models import Application, Status
from siaga.services.tests.test_office_fixtures import ROLES, office  # noqa: F401

S = Status

pytestmark = pytest.mark.django_db

API = "/api/v1/services/office"


class Api:
    def __init__(self, user: Any) -> None:
        self.client = Client()
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        self.client.force_login(user)

    def get(self, url: str, **params: Any) -> Any:
        return self.client.get(API + url, params)

    def post(self, url: str, data: Any = None) -> Any:
        return self.client.post(API + url, json.dumps(data or {}), content_type="application/json")


@pytest.fixture
def app(office: dict, make_application: Any) -> Application:  # noqa: F811
    return make_application(office["pbg"], office["budi"], data={"lokasi": "Jl. Merdeka 1"})


QUEUE = {
    "admin": 200,
    "officer": 200,
    "other_officer": 200,
    "head": 200,
    "plh": 200,
    "staff": 403,
    "health": 403,
    "citizen": 403,
}
DETAIL = {**QUEUE, "other_officer": 404}
TAKE = {**DETAIL, "admin": 403, "head": 403, "plh": 403}
ASSIGN = {**DETAIL, "officer": 403, "admin": 403}
MOVE = {**DETAIL, "admin": 403}


@pytest.mark.parametrize("role", ROLES)
def test_api_roles(office: dict, app: Application, role: str) -> None:  # noqa: F811
    api = Api(office["people"][role])
    response = api.get("/queue", name="unassigned")
    assert response.status_code == QUEUE[role]
    if response.status_code == 200:
        refs = [row["reference"] for row in response.json()["items"]]
        assert (app.reference in refs) == (role != "other_officer")
    assert api.get(f"/applications/{app.pk}").status_code == DETAIL[role]
    response = api.post(f"/applications/{app.pk}/assign", {"officer": office["officer2"].nip})
    assert response.status_code == ASSIGN[role]
    response = api.post(f"/applications/{app.pk}/take")
    assert response.status_code in ({TAKE[role]} if TAKE[role] != 200 else {200, 422})
    response = api.post(f"/applications/{app.pk}/move", {"to": "registered"})
    assert response.status_code == MOVE[role]
    app.refresh_from_db()
    assert (app.status == S.REGISTERED) == (MOVE[role] == 200)


def test_api_walks_an_application_to_signature(office: dict, app: Application) -> None:  # noqa: F811
    api = Api(office["users"]["officer"])
    taken = api.post(f"/applications/{app.pk}/take").json()
    assert taken["officer"] == office["officer"].nip
    second = Api(office["officer2"].user).post(f"/applications/{app.pk}/take")
    assert second.status_code == 422 and "already handles" in second.json()["errors"]["__all__"][0]
    bad = api.post(f"/applications/{app.pk}/move", {"to": "incomplete"})
    assert bad.status_code == 422 and bad.json()["errors"]["missing"]
    detail = api.post(f"/applications/{app.pk}/move", {"to": "incomplete", "missing": ["ktp"]}).json()
    assert detail["status"] == "incomplete" and "KTP-el pemohon" in detail["status_note"]
    from siaga.core.access import actor_for_user
    from siaga.services.workflow import transition

    transition(application=app, to=S.RESUBMITTED, actor=actor_for_user(office["budi"].user))
    for to, extra in [
        ("registered", {}),
        ("in_review", {}),
        ("field_check", {}),
        ("recommended", {"note": "Bangunan sesuai gambar."}),
        ("awaiting_payment", {}),
    ]:
        response = api.post(f"/applications/{app.pk}/move", {"to": to, **extra})
        assert response.status_code == 200, response.json()
        assert response.json()["status"] == to
    detail = response.json()
    assert detail["bill_number"].startswith("SKRD/DPMPTSP/") and detail["fee_amount"] == 1500000
    assert detail["moves"] == ["awaiting_signature"]
    response = api.post(
        f"/applications/{app.pk}/move",
        {"to": "awaiting_signature", "payment_reference": "BANK-1", "paid_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 200 and response.json()["status"] == "awaiting_signature"
    history = response.json()["history"]
    assert any(not e["public"] and "Bangunan sesuai gambar." in e["note"] for e in history)
    mine = api.get("/queue", name="mine").json()["items"]
    assert [row["reference"] for row in mine] == [app.reference]
    assert mine[0]["working_days_left"] is not None
