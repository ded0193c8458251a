"""Periodic jobs run by ``siaga worker``: each is a plain function and runs every ``interval``.

Later apps append their jobs (presence purge, reminders, escalations) to ``PERIODIC_JOBS``. Jobs
must be idempotent: several workers may run them.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import close_old_connections

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    interval: dt.timedelta
    run: Callable[[], object]


def _requeue() -> object:
    from siaga.core.tasks import requeue_due_notifications

    return requeue_due_notifications()


PERIODIC_JOBS: list[PeriodicJob] = [
    PeriodicJob("requeue-due-notifications", dt.timedelta(minutes=1), _requeue),
]


def run_due_jobs(last_run: dict[str, float], now: float) -> list[str]:
    """Run every job that has not run yet or whose interval has passed since its last run; return
    the names of those that succeeded. ``now`` and ``last_run`` are ``time.monotonic()`` seconds.

    A job that fails is logged and tried again after its interval, not at every tick.
    """
    ran = []
    for job in PERIODIC_JOBS:
        if job.name not in last_run or now - last_run[job.name] >= job.interval.total_seconds():
            last_run[job.name] = now
            try:
                job.run()
                ran.append(job.name)
            except Exception:
                logger.exception("periodic job %s failed", job.name)
    return ran


def start_scheduler(stop: threading.Event, tick: float = 5.0) -> threading.Thread:
    """A daemon thread that runs due periodic jobs until ``stop`` is set."""

    def loop() -> None:
        last_run: dict[str, float] = {}
        while not stop.is_set():
            close_old_connections()
            run_due_jobs(last_run, time.monotonic())
            close_old_connections()
            stop.wait(tick)

    thread = threading.Thread(target=loop, name="siaga-scheduler", daemon=True)
    thread.start()
    return thread


# attendance: presence intervals older than PRESENCE_RETENTION_DAYS are deleted.
def _presence_purge() -> object:
    from siaga.attendance.services import presence_purge

    return presence_purge()


PERIODIC_JOBS.append(PeriodicJob("presence-purge", dt.timedelta(hours=1), _presence_purge))


# Meetings app: postpone mass events that fall under a ban on mass gatherings (idempotent).
def _events_apply_policy() -> object:
    from siaga.meetings.services import events_apply_policy_all

    return events_apply_policy_all()


PERIODIC_JOBS.append(PeriodicJob("events-apply-policy", dt.timedelta(minutes=15), _events_apply_policy))


# workday: evening reminder of missing work reports, escalation of unanswered recalls


def _work_report_reminders() -> object:
    from siaga.workday.services import work_report_reminders_send

    return work_report_reminders_send()


def _recall_escalations() -> object:
    from siaga.workday.services import recall_escalate_due

    return recall_escalate_due()


PERIODIC_JOBS += [
    PeriodicJob("work-report-reminders", dt.timedelta(minutes=10), _work_report_reminders),
    PeriodicJob("recall-escalations", dt.timedelta(minutes=1), _recall_escalations),
]


# outbreak: the task force is told who has not answered the daily symptom check (after SYMPTOM_CHECK_DEADLINE),
# and closed cases older than HEALTH_DATA_RETENTION_DAYS are anonymised (both idempotent).
def _symptom_checks_missed() -> object:
    from siaga.outbreak.followup import missed_checks_alert

    return missed_checks_alert()


def _health_data_anonymise() -> object:
    from siaga.outbreak.followup import anonymise_closed_cases

    return anonymise_closed_cases()


PERIODIC_JOBS += [
    PeriodicJob("symptom-checks-missed", dt.timedelta(minutes=10), _symptom_checks_missed),
    PeriodicJob("health-data-anonymise", dt.timedelta(hours=6), _health_data_anonymise),
]

# measures: rosters follow the building measures (the day one starts or ends); overdue disinfection alerts


def _measures_roster_sync() -> object:
    from siaga.measures.services import roster_sync_all

    return roster_sync_all()


def _measure_replans_finish() -> object:
    from siaga.measures.services import measure_replans_finish

    return measure_replans_finish()


def _disinfection_overdue_alert() -> object:
    from siaga.measures.services import disinfection_overdue_alert

    return disinfection_overdue_alert()


PERIODIC_JOBS += [
    PeriodicJob("measures-roster-sync", dt.timedelta(minutes=15), _measures_roster_sync),
    PeriodicJob("measures-replans-finish", dt.timedelta(minutes=1), _measure_replans_finish),
    PeriodicJob("disinfection-overdue-alert", dt.timedelta(hours=1), _disinfection_overdue_alert),
]


# services: new applications go to the least loaded available officer; the open work of officers who are
# unavailable today is handed over (safety net of the absence hook); time-limit warnings (all idempotent)


def _services_auto_assign() -> object:
    from siaga.services.services_office import auto_assign_new

    return auto_assign_new()


def _services_reassign_unavailable() -> object:
    from siaga.services.services_office import reassign_unavailable_all

    return reassign_unavailable_all()


def _services_sla_warnings() -> object:
    from siaga.services.services_office import sla_warnings_send

    return sla_warnings_send()


PERIODIC_JOBS += [
    PeriodicJob("services-auto-assign", dt.timedelta(minutes=2), _services_auto_assign),
    PeriodicJob("services-reassign-unavailable", dt.timedelta(minutes=30), _services_reassign_unavailable),
    PeriodicJob("services-sla-warnings", dt.timedelta(hours=1), _services_sla_warnings),
]


# delivery: KTP-el recording appointment reminders, the day before


def _appointment_reminders() -> object:
    from siaga.delivery.services import appointment_reminders

    return appointment_reminders()


PERIODIC_JOBS += [
    PeriodicJob("appointment-reminders", dt.timedelta(hours=1), _appointment_reminders),
]


# services (portal): one-time codes are removed from the outbox messages once sent, used or expired


def _portal_code_messages_blank() -> object:
    from siaga.services.services_portal import code_messages_blank

    return code_messages_blank()


PERIODIC_JOBS += [
    PeriodicJob("portal-code-messages-blank", dt.timedelta(minutes=5), _portal_code_messages_blank),
]


# command: the daily situation report, e-mailed to its subscribers from COMMAND_REPORT_HOUR (each
# government's local time), once a day each; unsent reports are retried with the outbox's backoff.
def _command_reports() -> object:
    from siaga.command.services import daily_reports

    return daily_reports()


PERIODIC_JOBS.append(PeriodicJob("command-daily-report", dt.timedelta(minutes=5), _command_reports))


# --- rate limits --------------------------------------------------------------------------------------


def _rate_counters_purge() -> object:
    from siaga.core.ratelimit import purge

    return purge()


PERIODIC_JOBS.append(PeriodicJob("rate-counters-purge", dt.timedelta(minutes=30), _rate_counters_purge))


# core: month partitions of presence and the audit log on PostgreSQL (siaga/core/partitions.py): the months
# ahead are created, rows waiting in the default partition moved into them, expired months dropped.
def _partitions() -> object:
    from siaga.core.partitions import run_daily

    return run_daily()


PERIODIC_JOBS.append(PeriodicJob("partitions", dt.timedelta(days=1), _partitions))


# workers: roster solves and signing-batch items whose worker was lost (a lease older than
# TASK_HEARTBEAT_TIMEOUT) are queued again, and the lost runs' queue rows marked failed (docs/reliability.md).
# Safe on every worker at once: the rows are locked with SKIP LOCKED and re-checked.
def _roster_plans_recover() -> object:
    from siaga.rostering.tasks import plans_recover

    return plans_recover()


def _signing_items_recover() -> object:
    from siaga.services.batch_signing import items_recover

    return items_recover()


PERIODIC_JOBS += [
    PeriodicJob("roster-plans-recover", dt.timedelta(seconds=10), _roster_plans_recover),
    PeriodicJob("signing-items-recover", dt.timedelta(seconds=10), _signing_items_recover),
]
