"""Writes of the rostering app: policies, the dated situation, unit settings, coverage rules, leave."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.translation import gettext as _

from siaga.core.models import Government
from siaga.core.services import audit_record, diff_fields
from siaga.org.authority import Action, can_act
from siaga.org.models import Employee, Skill, Unit
from siaga.rostering import caps
from siaga.rostering.models import (
    CoverageRule,
    GovernmentPolicy,
    GovernmentSituation,
    Leave,
    RosterAssignment,
    RosterPlan,
    Sector,
    UnitRosterSettings,
    WorkPolicy,
)

#: Fields of a policy a government may edit on its copy.
POLICY_EDITABLE = (
    "name",
    "legal_basis",
    "effective_from",
    "effective_until",
    "shifts",
    "min_shift_gap_minutes",
    "top_levels_on_site",
    "cap_rows",
    "cohorts_default",
    "age_wfh_from",
    "age_rule_basis",
    "pregnancy_wfh",
    "pregnancy_rule_basis",
    "comorbidity_wfh",
    "comorbidity_rule_basis",
    "health_units_exempt",
    "health_units_basis",
    "mass_gathering_ban",
)


def policy_copy_for_government(
    *, government: Government, preset: WorkPolicy, actor: Any, select_from: dt.date | None = None
) -> WorkPolicy:
    """Copy a national preset into the government's own editable policy (code ``<preset>-<n>`` when the
    government already has a copy); with ``select_from`` the copy is also selected from that date."""
    if not preset.is_preset:
        raise ValidationError({"preset": _("Only a national preset can be copied.")})
    with transaction.atomic():
        code, n = preset.code, 1
        while WorkPolicy.objects.filter(government=government, code=code).exists():
            n += 1
            code = f"{preset.code}-{n}"[:40]
        values = {field: getattr(preset, field) for field in POLICY_EDITABLE}
        copy = WorkPolicy.objects.create(
            government=government, code=code, copied_from=preset, cap_basis=preset.cap_basis, **values
        )
        audit_record(
            actor=actor, government=government, action="create", obj=copy, changes={"copied_from": preset.code}
        )
        if select_from is not None:
            policy_select(government=government, policy=copy, effective_from=select_from, actor=actor)
    return copy


def policy_select(
    *, government: Government, policy: WorkPolicy, effective_from: dt.date, actor: Any
) -> GovernmentPolicy:
    """Work under ``policy`` from ``effective_from`` (replacing a selection made for the same date)."""
    if policy.government_id != government.pk:
        raise ValidationError({"policy": _("Copy the preset first; a government works under its own copy.")})
    with transaction.atomic():
        selection, created = GovernmentPolicy.objects.update_or_create(
            government=government,
            effective_from=effective_from,
            defaults={"policy": policy, "selected_by": actor if getattr(actor, "pk", None) else None},
        )
        audit_record(
            actor=actor,
            government=government,
            action="create" if created else "update",
            obj=selection,
            changes={"policy": policy.code, "effective_from": effective_from.isoformat()},
        )
    return selection


def policy_update(*, policy: WorkPolicy, actor: Any, **values: Any) -> WorkPolicy:
    """Change a government's copy of a policy (exemption toggles, caps, shifts…); presets are read-only."""
    if policy.is_preset:
        raise ValidationError(_("A national preset cannot be changed; copy it first."))
    unknown = sorted(set(values) - set(POLICY_EDITABLE))
    if unknown:
        raise ValueError(f"Not editable: {', '.join(unknown)}")
    with transaction.atomic():
        locked = WorkPolicy.objects.select_for_update().get(pk=policy.pk)
        before = model_to_dict(locked, fields=list(values))
        for key, value in values.items():
            setattr(locked, key, value)
        locked.full_clean()
        changes = diff_fields(before, {k: getattr(locked, k) for k in values})
        if changes:
            locked.save()
            audit_record(actor=actor, government=locked.government_id, action="update", obj=locked, changes=changes)
    return locked


