"""The roster obeys building measures: a floor closed for days 3–5 of a published period gets nobody at
the office on those days, the days before are frozen, and the days after go back to what they were."""

import datetime as dt

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from siaga.engines.roster.check import check
from siaga.engines.roster.types import parse_plan, parse_problem
from siaga.measures import services as measures
from siaga.measures.models import BuildingMeasure, MeasureReplan
from siaga.measures.tasks import sync_rosters
from siaga.org.models import Floor
from siaga.rostering import services
from siaga.rostering.models import RosterAssignment, RosterPlan
from siaga.rostering.tasks import solve_plan
from siaga.rostering.tests import test_plans

pytestmark = pytest.mark.django_db(transaction=True)
planned_org = test_plans.planned_org

START, END = dt.date(2026, 12, 7), dt.date(2026, 12, 18)  # two working weeks
TODAY = dt.date(2026, 12, 7)
CLOSED = [dt.date(2026, 12, 9), dt.date(2026, 12, 10), dt.date(2026, 12, 11)]  # days 3–5
AFTER = [dt.date(2026, 12, 14) + dt.timedelta(days=i) for i in range(5)]


@pytest.fixture
def two_floors(planned_org, make_employee, monkeypatch, settings):
    """Bidang Umum (5 people, cap 50%: 2 at the office a day) on floor 5; everyone else on floor 6."""
    settings.ROSTER_WORKERS = 1
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    org = planned_org
    five = Floor.objects.get(number=5)
    six = Floor.objects.create(
        government=org["government"], building=five.building, number=6, capacity=40, distancing_capacity=20
    )
    for unit in (org["dinas"], org["pelayanan"], org["other_unit"]):
        unit.floor = six
        unit.save()
    org["umum_team"] = [org["staff_umum"]] + [make_employee(org["umum"], f"Staf Umum {i}") for i in range(4)]
    org["five"], org["six"] = five, six
    return org


def publish(org):
    plan = services.plan_create(government=org["government"], start=START, end=END, actor=None, time_limit=5)
    assert solve_plan.call(plan.pk) == "draft"
    plan.refresh_from_db()
    return services.plan_publish(plan=plan, actor=org["users"]["admin"])


def finish(plan):
    """Solve a measure replan and publish it as the periodic job does (which then checks the rosters again)."""
    assert solve_plan.call(plan.pk) == "draft"
    report = check(parse_problem(plan.problem), parse_plan(RosterPlan.objects.get(pk=plan.pk).result))
    assert report.ok, report.violations
    assert measures.measure_replans_finish()[0] == "published"
    plan.refresh_from_db()
    assert plan.status == "published"
    return plan


def replan_of(plan):
    return MeasureReplan.objects.get(old=plan).plan


def grid(plan):
    return {(a.employee_id, a.date): (a.mode, a.shift) for a in RosterAssignment.objects.filter(plan=plan)}


def published():
    """Every published (employee, day) of the government; no day is covered twice."""
    rows = RosterAssignment.objects.filter(plan__status="published")
    out = {(a.employee_id, a.date): (a.mode, a.shift) for a in rows}
    assert len(out) == rows.count()
    return out


def office_on_five(org, days, day):
    team = {e.pk for e in org["umum_team"]}
    return sorted(k[0] for k, v in days.items() if k[0] in team and k[1] == day and v[0] == "wfo")


def synced(org):
    """The background check queued by setting or lifting a measure, run now."""
    queued = DBTaskResult.objects.filter(task_path="siaga.measures.tasks.sync_rosters", status="READY")
    assert [row.args_kwargs["args"] for row in queued] == [[org["government"].pk, TODAY.isoformat()]]
    queued.delete()
    return sync_rosters.call(org["government"].pk, TODAY.isoformat())


def close_floor_five(org):
    return measures.measure_set(
        government=org["government"],
        building=org["five"].building,
        floor=org["five"],
        kind="close",
        start=CLOSED[0],
        end=CLOSED[-1],
        reason="Disinfeksi lantai 5",
    )


def test_closing_a_floor_for_three_days_replans_only_what_it_must(two_floors):
    org = two_floors
    original = publish(org)
    before = grid(original)
    assert all(len(office_on_five(org, before, d)) == 2 for d in CLOSED), "the plan used floor 5 before"

    close_floor_five(org)
    assert synced(org) == 1
    first = replan_of(original)
    problem = parse_problem(first.problem)
    assert (first.start, first.end, problem.frozen_until) == (CLOSED[0], END, None)
    assert {f.id: f.capacity for f in problem.floors} == {"menara-wijaya-5": 0, "menara-wijaya-6": 20}
    first = finish(first)
    original.refresh_from_db()
    assert original.status == "superseded"
    days = published()
    assert set(days) == set(before)
    assert [office_on_five(org, days, d) for d in CLOSED] == [[], [], []]
    # Days before the closure are kept as they were.
    assert {k: v for k, v in days.items() if k[1] < CLOSED[0]} == {k: v for k, v in before.items() if k[1] < CLOSED[0]}

    # Publishing checked the rosters again: the days after the closure were planned with no room on floor 5,
    # so they are planned again, close to the roster before the closure.
    second = replan_of(first)
    problem = parse_problem(second.problem)
    assert (second.start, {f.id: f.capacity for f in problem.floors}["menara-wijaya-5"]) == (AFTER[0], 20)
    nips = {e.nip: e.pk for e in org["umum_team"]}
    assert {(a.employee, a.date): a.mode for a in problem.previous_plan.assignments if a.employee in nips} == {
        (nip, d): before[pk, d][0] for nip, pk in nips.items() for d in AFTER
    }
    finish(second)
    final = published()
    assert set(final) == set(before)
    assert [office_on_five(org, final, d) for d in CLOSED] == [[], [], []]
    changed = sorted((k, before[k], v) for k, v in final.items() if v != before[k])
    # Only the closed days of floor 5 changed: each office day there became a day at home.
    assert {k[1] for k, _b, _a in changed} <= set(CLOSED)
    assert all(b[0] == "wfo" and a == ("wfh", "") for _k, b, a in changed)
    assert len(changed) == 6
    # Nothing more to do.
    assert measures.roster_sync(government_id=org["government"].pk) == []


def test_lifting_the_closure_gives_the_days_back(two_floors):
    org = two_floors
    original = publish(org)
    measure = close_floor_five(org)
    synced(org)
    finish(replan_of(original))
    after = finish(MeasureReplan.objects.get(finished=False).plan)  # the days after the closure
    assert [office_on_five(org, published(), d) for d in CLOSED] == [[], [], []]
    measures.measure_lift(measure=measure)
    assert BuildingMeasure.objects.get(pk=measure.pk).status == "lifted"
    assert synced(org) == 1
    reopened = MeasureReplan.objects.get(finished=False)
    assert reopened.first_day == CLOSED[0]
    finish(reopened.plan)
    before = grid(original)
    assert published() == before, "every day is back as it was before the closure"
    assert after.status == "published"


def test_a_restricted_floor_is_planned_within_the_limit(two_floors):
    org = two_floors
    original = publish(org)
    measures.measure_set(
        government=org["government"],
        building=org["five"].building,
        floor=org["five"],
        kind="restrict",
        capacity_people=1,
        start=CLOSED[0],
        end=CLOSED[-1],
        reason="Klaster dalam penyelidikan",
    )
    synced(org)
    finish(replan_of(original))
    assert [len(office_on_five(org, published(), d)) for d in CLOSED] == [1, 1, 1]
