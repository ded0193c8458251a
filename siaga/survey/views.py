"""Pages of the satisfaction survey: the applicant's questionnaire and the office's IKM report."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from siaga.core import access
from siaga.services import workflow
from siaga.services.selectors import application_by_reference
from siaga.survey import exports, selectors, services
from siaga.survey.elements import ELEMENTS


@login_required
def answer(request: HttpRequest, reference: str) -> HttpResponse:
    """The nine questions for a closed application, answered once by the applicant."""
    actor = access.request_actor(request)
    application = application_by_reference(actor, reference)
    if not workflow.is_applicant(actor, application):
        raise PermissionDenied
    existing = selectors.response_for(application)
    errors: dict[str, list[str]] = {}
    chosen = {e.code: request.POST.get(e.code, "") for e in ELEMENTS}
    if request.method == "POST" and existing is None:
        try:
            services.survey_submit(
                application=application, scores=chosen, suggestion=request.POST.get("suggestion", ""), actor=actor
            )
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        else:
            messages.success(request, _("Thank you for your answer; it helps us improve the service."))
            return redirect("survey:answer", application.reference)
    questions = [
        {
            "element": e,
            "choices": list(enumerate(e.answers, start=1)),
            "chosen": chosen[e.code],
            "errors": errors.get(e.code, []),
        }
        for e in ELEMENTS
    ]
    context = {
        "application": application,
        "existing": existing,
        "open": application.status == "closed",
        "questions": questions,
        "errors": errors.get("__all__", []) + errors.get("suggestion", []),
        "suggestion": request.POST.get("suggestion", ""),
    }
    return render(request, "survey/answer.html", context, status=422 if errors else 200)


def _period(request: HttpRequest) -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    start = parse_date(request.GET.get("start", "") or "") or today.replace(day=1)
    end = parse_date(request.GET.get("end", "") or "") or today
    return start, end


@login_required
def report(request: HttpRequest) -> HttpResponse:
    """IKM per unit and per service for a period: admin (government), unit heads (their units)."""
    actor = access.request_actor(request)
    if not selectors.may_report(actor):
        raise PermissionDenied
    start, end = _period(request)
    data = selectors.ikm_report(actor, start, end)
    fmt = request.GET.get("format", "")
    stem = f"ikm-{start:%Y%m%d}-{end:%Y%m%d}"
    if fmt == "csv":
        response = HttpResponse(exports.report_csv(data), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{stem}.csv"'
        return response
    if fmt == "xlsx":
        title = _("Community satisfaction index (IKM) %(start)s–%(end)s") % {"start": start, "end": end}
        response = HttpResponse(exports.report_xlsx(data, title=title), content_type=exports.XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{stem}.xlsx"'
        return response
    context = {
        "start": start,
        "end": end,
        "report": data,
        "elements": ELEMENTS,
        "suggestions": selectors.suggestions(actor, start, end),
    }
    return render(request, "survey/report.html", context)