def situation_set(
    *,
    government: Government,
    effective_from: dt.date,
    actor: Any,
    risk_zone: str = "",
    ppkm_level: int | None = None,
    java_bali: bool | None = None,
    note: str = "",
) -> GovernmentSituation:
    """Record the government's risk zone and/or PPKM level from a date on (it changes the caps from that
    date). Java–Bali defaults from the region code (provinces 31–36 and 51)."""
    if not risk_zone and ppkm_level is None:
        raise ValidationError(_("Give the risk zone, the PPKM level or both."))
    if java_bali is None:
        java_bali = caps.is_java_bali(government.code)
    with transaction.atomic():
        situation, created = GovernmentSituation.objects.update_or_create(
            government=government,
            effective_from=effective_from,
            defaults={
                "risk_zone": risk_zone,
                "ppkm_level": ppkm_level,
                "java_bali": java_bali,
                "note": note,
                "set_by": actor if getattr(actor, "pk", None) else None,
            },
        )
        situation.full_clean()
        audit_record(
            actor=actor,
            government=government,
            action="create" if created else "update",
            obj=situation,
            changes={
                "effective_from": effective_from.isoformat(),
                "risk_zone": risk_zone,
                "ppkm_level": ppkm_level,
                "java_bali": java_bali,
            },
        )
    return situation


def unit_settings_set(
    *, unit: Unit, actor: Any, sector: str = "", health_unit: bool = False, cohorts: int | None = None
) -> UnitRosterSettings:
    """Set a unit's sector override, health-unit flag and number of cohorts."""
    if sector and sector not in Sector.values:
        raise ValidationError({"sector": _("Choose essential, non-essential or critical.")})
    if cohorts is not None and cohorts < 1:
        raise ValidationError({"cohorts": _("A unit rotates in at least one cohort.")})
    with transaction.atomic():
        current = UnitRosterSettings.objects.select_for_update().filter(unit=unit).first()
        before = model_to_dict(current, fields=["sector", "health_unit", "cohorts"]) if current else {}
        settings_row, _created = UnitRosterSettings.objects.update_or_create(
            unit=unit,
            defaults={
                "government_id": unit.government_id,
                "sector": sector,
                "health_unit": health_unit,
                "cohorts": cohorts,
            },
        )
        changes = diff_fields(before, {"sector": sector, "health_unit": health_unit, "cohorts": cohorts})
        if changes:
            audit_record(actor=actor, government=unit.government_id, action="update", obj=settings_row, changes=changes)
    return settings_row


def coverage_rule_set(*, unit: Unit, skill: Skill, minimum: int, actor: Any) -> CoverageRule:
    """At least ``minimum`` holders of ``skill`` on site in every shift (0 is refused: delete instead)."""
    if skill.government_id != unit.government_id:
        raise ValidationError({"skill": _("The skill belongs to another government.")})
    if minimum < 1:
        raise ValidationError({"minimum": _("The minimum is at least 1; delete the rule to drop it.")})
    with transaction.atomic():
        rule, created = CoverageRule.objects.update_or_create(
            unit=unit, skill=skill, defaults={"government_id": unit.government_id, "min": minimum}
        )
        audit_record(
            actor=actor,
            government=unit.government_id,
            action="create" if created else "update",
            obj=rule,
            changes={"skill": skill.code, "min": minimum},
        )
    return rule


def coverage_rule_delete(*, rule: CoverageRule, actor: Any) -> None:
    with transaction.atomic():
        audit_record(actor=actor, government=rule.government_id, action="delete", obj=rule)
        rule.delete()


