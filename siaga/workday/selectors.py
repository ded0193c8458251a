"""Reads of the workday app, scoped through ``siaga.core.access``."""

from __future__ import annotations

import calendar
import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from siaga.core.access import Actor, Perm, scope_employees, scope_workday
from siaga.org.models import Employee
from siaga.workday.models import Recall, TravelPermit, WorkReport, WorkReportLine


def actor_employee(*, actor: Actor) -> Employee:
    """The actor's own employee record; 403 for users who are not employees (they write no reports)."""
    if not actor.is_authenticated or actor.employee_id is None or not actor.has_perm(Perm.ATTEND):
        raise PermissionDenied(_("Only employees have work reports, travel permits and recalls."))
    return Employee.objects.select_related("unit", "position", "user").get(pk=actor.employee_id)


def employee_get(*, actor: Actor, nip: str) -> Employee:
    """An employee the actor may see, by NIP; 404 otherwise."""
    employee = (
        scope_employees(actor, Employee.objects.filter(is_active=True))
        .select_related("unit", "position", "user")
        .filter(nip=nip)
        .first()
    )
    if employee is None:
        raise Http404
    return employee


# ---------------------------------------------------------------------------------------------------
# Work reports


def work_report_list(
    *, actor: Actor, status: str = "", month: dt.date | None = None, employee_id: int | None = None, mine: bool = False
) -> QuerySet[WorkReport]:
    qs = scope_workday(actor, WorkReport.objects.all()).select_related("employee__unit", "decided_by")
    if mine:
        qs = qs.filter(employee_id=actor.employee_id or 0)
    if status:
        qs = qs.filter(status=status)
    if month:
        qs = qs.filter(date__year=month.year, date__month=month.month)
    if employee_id:
        qs = qs.filter(employee_id=employee_id)
    return qs.annotate(line_count=Count("lines"), total_minutes=Sum("lines__minutes")).order_by(
        "-date", "employee__name"
    )


def work_reports_to_decide(*, actor: Actor) -> QuerySet[WorkReport]:
    """Submitted reports of the units the actor manages (not their own)."""
    if not actor.managed_unit_ids:
        return WorkReport.objects.none()
    return (
        work_report_list(actor=actor, status=WorkReport.Status.SUBMITTED)
        .filter(employee__unit_id__in=actor.managed_unit_ids)
        .exclude(employee_id=actor.employee_id or 0)
    )


def work_report_get(*, actor: Actor, pk: int) -> WorkReport:
    report = (
        scope_workday(actor, WorkReport.objects.all())
        .select_related("employee__unit", "employee__position", "decided_by")
        .filter(pk=pk)
        .first()
    )
    if report is None:
        raise Http404
    return report


def work_report_of_day(*, employee: Employee, day: dt.date) -> WorkReport | None:
    return WorkReport.objects.filter(employee=employee, date=day).select_related("decided_by").first()


def work_report_lines(*, report: WorkReport) -> list[WorkReportLine]:
    return list(report.lines.all())


def work_report_line_get(*, actor: Actor, pk: int) -> WorkReportLine:
    line = (
        WorkReportLine.objects.select_related("report")
        .filter(pk=pk, report__employee_id=actor.employee_id or 0)
        .first()
    )
    if line is None or line.report.government_id != actor.government_id:
        raise Http404
    return line


@dataclass(frozen=True)
class RecapRow:
    nip: str
    name: str
    unit: str
    days: int
    approved: int
    submitted: int
    returned: int
    draft: int
    activities: int
    minutes: int


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    first = month.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def work_report_recap(*, actor: Actor, month: dt.date, unit_id: int | None = None) -> list[RecapRow]:
    """Per person of the actor's scope: reports of the month by status, activities and minutes (the
    approved ones count for the allowance)."""
    start, end = month_bounds(month)
    qs = scope_workday(actor, WorkReport.objects.filter(date__gte=start, date__lte=end))
    if unit_id:
        qs = qs.filter(employee__unit_id=unit_id)
    S = WorkReport.Status
    rows = (
        qs.values("employee__nip", "employee__name", "employee__unit__name")
        .annotate(
            days=Count("id", distinct=True),
            approved=Count("id", filter=Q(status=S.APPROVED), distinct=True),
            submitted=Count("id", filter=Q(status=S.SUBMITTED), distinct=True),
            returned=Count("id", filter=Q(status=S.RETURNED), distinct=True),
            draft=Count("id", filter=Q(status=S.DRAFT), distinct=True),
            activities=Count("lines"),
            minutes=Sum("lines__minutes"),
        )
        .order_by("employee__unit__name", "employee__name")
    )
    return [
        RecapRow(
            r["employee__nip"],
            r["employee__name"],
            r["employee__unit__name"],
            r["days"],
            r["approved"],
            r["submitted"],
            r["returned"],
            r["draft"],
            r["activities"],
            r["minutes"] or 0,
        )
        for r in rows
    ]


