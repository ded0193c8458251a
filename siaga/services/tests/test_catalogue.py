"""The service catalogue (BKPSDM): services with requirement and form-field rows, the signing position,
the face-to-face restriction; role by role."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from siaga.core.models import AuditEvent
from siaga.org.models import Position
from siaga.services import selectors
from siaga.services import services_catalogue as catalogue
from siaga.services.models import FaceToFaceRestriction, Mode, Service
from siaga.services.tests.test_office_fixtures import ROLES, office  # noqa: F401

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _post_data(office: dict, **overrides: Any) -> dict[str, Any]:  # noqa: F811
    data = {
        "unit": office["pelayanan"].pk,
        "code": "sip-apoteker",
        "name": "Surat Izin Praktik Apoteker",
        "description": "",
        "procedure": "1. Daftar. 2. Verifikasi. 3. Terbit.",
        "sla_days": "5",
        "fee": "0",
        "fee_basis": "",
        "product": "SIPA",
        "product_kind": "permit",
        "complaint_channel": "SP4N-LAPOR!",
        "legal_basis": "Permenkes 26/2018",
        "signer_position": Position.objects.get(unit=office["dinas"], is_head=True).pk,
        "mode": Mode.APPOINTMENT,
        "restricted_mode": Mode.ONLINE,
        "is_active": "on",
        "req-TOTAL_FORMS": "3",
        "req-INITIAL_FORMS": "0",
        "req-0-code": "ktp",
        "req-0-name": "KTP-el",
        "req-0-required": "on",
        "req-1-code": "str",
        "req-1-name": "STR Apoteker",
        "req-1-required": "on",
        "req-1-note": "Masih berlaku",
        "req-2-code": "",
        "req-2-name": "",
        "field-TOTAL_FORMS": "1",
        "field-INITIAL_FORMS": "0",
        "field-0-code": "alamat-praktik",
        "field-0-name": "Alamat tempat praktik",
        "field-0-required": "on",
    }
    data.update(overrides)
    return data


CATALOGUE = {
    "admin": 200,
    "officer": 403,
    "other_officer": 403,
    "head": 403,
    "plh": 403,
    "staff": 403,
    "health": 403,
    "citizen": 403,
}


@pytest.mark.parametrize("role", ROLES)
def test_catalogue_pages_by_role(office: dict, role: str) -> None:  # noqa: F811
    client = _client(office["people"][role])
    assert client.get(reverse("services:catalogue")).status_code == CATALOGUE[role]
    assert client.get(reverse("services:service_edit", args=[office["pbg"].pk])).status_code == CATALOGUE[role]
    response = client.post(reverse("services:service_create"), _post_data(office))
    assert response.status_code == (302 if role == "admin" else 403)
    assert Service.objects.filter(code="sip-apoteker").exists() == (role == "admin")
    response = client.post(
        reverse("services:restriction_create"), {"start": timezone.localdate().isoformat(), "reason": "SE Bupati"}
    )
    assert response.status_code == (302 if role == "admin" else 403)


def test_admin_creates_a_service_with_rows_and_edits_it(office: dict) -> None:  # noqa: F811
    client = _client(office["users"]["admin"])
    response = client.post(reverse("services:service_create"), _post_data(office))
    assert response.status_code == 302
    service = Service.objects.get(code="sip-apoteker")
    assert service.requirements == [
        {"code": "ktp", "name": "KTP-el", "required": True},
        {"code": "str", "name": "STR Apoteker", "required": True, "note": "Masih berlaku"},
    ]
    assert service.fields == [{"code": "alamat-praktik", "name": "Alamat tempat praktik", "required": True}]
    assert AuditEvent.objects.filter(object_type="services.service", object_id=str(service.pk)).exists()
    page = client.get(reverse("services:service_edit", args=[service.pk])).content.decode()
    assert 'value="STR Apoteker"' in page and page.count('data-testid="requirement-row"') == 4  # two + two empty
    response = client.post(
        reverse("services:service_edit", args=[service.pk]),
        _post_data(office, **{"req-1-code": "", "req-1-name": "", "sla_days": "7"}),
    )
    assert response.status_code == 302
    service.refresh_from_db()
    assert [r["code"] for r in service.requirements] == ["ktp"] and service.sla_days == 7


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"req-1-code": "ktp"}, None, "the code “ktp” is used twice"),
        ({"req-1-code": "STR Apoteker!"}, None, "lower-case letters, digits"),
        ({"req-1-name": ""}, None, "give it a name"),
        ({"code": "izin-usaha-mikro"}, "code", "Another service already has this code."),
        ({"fee": "50000"}, "fee_basis", "A fee needs its legal basis"),
        ({"sla_days": "0"}, "sla_days", "The time limit is 1 to 365 working days."),
        ({"restricted_mode": Mode.IN_PERSON}, "restricted_mode", "cannot become in person"),
    ],
)
def test_validation_says_what_to_fix_and_writes_nothing(
    office: dict,  # noqa: F811
    overrides: dict,
    field: str | None,
    message: str,
) -> None:
    response = _client(office["users"]["admin"]).post(
        reverse("services:service_create"), _post_data(office, **overrides)
    )
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Service.objects.filter(code="sip-apoteker").exists()


def test_the_signer_is_a_head_of_the_unit_or_above(office: dict, actor_of: Any) -> None:  # noqa: F811
    admin = actor_of(office["users"]["admin"])
    data = {k: v for k, v in _post_data(office).items() if "-" not in k}
    data.update(
        unit=office["pelayanan"],
        signer_position=Position.objects.get(unit=office["dinas"], is_head=True),
        sla_days=5,
        fee=0,
        field_check=False,
        deliverable=False,
        is_active=True,
    )
    # a head position of another OPD cannot sign
    dinkes_head = Position.objects.create(
        government=office["government"],
        unit=office["other_unit"],
        name="Kepala Dinkes",
        kind="struktural",
        level="jpt_pratama",
        is_head=True,
    )
    with pytest.raises(ValidationError) as err:
        catalogue.service_save(
            government=office["government"],
            data={**data, "signer_position": dinkes_head},
            requirements=[],
            fields=[],
            actor=admin,
        )
    assert "signer_position" in err.value.message_dict
    saved = catalogue.service_save(government=office["government"], data=data, requirements=[], fields=[], actor=admin)
    assert saved.signer_position.unit == office["dinas"]
    kabid = Position.objects.get(unit=office["pelayanan"], is_head=True)
    assert {p.pk for p in catalogue.signer_positions(office["pelayanan"])} == {kabid.pk, saved.signer_position_id}
    with pytest.raises(PermissionDenied):
        catalogue.service_save(
            government=office["government"],
            data=data,
            requirements=[],
            fields=[],
            actor=actor_of(office["users"]["officer"]),
        )


def test_a_restriction_switches_every_service_to_its_restricted_mode_and_ends(
    office: dict,  # noqa: F811
    actor_of: Any,
) -> None:
    admin = actor_of(office["users"]["admin"])
    today = timezone.localdate()
    pbg = office["pbg"]
    pbg.mode, pbg.restricted_mode = Mode.IN_PERSON, Mode.APPOINTMENT
    pbg.save()
    assert selectors.effective_mode(pbg, today) == Mode.IN_PERSON
    with pytest.raises(ValidationError) as err:
        catalogue.restriction_create(
            government=office["government"], start=today, end=today - dt.timedelta(days=1), reason="", actor=admin
        )
    assert set(err.value.message_dict) == {"reason", "end"}
    restriction = catalogue.restriction_create(
        government=office["government"],
        start=today - dt.timedelta(days=3),
        end=None,
        reason="SE Bupati 443/2026",
        actor=admin,
    )
    assert selectors.effective_mode(pbg, today) == Mode.APPOINTMENT
    assert selectors.effective_mode(pbg, today + dt.timedelta(days=100)) == Mode.APPOINTMENT
    with pytest.raises(ValidationError) as err:
        catalogue.restriction_create(
            government=office["government"], start=today + dt.timedelta(days=3), end=None, reason="Lagi", actor=admin
        )
    assert "already holds" in err.value.message_dict["start"][0]
    page = _client(office["users"]["admin"]).get(reverse("services:catalogue")).content.decode()
    assert 'data-testid="restriction-active"' in page and "SE Bupati 443/2026" in page
    catalogue.restriction_end(restriction=restriction, actor=admin)
    assert selectors.effective_mode(pbg, today) == Mode.IN_PERSON
    assert FaceToFaceRestriction.objects.get().end == today - dt.timedelta(days=1)
