"""Pages of the workday app: thin, reads through selectors, writes through services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from siaga.core import access
from siaga.core.access import Perm
from siaga.workday import selectors, services
from siaga.workday.models import Recall, TravelPermit, WorkReport


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _date(value: str | None, default: dt.date | None = None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else default
    except ValueError:
        return None


def _month(value: str | None) -> dt.date:
    try:
        return dt.date.fromisoformat(f"{value}-01") if value else timezone.localdate().replace(day=1)
    except ValueError:
        return timezone.localdate().replace(day=1)


# ---------------------------------------------------------------------------------------------------
# Work reports


@login_required
def report_today(request: HttpRequest) -> HttpResponse:
    """Today's report: its activities, a quick add, submit; and the history below."""
    actor = access.request_actor(request)
    employee = selectors.actor_employee(actor=actor)
    day = _date(request.GET.get("date") or request.POST.get("date"), timezone.localdate()) or timezone.localdate()
    error, added = "", False
    if request.method == "POST":
        try:
            services.work_report_line_add(
                employee=employee,
                day=day,
                activity=request.POST.get("activity", ""),
                output=request.POST.get("output", ""),
                quantity=request.POST.get("quantity", ""),
                minutes=request.POST.get("minutes", ""),
                actor=request.user,
            )
        except ValidationError as exc:
            error = _errors(exc)
        else:
            added = True
        if request.headers.get("HX-Request"):
            return _report_day(request, employee=employee, day=day, error=error, added=added)
        if error:
            messages.error(request, error)
        else:
            messages.success(request, _("Activity added."))
        return redirect(f"{request.path}?date={day.isoformat()}")
    report = selectors.work_report_of_day(employee=employee, day=day)
    return render(
        request,
        "workday/report_today.html",
        {
            "day": day,
            "report": report,
            "lines": selectors.work_report_lines(report=report) if report else [],
            "history": selectors.work_report_list(actor=actor, mine=True)[:31],
            "to_decide": selectors.work_reports_to_decide(actor=actor)[:100],
        },
    )


def _report_day(
    request: HttpRequest, *, employee: Any, day: dt.date, error: str = "", added: bool = False
) -> HttpResponse:
    """The day's report section alone, for htmx."""
    report = selectors.work_report_of_day(employee=employee, day=day)
    return render(
        request,
        "workday/_report_day.html",
        {
            "day": day,
            "report": report,
            "lines": selectors.work_report_lines(report=report) if report else [],
            "error": error,
            "added": added,
        },
    )


@login_required
@require_POST
def report_line_delete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = access.request_actor(request)
    line = selectors.work_report_line_get(actor=actor, pk=pk)
    error = ""
    try:
        services.work_report_line_delete(line=line, actor=request.user)
    except ValidationError as exc:
        error = _errors(exc)
    if request.headers.get("HX-Request"):
        employee = selectors.actor_employee(actor=actor)
        return _report_day(request, employee=employee, day=line.report.date, error=error)
    if error:
        messages.error(request, error)
    return redirect(f"{_url('workday:report_today')}?date={line.report.date.isoformat()}")


def _url(name: str, *args: object) -> str:
    from django.urls import reverse

    return reverse(name, args=args)


@login_required
@require_POST
def report_submit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = access.request_actor(request)
    report = selectors.work_report_get(actor=actor, pk=pk)
    if report.employee_id != actor.employee_id:
        return redirect("workday:report_detail", pk=pk)
    try:
        services.work_report_submit(report=report, actor=request.user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("Your report was sent to your head."))
    return redirect(f"{_url('workday:report_today')}?date={report.date.isoformat()}")


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = access.request_actor(request)
    report = selectors.work_report_get(actor=actor, pk=pk)
    if request.method == "POST":
        approve = request.POST.get("decision") == "approve"
        try:
            services.work_report_decide(
                report=report, user=request.user, approve=approve, comment=request.POST.get("comment", "")
            )
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(
                request,
                (_("The report of %(name)s was approved.") if approve else _("The report of %(name)s was returned."))
                % {"name": report.employee.name},
            )
            return redirect("workday:report_today")
        return redirect("workday:report_detail", pk=pk)
    can_decide = (
        report.status == WorkReport.Status.SUBMITTED
        and report.employee_id != actor.employee_id
        and report.employee.unit_id in actor.managed_unit_ids
    )
    return render(
        request,
        "workday/report_detail.html",
        {"report": report, "lines": selectors.work_report_lines(report=report), "can_decide": can_decide},
    )


@login_required
def report_recap(request: HttpRequest) -> HttpResponse:
    actor = access.request_actor(request)
    actor.require(Perm.MANAGE_ATTENDANCE)
    month = _month(request.GET.get("month"))
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            selectors.work_report_recap_xlsx(actor=actor, month=month),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="laporan-kerja-{month:%Y-%m}.xlsx"'
        return response
    return render(
        request,
        "workday/report_recap.html",
        {"month": month, "rows": selectors.work_report_recap(actor=actor, month=month)},
    )


# ---------------------------------------------------------------------------------------------------
# Travel permits


