"""BKPSDM edits units, employees and the status of buildings; other roles are refused."""

import pytest
from django.urls import reverse

from siaga.core.models import AuditEvent
from siaga.org.models import Building, Floor

pytestmark = pytest.mark.django_db


def unit_data(org, **overrides):
    data = {"name": "Bidang Pelayanan Perizinan", "parent": org["dinas"].pk, "public_service": "on", "is_active": "on"}
    data.update(overrides)
    return data


def test_an_admin_edits_a_unit_and_the_change_is_audited(org, client):
    client.force_login(org["users"]["admin"])
    response = client.post(reverse("org:unit_edit", args=[org["pelayanan"].pk]), unit_data(org))
    assert response.status_code == 302
    org["pelayanan"].refresh_from_db()
    assert (org["pelayanan"].name, org["pelayanan"].public_service) == ("Bidang Pelayanan Perizinan", True)
    event = AuditEvent.objects.get(object_type="org.unit", action="update")
    assert event.changes["name"] == ["Bidang Pelayanan", "Bidang Pelayanan Perizinan"]


def test_a_unit_cannot_be_moved_under_a_unit_of_the_wrong_kind(org, client):
    client.force_login(org["users"]["admin"])
    response = client.post(reverse("org:unit_edit", args=[org["pelayanan"].pk]), unit_data(org, parent=org["umum"].pk))
    assert response.status_code == 200
    assert response.context["form"].errors["parent"] == ["Division (Bidang) cannot sit under Division (Bidang)."]
    org["pelayanan"].refresh_from_db()
    assert org["pelayanan"].parent == org["dinas"]


def test_an_admin_edits_an_employee_and_a_bad_nik_is_explained(org, client):
    client.force_login(org["users"]["admin"])
    url = reverse("org:employee_edit", args=[org["staff"].pk])
    data = {
        "name": "Staf Pelayanan",
        "unit": org["umum"].pk,
        "status": "pns",
        "nik": "12345",
        "email": "staf@example.go.id",
        "phone": "0812 3456 7890",
        "skills": "Front Office; signer",
        "is_active": "on",
    }
    response = client.post(url, data)
    assert response.context["form"].errors["nik"] == ["NIK must be 16 digits; 5 digits were entered."]
    response = client.post(url, dict(data, nik="3311015505900001"))
    assert response.status_code == 302
    org["staff"].refresh_from_db()
    assert org["staff"].unit == org["umum"]
    assert org["staff"].phone == "081234567890"
    assert sorted(s.code for s in org["staff"].skills.all()) == ["front_office", "signer"]


def test_only_admins_edit_units_and_employees(org, client):
    for who in ("head", "kabid", "staff", "health", "officer"):
        client.force_login(org["users"][who])
        assert client.get(reverse("org:unit_edit", args=[org["pelayanan"].pk])).status_code == 403
        assert client.post(reverse("org:employee_edit", args=[org["staff"].pk]), {"name": "x"}).status_code in (
            403,
            404,
        )
    org["staff"].refresh_from_db()
    assert org["staff"].name == "Staf Pelayanan"


def test_an_admin_restricts_a_building_and_closes_a_floor(org, client):
    building = Building.objects.create(government=org["government"], code="menara-wijaya", name="Menara Wijaya")
    floor = Floor.objects.create(
        government=org["government"], building=building, number=5, capacity=40, distancing_capacity=20
    )
    client.force_login(org["users"]["admin"])
    client.post(
        reverse("org:space_status", args=["building", building.pk]), {"status": "restricted", "note": "Disinfeksi"}
    )
    client.post(reverse("org:space_status", args=["floor", floor.pk]), {"status": "closed"})
    building.refresh_from_db()
    floor.refresh_from_db()
    assert (building.status, building.status_note, floor.status) == ("restricted", "Disinfeksi", "closed")
    client.force_login(org["users"]["head"])
    assert (
        client.post(reverse("org:space_status", args=["building", building.pk]), {"status": "open"}).status_code == 403
    )
    building.refresh_from_db()
    assert building.status == "restricted"
