"""Fixtures of the public services: a catalogue at DPMPTSP, an officer, citizens, applications."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from siaga.core.models import Government, Role, RoleAssignment
from siaga.org.models import Employee, Position
from siaga.services.models import Application, Citizen, ProductKind, Service

#: valid NIKs (python-stdnum): region 3374 01, born 1990-05-12 (man) / 1992-08-23 (woman: day + 40)
NIK_BUDI = "3374011205900001"
NIK_SITI = "3374016308920002"


@pytest.fixture
def make_citizen(make_user: Callable[..., Any]) -> Callable[..., Citizen]:
    def factory(government: Government, username: str, nik: str, name: str, **extra: Any) -> Citizen:
        user = make_user(username, (government, Role.CITIZEN))
        return Citizen.objects.create(
            government=government,
            user=user,
            nik=nik,
            name=name,
            email=extra.pop("email", f"{username}@example.com"),
            phone=extra.pop("phone", "081300000001"),
            **extra,
        )

    return factory


@pytest.fixture
def desk(org: dict[str, Any], make_citizen: Callable[..., Citizen], make_employee: Callable[..., Employee]) -> dict:
    """``org`` plus: the officer user as an employee of Bidang Pelayanan, two services (a paid permit with a
    field check, a free one), and two citizens."""
    government = org["government"]
    officer = make_employee(org["pelayanan"], "Petugas Front Office", user=org["users"]["officer"])
    head_position = Position.objects.get(unit=org["dinas"], is_head=True)
    pbg = Service.objects.create(
        government=government,
        unit=org["dinas"],
        code="pbg",
        name="Persetujuan Bangunan Gedung",
        requirements=[
            {"code": "ktp", "name": "KTP-el pemohon", "required": True},
            {"code": "gambar", "name": "Gambar rencana", "required": True},
        ],
        fields=[{"code": "lokasi", "name": "Lokasi bangunan", "required": True}],
        sla_days=10,
        fee=1500000,
        product="Surat PBG",
        product_kind=ProductKind.PERMIT,
        signer_position=head_position,
        field_check=True,
    )
    usaha = Service.objects.create(
        government=government,
        unit=org["dinas"],
        code="izin-usaha-mikro",
        name="Izin Usaha Mikro",
        requirements=[{"code": "ktp", "name": "KTP-el pemohon", "required": True}],
        sla_days=3,
        fee=0,
        product="Izin Usaha Mikro",
        product_kind=ProductKind.PERMIT,
        signer_position=head_position,
    )
    budi = make_citizen(government, "budi", NIK_BUDI, "Budi Santoso")
    siti = make_citizen(government, "siti", NIK_SITI, "Siti Aminah")
    return {**org, "officer": officer, "pbg": pbg, "usaha": usaha, "budi": budi, "siti": siti}


@pytest.fixture
def make_application() -> Callable[..., Application]:
    """An application as submitted (without attachments): for back-office tests."""

    def factory(service: Service, citizen: Citizen, **extra: Any) -> Application:
        return Application.objects.create(
            government=service.government,
            service=service,
            unit=service.unit,
            citizen=citizen,
            fee_amount=service.fee,
            **extra,
        )

    return factory


def citizen_user(username: str, government: Government) -> Any:
    user = get_user_model().objects.get(username=username)
    assert RoleAssignment.objects.filter(user=user, government=government, role=Role.CITIZEN).exists()
    return user
