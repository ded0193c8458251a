"""Writes of the workday app: validated, atomic and audit-logged.

Decisions lock the row (``select_for_update``) so that two approvers acting at once produce one
decision; the second is told who decided. Authority comes from ``siaga.org.authority.can_act`` on the
day of the decision, so a Plh whose delegation has ended is refused.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from siaga.core.models import Government
from siaga.core.services import audit_record, notify
from siaga.org.authority import Action, Authority, can_act
from siaga.org.models import Delegation, Employee, Unit
from siaga.workday.models import Recall, TravelPermit, WorkReport, WorkReportLine, WorkReportReminder

MAX_LINES = 30
MAX_DAY_MINUTES = 24 * 60
MAX_TRAVEL_DAYS = 90


def _d(day: dt.date) -> str:
    return day.strftime("%d-%m-%Y")


def _employee_of(user: Any, government_id: int) -> Employee | None:
    if getattr(user, "pk", None) is None:
        return None
    return (
        Employee.objects.filter(user=user, government_id=government_id, is_active=True)
        .select_related("position__unit", "unit")
        .first()
    )


def decision_unit(employee: Employee) -> Unit | None:
    """The unit whose head decides for ``employee``: their own unit, or the unit above when they head it."""
    unit = employee.unit
    position = employee.position
    if position is not None and position.is_head and position.unit_id == unit.pk:
        return unit.parent
    return unit


def _authority(
    *, user: Any, employee: Employee, action: Action, on: dt.date | None = None
) -> tuple[Employee, Authority]:
    """The deciding employee behind ``user`` and their authority over ``employee``; 403 otherwise."""
    decider = _employee_of(user, employee.government_id)
    if decider is None:
        raise PermissionDenied(_("Only the head of the unit or their Plh/Plt may decide."))
    if decider.pk == employee.pk:
        raise PermissionDenied(_("Nobody decides on their own request; the head above you does."))
    unit = decision_unit(employee)
    if unit is None:
        raise PermissionDenied(_("%(name)s has no head above them in Siaga.") % {"name": employee.name})
    authority = can_act(decider, action, unit, on=on or timezone.localdate())
    if not authority:
        raise PermissionDenied(authority.reason)
    return decider, authority


def deciders_of(employee: Employee, *, on: dt.date | None = None) -> list[Any]:
    """Users who decide for ``employee`` today: the head of the deciding unit and its acting officials."""
    unit = decision_unit(employee)
    return _heads_of_unit(unit, on=on) if unit is not None else []


def _heads_of_unit(unit: Unit, *, on: dt.date | None = None) -> list[Any]:
    day = on or timezone.localdate()
    heads = list(
        Employee.objects.filter(
            government_id=unit.government_id,
            position__unit=unit,
            position__is_head=True,
            is_active=True,
            user__isnull=False,
        ).select_related("user")
    )
    acting = Delegation.objects.filter(
        unit=unit, start__lte=day, end__gte=day, revoked_at__isnull=True, acting__is_active=True
    ).select_related("acting__user")
    heads += [d.acting for d in acting if d.acting.user_id]
    users: dict[int, Any] = {}
    for e in heads:
        users.setdefault(e.user_id, e.user)  # type: ignore[arg-type]
    return list(users.values())


def _notify(users: list[Any], *, government_id: int, subject: str, body: str, link: str) -> None:
    government = Government.objects.get(pk=government_id)
    for user in users:
        if user is not None:
            notify(user=user, government=government, subject=subject, body=body, link=link)


# ---------------------------------------------------------------------------------------------------
# e-Kinerja daily work reports


def _clean_lines(lines: list[dict[str, Any]]) -> list[WorkReportLine]:
    errors: dict[str, str] = {}
    cleaned: list[WorkReportLine] = []
    if not lines:
        errors["lines"] = _("Add at least one activity: what you did, its output, how many and how many minutes.")
    if len(lines) > MAX_LINES:
        errors["lines"] = _("A day has at most %(n)s activities; merge similar ones.") % {"n": MAX_LINES}
    total = 0
    for n, line in enumerate(lines, start=1):
        activity = str(line.get("activity") or "").strip()
        output = str(line.get("output") or "").strip()
        try:
            quantity = int(line.get("quantity"))  # type: ignore[arg-type]
            minutes = int(line.get("minutes"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            errors.setdefault("lines", _("Activity %(n)s: quantity and minutes must be whole numbers.") % {"n": n})
            continue
        if not activity:
            errors.setdefault("lines", _("Activity %(n)s: describe what you did.") % {"n": n})
        elif len(activity) > 300:
            errors.setdefault("lines", _("Activity %(n)s: keep the description under 300 characters.") % {"n": n})
        if not output:
            errors.setdefault(
                "lines", _("Activity %(n)s: name its output (a letter, a report, a served applicant…).") % {"n": n}
            )
        elif len(output) > 200:
            errors.setdefault("lines", _("Activity %(n)s: keep the output under 200 characters.") % {"n": n})
        if quantity < 1:
            errors.setdefault("lines", _("Activity %(n)s: the quantity must be at least 1.") % {"n": n})
        if minutes < 1 or minutes > MAX_DAY_MINUTES:
            errors.setdefault(
                "lines",
                _("Activity %(n)s: minutes must be between 1 and 1440; you entered %(m)s.") % {"n": n, "m": minutes},
            )
        total += max(minutes, 0)
        cleaned.append(WorkReportLine(activity=activity, output=output, quantity=quantity, minutes=minutes))
    if "lines" not in errors and total > MAX_DAY_MINUTES:
        errors["lines"] = _("The activities add up to %(m)s minutes, more than a day (1440).") % {"m": total}
    if errors:
        raise ValidationError(errors)
    return cleaned


def _check_report_day(employee: Employee, day: dt.date) -> None:
    today = timezone.localdate()
    if day > today:
        raise ValidationError(
            {"date": _("A report is written on or after the day, not before; choose today or an earlier day.")}
        )
    if day < today - dt.timedelta(days=31):
        raise ValidationError({"date": _("Reports older than 31 days can no longer be written; ask your head.")})
    if not employee.is_active:
        raise ValidationError({"employee": _("Only an active employee writes reports.")})


def work_report_save(*, employee: Employee, day: dt.date, lines: list[dict[str, Any]], actor: Any) -> WorkReport:
    """Write (or rewrite) the activities of ``employee``'s report of ``day`` while it is a draft or
    returned; the report is created on first save."""
    _check_report_day(employee, day)
    cleaned = _clean_lines(lines)
    with transaction.atomic():
        report = _report_for_update(employee, day)
        if not report.editable:
            raise ValidationError(
                _("This report is %(status)s and can no longer be changed.")
                % {"status": report.get_status_display().lower()}
            )
        report.lines.all().delete()
        for line in cleaned:
            line.report = report
        WorkReportLine.objects.bulk_create(cleaned)
        audit_record(
            actor=actor,
            government=employee.government_id,
            action="update",
            obj=report,
            changes={"lines": len(cleaned), "minutes": sum(line.minutes for line in cleaned)},
        )
    return report


def _report_for_update(employee: Employee, day: dt.date) -> WorkReport:
    report, _created = WorkReport.objects.get_or_create(
        employee=employee, date=day, defaults={"government_id": employee.government_id}
    )
    return WorkReport.objects.select_for_update(of=("self",)).select_related("employee").get(pk=report.pk)


def work_report_line_add(
    *, employee: Employee, day: dt.date, activity: str, output: str, quantity: Any, minutes: Any, actor: Any
) -> WorkReport:
    """Add one activity to the day's report (the quick add of the page)."""
    _check_report_day(employee, day)
    (line,) = _clean_lines([{"activity": activity, "output": output, "quantity": quantity, "minutes": minutes}])
    with transaction.atomic():
        report = _report_for_update(employee, day)
        if not report.editable:
            raise ValidationError(
                _("This report is %(status)s and can no longer be changed.")
                % {"status": report.get_status_display().lower()}
            )
        existing = list(report.lines.values_list("minutes", flat=True))
        if len(existing) >= MAX_LINES:
            raise ValidationError(
                {"lines": _("A day has at most %(n)s activities; merge similar ones.") % {"n": MAX_LINES}}
            )
        if sum(existing) + line.minutes > MAX_DAY_MINUTES:
            raise ValidationError(
                {
                    "minutes": _("The activities would add up to %(m)s minutes, more than a day (1440).")
                    % {"m": sum(existing) + line.minutes}
                }
            )
        line.report = report
        line.save()
        audit_record(
            actor=actor,
            government=employee.government_id,
            action="create",
            obj=line,
            changes={"report": report.pk, "minutes": line.minutes},
        )
    return report


