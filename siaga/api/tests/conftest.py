"""Fixtures of the API tests: a JSON client per user or token, a second government, buildings."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from siaga.core.models import Government, Role
from siaga.core.services import api_token_create
from siaga.org import services
from siaga.org.models import Building, Delegation, Employee, Position, Unit

API = "/api/v1"


class ApiClient:
    """Django's test client speaking JSON to /api/v1, in English, as a user, a token or nobody."""

    def __init__(self, *, user: Any = None, token: str | None = None, enforce_csrf: bool = False) -> None:
        self.client = Client(enforce_csrf_checks=enforce_csrf)
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        self.headers: dict[str, str] = {}
        if user is not None:
            self.client.force_login(user)
        if token is not None:
            self.headers["Authorization"] = f"Bearer {token}"

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(API + path, params, headers=self.headers)

    def post(self, path: str, data: Any = None, headers: dict[str, str] | None = None) -> Any:
        return self.client.post(
            API + path,
            json.dumps(data if data is not None else {}),
            content_type="application/json",
            headers={**self.headers, **(headers or {})},
        )

    def patch(self, path: str, data: Any) -> Any:
        return self.client.patch(API + path, json.dumps(data), content_type="application/json", headers=self.headers)


@pytest.fixture
def users(org: dict[str, Any], make_user: Callable[..., Any]) -> dict[str, Any]:
    """Every kind of caller: the org fixture's users, a citizen, and a user with no role anywhere."""
    return {
        **org["users"],
        "citizen": make_user("warga", (org["government"], Role.CITIZEN)),
        "nobody": make_user("tanpaperan"),
    }


@pytest.fixture
def as_user(users: dict[str, Any]) -> Callable[..., ApiClient]:
    """``as_user("admin")`` (a role key of ``users``) or ``as_user(user_object)``; ``None`` is anonymous."""

    def factory(who: Any, *, enforce_csrf: bool = False) -> ApiClient:
        user = users[who] if isinstance(who, str) else who
        return ApiClient(user=user, enforce_csrf=enforce_csrf)

    return factory


@pytest.fixture
def make_token() -> Callable[..., str]:
    def factory(user: Any, government: Government, **extra: Any) -> str:
        _token, key = api_token_create(government=government, user=user, name="SIMPEG", actor=None, **extra)
        return key

    return factory


@pytest.fixture
def as_token(make_token: Callable[..., str]) -> Callable[..., ApiClient]:
    def factory(user: Any, government: Government, *, enforce_csrf: bool = False) -> ApiClient:
        return ApiClient(token=make_token(user, government), enforce_csrf=enforce_csrf)

    return factory


@pytest.fixture
def other_org(
    other_government: Government,
    make_unit: Callable[..., Unit],
    make_employee: Callable[..., Employee],
    make_user: Callable[..., Any],
) -> dict[str, Any]:
    """Government B, reusing some of A's codes (DPMPTSP, DPMPTSP-PEL, GEDUNG-A) so that lookups by code
    must be scoped, plus codes only B has (BAPPEDA, KANTOR-B)."""
    gov = other_government
    dinas = make_unit(gov, "DPMPTSP", "dinas", name="DPMPTSP Karanganyar")
    bidang = make_unit(gov, "DPMPTSP-PEL", "bidang", dinas, name="Bidang Pelayanan Karanganyar")
    bappeda = make_unit(gov, "BAPPEDA", "badan", name="Bappeda Karanganyar")
    head_pos = Position.objects.create(
        government=gov, unit=bidang, name="Kepala Bidang", kind="struktural", level="administrator", is_head=True
    )
    kabid = make_employee(bidang, "Kabid Karanganyar", position=head_pos)
    staff = make_employee(bidang, "Staf Karanganyar", email="staf@karanganyar.go.id")
    building = services.building_create(government=gov, code="GEDUNG-A", name="Gedung Karanganyar")
    services.floor_create(building=building, number=1, capacity=10, distancing_capacity=5)
    office = services.building_create(government=gov, code="KANTOR-B", name="Kantor Bappeda")
    today = timezone.localdate()
    delegation = Delegation.objects.create(
        government=gov,
        kind=Delegation.Kind.PLH,
        unit=bidang,
        official=kabid,
        acting=staff,
        start=today,
        end=today + dt.timedelta(days=10),
    )
    return {
        "government": gov,
        "dinas": dinas,
        "bidang": bidang,
        "bappeda": bappeda,
        "kabid": kabid,
        "staff": staff,
        "building": building,
        "office": office,
        "delegation": delegation,
        "admin": make_user("admin_b", (gov, Role.ADMIN)),
    }


@pytest.fixture
def buildings(org: dict[str, Any]) -> dict[str, Building]:
    """Gedung A (two floors, two rooms on the first) houses the DPMPTSP; Gedung B is closed."""
    gov = org["government"]
    gedung_a = services.building_create(
        government=gov,
        code="GEDUNG-A",
        name="Gedung A",
        address="Jl. Veteran 1",
        # Decimal, not float: the service's full_clean rejects -7.68 as a float (binary expansion).
        latitude=Decimal("-7.680000"),  # type: ignore[arg-type]
        longitude=Decimal("110.840000"),  # type: ignore[arg-type]
        geofence_radius_m=150,
    )
    first = services.floor_create(building=gedung_a, number=1, capacity=40, distancing_capacity=20)
    second = services.floor_create(building=gedung_a, number=2, capacity=30, distancing_capacity=15, name="Lantai 2")
    services.room_create(floor=first, code="R-101", name="Ruang Layanan", capacity=20, distancing_capacity=8)
    services.room_create(floor=first, code="R-102", name="Ruang Rapat", capacity=12, distancing_capacity=6)
    gedung_b = services.building_create(government=gov, code="GEDUNG-B", name="Gedung B")
    services.space_set_status(space=gedung_b, status="closed", note="Disinfeksi")
    Unit.objects.filter(pk=org["dinas"].pk).update(building=gedung_a, floor=second)
    Unit.objects.filter(pk=org["pelayanan"].pk).update(building=gedung_a, floor=first)
    Employee.objects.filter(pk__in=[org["staff"].pk, org["kabid"].pk]).update(building=gedung_a, floor=first)
    Employee.objects.filter(pk=org["kadis"].pk).update(building=gedung_a, floor=second)
    return {"gedung_a": gedung_a, "gedung_b": gedung_b}
