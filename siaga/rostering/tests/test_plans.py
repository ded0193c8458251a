"""Planning a period: solve in the background with progress, review the draft, publish, "Jadwal saya"."""

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from siaga.core.models import Notification
from siaga.engines.roster.check import check
from siaga.engines.roster.types import parse_plan, parse_problem
from siaga.org.models import Building, Floor, Skill
from siaga.rostering import selectors, services
from siaga.rostering.models import RosterAssignment, WorkPolicy
from siaga.rostering.tasks import notify_plan_published, solve_plan

# The solver reports progress from its own threads, which use their own database connections.
pytestmark = pytest.mark.django_db(transaction=True)

START, END = dt.date(2026, 12, 7), dt.date(2026, 12, 11)  # Monday to Friday, no holiday


@pytest.fixture
def planned_org(org):
    """DPMPTSP on one floor of Menara Wijaya under SE 67/2020 in a medium-risk zone (cap 50%), with one
    front-office holder needed on site in every shift of Bidang Pelayanan."""
    gov = org["government"]
    # Transactional tests empty the tables afterwards, presets included: load them again.
    importlib.import_module("siaga.rostering.migrations.0002_work_policy_presets").load_presets(apps, None)
    preset = WorkPolicy.objects.get(government=None, code="se-menpanrb-67-2020")
    services.policy_copy_for_government(government=gov, preset=preset, actor=None, select_from=dt.date(2026, 1, 1))
    services.situation_set(government=gov, effective_from=dt.date(2026, 1, 1), risk_zone="medium", actor=None)
    building = Building.objects.create(government=gov, code="menara-wijaya", name="Menara Wijaya")
    floor = Floor.objects.create(government=gov, building=building, number=5, capacity=40, distancing_capacity=20)
    for unit in (org["dinas"], org["pelayanan"], org["umum"], org["other_unit"]):
        unit.building, unit.floor = building, floor
        unit.save()
    front = Skill.objects.create(government=gov, code="front_office")
    org["staff"].skills.add(front)
    org["kabid"].skills.add(front)
    services.coverage_rule_set(unit=org["pelayanan"], skill=front, minimum=1, actor=None)
    return org


def make_plan(org, who="admin", unit=None, **kwargs):
    return services.plan_create(
        government=org["government"], start=START, end=END, unit=unit, actor=org["users"][who], **kwargs
    )


def test_a_plan_is_solved_in_the_background_into_a_draft_that_passes_the_checker(planned_org):
    plan = make_plan(planned_org, time_limit=10)
    assert plan.status == "queued"
    queued = DBTaskResult.objects.filter(task_path="siaga.rostering.tasks.solve_plan")
    assert [row.args_kwargs["args"] for row in queued] == [[plan.pk]]
    assert solve_plan.call(plan.pk) == "draft"
    plan.refresh_from_db()
    assert plan.status == "draft"
    assert plan.progress, "progress points for the live bar"
    assert RosterAssignment.objects.filter(plan=plan).count() == 5 * 5  # 5 employees × 5 working days
    report = check(parse_problem(plan.problem), parse_plan(plan.result))
    assert report.ok, report.violations
    # Running the task again does nothing: it only takes queued plans.
    assert solve_plan.call(plan.pk) == "skipped"


def test_an_impossible_period_is_explained_in_indonesian(planned_org):
    front = Skill.objects.get(code="front_office")
    services.coverage_rule_set(unit=planned_org["pelayanan"], skill=front, minimum=3, actor=None)
    plan = make_plan(planned_org, time_limit=5)
    assert solve_plan.call(plan.pk) == "infeasible"
    plan.refresh_from_db()
    assert plan.status == "infeasible"
    assert not RosterAssignment.objects.filter(plan=plan).exists()
    first = next(e for e in plan.result["explanation"] if e["kind"] == "coverage")
    assert (first["kind"], first["unit"], first["skill"], first["needed"], first["possible"]) == (
        "coverage",
        "DPMPTSP-PEL",
        "front_office",
        3,
        2,
    )
    assert "butuh 3 petugas front_office" in first["message"]


def test_publishing_tells_the_employees_and_fills_their_schedule(planned_org, client):
    today = dt.date.today()
    start = today + dt.timedelta(days=7 - today.weekday())  # next Monday
    plan = services.plan_create(
        government=planned_org["government"], start=start, end=start + dt.timedelta(days=4), actor=None, time_limit=10
    )
    solve_plan.call(plan.pk)
    plan.refresh_from_db()
    services.plan_publish(plan=plan, actor=planned_org["users"]["admin"])
    assert notify_plan_published.call(plan.pk) == 4  # every employee with an account
    assert notify_plan_published.call(plan.pk) == 0  # once per plan
    staff = planned_org["users"]["staff"]
    notes = Notification.objects.filter(recipient=staff, channel="in_app", subject__startswith="Your work schedule")
    assert notes.count() == 1
    client.force_login(staff)
    response = client.get(reverse("rostering:my_schedule"))
    assert response.status_code == 200
    own = RosterAssignment.objects.filter(plan=plan, employee=planned_org["staff"]).order_by("date")
    assert own.count() >= 1
    assert [(a.date, a.mode, a.shift) for a in response.context["days"]] == [(a.date, a.mode, a.shift) for a in own]
    # A draft is nobody's schedule yet.
    client.force_login(planned_org["users"]["kabid"])
    draft = make_plan(planned_org, time_limit=5)
    solve_plan.call(draft.pk)
    assert all(a.plan_id == plan.pk for a in client.get(reverse("rostering:my_schedule")).context["days"])


