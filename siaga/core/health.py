"""``/healthz``: is this web process able to serve, and is the background work keeping up?

Answers ``200 {"status": "ok", ...}`` or ``503 {"status": "fail", "problems": [...]}``. No login, and
nothing secret in the answer: no host names, no error messages of the database driver (they are logged).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from siaga.core import queue

logger = logging.getLogger(__name__)


def uses_task_queue() -> bool:
    return queue.kind() != "immediate"


def oldest_due_task_age(now: dt.datetime | None = None) -> float | None:
    """Seconds the oldest task that is due to run has been waiting, or None when none is waiting."""
    return queue.oldest_due_age(now)


def check() -> tuple[bool, dict[str, Any]]:
    """Run the checks; (healthy, the JSON body)."""
    problems: list[str] = []
    checks: dict[str, Any] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = {"status": "ok"}
    except Exception as exc:  # any driver error means: cannot serve
        logger.error("health check: database unavailable: %s: %s", type(exc).__name__, exc)
        checks["database"] = {"status": "fail"}
        problems.append("database: not reachable")
    if not uses_task_queue():
        checks["tasks"] = {"status": "ok", "queue": "none (tasks run in the request)"}
    elif checks["database"]["status"] == "ok":
        limit = settings.HEALTH_TASK_MAX_AGE_SECONDS
        try:
            age = oldest_due_task_age()
        except Exception as exc:
            logger.error("health check: task queue unreadable: %s: %s", type(exc).__name__, exc)
            checks["tasks"] = {"status": "fail"}
            problems.append("tasks: the queue cannot be read")
        else:
            late = age is not None and age > limit
            checks["tasks"] = {
                "status": "fail" if late else "ok",
                "oldest_due_seconds": None if age is None else round(age),
                "limit_seconds": limit,
            }
            if late:
                problems.append(
                    f"tasks: the oldest due task has waited {round(age or 0)} s (limit {limit} s); "
                    "is the worker (siaga worker) running?"
                )
    else:
        checks["tasks"] = {"status": "unknown"}
    body: dict[str, Any] = {"status": "fail" if problems else "ok", "checks": checks}
    if problems:
        body["problems"] = problems
    return not problems, body


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    healthy, body = check()
    return JsonResponse(body, status=200 if healthy else 503)
