"""Units, positions and buildings: the organisation chart every member of the government may read."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from siaga.api.tests.conftest import ApiClient
from siaga.org.models import Building, Position

ALL_UNITS = ["DINKES", "DPMPTSP", "DPMPTSP-PEL", "DPMPTSP-UMUM"]
READERS = ["admin", "health", "officer", "head", "kabid", "staff", "other_staff"]


@pytest.mark.parametrize("role", READERS)
def test_every_member_of_the_government_lists_all_its_units(
    as_user: Callable[..., ApiClient], other_org: dict[str, Any], role: str
) -> None:
    response = as_user(role).get("/units")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4
    assert [u["code"] for u in body["items"]] == ALL_UNITS


@pytest.mark.parametrize("role", ["citizen", "nobody"])
def test_callers_without_an_organisation_role_may_not_list_units(
    as_user: Callable[..., ApiClient], org: dict[str, Any], role: str
) -> None:
    assert as_user(role).get("/units").status_code == 403


def test_a_unit_row_carries_its_parent_kind_flags_and_place(
    as_user: Callable[..., ApiClient], buildings: dict[str, Building]
) -> None:
    items = as_user("staff").get("/units").json()["items"]
    assert items[1] == {
        "code": "DPMPTSP",
        "name": "DPMPTSP",
        "kind": "dinas",
        "parent": None,
        "public_service": True,
        "essential": False,
        "is_active": True,
        "building": "GEDUNG-A",
        "floor": 2,
    }
    assert items[2] == {
        "code": "DPMPTSP-PEL",
        "name": "Bidang Pelayanan",
        "kind": "bidang",
        "parent": "DPMPTSP",
        "public_service": False,
        "essential": False,
        "is_active": True,
        "building": "GEDUNG-A",
        "floor": 1,
    }


@pytest.mark.parametrize(
    ("params", "codes"),
    [
        ({"kind": "bidang"}, ["DPMPTSP-PEL", "DPMPTSP-UMUM"]),
        ({"kind": "dinas"}, ["DINKES", "DPMPTSP"]),
        ({"parent": "DPMPTSP"}, ["DPMPTSP-PEL", "DPMPTSP-UMUM"]),
        ({"within": "DPMPTSP"}, ["DPMPTSP", "DPMPTSP-PEL", "DPMPTSP-UMUM"]),
        ({"within": "DPMPTSP-UMUM"}, ["DPMPTSP-UMUM"]),
        ({"public_service": "true"}, ["DPMPTSP"]),
        ({"public_service": "false"}, ["DINKES", "DPMPTSP-PEL", "DPMPTSP-UMUM"]),
        ({"essential": "true"}, []),
        ({"q": "umum"}, ["DPMPTSP-UMUM"]),
        ({"q": "kesehatan"}, ["DINKES"]),
        ({"active": "false"}, []),
        ({"limit": 2, "offset": 1}, ["DPMPTSP", "DPMPTSP-PEL"]),
    ],
)
def test_units_can_be_filtered(
    as_user: Callable[..., ApiClient], other_org: dict[str, Any], params: dict[str, Any], codes: list[str]
) -> None:
    body = as_user("officer").get("/units", **params).json()
    assert [u["code"] for u in body["items"]] == codes
    assert body["count"] == (4 if "limit" in params else len(codes))


def test_filtering_units_by_a_unit_code_of_another_government_is_404(
    as_user: Callable[..., ApiClient], other_org: dict[str, Any]
) -> None:
    assert as_user("admin").get("/units", parent="BAPPEDA").status_code == 404
    assert as_user("admin").get("/units", within="BAPPEDA").status_code == 404


def test_an_unknown_unit_kind_is_422(as_user: Callable[..., ApiClient], org: dict[str, Any]) -> None:
    response = as_user("admin").get("/units", kind="kementerian")
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["kind"]


def test_a_unit_shows_its_head_and_the_units_below(as_user: Callable[..., ApiClient], org: dict[str, Any]) -> None:
    response = as_user("staff").get("/units/DPMPTSP")
    assert response.status_code == 200
    assert response.json() == {
        "code": "DPMPTSP",
        "name": "DPMPTSP",
        "kind": "dinas",
        "parent": None,
        "public_service": True,
        "essential": False,
        "is_active": True,
        "building": None,
        "floor": None,
        "head": {"nip": org["kadis"].nip, "name": "Kepala Dinas"},
        "children": ["DPMPTSP-PEL", "DPMPTSP-UMUM"],
    }
    umum = as_user("staff").get("/units/DPMPTSP-UMUM").json()
    assert (umum["parent"], umum["head"], umum["children"]) == ("DPMPTSP", None, [])


def test_a_unit_of_another_government_is_not_found(
    as_user: Callable[..., ApiClient], other_org: dict[str, Any]
) -> None:
    response = as_user("admin").get("/units/BAPPEDA")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    # the same code in both governments: the caller's own unit
    assert as_user("admin").get("/units/DPMPTSP-PEL").json()["name"] == "Bidang Pelayanan"


# ---------------------------------------------------------------------------------------------------
# Positions


def test_positions_of_the_government_and_of_one_unit(
    as_user: Callable[..., ApiClient], org: dict[str, Any], other_org: dict[str, Any]
) -> None:
    Position.objects.create(government=org["government"], unit=org["pelayanan"], name="Analis", kind="fungsional")
    api = as_user("staff")
    body = api.get("/positions").json()
    assert body["count"] == 3
    assert [(p["unit"], p["name"], p["is_head"]) for p in body["items"]] == [
        ("DPMPTSP", "Kepala Dinas", True),
        ("DPMPTSP-PEL", "Kepala Bidang Pelayanan", True),
        ("DPMPTSP-PEL", "Analis", False),
    ]
    head = body["items"][0]
    assert head == {
        "id": head["id"],
        "unit": "DPMPTSP",
        "name": "Kepala Dinas",
        "kind": "struktural",
        "level": "jpt_pratama",
        "eselon": "II",
        "is_head": True,
    }
    only_pel = api.get("/positions", unit="DPMPTSP-PEL").json()
    assert [p["name"] for p in only_pel["items"]] == ["Kepala Bidang Pelayanan", "Analis"]
    assert api.get("/positions", unit="DPMPTSP-UMUM").json() == {"items": [], "count": 0}
    assert api.get("/positions", unit="BAPPEDA").status_code == 404


@pytest.mark.parametrize(("role", "status"), [("officer", 200), ("citizen", 403), ("nobody", 403)])
def test_who_may_list_positions(as_user: Callable[..., ApiClient], org: dict[str, Any], role: str, status: int) -> None:
    assert as_user(role).get("/positions").status_code == status


# ---------------------------------------------------------------------------------------------------
# Buildings


@pytest.mark.parametrize("role", READERS)
def test_every_member_lists_the_buildings_of_their_government_only(
    as_user: Callable[..., ApiClient], buildings: dict[str, Building], other_org: dict[str, Any], role: str
) -> None:
    body = as_user(role).get("/buildings").json()
    assert body == {
        "count": 2,
        "items": [
            {
                "code": "GEDUNG-A",
                "name": "Gedung A",
                "address": "Jl. Veteran 1",
                "latitude": -7.68,
                "longitude": 110.84,
                "geofence_radius_m": 150,
                "status": "open",
                "status_note": "",
                "floor_count": 2,
            },
            {
                "code": "GEDUNG-B",
                "name": "Gedung B",
                "address": "",
                "latitude": None,
                "longitude": None,
                "geofence_radius_m": 100,
                "status": "closed",
                "status_note": "Disinfeksi",
                "floor_count": 0,
            },
        ],
    }


def test_buildings_can_be_filtered_by_status(as_user: Callable[..., ApiClient], buildings: dict[str, Building]) -> None:
    api = as_user("admin")
    assert [b["code"] for b in api.get("/buildings", status="closed").json()["items"]] == ["GEDUNG-B"]
    assert [b["code"] for b in api.get("/buildings", status="open").json()["items"]] == ["GEDUNG-A"]
    assert api.get("/buildings", status="ajar").status_code == 422


def test_a_building_shows_floors_rooms_capacities_and_occupancy(
    as_user: Callable[..., ApiClient], buildings: dict[str, Building]
) -> None:
    response = as_user("staff").get("/buildings/GEDUNG-A")
    assert response.status_code == 200
    assert response.json() == {
        "code": "GEDUNG-A",
        "name": "Gedung A",
        "address": "Jl. Veteran 1",
        "latitude": -7.68,
        "longitude": 110.84,
        "geofence_radius_m": 150,
        "status": "open",
        "status_note": "",
        "floors": [
            {
                "number": 1,
                "name": "",
                "capacity": 40,
                "distancing_capacity": 20,
                "status": "open",
                "assigned": 2,
                "units": ["DPMPTSP-PEL"],
                "rooms": [
                    {
                        "code": "R-101",
                        "name": "Ruang Layanan",
                        "capacity": 20,
                        "distancing_capacity": 8,
                        "status": "open",
                    },
                    {
                        "code": "R-102",
                        "name": "Ruang Rapat",
                        "capacity": 12,
                        "distancing_capacity": 6,
                        "status": "open",
                    },
                ],
            },
            {
                "number": 2,
                "name": "Lantai 2",
                "capacity": 30,
                "distancing_capacity": 15,
                "status": "open",
                "assigned": 1,
                "units": ["DPMPTSP"],
                "rooms": [],
            },
        ],
    }


def test_a_building_of_another_government_is_not_found(
    as_user: Callable[..., ApiClient], buildings: dict[str, Building], other_org: dict[str, Any]
) -> None:
    api = as_user("admin")
    assert api.get("/buildings/KANTOR-B").status_code == 404
    assert api.get("/buildings/GEDUNG-A").json()["name"] == "Gedung A"


@pytest.mark.parametrize(("role", "status"), [("health", 200), ("citizen", 403), ("nobody", 403)])
def test_who_may_read_a_building(
    as_user: Callable[..., ApiClient], buildings: dict[str, Building], role: str, status: int
) -> None:
    assert as_user(role).get("/buildings/GEDUNG-B").status_code == status
