"""Employees: who sees whom, who sees contact details, and how admins add and change employees."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from siaga.api.tests.conftest import ApiClient
from siaga.core.models import AuditEvent
from siaga.org.identifiers import make_nip
from siaga.org.models import Building, Employee, Position, RiskProfile, Skill

EVERYONE = ["Kepala Bidang", "Kepala Dinas", "Staf Dinkes", "Staf Pelayanan", "Staf Umum"]


@pytest.mark.parametrize(
    ("role", "names"),
    [
        ("admin", EVERYONE),
        ("health", EVERYONE),
        # a service officer without an employee record has no unit, so no colleagues
        ("officer", []),
        # the head of the Dinas sees the Dinas and both bidang
        ("head", ["Kepala Bidang", "Kepala Dinas", "Staf Pelayanan", "Staf Umum"]),
        # the head of a bidang sees that bidang, not the other one
        ("kabid", ["Kepala Bidang", "Staf Pelayanan"]),
        # a plain employee sees their own unit
        ("staff", ["Kepala Bidang", "Staf Pelayanan"]),
        ("other_staff", ["Staf Dinkes"]),
    ],
)
def test_each_role_lists_exactly_the_employees_in_its_scope(
    as_user: Callable[..., ApiClient], other_org: dict[str, Any], role: str, names: list[str]
) -> None:
    response = as_user(role).get("/employees")
    assert response.status_code == 200
    body = response.json()
    assert [e["name"] for e in body["items"]] == names
    assert body["count"] == len(names)


@pytest.mark.parametrize("role", ["citizen", "nobody"])
def test_callers_without_an_employee_role_may_not_list_employees(
    as_user: Callable[..., ApiClient], org: dict[str, Any], role: str
) -> None:
    assert as_user(role).get("/employees").status_code == 403


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 200),
        ("health", 200),
        ("officer", 404),
        ("head", 200),
        ("kabid", 404),
        ("staff", 404),
        ("other_staff", 404),
        ("citizen", 403),
        ("nobody", 403),
    ],
)
def test_who_may_read_an_employee_of_the_other_bidang(
    as_user: Callable[..., ApiClient], org: dict[str, Any], role: str, status: int
) -> None:
    response = as_user(role).get(f"/employees/{org['staff_umum'].nip}")
    assert response.status_code == status
    if status == 200:
        assert response.json()["name"] == "Staf Umum"


def test_an_employee_of_another_government_is_not_found_even_by_its_admin_peer(
    as_user: Callable[..., ApiClient], org: dict[str, Any], other_org: dict[str, Any]
) -> None:
    response = as_user("admin").get(f"/employees/{other_org['staff'].nip}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


CONTACT = {"email": "staf@example.go.id", "phone": "081234567890", "nik": "3311015708900001"}
HIDDEN = {"email": None, "phone": None, "nik": None}


@pytest.mark.parametrize(
    ("role", "contact"),
    [
        ("admin", CONTACT),
        ("health", CONTACT),
        ("head", CONTACT),  # head over the unit
        ("kabid", CONTACT),  # head of the unit
        ("staff", CONTACT),  # the person
        ("colleague", HIDDEN),  # same unit, not a head
    ],
)
def test_contact_fields_are_shown_only_to_those_who_may_see_them(
    as_user: Callable[..., ApiClient],
    org: dict[str, Any],
    make_employee: Callable[..., Employee],
    make_user: Callable[..., Any],
    role: str,
    contact: dict[str, Any],
) -> None:
    Employee.objects.filter(pk=org["staff"].pk).update(nik="3311015708900001")
    colleague = make_employee(org["pelayanan"], "Rekan Pelayanan", user=make_user("rekan"))
    api = as_user(colleague.user if role == "colleague" else role)
    detail = api.get(f"/employees/{org['staff'].nip}").json()
    assert {key: detail[key] for key in ("email", "phone", "nik")} == contact
    row = next(e for e in api.get("/employees").json()["items"] if e["nip"] == org["staff"].nip)
    assert {key: row[key] for key in ("email", "phone", "nik")} == contact


def test_an_employee_row_has_these_fields_and_never_health_data(
    as_user: Callable[..., ApiClient], org: dict[str, Any], buildings: dict[str, Building]
) -> None:
    RiskProfile.objects.create(government=org["government"], employee=org["staff"], comorbidity=True, note="asma")
    org["staff"].skills.set([Skill.objects.create(government=org["government"], code="front_office")])
    response = as_user("health").get(f"/employees/{org['staff'].nip}")
    assert response.json() == {
        "nip": org["staff"].nip,
        "name": "Staf Pelayanan",
        "status": "pns",
        "unit": "DPMPTSP-PEL",
        "unit_name": "Bidang Pelayanan",
        "position": None,
        "position_id": None,
        "is_head": False,
        "skills": ["front_office"],
        "building": "GEDUNG-A",
        "floor": 1,
        "is_active": True,
        "email": "staf@example.go.id",
        "phone": "081234567890",
        "nik": "",
    }
    kabid = as_user("health").get(f"/employees/{org['kabid'].nip}").json()
    assert (kabid["position"], kabid["is_head"]) == ("Kepala Bidang Pelayanan", True)


def test_the_nip_in_the_path_may_contain_spaces(as_user: Callable[..., ApiClient], org: dict[str, Any]) -> None:
    nip = org["staff"].nip
    spaced = f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"
    assert as_user("admin").get(f"/employees/{spaced}").json()["nip"] == nip


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({"unit": "DPMPTSP"}, ["Kepala Bidang", "Kepala Dinas", "Staf Pelayanan", "Staf Umum"]),
        ({"unit": "DPMPTSP", "include_subunits": "false"}, ["Kepala Dinas"]),
        ({"unit": "DPMPTSP-UMUM"}, ["Staf Umum"]),
        ({"q": "staf"}, ["Staf Dinkes", "Staf Pelayanan", "Staf Umum"]),
        ({"q": "KEPALA"}, ["Kepala Bidang", "Kepala Dinas"]),
        ({"status": "pppk"}, ["Staf Umum"]),
        ({"status": "pns"}, ["Kepala Bidang", "Kepala Dinas", "Staf Dinkes", "Staf Pelayanan"]),
        ({"skill": "front_office"}, ["Staf Pelayanan"]),
        ({"building": "GEDUNG-A"}, ["Kepala Bidang", "Kepala Dinas", "Staf Pelayanan"]),
        ({"active": "false"}, ["Pensiunan"]),
        (
            {"active": "all"},
            ["Kepala Bidang", "Kepala Dinas", "Pensiunan", "Staf Dinkes", "Staf Pelayanan", "Staf Umum"],
        ),
        ({"limit": 2, "offset": 1}, ["Kepala Dinas", "Staf Dinkes"]),
    ],
)
def test_employees_can_be_filtered(
    as_user: Callable[..., ApiClient],
    org: dict[str, Any],
    buildings: dict[str, Building],
    make_employee: Callable[..., Employee],
    params: dict[str, Any],
    names: list[str],
) -> None:
    Employee.objects.filter(pk=org["staff_umum"].pk).update(status="pppk")
    org["staff"].skills.set([Skill.objects.create(government=org["government"], code="front_office")])
    make_employee(org["umum"], "Pensiunan", is_active=False)
    body = as_user("admin").get("/employees", **params).json()
    assert [e["name"] for e in body["items"]] == names
    assert body["count"] == (5 if "limit" in params else len(names))


def test_employees_can_be_found_by_the_first_digits_of_the_nip(
    as_user: Callable[..., ApiClient], org: dict[str, Any]
) -> None:
    nip = org["staff_umum"].nip
    names = [e["name"] for e in as_user("admin").get("/employees", q=nip[:14]).json()["items"]]
    assert names == ["Staf Umum"]


def test_filters_cannot_widen_the_scope(as_user: Callable[..., ApiClient], org: dict[str, Any]) -> None:
    """A plain employee asking for another unit gets nobody, not that unit's staff."""
    body = as_user("staff").get("/employees", unit="DPMPTSP-UMUM").json()
    assert body == {"items": [], "count": 0}


