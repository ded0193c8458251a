"""The rostering API: plan a period, follow the solve, publish, read the days; my schedule; leave."""

import datetime as dt

import pytest
from django.utils import timezone

from siaga.api.tests.conftest import ApiClient
from siaga.core.models import Role
from siaga.core.services import api_token_create
from siaga.engines.roster.check import check
from siaga.engines.roster.types import parse_plan, parse_problem
from siaga.rostering.models import Leave, RosterAssignment, RosterPlan
from siaga.rostering.tasks import solve_plan
from siaga.rostering.tests import test_plans
from siaga.rostering.tests.test_plans import END, START, make_plan

pytestmark = pytest.mark.django_db(transaction=True)

planned_org = test_plans.planned_org  # the organisation and policy of the planning tests


def _as(org, who):
    return ApiClient(user=org["users"][who])


def test_bkpsdm_plans_follows_the_solve_and_publishes_through_the_api(planned_org):
    api = _as(planned_org, "admin")
    created = api.post("/roster/plans", {"start": str(START), "end": str(END), "time_limit": 10})
    assert created.status_code == 201, created.json()
    plan_id = created.json()["id"]
    assert created.json()["status"] == "queued" and created.json()["unit"] is None
    assert solve_plan.call(plan_id) == "draft"
    detail = api.get(f"/roster/plans/{plan_id}").json()
    assert detail["status"] == "draft"
    assert detail["progress"] and detail["objective"]["total"] >= 0
    plan = RosterPlan.objects.get(pk=plan_id)
    assert check(parse_problem(plan.problem), parse_plan(plan.result)).ok
    days = api.get(f"/roster/plans/{plan_id}/days", limit=100).json()
    assert days["count"] == RosterAssignment.objects.filter(plan=plan).count() == 25
    staff_days = api.get(f"/roster/plans/{plan_id}/days", unit="DPMPTSP-PEL", limit=100).json()["items"]
    assert {d["unit"] for d in staff_days} == {"DPMPTSP-PEL"}
    published = api.post(f"/roster/plans/{plan_id}/publish")
    assert published.status_code == 200 and published.json()["status"] == "published"
    again = api.post(f"/roster/plans/{plan_id}/publish")
    assert again.status_code == 422


