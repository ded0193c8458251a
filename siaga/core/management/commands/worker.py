"""``siaga worker``: run background tasks from the database queue, plus the periodic jobs."""

from __future__ import annotations

import os
import signal
import threading
import time
from typing import Any

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

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
            super().handle(*args, **options)
        finally:
            stop.set()
            if threading.current_thread() is threading.main_thread():
                for number, handler in previous.items():
                    signal.signal(number, handler)
