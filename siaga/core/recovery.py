"""Recovery from lost workers: the helpers the periodic recovery jobs share (docs/reliability.md).

A worker killed with SIGKILL, or whose host is lost, leaves the rows it had claimed as it left them:
the database queue's ``DBTaskResult`` stays RUNNING and the work it was doing (a roster solve, a
signing-batch item) stays claimed. Each kind of work keeps a lease (a heartbeat or a claim time); the
app's recovery job requeues work whose lease is older than ``TASK_HEARTBEAT_TIMEOUT`` and calls
``fail_lost_task_rows`` so the queue shows the lost run as failed instead of running for ever.
"""

from __future__ import annotations

import datetime as dt
import os
import socket

from django.conf import settings
from django.utils import timezone

#: the exception class path written on task rows whose worker was lost
WORKER_LOST = "siaga.core.recovery.WorkerLost"


class WorkerLost(Exception):
    """The worker running a task stopped without finishing it (killed, or its host lost)."""


def worker_name() -> str:
    """This process, as recorded on the work it claims: host:pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


def lease_cutoff(now: dt.datetime | None = None) -> dt.datetime:
    """Leases renewed before this moment belong to workers presumed dead."""
    return (now or timezone.now()) - dt.timedelta(seconds=settings.TASK_HEARTBEAT_TIMEOUT)


def fail_lost_task_rows(task_path: str, first_arg: object) -> int:
    """Mark the queue's RUNNING entries of ``task_path`` called with ``first_arg`` as failed (their worker
    was lost; the caller has queued the work again). Returns how many entries were marked."""
    from siaga.core import queue

    return queue.mark_lost(
        task_path,
        first_arg,
        exception_class_path=WORKER_LOST,
        traceback="The worker running this task stopped (killed or its host lost); the work was queued again.\n",
    )
