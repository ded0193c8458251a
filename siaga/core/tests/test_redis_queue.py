"""The multi-host queue, run (docs/scale.md "Queue backends"): RQ on a real Redis server (Debian's
``redis-server`` on loopback) with two real ``siaga worker`` processes, on PostgreSQL.

Roster solves queued from the web side are taken by both workers and solved into plans that pass the
checker; a notification whose first attempt fails is retried after its backoff through RQ's scheduler and
delivered once to a real SMTP server; the health check, the metrics and the outbox's requeue read the
Redis queue; a worker killed with SIGKILL mid-solve loses nothing (the lease recovery of another worker
queues the plan again on Redis)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from bench.roster_instances import _enough_holders, regency_instance
from siaga.core import queue
from siaga.core.health import check as health_check
from siaga.core.models import Notification
from siaga.core.services import notify
from siaga.core.tasks import deliver_notification, requeue_due_notifications
from siaga.engines.roster.check import check
from siaga.engines.roster.types import parse_plan, parse_problem, problem_to_dict
from siaga.rostering.models import RosterPlan
from siaga.rostering.tasks import solve_plan
from siaga.rostering.tests.worker_processes import Workers, postgresql_processes, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), postgresql_processes]

RQ = "django_tasks_rq.RQBackend"
SOLVE = "siaga.rostering.tasks.solve_plan"


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """A Redis server of its own on 127.0.0.1 (no persistence), stopped after the test."""
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    assert Path(binary).exists(), "redis-server is missing: apt-get install redis-server (make test does it)"
    port = free_port()
    options = ["--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no", "--dir", str(tmp_path)]
    server = subprocess.Popen(
        [binary, *options],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    url = f"redis://127.0.0.1:{port}/0"
    import redis

    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + 20
    while True:
        try:
            if client.ping():
                break
        except redis.ConnectionError:
            if time.monotonic() > deadline or server.poll() is not None:
                raise
            time.sleep(0.05)
    yield url
    server.terminate()
    server.wait(10)


@pytest.fixture
def on_redis(settings: Any, redis_url: str) -> str:
    """This (web) process enqueues on Redis, as a web host of a multi-host installation does."""
    settings.TASKS = {"default": {"BACKEND": RQ, "QUEUES": ["default"]}}
    settings.RQ_QUEUES = {"default": {"URL": redis_url, "DEFAULT_TIMEOUT": 600}}
    return redis_url


@pytest.fixture
def workers(tmp_path: Path, on_redis: str) -> Iterator[Workers]:
    started = Workers(tmp_path, TASKS_BACKEND=RQ, REDIS_URL=on_redis)
    yield started
    started.stop_all()


def small_problem(seed: int, employees: int = 120) -> dict[str, Any]:
    problem = regency_instance(
        seed=seed, employees=employees, units=3, floors=1, service_units=1, end=dt.date(2026, 11, 13)
    )
    return problem_to_dict(dataclasses.replace(problem, employees=tuple(_enough_holders(problem))))


def make_plan(government: Any, seed: int, time_limit: int = 3, employees: int = 120) -> RosterPlan:
    return RosterPlan.objects.create(
        government=government,
        name=f"Jadwal uji {seed}",
        start=dt.date(2026, 11, 2),
        end=dt.date(2026, 11, 13),
        problem=small_problem(seed, employees),
        time_limit=time_limit,
    )


def assert_plan_passes_the_checker(plan: RosterPlan) -> None:
    plan.refresh_from_db()
    assert plan.status == RosterPlan.Status.DRAFT, (plan.status, plan.error)
    report = check(parse_problem(plan.problem), parse_plan(plan.result))
    assert report.ok, report.violations[:5]


def test_roster_solves_queued_on_redis_are_shared_by_two_workers_and_the_queue_is_read_there(
    government: Any, workers: Workers
) -> None:
    plans = [make_plan(government, seed) for seed in (1, 2, 3, 4)]
    for plan in plans:
        solve_plan.enqueue(plan.pk)

    # nothing runs yet: the queue on Redis is what the health check, the metrics and the requeue see
    assert queue.kind() == "redis"
    assert queue.counts()["ready"] == 4
    assert queue.waiting_first_args(SOLVE) == {p.pk for p in plans}
    time.sleep(1.1)
    age = queue.oldest_due_age()
    assert age is not None and 1 <= age < 60
    healthy, body = health_check()
    assert healthy and body["checks"]["tasks"]["status"] == "ok", body
    assert 1 <= body["checks"]["tasks"]["oldest_due_seconds"] < 60

    workers.start("w1")
    workers.start("w2")
    workers.wait_started()

    def all_solved() -> bool:
        return not any(p.running for p in RosterPlan.objects.filter(pk__in=[p.pk for p in plans]))

    wait_for(all_solved, 120, "the four plans to be solved", workers)
    for plan in plans:
        assert_plan_passes_the_checker(plan)
    # both workers took solves (each takes one at a time, and a solve lasts about its time limit)
    import django_rq
    from django_tasks_rq.backend import Job

    finished = queue._rq_queues()[0].finished_job_registry.get_job_ids()
    jobs = Job.fetch_many(finished, connection=django_rq.get_connection())
    assert len(jobs) == 4
    assert {job.func_name for job in jobs if job} == {SOLVE}
    assert {job.worker_name for job in jobs if job} == {"w1", "w2"}, workers.outputs()
    counts = queue.counts()
    assert (counts["ready"], counts["running"], counts["failed"], counts["successful"]) == (0, 0, 0, 4)
    assert queue.oldest_due_age() is None
    assert queue.waiting_first_args(SOLVE) == set()


def test_a_failed_send_is_retried_through_the_rq_scheduler_and_delivered_once(
    org: dict[str, Any], smtp_server: Any, tmp_path: Path, on_redis: str
) -> None:
    workers = Workers(
        tmp_path,
        TASKS_BACKEND=RQ,
        REDIS_URL=on_redis,
        EMAIL_URL=f"smtp://127.0.0.1:{smtp_server.port}",
        DEFAULT_FROM_EMAIL="Siaga Sukoharjo <siaga@sukoharjokab.go.id>",
        NOTIFY_BACKOFF_SECONDS="2",
    )
    try:
        workers.start("w1")
        workers.wait_started()
        _in_app, mail = notify(
            user=org["users"]["staff"],
            government=org["government"],
            subject="Jadwal kerja pekan depan",
            body="Jadwal Anda sudah terbit.",
            link="https://siaga.example/inbox/",
        )
        # 1. the SMTP server is down: the first attempt fails and the retry waits in RQ's scheduled registry
        wait_for(
            lambda: Notification.objects.filter(pk=mail.pk, attempts=1).exclude(last_error="").exists(),
            60,
            "the first attempt",
            workers,
        )
        mail.refresh_from_db()
        assert mail.status == Notification.Status.PENDING and mail.sent_at is None
        assert mail.last_error.startswith("ConnectionRefusedError")
        # the retry is scheduled on Redis right after the attempt is recorded
        wait_for(lambda: queue.waiting_first_args(deliver_notification.module_path) == {mail.pk}, 10, "the retry")
        assert requeue_due_notifications() == 0  # already queued on Redis: the requeue adds nothing
        # 2. the server is back before the backoff ends: the scheduler moves the retry, which sends once
        smtp_server.start()
        wait_for(
            lambda: Notification.objects.filter(pk=mail.pk, status=Notification.Status.SENT).exists(),
            60,
            "the retry to send the message",
            workers,
        )
        time.sleep(2)  # nothing else may arrive
        mail.refresh_from_db()
        assert mail.attempts == 2
        assert [m.message["X-Siaga-Notification"] for m in smtp_server.received] == [str(mail.pk)]
        assert queue.counts()["failed"] == 0
    finally:
        workers.stop_all()


def test_a_worker_killed_mid_solve_loses_nothing_on_redis(government: Any, workers: Workers) -> None:
    plan = make_plan(government, 9, time_limit=12, employees=400)
    workers.start("w1")
    workers.start("w2")
    workers.wait_started()
    solve_plan.enqueue(plan.pk)

    def solving() -> bool:
        plan.refresh_from_db()
        return plan.status == RosterPlan.Status.SOLVING and plan.heartbeat_at is not None

    wait_for(solving, 60, "a worker to start the solve", workers)
    holder = next(name for name in ("w1", "w2") if "solve_plan" in workers.output(name))
    workers.kill(holder)
    killed_at = time.monotonic()

    def solved() -> bool:
        plan.refresh_from_db()
        return not plan.running

    wait_for(solved, 120, "the other worker to finish the plan", workers)
    assert_plan_passes_the_checker(plan)
    assert plan.attempt == 2
    print(f"\nRQ kill drill: plan finished {time.monotonic() - killed_at:.1f} s after the kill of {holder}")

    # the metrics endpoint reads the Redis queue too
    response = Client().get("/metrics")
    assert response.status_code == 200
    assert 'siaga_tasks{status="ready"} 0.0' in response.content.decode()
