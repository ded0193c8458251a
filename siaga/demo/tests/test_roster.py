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
