"""``siaga worker``: run background tasks from the database queue, plus the periodic jobs."""

from __future__ import annotations

import threading
from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from siaga.core.schedule import start_scheduler


class Command(DbWorkerCommand):
    help = "Run Siaga's background worker: queued tasks and periodic jobs."

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--no-periodic", action="store_false", dest="periodic", help="Do not run the periodic jobs."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        periodic = options.pop("periodic", True)
        stop = threading.Event()
        if periodic and not options.get("batch"):
            start_scheduler(stop)
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