def work_report_line_delete(*, line: WorkReportLine, actor: Any) -> None:
    with transaction.atomic():
        report = WorkReport.objects.select_for_update().get(pk=line.report_id)
        if not report.editable:
            raise ValidationError(_("Only a draft or a returned report can be changed."))
        audit_record(actor=actor, government=report.government_id, action="delete", obj=line)
        line.delete()


def work_report_submit(*, report: WorkReport, actor: Any) -> WorkReport:
    """Send a draft (or a corrected returned) report to the head for approval."""
    with transaction.atomic():
        locked = WorkReport.objects.select_for_update(of=("self",)).select_related("employee__unit").get(pk=report.pk)
        if not locked.editable:
            raise ValidationError(
                _("This report is %(status)s already.") % {"status": locked.get_status_display().lower()}
            )
        if not locked.lines.exists():
            raise ValidationError({"lines": _("Add at least one activity before submitting.")})
        before = locked.status
        locked.status = WorkReport.Status.SUBMITTED
        locked.submitted_at = timezone.now()
        locked.save(update_fields=["status", "submitted_at", "updated_at"])
        audit_record(
            actor=actor,
            government=locked.government_id,
            action="update",
            obj=locked,
            changes={"status": [before, locked.status]},
        )
        employee = locked.employee
        _notify(
            deciders_of(employee),
            government_id=locked.government_id,
            subject=_("Work report to approve: %(name)s, %(date)s") % {"name": employee.name, "date": _d(locked.date)},
            body=_("%(name)s submitted the work report of %(date)s.")
            % {"name": employee.name, "date": _d(locked.date)},
            link=reverse("workday:report_detail", args=[locked.pk]),
        )
    report.status, report.submitted_at = locked.status, locked.submitted_at
    return report


