"""Background tasks of the rostering app. Each is idempotent."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from siaga.core.recovery import fail_lost_task_rows, lease_cutoff
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
    """Solve a queued plan with the roster engine, writing progress for the live bar and renewing the
    plan's lease (``heartbeat_at``) every TASK_HEARTBEAT_SECONDS from a thread of its own."""
    with transaction.atomic():
        plan = RosterPlan.objects.select_for_update().filter(pk=plan_id).first()
        if plan is None or plan.status != RosterPlan.Status.QUEUED:
            return "skipped"
        plan.status = RosterPlan.Status.SOLVING
        plan.attempt += 1
        plan.heartbeat_at = timezone.now()
        plan.save(update_fields=["status", "attempt", "heartbeat_at"])
    # This run owns the plan while the plan's attempt is its own: a run whose worker was presumed lost
    # (plans_recover) and that still goes on writes nothing.
    mine = RosterPlan.objects.filter(pk=plan_id, status=RosterPlan.Status.SOLVING, attempt=plan.attempt)
    stop_heartbeat = threading.Event()
    heartbeat = threading.Thread(target=_heartbeat, args=(mine, stop_heartbeat), name="siaga-plan-heartbeat")
    heartbeat.start()
    try:
        return _solve(plan, mine)
    finally:
        stop_heartbeat.set()
        heartbeat.join()


def _heartbeat(mine: Any, stop: threading.Event) -> None:
    """Renew the plan's lease every TASK_HEARTBEAT_SECONDS until the solve ends (or the process dies)."""
    try:
        while not stop.wait(settings.TASK_HEARTBEAT_SECONDS):
            try:
                if not mine.update(heartbeat_at=timezone.now()):
                    return  # the plan was finished, cancelled or taken over
            except DatabaseError:  # the database is restarting: try again at the next beat
                logger.warning("roster plan heartbeat failed", exc_info=True)
                connections.close_all()
    finally:
        connections.close_all()


def _solve(plan: RosterPlan, mine: Any) -> str:
    from siaga.engines.roster.solve import Progress, solve
    from siaga.engines.roster.types import parse_problem
    from siaga.rostering.services import plan_store_result

    plan_id = plan.pk
    points: list[list[float | None]] = []
    last = {"progress": 0.0, "cancel": 0.0, "stop": False}

    def on_progress(p: Progress) -> None:
        now = time.monotonic()
        if p.done or now - last["progress"] >= PROGRESS_EVERY:
            last["progress"] = now
            points.append([round(p.elapsed, 2), p.total, p.bound])
            mine.update(progress=points, heartbeat_at=timezone.now())
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
        mine.update(status=RosterPlan.Status.FAILED, error=f"{type(exc).__name__}: {exc}", finished_at=timezone.now())
        return "failed"
    with transaction.atomic():
        plan = mine.select_for_update().first()
        if plan is None:
            logger.warning("roster plan %s was taken over after a lost heartbeat; this result is dropped", plan_id)
            return "superseded"
        if not result.assignments and plan.cancel_requested and result.status != "infeasible":
            mine.update(status=RosterPlan.Status.CANCELLED, finished_at=timezone.now())
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


def plans_recover() -> int:
    """Queue again the plans left SOLVING by a lost worker (a heartbeat older than TASK_HEARTBEAT_TIMEOUT).

    The engine reports only totals while it solves, not the assignments of its best plan, so there is
    no partial solution to resume from: the plan is solved again from the start, with its full time
    limit (its problem is unchanged). The lost run's queue row is marked failed. Idempotent and safe on
    several workers at once (rows locked, locked rows skipped). Returns how many plans were queued."""
    from siaga.core.services import audit_record

    requeued: list[int] = []
    with transaction.atomic():
        stale = (
            RosterPlan.objects.select_for_update(skip_locked=True)
            .filter(status=RosterPlan.Status.SOLVING)
            .filter(models.Q(heartbeat_at__lt=lease_cutoff()) | models.Q(heartbeat_at__isnull=True))
            .order_by("pk")
        )
        for plan in stale:
            fail_lost_task_rows(SOLVE_TASK_PATH, plan.pk)
            plan.status = RosterPlan.Status.QUEUED
            plan.progress = []
            plan.heartbeat_at = None
            plan.save(update_fields=["status", "progress", "heartbeat_at"])
            audit_record(
                actor=None,
                government=plan.government_id,
                action="update",
                obj=plan,
                changes={"status": "queued again after its worker was lost", "attempt": plan.attempt},
            )
            logger.warning("roster plan %s: worker lost during attempt %s; queued again", plan.pk, plan.attempt)
            requeued.append(plan.pk)
        if requeued:
            transaction.on_commit(lambda: [solve_plan.enqueue(pk) for pk in requeued])
    return len(requeued)


SOLVE_TASK_PATH = "siaga.rostering.tasks.solve_plan"
