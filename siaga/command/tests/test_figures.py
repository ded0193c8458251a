"""The command center's figures against the small world of conftest.py."""

from __future__ import annotations

import datetime as dt

import pytest

from siaga.command import selectors
from siaga.command.tests.conftest import MONDAY


@pytest.fixture
def board(world, leader, actor_of):
    org = world(MONDAY)
    return org, selectors.with_charts(selectors.overview(actor=actor_of(leader), day=MONDAY), actor_of(leader))


def _unit(board, code):
    return next(u for u in board.units if u.unit.code == code)


def test_agencies_are_the_top_units_of_the_own_government(board):
    org, b = board
    assert [u.unit.code for u in b.units] == ["DPMPTSP", "DINKES"] or sorted(u.unit.code for u in b.units) == [
        "DINKES",
        "DPMPTSP",
    ]
    assert {u.unit.government_id for u in b.units} == {org["government"].pk}
    assert _unit(b, "DPMPTSP").employees == 4
    assert _unit(b, "DINKES").employees == 1


def test_wfo_and_wfh_against_the_cap(board):
    _org, b = board
    dpmptsp, dinkes = _unit(b, "DPMPTSP"), _unit(b, "DINKES")
    assert (dpmptsp.planned["wfo"], dpmptsp.planned["wfh"]) == (2, 2)
    assert (dpmptsp.checked["wfo"], dpmptsp.checked["wfh"]) == (1, 1)
    assert (dpmptsp.wfo_percent, dpmptsp.cap_percent, dpmptsp.over_cap) == (50, 50, False)
    assert (dinkes.planned["wfo"], dinkes.wfo_percent, dinkes.over_cap) == (1, 100, True)
    assert [u.unit.code for u in b.over_cap] == ["DINKES"]


def test_public_service_without_anyone_in_a_shift_is_a_gap(board):
    _org, b = board
    # DPMPTSP serves the public: two people in the morning, nobody in the afternoon
    assert b.gaps == [("DPMPTSP", "siang")]
    assert _unit(b, "DINKES").gaps == []


def test_no_gap_is_reported_on_a_day_off(world, leader, actor_of):
    world(MONDAY)
    sunday = MONDAY - dt.timedelta(days=1)
    assert selectors.overview(actor=actor_of(leader), day=sunday).gaps == []


def test_health_counts_per_agency(board):
    _org, b = board
    dpmptsp, dinkes = _unit(b, "DPMPTSP"), _unit(b, "DINKES")
    assert (dpmptsp.cases, dpmptsp.isolation, dpmptsp.quarantine) == (3, 2, 1)
    assert (dinkes.cases, dinkes.isolation, dinkes.quarantine) == (1, 0, 0)  # the lifted order is not counted
    assert (b.total("cases"), b.total("isolation"), b.total("quarantine")) == (4, 2, 1)


def test_small_health_counts_are_suppressed_for_the_leader(board):
    _org, b = board
    assert not b.detail
    rows = {r["code"]: r for r in b.health_rows}
    assert rows["DPMPTSP"] == {
        "code": "DPMPTSP",
        "name": "DPMPTSP",
        "cases": "3",
        "isolation": "<3",
        "quarantine": "<3",
    }
    assert (rows["DINKES"]["cases"], rows["DINKES"]["isolation"]) == ("<3", "<3")
    assert (b.cases_total, b.isolation_total, b.quarantine_total) == ("4", "<3", "<3")
    assert [c["size"] for c in b.cluster_rows] == ["<3"]


def test_the_task_force_sees_exact_counts(world, org, actor_of):
    world(MONDAY)
    b = selectors.overview(actor=actor_of(org["users"]["health"]), day=MONDAY)
    assert b.detail
    rows = {r["code"]: r for r in b.health_rows}
    assert (rows["DINKES"]["cases"], rows["DPMPTSP"]["isolation"], rows["DPMPTSP"]["quarantine"]) == ("1", "2", "1")


def test_bkpsdm_sees_suppressed_counts(world, org, actor_of):
    world(MONDAY)
    b = selectors.overview(actor=actor_of(org["users"]["admin"]), day=MONDAY)
    assert not b.detail
    assert b.isolation_total == "<3"


def test_clusters_measures_applications_and_deliveries(board):
    _org, b = board
    assert [(c.name, c.size, c.places) for c in b.clusters] == [("Klaster Pelayanan", 2, ["Gedung A"])]
    assert [(m.building, m.kind) for m in b.measures] == [("Gedung A", "Restrict (reduced capacity)")]
    dpmptsp = _unit(b, "DPMPTSP")
    assert (dpmptsp.on_time, dpmptsp.late, dpmptsp.sla_percent) == (2, 2, 50)
    assert dict(b.deliveries) == {"scheduled": 1, "out": 1}
    assert b.delivery_rows == [("Out for delivery", 1), ("Scheduled", 1)]


def test_charts(board):
    _org, b = board
    cases = dict(selectors.cases_trend(selectors_actor(b), MONDAY))
    assert cases[MONDAY - dt.timedelta(days=3)] == 2  # staff and the Dinkes case, by onset
    assert cases[MONDAY - dt.timedelta(days=2)] == 2  # kabid (specimen date) and staff_umum (onset)
    assert sum(cases.values()) == 4 and len(cases) == 28
    wfo = dict(selectors.wfo_trend(selectors_actor(b), MONDAY))
    assert wfo[MONDAY] == pytest.approx(2 / 3)
    assert wfo[MONDAY - dt.timedelta(days=1)] == 1.0
    assert wfo[MONDAY - dt.timedelta(days=2)] is None
    sla = selectors.sla_trend(selectors_actor(b), MONDAY)
    assert len(sla) == 8 and sla[-1] == (MONDAY, None)  # nothing decided yet this week
    assert sla[-2] == (MONDAY - dt.timedelta(weeks=1), 0.5)  # one on time, one late last week
    assert not b.charts["cases"].empty
    assert [bar.value for bar in b.charts["wfo"].bars][-2:] == ["100%", "67%"]


def selectors_actor(b):
    from siaga.core.access import actor_for_user
    from siaga.core.models import Role, RoleAssignment

    user = RoleAssignment.objects.get(government=b.government, role=Role.LEADER).user
    return actor_for_user(user, government_id=b.government.pk)


def test_one_agency(world, leader, actor_of):
    org = world(MONDAY)
    b = selectors.overview(actor=actor_of(leader), day=MONDAY, agency=org["other_unit"])
    assert [u.unit.code for u in b.units] == ["DINKES"]
    assert b.clusters == [] and b.measures == []
    b = selectors.overview(actor=actor_of(leader), day=MONDAY, agency=org["dinas"])
    assert [c.name for c in b.clusters] == ["Klaster Pelayanan"]
    assert len(b.measures) == 1


def test_a_unit_below_an_agency_counts_its_own_subtree(world, leader, actor_of):
    org = world(MONDAY)
    b = selectors.overview(actor=actor_of(leader), day=MONDAY, agency=org["pelayanan"])
    (row,) = b.units
    # Bidang Pelayanan: the head of the bidang (WFO) and the staff member (WFH)
    assert (row.unit.code, row.employees, row.planned["wfo"], row.planned["wfh"]) == ("DPMPTSP-PEL", 2, 1, 1)
    assert (row.cases, row.isolation) == (2, 2)
    assert [c.name for c in b.clusters] == ["Klaster Pelayanan"]
