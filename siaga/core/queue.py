"""What the task queue holds, whichever backend carries it (docs/scale.md "Queue backends").

Siaga enqueues through django-tasks only; this module is the one place that looks *into* the queue, for
the health check, the metrics, the outbox's requeue and the recovery of lost workers:

- ``database``: django-tasks-db, the queue is the ``DBTaskResult`` table (the default; one database);
- ``redis``: django-tasks-rq, RQ queues on a Redis server (``REDIS_URL``), for many worker hosts;
- ``immediate``: tasks run inside the request (development and a few tests); nothing waits.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.conf import settings
from django.db.models import Count, Min
from django.utils import timezone

DATABASE_BACKEND = "django_tasks_db.DatabaseBackend"
REDIS_BACKEND = "django_tasks_rq.RQBackend"
IMMEDIATE_BACKEND = "django_tasks.backends.immediate.ImmediateBackend"
BACKENDS = (DATABASE_BACKEND, REDIS_BACKEND, IMMEDIATE_BACKEND)

DATE_MAX = dt.datetime(9999, 1, 1, tzinfo=dt.UTC)  # django-tasks-db's "run as soon as possible"

Kind = Literal["database", "redis", "immediate"]

#: queue statuses reported by ``counts`` (django-tasks' TaskResultStatus values, lower case)
STATUSES = ("ready", "running", "successful", "failed")


def kind() -> Kind:
    backend = settings.TASKS["default"]["BACKEND"]
    if backend == DATABASE_BACKEND:
        return "database"
    if backend == REDIS_BACKEND:
        return "redis"
    return "immediate"


def queue_names() -> list[str]:
    return sorted(settings.TASKS["default"].get("QUEUES") or ["default"])


def _rq_queues() -> list[Any]:
    import django_rq
    from django_tasks_rq.backend import Job

    return [django_rq.get_queue(name, job_class=Job) for name in queue_names()]


def not_before(at: dt.datetime) -> dt.datetime:
    """The ``run_after`` that makes a deferred task run at ``at`` and not earlier: RQ's scheduler keeps
    whole seconds (it truncates the time), so it is rounded up there."""
    if kind() == "redis" and at.microsecond:
        return at.replace(microsecond=0) + dt.timedelta(seconds=1)
    return at


def oldest_due_age(now: dt.datetime | None = None) -> float | None:
    """Seconds the oldest task that is due to run has been waiting, or None when none is waiting.
    Raises when the queue cannot be read (database or Redis down): the health check says so."""
    now = now or timezone.now()
    current = kind()
    if current == "database":
        from django_tasks.base import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        ready = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
        asap = ready.filter(run_after=DATE_MAX).aggregate(at=Min("enqueued_at"))["at"]
        scheduled = ready.filter(run_after__lte=now).aggregate(at=Min("run_after"))["at"]
        since = min((t for t in (asap, scheduled) if t is not None), default=None)
    elif current == "redis":
        from rq.registry import ScheduledJobRegistry

        times: list[dt.datetime] = []
        for queue in _rq_queues():
            # a queue is a FIFO list: its head is its oldest entry (a task at the front is urgent, and
            # was enqueued last; its own time is what counts, so look at the few first entries)
            for job in queue.get_jobs(0, 9):
                if job.enqueued_at is not None:
                    times.append(job.enqueued_at.replace(tzinfo=dt.UTC))
            # deferred tasks whose time has come but that no scheduler moved to the queue yet
            registry = ScheduledJobRegistry(queue=queue)
            due = registry.get_job_ids(0, 0)
            if due:
                at = registry.get_scheduled_time(due[0])
                if at is not None and at.replace(tzinfo=dt.UTC) <= now:
                    times.append(at.replace(tzinfo=dt.UTC))
        since = min(times, default=None)
    else:
        return None
    return None if since is None else max(0.0, (now - since).total_seconds())


def counts() -> dict[str, int]:
    """Tasks in the queue by status (``STATUSES``); zeros for the immediate backend."""
    current = kind()
    if current == "database":
        from django_tasks_db.models import DBTaskResult

        by_status = dict(DBTaskResult.objects.values_list("status").annotate(n=Count("pk")).order_by())
        return {status: by_status.get(status.upper(), 0) for status in STATUSES}
    if current == "redis":
        totals = dict.fromkeys(STATUSES, 0)
        for queue in _rq_queues():
            totals["ready"] += queue.count + queue.scheduled_job_registry.count + queue.deferred_job_registry.count
            totals["running"] += queue.started_job_registry.count
            totals["successful"] += queue.finished_job_registry.count
            totals["failed"] += queue.failed_job_registry.count
        return totals
    return dict.fromkeys(STATUSES, 0)


def waiting_first_args(task_path: str) -> set[Any]:
    """The first argument of every entry of ``task_path`` that waits in the queue (not yet started)."""
    current = kind()
    if current == "database":
        from django_tasks.base import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        waiting = DBTaskResult.objects.filter(
            status=TaskResultStatus.READY, task_path=task_path, backend_name="default"
        ).values_list("args_kwargs", flat=True)
        return {entry["args"][0] for entry in waiting if entry.get("args")}
    if current == "redis":
        found: set[Any] = set()
        for queue in _rq_queues():
            ids = queue.get_job_ids() + queue.scheduled_job_registry.get_job_ids()
            for job in queue.job_class.fetch_many(ids, connection=queue.connection):
                if job is not None and job.func_name == task_path and job.args:
                    found.add(job.args[0])
        return found
    return set()


def mark_lost(task_path: str, first_arg: object, *, exception_class_path: str, traceback: str) -> int:
    """Record as failed the queue entries of ``task_path`` called with ``first_arg`` that are still shown
    running (their worker was lost and the caller has queued the work again). Returns how many.

    Only the database queue needs this: RQ's own registry cleanup moves a dead worker's job from
    *started* to *failed* once the worker's heartbeat has expired."""
    if kind() != "database":
        return 0
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, task_path=task_path, args_kwargs__args__0=first_arg
    ).update(
        status=TaskResultStatus.FAILED,
        finished_at=timezone.now(),
        exception_class_path=exception_class_path,
        traceback=traceback,
    )
