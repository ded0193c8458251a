"""``siaga worker``: run background tasks from the queue, plus the periodic jobs.

The queue is the database (django-tasks-db) by default, or RQ on Redis when ``TASKS_BACKEND`` names
django-tasks-rq (docs/scale.md "Queue backends"); the command, its options and its systemd unit are the
same for both."""

from __future__ import annotations

import os
import signal
import threading
import time
from argparse import ArgumentTypeError
from typing import Any

from django.core.management.base import CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from siaga.core import queue
from siaga.core.schedule import run_due_jobs, start_scheduler

_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGQUIT") if hasattr(signal, name))


class Command(DbWorkerCommand):
    help = (
        "Run Siaga's background worker: queued tasks (notifications, imports, solver runs) and the "
        "periodic jobs. With --batch it runs the periodic jobs once, drains the queue and exits."
    )

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--no-periodic", action="store_false", dest="periodic", help="Do not run the periodic jobs."
        )
        if queue.kind() == "redis":
            # the database worker's --backend accepts database backends only; on Redis it names the alias
            for action in parser._actions:
                if action.dest == "backend_name":
                    action.type = _task_backend_alias

    def handle(self, *args: Any, **options: Any) -> None:
        periodic = options.pop("periodic", True)
        stop = threading.Event()
        if periodic:
            if options.get("batch"):
                # A batch run (cron, tests) still recovers lost queue entries before draining the queue.
                run_due_jobs({}, time.monotonic())
            elif not options.get("reload") or os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                # With --reload only the child process that runs tasks runs the jobs, not the watcher.
                start_scheduler(stop)
        # The queue worker installs its own SIGINT/SIGTERM handlers; put the previous ones back when
        # it returns, so a caller (a test, a shell) is not left with handlers of a finished worker.
        previous = {number: signal.getsignal(number) for number in _SIGNALS}
        try:
            if queue.kind() == "redis":
                self.work_on_redis(**options)
            else:
                super().handle(*args, **options)
        finally:
            stop.set()
            if threading.current_thread() is threading.main_thread():
                for number, handler in previous.items():
                    signal.signal(number, handler)

    def work_on_redis(
        self, *, queue_name: str, batch: bool, worker_id: str, max_tasks: int | None, verbosity: int, **_: Any
    ) -> None:
        """Run the tasks of RQ queues on Redis in this process, one at a time, as the database worker does:
        ``SimpleWorker`` does not fork, so a SIGKILL ends the task with its worker (the leases recover the
        work) and the periodic jobs' thread shares no connection with a forked child. RQ's scheduler moves
        deferred tasks (a notification's retry) to their queue when due."""
        import django_rq
        from django.db import connections
        from django_tasks.signals import task_finished, task_started
        from django_tasks_rq.backend import Job
        from rq.worker import SimpleWorker

        names = queue.queue_names() if queue_name == "*" else queue_name.split(",")
        unknown = sorted(set(names) - set(queue.queue_names()))
        if unknown:
            known = ", ".join(queue.queue_names())
            raise CommandError(f"Unknown queue(s) {', '.join(unknown)}: the queues are {known}.")
        # like a request, a task starts and ends without a connection the database may have dropped
        task_started.connect(_close_old_connections, dispatch_uid="siaga-rq-task-started")
        task_finished.connect(_close_old_connections, dispatch_uid="siaga-rq-task-finished")
        worker = django_rq.get_worker(
            *names,
            job_class=Job,
            worker_class=SimpleWorker,  # type: ignore[arg-type]  # a BaseWorker like Worker, without fork
            name=worker_id or None,
        )
        connections.close_all()
        level = "DEBUG" if verbosity >= 2 else "WARNING" if verbosity == 0 else "INFO"
        self.stdout.write(f"Starting RQ worker worker_id={worker.name} queues={','.join(names)}")
        self.stdout.flush()
        worker.work(burst=batch, with_scheduler=True, logging_level=level, max_jobs=max_tasks)


def _task_backend_alias(value: str) -> str:
    from django.conf import settings

    if value not in settings.TASKS:
        raise ArgumentTypeError(f"No task backend {value!r}: the backends are {', '.join(settings.TASKS)}.")
    return value


def _close_old_connections(**_: Any) -> None:
    from django.db import close_old_connections

    close_old_connections()
