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
from siaga.core.forms import apply_service_errors
from siaga.core.models import Role
from siaga.core.services import audit_record
from siaga.engines.roster.types import problem_to_dict
from siaga.org.models import Unit
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
from siaga.rostering.models import Leave, RosterPlan, Sector
from siaga.rostering.problem import policy_in_effect, problem_build, unit_sector_and_health


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """BKPSDM's page: the policy in use, presets, the dated situation. Unit heads go to their units."""
    actor = access.request_actor(request)
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
    actor = access.request_actor(request)
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
    actor = access.request_actor(request)
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
    actor = access.request_actor(request)
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
    actor = access.request_actor(request)
    actor.require(Perm.MANAGE_ROSTER)
    units = selectors.roster_unit_list(actor=actor).prefetch_related("coverage_rules__skill")
    return render(request, "rostering/unit_list.html", {"units": units})


@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Coverage rules of a unit (BKPSDM and its heads); sector, health flag and cohorts (BKPSDM)."""
    actor = access.request_actor(request)
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
        "rules": selectors.coverage_rules(unit=unit),
        "coverage_form": coverage_form,
        "settings_form": settings_form if is_admin else None,
    }
    return render(request, "rostering/unit_detail.html", context)


@login_required
@require_POST
def coverage_rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = access.request_actor(request)
    rule = selectors.coverage_rule_get(actor=actor, pk=pk)
    unit_pk = rule.unit_id
    services.coverage_rule_delete(rule=rule, actor=request.user)
    messages.success(request, _("The coverage rule was deleted."))
    return redirect("rostering:unit_detail", pk=unit_pk)


@login_required
@require_GET
def problem_json(request: HttpRequest) -> HttpResponse:
    """The roster problem of the whole government for ``?start=&end=``, for ``siaga roster solve``."""
    actor = access.request_actor(request)
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
    actor = access.request_actor(request)
    leaves = selectors.leave_list(actor=actor).order_by("-start", "-id")[:100]
    can_decide = bool(actor.managed_unit_ids)
    return render(
        request,
        "rostering/leave_list.html",
        {"leaves": leaves, "can_decide": can_decide, "own_id": actor.employee_id, "requested": Leave.Status.REQUESTED},
    )


@login_required
def leave_request(request: HttpRequest) -> HttpResponse:
    actor = access.request_actor(request)
    employee = selectors.actor_employee(actor=actor)
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
    actor = access.request_actor(request)
    leave = selectors.leave_get(actor=actor, pk=pk)
    approver = selectors.actor_employee(actor=actor)
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
    actor = access.request_actor(request)
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
            apply_service_errors(form, exc)
        else:
            return redirect("rostering:plan_detail", pk=plan.pk)
    plans = selectors.plan_list(actor=actor)[:30]
    return render(request, "rostering/plan_list.html", {"form": form, "plans": plans})


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = access.request_actor(request)
    actor.require(Perm.MANAGE_ROSTER)
    plan = selectors.plan_get(actor=actor, pk=pk, full=True)
    if request.headers.get("HX-Request"):
        if plan.running:
            return render(
                request, "rostering/_plan_progress.html", {"plan": plan, "chart": selectors.progress_chart(plan=plan)}
            )
        return HttpResponse(headers={"HX-Refresh": "true"})  # finished: reload the whole page
    by = request.GET.get("by", "unit")
    if by not in ("floor", "coverage"):
        by = "unit"
    context: dict[str, object] = {"plan": plan, "by": by, "chart": selectors.progress_chart(plan=plan)}
    if plan.status in (RosterPlan.Status.DRAFT, RosterPlan.Status.PUBLISHED, RosterPlan.Status.SUPERSEDED):
        if by == "coverage":
            slots, coverage = selectors.plan_coverage(plan=plan)
            context.update(slots=slots, coverage=coverage)
        else:
            days, shifts, rows = selectors.plan_heatmap(plan=plan, by=by)
            context.update(days=days, shifts=shifts, rows=rows)
    return render(request, "rostering/plan_detail.html", context)


@login_required
def plan_unit(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    actor = access.request_actor(request)
    actor.require(Perm.MANAGE_ROSTER)
    plan = selectors.plan_get(actor=actor, pk=pk)
    unit = selectors.plannable_units(actor=actor).filter(code=code).first()
    if unit is None:
        raise Http404
    days, rows = selectors.plan_unit_grid(plan=plan, unit_code=code)
    editable = plan.status in (RosterPlan.Status.DRAFT, RosterPlan.Status.PUBLISHED)
    context = {
        "plan": plan,
        "unit": unit,
        "days": days,
        "rows": rows,
        "editable": editable,
        "shifts": [s["id"] for s in plan.problem.get("shifts", [])] if editable else [],
        # broken rules stay in view after hand overrides (a solved plan breaks none)
        "violations": selectors.plan_rule_breaks(plan=plan) if selectors.plan_has_pins(plan=plan) else [],
    }
    return render(request, "rostering/plan_unit.html", context)


@login_required
@require_POST
def plan_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    actor = access.request_actor(request)
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
    actor = access.request_actor(request)
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
    actor = access.request_actor(request)
    today = timezone.localdate()
    days = selectors.my_schedule(actor=actor, start=today, end=today + dt.timedelta(days=42))
    feed = selectors.calendar_feed_of(actor=actor)
    return render(request, "rostering/my_schedule.html", {"days": days, "today": today, "feed": feed})


# ---------------------------------------------------------------------------------------------------
# Calendar feed and exports

#: Days of the past and of the future the calendar feed carries.
FEED_PAST, FEED_FUTURE = dt.timedelta(days=62), dt.timedelta(days=366)


@login_required
@require_POST
def my_calendar(request: HttpRequest) -> HttpResponse:
    """Subscribe (a new secret address, shown once) or revoke the person's calendar feed."""
    from django.urls import reverse

    actor = access.request_actor(request)
    employee = selectors.actor_employee(actor=actor)
    if request.POST.get("action") == "revoke":
        if services.calendar_feed_revoke(employee=employee, actor=request.user):
            messages.success(request, _("The calendar address was revoked. Calendars subscribed to it stop updating."))
        return redirect("rostering:my_schedule")
    secret = services.calendar_feed_renew(employee=employee, actor=request.user)
    https = request.build_absolute_uri(reverse("rostering:calendar_feed", args=[secret]))
    today = timezone.localdate()
    context = {
        "days": selectors.my_schedule(actor=actor, start=today, end=today + dt.timedelta(days=42)),
        "today": today,
        "feed": selectors.calendar_feed_of(actor=actor),
        "feed_https": https,
        "feed_webcal": "webcal://" + https.split("://", 1)[1],
    }
    response = render(request, "rostering/my_schedule.html", context)
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def calendar_feed(request: HttpRequest, secret: str) -> HttpResponse:
    """The public ICS address a phone calendar reads; the secret in it is the only key."""
    from siaga.rostering import exports

    feed = selectors.calendar_feed_get(secret=secret)
    employee = feed.employee
    government = employee.government
    today = timezone.localtime(timezone.now(), government.tzinfo).date()
    days = selectors.published_days(employee=employee, start=today - FEED_PAST, end=today + FEED_FUTURE)
    shift_times = selectors.plan_shift_times(plan_ids={a.plan_id for a in days})
    body = exports.calendar_feed_ics(employee=employee, government=government, days=days, shift_times=shift_times)
    services.calendar_feed_touch(feed=feed)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="siaga.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response


