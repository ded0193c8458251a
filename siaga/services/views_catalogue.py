"""Catalogue pages ("Katalog layanan", BKPSDM): services with their Standar Pelayanan, and the
face-to-face restriction."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from siaga.core import access
from siaga.core.access import Actor, Perm
from siaga.core.forms import apply_service_errors
from siaga.services import selectors
from siaga.services import services_catalogue as catalogue
from siaga.services.forms_catalogue import RestrictionForm, RowFormSet, ServiceForm, rows_initial
from siaga.services.models import FaceToFaceRestriction, Service


def _manager(request: HttpRequest) -> Actor:
    actor = access.request_actor(request)
    actor.require(Perm.MANAGE_SERVICES)
    return actor


@login_required
def catalogue_list(request: HttpRequest) -> HttpResponse:
    actor = _manager(request)
    today = timezone.localdate()
    services = Service.objects.filter(government_id=actor.government_id).select_related("unit", "signer_position")
    restrictions = FaceToFaceRestriction.objects.filter(government_id=actor.government_id).order_by("-start")[:20]
    context = {
        "services": services,
        "active": selectors.restriction_in_force(actor.tenant, today),
        "restrictions": restrictions,
        "restriction_form": RestrictionForm(initial={"start": today}),
        "today": today,
    }
    return render(request, "services/catalogue/list.html", context)


def _rows(formset: Any) -> list[dict[str, Any]]:
    return [f.cleaned_data for f in formset.forms if f.cleaned_data]


def _edit(request: HttpRequest, actor: Actor, service: Service | None) -> HttpResponse:
    government_id = actor.government_id
    if request.method == "POST":
        form = ServiceForm(request.POST, instance=service, government_id=government_id)
        requirements = RowFormSet(request.POST, prefix="req")
        fields = RowFormSet(request.POST, prefix="field")
        if form.is_valid() and requirements.is_valid() and fields.is_valid():
            try:
                saved = catalogue.service_save(
                    government=actor.tenant,
                    data={name: form.cleaned_data.get(name) for name in catalogue.SERVICE_FIELDS},
                    requirements=_rows(requirements),
                    fields=_rows(fields),
                    actor=actor,
                    service=service,
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Service “%(name)s” saved.") % {"name": saved.name})
                return redirect("services:catalogue")
    else:
        form = ServiceForm(instance=service, government_id=government_id)
        requirements = RowFormSet(prefix="req", initial=rows_initial(service.requirements if service else []))
        fields = RowFormSet(prefix="field", initial=rows_initial(service.fields if service else []))
    context = {"form": form, "requirements": requirements, "fields": fields, "service": service}
    status = 422 if request.method == "POST" else 200
    return render(request, "services/catalogue/form.html", context, status=status)


@login_required
def service_create(request: HttpRequest) -> HttpResponse:
    return _edit(request, _manager(request), None)


@login_required
def service_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _manager(request)
    service = Service.objects.filter(government_id=actor.government_id, pk=pk).first()
    if service is None:
        raise Http404
    return _edit(request, actor, service)


@login_required
@require_POST
def restriction_create(request: HttpRequest) -> HttpResponse:
    actor = _manager(request)
    form = RestrictionForm(request.POST)
    if form.is_valid():
        try:
            catalogue.restriction_create(
                government=actor.tenant,
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
                reason=form.cleaned_data["reason"],
                actor=actor,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request, _("Face-to-face service is restricted; every service runs in its restricted mode.")
            )
            return redirect("services:catalogue")
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, str(message))
    return redirect("services:catalogue")


@login_required
@require_POST
def restriction_end(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _manager(request)
    restriction = FaceToFaceRestriction.objects.filter(government_id=actor.government_id, pk=pk).first()
    if restriction is None:
        raise Http404
    try:
        catalogue.restriction_end(restriction=restriction, actor=actor)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The restriction has ended; services run in their normal mode from today."))
    return redirect("services:catalogue")
