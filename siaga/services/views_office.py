"""Back office pages ("Layanan: antrean"): the queues, one application with its moves, attachments."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy
from django.views.decorators.http import require_POST

from siaga.core import access
from siaga.core.access import Actor
from siaga.core.forms import apply_service_errors
from siaga.core.uploads import private_path
from siaga.org.models import Employee
from siaga.services import selectors_office as sel
from siaga.services import services_office as office
from siaga.services import workflow
from siaga.services.forms_office import AssignForm, IncompleteForm, MoveForm, PaymentForm, UnitFilterForm
from siaga.services.models import Application, Status

S = Status

QUEUE_LABELS = {
    "mine": gettext_lazy("My queue"),
    "unassigned": gettext_lazy("Not yet handled"),
    "overdue": gettext_lazy("Past the time limit"),
    "due_soon": gettext_lazy("Due soon"),
    "unit": gettext_lazy("Unit"),
}

#: the button of each move the officer makes
MOVE_LABELS: dict[str, Any] = {
    S.INCOMPLETE: gettext_lazy("Mark incomplete"),
    S.REGISTERED: pgettext_lazy("application", "Register"),
    S.IN_REVIEW: gettext_lazy("Start review"),
    S.FIELD_CHECK: gettext_lazy("Field check"),
    S.RECOMMENDED: gettext_lazy("Recommend"),
    S.REJECTED: gettext_lazy("Reject"),
    S.AWAITING_PAYMENT: gettext_lazy("Issue the bill (SKRD)"),
    S.AWAITING_SIGNATURE: gettext_lazy("Send for signature"),
    S.PICKED_UP: gettext_lazy("Handed over at the counter"),
}

#: inline-safe content types for attachments; anything else is served as a download of bytes
SAFE_TYPES = {"application/pdf", "image/jpeg", "image/png"}


def due_text(app: Application, today: Any) -> tuple[str, bool]:
    """ "3 working days left" / "2 working days late" while the time limit runs; "" otherwise."""
    if app.due_on is None or app.status not in office.CLOCK_RUNS:
        if app.status == S.AWAITING_PAYMENT:
            return _("time limit stopped: waiting for the payment"), False
        return "", False
    left = office.working_days_left(app.government, app.due_on, today) or 0
    if left < 0:
        return ngettext("%(n)s working day late", "%(n)s working days late", -left) % {"n": -left}, True
    return ngettext("%(n)s working day left", "%(n)s working days left", left) % {"n": left}, False


def _office(request: HttpRequest) -> Actor:
    actor = access.request_actor(request)
    if not sel.is_office(actor):
        raise PermissionDenied
    return actor


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    actor = _office(request)
    today = timezone.localdate()
    supervisor = sel.is_supervisor(actor)
    # officers start with their own queue; heads, their Plh/Plt and BKPSDM with the whole unit
    default = "unit" if supervisor and not actor.has_perm(access.Perm.PROCESS_APPLICATIONS) else "mine"
    name = request.GET.get("q", default)
    if name not in sel.QUEUES or (name == "unit" and not supervisor):
        name = default
    filter_form = None
    if name == "unit":
        officers = Employee.objects.filter(
            pk__in=sel.office_applications(actor).exclude(assigned_to__isnull=True).values("assigned_to_id")
        ).order_by("name")
        filter_form = UnitFilterForm(request.GET or None, services=sel.services_in_scope(actor), officers=officers)
        filters = sel.UnitFilters()
        if filter_form.is_valid():
            data = filter_form.cleaned_data
            filters = sel.UnitFilters(
                status=data["status"] or "",
                service=data["service"].pk if data["service"] else None,
                officer=data["officer"].pk if data["officer"] else None,
                overdue=bool(data["overdue"]),
            )
        rows = sel.unit_applications(actor, filters, today=today)
    else:
        rows = sel.queue(actor, name, today=today)
    counts = sel.queue_counts(actor, today=today)
    items = list(rows[:300])
    texts: dict[tuple[Any, str], tuple[str, bool]] = {}  # rows share due dates: one calendar read each
    for app in items:
        key = (
            app.due_on,
            app.status if app.status == S.AWAITING_PAYMENT or app.status not in office.CLOCK_RUNS else "",
        )
        if key not in texts:
            texts[key] = due_text(app, today)
        app.due_text, app.overdue = texts[key]  # type: ignore[attr-defined]
    context = {
        "name": name,
        "tabs": [(key, QUEUE_LABELS[key], counts[key]) for key in counts],
        "items": items,
        "status_counts": sel.counts_by_status(rows.order_by()) if name == "unit" else {},
        "status_labels": dict(Status.choices),
        "filter_form": filter_form,
        "can_take": actor.has_perm(access.Perm.PROCESS_APPLICATIONS),
    }
    return render(request, "services/office/queue.html", context)


def _not_offered(app: Application, to: str) -> bool:
    """Moves the state machine allows but the application's own data rules out."""
    if to == S.AWAITING_SIGNATURE and app.status != S.AWAITING_PAYMENT:
        return app.fee_amount > 0  # a paid service goes through the bill
    if to == S.AWAITING_PAYMENT:
        return app.fee_amount <= 0
    return to == S.FIELD_CHECK and not app.service.field_check


def _moves(actor: Actor, app: Application) -> list[dict[str, Any]]:
    moves = []
    for to in workflow.allowed_moves(app):
        if to not in MOVE_LABELS or not workflow.may_move(actor, app, to):
            continue
        if _not_offered(app, to):
            continue
        if to == S.AWAITING_SIGNATURE and app.status == S.AWAITING_PAYMENT:
            kind = "payment"
        elif to == S.INCOMPLETE:
            kind = "incomplete"
        elif to == S.REJECTED:
            kind = "reason"
        elif to == S.RECOMMENDED and app.status == S.FIELD_CHECK:
            kind = "report"
        else:
            kind = "plain"
        label = _("Record the payment") if kind == "payment" else MOVE_LABELS[to]
        moves.append({"to": to, "label": label, "kind": kind})
    return moves