def test_filtering_employees_by_codes_of_another_government_is_404(
    as_user: Callable[..., ApiClient], org: dict[str, Any], other_org: dict[str, Any]
) -> None:
    assert as_user("admin").get("/employees", unit="BAPPEDA").status_code == 404
    assert as_user("admin").get("/employees", building="KANTOR-B").status_code == 404


# ---------------------------------------------------------------------------------------------------
# Creating and changing employees


NEW_NIP = make_nip(birth=dt.date(1990, 5, 17), appointed=(2015, 3), sex="F", serial=7)


def new_employee(**extra: Any) -> dict[str, Any]:
    return {"nip": NEW_NIP, "name": "Dewi Lestari", "unit": "DPMPTSP-PEL", **extra}


def test_an_admin_adds_an_employee(
    as_user: Callable[..., ApiClient], org: dict[str, Any], buildings: dict[str, Building]
) -> None:
    analyst = Position.objects.create(
        government=org["government"], unit=org["pelayanan"], name="Analis", kind="fungsional"
    )
    response = as_user("admin").post(
        "/employees",
        new_employee(
            nip=f"{NEW_NIP[:8]} {NEW_NIP[8:]}",
            status="pns",
            position_id=analyst.pk,
            email="dewi@example.go.id",
            phone="0812 555 0101",
            skills=["front_office", "signer"],
            floor=2,
        ),
    )
    assert response.status_code == 201
    assert response.json() == {
        "nip": NEW_NIP,
        "name": "Dewi Lestari",
        "status": "pns",
        "unit": "DPMPTSP-PEL",
        "unit_name": "Bidang Pelayanan",
        "position": "Analis",
        "position_id": analyst.pk,
        "is_head": False,
        "skills": ["front_office", "signer"],
        "building": "GEDUNG-A",
        "floor": 2,
        "is_active": True,
        "email": "dewi@example.go.id",
        "phone": "0812 555 0101",
        "nik": "",
    }
    employee = Employee.objects.get(nip=NEW_NIP)
    assert (employee.government_id, employee.birth_date, employee.sex) == (
        org["government"].pk,
        dt.date(1990, 5, 17),
        "F",
    )
    event = AuditEvent.objects.get(object_type="org.employee", action="create")
    assert (event.actor, event.object_id) == (org["users"]["admin"], str(employee.pk))