@login_required
@require_GET
def plan_unit_xlsx(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    from siaga.rostering import exports

    plan, unit = selectors.plan_unit_get(actor=access.request_actor(request), pk=pk, code=code)
    days, rows = selectors.plan_unit_grid(plan=plan, unit_code=unit.code)
    body = exports.unit_grid_xlsx(plan=plan, unit=unit, days=days, rows=rows)
    response = HttpResponse(body, content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="roster-{plan.pk}-{unit.code}.xlsx"'
    return response


@login_required
@require_GET
def plan_unit_pdf(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    from siaga.rostering import exports

    actor = access.request_actor(request)
    plan, unit = selectors.plan_unit_get(actor=actor, pk=pk, code=code)
    days, rows = selectors.plan_unit_grid(plan=plan, unit_code=unit.code)
    body = exports.unit_grid_pdf(plan=plan, unit=unit, days=days, rows=rows, tzinfo=actor.tenant.tzinfo)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="roster-{plan.pk}-{unit.code}.pdf"'
    return response


# ---------------------------------------------------------------------------------------------------
# Hand overrides and replanning


def _plan_and_unit(actor: access.Actor, pk: int, code: str) -> tuple[RosterPlan, Unit]:
    actor.require(Perm.MANAGE_ROSTER)
    plan = selectors.plan_get(actor=actor, pk=pk)
    unit = selectors.plannable_units(actor=actor).filter(code=code).first()
    if unit is None:
        raise Http404
    return plan, unit


@login_required
@require_POST
def plan_assignment_override(request: HttpRequest, pk: int, code: str, assignment_pk: int) -> HttpResponse:
    """Set one employee's day by hand (``mode`` = ``wfh`` or ``wfo:<shift>``). With htmx: the updated cell
    and, out of band, the rules the plan now breaks; otherwise back to the unit's page."""
    actor = access.request_actor(request)
    plan, unit = _plan_and_unit(actor, pk, code)
    assignment = selectors.plan_assignment_get(actor=actor, plan=plan, unit=unit, pk=assignment_pk)
    mode, _sep, shift = request.POST.get("mode", "").partition(":")
    violations, error = None, ""
    try:
        result = services.assignment_override(assignment=assignment, mode=mode, shift=shift, actor=request.user)
    except ValidationError as exc:
        error = _errors(exc)
    else:
        violations = result.violations
    if not request.headers.get("HX-Request"):
        if error:
            messages.error(request, error)
        elif violations:
            messages.warning(request, " ".join(v.message for v in violations))
        else:
            messages.success(request, _("The day was changed; no rule is broken."))
        return redirect("rostering:plan_unit", pk=plan.pk, code=unit.code)
    context = {
        "plan": plan,
        "unit": unit,
        "a": assignment,
        "editable": True,
        "shifts": [s["id"] for s in plan.problem.get("shifts", [])],
        "violations": violations or [],
        "checked": violations is not None,
        "error": error,
        "oob": True,
    }
    return render(request, "rostering/_plan_cell.html", context)


@login_required
@require_GET
def plan_changes(request: HttpRequest, pk: int) -> HttpResponse:
    """What a replan changed against the plan it replaced, per employee and day."""
    actor = access.request_actor(request)
    plan, old, changes = selectors.plan_changes_get(actor=actor, pk=pk)
    whole = actor.has_role(Role.ADMIN) or plan.unit_id in actor.managed_unit_ids
    context = {"plan": plan, "old": old, "changes": changes, "can_open": whole}
    return render(request, "rostering/plan_changes.html", context)
