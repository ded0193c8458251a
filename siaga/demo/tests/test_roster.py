"""The demo regency's roster for the current month: 50% policy, published, checked by the validator."""

import datetime as dt

import pytest

from siaga.demo.services import demo_roster_publish, demo_seed
from siaga.engines.roster.check import check
from siaga.engines.roster.types import parse_plan, parse_problem
from siaga.rostering.models import GovernmentSituation, RosterAssignment, RosterPlan

# The solver reports progress from its own threads, which use their own database connections.
pytestmark = pytest.mark.django_db(transaction=True)


def test_the_demo_gets_a_published_roster_for_the_month_under_a_half_capacity_policy():
    government = demo_seed(scale="small", seed=2020, today=dt.date(2026, 12, 3)).government
    plan = demo_roster_publish(government=government, month=dt.date(2026, 12, 3), time_limit=5)
    assert (plan.status, plan.start, plan.end) == ("published", dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    assert GovernmentSituation.objects.get(government=government).risk_zone == "medium"
    problem = parse_problem(plan.problem)
    assert {u.wfo_cap for u in problem.units} <= {0.5, 1.0}  # 50%, or 100% for exempt health units
    assert any(u.coverage for u in problem.units)
    assert check(problem, parse_plan(plan.result)).ok
    assert RosterAssignment.objects.filter(plan=plan).count() == len(problem.employees) * len(problem.days)
    # Asking again keeps the published plan.
    assert demo_roster_publish(government=government, month=dt.date(2026, 12, 20), time_limit=5) == plan
    assert RosterPlan.objects.count() == 1


def test_the_demo_month_of_work_follows_the_published_roster_and_can_be_run_again():
    from django.utils import timezone

    from siaga.attendance.models import CheckIn, Presence
    from siaga.demo.services import demo_workday_generate
    from siaga.meetings.models import MassEvent, Meeting
    from siaga.workday.models import WorkReport

    today = timezone.localdate()
    government = demo_seed(scale="small", seed=2020, today=today).government
    plan = demo_roster_publish(government=government, month=today, time_limit=5)
    counts = demo_workday_generate(government=government, month=today, seed=7)
    assert set(counts) == {"attendance", "workday", "meetings"}
    roster = {(a.employee_id, a.date): a.mode for a in RosterAssignment.objects.filter(plan=plan)}
    check_ins = list(CheckIn.objects.filter(government=government))
    if today.day > 7:  # a week of history at least
        assert check_ins and WorkReport.objects.filter(government=government).exists()
    for record in check_ins:
        assert record.date < today
        if record.mode == "wfo":  # nobody is at the office on a day the roster keeps them home
            assert roster.get((record.employee_id, record.date)) == "wfo" or record.exception_id is not None
    assert Presence.objects.filter(government=government, source="check_in").count() == sum(
        1 for r in check_ins if r.mode == "wfo"
    )
    assert Meeting.objects.filter(government=government).exists()
    assert MassEvent.objects.filter(government=government, status="postponed").exists()
    before = (CheckIn.objects.count(), WorkReport.objects.count(), Meeting.objects.count(), MassEvent.objects.count())
    demo_workday_generate(government=government, month=today, seed=7)
    assert (
        CheckIn.objects.count(),
        WorkReport.objects.count(),
        Meeting.objects.count(),
        MassEvent.objects.count(),
    ) == before