@pytest.mark.parametrize("role", ["health", "officer", "head", "kabid", "staff"])
def test_only_admins_add_employees(as_user: Callable[..., ApiClient], org: dict[str, Any], role: str) -> None:
    response = as_user(role).post("/employees", new_employee())
    assert response.status_code == 403
    assert Employee.objects.filter(nip=NEW_NIP).exists() is False


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (new_employee(nip="19900517201503200"), {"nip": ["NIP must be 18 digits; 17 digits were entered."]}),
        (
            new_employee(nip="199013172015032007"),
            {"nip": ["Digits 1–8 of the NIP must be a birth date (YYYYMMDD); 19901317 is not a date."]},
        ),
        (
            new_employee(nip="199005172015032007x"),
            {"nip": ["NIP must contain digits only; “199005172015032007x” has other characters."]},
        ),
        (new_employee(nik="12345"), {"nik": ["NIK must be 16 digits; 5 digits were entered."]}),
        (new_employee(unit="BAPPEDA"), {"unit": ["There is no unit with code BAPPEDA."]}),
        (new_employee(building="KANTOR-B"), {"building": ["There is no building with code KANTOR-B."]}),
        (new_employee(floor=9), {"floor": ["The building has no floor 9."]}),
        (new_employee(email="bukan-email"), {"email": ["Enter a valid email address."]}),
        (new_employee(name=""), {"name": ["This field cannot be blank."]}),
        (new_employee(status="honorer"), {"status": ["Input should be 'pns' or 'pppk'"]}),
        (new_employee(skills=["Front Office"]), {"skills.0": ["String should match pattern '^[a-z0-9_-]+$'"]}),
        ({"nip": NEW_NIP, "unit": "DPMPTSP"}, {"name": ["Field required"]}),
    ],
)
def test_an_invalid_employee_is_refused_with_field_errors(
    as_user: Callable[..., ApiClient],
    org: dict[str, Any],
    other_org: dict[str, Any],
    buildings: dict[str, Building],
    body: dict[str, Any],
    errors: dict[str, list[str]],
) -> None:
    response = as_user("admin").post("/employees", body)
    assert response.status_code == 422
    assert response.json() == {"detail": "The data is not valid.", "errors": errors}
    assert Employee.objects.filter(nip=NEW_NIP).exists() is False


def test_a_duplicate_nip_is_refused(as_user: Callable[..., ApiClient], org: dict[str, Any]) -> None:
    nip = org["staff"].nip
    response = as_user("admin").post("/employees", new_employee(nip=nip))
    assert response.status_code == 422
    assert response.json()["errors"] == {"nip": [f"An employee with NIP {nip} already exists."]}


def test_a_position_of_another_unit_is_refused(as_user: Callable[..., ApiClient], org: dict[str, Any]) -> None:
    kadis_post = org["kadis"].position
    response = as_user("admin").post("/employees", new_employee(position_id=kadis_post.pk))
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "position_id": [f"Position {kadis_post.pk} is not a position of Bidang Pelayanan."]
    }


