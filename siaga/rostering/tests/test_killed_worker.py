"""Drill (docs/reliability.md "Killed workers"): two real ``siaga worker`` processes on PostgreSQL; the one
that claimed a roster solve is killed with SIGKILL mid-solve; the other one's recovery job finds the
lapsed heartbeat, queues the plan again and solves it into a plan that passes the checker
(``siaga roster check``), within a bounded time, leaving no queue row RUNNING."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from pathlib import Path
from typing import Any

import pytest
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from bench.roster_instances import _enough_holders, regency_instance
from siaga.core.recovery import WORKER_LOST
from siaga.engines.roster.check import check
from siaga.engines.roster.types import parse_plan, parse_problem, problem_to_dict
from siaga.rostering.models import RosterPlan
from siaga.rostering.tasks import solve_plan
from siaga.rostering.tests.worker_processes import Workers, postgresql_processes, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), postgresql_processes]

TASK = "siaga.rostering.tasks.solve_plan"
TIME_LIMIT = 12  # seconds: long enough to be killed in the middle


@pytest.fixture
def workers(tmp_path: Path) -> Any:
    started = Workers(tmp_path)
    yield started
    started.stop_all()


def drill_problem() -> dict[str, Any]:
    """A unit-size government: 400 employees in 8 units on 4 floors, two weeks (about TIME_LIMIT s)."""
    problem = regency_instance(seed=7, employees=400, units=8, floors=4, service_units=3, end=dt.date(2026, 11, 13))
    return problem_to_dict(dataclasses.replace(problem, employees=tuple(_enough_holders(problem))))


def test_kill_9_a_worker_mid_solve_and_the_other_finishes_the_plan(government: Any, workers: Workers) -> None:
    plan = RosterPlan.objects.create(
        government=government,
        name="Latihan: pekerja dimatikan",
        start=dt.date(2026, 11, 2),
        end=dt.date(2026, 11, 13),
        problem=drill_problem(),
        time_limit=TIME_LIMIT,
    )
    workers.start("w1")
    workers.start("w2")
    workers.wait_started()
    solve_plan.enqueue(plan.pk)

    def solving() -> bool:
        plan.refresh_from_db()
        return plan.status == RosterPlan.Status.SOLVING and len(plan.progress) >= 2

    wait_for(solving, 60, "the solve to start and report progress", workers)
    row = DBTaskResult.objects.get(task_path=TASK, args_kwargs__args__0=plan.pk)
    victim = row.worker_ids[-1]
    survivor = next(w for w in workers.processes if w != victim)
    workers.kill(victim)
    killed_at = time.monotonic()

    def finished() -> bool:
        plan.refresh_from_db()
        return not plan.running

    recovered = wait_for(lambda: RosterPlan.objects.filter(pk=plan.pk, attempt=2).exists(), 60, "requeue", workers)
    wait_for(finished, TIME_LIMIT + 60, "the surviving worker to finish the plan", workers)
    total = time.monotonic() - killed_at
    assert plan.status == RosterPlan.Status.DRAFT, (plan.status, plan.error, workers.outputs())
    assert plan.attempt == 2
    report = check(parse_problem(plan.problem), parse_plan(plan.result))
    assert report.ok, report.violations
    row.refresh_from_db()
    assert row.status == TaskResultStatus.FAILED and row.exception_class_path == WORKER_LOST
    again = DBTaskResult.objects.exclude(pk=row.pk).get(task_path=TASK, args_kwargs__args__0=plan.pk)
    assert again.status == TaskResultStatus.SUCCESSFUL and again.worker_ids == [survivor]
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).exists()  # the queue is clean
    # the heartbeat lapses after 3 s; the recovery job runs every 10 s on a 5 s tick: bounded by ~20 s
    assert recovered < 25, recovered
    print(f"\nroster drill: requeued {recovered:.1f} s after the kill, draft plan {total:.1f} s after it")
