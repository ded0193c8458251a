"""The roster problem built from the organisation: caps, modes, leave, floors, days."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from siaga.core.models import CalendarOverride
from siaga.engines.roster.types import parse_problem, problem_to_dict
from siaga.org.models import Building, Floor, Position, RiskProfile, Skill
from siaga.rostering import services
from siaga.rostering.models import Leave, WorkPolicy
from siaga.rostering.problem import problem_build

pytestmark = pytest.mark.django_db

DEC_1, DEC_31 = dt.date(2026, 12, 1), dt.date(2026, 12, 31)


def adopt(org, code, **changes):
    preset = WorkPolicy.objects.get(government=None, code=code)
    policy = services.policy_copy_for_government(
        government=org["government"], preset=preset, actor=None, select_from=dt.date(2026, 1, 1)
    )
    if changes:
        policy = services.policy_update(policy=policy, actor=None, **changes)
    return policy


def by_id(items):
    return {item.id: item for item in items}


@pytest.fixture
def tower(org):
    building = Building.objects.create(government=org["government"], code="menara-wijaya", name="Menara Wijaya")
    fifth = Floor.objects.create(
        government=org["government"], building=building, number=5, capacity=80, distancing_capacity=40
    )
    sixth = Floor.objects.create(
        government=org["government"], building=building, number=6, capacity=60, distancing_capacity=30, status="closed"
    )
    for unit in (org["dinas"], org["pelayanan"]):
        unit.building, unit.floor = building, fifth
        unit.save()
    return {"building": building, "fifth": fifth, "sixth": sixth}


def test_caps_follow_the_situation_and_use_the_strictest_one_in_the_period(org, tower):
    adopt(org, "se-menpanrb-67-2020")
    services.situation_set(
        government=org["government"], effective_from=dt.date(2026, 11, 1), risk_zone="low", actor=None
    )
    november = problem_build(government=org["government"], start=dt.date(2026, 11, 2), end=dt.date(2026, 11, 30))
    assert {u.id: u.wfo_cap for u in november.units} == {
        "DINKES": 0.75,
        "DPMPTSP": 0.75,
        "DPMPTSP-PEL": 0.75,
        "DPMPTSP-UMUM": 0.75,
    }
    services.situation_set(
        government=org["government"], effective_from=dt.date(2026, 12, 15), risk_zone="high", actor=None
    )
    before = problem_build(government=org["government"], start=DEC_1, end=dt.date(2026, 12, 14))
    assert by_id(before.units)["DPMPTSP"].wfo_cap == 0.75
    from_the_date = problem_build(government=org["government"], start=dt.date(2026, 12, 15), end=DEC_31)
    assert by_id(from_the_date.units)["DPMPTSP"].wfo_cap == 0.25
    across = problem_build(government=org["government"], start=DEC_1, end=DEC_31)
    assert {(u.id, u.wfo_cap, u.wfo_target) for u in across.units} == {
        ("DINKES", 0.25, 0.25),
        ("DPMPTSP", 0.25, 0.25),
        ("DPMPTSP-PEL", 0.25, 0.25),
        ("DPMPTSP-UMUM", 0.25, 0.25),
    }


def test_ppkm_caps_depend_on_the_sector_and_the_override_of_a_unit_above(org, tower):
    adopt(org, "se-menpanrb-06-2022")
    services.situation_set(government=org["government"], effective_from=DEC_1, ppkm_level=4, actor=None)
    org["other_unit"].essential = True
    org["other_unit"].save()
    services.unit_settings_set(unit=org["dinas"], sector="critical", actor=None)
    problem = problem_build(government=org["government"], start=DEC_1, end=DEC_31)
    # Sukoharjo (33.11) is in Java–Bali: essential 50%; DPMPTSP and its bidang critical 100%.
    assert {u.id: u.wfo_cap for u in problem.units} == {
        "DINKES": 0.5,
        "DPMPTSP": 1.0,
        "DPMPTSP-PEL": 1.0,
        "DPMPTSP-UMUM": 1.0,
    }
    services.situation_set(
        government=org["government"], effective_from=DEC_1, ppkm_level=3, java_bali=False, actor=None
    )
    outside = problem_build(government=org["government"], start=DEC_1, end=DEC_31)
    assert by_id(outside.units)["DINKES"].wfo_cap == 1.0


def test_a_zone_policy_without_a_situation_asks_for_one(org):
    adopt(org, "se-menpanrb-67-2020")
    with pytest.raises(ValidationError) as exc:
        problem_build(government=org["government"], start=DEC_1, end=DEC_31)
    assert exc.value.messages == [
        "The policy sets caps by risk zone, but none is set for this period; set the situation first."
    ]


def test_without_a_policy_the_builder_asks_for_one(org):
    with pytest.raises(ValidationError) as exc:
        problem_build(government=org["government"], start=DEC_1, end=DEC_31)
    assert exc.value.messages == ["Choose a work policy for the government first."]


def test_exemptions_give_always_wfh_and_the_two_highest_levels_always_wfo(org, tower, make_employee):
    adopt(
        org,
        "se-menpanrb-19-2020",
        age_wfh_from=50,
        pregnancy_wfh=True,
        comorbidity_wfh=True,
    )
    # 50 on the first day of the period (birth date as in the NIP), and one day short of 50.
    fifty = make_employee(org["umum"], "Lima Puluh", birth=dt.date(1976, 12, 1))
    almost = make_employee(org["umum"], "Hampir", birth=dt.date(1976, 12, 2))
    pregnant = make_employee(org["umum"], "Hamil", sex="F", birth=dt.date(1995, 5, 5))
    ill = make_employee(org["umum"], "Komorbid", birth=dt.date(1990, 5, 5))
    RiskProfile.objects.create(government=org["government"], employee=pregnant, pregnant_or_breastfeeding=True)
    RiskProfile.objects.create(government=org["government"], employee=ill, comorbidity=True)
    pengawas_pos = Position.objects.create(
        government=org["government"], unit=org["umum"], name="Kasubag", kind="struktural", level="pengawas"
    )
    kasubag = make_employee(org["umum"], "Kasubag", position=pengawas_pos, birth=dt.date(1985, 1, 1))
    assert fifty.nip[:8] == "19761201"
    problem = problem_build(government=org["government"], start=DEC_1, end=DEC_31)
    modes = {e.id: e.mode for e in problem.employees}
    assert modes[fifty.nip] == "always_wfh"
    assert modes[almost.nip] == "flexible"
    assert modes[pregnant.nip] == "always_wfh"
    assert modes[ill.nip] == "always_wfh"
    # JPT Pratama (Kepala Dinas) and Administrator (Kepala Bidang) are the two highest levels present.
    assert modes[org["kadis"].nip] == "always_wfo"
    assert modes[org["kabid"].nip] == "always_wfo"
    assert modes[kasubag.nip] == "flexible"
    assert modes[org["staff"].nip] == "flexible"
    # The same people are flexible when the policy's rules are off.
    services.policy_update(
        policy=WorkPolicy.objects.get(government=org["government"]),
        actor=None,
        age_wfh_from=None,
        pregnancy_wfh=False,
        comorbidity_wfh=False,
        top_levels_on_site=False,
    )
    relaxed = problem_build(government=org["government"], start=DEC_1, end=DEC_31)
    assert {e.mode for e in relaxed.employees} == {"flexible"}


def test_an_exemption_wins_over_always_wfo_and_health_units_are_on_site(org, tower, make_employee):
    adopt(org, "se-menpanrb-67-2020", comorbidity_wfh=True, health_units_exempt=True, top_levels_on_site=True)
    services.situation_set(government=org["government"], effective_from=DEC_1, risk_zone="high", actor=None)
    RiskProfile.objects.create(government=org["government"], employee=org["kadis"], comorbidity=True)
    services.unit_settings_set(unit=org["other_unit"], health_unit=True, actor=None)
    problem = problem_build(government=org["government"], start=DEC_1, end=DEC_31)
    modes = {e.id: e.mode for e in problem.employees}
    assert modes[org["kadis"].nip] == "always_wfh"
    assert modes[org["other_staff"].nip] == "always_wfo"
    assert by_id(problem.units)["DINKES"].wfo_cap == 1.0
    assert by_id(problem.units)["DPMPTSP"].wfo_cap == 0.25


def test_approved_leave_makes_the_employee_unavailable_but_requested_and_refused_do_not(org, tower):
    adopt(org, "se-menpanrb-58-2020")
    approved = services.leave_request(
        employee=org["staff"], start=dt.date(2026, 11, 28), end=dt.date(2026, 12, 4), kind="annual", actor=None
    )
    services.leave_decide(leave=approved, approver=org["kabid"], approve=True, actor=None, on=dt.date(2026, 11, 20))
    services.leave_request(
        employee=org["staff_umum"], start=dt.date(2026, 12, 7), end=dt.date(2026, 12, 8), kind="sick", actor=None
    )
    refused = services.leave_request(
        employee=org["kabid"], start=dt.date(2026, 12, 9), end=dt.date(2026, 12, 9), kind="other", actor=None
    )
    services.leave_decide(leave=refused, approver=org["kadis"], approve=False, actor=None, on=dt.date(2026, 11, 20))
    problem = problem_build(government=org["government"], start=DEC_1, end=DEC_31)
    unavailable = {e.id: [(u.start, u.end, u.reason) for u in e.unavailable] for e in problem.employees}
    assert unavailable[org["staff"].nip] == [(DEC_1, dt.date(2026, 12, 4), "leave")]
    assert unavailable[org["staff_umum"].nip] == []
    assert unavailable[org["kabid"].nip] == []
    assert Leave.objects.get(pk=refused.pk).status == "refused"


def test_floors_days_coverage_and_ids_come_from_the_organisation(org, tower, make_employee):
    adopt(org, "se-menpanrb-65-2020")
    front = Skill.objects.create(government=org["government"], code="front_office")
    signer = Skill.objects.create(government=org["government"], code="signer")
    org["staff"].skills.add(front)
    org["kadis"].skills.add(signer)
    services.coverage_rule_set(unit=org["pelayanan"], skill=front, minimum=1, actor=None)
    services.coverage_rule_set(unit=org["dinas"], skill=signer, minimum=1, actor=None)
    services.unit_settings_set(unit=org["pelayanan"], cohorts=3, actor=None)
    on_the_closed_floor = make_employee(org["umum"], "Lantai Enam", floor=tower["sixth"], building=tower["building"])
    gone = make_employee(org["umum"], "Pensiun", is_active=False)
    CalendarOverride.objects.create(
        government=org["government"], date=dt.date(2026, 12, 31), kind="holiday", name="Cuti"
    )
    problem = problem_build(government=org["government"], start=DEC_1, end=DEC_31)
    assert [(f.id, f.building, f.capacity) for f in problem.floors] == [
        ("menara-wijaya-5", "menara-wijaya", 40),
        ("menara-wijaya-6", "menara-wijaya", 0),
        ("unit-DINKES", "unit-DINKES", 1),
        ("unit-DPMPTSP-UMUM", "unit-DPMPTSP-UMUM", 2),
    ]
    units = by_id(problem.units)
    assert (units["DPMPTSP-PEL"].floor, units["DPMPTSP-PEL"].cohorts) == ("menara-wijaya-5", 3)
    assert [(c.skill, c.min) for c in units["DPMPTSP-PEL"].coverage] == [("front_office", 1)]
    assert [(c.skill, c.min) for c in units["DPMPTSP"].coverage] == [("signer", 1)]
    assert units["DPMPTSP-UMUM"].cohorts == 2
    employees = by_id(problem.employees)
    assert gone.nip not in employees
    assert len(employees) == 6
    assert employees[on_the_closed_floor.nip].floor == "menara-wijaya-6"
    assert employees[org["staff"].nip].skills == frozenset({"front_office"})
    assert employees[org["staff"].nip].unit == "DPMPTSP-PEL"
    assert problem.workdays == ("mon", "tue", "wed", "thu", "fri")
    assert sorted(problem.holidays) == [dt.date(2026, 12, 24), dt.date(2026, 12, 25), dt.date(2026, 12, 31)]
    assert [(s.id, s.start, s.end) for s in problem.shifts] == [
        ("pagi", dt.time(7, 30), dt.time(11, 30)),
        ("siang", dt.time(14, 30), dt.time(18, 0)),
    ]
    assert len(problem.days) == 20
    assert {u.wfo_cap for u in problem.units} == {0.5}
    again = parse_problem(problem_to_dict(problem))
    assert again == problem


def test_the_problem_can_be_limited_to_some_units(org, tower):
    adopt(org, "se-menpanrb-58-2020")
    problem = problem_build(government=org["government"], start=DEC_1, end=DEC_31, units=[org["pelayanan"]])
    assert [u.id for u in problem.units] == ["DPMPTSP-PEL"]
    assert sorted(e.id for e in problem.employees) == sorted([org["kabid"].nip, org["staff"].nip])
    assert parse_problem(problem_to_dict(problem)) == problem


def test_a_six_day_week_adds_saturday(org, tower):
    adopt(org, "se-menpanrb-58-2020")
    org["government"].workweek = "mon-sat"
    org["government"].save()
    problem = problem_build(government=org["government"], start=DEC_1, end=DEC_31)
    assert problem.workdays == ("mon", "tue", "wed", "thu", "fri", "sat")
    # 23 weekdays and 4 Saturdays, less Christmas and its cuti bersama.
    assert len(problem.days) == 25