def _detail_context(actor: Actor, app: Application, *, error: dict[str, Any] | None = None) -> dict[str, Any]:
    today = timezone.localdate()
    requirements = {r.get("code"): r.get("name", r.get("code")) for r in app.service.requirements or []}
    fields = [(f.get("name", f.get("code")), app.data.get(f.get("code"), "")) for f in app.service.fields or []]
    error = error or {}
    forms = {
        "incomplete": error.get("incomplete") or IncompleteForm(application=app),
        "payment": error.get("payment") or PaymentForm(),
        "assign": error.get("assign") or _assign_form(app),
    }
    return {
        "app": app,
        "fields": fields,
        "attachments": [(a, requirements.get(a.requirement, a.requirement)) for a in sel.attachments(app)],
        "history": list(sel.history(app)),
        "moves": _moves(actor, app),
        "forms": forms,
        "error_to": error.get("to", ""),
        "error_messages": error.get("messages", []),
        "due_text": due_text(app, today)[0],
        "overdue": due_text(app, today)[1],
        "can_take": actor.has_perm(access.Perm.PROCESS_APPLICATIONS)
        and app.assigned_to_id is None
        and app.status not in workflow.FINAL
        and workflow.is_officer(actor, app),
        "can_assign": office.may_assign(actor, app) and app.status not in workflow.FINAL,
    }


def _assign_form(app: Application, data: Any = None) -> AssignForm:
    officers = sel.assignable_officers(app)
    unavailable = frozenset(o.pk for o in officers if not office.is_available(o))
    return AssignForm(data, officers=officers, unavailable=unavailable)


def _render_detail(
    request: HttpRequest, actor: Actor, app: Application, *, status: int = 200, **kw: Any
) -> HttpResponse:
    context = _detail_context(actor, app, **kw)
    if _is_htmx(request):
        # htmx swaps only 2xx answers: the error is in the fragment
        return render(request, "services/office/_application.html", context)
    return render(request, "services/office/application.html", context, status=status)


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _office(request)
    app = sel.office_application_get(actor, pk)
    return _render_detail(request, actor, app)


def _done(request: HttpRequest, actor: Actor, app: Application, message: str) -> HttpResponse:
    if _is_htmx(request):
        app.refresh_from_db()
        context = _detail_context(actor, app)
        context["flash"] = message
        return render(request, "services/office/_application.html", context)
    messages.success(request, message)
    return redirect("services:application", pk=app.pk)


@login_required
@require_POST
def application_take(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _office(request)
    app = sel.office_application_get(actor, pk)
    try:
        office.application_take(application=app, actor=actor)
    except ValidationError as exc:
        return _render_detail(request, actor, app, status=409, error={"to": "take", "messages": exc.messages})
    return _done(request, actor, app, _("The application is yours now."))


@login_required
@require_POST
def application_assign(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _office(request)
    app = sel.office_application_get(actor, pk)
    if not office.may_assign(actor, app):
        raise PermissionDenied
    form = _assign_form(app, request.POST)
    if form.is_valid():
        try:
            office.application_assign(
                application=app, officer=form.cleaned_data["officer"], actor=actor, note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            return _done(request, actor, app, _("Assigned."))
    return _render_detail(
        request, actor, app, status=422, error={"to": "assign", "assign": form, "messages": _form_messages(form)}
    )


def _form_messages(form: Any) -> list[str]:
    return [str(m) for errors in form.errors.values() for m in errors]


@login_required
@require_POST
def application_move(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _office(request)
    app = sel.office_application_get(actor, pk)
    move = MoveForm(request.POST)
    if not move.is_valid():
        return _render_detail(request, actor, app, status=422, error={"to": "", "messages": _form_messages(move)})
    to, note = move.cleaned_data["to"], move.cleaned_data["note"]
    error: dict[str, Any] = {"to": to}
    try:
        if to == S.INCOMPLETE:
            form = IncompleteForm(request.POST, application=app)
            error["incomplete"] = form
            if not form.is_valid():
                raise ValidationError(_form_messages(form))
            office.application_mark_incomplete(
                application=app, actor=actor, missing=form.cleaned_data["missing"], note=form.cleaned_data["note"]
            )
        elif to == S.AWAITING_SIGNATURE and app.status == S.AWAITING_PAYMENT:
            payment = PaymentForm(request.POST)
            error["payment"] = payment
            if not payment.is_valid():
                raise ValidationError(_form_messages(payment))
            office.application_record_payment(
                application=app,
                actor=actor,
                reference=payment.cleaned_data["reference"],
                paid_on=payment.cleaned_data["paid_on"],
            )
        else:
            office.application_move(application=app, to=to, actor=actor, note=note)
    except ValidationError as exc:
        error["messages"] = exc.messages
        return _render_detail(request, actor, app, status=422, error=error)
    app.refresh_from_db()
    return _done(
        request, actor, app, _("Saved: the application is now “%(status)s”.") % {"status": app.get_status_display()}
    )


@login_required
def attachment_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    """An applicant's document, to those who may see the application; always as a download."""
    actor = access.request_actor(request)
    attachment = sel.attachment_get(actor, pk)
    try:
        handle = private_path(attachment.path).open("rb")
    except (OSError, ValueError):
        raise Http404 from None
    content_type = attachment.mime if attachment.mime in SAFE_TYPES else "application/octet-stream"
    response = FileResponse(
        handle, content_type=content_type, as_attachment=True, filename=attachment.original_name or "lampiran"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
