"""Fixtures of deliveries and appointments: a KTP-el service at DPMPTSP (deliverable, by appointment),
an issued application for delivery, a staff courier and every role of the role tests."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from siaga.core.models import Role
from siaga.org.models import Building, Employee, Floor, Room
from siaga.services.models import Application, Mode, ProductKind, Service, Status
from siaga.services.tests.conftest import desk, make_application, make_citizen  # noqa: F401 - shared fixtures


def image_bytes(kind: str = "JPEG", size: tuple[int, int] = (32, 24)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(out, kind)
    return out.getvalue()


def photo(kind: str = "JPEG") -> SimpleUploadedFile:
    ext = "jpg" if kind == "JPEG" else kind.lower()
    return SimpleUploadedFile(f"foto.{ext}", image_bytes(kind), content_type=f"image/{ext}")


@pytest.fixture
def post(
    desk: dict[str, Any],  # noqa: F811 - the imported fixture
    make_user: Callable[..., Any],
    make_employee: Callable[..., Employee],
) -> dict[str, Any]:
    """``desk`` plus: a KTP-el service by appointment, an issued application of Budi for delivery, the
    staff courier (``staf``), an officer of another OPD, a room for appointments."""
    government = desk["government"]
    ktp = Service.objects.create(
        government=government,
        unit=desk["dinas"],
        code="ktp-el",
        name="KTP-el Pemula",
        sla_days=5,
        product="KTP-el",
        product_kind=ProductKind.ID_CARD,
        signer_position=desk["pbg"].signer_position,
        mode=Mode.APPOINTMENT,
        restricted_mode=Mode.APPOINTMENT,
    )
    app = Application.objects.create(
        government=government,
        service=ktp,
        unit=desk["dinas"],
        citizen=desk["budi"],
        status=Status.ISSUED,
        handover=Application.Handover.DELIVERY,
        delivery_address="Jl. Melati 5, RT 2 RW 3, Kartasura",
    )
    other_officer = make_user("petugasdinkes", (government, Role.SERVICE_OFFICER))
    make_employee(desk["other_unit"], "Petugas Dinkes", user=other_officer)
    building = Building.objects.create(government=government, code="MPP", name="Mal Pelayanan Publik")
    floor = Floor.objects.create(
        government=government, building=building, number=1, capacity=50, distancing_capacity=20
    )
    room = Room.objects.create(
        government=government, floor=floor, code="rekam", name="Ruang Perekaman", capacity=20, distancing_capacity=6
    )
    return {**desk, "ktp": ktp, "app": app, "courier": desk["staff"], "other_officer": other_officer, "room": room}