def work_report_decide(*, report: WorkReport, user: Any, approve: bool, comment: str = "") -> WorkReport:
    """Approve a submitted report, or return it with a comment saying what to correct."""
    comment = (comment or "").strip()
    if not approve and not comment:
        raise ValidationError({"comment": _("Say what to correct when returning a report.")})
    if len(comment) > 500:
        raise ValidationError({"comment": _("Keep the comment under 500 characters.")})
    with transaction.atomic():
        locked = (
            WorkReport.objects.select_for_update(of=("self",))
            .select_related("employee__unit", "employee__position")
            .get(pk=report.pk)
        )
        decider, authority = _authority(user=user, employee=locked.employee, action=Action.APPROVE_WORK_REPORT)
        if locked.status != WorkReport.Status.SUBMITTED:
            # decided_by is read after the lock: a join in the locking query would see the old row.
            if locked.decided_by_id is not None and locked.status in (
                WorkReport.Status.APPROVED,
                WorkReport.Status.RETURNED,
            ):
                raise ValidationError(
                    _("This report was already %(status)s by %(name)s.")
                    % {"status": locked.get_status_display().lower(), "name": getattr(locked.decided_by, "name", "")}
                )
            raise ValidationError(_("Only a submitted report can be approved or returned."))
        locked.status = WorkReport.Status.APPROVED if approve else WorkReport.Status.RETURNED
        locked.decided_by, locked.decided_basis, locked.decided_at = decider, authority.basis, timezone.now()
        locked.comment = comment
        locked.save(update_fields=["status", "decided_by", "decided_basis", "decided_at", "comment", "updated_at"])
        audit_record(
            actor=user,
            government=locked.government_id,
            action="update",
            obj=locked,
            changes={"status": ["submitted", locked.status], "basis": authority.basis, "decided_by": decider.nip},
        )
        employee = locked.employee
        if employee.user_id:
            subject = (
                _("Your work report of %(date)s was approved")
                if approve
                else _("Your work report of %(date)s was returned for correction")
            ) % {"date": _d(locked.date)}
            _notify(
                [employee.user],
                government_id=locked.government_id,
                subject=subject,
                body=comment or subject,
                link=reverse("workday:report_detail", args=[locked.pk]),
            )
    return locked


