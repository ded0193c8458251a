"""Roster pages: who may open and change them, and what they change."""

import datetime as dt
import json

import pytest
from django.urls import reverse

from siaga.core.models import AuditEvent
from siaga.engines.roster.types import parse_problem
from siaga.org.models import RiskProfile, Skill
from siaga.rostering import services
from siaga.rostering.models import (
    CoverageRule,
    GovernmentPolicy,
    GovernmentSituation,
    Leave,
    UnitRosterSettings,
    WorkPolicy,
)

pytestmark = pytest.mark.django_db


def preset(code):
    return WorkPolicy.objects.get(government=None, code=code)


@pytest.fixture
def policy(org):
    return services.policy_copy_for_government(
        government=org["government"],
        preset=preset("se-menpanrb-67-2020"),
        actor=None,
        select_from=dt.date(2026, 1, 1),
    )


@pytest.fixture
def front(org):
    return Skill.objects.create(government=org["government"], code="front_office", name="Front office")


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("admin", 200),
        ("head", 302),
        ("kabid", 302),
        ("staff", 403),
        ("health", 403),
        ("officer", 403),
        ("other_staff", 403),
    ],
)
def test_the_policy_page_is_bkpsdms_and_unit_heads_go_to_their_units(org, client, who, status):
    client.force_login(org["users"][who])
    response = client.get(reverse("rostering:home"))
    assert response.status_code == status
    if status == 302:
        assert response["Location"] == reverse("rostering:unit_list")


@pytest.mark.parametrize(("who", "status"), [("admin", 200), ("head", 403), ("kabid", 403), ("staff", 403)])
def test_only_bkpsdm_opens_the_policy_form(org, client, policy, who, status):
    client.force_login(org["users"][who])
    assert client.get(reverse("rostering:policy_edit", args=[policy.pk])).status_code == status


