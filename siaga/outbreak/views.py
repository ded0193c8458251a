"""Pages of the case registry: the task force's case list and case page, and "Kasus saya"."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from siaga.core import access
from siaga.core.access import Actor, Perm
from siaga.core.forms import apply_service_errors
from siaga.core.views import client_ip
from siaga.outbreak import selectors, services
from siaga.outbreak.forms import (
    CaseFilterForm,
    CaseForm,
    ClassifyForm,
    ContactForm,
    DatesForm,
    LabResultForm,
    OrderEndForm,
    OrderForm,
    RuleSetAdoptForm,
)
from siaga.outbreak.models import Case, Classification

PAGE_SIZE = 25


def _task_force(request: HttpRequest) -> Actor:
    actor = access.request_actor(request)
    actor.require(Perm.VIEW_HEALTH)
    return actor


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    actor = _task_force(request)
    form = CaseFilterForm(request.GET or None)
    cases = selectors.case_list(actor=actor, filters=form.filters(), ip_address=client_ip(request))
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    template = "outbreak/_case_results.html" if request.headers.get("HX-Request") else "outbreak/case_list.html"
    return render(request, template, {"form": form, "page": page})


@login_required
def case_create(request: HttpRequest) -> HttpResponse:
    actor = _task_force(request)
    form = CaseForm(request.POST or None, government_id=actor.government_id)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.case_create(
                actor=actor,
                classification=data["classification"],
                employee=data["nip"],
                visitor_name=data["visitor_name"],
                visitor_phone=data["visitor_phone"],
                onset_date=data["onset_date"],
                specimen_date=data["specimen_date"],
                last_exposure=data["last_exposure"],
                note=data["note"],
            )
        except ValidationError as exc:
            if "employee" in getattr(exc, "error_dict", {}):
                exc = ValidationError({("nip" if k == "employee" else k): v for k, v in exc.error_dict.items()})
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Case recorded."))
            return redirect("outbreak:case_detail", pk=case.pk)
    return render(request, "outbreak/case_form.html", {"form": form}, status=422 if form.errors else 200)


def _detail(request: HttpRequest, actor: Actor, case: Case, status: int = 200, **forms: Any) -> HttpResponse:
    task_force = actor.has_perm(Perm.VIEW_HEALTH)
    context: dict[str, Any] = {
        "case": case,
        "task_force": task_force,
        # each order with its own "end or move" form (ids of its own: ``end<order>_last_day``)
        "orders": [(order, OrderEndForm(auto_id=f"end{order.pk}_%s")) for order in case.orders.all()],
    }
    if task_force:
        context.update(
            proposals=services.case_proposals(case=case),
            rule_set=services.rule_set_for(government_id=case.government_id, on=timezone.localdate()),
            classify_form=forms.get("classify_form") or ClassifyForm(),
            dates_form=forms.get("dates_form")
            or DatesForm(
                initial={
                    "onset_date": case.onset_date,
                    "symptoms_ended": case.symptoms_ended,
                    "specimen_date": case.specimen_date,
                    "last_exposure": case.last_exposure,
                }
            ),
            lab_form=forms.get("lab_form") or LabResultForm(),
            order_form=forms.get("order_form")
            or OrderForm(
                initial={"kind": "quarantine" if case.classification == Classification.CLOSE_CONTACT else "isolation"}
            ),
            contacts=selectors.contact_list(actor=actor, case=case, log=False)
            if case.government_id == actor.government_id
            else [],
            can_trace=case.classification in services.INDEX,
            contact_form=forms.get("contact_form") or ContactForm(government_id=actor.government_id),
        )
    return render(request, "outbreak/case_detail.html", context, status=status)


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = access.request_actor(request)
    case = selectors.case_get(actor=actor, pk=pk, ip_address=client_ip(request))
    return _detail(request, actor, case)


def _case_action(request: HttpRequest, pk: int, form_class: Any, form_key: str, run: Any, done: str) -> HttpResponse:
    """A task-force action on the case page: validate the form, call the service, then back to the case,
    or the page again with the form's errors (422)."""
    actor = _task_force(request)
    case = selectors.case_get(actor=actor, pk=pk, ip_address=client_ip(request))
    form = form_class(request.POST)
    if form.is_valid():
        try:
            run(actor, case, form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("outbreak:case_detail", pk=case.pk)
    return _detail(request, actor, case, status=422, **{form_key: form})


@login_required
@require_POST
def case_classify(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_action(
        request,
        pk,
        ClassifyForm,
        "classify_form",
        lambda actor, case, data: services.case_classify(actor=actor, case=case, to=data["to"], note=data["note"]),
        _("Classification confirmed."),
    )


@login_required
@require_POST
def case_dates(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_action(
        request,
        pk,
        DatesForm,
        "dates_form",
        lambda actor, case, data: services.case_update_dates(actor=actor, case=case, **data),
        _("Dates saved."),
    )


@login_required
@require_POST
def lab_result_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_action(
        request,
        pk,
        LabResultForm,
        "lab_form",
        lambda actor, case, data: services.lab_result_add(actor=actor, case=case, **data),
        _("Lab result recorded."),
    )


@login_required
@require_POST
def order_issue(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_action(
        request,
        pk,
        OrderForm,
        "order_form",
        lambda actor, case, data: services.order_issue(actor=actor, case=case, **data),
        _("Order issued; the person and their unit head have been notified."),
    )


@login_required
@require_POST
def order_end(request: HttpRequest, pk: int, order_pk: int) -> HttpResponse:
    actor = _task_force(request)
    case = selectors.case_get(actor=actor, pk=pk, ip_address=client_ip(request))
    order = selectors.order_get(actor=actor, case=case, pk=order_pk)
    form = OrderEndForm(request.POST)
    if form.is_valid():
        try:
            services.order_end(actor=actor, order=order, last_day=form.cleaned_data["last_day"])
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Order updated."))
    return redirect("outbreak:case_detail", pk=case.pk)


@login_required
def my_cases(request: HttpRequest) -> HttpResponse:
    actor = access.request_actor(request)
    cases = selectors.my_cases(actor=actor, ip_address=client_ip(request))
    return render(request, "outbreak/my_cases.html", {"cases": cases})


@login_required
def rule_sets(request: HttpRequest) -> HttpResponse:
    """The rule set in force, the government's adopted ones and the national presets to adopt."""
    actor = _task_force(request)
    form = RuleSetAdoptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.rule_set_adopt(
                actor=actor, preset=form.cleaned_data["preset"], effective_from=form.cleaned_data["effective_from"]
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Rule set adopted."))
            return redirect("outbreak:rule_sets")
    context = {
        "form": form,
        "in_force": services.rule_set_for(government_id=actor.government_id, on=timezone.localdate()),
        "own": selectors.rule_set_list(actor=actor),
    }
    return render(request, "outbreak/rule_sets.html", context, status=422 if form.errors else 200)


@login_required
@require_POST
def contact_trace(request: HttpRequest, pk: int) -> HttpResponse:
    """Trace the case's contacts in the stored presence again (idempotent)."""
    actor = _task_force(request)
    case = selectors.case_get(actor=actor, pk=pk, ip_address=client_ip(request))
    try:
        found = services.contacts_propose(actor=actor, case=case)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Contacts traced: %(n)s found in the presence records.") % {"n": len(found)})
    return redirect("outbreak:case_detail", pk=case.pk)


@login_required
@require_POST
def contact_decide(request: HttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    actor = _task_force(request)
    case = selectors.case_get(actor=actor, pk=pk, ip_address=client_ip(request))
    proposal = selectors.contact_get(actor=actor, case=case, pk=contact_pk)
    decision = request.POST.get("decision")
    if decision not in {"confirm", "dismiss"}:
        messages.error(request, _("Choose confirm or dismiss."))
        return redirect("outbreak:case_detail", pk=case.pk)
    try:
        services.contact_decide(actor=actor, proposal=proposal, confirm=decision == "confirm")
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Contact confirmed.") if decision == "confirm" else _("Contact dismissed."))
    return redirect("outbreak:case_detail", pk=case.pk)


@login_required
@require_POST
def contact_add(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _task_force(request)
    case = selectors.case_get(actor=actor, pk=pk, ip_address=client_ip(request))
    form = ContactForm(request.POST, government_id=actor.government_id)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.contact_add(
                actor=actor, case=case, employee=data["nip"], last_exposure=data["last_exposure"], note=data["note"]
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Contact added; confirm or dismiss it below."))
            return redirect("outbreak:case_detail", pk=case.pk)
    return _detail(request, actor, case, status=422, contact_form=form)