def leave_request(
    *, employee: Employee, start: dt.date, end: dt.date, kind: str, reason: str = "", actor: Any
) -> Leave:
    """Ask for leave; overlapping a pending or approved leave of the same person is refused."""
    errors: dict[str, str] = {}
    if kind not in Leave.Kind.values:
        errors["kind"] = _("Choose annual, sick or other leave.")
    if end < start:
        errors["end"] = _("The end date comes before the start date.")
    if not employee.is_active:
        errors["employee"] = _("Only an active employee can ask for leave.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # Lock the employee so two requests for the same days cannot both pass the overlap check.
        Employee.objects.select_for_update().filter(pk=employee.pk).first()
        clash = (
            Leave.objects.filter(
                employee=employee,
                status__in=[Leave.Status.REQUESTED, Leave.Status.APPROVED],
                start__lte=end,
                end__gte=start,
            )
            .order_by("start")
            .first()
        )
        if clash is not None:
            raise ValidationError(
                {
                    "start": _("These days overlap leave from %(start)s to %(end)s; change or withdraw it first.")
                    % {"start": clash.start.strftime("%d-%m-%Y"), "end": clash.end.strftime("%d-%m-%Y")}
                }
            )
        leave = Leave.objects.create(
            government_id=employee.government_id, employee=employee, start=start, end=end, kind=kind, reason=reason
        )
        audit_record(
            actor=actor,
            government=employee.government_id,
            action="create",
            obj=leave,
            changes={"start": start.isoformat(), "end": end.isoformat(), "kind": kind},
        )
    return leave


def leave_decide(
    *, leave: Leave, approver: Employee, approve: bool, actor: Any, note: str = "", on: dt.date | None = None
) -> Leave:
    """Approve or refuse a requested leave. The approver must hold authority over the employee's unit on
    the day (head, or Plh/Plt: ``can_act(…, Action.APPROVE_LEAVE, …)``); otherwise its reason is raised."""
    day = on or timezone.localdate()
    with transaction.atomic():
        locked = Leave.objects.select_for_update().select_related("employee__unit").get(pk=leave.pk)
        if locked.status != Leave.Status.REQUESTED:
            raise ValidationError(
                _("This leave was already %(status)s.") % {"status": locked.get_status_display().lower()}
            )
        if approver.pk == locked.employee_id:
            raise ValidationError(_("Nobody decides on their own leave; ask the head above you."))
        authority = can_act(approver, Action.APPROVE_LEAVE, locked.employee.unit, on=day)
        if not authority:
            raise ValidationError(authority.reason)
        locked.status = Leave.Status.APPROVED if approve else Leave.Status.REFUSED
        locked.decided_by = approver
        locked.decided_at = timezone.now()
        locked.decision_note = note
        locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        audit_record(
            actor=actor,
            government=locked.government_id,
            action="update",
            obj=locked,
            changes={"status": ["requested", locked.status], "basis": authority.basis, "decided_by": approver.nip},
        )
    leave.status, leave.decided_by, leave.decided_at = locked.status, locked.decided_by, locked.decided_at
    leave.decision_note = note
    return leave


# ---------------------------------------------------------------------------------------------------
# Roster plans


def plan_create(
    *,
    government: Government,
    start: dt.date,
    end: dt.date,
    actor: Any,
    unit: Unit | None = None,
    name: str = "",
    time_limit: int = 30,
) -> RosterPlan:
    """Build the roster problem from the organisation and the policy, store it, and queue the solve."""
    from siaga.engines.roster.types import problem_to_dict
    from siaga.org.selectors import unit_descendant_ids
    from siaga.rostering.problem import problem_build
    from siaga.rostering.tasks import solve_plan

    if end < start:
        raise ValidationError({"end": _("The end date comes before the start date.")})
    if (end - start).days > 92:
        raise ValidationError({"end": _("Plan at most three months at a time.")})
    if not 5 <= time_limit <= 600:
        raise ValidationError({"time_limit": _("The time limit must be between 5 and 600 seconds.")})
    units = None
    if unit is not None:
        ids = unit_descendant_ids(government_id=government.pk, unit_ids=[unit.pk])
        units = list(Unit.objects.filter(pk__in=ids))
    problem = problem_build(government=government, start=start, end=end, units=units)
    if not problem.employees:
        raise ValidationError(_("There is nobody to plan in this unit."))
    if not name:
        scope = unit.name if unit is not None else government.name
        name = f"{scope}, {start:%d-%m-%Y} – {end:%d-%m-%Y}"
    with transaction.atomic():
        plan = RosterPlan.objects.create(
            government=government,
            name=name[:200],
            start=start,
            end=end,
            unit=unit,
            time_limit=time_limit,
            problem=problem_to_dict(problem),
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        audit_record(
            actor=actor,
            government=government,
            action="create",
            obj=plan,
            changes={"start": start.isoformat(), "end": end.isoformat(), "employees": len(problem.employees)},
        )
        transaction.on_commit(partial(solve_plan.enqueue, plan.pk))
    return plan


def plan_cancel(*, plan: RosterPlan, actor: Any) -> None:
    """Ask the running solve to stop; it keeps the best plan found so far as a draft."""
    with transaction.atomic():
        locked = RosterPlan.objects.select_for_update().get(pk=plan.pk)
        if not locked.running:
            raise ValidationError(_("This plan is not being solved."))
        if locked.status == RosterPlan.Status.QUEUED:
            locked.status = RosterPlan.Status.CANCELLED
            locked.finished_at = timezone.now()
        locked.cancel_requested = True
        locked.save(update_fields=["status", "cancel_requested", "finished_at"])
        audit_record(actor=actor, government=plan.government_id, action="update", obj=locked, changes={"cancel": True})


def plan_store_result(*, plan: RosterPlan, result: Any) -> RosterPlan:
    """Save a solver result (``siaga.engines.roster.types.Plan``) and its assignments, row by row."""
    from siaga.engines.roster.types import plan_to_dict

    employee_ids = dict(Employee.objects.filter(government_id=plan.government_id).values_list("nip", "pk"))
    cohort_of = {nip: cohort for unit in result.cohorts.values() for cohort, nips in unit.items() for nip in nips}
    rows = [
        RosterAssignment(
            plan=plan,
            employee_id=employee_ids[a.employee],
            date=a.date,
            mode=a.mode,
            shift=a.shift or "",
            cohort=cohort_of.get(a.employee, ""),
        )
        for a in result.assignments
        if a.employee in employee_ids
    ]
    with transaction.atomic():
        RosterAssignment.objects.filter(plan=plan).delete()
        RosterAssignment.objects.bulk_create(rows, batch_size=2000)
        plan.result = plan_to_dict(result)
        plan.status = RosterPlan.Status.INFEASIBLE if result.status == "infeasible" else RosterPlan.Status.DRAFT
        plan.finished_at = timezone.now()
        plan.save(update_fields=["result", "status", "finished_at"])
    return plan


def plan_publish(*, plan: RosterPlan, actor: Any) -> RosterPlan:
    """Publish a draft: it replaces earlier published plans of the same scope that overlap it, and the
    employees are told (by a background task) that their schedule is ready."""
    from siaga.rostering.tasks import notify_plan_published

    with transaction.atomic():
        locked = RosterPlan.objects.select_for_update().get(pk=plan.pk)
        if locked.status != RosterPlan.Status.DRAFT:
            raise ValidationError(_("Only a draft can be published."))
        same_scope = Q(unit__isnull=True) if locked.unit_id is None else Q(unit_id=locked.unit_id)
        replaced = RosterPlan.objects.filter(
            same_scope,
            government_id=locked.government_id,
            status=RosterPlan.Status.PUBLISHED,
            start__lte=locked.end,
            end__gte=locked.start,
        ).exclude(pk=locked.pk)
        replaced.update(status=RosterPlan.Status.SUPERSEDED)
        locked.status = RosterPlan.Status.PUBLISHED
        locked.published_at = timezone.now()
        locked.save(update_fields=["status", "published_at"])
        audit_record(
            actor=actor,
            government=locked.government_id,
            action="update",
            obj=locked,
            changes={"status": ["draft", "published"]},
        )
        transaction.on_commit(partial(notify_plan_published.enqueue, locked.pk))
    return locked