def test_a_unit_head_plans_only_units_they_manage(planned_org):
    head = _as(planned_org, "head")
    whole = head.post("/roster/plans", {"start": str(START), "end": str(END)})
    assert whole.status_code == 422 and "unit" in whole.json()["errors"]
    other = head.post("/roster/plans", {"start": str(START), "end": str(END), "unit": "DINKES"})
    assert other.status_code == 422 and "DINKES" in other.json()["errors"]["unit"][0]
    own = head.post("/roster/plans", {"start": str(START), "end": str(END), "unit": "DPMPTSP-PEL", "time_limit": 5})
    assert own.status_code == 201 and own.json()["unit"] == "DPMPTSP-PEL"
    admins = make_plan(planned_org, time_limit=5)
    assert [p["id"] for p in head.get("/roster/plans").json()["items"]] == [own.json()["id"]]
    assert head.get(f"/roster/plans/{admins.pk}").status_code == 404
    assert head.post(f"/roster/plans/{admins.pk}/cancel").status_code == 404
    cancelled = head.post(f"/roster/plans/{own.json()['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"


def test_plans_are_refused_to_the_roles_that_do_not_plan(planned_org, other_government, make_user):
    plan = make_plan(planned_org, time_limit=5)
    for who in ("staff", "health", "officer"):
        api = _as(planned_org, who)
        assert api.get("/roster/plans").status_code == 403, who
        assert api.get(f"/roster/plans/{plan.pk}").status_code == 403, who
        assert api.post("/roster/plans", {"start": str(START), "end": str(END)}).status_code == 403, who
    stranger = ApiClient(user=make_user("bkpsdm_lain", (other_government, Role.ADMIN)))
    assert stranger.get(f"/roster/plans/{plan.pk}").status_code == 404
    assert stranger.get("/roster/plans").json()["count"] == 0
    assert ApiClient().get("/roster/plans").status_code == 401


def test_an_infeasible_plan_tells_why(planned_org):
    from siaga.org.models import Skill
    from siaga.rostering import services

    services.coverage_rule_set(
        unit=planned_org["pelayanan"], skill=Skill.objects.get(code="front_office"), minimum=3, actor=None
    )
    plan = make_plan(planned_org, time_limit=5)
    solve_plan.call(plan.pk)
    detail = _as(planned_org, "admin").get(f"/roster/plans/{plan.pk}").json()
    assert detail["status"] == "infeasible"
    coverage = next(e for e in detail["explanation"] if e["kind"] == "coverage")
    assert (coverage["unit"], coverage["skill"], coverage["needed"]) == ("DPMPTSP-PEL", "front_office", 3)


def test_my_schedule_lists_only_published_days(planned_org):
    today = timezone.localdate()
    start = today + dt.timedelta(days=7 - today.weekday())
    plan = make_plan(planned_org, time_limit=5)
    plan = RosterPlan.objects.get(pk=plan.pk)
    from siaga.rostering import services

    published = services.plan_create(
        government=planned_org["government"], start=start, end=start + dt.timedelta(days=4), actor=None, time_limit=5
    )
    solve_plan.call(published.pk)
    services.plan_publish(plan=RosterPlan.objects.get(pk=published.pk), actor=None)
    solve_plan.call(plan.pk)  # a draft: nobody's schedule
    mine = _as(planned_org, "staff").get("/roster/me").json()
    own = RosterAssignment.objects.filter(plan=published, employee=planned_org["staff"]).order_by("date")
    assert [(d["date"], d["mode"], d["plan"]) for d in mine] == [(str(a.date), a.mode, published.pk) for a in own]
    assert len(mine) == 5
    too_long = _as(planned_org, "staff").get("/roster/me", start=str(start), end=str(start + dt.timedelta(days=200)))
    assert too_long.status_code == 422 and "end" in too_long.json()["errors"]


def test_leave_is_asked_and_decided_by_the_head_through_the_api(planned_org):
    staff = _as(planned_org, "staff")
    asked = staff.post("/roster/leave", {"start": str(START), "end": str(END), "kind": "annual", "reason": "Mudik"})
    assert asked.status_code == 201 and asked.json()["status"] == "requested"
    leave_id = asked.json()["id"]
    assert staff.post(f"/roster/leave/{leave_id}/decision", {"approve": True}).status_code == 422  # not their own
    assert [row["id"] for row in _as(planned_org, "other_staff").get("/roster/leave").json()["items"]] == []
    stranger = _as(planned_org, "other_staff")
    assert stranger.post(f"/roster/leave/{leave_id}/decision", {"approve": True}).status_code == 404
    decided = _as(planned_org, "kabid").post(f"/roster/leave/{leave_id}/decision", {"approve": True, "note": "OK"})
    assert decided.status_code == 200, decided.json()
    assert decided.json()["status"] == "approved" and decided.json()["decided_by"] == planned_org["kabid"].nip
    assert Leave.objects.get(pk=leave_id).status == "approved"
    bad = staff.post("/roster/leave", {"start": str(END), "end": str(START), "kind": "annual"})
    assert bad.status_code == 422 and "end" in bad.json()["errors"]


def test_a_token_needs_the_roster_scope(planned_org):
    _record, key = api_token_create(
        government=planned_org["government"], user=planned_org["users"]["admin"], name="SIMPEG", actor=None,
        scopes=["org:read"],
    )  # fmt: skip
    refused = ApiClient(token=key).get("/roster/plans")
    assert refused.status_code == 403 and "roster:read" in refused.json()["detail"]
    _record, key = api_token_create(
        government=planned_org["government"], user=planned_org["users"]["admin"], name="e-Kinerja", actor=None,
        scopes=["roster:read"],
    )  # fmt: skip
    assert ApiClient(token=key).get("/roster/plans").status_code == 200
    write = ApiClient(token=key).post("/roster/plans", {"start": str(START), "end": str(END)})
    assert write.status_code == 403 and "roster:write" in write.json()["detail"]