def _reminder_time() -> dt.time:
    value: dt.time = settings.WORK_REPORT_REMINDER_AT
    return value


def work_report_reminders_send(*, now: dt.datetime | None = None) -> int:
    """After the evening reminder time of each government (local time), tell everyone whose published
    roster says WFH today and who has not submitted the day's report. Once per person per day."""
    from siaga.rostering.models import RosterAssignment, RosterPlan

    now = now or timezone.now()
    at = _reminder_time()
    sent = 0
    for government in Government.objects.filter(is_active=True):
        local = now.astimezone(government.tzinfo)
        if local.time() < at:
            continue
        today = local.date()
        rows = (
            RosterAssignment.objects.filter(
                plan__government=government,
                plan__status=RosterPlan.Status.PUBLISHED,
                date=today,
                employee__is_active=True,
                employee__user__isnull=False,
            )
            .order_by("employee_id", "-plan__published_at")
            .values_list("employee_id", "mode")
        )
        newest: dict[int, str] = {}
        for employee_id, mode in rows:
            newest.setdefault(employee_id, mode)
        wfh = {pk for pk, mode in newest.items() if mode == RosterAssignment.Mode.WFH}
        done = set(
            WorkReport.objects.filter(date=today, employee_id__in=wfh)
            .exclude(status=WorkReport.Status.DRAFT)
            .values_list("employee_id", flat=True)
        )
        reminded = set(
            WorkReportReminder.objects.filter(date=today, employee_id__in=wfh).values_list("employee_id", flat=True)
        )
        for employee in Employee.objects.filter(pk__in=wfh - done - reminded).select_related("user"):
            with transaction.atomic():
                _reminder, created = WorkReportReminder.objects.get_or_create(
                    employee=employee, date=today, defaults={"government": government}
                )
                if not created:  # another worker got there first
                    continue
                notify(
                    user=employee.user,
                    government=government,
                    subject=_("Your work report of %(date)s is missing") % {"date": _d(today)},
                    body=_("You work from home today: write and submit today's work report before the day ends."),
                    link=reverse("workday:report_today"),
                )
                sent += 1
    return sent


# ---------------------------------------------------------------------------------------------------
# Travel permits (izin keluar daerah)


