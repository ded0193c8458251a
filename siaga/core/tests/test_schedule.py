"""Periodic jobs of ``siaga worker``: each runs once per interval, a failing one stops no other."""

from __future__ import annotations

import datetime as dt
import logging
import threading

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from siaga.core import schedule
from siaga.core.models import Notification
from siaga.core.schedule import PeriodicJob, run_due_jobs, start_scheduler
from siaga.core.services import notify


@pytest.fixture
def runs(monkeypatch):
    """Two jobs, every minute and every hour, that record when they ran."""
    log: list[str] = []
    monkeypatch.setattr(
        schedule,
        "PERIODIC_JOBS",
        [
            PeriodicJob("minutely", dt.timedelta(minutes=1), lambda: log.append("minutely")),
            PeriodicJob("hourly", dt.timedelta(hours=1), lambda: log.append("hourly")),
        ],
    )
    return log


def test_every_job_runs_at_the_first_tick_even_right_after_boot(runs):
    # time.monotonic() counts from boot, so it can be smaller than a job's interval.
    assert run_due_jobs({}, 5.0) == ["minutely", "hourly"]
    assert runs == ["minutely", "hourly"]


def test_a_job_runs_once_per_interval(runs):
    last_run: dict[str, float] = {}
    ticks = [1000.0 + 5 * n for n in range(25)]  # every five seconds for two minutes
    ran = [name for now in ticks for name in run_due_jobs(last_run, now)]
    assert ran == ["minutely", "hourly", "minutely", "minutely"]
    assert last_run == {"minutely": 1120.0, "hourly": 1000.0}


def test_the_hourly_job_runs_again_after_an_hour(runs):
    last_run: dict[str, float] = {}
    run_due_jobs(last_run, 1000.0)
    assert run_due_jobs(last_run, 1000.0 + 3599) == ["minutely"]
    assert run_due_jobs(last_run, 1000.0 + 3600) == ["hourly"]


def test_a_failing_job_is_logged_does_not_stop_the_others_and_waits_its_interval(monkeypatch, caplog):
    calls: list[str] = []

    def broken() -> None:
        calls.append("broken")
        raise RuntimeError("database is down")

    monkeypatch.setattr(
        schedule,
        "PERIODIC_JOBS",
        [
            PeriodicJob("broken", dt.timedelta(minutes=1), broken),
            PeriodicJob("fine", dt.timedelta(minutes=1), lambda: calls.append("fine")),
        ],
    )
    last_run: dict[str, float] = {}
    with caplog.at_level(logging.ERROR, logger="siaga.core.schedule"):
        assert run_due_jobs(last_run, 100.0) == ["fine"]
        assert run_due_jobs(last_run, 105.0) == []
    assert calls == ["broken", "fine"]
    assert [record.getMessage() for record in caplog.records] == ["periodic job broken failed"]


def test_the_scheduler_thread_runs_jobs_until_it_is_stopped(monkeypatch):
    ran = threading.Event()
    monkeypatch.setattr(schedule, "PERIODIC_JOBS", [PeriodicJob("signal", dt.timedelta(hours=1), ran.set)])
    stop = threading.Event()
    thread = start_scheduler(stop, tick=0.01)
    assert ran.wait(5) is True
    stop.set()
    thread.join(5)
    assert (thread.is_alive(), thread.daemon, thread.name) == (False, True, "siaga-scheduler")


def test_the_requeue_of_due_notifications_is_a_periodic_job_every_minute():
    job = next(job for job in schedule.PERIODIC_JOBS if job.name == "requeue-due-notifications")
    assert job.interval == dt.timedelta(minutes=1)


def test_the_requeue_job_enqueues_a_due_message_that_has_no_queue_entry(org):
    _in_app, mail = notify(
        user=org["users"]["staff"], government=org["government"], subject="Rapat", body="Rapat pukul 09.00"
    )
    Notification.objects.filter(pk=mail.pk).update(next_attempt_at=timezone.now())
    job = next(job for job in schedule.PERIODIC_JOBS if job.name == "requeue-due-notifications")
    assert job.run() == 1
    entry = DBTaskResult.objects.get()
    assert (entry.args_kwargs, entry.status) == ({"args": [mail.pk], "kwargs": {}}, TaskResultStatus.READY)