def test_another_governments_policy_is_not_found(org, client, other_government, make_user):
    theirs = services.policy_copy_for_government(
        government=other_government, preset=preset("se-menpanrb-65-2020"), actor=None
    )
    client.force_login(org["users"]["admin"])
    assert client.get(reverse("rostering:policy_edit", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("rostering:policy_edit", args=[theirs.pk]), {"name": "x"}).status_code == 404
    # A national preset is not a government's policy either: it is copied, never edited.
    assert client.get(reverse("rostering:policy_edit", args=[theirs.copied_from_id])).status_code == 404


def test_bkpsdm_copies_a_preset_and_uses_it_from_a_date(org, client):
    client.force_login(org["users"]["admin"])
    response = client.post(
        reverse("rostering:preset_adopt", args=[preset("se-menpanrb-06-2022").pk]), {"effective_from": "2026-12-01"}
    )
    copy = WorkPolicy.objects.get(government=org["government"])
    assert response.status_code == 302
    assert response["Location"] == reverse("rostering:policy_edit", args=[copy.pk])
    assert (copy.code, copy.cap_basis, len(copy.cap_rows)) == ("se-menpanrb-06-2022", "ppkm", 13)
    selection = GovernmentPolicy.objects.get(government=org["government"])
    assert (selection.policy, selection.effective_from) == (copy, dt.date(2026, 12, 1))
    home = client.get(reverse("rostering:home"))
    assert [s.policy.code for s in home.context["selections"]] == ["se-menpanrb-06-2022"]


def test_others_cannot_copy_a_preset(org, client):
    client.force_login(org["users"]["head"])
    url = reverse("rostering:preset_adopt", args=[preset("se-menpanrb-06-2022").pk])
    assert client.post(url, {"effective_from": "2026-12-01"}).status_code == 403
    assert not WorkPolicy.objects.filter(government=org["government"]).exists()


def test_bkpsdm_edits_exemptions_and_caps_of_its_copy(org, client, policy):
    client.force_login(org["users"]["admin"])
    url = reverse("rostering:policy_edit", args=[policy.pk])
    form = client.get(url).context["form"]
    data = {name: field.initial for name, field in form.fields.items() if field.initial is not None}
    data.update(
        {
            "name": "SE 67/2020 + Perbup 12/2020",
            "legal_basis": policy.legal_basis,
            "effective_from": "2020-09-04",
            "cohorts_default": "3",
            "age_wfh_from": "50",
            "age_rule_basis": "Perbup Sukoharjo 12/2020",
            "pregnancy_wfh": "on",
            "comorbidity_wfh": "on",
            "cap_3": "30",
        }
    )
    data = {k: v for k, v in data.items() if v is not False}
    response = client.post(url, data)
    assert response.status_code == 302
    policy.refresh_from_db()
    assert (policy.name, policy.cohorts_default, policy.age_wfh_from) == ("SE 67/2020 + Perbup 12/2020", 3, 50)
    assert (policy.pregnancy_wfh, policy.comorbidity_wfh, policy.health_units_exempt) == (True, True, False)
    assert [row["cap"] for row in policy.cap_rows] == [1.0, 0.75, 0.5, 0.3]
    event = AuditEvent.objects.filter(object_type="rostering.workpolicy", action="update").get()
    assert event.changes["age_wfh_from"] == [None, 50]


def test_a_shift_gap_shorter_than_the_policy_asks_is_refused(org, client):
    copy = services.policy_copy_for_government(
        government=org["government"], preset=preset("se-menpanrb-65-2020"), actor=None
    )
    client.force_login(org["users"]["admin"])
    url = reverse("rostering:policy_edit", args=[copy.pk])
    form = client.get(url).context["form"]
    initial = {**{name: field.initial for name, field in form.fields.items()}, **form.initial}
    data = {name: initial[name] for name in form.fields if initial.get(name) is not None and initial[name] is not False}
    data["shifts_text"] = json.dumps(
        [{"id": "pagi", "start": "07:30", "end": "11:30"}, {"id": "siang", "start": "13:00", "end": "16:00"}]
    )
    data["effective_from"] = "2020-07-13"
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["form"].errors["shifts_text"] == [
        "The shifts do not follow the policy: pagi–siang: 90 min apart, at least 180 needed."
    ]
    copy.refresh_from_db()
    assert copy.shifts[1] == {"id": "siang", "start": "14:30", "end": "18:00"}


def test_bkpsdm_sets_the_dated_situation_and_java_bali_follows_the_region(org, client):
    client.force_login(org["users"]["admin"])
    response = client.post(
        reverse("rostering:situation_create"), {"effective_from": "2026-12-15", "risk_zone": "high", "note": "Satgas"}
    )
    assert response.status_code == 302
    situation = GovernmentSituation.objects.get(government=org["government"])
    assert (situation.effective_from, situation.risk_zone, situation.ppkm_level, situation.java_bali) == (
        dt.date(2026, 12, 15),
        "high",
        None,
        True,
    )
    client.force_login(org["users"]["head"])
    assert client.post(reverse("rostering:situation_create"), {"effective_from": "2026-12-16"}).status_code == 403
    assert GovernmentSituation.objects.count() == 1


@pytest.mark.parametrize(
    ("who", "codes"),
    [
        ("admin", ["DINKES", "DPMPTSP", "DPMPTSP-PEL", "DPMPTSP-UMUM"]),
        ("head", ["DPMPTSP", "DPMPTSP-PEL", "DPMPTSP-UMUM"]),
        ("kabid", ["DPMPTSP-PEL"]),
    ],
)
def test_the_unit_list_shows_the_units_one_may_set_coverage_for(org, client, who, codes):
    client.force_login(org["users"][who])
    response = client.get(reverse("rostering:unit_list"))
    assert [u.code for u in response.context["units"]] == codes


@pytest.mark.parametrize("who", ["staff", "health", "officer", "other_staff"])
def test_others_cannot_open_the_unit_list(org, client, who):
    client.force_login(org["users"][who])
    assert client.get(reverse("rostering:unit_list")).status_code == 403


def test_a_unit_head_sets_coverage_for_their_unit_only(org, client, front):
    client.force_login(org["users"]["kabid"])
    url = reverse("rostering:unit_detail", args=[org["pelayanan"].pk])
    assert client.post(url, {"form": "coverage", "skill": front.pk, "minimum": 2}).status_code == 302
    rule = CoverageRule.objects.get()
    assert (rule.unit, rule.skill, rule.min) == (org["pelayanan"], front, 2)
    other = reverse("rostering:unit_detail", args=[org["umum"].pk])
    assert client.post(other, {"form": "coverage", "skill": front.pk, "minimum": 1}).status_code == 404
    # Sector and cohorts are BKPSDM's.
    assert client.post(url, {"form": "settings", "sector": "critical"}).status_code == 403
    assert not UnitRosterSettings.objects.exists()
    assert client.get(url).context["settings_form"] is None


def test_bkpsdm_sets_a_units_sector_and_cohorts_and_deletes_a_rule(org, client, front):
    rule = services.coverage_rule_set(unit=org["umum"], skill=front, minimum=1, actor=None)
    client.force_login(org["users"]["kabid"])
    assert client.post(reverse("rostering:coverage_rule_delete", args=[rule.pk])).status_code == 404
    client.force_login(org["users"]["admin"])
    url = reverse("rostering:unit_detail", args=[org["umum"].pk])
    response = client.post(url, {"form": "settings", "sector": "essential", "cohorts": "3"})
    assert response.status_code == 302
    own = UnitRosterSettings.objects.get(unit=org["umum"])
    assert (own.sector, own.health_unit, own.cohorts) == ("essential", False, 3)
    assert client.get(url).context["sector"] == "Essential"
    assert client.post(reverse("rostering:coverage_rule_delete", args=[rule.pk])).status_code == 302
    assert not CoverageRule.objects.exists()


def test_another_governments_unit_is_not_found(org, client, other_government, make_unit):
    theirs = make_unit(other_government, "DPMPTSP")
    client.force_login(org["users"]["admin"])
    assert client.get(reverse("rostering:unit_detail", args=[theirs.pk])).status_code == 404


def test_bkpsdm_downloads_the_problem_without_health_reasons(org, client, policy):
    services.situation_set(
        government=org["government"], effective_from=dt.date(2026, 11, 1), risk_zone="medium", actor=None
    )
    services.policy_update(policy=policy, actor=None, comorbidity_wfh=True)
    RiskProfile.objects.create(government=org["government"], employee=org["staff"], comorbidity=True, note="hipertensi")
    client.force_login(org["users"]["admin"])
    response = client.get(reverse("rostering:problem_json"), {"start": "2026-12-01", "end": "2026-12-31"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="roster-problem-2026-12-01-2026-12-31.json"'
    data = json.loads(response.content)
    problem = parse_problem(data)
    assert {e.id: e.mode for e in problem.employees}[org["staff"].nip] == "always_wfh"
    assert {u.wfo_cap for u in problem.units} == {0.5}
    for word in (b"comorbid", b"hipertensi", b"pregnan", b"risk"):
        assert word not in response.content
    assert AuditEvent.objects.filter(action="export", object_type="rostering.problem").count() == 1
    read = AuditEvent.objects.get(action="read", object_type="org.riskprofile")
    assert read.changes == {"profiles": 1}


def test_the_problem_file_needs_dates_and_a_policy(org, client):
    client.force_login(org["users"]["admin"])
    assert client.get(reverse("rostering:problem_json")).status_code == 400
    response = client.get(reverse("rostering:problem_json"), {"start": "2026-12-01", "end": "2026-12-31"})
    assert response.status_code == 400
    assert response.content.decode() == "Choose a work policy for the government first."


@pytest.mark.parametrize("who", ["head", "kabid", "staff", "health", "officer"])
def test_only_bkpsdm_downloads_the_problem(org, client, policy, who):
    client.force_login(org["users"][who])
    url = reverse("rostering:problem_json")
    assert client.get(url, {"start": "2026-12-01", "end": "2026-12-31"}).status_code == 403


def test_leave_is_requested_by_the_person_and_decided_by_their_head(org, client):
    client.force_login(org["users"]["staff"])
    response = client.post(
        reverse("rostering:leave_request"), {"kind": "annual", "start": "2026-12-07", "end": "2026-12-09"}
    )
    assert response.status_code == 302
    leave = Leave.objects.get()
    assert (leave.employee, leave.status) == (org["staff"], "requested")
    # A colleague in another unit does not even see it; the person cannot decide it.
    client.force_login(org["users"]["other_staff"])
    assert client.post(reverse("rostering:leave_decide", args=[leave.pk]), {"decision": "approve"}).status_code == 404
    client.force_login(org["users"]["staff"])
    client.post(reverse("rostering:leave_decide", args=[leave.pk]), {"decision": "approve"})
    assert Leave.objects.get().status == "requested"
    client.force_login(org["users"]["kabid"])
    listed = client.get(reverse("rostering:leave_list"))
    assert [x.employee.name for x in listed.context["leaves"]] == ["Staf Pelayanan"]
    assert listed.context["can_decide"] is True
    assert client.post(reverse("rostering:leave_decide", args=[leave.pk]), {"decision": "approve"}).status_code == 302
    leave.refresh_from_db()
    assert (leave.status, leave.decided_by) == ("approved", org["kabid"])


def test_a_leave_request_for_the_wrong_dates_shows_the_error(org, client):
    client.force_login(org["users"]["staff"])
    response = client.post(
        reverse("rostering:leave_request"), {"kind": "annual", "start": "2026-12-09", "end": "2026-12-07"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["end"] == ["The end date comes before the start date."]


def test_the_nav_shows_roster_to_bkpsdm_and_heads_and_leave_and_schedule_to_staff(org, client):
    for who, roster, leave, schedule in [
        ("admin", True, False, False),
        ("head", True, False, True),
        ("staff", False, True, True),
        ("health", False, False, False),
    ]:
        client.force_login(org["users"][who])
        content = client.get(reverse("org:unit_tree")).content.decode()
        assert (f'href="{reverse("rostering:plan_list")}"' in content) is roster, who
        assert (f'href="{reverse("rostering:leave_list")}"' in content) is leave, who
        assert (f'href="{reverse("rostering:my_schedule")}"' in content) is schedule, who


def test_another_governments_leave_and_coverage_are_not_found(org, client, other_government, make_unit, make_employee):
    unit = make_unit(other_government, "DPMPTSP")
    theirs = make_employee(unit, "Pegawai Karanganyar")
    leave = services.leave_request(
        employee=theirs, start=dt.date(2026, 12, 7), end=dt.date(2026, 12, 8), kind="annual", actor=None
    )
    skill = Skill.objects.create(government=other_government, code="front_office")
    rule = services.coverage_rule_set(unit=unit, skill=skill, minimum=1, actor=None)
    client.force_login(org["users"]["admin"])
    assert client.get(reverse("rostering:leave_list")).context["leaves"].count() == 0
    assert client.post(reverse("rostering:leave_decide", args=[leave.pk]), {"decision": "approve"}).status_code == 404
    assert client.post(reverse("rostering:coverage_rule_delete", args=[rule.pk])).status_code == 404
    assert Leave.objects.get().status == "requested"
    assert CoverageRule.objects.count() == 1