def test_an_admin_changes_only_the_fields_sent(
    as_user: Callable[..., ApiClient], org: dict[str, Any], buildings: dict[str, Building]
) -> None:
    staff = org["staff"]
    response = as_user("admin").patch(
        f"/employees/{staff.nip}", {"unit": "DPMPTSP-UMUM", "phone": "0899", "skills": ["driver"], "floor": 2}
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["unit"], body["phone"], body["skills"], body["floor"], body["name"], body["email"]) == (
        "DPMPTSP-UMUM",
        "0899",
        ["driver"],
        2,
        "Staf Pelayanan",
        "staf@example.go.id",
    )
    event = AuditEvent.objects.get(object_type="org.employee", action="update")
    assert event.changes == {
        "unit": ["Bidang Pelayanan", "Bidang Umum"],
        "phone": ["081234567890", "0899"],
        "floor": ["Gedung A · floor 1", "Lantai 2"],
        "skills": [[], ["driver"]],
    }


def test_moving_to_another_building_drops_the_floor_of_the_old_one(
    as_user: Callable[..., ApiClient], org: dict[str, Any], buildings: dict[str, Building]
) -> None:
    api = as_user("admin")
    moved = api.patch(f"/employees/{org['staff'].nip}", {"building": "GEDUNG-B"}).json()
    assert (moved["building"], moved["floor"]) == ("GEDUNG-B", None)
    cleared = api.patch(f"/employees/{org['kadis'].nip}", {"building": None}).json()
    assert (cleared["building"], cleared["floor"]) == (None, None)
    refused = api.patch(f"/employees/{org['kabid'].nip}", {"building": None, "floor": 1})
    assert refused.json()["errors"] == {"floor": ["Choose a building for floor 1."]}


def test_an_admin_clears_the_position_and_deactivates(as_user: Callable[..., ApiClient], org: dict[str, Any]) -> None:
    response = as_user("admin").patch(f"/employees/{org['kabid'].nip}", {"position_id": None, "is_active": False})
    assert response.status_code == 200
    assert (response.json()["position"], response.json()["is_active"]) == (None, False)
    org["kabid"].refresh_from_db()
    assert (org["kabid"].position_id, org["kabid"].is_active) == (None, False)


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"nik": "3311"}, {"nik": ["NIK must be 16 digits; 4 digits were entered."]}),
        ({"name": None}, {"name": ["Input should be a valid string"]}),
        ({"unit": "BAPPEDA"}, {"unit": ["There is no unit with code BAPPEDA."]}),
        ({"email": "x@"}, {"email": ["Enter a valid email address."]}),
    ],
)
def test_an_invalid_change_is_refused_and_nothing_changes(
    as_user: Callable[..., ApiClient],
    org: dict[str, Any],
    other_org: dict[str, Any],
    body: dict[str, Any],
    errors: dict[str, list[str]],
) -> None:
    response = as_user("admin").patch(f"/employees/{org['staff'].nip}", body)
    assert response.status_code == 422
    assert response.json()["errors"] == errors
    org["staff"].refresh_from_db()
    assert (org["staff"].name, org["staff"].unit_id, org["staff"].email) == (
        "Staf Pelayanan",
        org["pelayanan"].pk,
        "staf@example.go.id",
    )


@pytest.mark.parametrize(("role", "status"), [("head", 403), ("kabid", 403), ("staff", 403), ("health", 403)])
def test_only_admins_change_employees(
    as_user: Callable[..., ApiClient], org: dict[str, Any], role: str, status: int
) -> None:
    assert as_user(role).patch(f"/employees/{org['staff'].nip}", {"phone": "0899"}).status_code == status


def test_an_admin_cannot_change_an_employee_of_another_government(
    as_user: Callable[..., ApiClient], org: dict[str, Any], other_org: dict[str, Any]
) -> None:
    response = as_user("admin").patch(f"/employees/{other_org['staff'].nip}", {"name": "Diubah"})
    assert response.status_code == 404
    other_org["staff"].refresh_from_db()
    assert other_org["staff"].name == "Staf Karanganyar"


def test_listing_employees_costs_the_same_queries_for_5_or_25_rows(
    org: dict[str, Any],
    buildings: dict[str, Building],
    make_employee: Callable[..., Employee],
    as_token: Callable[..., ApiClient],
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api = as_token(org["users"]["admin"], org["government"])
    skill = Skill.objects.create(government=org["government"], code="front_office")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api.get("/employees").status_code == 200
        return len(queries.captured_queries)

    api.get("/me")  # the first use of a token records it; later calls within 5 minutes do not
    few = count()
    for n in range(20):
        make_employee(org["pelayanan"], f"Tambahan {n:02d}").skills.set([skill])
    assert api.get("/employees").json()["count"] == 25
    assert count() == few