def work_report_recap_xlsx(*, actor: Actor, month: dt.date, unit_id: int | None = None) -> bytes:
    """The monthly recap as an XLSX workbook: one row per person, then the total per unit."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    rows = work_report_recap(actor=actor, month=month, unit_id=unit_id)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = month.strftime("%Y-%m")
    headers = [
        _("NIP"),
        _("Name"),
        _("Unit"),
        _("Days reported"),
        _("Approved"),
        _("Submitted"),
        _("Returned"),
        _("Draft"),
        _("Activities"),
        _("Minutes"),
    ]
    ws.append(headers)
    for column in range(1, len(headers) + 1):
        ws.cell(row=1, column=column).font = Font(bold=True)
    for r in rows:
        ws.append(
            [r.nip, r.name, r.unit, r.days, r.approved, r.submitted, r.returned, r.draft, r.activities, r.minutes]
        )
    units = wb.create_sheet(_("Per unit"))
    units.append([_("Unit"), _("People"), _("Days reported"), _("Approved"), _("Minutes")])
    totals: dict[str, list[int]] = {}
    for r in rows:
        t = totals.setdefault(r.unit, [0, 0, 0, 0])
        t[0] += 1
        t[1] += r.days
        t[2] += r.approved
        t[3] += r.minutes
    for unit, t in sorted(totals.items()):
        units.append([unit, *t])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------------
# Travel permits


def travel_permit_list(*, actor: Actor, status: str = "", mine: bool = False) -> QuerySet[TravelPermit]:
    qs = scope_workday(actor, TravelPermit.objects.all()).select_related("employee__unit", "decided_by")
    if mine:
        qs = qs.filter(employee_id=actor.employee_id or 0)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-start", "-id")


def travel_permits_to_decide(*, actor: Actor) -> QuerySet[TravelPermit]:
    if not actor.managed_unit_ids:
        return TravelPermit.objects.none()
    return (
        travel_permit_list(actor=actor, status=TravelPermit.Status.PENDING)
        .filter(employee__unit_id__in=actor.managed_unit_ids)
        .exclude(employee_id=actor.employee_id or 0)
    )


def travel_permit_get(*, actor: Actor, pk: int) -> TravelPermit:
    permit = (
        scope_workday(actor, TravelPermit.objects.all())
        .select_related("employee__unit", "employee__position", "decided_by")
        .filter(pk=pk)
        .first()
    )
    if permit is None:
        raise Http404
    return permit


def travel_conflicts(*, employee: Employee, start: dt.date, end: dt.date) -> list[dt.date]:
    """Days of ``start``…``end`` on which the published roster has the employee at the office (WFO)."""
    from siaga.rostering.models import RosterAssignment
    from siaga.rostering.selectors import published_days

    return [
        a.date for a in published_days(employee=employee, start=start, end=end) if a.mode == RosterAssignment.Mode.WFO
    ]


# ---------------------------------------------------------------------------------------------------
# Recalls


def recall_list(*, actor: Actor, mine: bool = False, day: dt.date | None = None) -> QuerySet[Recall]:
    qs = scope_workday(actor, Recall.objects.all()).select_related("employee__unit", "recalled_by", "unit")
    if mine:
        qs = qs.filter(employee_id=actor.employee_id or 0)
    if day:
        qs = qs.filter(date=day)
    return qs.order_by("-date", "-created_at")


def recall_get(*, actor: Actor, pk: int) -> Recall:
    recall = (
        scope_workday(actor, Recall.objects.all())
        .select_related("employee__unit", "employee__position", "recalled_by", "unit")
        .filter(pk=pk)
        .first()
    )
    if recall is None:
        raise Http404
    return recall


def recall_candidates(*, actor: Actor, day: dt.date | None = None) -> list[dict[str, Any]]:
    """People of the units the actor heads, with their roster mode of the day (never a health reason:
    unavailable people are only marked unavailable)."""
    from siaga.rostering.models import RosterAssignment, RosterPlan
    from siaga.rostering.selectors import unavailability

    if not actor.managed_unit_ids:
        raise PermissionDenied(_("Only a unit head or their Plh/Plt recalls staff."))
    day = day or timezone.localdate()
    people = list(
        Employee.objects.filter(government_id=actor.government_id, unit_id__in=actor.managed_unit_ids, is_active=True)
        .exclude(pk=actor.employee_id or 0)
        .select_related("unit")
        .order_by("unit__name", "name")
    )
    modes: dict[int, str] = {}
    for employee_id, mode in (
        RosterAssignment.objects.filter(
            employee_id__in=[p.pk for p in people], date=day, plan__status=RosterPlan.Status.PUBLISHED
        )
        .order_by("employee_id", "-plan__published_at")
        .values_list("employee_id", "mode")
    ):
        modes.setdefault(employee_id, mode)
    rows = []
    for person in people:
        unavailable = unavailability(employee_id=person.pk, day=day) is not None
        rows.append(
            {"employee": person, "mode": "off" if unavailable else modes.get(person.pk, ""), "unavailable": unavailable}
        )
    return rows
