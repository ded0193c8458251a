"""Writes of the rostering app: policies, the dated situation, unit settings, coverage rules, leave."""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import datetime as dt
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from siaga.core.models import Government
from siaga.core.services import audit_record, diff_fields
from siaga.meetings.services import events_apply_policy
from siaga.org.authority import Action, can_act
from siaga.org.models import Employee, Skill, Unit
from siaga.rostering import caps
from siaga.rostering.models import (
    Absence,
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

if TYPE_CHECKING:
    from siaga.rostering.selectors import RuleBreak

logger = logging.getLogger(__name__)

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
    "in_person_meeting_priorities",
    "late_tolerance_minutes",
    "early_leave_tolerance_minutes",
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
        transaction.on_commit(partial(events_apply_policy, government), robust=True)
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
            transaction.on_commit(partial(events_apply_policy, locked.government), robust=True)
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
        transaction.on_commit(partial(events_apply_policy, government), robust=True)
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
        locked = Leave.objects.select_for_update(of=("self",)).select_related("employee__unit").get(pk=leave.pk)
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
        if locked.status == Leave.Status.APPROVED:  # replan the published rosters once the approval is saved
            transaction.on_commit(partial(roster_replan_after_leave, leave_id=locked.pk, actor=actor))
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


# ---------------------------------------------------------------------------------------------------
# Calendar feed (ICS)

#: How often a read of the feed is written down (a phone asks every few hours, some far more often).
CALENDAR_FEED_TOUCH_EVERY = dt.timedelta(minutes=5)


def calendar_feed_renew(*, employee: Employee, actor: Any) -> str:
    """A new secret address for the employee's calendar feed, returned once: only its SHA-256 is kept,
    and it replaces (so revokes) any older one. Only the employee themself may ask for it."""
    import secrets

    from django.core.exceptions import PermissionDenied

    from siaga.core.services import hash_token
    from siaga.rostering.models import CalendarFeed

    if employee.user_id is None or getattr(actor, "pk", None) != employee.user_id:
        raise PermissionDenied
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        feed, created = CalendarFeed.objects.update_or_create(
            employee=employee,
            defaults={"government_id": employee.government_id, "key_hash": hash_token(secret), "last_read_at": None},
        )
        audit_record(
            actor=actor,
            government=employee.government_id,
            action="create" if created else "update",
            obj=feed,
            changes={"key_hash": ["", "renewed"]},
        )
    return secret


def calendar_feed_revoke(*, employee: Employee, actor: Any) -> bool:
    """Stop the employee's calendar feed; False when there was none. The employee themself only."""
    from django.core.exceptions import PermissionDenied

    from siaga.rostering.models import CalendarFeed

    if employee.user_id is None or getattr(actor, "pk", None) != employee.user_id:
        raise PermissionDenied
    with transaction.atomic():
        feed = CalendarFeed.objects.select_for_update().filter(employee=employee).first()
        if feed is None:
            return False
        audit_record(actor=actor, government=employee.government_id, action="delete", obj=feed)
        feed.delete()
    return True


def calendar_feed_touch(*, feed: Any, now: dt.datetime | None = None) -> bool:
    """Note that the feed was read, at most once every five minutes; True when written."""
    from siaga.rostering.models import CalendarFeed

    now = now or timezone.now()
    if feed.last_read_at is not None and now - feed.last_read_at < CALENDAR_FEED_TOUCH_EVERY:
        return False
    CalendarFeed.objects.filter(pk=feed.pk).update(last_read_at=now)
    feed.last_read_at = now
    return True


# ---------------------------------------------------------------------------------------------------
# Hand overrides and replanning after an absence


@dataclass(frozen=True)
class OverrideResult:
    """The changed day and every hard rule (H1–H8) the plan breaks after the change, in plain words."""

    assignment: RosterAssignment
    violations: list[RuleBreak]


def _require_plan_authority(*, actor: Any, plan: RosterPlan, unit: Unit) -> None:
    """BKPSDM (admin of the plan's government) or whoever may plan the roster of ``unit`` (its head, or
    Plh/Plt: ``can_act(…, Action.PLAN_ROSTER, …)``)."""
    from siaga.core.models import Role, RoleAssignment

    if getattr(actor, "pk", None) is None:
        raise PermissionDenied
    if RoleAssignment.objects.filter(user=actor, government_id=plan.government_id, role=Role.ADMIN).exists():
        return
    employee = (
        Employee.objects.filter(user=actor, government_id=plan.government_id, is_active=True)
        .select_related("position__unit")
        .first()
    )
    if employee is None:
        raise PermissionDenied
    authority = can_act(employee, Action.PLAN_ROSTER, unit)
    if not authority:
        raise PermissionDenied(authority.reason)


def _plan_result_sync(plan: RosterPlan, engine_plan: Any) -> None:
    """Keep the stored result (read by the heatmaps and by replanning) equal to the stored rows."""
    from siaga.engines.roster.types import plan_to_dict

    result = dict(plan.result or {})
    result["assignments"] = plan_to_dict(engine_plan)["assignments"]
    result["objective"] = engine_plan.objective
    plan.result = result
    plan.save(update_fields=["result"])


def assignment_override(*, assignment: RosterAssignment, mode: str, shift: str, actor: Any) -> OverrideResult:
    """Set one employee's day by hand (WFO in ``shift`` or WFH) in a draft or published plan and pin it
    (``pinned_by``: replanning keeps it). The change is saved even when it breaks a rule, since the head
    decides; the result lists every hard rule the plan breaks afterwards, checked by the independent
    checker on the plan rebuilt from its rows. Days off (unavailable) cannot be changed here."""
    from siaga.engines.roster.types import parse_problem
    from siaga.rostering.selectors import plan_as_engine_plan, plan_rule_breaks

    plan = assignment.plan
    _require_plan_authority(actor=actor, plan=plan, unit=assignment.employee.unit)
    if mode not in (RosterAssignment.Mode.WFO, RosterAssignment.Mode.WFH):
        raise ValidationError({"mode": _("Choose the office (in a shift) or home.")})
    with transaction.atomic():
        locked = RosterPlan.objects.select_for_update().get(pk=plan.pk)
        if locked.status not in (RosterPlan.Status.DRAFT, RosterPlan.Status.PUBLISHED):
            raise ValidationError(_("Only a draft or a published roster can be changed."))
        row = (
            RosterAssignment.objects.select_for_update(of=("self",))
            .select_related("employee")
            .get(pk=assignment.pk, plan=locked)
        )
        if row.mode == RosterAssignment.Mode.OFF:
            raise ValidationError(
                _("%(name)s is not available on %(date)s; that day cannot be changed.")
                % {"name": row.employee.name, "date": row.date.strftime("%d-%m-%Y")}
            )
        shifts = [s["id"] for s in locked.problem.get("shifts", [])]
        if mode == RosterAssignment.Mode.WFO:
            if shift not in shifts:
                raise ValidationError(
                    {"shift": _("Choose one of the shifts: %(shifts)s.") % {"shifts": ", ".join(shifts)}}
                )
        else:
            shift = ""
        before = [row.mode, row.shift]
        row.mode, row.shift, row.pinned_by = mode, shift, actor
        row.save(update_fields=["mode", "shift", "pinned_by"])
        problem = parse_problem(locked.problem)
        engine_plan = plan_as_engine_plan(plan=locked, problem=problem)
        _plan_result_sync(locked, engine_plan)
        violations = plan_rule_breaks(plan=locked, problem=problem, engine_plan=engine_plan)
        audit_record(
            actor=actor,
            government=locked.government_id,
            action="update",
            obj=row,
            changes={
                "plan": locked.pk,
                "employee": row.employee.nip,
                "date": row.date.isoformat(),
                "assignment": [before, [mode, shift]],
                "pinned": True,
                "broken_rules": sorted({v.rule for v in violations}),
            },
        )
        person = row.employee
        changed = tuple(before) != (mode, shift)
        if changed and locked.status == RosterPlan.Status.PUBLISHED and person.user_id is not None:
            from siaga.core.services import notify

            if person.user is not None and person.user.is_active:
                notify(
                    user=person.user,
                    government=locked.government,
                    subject=_("Your work schedule changed on %(dates)s") % {"dates": date_format(row.date, "j M")},
                    body=_("Your day in the roster was changed by hand: %(days)s.")
                    % {
                        "days": f"{date_format(row.date, 'j M')}: "
                        f"{_slot_label((before[0], before[1]))} → {_slot_label((mode, shift))}"
                    },
                    link=f"{settings.BASE_URL}{reverse('rostering:my_schedule')}",
                )
    assignment.mode, assignment.shift, assignment.pinned_by = row.mode, row.shift, row.pinned_by
    return OverrideResult(assignment=row, violations=violations)


def roster_replan_for_absence(
    *, employee: Employee, start: dt.date, end: dt.date, reason: str, actor: Any = None
) -> list[RosterPlan]:
    """Re-solve every published plan that has ``employee`` and a day in ``start``…``end`` (and a day after
    today), with the employee unavailable on those days (``reason``: leave, isolation, quarantine, travel…).

    The new problem is built afresh for the plan's period and scope; the published plan, as stored (hand
    overrides included), is its ``previous_plan`` and days up to today are frozen, so the engine changes
    as few days as it can. Each new plan replaces the old one and is queued; when it is solved,
    ``replan_publish`` publishes it, keeps the pinned days and tells only the people whose days changed."""
    from siaga.engines.roster import types as rt
    from siaga.engines.roster.types import problem_to_dict
    from siaga.org.selectors import unit_descendant_ids
    from siaga.rostering.problem import problem_build
    from siaga.rostering.selectors import plan_as_engine_plan
    from siaga.rostering.tasks import solve_plan

    today = timezone.localdate()
    plans = (
        RosterPlan.objects.filter(
            government_id=employee.government_id,
            status=RosterPlan.Status.PUBLISHED,
            start__lte=end,
            end__gte=start,
            end__gt=today,
            assignments__employee=employee,
        )
        .select_related("government", "unit")
        .distinct()
        .order_by("start", "pk")
    )
    created = []
    for old in plans:
        with transaction.atomic():
            # One replan at a time per published plan: the lock orders them, and the problem is built under
            # it, so each replan sees every absence committed before it.
            locked = RosterPlan.objects.select_for_update().filter(pk=old.pk, status=RosterPlan.Status.PUBLISHED)
            if not locked.exists():
                continue  # replaced meanwhile
            units = None
            if old.unit_id is not None:
                ids = unit_descendant_ids(government_id=old.government_id, unit_ids=[old.unit_id])
                units = list(Unit.objects.filter(pk__in=ids))
            frozen_until = max(today, old.start - dt.timedelta(days=1))
            problem = problem_build(
                government=old.government,
                start=old.start,
                end=old.end,
                units=units,
                capacity_day=frozen_until + dt.timedelta(days=1),
            )
            span = rt.Unavailable(max(start, old.start), min(end, old.end), reason)
            people = []
            for person in problem.employees:
                if person.id == employee.nip and not any(
                    u.start <= span.start and span.end <= u.end for u in person.unavailable
                ):
                    person = dataclasses.replace(person, unavailable=(*person.unavailable, span))
                people.append(person)
            problem = dataclasses.replace(
                problem,
                employees=tuple(people),
                previous_plan=plan_as_engine_plan(plan=old),
                frozen_until=frozen_until,
            )
            stale = _replans_withdrawn(old=old, actor=actor)
            new = RosterPlan.objects.create(
                government_id=old.government_id,
                name=old.name,
                start=old.start,
                end=old.end,
                unit=old.unit,
                time_limit=old.time_limit,
                problem=problem_to_dict(problem),
                replaces=old,
                created_by=actor if getattr(actor, "pk", None) else None,
            )
            audit_record(
                actor=actor,
                government=old.government_id,
                action="create",
                obj=new,
                changes={
                    "replaces": old.pk,
                    "employee": employee.nip,
                    "absent": [span.start.isoformat(), span.end.isoformat()],
                    "reason": reason,
                    "frozen_until": frozen_until.isoformat(),
                    "withdraws": stale,
                },
            )
            transaction.on_commit(partial(solve_plan.enqueue, new.pk))
        created.append(new)
    return created


def _replans_withdrawn(*, old: RosterPlan, actor: Any) -> list[int]:
    """Withdraw the replans of ``old`` not yet published (queued, being solved, or solved and waiting to be
    published): a newer replan, built from every absence stored now, takes their place. A queued one is
    cancelled; a running one is asked to stop; none of them will be published (``replan_publish``)."""
    withdrawn = []
    pending = (RosterPlan.Status.QUEUED, RosterPlan.Status.SOLVING, RosterPlan.Status.DRAFT)
    for plan in RosterPlan.objects.select_for_update().filter(replaces=old, status__in=pending, cancel_requested=False):
        plan.cancel_requested = True
        fields = ["cancel_requested"]
        if plan.status == RosterPlan.Status.QUEUED:
            plan.status, plan.finished_at = RosterPlan.Status.CANCELLED, timezone.now()
            fields += ["status", "finished_at"]
        plan.save(update_fields=fields)
        audit_record(actor=actor, government=plan.government_id, action="update", obj=plan, changes={"withdrawn": True})
        withdrawn.append(plan.pk)
    return withdrawn


def roster_replan_after_leave(*, leave_id: int, actor: Any = None) -> list[RosterPlan]:
    """Replan for an approved leave (called by ``leave_decide`` once the approval is committed). A plan
    that cannot be rebuilt (no policy any more, say) is logged and left as it is."""
    leave = Leave.objects.select_related("employee").filter(pk=leave_id, status=Leave.Status.APPROVED).first()
    if leave is None:
        return []
    try:
        return roster_replan_for_absence(
            employee=leave.employee, start=leave.start, end=leave.end, reason="leave", actor=actor
        )
    except Exception:  # the leave stays approved; the published roster stays as it is
        logger.exception("replanning for leave %s failed", leave_id)
        return []


#: Absences set inside ``replans_batched`` (their ids), replanned together after the block.
_REPLAN_BATCH: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar("replan_batch", default=None)


@contextlib.contextmanager
def replans_batched(actor: Any = None) -> Iterator[None]:
    """Set many absences in one go (the task force issuing a cluster's orders, an import) and replan the
    published rosters once for all of them: after the block's transaction commits, one replan per
    published plan they touch rather than one per absence. (A replan reads every absence stored, so the
    one for the longest absence in a plan covers the others.)"""
    ids: list[int] = []
    token = _REPLAN_BATCH.set(ids)
    try:
        yield
    finally:
        _REPLAN_BATCH.reset(token)
    if ids:
        transaction.on_commit(partial(_replan_for_absences, absence_ids=tuple(ids), actor=actor))


def _replan_for_absences(*, absence_ids: tuple[int, ...], actor: Any = None) -> list[RosterPlan]:
    """One replan per published plan touched by the absences: the longest absence of each plan drives it."""
    absences = list(Absence.objects.select_related("employee").filter(pk__in=absence_ids).order_by("start", "pk"))
    today = timezone.localdate()
    created: list[RosterPlan] = []
    done: set[int] = set()
    for absence in sorted(absences, key=lambda a: (a.end - a.start, a.end), reverse=True):
        touched = set(
            RosterPlan.objects.filter(
                government_id=absence.government_id,
                status=RosterPlan.Status.PUBLISHED,
                start__lte=absence.end,
                end__gte=absence.start,
                end__gt=today,
                assignments__employee=absence.employee_id,
            ).values_list("pk", flat=True)
        )
        if not touched or touched <= done:
            continue
        done |= touched
        created += _replan_for_absence(absence_id=absence.pk, actor=actor)
    return created


def absence_set(
    *, employee: Employee, start: dt.date, end: dt.date, reason: str, source: str, actor: Any = None
) -> Absence:
    """Record (or move) the absence that ``source`` causes, and replan the published rosters for the new
    days once the transaction commits. Called by the workflows that make people unavailable: approved
    travel permits, isolation and quarantine orders. The caller has already checked its own rules."""
    errors: dict[str, str] = {}
    if reason not in Absence.Reason.values:
        errors["reason"] = _("Unknown reason for an absence.")
    if end < start:
        errors["end"] = _("The end date comes before the start date.")
    if not source:
        errors["source"] = _("An absence needs the record that causes it.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        absence = Absence.objects.select_for_update().filter(source=source).first()
        before = None if absence is None else [absence.start.isoformat(), absence.end.isoformat(), absence.reason]
        if absence is None:
            absence = Absence(government_id=employee.government_id, employee=employee, source=source)
        elif absence.employee_id != employee.pk:
            raise ValidationError(_("This record already makes another employee absent."))
        absence.start, absence.end, absence.reason = start, end, reason
        absence.save()
        audit_record(
            actor=actor,
            government=employee.government_id,
            action="create" if before is None else "update",
            obj=absence,
            changes={"days": [before, [start.isoformat(), end.isoformat(), reason]], "source": source},
        )
        batch = _REPLAN_BATCH.get()
        if batch is not None:
            batch.append(absence.pk)
        else:
            transaction.on_commit(partial(_replan_for_absence, absence_id=absence.pk, actor=actor))
        # public services: an officer who is now unavailable hands their open applications over
        from siaga.services.services_office import on_absence_recorded

        transaction.on_commit(partial(on_absence_recorded, employee_id=employee.pk))
    return absence


def absence_clear(*, source: str, actor: Any = None) -> bool:
    """Remove the absence that ``source`` caused (a permit withdrawn, an order lifted). The published roster
    keeps the person off those days until it is next planned; the unit head decides whether to recall."""
    with transaction.atomic():
        absence = Absence.objects.select_for_update().filter(source=source).first()
        if absence is None:
            return False
        audit_record(
            actor=actor,
            government=absence.government_id,
            action="delete",
            obj=absence,
            changes={"days": [absence.start.isoformat(), absence.end.isoformat(), absence.reason]},
        )
        absence.delete()
    return True


def _replan_for_absence(*, absence_id: int, actor: Any = None) -> list[RosterPlan]:
    absence = Absence.objects.select_related("employee").filter(pk=absence_id).first()
    if absence is None:
        return []
    try:
        return roster_replan_for_absence(
            employee=absence.employee,
            start=absence.start,
            end=absence.end,
            reason=absence.problem_reason,
            actor=actor,
        )
    except Exception:  # the absence stays recorded; the published roster stays as it is
        logger.exception("replanning for absence %s failed", absence_id)
        return []


def _slot_label(slot: tuple[str, str]) -> str:
    mode, shift = slot
    if mode == RosterAssignment.Mode.WFO:
        return _("office (%(shift)s)") % {"shift": shift}
    if mode == RosterAssignment.Mode.WFH:
        return _("home")
    return _("not working")


def _heads_of(units: list[Unit]) -> list[Any]:
    """The users of the nearest head above (or of) each unit, without repeats."""
    from siaga.org.selectors import unit_head

    users: dict[int, Any] = {}
    for unit in units:
        current: Unit | None = unit
        seen: set[int] = set()
        while current is not None and current.pk not in seen:
            seen.add(current.pk)
            head = unit_head(unit=current)
            if head is not None and head.user_id is not None:
                users.setdefault(head.user_id, head.user)
                break
            current = current.parent
    return [u for u in users.values() if u.is_active]


def replan_publish(*, plan: RosterPlan) -> str:
    """Finish a replan once solved: publish it in place of the plan it replaces (which becomes
    superseded), put the pinned days of the old plan back, notify each employee whose days changed (with
    the dates) and send the heads of their units a summary. A replan whose old plan is no longer the
    published one stays a draft for review; an infeasible one leaves the old plan published and tells
    the heads. Returns the outcome."""
    from siaga.core.services import notify
    from siaga.engines.roster.types import parse_problem
    from siaga.rostering.selectors import plan_as_engine_plan, plan_diff, plan_rule_breaks

    with transaction.atomic():
        new = RosterPlan.objects.select_for_update(of=("self",)).select_related("government", "unit").get(pk=plan.pk)
        if new.replaces_id is None:
            return "skipped"
        old = RosterPlan.objects.select_for_update().filter(pk=new.replaces_id).first()
        if old is None or new.status not in (RosterPlan.Status.DRAFT, RosterPlan.Status.INFEASIBLE):
            return "skipped"
        if new.cancel_requested:  # withdrawn for a newer replan of the same plan, or stopped by hand
            return "withdrawn"
        changes_link = f"{settings.BASE_URL}{reverse('rostering:plan_changes', args=[new.pk])}"
        scope_units = [new.unit] if new.unit is not None else []
        if new.status == RosterPlan.Status.INFEASIBLE:
            for user in _heads_of(scope_units) or [u for u in [old.created_by] if u is not None]:
                notify(
                    user=user,
                    government=new.government,
                    subject=_("Replanning %(name)s failed") % {"name": new.name},
                    body=_(
                        "Planned again (after an absence or a building measure), the roster cannot keep every "
                        "rule; the published roster stays. Open the new plan to read why, and change the days by hand."
                    ),
                    link=changes_link,
                )
            return "infeasible"
        if old.status != RosterPlan.Status.PUBLISHED:
            return "draft"
        # Pinned days of the old plan stay as the head set them, wherever the employee is available.
        kept = {
            (row.employee_id, row.date): row
            for row in RosterAssignment.objects.filter(plan=old, pinned_by__isnull=False)
        }
        repinned = 0
        for row in RosterAssignment.objects.select_for_update().filter(plan=new):
            pin = kept.get((row.employee_id, row.date))
            if pin is None or row.mode == RosterAssignment.Mode.OFF:
                continue
            if (row.mode, row.shift) != (pin.mode, pin.shift):
                repinned += 1
            row.mode, row.shift, row.pinned_by_id = pin.mode, pin.shift, pin.pinned_by_id
            row.save(update_fields=["mode", "shift", "pinned_by"])
        broken: list[RuleBreak] = []
        if repinned:
            problem = parse_problem(new.problem)
            engine_plan = plan_as_engine_plan(plan=new, problem=problem)
            _plan_result_sync(new, engine_plan)
            broken = plan_rule_breaks(plan=new, problem=problem, engine_plan=engine_plan)
        same_scope = Q(unit__isnull=True) if new.unit_id is None else Q(unit_id=new.unit_id)
        RosterPlan.objects.filter(
            same_scope,
            government_id=new.government_id,
            status=RosterPlan.Status.PUBLISHED,
            start__lte=new.end,
            end__gte=new.start,
        ).exclude(pk=new.pk).update(status=RosterPlan.Status.SUPERSEDED)
        new.status = RosterPlan.Status.PUBLISHED
        new.published_at = timezone.now()
        new.save(update_fields=["status", "published_at"])
        changes = plan_diff(old, new)
        audit_record(
            actor=None,
            government=new.government_id,
            action="update",
            obj=new,
            changes={
                "status": ["draft", "published"],
                "replaces": old.pk,
                "changed_days": len(changes),
                "repinned": repinned,
            },
        )
        by_person: dict[int, list[Any]] = {}
        for change in changes:
            by_person.setdefault(change.employee.pk, []).append(change)
        schedule_link = f"{settings.BASE_URL}{reverse('rostering:my_schedule')}"
        for days in by_person.values():
            person = days[0].employee
            user = person.user if person.user_id is not None else None
            if user is None or not user.is_active:
                continue
            notify(
                user=user,
                government=new.government,
                subject=_("Your work schedule changed on %(dates)s")
                % {"dates": ", ".join(date_format(c.date, "j M") for c in days)},
                body=_(
                    "The roster was planned again (after an absence or a building measure). Your days that changed: "
                    "%(days)s."
                )
                % {
                    "days": "; ".join(
                        f"{date_format(c.date, 'j M')}: {_slot_label(c.before)} → {_slot_label(c.after)}" for c in days
                    )
                },
                link=schedule_link,
            )
        units = list({c.employee.unit_id: c.employee.unit for c in changes}.values())
        summary = _(
            "The roster was planned again (after an absence or a building measure) and published: %(days)s "
            "days of %(people)s employees changed; only they were told."
        ) % {"days": len(changes), "people": len(by_person)}
        if broken:
            summary += " " + _("Days pinned by hand were kept and break these rules: %(rules)s.") % {
                "rules": "; ".join(b.message for b in broken)
            }
        for user in _heads_of(scope_units + units):
            notify(
                user=user,
                government=new.government,
                subject=_("Roster replanned: %(name)s") % {"name": new.name},
                body=summary,
                link=changes_link,
            )
    return "published"


def assignment_override_preview(*, plan: RosterPlan, changes: dict[int, tuple[str, str]]) -> list[RuleBreak]:
    """What ``assignment_override`` would report, without saving: the hard rules the plan would break
    after setting each employee's day (``changes``: assignment id → (mode, shift)) that it does not
    break already. For workflows that ask the head before changing a published roster (recalls)."""
    from siaga.engines.roster import types as rt
    from siaga.engines.roster.types import parse_problem
    from siaga.rostering.selectors import plan_as_engine_plan, plan_rule_breaks

    problem = parse_problem(plan.problem)
    before_plan = plan_as_engine_plan(plan=plan, problem=problem)
    before = {(b.rule, b.message) for b in plan_rule_breaks(plan=plan, problem=problem, engine_plan=before_plan)}
    keys = {
        (nip, date): changes[pk]
        for pk, nip, date in RosterAssignment.objects.filter(plan=plan, pk__in=list(changes)).values_list(
            "pk", "employee__nip", "date"
        )
    }
    assignments = []
    for a in before_plan.assignments:
        change = keys.get((a.employee, a.date))
        if change is not None:
            mode, shift = change
            a = rt.Assignment(a.employee, a.date, mode, shift if mode == RosterAssignment.Mode.WFO else None)
        assignments.append(a)
    after_plan = dataclasses.replace(before_plan, assignments=assignments)
    return [
        b
        for b in plan_rule_breaks(plan=plan, problem=problem, engine_plan=after_plan)
        if (b.rule, b.message) not in before
    ]
