"""The command center's API: the same figures as the page, for the same roles, suppressed the same way."""

from __future__ import annotations

import pytest

from siaga.api.tests.conftest import ApiClient
from siaga.command.tests.conftest import MONDAY
from siaga.core.services import api_token_create

URL = "/command/situation"


def _units(body):
    return {row["code"]: row for row in body["units"]}


def test_the_leader_reads_the_situation_with_small_counts_suppressed(world, leader):
    world(MONDAY)
    response = ApiClient(user=leader).get(URL, date=str(MONDAY))
    assert response.status_code == 200
    body = response.json()
    assert (body["date"], body["exact_health_counts"]) == (str(MONDAY), False)
    units = _units(body)
    assert set(units) == {"DPMPTSP", "DINKES"}  # never the other government's agencies
    dpmptsp, dinkes = units["DPMPTSP"], units["DINKES"]
    assert (dpmptsp["employees"], dpmptsp["wfo_planned"], dpmptsp["wfh_planned"]) == (4, 2, 2)
    assert (dpmptsp["wfo_checked_in"], dpmptsp["wfh_checked_in"]) == (1, 1)
    assert (dpmptsp["wfo_percent"], dpmptsp["cap_percent"], dpmptsp["over_cap"]) == (50, 50, False)
    assert (dinkes["wfo_percent"], dinkes["over_cap"]) == (100, True)
    assert dpmptsp["coverage_gaps"] == ["siang"]
    assert (dpmptsp["cases"], dpmptsp["isolation"], dpmptsp["quarantine"]) == ("3", "<3", "<3")
    assert (body["cases"], body["isolation"], body["quarantine"]) == ("4", "<3", "<3")
    assert (dpmptsp["applications_on_time"], dpmptsp["applications_late"]) == (2, 2)
    assert body["deliveries"] == {"scheduled": 1, "out": 1}
    assert [(c["name"], c["size"], c["places"]) for c in body["clusters"]] == [
        ("Klaster Pelayanan", "<3", ["Gedung A"])
    ]
    assert [m["building"] for m in body["measures"]] == ["Gedung A"]
    assert "reason" not in str(body["measures"]) and "Kasus konfirmasi" not in response.content.decode()


def test_the_task_force_reads_exact_counts(world, org):
    world(MONDAY)
    body = ApiClient(user=org["users"]["health"]).get(URL, date=str(MONDAY)).json()
    assert body["exact_health_counts"] is True
    assert (_units(body)["DPMPTSP"]["isolation"], body["isolation"]) == ("2", "2")


def test_drill_down_to_one_agency_and_unknown_codes(world, org):
    world(MONDAY)
    api = ApiClient(user=org["users"]["admin"])
    body = api.get(URL, date=str(MONDAY), unit="DPMPTSP").json()
    assert "DINKES" not in _units(body)
    assert sum(row["employees"] for row in body["units"]) == 4
    assert api.get(URL, unit="TIDAK-ADA").status_code == 404
    assert api.get(URL, date="kemarin").status_code == 422


@pytest.mark.parametrize("who", ["head", "kabid", "staff", "officer"])
def test_everyone_else_is_refused(org, who):
    assert ApiClient(user=org["users"][who]).get(URL).status_code == 403


def test_a_token_needs_the_command_scope(world, org, leader):
    world(MONDAY)
    for granted, status in ((["org:read"], 403), (["command:read"], 200)):
        _token, key = api_token_create(
            government=org["government"], user=leader, name="Dasbor", actor=None, scopes=granted
        )
        assert ApiClient(token=key).get(URL, date=str(MONDAY)).status_code == status
