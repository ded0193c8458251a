"""Pages of the rostering app: work policy and situation (BKPSDM), unit coverage (BKPSDM and unit
heads), leave, and the roster problem file for planners."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from siaga.core import access
from siaga.core.access import Perm
from siaga.core.models import Role
from siaga.core.services import audit_record
from siaga.engines.roster.types import problem_to_dict
from siaga.org.models import Employee
from siaga.rostering import selectors, services
from siaga.rostering.forms import (
    AdoptForm,
    CoverageRuleForm,
    LeaveForm,
    PlanForm,
    PolicyForm,
    ProblemForm,
    SituationForm,
    UnitSettingsForm,
)
from siaga.rostering.models import CoverageRule, Leave, RosterPlan, Sector
from siaga.rostering.problem import policy_in_effect, problem_build, unit_sector_and_health


def _actor(request: HttpRequest) -> access.Actor:
    actor: access.Actor = request.actor  # type: ignore[attr-defined]
    if not actor.is_authenticated:
        raise PermissionDenied
    return actor


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _employee(actor: access.Actor) -> Employee:
    if actor.employee_id is None:
        raise PermissionDenied
    return Employee.objects.select_related("position", "unit").get(pk=actor.employee_id)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """BKPSDM's page: the policy in use, presets, the dated situation. Unit heads go to their units."""
    actor = _actor(request)
    actor.require(Perm.MANAGE_ROSTER)
    if not actor.has_role(Role.ADMIN):
        return redirect("rostering:unit_list")
    today = timezone.localdate()
    context = {
        "current": policy_in_effect(government=actor.tenant, on=today),
        "selections": selectors.policy_selection_list(actor=actor)[:10],
        "policies": selectors.policy_list(actor=actor),
        "presets": selectors.preset_list(),
        "situations": selectors.situation_list(actor=actor)[:10],
        "today": today,
        "situation_form": SituationForm(initial={"effective_from": today}, auto_id="situation_%s"),
        "problem_form": ProblemForm(auto_id="problem_%s"),
    }
    return render(request, "rostering/home.html", context)


@login_required
@require_POST
def preset_adopt(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    selectors.require_policy_admin(actor)
    preset = selectors.preset_get(pk=pk)
    form = AdoptForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the date from which the policy applies."))
        return redirect("rostering:home")
    policy = services.policy_copy_for_government(
        government=actor.tenant, preset=preset, actor=request.user, select_from=form.cleaned_data["effective_from"]
    )
    messages.success(
        request,
        _("%(name)s applies from %(date)s. Check its exemptions and caps below.")
        % {"name": policy.name, "date": form.cleaned_data["effective_from"].strftime("%d-%m-%Y")},
    )
    return redirect("rostering:policy_edit", pk=policy.pk)


@login_required
def policy_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    policy = selectors.policy_get(actor=actor, pk=pk)
    form = PolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        try:
            services.policy_update(policy=policy, actor=request.user, **form.values())
        except ValidationError as exc:
            for field, errors in exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]:
                target = field if field in form.fields else ("shifts_text" if field == "shifts" else None)
                for message in errors:
                    form.add_error(target, message)
        else:
            messages.success(request, _("The policy was saved."))
            return redirect("rostering:policy_edit", pk=policy.pk)
    return render(request, "rostering/policy_form.html", {"form": form, "policy": policy})


