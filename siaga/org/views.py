"""Pages of the organisation app: unit tree, employees, buildings, acting officials, import."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from siaga.core import access
from siaga.core.access import Perm
from siaga.core.forms import apply_service_errors
from siaga.core.views import client_ip
from siaga.org import imports, selectors, services
from siaga.org.authority import Action, can_act
from siaga.org.forms import (
    DelegationForm,
    EmployeeFilterForm,
    EmployeeForm,
    ImportForm,
    RiskProfileForm,
    SpaceStatusForm,
    UnitForm,
)
from siaga.org.models import Building, Floor, ImportJob, Room, SpaceStatus

PAGE_SIZE = 25


@login_required
def unit_tree(request: HttpRequest) -> HttpResponse:
    actor = access.request_actor(request)
    actor.require(Perm.VIEW_ORG)
    return render(request, "org/unit_tree.html", {"roots": selectors.unit_tree(actor=actor)})


@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = access.request_actor(request)
    actor.require(Perm.VIEW_ORG)
    unit = selectors.unit_get(actor=actor, pk=pk)
    context = {
        "unit": unit,
        "head": selectors.unit_head(unit=unit),
        "acting": selectors.unit_acting_today(unit=unit),
        "children": selectors.unit_list(actor=actor).filter(parent=unit).order_by("code"),
        "positions": unit.positions.order_by("-is_head", "level", "name"),
        "visible_employees": selectors.employee_list(
            actor=actor, filters=selectors.EmployeeFilters(unit_id=unit.pk)
        ).count(),
        "can_appoint": access.can_manage_delegation(actor, unit.pk, unit.parent_id),
    }
    return render(request, "org/unit_detail.html", context)


@login_required
def employee_list(request: HttpRequest) -> HttpResponse:
    actor = access.request_actor(request)
    actor.require(Perm.VIEW_EMPLOYEES)
    form = EmployeeFilterForm(request.GET or None, actor=actor)
    employees = selectors.employee_list(actor=actor, filters=form.filters())
    page = Paginator(employees, PAGE_SIZE).get_page(request.GET.get("page"))
    template = "org/_employee_results.html" if request.headers.get("HX-Request") else "org/employee_list.html"
    return render(request, template, {"form": form, "page": page})


@login_required
def employee_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = access.request_actor(request)
    actor.require(Perm.VIEW_EMPLOYEES)
    employee = selectors.employee_get(actor=actor, pk=pk)
    context: dict[str, object] = {
        "employee": employee,
        "show_contact": access.can_view_contact(actor, employee),
        "show_health": access.can_view_health(actor, employee),
        "age": employee.age_on(timezone.localdate()),
        "acting": selectors.delegations_active_today(actor=actor).filter(acting=employee),
    }
    if context["show_health"]:
        profile = selectors.risk_profile_get(actor=actor, employee=employee, ip_address=client_ip(request))
        context["risk_profile"] = profile
        context["risk_form"] = RiskProfileForm(
            initial={
                "comorbidity": profile.comorbidity if profile else False,
                "pregnant_or_breastfeeding": profile.pregnant_or_breastfeeding if profile else False,
                "note": profile.note if profile else "",
            }
        )
    return render(request, "org/employee_detail.html", context)


@login_required
@require_POST
def employee_risk_update(request: HttpRequest, pk: int) -> HttpResponse:
    actor = access.request_actor(request)
    employee = selectors.employee_get(actor=actor, pk=pk)
    if not access.can_view_health(actor, employee):
        raise PermissionDenied
    form = RiskProfileForm(request.POST)
    if form.is_valid():
        services.risk_profile_set(employee=employee, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Health risk details saved."))
    else:
        messages.error(request, _("The health risk details were not saved; check the form."))
    return redirect("org:employee_detail", pk=employee.pk)


@login_required
def building_list(request: HttpRequest) -> HttpResponse:
    actor = access.request_actor(request)
    actor.require(Perm.VIEW_ORG)
    return render(request, "org/building_list.html", {"buildings": selectors.building_list(actor=actor)})


@login_required
def building_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = access.request_actor(request)
    actor.require(Perm.VIEW_ORG)
    building = selectors.building_get(actor=actor, pk=pk)
    occupancy = selectors.floor_occupancy(building=building)
    floors = [{"floor": f, "assigned": occupancy.get(f.pk, 0)} for f in building.floors.all()]
    return render(
        request,
        "org/building_detail.html",
        {
            "building": building,
            "floors": floors,
            "can_edit": actor.has_perm(Perm.MANAGE_ORG),
            "statuses": SpaceStatus.choices,
        },
    )


@login_required
def delegation_list(request: HttpRequest) -> HttpResponse:
    actor = access.request_actor(request)
    actor.require(Perm.MANAGE_DELEGATIONS)
    today = timezone.localdate()
    delegations = selectors.delegation_list(actor=actor)
    page = Paginator(delegations, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "org/delegation_list.html", {"page": page, "today": today})


def _appointable_units(actor: access.Actor) -> object:
    units = selectors.unit_list(actor=actor).order_by("code")
    if actor.has_role(access.Role.ADMIN):
        return units
    allowed = [u.pk for u in units if access.can_manage_delegation(actor, u.pk, u.parent_id)]
    return units.filter(pk__in=allowed)


@login_required
def delegation_create(request: HttpRequest) -> HttpResponse:
    actor = access.request_actor(request)
    actor.require(Perm.MANAGE_DELEGATIONS)
    units = _appointable_units(actor)
    # A superior official picks among the whole government's staff, not only their own team.
    employees = selectors.government_employees(actor=actor)
    initial = {"unit": request.GET.get("unit"), "start": timezone.localdate()}
    form = DelegationForm(request.POST or None, units=units, employees=employees, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not access.can_manage_delegation(actor, data["unit"].pk, data["unit"].parent_id):
            raise PermissionDenied
        try:
            delegation = services.delegation_create(
                government=actor.tenant,
                kind=data["kind"],
                unit=data["unit"],
                official=data["official"],
                acting=data["acting"],
                start=data["start"],
                end=data["end"],
                letter_number=data["letter_number"],
                reason=data["reason"],
                actor=request.user,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s is %(kind)s of %(unit)s from %(start)s to %(end)s.")
                % {
                    "name": delegation.acting.name,
                    "kind": delegation.kind.capitalize(),
                    "unit": delegation.unit.name,
                    "start": delegation.start.strftime("%d-%m-%Y"),
                    "end": delegation.end.strftime("%d-%m-%Y"),
                },
            )
            return redirect("org:delegation_list")
    return render(request, "org/delegation_form.html", {"form": form})


@login_required
@require_POST
def delegation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    actor = access.request_actor(request)
    delegation = selectors.delegation_get(actor=actor, pk=pk)
    if not access.can_manage_delegation(actor, delegation.unit_id, delegation.unit.parent_id):
        raise PermissionDenied
    try:
        services.delegation_revoke(delegation=delegation, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The appointment has been ended."))
    return redirect("org:delegation_list")


@login_required
def authority_check(request: HttpRequest) -> HttpResponse:
    """Answer "may this person take this decision for this unit?" with the reason."""
    actor = access.request_actor(request)
    actor.require(Perm.MANAGE_DELEGATIONS)
    answer = None
    nip = "".join(ch for ch in request.GET.get("nip", "") if ch.isdigit())
    unit_id = request.GET.get("unit", "")
    action = request.GET.get("action", "")
    units = selectors.unit_list(actor=actor).order_by("code")
    if nip and unit_id.isdigit() and action in Action.__members__.values():
        employee = selectors.government_employees(actor=actor).filter(nip=nip).first()
        unit = units.filter(pk=int(unit_id)).first()
        if employee is None or unit is None:
            messages.error(request, _("No employee with that NIP, or no such unit, in this government."))
        else:
            answer = can_act(employee, action, unit, on=timezone.localdate())
    actions = [(a.value, a.value.replace("_", " ")) for a in Action]
    return render(
        request,
        "org/authority_check.html",
        {"answer": answer, "units": units, "actions": actions, "nip": nip, "unit_id": unit_id, "action": action},
    )


@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    actor = access.request_actor(request)
    actor.require(Perm.MANAGE_ORG)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = services.import_job_create(
                government=actor.tenant,
                kind=form.cleaned_data["kind"],
                file_name=upload.name,
                content=upload.read(),
                actor=request.user,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            return redirect("org:import_detail", pk=job.pk)
    jobs = selectors.import_job_list(actor=actor)[:20]
    return render(request, "org/import.html", {"form": form, "jobs": jobs})


@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = access.request_actor(request)
    actor.require(Perm.MANAGE_ORG)
    job = selectors.import_job_get(actor=actor, pk=pk)
    running = job.status in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING)
    template = "org/_import_status.html" if request.headers.get("HX-Request") else "org/import_detail.html"
    return render(request, template, {"job": job, "running": running})


@login_required
def import_template(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    actor = access.request_actor(request)
    actor.require(Perm.MANAGE_ORG)
    if kind not in ImportJob.Kind.values or fmt not in ("csv", "xlsx"):
        raise Http404
    content, content_type, filename = imports.template_bytes(kind, fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = access.request_actor(request)
    actor.require(Perm.MANAGE_ORG)
    unit = selectors.unit_get(actor=actor, pk=pk)
    initial = {
        "name": unit.name,
        "parent": unit.parent,
        "public_service": unit.public_service,
        "essential": unit.essential,
        "building": unit.building,
        "floor": unit.floor,
        "is_active": unit.is_active,
    }
    form = UnitForm(request.POST or None, actor=actor, unit=unit, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_update(unit=unit, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Unit saved."))
            return redirect("org:unit_detail", pk=unit.pk)
    return render(
        request,
        "org/edit_form.html",
        {"form": form, "title": unit.name, "back": reverse("org:unit_detail", args=[unit.pk])},
    )


@login_required
def employee_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = access.request_actor(request)
    actor.require(Perm.MANAGE_ORG)
    employee = selectors.employee_get(actor=actor, pk=pk)
    initial = {
        "name": employee.name,
        "unit": employee.unit,
        "position": employee.position,
        "status": employee.status,
        "nik": employee.nik,
        "email": employee.email,
        "phone": employee.phone,
        "floor": employee.floor,
        "is_active": employee.is_active,
        "skills": ";".join(s.code for s in employee.skills.all()),
    }
    form = EmployeeForm(request.POST or None, actor=actor, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        skills = data.pop("skills")
        data["building"] = data["floor"].building if data["floor"] else employee.building
        try:
            services.employee_update(employee=employee, actor=request.user, skills=skills, **data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Employee saved."))
            return redirect("org:employee_detail", pk=employee.pk)
    return render(
        request,
        "org/edit_form.html",
        {"form": form, "title": employee.name, "back": reverse("org:employee_detail", args=[employee.pk])},
    )


@login_required
@require_POST
def space_status(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Open, restrict or close a building or one of its floors or rooms."""
    actor = access.request_actor(request)
    actor.require(Perm.MANAGE_ORG)
    querysets = {"building": Building.objects.all(), "floor": Floor.objects.all(), "room": Room.objects.all()}
    if kind not in querysets:
        raise Http404
    space = get_object_or_404(access.scope_org(actor, querysets[kind]), pk=pk)
    form = SpaceStatusForm(request.POST)
    if form.is_valid():
        services.space_set_status(space=space, actor=request.user, **form.cleaned_data)
        messages.success(
            request,
            _("Status of %(name)s: %(status)s.")
            % {"name": space, "status": SpaceStatus(form.cleaned_data["status"]).label},
        )
    if isinstance(space, Building):
        building_id = space.pk
    elif isinstance(space, Floor):
        building_id = space.building_id
    else:
        building_id = space.floor.building_id
    return redirect("org:building_detail", pk=building_id)


@login_required
@require_POST
def employee_account_create(request: HttpRequest, pk: int) -> HttpResponse:
    actor = access.request_actor(request)
    actor.require(Perm.MANAGE_ORG)
    employee = selectors.employee_get(actor=actor, pk=pk)
    try:
        services.employee_account_create(employee=employee, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Account %(username)s created; the invitation to choose a password is on its way.")
            % {"username": employee.nip},
        )
    return redirect("org:employee_detail", pk=employee.pk)
