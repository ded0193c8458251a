"""Background tasks of the rostering app. Each is idempotent."""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.db import connections, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from siaga.rostering.models import RosterAssignment, RosterPlan

logger = logging.getLogger(__name__)
PROGRESS_EVERY = 1.0  # seconds between progress writes and cancel checks


def _release_thread_connection() -> None:
    """The solver calls back from its own threads; each opens a database connection that nothing
    else would close."""
    if threading.current_thread() is not threading.main_thread():
        connections.close_all()


@task()
def solve_plan(plan_id: int) -> str:
    """Solve a queued plan with the roster engine, writing progress for the live bar."""
    from siaga.engines.roster.solve import Progress, solve
    from siaga.engines.roster.types import parse_problem
    from siaga.rostering.services import plan_store_result

    with transaction.atomic():
        plan = RosterPlan.objects.select_for_update().filter(pk=plan_id).first()
        if plan is None or plan.status != RosterPlan.Status.QUEUED:
            return "skipped"
        plan.status = RosterPlan.Status.SOLVING
        plan.save(update_fields=["status"])
    points: list[list[float | None]] = []
    last = {"progress": 0.0, "cancel": 0.0, "stop": False}

    def on_progress(p: Progress) -> None:
        now = time.monotonic()
        if p.done or now - last["progress"] >= PROGRESS_EVERY:
            last["progress"] = now
            points.append([round(p.elapsed, 2), p.total, p.bound])
            RosterPlan.objects.filter(pk=plan_id).update(progress=points)
            _release_thread_connection()

    def should_stop() -> bool:
        now = time.monotonic()
        if now - last["cancel"] >= PROGRESS_EVERY:
            last["cancel"] = now
            last["stop"] = RosterPlan.objects.filter(pk=plan_id, cancel_requested=True).exists()
            _release_thread_connection()
        return bool(last["stop"])

    try:
        result = solve(
            parse_problem(plan.problem),
            time_limit=plan.time_limit,
            workers=settings.ROSTER_WORKERS,
            seed=0,
            on_progress=on_progress,
            should_stop=should_stop,
        )
    except Exception as exc:
        logger.exception("roster plan %s failed", plan_id)
        RosterPlan.objects.filter(pk=plan_id).update(
            status=RosterPlan.Status.FAILED, error=f"{type(exc).__name__}: {exc}", finished_at=timezone.now()
        )
        return "failed"
    plan.refresh_from_db()
    if not result.assignments and plan.cancel_requested and result.status != "infeasible":
        RosterPlan.objects.filter(pk=plan_id).update(status=RosterPlan.Status.CANCELLED, finished_at=timezone.now())
        return "cancelled"
    plan_store_result(plan=plan, result=result)
    if plan.replaces_id is not None:  # a replan after an absence: publish it and tell who changed
        replan_finish.enqueue(plan.pk)
    return plan.status


@task()
def notify_plan_published(plan_id: int) -> int:
    """Tell everyone in a published plan that their schedule is ready (once per plan)."""
    from siaga.core.models import Notification
    from siaga.core.services import notify

    plan = RosterPlan.objects.filter(pk=plan_id, status=RosterPlan.Status.PUBLISHED).first()
    if plan is None:
        return 0
    link = f"{settings.BASE_URL}{reverse('rostering:my_schedule')}"
    subject = _("Your work schedule %(start)s – %(end)s") % {
        "start": plan.start.strftime("%d-%m-%Y"),
        "end": plan.end.strftime("%d-%m-%Y"),
    }
    users = (
        RosterAssignment.objects.filter(plan=plan, employee__user__isnull=False, employee__user__is_active=True)
        .values_list("employee__user", flat=True)
        .distinct()
    )
    already = set(
        Notification.objects.filter(
            government_id=plan.government_id, subject=subject, link=link, channel=Notification.Channel.IN_APP
        ).values_list("recipient_id", flat=True)
    )
    from django.contrib.auth import get_user_model

    sent = 0
    for user in get_user_model().objects.filter(pk__in=list(users)).exclude(pk__in=already).iterator():
        notify(
            user=user,
            government=plan.government,
            subject=subject,
            link=link,
            body=_(
                "The roster has been published. Open “My schedule” to see on which days you work at the office "
                "and in which shift, and on which days you work from home."
            ),
        )
        sent += 1
    return sent


@task()
def replan_finish(plan_id: int) -> str:
    """Publish a solved replan in place of the plan it replaces and notify whose days changed."""
    from siaga.rostering.services import replan_publish

    plan = RosterPlan.objects.filter(pk=plan_id, replaces__isnull=False).first()
    if plan is None:
        return "skipped"
    return replan_publish(plan=plan)
