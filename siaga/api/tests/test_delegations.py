"""Acting officials (Plh/Plt) and the authority check over the API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from siaga.api.tests.conftest import ApiClient
from siaga.core.models import AuditEvent
from siaga.org.models import Delegation


def today() -> dt.date:
    return timezone.localdate()


def plh(org: dict[str, Any], unit: str = "DPMPTSP-PEL", **extra: Any) -> dict[str, Any]:
    """A Plh for the head of Bidang Pelayanan while the Kabid is away, for two weeks from today."""
    return {
        "kind": "plh",
        "unit": unit,
        "official": org["kabid"].nip,
        "acting": org["staff"].nip,
        "start": today().isoformat(),
        "end": (today() + dt.timedelta(days=13)).isoformat(),
        "letter_number": "800/123/2020",
        "reason": "Kabid isolasi mandiri",
        **extra,
    }


@pytest.fixture
def appointed(org: dict[str, Any]) -> Delegation:
    """The Plh of Bidang Pelayanan, in force today."""
    return Delegation.objects.create(
        government=org["government"],
        kind=Delegation.Kind.PLH,
        unit=org["pelayanan"],
        official=org["kabid"],
        acting=org["staff"],
        start=today(),
        end=today() + dt.timedelta(days=13),
    )


def test_the_head_of_a_dinas_appoints_a_plh_for_a_bidang_below(
    as_user: Callable[..., ApiClient], org: dict[str, Any]
) -> None:
    response = as_user("head").post("/delegations", plh(org))
    assert response.status_code == 201
    delegation = Delegation.objects.get()
    assert response.json() == {
        "id": delegation.pk,
        "kind": "plh",
        "unit": "DPMPTSP-PEL",
        "unit_name": "Bidang Pelayanan",
        "official": {"nip": org["kabid"].nip, "name": "Kepala Bidang"},
        "acting": {"nip": org["staff"].nip, "name": "Staf Pelayanan"},
        "start": today().isoformat(),
        "end": (today() + dt.timedelta(days=13)).isoformat(),
        "letter_number": "800/123/2020",
        "reason": "Kabid isolasi mandiri",
        "extends": None,
        "revoked_at": None,
        "active_today": True,
    }
    assert delegation.created_by == org["users"]["head"]
    assert AuditEvent.objects.filter(object_type="org.delegation", action="create").count() == 1


@pytest.mark.parametrize(
    ("role", "unit", "status"),
    [
        ("admin", "DPMPTSP-PEL", 201),
        ("admin", "DPMPTSP", 201),
        ("head", "DPMPTSP-PEL", 201),  # a bidang below the Dinas
        ("head", "DPMPTSP", 403),  # their own unit
        ("head", "DINKES", 403),  # another OPD
        ("kabid", "DPMPTSP-UMUM", 403),  # a sibling bidang
        ("kabid", "DPMPTSP-PEL", 403),  # their own unit
        ("staff", "DPMPTSP-PEL", 403),
        ("health", "DPMPTSP-PEL", 403),
        ("officer", "DPMPTSP-PEL", 403),
    ],
)
def test_who_may_appoint_an_acting_official_for_which_unit(
    as_user: Callable[..., ApiClient], org: dict[str, Any], role: str, unit: str, status: int
) -> None:
    official = org["kadis"] if unit == "DPMPTSP" else org["kabid"]
    body = plh(org, unit, official=official.nip, kind="plh" if unit in ("DPMPTSP", "DPMPTSP-PEL") else "plt")
    response = as_user(role).post("/delegations", body)
    assert response.status_code == status
    assert Delegation.objects.count() == (1 if status == 201 else 0)


def test_a_plt_for_an_occupied_post_is_refused(as_user: Callable[..., ApiClient], org: dict[str, Any]) -> None:
    response = as_user("admin").post("/delegations", plh(org, kind="plt"))
    assert response.status_code == 422
    assert response.json() == {
        "detail": "The data is not valid.",
        "errors": {
            "kind": [
                "The post is held by Kepala Bidang; a Plt is for a vacant post. "
                "Appoint a Plh while the official is absent."
            ]
        },
    }
    assert Delegation.objects.count() == 0


def test_a_plt_for_a_vacant_post_is_appointed(as_user: Callable[..., ApiClient], org: dict[str, Any]) -> None:
    body = plh(org, "DPMPTSP-UMUM", kind="plt", official=None, acting=org["staff_umum"].nip)
    response = as_user("head").post("/delegations", body)
    assert response.status_code == 201
    assert (response.json()["kind"], response.json()["official"]) == ("plt", None)


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        ({"acting": "199001012015011999"}, {"acting": ["No employee with NIP 199001012015011999 in this government."]}),
        ({"unit": "BAPPEDA"}, {"unit": ["There is no unit with code BAPPEDA."]}),
        ({"end": "2020-01-01"}, {"end": ["The end date comes before the start date."]}),
        ({"extends": 999999}, {"extends": ["There is no appointment 999999."]}),
        ({"kind": "pj"}, {"kind": ["Input should be 'plh' or 'plt'"]}),
        ({"start": "kemarin"}, {"start": ["Input should be a valid date or datetime, input is too short"]}),
    ],
)
def test_an_invalid_appointment_is_refused_with_field_errors(
    as_user: Callable[..., ApiClient],
    org: dict[str, Any],
    other_org: dict[str, Any],
    change: dict[str, Any],
    errors: dict[str, list[str]],
) -> None:
    response = as_user("admin").post("/delegations", plh(org, **change))
    assert response.status_code == 422
    assert response.json()["errors"] == errors


def test_an_appointment_longer_than_three_months_is_refused(
    as_user: Callable[..., ApiClient], org: dict[str, Any]
) -> None:
    start = dt.date(2026, 1, 5)
    body = plh(org, start=start.isoformat(), end="2026-04-05")
    response = as_user("admin").post("/delegations", body)
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "end": ["An appointment lasts at most 3 months (until 04-04-2026); extend it afterwards if needed."]
    }


def test_an_employee_of_another_government_cannot_be_appointed(
    as_user: Callable[..., ApiClient], org: dict[str, Any], other_org: dict[str, Any]
) -> None:
    nip = other_org["staff"].nip
    response = as_user("admin").post("/delegations", plh(org, acting=nip))
    assert response.status_code == 422
    assert response.json()["errors"] == {"acting": [f"No employee with NIP {nip} in this government."]}


def test_an_appointment_can_be_extended_once(
    as_user: Callable[..., ApiClient], org: dict[str, Any], appointed: Delegation
) -> None:
    start = appointed.end + dt.timedelta(days=1)
    body = plh(org, start=start.isoformat(), end=(start + dt.timedelta(days=30)).isoformat(), extends=appointed.pk)
    response = as_user("admin").post("/delegations", body)
    assert response.status_code == 201
    assert response.json()["extends"] == appointed.pk


# ---------------------------------------------------------------------------------------------------
# Listing and revoking


@pytest.mark.parametrize(
    ("role", "sees_it"),
    [
        ("admin", True),
        ("head", True),  # the unit is below their Dinas
        ("kabid", True),  # the absent official
        ("staff", True),  # the acting official
        ("other_staff", False),
        ("health", False),
        ("officer", False),
    ],
)
def test_each_role_lists_the_appointments_in_its_scope(
    as_user: Callable[..., ApiClient], other_org: dict[str, Any], appointed: Delegation, role: str, sees_it: bool
) -> None:
    response = as_user(role).get("/delegations")
    assert response.status_code == 200
    assert [d["id"] for d in response.json()["items"]] == ([appointed.pk] if sees_it else [])


@pytest.mark.parametrize("role", ["citizen", "nobody"])
def test_callers_without_an_organisation_role_may_not_list_appointments(
    as_user: Callable[..., ApiClient], org: dict[str, Any], role: str
) -> None:
    assert as_user(role).get("/delegations").status_code == 403


def test_appointments_in_force_on_a_day(
    as_user: Callable[..., ApiClient], org: dict[str, Any], appointed: Delegation
) -> None:
    past = Delegation.objects.create(
        government=org["government"],
        kind=Delegation.Kind.PLT,
        unit=org["umum"],
        acting=org["staff_umum"],
        start=dt.date(2020, 3, 2),
        end=dt.date(2020, 5, 31),
    )
    api = as_user("admin")
    assert [d["id"] for d in api.get("/delegations").json()["items"]] == [appointed.pk, past.pk]
    assert [d["id"] for d in api.get("/delegations", active_on="2020-04-01").json()["items"]] == [past.pk]
    assert [d["id"] for d in api.get("/delegations", active_on=today().isoformat()).json()["items"]] == [appointed.pk]
    assert api.get("/delegations", active_on="2019-01-01").json() == {"items": [], "count": 0}
    assert api.get("/delegations", active_on="01-04-2020").status_code == 422


def test_appointments_of_another_government_are_never_seen(
    as_user: Callable[..., ApiClient], org: dict[str, Any], other_org: dict[str, Any], appointed: Delegation
) -> None:
    api = as_user("admin")
    assert [d["id"] for d in api.get("/delegations").json()["items"]] == [appointed.pk]
    assert api.get(f"/delegations/{other_org['delegation'].pk}").status_code == 404
    assert api.post(f"/delegations/{other_org['delegation'].pk}/revoke").status_code == 404
    other_org["delegation"].refresh_from_db()
    assert other_org["delegation"].revoked_at is None
    api_b = as_user(other_org["admin"])
    assert [d["id"] for d in api_b.get("/delegations").json()["items"]] == [other_org["delegation"].pk]
    assert api_b.get(f"/delegations/{appointed.pk}").status_code == 404


def test_the_superior_ends_an_appointment_once(
    as_user: Callable[..., ApiClient], org: dict[str, Any], appointed: Delegation
) -> None:
    api = as_user("head")
    response = api.post(f"/delegations/{appointed.pk}/revoke")
    assert response.status_code == 200
    body = response.json()
    assert body["revoked_at"] is not None
    assert body["active_today"] is False
    again = api.post(f"/delegations/{appointed.pk}/revoke")
    assert again.status_code == 422
    assert again.json() == {
        "detail": "The data is not valid.",
        "errors": {"__all__": ["This appointment has already been ended."]},
    }


@pytest.mark.parametrize(("role", "status"), [("staff", 403), ("kabid", 403), ("other_staff", 403), ("health", 403)])
def test_who_may_not_end_an_appointment(
    as_user: Callable[..., ApiClient], org: dict[str, Any], appointed: Delegation, role: str, status: int
) -> None:
    """Neither the acting official (a unit head by delegation now) nor the absent official may end it."""
    assert as_user(role).post(f"/delegations/{appointed.pk}/revoke").status_code == status
    appointed.refresh_from_db()
    assert appointed.revoked_at is None


# ---------------------------------------------------------------------------------------------------
# Authority


def authority(api: ApiClient, employee: Any, unit: str, action: str, **extra: Any) -> Any:
    return api.get("/authority", nip=employee.nip, unit=unit, action=action, **extra)


def test_a_plh_may_approve_leave_but_not_appoint_staff(
    as_user: Callable[..., ApiClient], org: dict[str, Any], appointed: Delegation
) -> None:
    api = as_user("admin")
    until = appointed.end.strftime("%d-%m-%Y")
    leave = authority(api, org["staff"], "DPMPTSP-PEL", "approve_leave")
    assert leave.status_code == 200
    assert leave.json() == {
        "nip": org["staff"].nip,
        "unit": "DPMPTSP-PEL",
        "action": "approve_leave",
        "on": today().isoformat(),
        "allowed": True,
        "basis": "plh",
        "reason": f"Staf Pelayanan acts as Plh of Bidang Pelayanan until {until}.",
        "delegation_id": appointed.pk,
    }
    appoint = authority(api, org["staff"], "DPMPTSP-PEL", "appoint_staff").json()
    assert (appoint["allowed"], appoint["basis"], appoint["delegation_id"]) == (False, "", appointed.pk)
    assert appoint["reason"] == (
        "As Plh of Bidang Pelayanan, Staf Pelayanan may not take this decision: acting officials may not "
        "decide on organisation, staffing or budget (SE BKN 1/SE/I/2021)."
    )


def test_the_definitive_head_may_appoint_staff_for_the_units_below(
    as_user: Callable[..., ApiClient], org: dict[str, Any]
) -> None:
    body = authority(as_user("head"), org["kadis"], "DPMPTSP-UMUM", "appoint_staff").json()
    assert (body["allowed"], body["basis"], body["reason"]) == (True, "official", "Kepala Dinas heads DPMPTSP.")


def test_authority_on_a_day_outside_the_appointment(
    as_user: Callable[..., ApiClient], org: dict[str, Any], appointed: Delegation
) -> None:
    day = appointed.end + dt.timedelta(days=1)
    body = authority(as_user("admin"), org["staff"], "DPMPTSP-PEL", "approve_leave", on=day.isoformat()).json()
    assert (body["allowed"], body["basis"], body["on"]) == (False, "", day.isoformat())
    assert body["reason"] == (
        f"Staf Pelayanan is neither the head of Bidang Pelayanan nor its acting official on {day:%d-%m-%Y}."
    )


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 200),
        ("head", 200),
        ("kabid", 200),
        ("staff", 403),
        ("health", 403),
        ("officer", 403),
        ("citizen", 403),
        ("nobody", 403),
    ],
)
def test_who_may_ask_the_authority_check(
    as_user: Callable[..., ApiClient], org: dict[str, Any], role: str, status: int
) -> None:
    assert authority(as_user(role), org["staff"], "DPMPTSP-PEL", "approve_leave").status_code == status


def test_the_authority_check_does_not_reach_another_government(
    as_user: Callable[..., ApiClient], org: dict[str, Any], other_org: dict[str, Any]
) -> None:
    api = as_user("admin")
    assert authority(api, other_org["staff"], "DPMPTSP-PEL", "approve_leave").status_code == 404
    assert authority(api, org["staff"], "BAPPEDA", "approve_leave").status_code == 404


def test_an_unknown_action_is_422(as_user: Callable[..., ApiClient], org: dict[str, Any]) -> None:
    response = authority(as_user("admin"), org["staff"], "DPMPTSP-PEL", "sign_everything")
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["action"]
