"""Pages of the daily follow-up: "Pemantauan harian" and the contacts the person reports (their own phone),
"Belum lapor hari ini" and the task force's follow-up actions on the case page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from siaga.core import access
from siaga.core.access import Actor, Perm
from siaga.core.forms import apply_service_errors
from siaga.core.views import client_ip
from siaga.outbreak import followup, selectors, selectors_followup
from siaga.outbreak.forms_followup import SelfContactForm, SymptomCheckForm


def _person(request: HttpRequest) -> Actor:
    actor = access.request_actor(request)
    if not actor.is_authenticated or not actor.employee_id:
        raise PermissionDenied("employee")
    return actor


@login_required
def daily_check(request: HttpRequest) -> HttpResponse:
    """The page "Pemantauan harian": today's symptom check of the person under isolation or quarantine."""
    actor = _person(request)
    case, today_check = selectors_followup.my_followup(actor=actor, ip_address=client_ip(request))
    form = SymptomCheckForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and case is not None and form.is_valid():
        try:
            followup.symptom_check_submit(actor=actor, answers=form.answers())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Thank you: today's answer is saved. You may correct it until the day ends."))
            return redirect("outbreak:daily_check")
    context = {"case": case, "today_check": today_check, "form": form}
    return render(request, "outbreak/daily_check.html", context, status=422 if form.errors else 200)


@login_required
def self_contacts(request: HttpRequest) -> HttpResponse:
    """The person under isolation names the people they were close to."""
    actor = _person(request)
    form = SelfContactForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            followup.self_contact_report(actor=actor, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Thank you: the health task force will contact this person."))
            return redirect("outbreak:self_contacts")
    return render(request, "outbreak/self_contacts.html", {"form": form}, status=422 if form.errors else 200)


@login_required
def missing_today(request: HttpRequest) -> HttpResponse:
    """The page "Belum lapor hari ini" (task force)."""
    actor = access.request_actor(request)
    actor.require(Perm.VIEW_HEALTH)
    today, cases = selectors_followup.not_reported_today(actor=actor, ip_address=client_ip(request))
    return render(request, "outbreak/followup_missing.html", {"today": today, "cases": cases})


def _task_force_case_action(request: HttpRequest, pk: int, run: Any, done: str) -> HttpResponse:
    actor = access.request_actor(request)
    actor.require(Perm.VIEW_HEALTH)
    case = selectors.case_get(actor=actor, pk=pk, ip_address=client_ip(request))
    try:
        result = run(actor, case)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, done % {"n": len(result)} if isinstance(result, list) else done)
    return redirect("outbreak:case_detail", pk=case.pk)


@login_required
@require_POST
def second_generation(request: HttpRequest, pk: int) -> HttpResponse:
    """The button "Cari kontak dari kontak ini" (idempotent)."""
    return _task_force_case_action(
        request,
        pk,
        lambda actor, case: followup.contacts_of_contact_propose(actor=actor, case=case),
        _("Contacts of this contact traced: %(n)s found in the presence records."),
    )


@login_required
@require_POST
def reclassify_symptomatic(request: HttpRequest, pk: int) -> HttpResponse:
    return _task_force_case_action(
        request,
        pk,
        lambda actor, case: followup.reclassify_symptomatic(actor=actor, case=case),
        _("Classification confirmed."),
    )