@login_required
@require_POST
def situation_create(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    selectors.require_policy_admin(actor)
    form = SituationForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        situation = services.situation_set(government=actor.tenant, actor=request.user, **data)
        messages.success(
            request,
            _("From %(date)s the caps follow the new situation.")
            % {"date": situation.effective_from.strftime("%d-%m-%Y")},
        )
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("rostering:home")


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    actor.require(Perm.MANAGE_ROSTER)
    units = selectors.roster_unit_list(actor=actor).prefetch_related("coverage_rules__skill")
    return render(request, "rostering/unit_list.html", {"units": units})


@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Coverage rules of a unit (BKPSDM and its heads); sector, health flag and cohorts (BKPSDM)."""
    actor = _actor(request)
    unit = selectors.roster_unit_get(actor=actor, pk=pk)
    is_admin = actor.has_role(Role.ADMIN)
    own = getattr(unit, "roster_settings", None)
    coverage_form = CoverageRuleForm(skills=selectors.skill_list(actor=actor))
    settings_form = UnitSettingsForm(
        initial={"sector": own.sector, "health_unit": own.health_unit, "cohorts": own.cohorts} if own else None
    )
    if request.method == "POST":
        if request.POST.get("form") == "settings":
            if not is_admin:
                raise PermissionDenied
            settings_form = UnitSettingsForm(request.POST)
            if settings_form.is_valid():
                services.unit_settings_set(unit=unit, actor=request.user, **settings_form.cleaned_data)
                messages.success(request, _("The unit's roster settings were saved."))
                return redirect("rostering:unit_detail", pk=unit.pk)
        else:
            coverage_form = CoverageRuleForm(request.POST, skills=selectors.skill_list(actor=actor))
            if coverage_form.is_valid():
                services.coverage_rule_set(
                    unit=unit,
                    skill=coverage_form.cleaned_data["skill"],
                    minimum=coverage_form.cleaned_data["minimum"],
                    actor=request.user,
                )
                messages.success(request, _("The coverage rule was saved."))
                return redirect("rostering:unit_detail", pk=unit.pk)
    sector, health = unit_sector_and_health(government=actor.tenant)[unit.pk]
    context = {
        "unit": unit,
        "sector": Sector(sector).label,
        "health_unit": health,
        "rules": CoverageRule.objects.filter(unit=unit).select_related("skill").order_by("skill__code"),
        "coverage_form": coverage_form,
        "settings_form": settings_form if is_admin else None,
    }
    return render(request, "rostering/unit_detail.html", context)


@login_required
@require_POST
def coverage_rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    rule = selectors.coverage_rule_get(actor=actor, pk=pk)
    unit_pk = rule.unit_id
    services.coverage_rule_delete(rule=rule, actor=request.user)
    messages.success(request, _("The coverage rule was deleted."))
    return redirect("rostering:unit_detail", pk=unit_pk)


@login_required
@require_GET
def problem_json(request: HttpRequest) -> HttpResponse:
    """The roster problem of the whole government for ``?start=&end=``, for ``siaga roster solve``."""
    actor = _actor(request)
    selectors.require_policy_admin(actor)
    form = ProblemForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(" ".join(str(e) for errors in form.errors.values() for e in errors))
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    try:
        problem = problem_build(government=actor.tenant, start=start, end=end)
    except ValidationError as exc:
        return HttpResponseBadRequest(_errors(exc))
    audit_record(
        actor=request.user,
        government=actor.tenant,
        action="export",
        object_type="rostering.problem",
        object_repr=f"roster problem {start.isoformat()}–{end.isoformat()}",
    )
    response = JsonResponse(problem_to_dict(problem), json_dumps_params={"ensure_ascii": False, "indent": 1})
    name = f"roster-problem-{start.isoformat()}-{end.isoformat()}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def leave_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    leaves = selectors.leave_list(actor=actor).order_by("-start", "-id")[:100]
    can_decide = bool(actor.managed_unit_ids)
    return render(
        request,
        "rostering/leave_list.html",
        {"leaves": leaves, "can_decide": can_decide, "own_id": actor.employee_id, "requested": Leave.Status.REQUESTED},
    )


@login_required
def leave_request(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    employee = _employee(actor)
    form = LeaveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.leave_request(employee=employee, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, _("Your leave request was sent to your head."))
            return redirect("rostering:leave_list")
    return render(request, "rostering/leave_form.html", {"form": form})


@login_required
@require_POST
def leave_decide(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    leave = selectors.leave_get(actor=actor, pk=pk)
    approver = _employee(actor)
    approve = request.POST.get("decision") == "approve"
    try:
        services.leave_decide(
            leave=leave, approver=approver, approve=approve, note=request.POST.get("note", "")[:250], actor=request.user
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(
            request,
            (_("The leave of %(name)s was approved.") if approve else _("The leave of %(name)s was refused."))
            % {"name": leave.employee.name},
        )
    return redirect("rostering:leave_list")


# ---------------------------------------------------------------------------------------------------
# Roster plans


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    actor.require(Perm.MANAGE_ROSTER)
    is_admin = actor.has_role(Role.ADMIN)
    today = timezone.localdate()
    first = today.replace(day=1)
    next_month = (first + dt.timedelta(days=32)).replace(day=1)
    form = PlanForm(
        request.POST or None,
        units=selectors.plannable_units(actor=actor),
        whole_government=is_admin,
        initial={
            "start": next_month,
            "end": (next_month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = services.plan_create(
                government=actor.tenant,
                start=data["start"],
                end=data["end"],
                unit=data["unit"],
                time_limit=data["time_limit"],
                actor=request.user,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]:
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            return redirect("rostering:plan_detail", pk=plan.pk)
    plans = selectors.plan_list(actor=actor)[:30]
    return render(request, "rostering/plan_list.html", {"form": form, "plans": plans})


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    actor.require(Perm.MANAGE_ROSTER)
    plan = selectors.plan_get(actor=actor, pk=pk, full=True)
    if request.headers.get("HX-Request"):
        if plan.running:
            return render(
                request, "rostering/_plan_progress.html", {"plan": plan, "chart": selectors.progress_chart(plan=plan)}
            )
        return HttpResponse(headers={"HX-Refresh": "true"})  # finished: reload the whole page
    by = "floor" if request.GET.get("by") == "floor" else "unit"
    context: dict[str, object] = {"plan": plan, "by": by, "chart": selectors.progress_chart(plan=plan)}
    if plan.status in (RosterPlan.Status.DRAFT, RosterPlan.Status.PUBLISHED, RosterPlan.Status.SUPERSEDED):
        days, shifts, rows = selectors.plan_heatmap(plan=plan, by=by)
        context.update(days=days, shifts=shifts, rows=rows)
    return render(request, "rostering/plan_detail.html", context)


@login_required
def plan_unit(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    actor = _actor(request)
    actor.require(Perm.MANAGE_ROSTER)
    plan = selectors.plan_get(actor=actor, pk=pk)
    unit = selectors.plannable_units(actor=actor).filter(code=code).first()
    if unit is None:
        raise Http404
    days, rows = selectors.plan_unit_grid(plan=plan, unit_code=code)
    return render(request, "rostering/plan_unit.html", {"plan": plan, "unit": unit, "days": days, "rows": rows})


@login_required
@require_POST
def plan_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    actor.require(Perm.MANAGE_ROSTER)
    plan = selectors.plan_get(actor=actor, pk=pk)
    try:
        services.plan_cancel(plan=plan, actor=request.user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("The search stops; the best plan found so far is kept as a draft."))
    return redirect("rostering:plan_detail", pk=plan.pk)


@login_required
@require_POST
def plan_publish(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    actor.require(Perm.MANAGE_ROSTER)
    plan = selectors.plan_get(actor=actor, pk=pk)
    try:
        services.plan_publish(plan=plan, actor=request.user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("Published. The employees are being told."))
    return redirect("rostering:plan_detail", pk=plan.pk)


@login_required
def my_schedule(request: HttpRequest) -> HttpResponse:
    """“Jadwal saya”: the next weeks of the person's published roster, for the phone."""
    actor = _actor(request)
    today = timezone.localdate()
    days = selectors.my_schedule(actor=actor, start=today, end=today + dt.timedelta(days=42))
    return render(request, "rostering/my_schedule.html", {"days": days, "today": today})