def travel_permit_request(
    *, employee: Employee, destination: str, start: dt.date, end: dt.date, purpose: str, actor: Any
) -> TravelPermit:
    """Ask to leave the regency; overlapping a pending or approved permit of the same person is refused."""
    destination, purpose = (destination or "").strip(), (purpose or "").strip()
    errors: dict[str, str] = {}
    if not destination:
        errors["destination"] = _("Say where you are going (city or regency).")
    elif len(destination) > 200:
        errors["destination"] = _("Keep the destination under 200 characters.")
    if not purpose:
        errors["purpose"] = _("Say why you need to travel.")
    elif len(purpose) > 500:
        errors["purpose"] = _("Keep the purpose under 500 characters.")
    if end < start:
        errors["end"] = _("The end date comes before the start date.")
    elif (end - start).days + 1 > MAX_TRAVEL_DAYS:
        errors["end"] = _("A permit covers at most %(n)s days; ask for several permits.") % {"n": MAX_TRAVEL_DAYS}
    if start < timezone.localdate():
        errors["start"] = _("A permit is asked for before travelling; the start date has passed.")
    if not employee.is_active:
        errors["employee"] = _("Only an active employee can ask for a permit.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # Lock the employee so two requests for the same days cannot both pass the overlap check.
        Employee.objects.select_for_update().filter(pk=employee.pk).first()
        clash = (
            TravelPermit.objects.filter(
                employee=employee, status__in=TravelPermit.ACTIVE, start__lte=end, end__gte=start
            )
            .order_by("start")
            .first()
        )
        if clash is not None:
            raise ValidationError(
                {
                    "start": _(
                        "These days overlap your permit to %(destination)s from %(start)s to %(end)s; "
                        "change the dates or cancel that permit first."
                    )
                    % {"destination": clash.destination, "start": _d(clash.start), "end": _d(clash.end)}
                }
            )
        permit = TravelPermit.objects.create(
            government_id=employee.government_id,
            employee=employee,
            destination=destination,
            start=start,
            end=end,
            purpose=purpose,
        )
        audit_record(
            actor=actor,
            government=employee.government_id,
            action="create",
            obj=permit,
            changes={"start": start.isoformat(), "end": end.isoformat(), "destination": destination},
        )
        _notify(
            deciders_of(employee),
            government_id=employee.government_id,
            subject=_("Travel permit to decide: %(name)s to %(destination)s")
            % {"name": employee.name, "destination": destination},
            body=_("%(name)s asks to travel to %(destination)s from %(start)s to %(end)s: %(purpose)s")
            % {
                "name": employee.name,
                "destination": destination,
                "start": _d(start),
                "end": _d(end),
                "purpose": purpose,
            },
            link=reverse("workday:permit_detail", args=[permit.pk]),
        )
    return permit


def travel_permit_decide(*, permit: TravelPermit, user: Any, approve: bool, note: str = "") -> TravelPermit:
    """Approve or refuse a pending permit. An approved permit makes the employee unavailable for those
    days (``absence_set``), which replans the published roster."""
    from siaga.rostering.services import absence_set

    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError({"note": _("Say why the permit is refused.")})
    if len(note) > 500:
        raise ValidationError({"note": _("Keep the note under 500 characters.")})
    with transaction.atomic():
        locked = (
            TravelPermit.objects.select_for_update(of=("self",))
            .select_related("employee__unit", "employee__position")
            .get(pk=permit.pk)
        )
        decider, authority = _authority(user=user, employee=locked.employee, action=Action.APPROVE_TRAVEL)
        if locked.status != TravelPermit.Status.PENDING:
            if locked.decided_by_id is not None:
                raise ValidationError(
                    _("This permit was already %(status)s by %(name)s.")
                    % {"status": locked.get_status_display().lower(), "name": getattr(locked.decided_by, "name", "")}
                )
            raise ValidationError(
                _("This permit is %(status)s already.") % {"status": locked.get_status_display().lower()}
            )
        locked.status = TravelPermit.Status.APPROVED if approve else TravelPermit.Status.REFUSED
        locked.decided_by, locked.decided_basis, locked.decided_at, locked.note = (
            decider,
            authority.basis,
            timezone.now(),
            note,
        )
        locked.save(update_fields=["status", "decided_by", "decided_basis", "decided_at", "note"])
        audit_record(
            actor=user,
            government=locked.government_id,
            action="update",
            obj=locked,
            changes={"status": ["pending", locked.status], "basis": authority.basis, "decided_by": decider.nip},
        )
        if approve:
            absence_set(
                employee=locked.employee,
                start=locked.start,
                end=locked.end,
                reason="travel",
                source=locked.source,
                actor=user,
            )
        employee = locked.employee
        subject = (
            _("Your travel permit to %(destination)s was approved")
            if approve
            else _("Your travel permit to %(destination)s was refused")
        ) % {"destination": locked.destination}
        body = _("%(start)s to %(end)s, decided by %(name)s.") % {
            "start": _d(locked.start),
            "end": _d(locked.end),
            "name": decider.name,
        }
        if note:
            body += " " + note
        _notify(
            [employee.user] if employee.user_id else [],
            government_id=locked.government_id,
            subject=subject,
            body=body,
            link=reverse("workday:permit_detail", args=[locked.pk]),
        )
    return locked


def travel_permit_cancel(*, permit: TravelPermit, user: Any) -> TravelPermit:
    """Withdraw a pending or approved permit: by the employee, or by whoever may decide on it. An
    approved permit's absence is cleared; the employee and the deciders are told."""
    from siaga.rostering.services import absence_clear

    with transaction.atomic():
        locked = (
            TravelPermit.objects.select_for_update(of=("self",))
            .select_related("employee__unit", "employee__position", "employee__user")
            .get(pk=permit.pk)
        )
        employee = locked.employee
        if employee.user_id != getattr(user, "pk", None):
            _authority(user=user, employee=employee, action=Action.APPROVE_TRAVEL)
        if locked.status not in TravelPermit.ACTIVE:
            raise ValidationError(
                _("This permit is %(status)s already.") % {"status": locked.get_status_display().lower()}
            )
        before = locked.status
        locked.status = TravelPermit.Status.CANCELLED
        locked.save(update_fields=["status"])
        audit_record(
            actor=user,
            government=locked.government_id,
            action="update",
            obj=locked,
            changes={"status": [before, locked.status]},
        )
        if before == TravelPermit.Status.APPROVED:
            absence_clear(source=locked.source, actor=user)
        users = deciders_of(employee) + ([employee.user] if employee.user_id else [])
        _notify(
            [u for u in {u.pk: u for u in users}.values()],
            government_id=locked.government_id,
            subject=_("Travel permit cancelled: %(name)s to %(destination)s")
            % {"name": employee.name, "destination": locked.destination},
            body=_("The permit from %(start)s to %(end)s was cancelled.")
            % {"start": _d(locked.start), "end": _d(locked.end)},
            link=reverse("workday:permit_detail", args=[locked.pk]),
        )
    return locked


# ---------------------------------------------------------------------------------------------------
# Recall to office (panggilan ke kantor)


@dataclass
class RecallCheck:
    """What sending a recall would do: who can be recalled, who not (and why, without health reasons),
    and the roster limits the change would break."""

    date: dt.date
    ok: list[Employee] = field(default_factory=list)
    refused: list[tuple[Employee, str]] = field(default_factory=list)
    breaks: list[str] = field(default_factory=list)
    #: assignment changes to make: (assignment, shift)
    changes: list[tuple[Any, str]] = field(default_factory=list)


def recall_check(*, user: Any, employees: list[Employee], day: dt.date) -> RecallCheck:
    """Check a recall before sending: authority, availability and the published roster's limits."""
    from siaga.rostering.models import RosterAssignment, RosterPlan
    from siaga.rostering.selectors import published_days, unavailability
    from siaga.rostering.services import assignment_override_preview

    if day < timezone.localdate():
        raise ValidationError({"date": _("A recall is for today or a later day.")})
    if not employees:
        raise ValidationError({"employees": _("Choose at least one person to recall.")})
    result = RecallCheck(date=day)
    plans: dict[int, RosterPlan] = {}
    changes: dict[int, dict[int, tuple[str, str]]] = {}
    for employee in employees:
        _authority(user=user, employee=employee, action=Action.RECALL_STAFF)
        if unavailability(employee_id=employee.pk, day=day) is not None:
            # Never say why: the reason may be health (isolation, quarantine).
            result.refused.append((employee, _("%(name)s is not available on that date.") % {"name": employee.name}))
            continue
        if Recall.objects.filter(employee=employee, date=day).exclude(status=Recall.Status.CANCELLED).exists():
            result.refused.append(
                (employee, _("%(name)s is already recalled for that date.") % {"name": employee.name})
            )
            continue
        days = published_days(employee=employee, start=day, end=day)
        assignment = days[0] if days else None
        if assignment is not None and assignment.mode == RosterAssignment.Mode.OFF:
            result.refused.append((employee, _("%(name)s is not available on that date.") % {"name": employee.name}))
            continue
        if assignment is not None and assignment.mode == RosterAssignment.Mode.WFO:
            result.refused.append(
                (employee, _("%(name)s is already scheduled at the office on that date.") % {"name": employee.name})
            )
            continue
        result.ok.append(employee)
        if assignment is not None:
            if assignment.plan_id not in plans:
                plans[assignment.plan_id] = RosterPlan.objects.get(pk=assignment.plan_id)
            shifts = [s["id"] for s in plans[assignment.plan_id].problem.get("shifts", []) if isinstance(s, dict)]
            shift = shifts[0] if shifts else ""  # the first (morning) shift of the plan
            result.changes.append((assignment, shift))
            changes.setdefault(assignment.plan_id, {})[assignment.pk] = (RosterAssignment.Mode.WFO, shift)
    for plan_id, plan_changes in changes.items():
        breaks = assignment_override_preview(plan=plans[plan_id], changes=plan_changes)
        result.breaks += [b.message for b in breaks]
    return result


def recall_send(
    *, user: Any, employees: list[Employee], day: dt.date, reason: str, go_ahead: bool = False
) -> list[Recall]:
    """Recall named employees to the office on ``day``. Refused as a whole when anyone cannot be recalled;
    when the roster change would break a limit (unit cap, floor capacity), refused unless the head
    decides to go ahead (recorded on each recall). Each person is told at once on every channel."""
    from siaga.rostering.services import assignment_override

    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why they are needed at the office.")})
    if len(reason) > 500:
        raise ValidationError({"reason": _("Keep the reason under 500 characters.")})
    with transaction.atomic():
        # One recall per person and day: lock the people so two heads cannot both recall them.
        list(Employee.objects.select_for_update().filter(pk__in=[e.pk for e in employees]).order_by("pk"))
        check = recall_check(user=user, employees=employees, day=day)
        if check.refused:
            raise ValidationError({"employees": [message for _e, message in check.refused]})
        if check.breaks and not go_ahead:
            raise ValidationError(
                {
                    "go_ahead": _(
                        "The recall would break these roster limits: %(breaks)s. Go ahead anyway or change the people."
                    )
                    % {"breaks": "; ".join(check.breaks)}
                }
            )
        recalls = []
        changed = {a.employee_id for a, _s in check.changes}
        for employee in check.ok:
            recaller, authority = _authority(user=user, employee=employee, action=Action.RECALL_STAFF)
            recall = Recall.objects.create(
                government_id=employee.government_id,
                employee=employee,
                unit_id=authority.unit_id or employee.unit_id,
                date=day,
                reason=reason,
                recalled_by=recaller,
                recalled_basis=authority.basis,
                roster_updated=employee.pk in changed,
                accepted_breaks=check.breaks,
                created_by=user,
            )
            audit_record(
                actor=user,
                government=employee.government_id,
                action="create",
                obj=recall,
                changes={"date": day.isoformat(), "basis": authority.basis, "accepted_breaks": check.breaks},
            )
            recalls.append(recall)
        for assignment, shift in check.changes:
            assignment_override(assignment=assignment, mode="wfo", shift=shift, actor=user)
        government = Government.objects.get(pk=recalls[0].government_id) if recalls else None
        for recall in recalls:
            if recall.employee.user_id and government is not None:
                notify(
                    user=recall.employee.user,
                    government=government,
                    subject=_("Called to the office on %(date)s") % {"date": _d(day)},
                    body=_(
                        "%(head)s asks you to come to the office on %(date)s: %(reason)s. "
                        "Please answer with the time you expect to arrive."
                    )
                    % {"head": recall.recalled_by.name, "date": _d(day), "reason": reason},
                    link=reverse("workday:recall_detail", args=[recall.pk]),
                )
    return recalls


def recall_acknowledge(*, recall: Recall, user: Any, arrival: dt.time | None) -> Recall:
    """The recalled employee answers with the time they expect to arrive."""
    if arrival is None:
        raise ValidationError({"arrival_time": _("Give the time you expect to arrive, e.g. 10:30.")})
    with transaction.atomic():
        locked = (
            Recall.objects.select_for_update(of=("self",))
            .select_related("employee", "recalled_by__user")
            .get(pk=recall.pk)
        )
        if locked.employee.user_id != getattr(user, "pk", None):
            raise PermissionDenied(_("Only the person recalled answers a recall."))
        if locked.status == Recall.Status.CANCELLED:
            raise ValidationError(_("This recall was cancelled; you need not come."))
        before = [locked.status, locked.arrival_time.isoformat() if locked.arrival_time else None]
        locked.status = Recall.Status.ACKNOWLEDGED
        locked.arrival_time = arrival
        locked.acknowledged_at = timezone.now()
        locked.save(update_fields=["status", "arrival_time", "acknowledged_at"])
        audit_record(
            actor=user,
            government=locked.government_id,
            action="update",
            obj=locked,
            changes={"answer": [before, [locked.status, arrival.isoformat()]]},
        )
        if locked.recalled_by.user_id:
            _notify(
                [locked.recalled_by.user],
                government_id=locked.government_id,
                subject=_("%(name)s will arrive at %(time)s")
                % {"name": locked.employee.name, "time": arrival.strftime("%H:%M")},
                body=_("Answer to your recall of %(date)s.") % {"date": _d(locked.date)},
                link=reverse("workday:recall_detail", args=[locked.pk]),
            )
    return locked


def _escalate_after() -> dt.timedelta:
    return dt.timedelta(minutes=settings.RECALL_ESCALATE_AFTER_MINUTES)


def recall_escalate_due(*, now: dt.datetime | None = None) -> int:
    """Tell the recalling head and the head above about recalls still unanswered after the configured
    time (``RECALL_ESCALATE_AFTER_MINUTES``, 30 by default). Each recall is escalated once."""
    now = now or timezone.now()
    due = Recall.objects.filter(
        status=Recall.Status.SENT, escalated_at__isnull=True, created_at__lte=now - _escalate_after()
    ).values_list("pk", flat=True)
    count = 0
    for pk in list(due):
        with transaction.atomic():
            recall = (
                Recall.objects.select_for_update(of=("self",), skip_locked=True)
                .select_related("employee", "unit__parent", "recalled_by__user")
                .filter(pk=pk, status=Recall.Status.SENT, escalated_at__isnull=True)
                .first()
            )
            if recall is None:
                continue
            recall.escalated_at = now
            recall.save(update_fields=["escalated_at"])
            users: list[Any] = [recall.recalled_by.user] if recall.recalled_by.user_id else []
            if recall.unit.parent is not None:
                users += _heads_of_unit(recall.unit.parent)
            audit_record(
                actor=None,
                government=recall.government_id,
                action="update",
                obj=recall,
                changes={"escalated": True, "to": sorted(u.get_username() for u in users)},
            )
            minutes = int(_escalate_after().total_seconds() // 60)
            _notify(
                list({u.pk: u for u in users}.values()),
                government_id=recall.government_id,
                subject=_("No answer to a recall: %(name)s") % {"name": recall.employee.name},
                body=_("%(name)s has not answered the recall to the office of %(date)s after %(minutes)s minutes.")
                % {"name": recall.employee.name, "date": _d(recall.date), "minutes": minutes},
                link=reverse("workday:recall_detail", args=[recall.pk]),
            )
            count += 1
    return count


def recall_cancel(*, recall: Recall, user: Any) -> Recall:
    """Withdraw a recall (the need passed); the person is told. The roster day stays as changed."""
    with transaction.atomic():
        locked = (
            Recall.objects.select_for_update(of=("self",))
            .select_related("employee__unit", "employee__position")
            .get(pk=recall.pk)
        )
        _authority(user=user, employee=locked.employee, action=Action.RECALL_STAFF)
        if locked.status == Recall.Status.CANCELLED:
            raise ValidationError(_("This recall was cancelled already."))
        before = locked.status
        locked.status = Recall.Status.CANCELLED
        locked.save(update_fields=["status"])
        audit_record(
            actor=user,
            government=locked.government_id,
            action="update",
            obj=locked,
            changes={"status": [before, "cancelled"]},
        )
        if locked.employee.user_id:
            _notify(
                [locked.employee.user],
                government_id=locked.government_id,
                subject=_("Recall of %(date)s cancelled") % {"date": _d(locked.date)},
                body=_("You need not come to the office on %(date)s after all.")
                % {"date": date_format(locked.date, "j F Y")},
                link=reverse("workday:recall_detail", args=[locked.pk]),
            )
    return locked
