"""The figures counted in the database (grouped by unit) keep the rules of the page: the newest published
plan wins for a person, a person with several check-ins counts once (the latest), a decision counts on
time by its date in the government's time zone, people who left are not counted; and the short cache
serves every viewer the same figures with their own suppression."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from siaga.attendance.models import CheckIn
from siaga.command import selectors
from siaga.command.tests.conftest import MONDAY, SHIFTS, _at
from siaga.org.models import Employee
from siaga.rostering.models import RosterAssignment, RosterPlan
from siaga.services.models import Application


def _unit(board, code):
    return next(u for u in board.units if u.unit.code == code)


def test_the_newest_published_plan_wins_for_a_person(world, leader, actor_of, org):
    world(MONDAY)
    newer = RosterPlan.objects.create(
        government=org["government"],
        name="Roster revisi",
        start=MONDAY,
        end=MONDAY,
        status=RosterPlan.Status.PUBLISHED,
        problem={"shifts": SHIFTS},
        published_at=timezone.now() + dt.timedelta(hours=1),
    )
    # the two WFH people of DPMPTSP are at the office in the newer plan; a draft plan is not counted
    for key in ("staff", "staff_umum"):
        RosterAssignment.objects.create(plan=newer, employee=org[key], date=MONDAY, mode="wfo", shift="siang")
    draft = RosterPlan.objects.create(
        government=org["government"], name="Draf", start=MONDAY, end=MONDAY, problem={"shifts": SHIFTS}
    )
    RosterAssignment.objects.create(plan=draft, employee=org["kadis"], date=MONDAY, mode="wfh")
    dpmptsp = _unit(selectors.overview(actor=actor_of(leader), day=MONDAY), "DPMPTSP")
    assert (dpmptsp.planned["wfo"], dpmptsp.planned["wfh"]) == (4, 0)
    # somebody is now at the office in the afternoon too: no gap left
    assert selectors.overview(actor=actor_of(leader), day=MONDAY).gaps == []


def test_a_person_with_two_check_ins_counts_once_with_the_latest(world, leader, actor_of, org):
    world(MONDAY)
    gov = org["government"]
    # kadis checked in WFO at 07:00 (the world); checked out, then WFH in the afternoon
    CheckIn.objects.filter(employee=org["kadis"], date=MONDAY).update(checked_out_at=_at(gov, MONDAY, 11))
    CheckIn.objects.create(
        government=gov,
        employee=org["kadis"],
        date=MONDAY,
        mode="wfh",
        shift="siang",
        checked_in_at=_at(gov, MONDAY, 12),
    )
    dpmptsp = _unit(selectors.overview(actor=actor_of(leader), day=MONDAY), "DPMPTSP")
    assert (dpmptsp.checked["wfo"], dpmptsp.checked["wfh"]) == (0, 2)


def test_people_who_left_are_not_counted(world, leader, actor_of, org):
    world(MONDAY)
    Employee.objects.filter(pk=org["kadis"].pk).update(is_active=False)
    dpmptsp = _unit(selectors.overview(actor=actor_of(leader), day=MONDAY), "DPMPTSP")
    assert dpmptsp.employees == 3
    assert (dpmptsp.planned["wfo"], dpmptsp.planned["wfh"]) == (1, 2)
    assert (dpmptsp.checked["wfo"], dpmptsp.checked["wfh"]) == (0, 1)


def test_a_decision_counts_by_its_date_in_the_government_time_zone(world, leader, actor_of, org):
    world(MONDAY)
    gov = org["government"]
    app = Application.objects.filter(government=gov, decided_at__isnull=True, due_on__lt=MONDAY).get()
    # decided at 06:30 in Jakarta the day after its due date (23:30 UTC on the due date): late
    app.status = "issued"
    app.decided_at = _at(gov, app.due_on + dt.timedelta(days=1), 6) + dt.timedelta(minutes=30)
    app.save(update_fields=["status", "decided_at"])
    assert app.decided_at.astimezone(dt.UTC).date() == app.due_on  # on time if counted in UTC
    dpmptsp = _unit(selectors.overview(actor=actor_of(leader), day=MONDAY), "DPMPTSP")
    assert (dpmptsp.on_time, dpmptsp.late) == (2, 2)
    app.decided_at = _at(gov, app.due_on, 23) + dt.timedelta(minutes=30)  # late evening of the due date
    app.save(update_fields=["decided_at"])
    dpmptsp = _unit(selectors.overview(actor=actor_of(leader), day=MONDAY), "DPMPTSP")
    assert (dpmptsp.on_time, dpmptsp.late) == (3, 1)


def test_the_cache_serves_each_viewer_with_their_own_suppression(world, leader, actor_of, org):
    world(MONDAY)
    first = selectors.board(actor=actor_of(leader), day=MONDAY)
    task_force = selectors.board(actor=actor_of(org["users"]["health"]), day=MONDAY)
    assert (first.detail, first.isolation_total) == (False, "<3")
    assert (task_force.detail, task_force.isolation_total) == (True, "2")
    again = selectors.board(actor=actor_of(leader), day=MONDAY)
    assert (again.detail, again.isolation_total) == (False, "<3")
    assert again.charts and again.charts["wfo"].bars


def test_the_figures_are_kept_for_a_short_time_then_counted_afresh(world, leader, actor_of, org):
    world(MONDAY)
    assert _unit(selectors.board(actor=actor_of(leader), day=MONDAY), "DPMPTSP").employees == 4
    Employee.objects.filter(pk=org["kadis"].pk).update(is_active=False)
    # within the cache's lifetime: the same figures
    assert _unit(selectors.board(actor=actor_of(leader), day=MONDAY), "DPMPTSP").employees == 4
    # the page without charts is its own entry, counted now
    assert _unit(selectors.board(actor=actor_of(leader), day=MONDAY, charts=False), "DPMPTSP").employees == 3
    with override_settings(COMMAND_CACHE_SECONDS=0):  # no cache: always counted afresh
        assert _unit(selectors.board(actor=actor_of(leader), day=MONDAY), "DPMPTSP").employees == 3


def test_stale_figures_are_served_at_once_and_counted_afresh_once_for_the_next_viewers(
    world, leader, actor_of, org, monkeypatch
):
    world(MONDAY)
    clock = [1_000_000.0]
    monkeypatch.setattr(selectors.time, "time", lambda: clock[0])
    recounts: list = []
    monkeypatch.setattr(selectors, "recount_in_background", lambda count, **_: recounts.append(count))
    assert _unit(selectors.board(actor=actor_of(leader), day=MONDAY), "DPMPTSP").employees == 4
    Employee.objects.filter(pk=org["kadis"].pk).update(is_active=False)
    clock[0] += 31  # older than COMMAND_CACHE_SECONDS (30): served as they are, one recount is started
    assert _unit(selectors.board(actor=actor_of(leader), day=MONDAY), "DPMPTSP").employees == 4
    assert _unit(selectors.board(actor=actor_of(leader), day=MONDAY), "DPMPTSP").employees == 4
    assert len(recounts) == 1  # the second viewer did not start another
    recounts[0]()  # what the background thread runs
    assert _unit(selectors.board(actor=actor_of(leader), day=MONDAY), "DPMPTSP").employees == 3
    clock[0] += 61  # older than twice the period: counted in the request
    Employee.objects.filter(pk=org["kadis"].pk).update(is_active=True)
    assert _unit(selectors.board(actor=actor_of(leader), day=MONDAY), "DPMPTSP").employees == 4
    assert len(recounts) == 1


def test_the_cache_is_per_government(world, leader, actor_of, org, other_government, make_user):
    from siaga.core.models import Role

    world(MONDAY)
    mine = selectors.board(actor=actor_of(leader), day=MONDAY)
    other_leader = make_user("bupati2", (other_government, Role.LEADER))
    theirs = selectors.board(actor=actor_of(other_leader), day=MONDAY)
    assert {u.unit.government_id for u in mine.units} == {org["government"].pk}
    assert {u.unit.government_id for u in theirs.units} == {other_government.pk}


@pytest.mark.parametrize("agency_code", ["DPMPTSP", "DINKES"])
def test_one_agency_through_the_cache(world, leader, actor_of, org, agency_code):
    world(MONDAY)
    agency = selectors.agency_get(actor=actor_of(leader), code=agency_code)
    b = selectors.board(actor=actor_of(leader), day=MONDAY, agency=agency, charts=False)
    assert [u.unit.code for u in b.units] == [agency_code]
