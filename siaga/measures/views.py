"""Pages of building measures ("Tindakan gedung") and disinfection tasks ("Disinfeksi")."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from siaga.core import access
from siaga.core.access import Actor, Perm
from siaga.core.forms import apply_service_errors
from siaga.measures import selectors, services
from siaga.measures.forms import CompleteForm, DisinfectionForm, LiftForm, MeasureForm
from siaga.measures.models import BuildingMeasure, DisinfectionTask


def _manager(request: HttpRequest) -> Actor:
    actor = access.request_actor(request)
    actor.require(Perm.MANAGE_MEASURES)
    return actor


@login_required
def measure_list(request: HttpRequest) -> HttpResponse:
    actor = access.request_actor(request)
    if not actor.has_perm(Perm.VIEW_ORG) and not actor.has_perm(Perm.ATTEND):
        raise PermissionDenied
    today = timezone.localdate()
    measures = list(selectors.measure_list(actor=actor)[:200])
    context = {
        "current": [m for m in measures if m.status == BuildingMeasure.Status.ACTIVE and m.end >= today],
        "past": [m for m in measures if not (m.status == BuildingMeasure.Status.ACTIVE and m.end >= today)],
        "can_manage": actor.has_perm(Perm.MANAGE_MEASURES),
        "lift_form": LiftForm(),
        "today": today,
    }
    return render(request, "measures/measure_list.html", context)


@login_required
def measure_create(request: HttpRequest) -> HttpResponse:
    actor = _manager(request)
    form = MeasureForm(request.POST or None, government_id=actor.government_id)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.measure_set(
                government=actor.tenant,
                building=data["building"],
                floor=data["floor"],
                kind=data["kind"],
                capacity_people=data["capacity_people"],
                capacity_percent=data["capacity_percent"],
                start=data["start"],
                end=data["end"],
                reason=data["reason"],
                actor=actor,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request, _("Measure saved; the people concerned were told and the roster is being adjusted.")
            )
            return redirect("measures:measure_list")
    return render(request, "measures/measure_form.html", {"form": form}, status=422 if form.errors else 200)


@login_required
@require_POST
def measure_lift(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _manager(request)
    try:
        measure = selectors.measure_get(actor=actor, pk=pk)
    except BuildingMeasure.DoesNotExist:
        raise Http404 from None
    form = LiftForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.measure_lift(measure=measure, actor=actor, note=note)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Measure lifted; the roster is being adjusted."))
    return redirect("measures:measure_list")


# ---------------------------------------------------------------------------------------------------
# Disinfection


@login_required
def disinfection_list(request: HttpRequest) -> HttpResponse:
    actor = access.request_actor(request)
    today = timezone.localdate()
    tasks = selectors.disinfection_list(actor=actor)
    context = {
        "open": list(tasks.filter(status=DisinfectionTask.Status.SCHEDULED)[:200]),
        "done": list(tasks.exclude(status=DisinfectionTask.Status.SCHEDULED).order_by("-scheduled_date", "-pk")[:50]),
        "can_manage": actor.has_perm(Perm.MANAGE_MEASURES),
        "today": today,
        "overdue_only": False,
    }
    return render(request, "measures/disinfection_list.html", context)


@login_required
def disinfection_overdue(request: HttpRequest) -> HttpResponse:
    actor = _manager(request)
    context = {
        "open": list(selectors.disinfection_overdue(actor=actor)[:500]),
        "done": [],
        "can_manage": True,
        "today": timezone.localdate(),
        "overdue_only": True,
    }
    return render(request, "measures/disinfection_list.html", context)


@login_required
def disinfection_create(request: HttpRequest) -> HttpResponse:
    actor = _manager(request)
    form = DisinfectionForm(request.POST or None, government_id=actor.government_id)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            tasks = services.disinfection_create(
                government=actor.tenant,
                building=data["building"],
                floor=data["floor"],
                place_name=data["place_name"],
                place_kind=data["place_kind"],
                address=data["address"],
                scheduled_date=data["scheduled_date"],
                repeat_every_days=data["repeat_every_days"],
                repeat_until=data["repeat_until"],
                team=data["team_nips"],
                team_name=data["team_name"],
                note=data["note"],
                actor=actor,
            )
        except ValidationError as exc:
            if "team" in getattr(exc, "error_dict", {}):
                exc = ValidationError({("team_nips" if k == "team" else k): v for k, v in exc.error_dict.items()})
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                ngettext("%(n)d disinfection task scheduled.", "%(n)d disinfection tasks scheduled.", len(tasks))
                % {"n": len(tasks)},
            )
            return redirect("measures:disinfection_detail", pk=tasks[0].pk)
    return render(request, "measures/disinfection_form.html", {"form": form}, status=422 if form.errors else 200)


def _task(actor: Actor, pk: int) -> DisinfectionTask:
    try:
        return selectors.disinfection_get(actor=actor, pk=pk)
    except DisinfectionTask.DoesNotExist:
        raise Http404 from None


def _detail(
    request: HttpRequest, actor: Actor, task: DisinfectionTask, form: Any = None, status: int = 200
) -> HttpResponse:
    member = selectors.is_team_member(actor=actor, task=task)
    manager = actor.has_perm(Perm.MANAGE_MEASURES)
    context = {
        "task": task,
        "can_complete": task.status == DisinfectionTask.Status.SCHEDULED and (member or manager),
        "can_manage": manager,
        "form": form or CompleteForm(),
        "today": timezone.localdate(),
    }
    return render(request, "measures/disinfection_detail.html", context, status=status)


@login_required
def disinfection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = access.request_actor(request)
    return _detail(request, actor, _task(actor, pk))


@login_required
@require_POST
def disinfection_complete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = access.request_actor(request)
    task = _task(actor, pk)
    form = CompleteForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.disinfection_complete(
                task=task, photo=form.cleaned_data["photo"], actor=actor, note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Task completed. Thank you."))
            return redirect("measures:disinfection_detail", pk=task.pk)
    return _detail(request, actor, task, form=form, status=422)


@login_required
@require_POST
def disinfection_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _manager(request)
    task = _task(actor, pk)
    try:
        services.disinfection_cancel(task=task, actor=actor, note=request.POST.get("note", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Task cancelled."))
    return redirect("measures:disinfection_detail", pk=task.pk)


@login_required
def disinfection_photo(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The evidence photo, to the task force and the task's team only (never from the web root)."""
    actor = access.request_actor(request)
    task = _task(actor, pk)
    if not task.photo:
        raise Http404
    path = services.photo_path(task)
    if not path.is_file():
        raise Http404
    response = FileResponse(path.open("rb"), content_type=task.photo_type or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Disposition"] = f'inline; filename="disinfection-{task.pk}.{path.suffix.lstrip(".")}"'
    return response