@login_required
def permit_list(request: HttpRequest) -> HttpResponse:
    actor = access.request_actor(request)
    to_decide = list(selectors.travel_permits_to_decide(actor=actor)[:100])
    conflicts = {p.pk: selectors.travel_conflicts(employee=p.employee, start=p.start, end=p.end) for p in to_decide}
    rows = [(p, conflicts[p.pk]) for p in to_decide]
    mine = list(selectors.travel_permit_list(actor=actor, mine=True)[:50]) if actor.employee_id else []
    return render(request, "workday/permit_list.html", {"to_decide": rows, "mine": mine})


@login_required
def permit_request(request: HttpRequest) -> HttpResponse:
    actor = access.request_actor(request)
    employee = selectors.actor_employee(actor=actor)
    values = {k: request.POST.get(k, "") for k in ("destination", "start", "end", "purpose")}
    conflicts: list[dt.date] = []
    if request.method == "POST":
        start, end = _date(values["start"]), _date(values["end"])
        if start is None or end is None:
            messages.error(request, _("Give the first and last day of travel as dates."))
        else:
            conflicts = selectors.travel_conflicts(employee=employee, start=start, end=end)
            if request.POST.get("action") == "send":
                try:
                    permit = services.travel_permit_request(
                        employee=employee,
                        destination=values["destination"],
                        start=start,
                        end=end,
                        purpose=values["purpose"],
                        actor=request.user,
                    )
                except ValidationError as exc:
                    messages.error(request, _errors(exc))
                else:
                    messages.success(request, _("Your travel permit request was sent to your head."))
                    return redirect("workday:permit_detail", pk=permit.pk)
    return render(request, "workday/permit_form.html", {"values": values, "conflicts": conflicts})


@login_required
def permit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = access.request_actor(request)
    permit = selectors.travel_permit_get(actor=actor, pk=pk)
    if request.method == "POST":
        decision = request.POST.get("decision")
        try:
            if decision == "cancel":
                services.travel_permit_cancel(permit=permit, user=request.user)
                messages.success(request, _("The permit was cancelled."))
            else:
                approve = decision == "approve"
                services.travel_permit_decide(
                    permit=permit, user=request.user, approve=approve, note=request.POST.get("note", "")
                )
                messages.success(request, _("The permit was approved.") if approve else _("The permit was refused."))
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        return redirect("workday:permit_detail", pk=pk)
    can_decide = (
        permit.status == TravelPermit.Status.PENDING
        and permit.employee_id != actor.employee_id
        and permit.employee.unit_id in actor.managed_unit_ids
    )
    can_cancel = permit.status in TravelPermit.ACTIVE and (permit.employee_id == actor.employee_id or can_decide)
    return render(
        request,
        "workday/permit_detail.html",
        {
            "permit": permit,
            "conflicts": selectors.travel_conflicts(employee=permit.employee, start=permit.start, end=permit.end),
            "can_decide": can_decide,
            "can_cancel": can_cancel,
        },
    )


# ---------------------------------------------------------------------------------------------------
# Recalls


@login_required
def recall_list(request: HttpRequest) -> HttpResponse:
    """Employees: their recalls. Heads and Plh/Plt: pick people, see the roster limits, send."""
    actor = access.request_actor(request)
    is_head = bool(actor.managed_unit_ids)
    day = _date(request.POST.get("date") or request.GET.get("date"), timezone.localdate()) or timezone.localdate()
    context: dict[str, object] = {"day": day, "is_head": is_head, "reason": request.POST.get("reason", "")}
    if request.method == "POST" and is_head:
        nips = request.POST.getlist("nip")
        employees = [selectors.employee_get(actor=actor, nip=nip) for nip in nips]
        try:
            if request.POST.get("action") == "send":
                recalls = services.recall_send(
                    user=request.user,
                    employees=employees,
                    day=day,
                    reason=request.POST.get("reason", ""),
                    go_ahead=request.POST.get("go_ahead") == "1",
                )
                messages.success(request, _("%(n)s people were called to the office.") % {"n": len(recalls)})
                return redirect(f"{_url('workday:recall_list')}?date={day.isoformat()}")
            context["check"] = services.recall_check(user=request.user, employees=employees, day=day)
            context["chosen"] = set(nips)
        except ValidationError as exc:
            messages.error(request, _errors(exc))
            context["chosen"] = set(nips)
    if is_head:
        context["candidates"] = selectors.recall_candidates(actor=actor, day=day)
        context["sent"] = selectors.recall_list(actor=actor, day=day).exclude(employee_id=actor.employee_id or 0)
    context["mine"] = selectors.recall_list(actor=actor, mine=True)[:30] if actor.employee_id else []
    return render(request, "workday/recall_list.html", context)


@login_required
def recall_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = access.request_actor(request)
    recall = selectors.recall_get(actor=actor, pk=pk)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "cancel":
                services.recall_cancel(recall=recall, user=request.user)
                messages.success(request, _("The recall was cancelled."))
            else:
                try:
                    arrival = dt.time.fromisoformat(request.POST.get("arrival_time", ""))
                except ValueError:
                    arrival = None
                services.recall_acknowledge(recall=recall, user=request.user, arrival=arrival)
                messages.success(request, _("Thank you; your head knows when you will arrive."))
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        return redirect("workday:recall_detail", pk=pk)
    return render(
        request,
        "workday/recall_detail.html",
        {
            "recall": recall,
            "is_mine": recall.employee_id == actor.employee_id,
            "can_cancel": recall.status != Recall.Status.CANCELLED
            and recall.employee.unit_id in actor.managed_unit_ids,
        },
    )
