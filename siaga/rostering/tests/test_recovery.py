"""A roster solve whose worker was lost (killed, host gone): its lease (heartbeat) runs out, the periodic
job queues it again and marks the lost queue row failed, the plan shows that it was resumed, and the
next worker solves it; a run presumed lost that still finishes writes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from siaga.core.recovery import WORKER_LOST
from siaga.core.schedule import PERIODIC_JOBS
from siaga.rostering.models import RosterAssignment, RosterPlan
from siaga.rostering.tasks import plans_recover, solve_plan
from siaga.rostering.tests.test_plans import make_plan, planned_org  # noqa: F401 - the fixture

# The solver and the heartbeat write from their own threads, with their own database connections.
pytestmark = pytest.mark.django_db(transaction=True)

TASK = "siaga.rostering.tasks.solve_plan"


@pytest.fixture
def queued(planned_org: dict) -> RosterPlan:  # noqa: F811 - the imported fixture
    """A plan queued for solving (as in test_plans), with its queue row."""
    return make_plan(planned_org, time_limit=5)


def lose_worker(plan: RosterPlan, settings: Any) -> DBTaskResult:
    """What a worker killed mid-solve leaves: the plan SOLVING with an old heartbeat, its row RUNNING."""
    row = DBTaskResult.objects.get(task_path=TASK, args_kwargs__args__0=plan.pk)
    DBTaskResult.objects.filter(pk=row.pk).update(status=TaskResultStatus.RUNNING, worker_ids=["lost"])
    stale = timezone.now() - dt.timedelta(seconds=settings.TASK_HEARTBEAT_TIMEOUT + 1)
    RosterPlan.objects.filter(pk=plan.pk).update(
        status=RosterPlan.Status.SOLVING, attempt=1, heartbeat_at=stale, progress=[[1.0, 5.0, 0.0]]
    )
    return row


def test_a_solve_whose_heartbeat_ran_out_is_queued_again_and_solved(
    queued: RosterPlan,
    settings: Any,
    login: Any,
    planned_org: dict,  # noqa: F811
) -> None:
    row = lose_worker(queued, settings)
    assert plans_recover() == 1
    assert plans_recover() == 0  # idempotent
    row.refresh_from_db()
    assert row.status == TaskResultStatus.FAILED and row.exception_class_path == WORKER_LOST
    plan = RosterPlan.objects.get(pk=queued.pk)
    assert plan.status == RosterPlan.Status.QUEUED and plan.progress == [] and plan.resumed
    again = DBTaskResult.objects.get(task_path=TASK, status=TaskResultStatus.READY)
    assert again.args_kwargs["args"] == [plan.pk]
    page = login(planned_org["users"]["admin"]).get(reverse("rostering:plan_detail", args=[plan.pk]))
    assert "Resumed after an interruption" in page.text
    assert solve_plan.call(plan.pk) == "draft"
    plan.refresh_from_db()
    assert plan.attempt == 2 and not plan.resumed and RosterAssignment.objects.filter(plan=plan).exists()


def test_a_live_solve_is_left_alone(queued: RosterPlan, settings: Any) -> None:
    lose_worker(queued, settings)
    RosterPlan.objects.filter(pk=queued.pk).update(heartbeat_at=timezone.now())
    assert plans_recover() == 0
    assert RosterPlan.objects.get(pk=queued.pk).status == RosterPlan.Status.SOLVING


def test_a_run_presumed_lost_that_finishes_after_all_writes_nothing(queued: RosterPlan, settings: Any) -> None:
    """The first run claims attempt 1; its plan is taken over (attempt 2 now solving): when the first
    run's result arrives it is dropped, not stored over the second's."""
    from siaga.rostering.tasks import _solve

    assert solve_plan.call(queued.pk) == "draft"  # attempt 1 solves; now replay it as a stale run
    RosterPlan.objects.filter(pk=queued.pk).update(status=RosterPlan.Status.SOLVING, attempt=2, result={})
    plan = RosterPlan.objects.get(pk=queued.pk)
    stale_run = RosterPlan.objects.filter(pk=plan.pk, status=RosterPlan.Status.SOLVING, attempt=1)
    assert _solve(plan, stale_run) == "superseded"
    plan.refresh_from_db()
    assert plan.status == RosterPlan.Status.SOLVING and plan.result == {}


def test_the_recovery_jobs_are_scheduled_often() -> None:
    jobs = {job.name: job for job in PERIODIC_JOBS}
    for name in ("roster-plans-recover", "signing-items-recover"):
        assert jobs[name].interval <= dt.timedelta(seconds=30)
