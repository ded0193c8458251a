"""Reads of the daily follow-up: the person's own check, the task force's follow-up table of a case and the
list of who has not answered today. Health data: every read is audit-logged."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from siaga.core.access import Actor, Perm
from siaga.outbreak.followup import _deadline, followed_case, missing_cases
from siaga.outbreak.models import Case, Order, SymptomCheck
from siaga.outbreak.selectors import _log_read


@dataclass(frozen=True)
class FollowUpDay:
    date: dt.date
    #: "answered", "missed" or "pending" (today, before the deadline)
    status: str
    check: SymptomCheck | None


@dataclass(frozen=True)
class FollowUp:
    days: list[FollowUpDay]

    @property
    def answered(self) -> int:
        return sum(d.status == "answered" for d in self.days)

    @property
    def missed(self) -> int:
        return sum(d.status == "missed" for d in self.days)

    @property
    def with_symptoms(self) -> int:
        return sum(1 for d in self.days if d.check is not None and d.check.has_symptoms)


def _require_task_force(actor: Actor) -> None:
    if not actor.is_authenticated or not actor.has_perm(Perm.VIEW_HEALTH):
        raise PermissionDenied(Perm.VIEW_HEALTH)


def _local_now(actor: Actor) -> dt.datetime:
    return timezone.localtime(timezone.now(), actor.tenant.tzinfo)


def my_followup(*, actor: Actor, ip_address: str | None = None) -> tuple[Case | None, SymptomCheck | None]:
    """The person's case under an order in force today and today's answer (if any); logged."""
    if not actor.is_authenticated or not actor.employee_id:
        raise PermissionDenied("employee")
    today = _local_now(actor).date()
    case = followed_case(employee_id=actor.employee_id, on=today)
    if case is None or case.government_id != actor.government_id:
        return None, None
    _log_read(actor, object_id=str(case.pk), object_repr=f"own follow-up of case #{case.pk}", ip_address=ip_address)
    return case, SymptomCheck.objects.filter(case=case, date=today).first()


def followup_table(*, actor: Actor, case: Case, ip_address: str | None = None, log: bool = True) -> FollowUp:
    """Each day the case was under an order in force, up to today: answered, missed, or pending (today,
    before ``SYMPTOM_CHECK_DEADLINE``), with the answers. The task force only (``log`` False: part of the case
    page, whose read is logged already)."""
    _require_task_force(actor)
    if case.government_id != actor.government_id:
        raise Http404
    now = _local_now(actor)
    today = now.date()
    checks = {c.date: c for c in SymptomCheck.objects.filter(case=case)}
    days: set[dt.date] = set()
    for order in Order.objects.filter(case=case):
        end = min(order.end, today)
        if order.status == Order.Status.LIFTED and order.lifted_at is not None:
            end = min(end, timezone.localtime(order.lifted_at, actor.tenant.tzinfo).date())
        day = order.start
        while day <= end:
            days.add(day)
            day += dt.timedelta(days=1)
    days |= set(checks)
    rows = []
    for day in sorted(days, reverse=True):
        check = checks.get(day)
        if check is not None:
            status = "answered"
        elif day < today or now.time() >= _deadline():
            status = "missed"
        else:
            status = "pending"
        rows.append(FollowUpDay(day, status, check))
    if log:
        _log_read(actor, object_id=str(case.pk), object_repr=f"follow-up of case #{case.pk}", ip_address=ip_address)
    return FollowUp(rows)


def not_reported_today(*, actor: Actor, ip_address: str | None = None) -> tuple[dt.date, list[Case]]:
    """The page "Belum lapor hari ini": the people under an order in force today who have not answered; logged."""
    _require_task_force(actor)
    today = _local_now(actor).date()
    cases = missing_cases(actor.government_id, today)
    _log_read(
        actor, object_id="followup-missing", object_repr=f"not reported on {today.isoformat()}", ip_address=ip_address
    )
    return today, cases