def test_a_newer_published_plan_replaces_the_older_one(planned_org):
    first = make_plan(planned_org, time_limit=5)
    solve_plan.call(first.pk)
    first.refresh_from_db()
    services.plan_publish(plan=first, actor=None)
    second = make_plan(planned_org, time_limit=5)
    solve_plan.call(second.pk)
    second.refresh_from_db()
    services.plan_publish(plan=second, actor=None)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("superseded", "published")
    with pytest.raises(ValidationError):
        services.plan_publish(plan=second, actor=None)


def test_a_queued_plan_can_be_cancelled(planned_org):
    plan = make_plan(planned_org, time_limit=5)
    services.plan_cancel(plan=plan, actor=None)
    plan.refresh_from_db()
    assert plan.status == "cancelled"
    assert solve_plan.call(plan.pk) == "skipped"


def test_the_heatmap_counts_people_on_site_against_the_cap(planned_org):
    plan = make_plan(planned_org, time_limit=10)
    solve_plan.call(plan.pk)
    plan.refresh_from_db()
    days, _shifts, rows = selectors.plan_heatmap(plan=plan, by="unit")
    assert days == [START + dt.timedelta(days=i) for i in range(5)]
    wfo = RosterAssignment.objects.filter(plan=plan, mode="wfo").count()
    assert sum(c.on_site for row in rows for c in row["cells"]) == wfo
    assert all(c.on_site <= row["limit"] for row in rows for c in row["cells"])
    _, _, floors = selectors.plan_heatmap(plan=plan, by="floor")
    assert [f["id"] for f in floors] == ["menara-wijaya-5"]


def test_the_progress_partial_polls_while_solving_and_refreshes_when_done(planned_org, client):
    plan = make_plan(planned_org, time_limit=5)
    client.force_login(planned_org["users"]["admin"])
    url = reverse("rostering:plan_detail", args=[plan.pk])
    polling = client.get(url, HTTP_HX_REQUEST="true")
    assert b'hx-trigger="every 1s"' in polling.content
    solve_plan.call(plan.pk)
    done = client.get(url, HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true"
    page = client.get(url)
    assert page.context["rows"]


def test_who_may_plan_and_see_plans(planned_org, client, other_government):
    plan = make_plan(planned_org, time_limit=5)
    head_plan = make_plan(planned_org, who="head", unit=planned_org["pelayanan"], time_limit=5)
    for who, status in [("staff", 403), ("health", 403), ("officer", 403), ("admin", 200), ("head", 200)]:
        client.force_login(planned_org["users"][who])
        assert client.get(reverse("rostering:plan_list")).status_code == status, who
    client.force_login(planned_org["users"]["head"])
    listed = [p.pk for p in client.get(reverse("rostering:plan_list")).context["plans"]]
    assert listed == [head_plan.pk]
    assert client.get(reverse("rostering:plan_detail", args=[plan.pk])).status_code == 404
    form_units = client.get(reverse("rostering:plan_list")).context["form"].fields["unit"].queryset
    assert sorted(u.code for u in form_units) == ["DPMPTSP", "DPMPTSP-PEL", "DPMPTSP-UMUM"]
    client.force_login(planned_org["users"]["kabid"])
    assert client.post(reverse("rostering:plan_publish", args=[plan.pk])).status_code == 404


def test_coverage_per_service_shows_the_front_office_on_site_against_the_minimum(planned_org, client):
    plan = make_plan(planned_org, time_limit=10)
    solve_plan.call(plan.pk)
    plan.refresh_from_db()
    slots, rows = selectors.plan_coverage(plan=plan)
    assert [(r["unit"], r["skill"], r["min"]) for r in rows] == [("DPMPTSP-PEL", "front_office", 1)]
    front_desk = {planned_org["staff"].pk, planned_org["kabid"].pk}
    for (day, shift), cell in zip(slots, rows[0]["cells"], strict=True):
        expected = RosterAssignment.objects.filter(
            plan=plan, employee_id__in=front_desk, date=day, mode="wfo", shift=shift
        ).count()
        assert cell.on_site == expected >= 1
    client.force_login(planned_org["users"]["admin"])
    page = client.get(reverse("rostering:plan_detail", args=[plan.pk]), {"by": "coverage"})
    assert page.context["coverage"] == rows
