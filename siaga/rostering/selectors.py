"""Reads of the rostering app, scoped to the actor through ``siaga.core.access``.

Policy, situation and the problem file are BKPSDM's (admin); coverage rules are also the unit heads',
for the units they head and those below. Leave: the person's own, and that of the units one heads.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from siaga.core import access
from siaga.core.access import Actor, Perm
from siaga.core.models import Role
from siaga.org.models import Employee, Skill, Unit
from siaga.rostering.models import (
    Absence,
    CoverageRule,
    GovernmentPolicy,
    GovernmentSituation,
    Leave,
    RosterAssignment,
    RosterPlan,
    WorkPolicy,
)


def require_policy_admin(actor: Actor) -> None:
    """Policy pages are for the government admin (BKPSDM) only."""
    actor.require(Perm.MANAGE_ROSTER)
    if not actor.has_role(Role.ADMIN):
        raise PermissionDenied(Perm.MANAGE_ROSTER)


def preset_list() -> QuerySet[WorkPolicy]:
    return WorkPolicy.objects.filter(government__isnull=True).order_by("effective_from", "code")


def preset_get(*, pk: int) -> WorkPolicy:
    preset = preset_list().filter(pk=pk).first()
    if preset is None:
        raise Http404
    return preset


def policy_list(*, actor: Actor) -> QuerySet[WorkPolicy]:
    require_policy_admin(actor)
    return access.scope_government(actor, WorkPolicy.objects.all()).order_by("-effective_from", "code")


def policy_get(*, actor: Actor, pk: int) -> WorkPolicy:
    policy = policy_list(actor=actor).filter(pk=pk).first()
    if policy is None:
        raise Http404
    return policy


def policy_selection_list(*, actor: Actor) -> QuerySet[GovernmentPolicy]:
    require_policy_admin(actor)
    return access.scope_government(actor, GovernmentPolicy.objects.select_related("policy")).order_by("-effective_from")


def situation_list(*, actor: Actor) -> QuerySet[GovernmentSituation]:
    require_policy_admin(actor)
    return access.scope_government(actor, GovernmentSituation.objects.all()).order_by("-effective_from")


def roster_unit_list(*, actor: Actor) -> QuerySet[Unit]:
    """Units whose coverage rules the actor may edit: every unit for BKPSDM, headed units (and below)
    for a unit head, none otherwise."""
    if not actor.has_perm(Perm.MANAGE_ROSTER):
        return Unit.objects.none()
    qs = access.scope_org(actor, Unit.objects.filter(is_active=True)).select_related("roster_settings", "floor")
    if not actor.has_role(Role.ADMIN):
        qs = qs.filter(pk__in=actor.managed_unit_ids)
    return qs.order_by("code")


def roster_unit_get(*, actor: Actor, pk: int) -> Unit:
    unit = roster_unit_list(actor=actor).filter(pk=pk).first()
    if unit is None:
        raise Http404
    return unit


def coverage_rule_get(*, actor: Actor, pk: int) -> CoverageRule:
    rule = (
        access.scope_government(actor, CoverageRule.objects.all())
        .filter(pk=pk, unit__in=roster_unit_list(actor=actor))
        .select_related("unit", "skill")
        .first()
    )
    if rule is None:
        raise Http404
    return rule


def skill_list(*, actor: Actor) -> QuerySet[Skill]:
    return access.scope_org(actor, Skill.objects.all()).order_by("code")


def leave_list(*, actor: Actor) -> QuerySet[Leave]:
    """The actor's own leave and that of the units they head (and below); BKPSDM sees all."""
    qs = access.scope_government(actor, Leave.objects.select_related("employee", "employee__unit", "decided_by"))
    if actor.has_role(Role.ADMIN):
        return qs
    condition = Q(pk__in=[])
    if actor.employee_id:
        condition |= Q(employee_id=actor.employee_id)
    if actor.managed_unit_ids:
        condition |= Q(employee__unit_id__in=actor.managed_unit_ids)
    return qs.filter(condition)


def leave_get(*, actor: Actor, pk: int) -> Leave:
    leave = leave_list(actor=actor).filter(pk=pk).first()
    if leave is None:
        raise Http404
    return leave


# ---------------------------------------------------------------------------------------------------
# Roster plans


def plannable_units(*, actor: Actor) -> QuerySet[Unit]:
    """Units the actor may plan: every unit for BKPSDM, the headed units (and below) for a unit head."""
    if not actor.has_perm(Perm.MANAGE_ROSTER):
        return Unit.objects.none()
    qs = access.scope_org(actor, Unit.objects.filter(is_active=True))
    if actor.has_role(Role.ADMIN):
        return qs.order_by("code")
    return qs.filter(pk__in=actor.managed_unit_ids).order_by("code")


def plan_list(*, actor: Actor) -> QuerySet[RosterPlan]:
    """Plans the actor may see: all for BKPSDM; a unit head those of the units they head (and below)."""
    if not actor.has_perm(Perm.MANAGE_ROSTER):
        return RosterPlan.objects.none()
    qs = access.scope_government(actor, RosterPlan.objects.select_related("unit", "created_by"))
    if not actor.has_role(Role.ADMIN):
        qs = qs.filter(unit_id__in=actor.managed_unit_ids)
    return qs.defer("problem", "result").order_by("-created_at", "-id")


def plan_get(*, actor: Actor, pk: int, full: bool = False) -> RosterPlan:
    qs = plan_list(actor=actor)
    if full:
        qs = qs.defer(None)
    plan = qs.filter(pk=pk).first()
    if plan is None:
        raise Http404
    return plan


@dataclass
class DayLoad:
    date: dt.date
    shift: str
    on_site: int
    limit: int

    @property
    def level(self) -> str:
        """ok below 80 % of the limit, warn up to it, bad above it (a broken rule)."""
        if self.limit <= 0:
            return "bad" if self.on_site else "ok"
        share = self.on_site / self.limit
        return "bad" if share > 1 else ("warn" if share >= 0.8 else "ok")


def plan_heatmap(*, plan: RosterPlan, by: str = "unit") -> tuple[list[dt.date], list[str], list[dict[str, Any]]]:
    """On-site people per unit (against the unit's cap) or per floor (against its capacity), per day and
    shift. Returns the days, the shifts and one row per unit/floor with its cells in (day, shift) order."""
    problem = plan.problem
    days = sorted({dt.date.fromisoformat(a["date"]) for a in plan.result.get("assignments", [])})
    shifts = [s["id"] for s in problem.get("shifts", [])]
    members: dict[str, int] = {}
    floor_of: dict[str, str] = {}
    unit_of: dict[str, str] = {}
    unit_floor = {u["id"]: u["floor"] for u in problem.get("units", [])}
    for e in problem.get("employees", []):
        unit_of[e["id"]] = e["unit"]
        floor_of[e["id"]] = e.get("floor") or unit_floor[e["unit"]]
        members[e["unit"]] = members.get(e["unit"], 0) + 1
    counts: dict[tuple[str, dt.date, str], int] = {}
    for a in plan.result.get("assignments", []):
        if a["mode"] != "wfo":
            continue
        key = unit_of[a["employee"]] if by == "unit" else floor_of[a["employee"]]
        slot = (key, dt.date.fromisoformat(a["date"]), a["shift"])
        counts[slot] = counts.get(slot, 0) + 1
    rows = []
    if by == "unit":
        names = dict(Unit.objects.filter(government_id=plan.government_id).values_list("code", "name"))
        for u in problem.get("units", []):
            limit = int(u["wfo_cap"] * members.get(u["id"], 0) + 1e-9)
            cells = [DayLoad(d, s, counts.get((u["id"], d, s), 0), limit) for d in days for s in shifts]
            rows.append(
                {
                    "id": u["id"],
                    "name": names.get(u["id"], u["id"]),
                    "size": members.get(u["id"], 0),
                    "limit": limit,
                    "cells": cells,
                }
            )
    else:
        for f in problem.get("floors", []):
            cells = [DayLoad(d, s, counts.get((f["id"], d, s), 0), f["capacity"]) for d in days for s in shifts]
            if any(c.on_site for c in cells):
                rows.append({"id": f["id"], "name": f["id"], "size": None, "limit": f["capacity"], "cells": cells})
    return days, shifts, rows


def plan_unit_grid(*, plan: RosterPlan, unit_code: str) -> tuple[list[dt.date], list[dict[str, Any]]]:
    """Each employee of a unit with their assignment per day (for the unit head)."""
    rows: dict[int, dict[str, Any]] = {}
    days: set[dt.date] = set()
    qs = (
        RosterAssignment.objects.filter(
            plan=plan, employee__unit__code=unit_code, employee__government_id=plan.government_id
        )
        .select_related("employee")
        .order_by("employee__name", "date")
    )
    for a in qs:
        row = rows.setdefault(a.employee_id, {"employee": a.employee, "cohort": a.cohort, "days": {}})
        row["days"][a.date] = a
        days.add(a.date)
    ordered = sorted(days)
    for row in rows.values():
        row["cells"] = [row["days"].get(d) for d in ordered]
    return ordered, list(rows.values())


def my_schedule(*, actor: Actor, start: dt.date, end: dt.date) -> list[RosterAssignment]:
    """The actor's own days from published plans (the newest plan wins where two cover a day)."""
    if not actor.employee_id:
        return []
    return _published_days(actor.employee_id, actor.government_id, start, end)


def progress_chart(*, plan: RosterPlan, width: int = 300, height: int = 80) -> dict[str, Any]:
    """The best total and the proven bound over time, as SVG polyline points, plus the latest figures."""
    points = [p for p in plan.progress if p and p[1] is not None]
    if not points:
        return {"best": "", "bound": "", "latest": None, "gap": None}
    t_max = max(plan.time_limit, points[-1][0]) or 1
    top = max(p[1] for p in points) or 1

    def line(index: int) -> str:
        return " ".join(f"{p[0] / t_max * width:.1f},{height - (p[index] or 0) / top * height:.1f}" for p in points)

    best, bound = points[-1][1], points[-1][2] or 0
    gap = (best - bound) / best * 100 if best else 0.0
    return {
        "best": line(1),
        "bound": line(2),
        "latest": {"t": points[-1][0], "best": best, "bound": bound},
        "gap": gap,
        "width": width,
        "height": height,
    }


# ---------------------------------------------------------------------------------------------------
# Overrides and replanning


def plan_assignment_get(*, actor: Actor, plan: RosterPlan, unit: Unit, pk: int) -> RosterAssignment:
    """One day of an employee of ``unit`` in ``plan`` (both already scoped to the actor by the caller)."""
    assignment = (
        RosterAssignment.objects.filter(
            pk=pk, plan=plan, employee__unit=unit, employee__government_id=actor.government_id
        )
        .select_related("employee", "employee__unit", "plan")
        .first()
    )
    if assignment is None:
        raise Http404
    return assignment


def plan_as_engine_plan(*, plan: RosterPlan, problem: Any = None) -> Any:
    """The plan as the roster engine's ``Plan``, rebuilt from its stored rows (hand overrides included);
    cohorts and status come from the solver's result, the objective is recomputed from the rows."""
    from siaga.engines.roster import types as rt
    from siaga.engines.roster.objective import objective_terms

    rows = RosterAssignment.objects.filter(plan=plan).order_by("employee__nip", "date")
    assignments = []
    from_rows: dict[str, dict[str, list[str]]] = {}
    for nip, unit, date, mode, shift, cohort in rows.values_list(
        "employee__nip", "employee__unit__code", "date", "mode", "shift", "cohort"
    ):
        assignments.append(
            rt.Assignment(nip, date, mode, shift if mode == RosterAssignment.Mode.WFO and shift else None)
        )
        team = from_rows.setdefault(unit, {}).setdefault(cohort, [])
        if not team or team[-1] != nip:
            team.append(nip)
    result = plan.result or {}
    cohorts = result.get("cohorts") or from_rows  # the rows' cohorts when the result is not loaded
    engine_plan = rt.Plan(
        status=result.get("status", "feasible"),
        assignments=assignments,
        cohorts=cohorts,
        bound=None,
        solve_seconds=float(result.get("solve_seconds", 0.0)),
    )
    if problem is None and plan.problem:
        problem = rt.parse_problem(plan.problem)
    if problem is not None:
        engine_plan.objective = objective_terms(problem, assignments, cohorts)
    return engine_plan


@dataclass(frozen=True)
class DayChange:
    """One employee's day that differs between two plans: (mode, shift) before and after."""

    employee: Any
    date: dt.date
    before: tuple[str, str]
    after: tuple[str, str]


def plan_diff(old: RosterPlan, new: RosterPlan) -> list[DayChange]:
    """The (employee, day) whose mode or shift differ between ``old`` and ``new`` (days of both plans),
    ordered by employee name and date."""
    before = {
        (employee_id, date): (mode, shift if mode == RosterAssignment.Mode.WFO else "")
        for employee_id, date, mode, shift in RosterAssignment.objects.filter(plan=old).values_list(
            "employee_id", "date", "mode", "shift"
        )
    }
    changed: list[tuple[int, dt.date, tuple[str, str], tuple[str, str]]] = []
    for employee_id, date, mode, shift in RosterAssignment.objects.filter(plan=new).values_list(
        "employee_id", "date", "mode", "shift"
    ):
        now = (mode, shift if mode == RosterAssignment.Mode.WFO else "")
        was = before.get((employee_id, date))
        if was is not None and was != now:
            changed.append((employee_id, date, was, now))
    from siaga.org.models import Employee

    people = Employee.objects.select_related("unit", "user").in_bulk({c[0] for c in changed})
    out = [DayChange(people[e], d, was, now) for e, d, was, now in changed]
    out.sort(key=lambda c: (c.employee.name, c.employee.pk, c.date))
    return out


def plan_changes_get(*, actor: Actor, pk: int) -> tuple[RosterPlan, RosterPlan | None, list[DayChange]]:
    """A plan, the plan it replaced (None when it replaced none) and the days that changed. BKPSDM and
    the heads of the plan's unit see every change; a head of a unit inside a wider plan (who is told
    about a replan there) sees the changes of the units they head."""
    actor.require(Perm.MANAGE_ROSTER)
    plan = access.scope_government(actor, RosterPlan.objects.select_related("unit")).filter(pk=pk).first()
    if plan is None:
        raise Http404
    managed = actor.managed_unit_ids
    whole = actor.has_role(Role.ADMIN) or plan.unit_id in managed
    if not whole and (
        plan.replaces_id is None
        or not RosterAssignment.objects.filter(plan=plan, employee__unit_id__in=managed).exists()
    ):
        raise Http404
    old = None
    if plan.replaces_id is not None:
        old = RosterPlan.objects.filter(pk=plan.replaces_id, government_id=plan.government_id).first()
    changes = plan_diff(old, plan) if old is not None else []
    if not whole:
        changes = [c for c in changes if c.employee.unit_id in managed]
    return plan, old, changes


# ---------------------------------------------------------------------------------------------------
# Calendar feed and exports


def calendar_feed_of(*, actor: Actor) -> Any:
    """The actor's own calendar feed (``CalendarFeed``), or None."""
    from siaga.rostering.models import CalendarFeed

    if not actor.employee_id:
        return None
    return CalendarFeed.objects.filter(employee_id=actor.employee_id, government_id=actor.government_id).first()


def calendar_feed_get(*, secret: str) -> Any:
    """The feed (``CalendarFeed``, with its employee and government) a secret address opens; 404 for an
    unknown or revoked secret, or a person or government no longer active."""
    from siaga.core.services import hash_token
    from siaga.rostering.models import CalendarFeed

    if not secret or len(secret) > 100:
        raise Http404
    feed = (
        CalendarFeed.objects.filter(
            key_hash=hash_token(secret), employee__is_active=True, employee__government__is_active=True
        )
        .select_related("employee", "employee__government")
        .first()
    )
    if feed is None or feed.government_id != feed.employee.government_id:
        raise Http404
    return feed


def published_days(*, employee: Any, start: dt.date, end: dt.date) -> list[RosterAssignment]:
    """An employee's days from published plans (the newest plan wins where two cover a day), with the
    plan's dates but not its problem or result."""
    return _published_days(employee.pk, employee.government_id, start, end)


def _published_days(employee_id: int, government_id: int, start: dt.date, end: dt.date) -> list[RosterAssignment]:
    # a plan's problem and result are the whole government's (megabytes of JSON): never read them here
    qs = (
        RosterAssignment.objects.filter(
            employee_id=employee_id,
            plan__status=RosterPlan.Status.PUBLISHED,
            plan__government_id=government_id,
            date__gte=start,
            date__lte=end,
        )
        .select_related("plan")
        .defer("plan__problem", "plan__result", "plan__progress")
        .order_by("date", "-plan__published_at")
    )
    seen: dict[dt.date, RosterAssignment] = {}
    for a in qs:
        seen.setdefault(a.date, a)
    return list(seen.values())


def plan_shift_times(*, plan_ids: set[int]) -> dict[int, dict[str, tuple[dt.time, dt.time]]]:
    """Start and end of each shift of the given plans, from the problem they were solved on."""
    times: dict[int, dict[str, tuple[dt.time, dt.time]]] = {}
    for pk, shifts in RosterPlan.objects.filter(pk__in=plan_ids).values_list("pk", "problem__shifts"):
        times[pk] = {
            s["id"]: (dt.time.fromisoformat(s["start"]), dt.time.fromisoformat(s["end"]))
            for s in (shifts or [])
            if isinstance(s, dict) and {"id", "start", "end"} <= set(s)
        }
    return times


def plan_unit_get(*, actor: Actor, pk: int, code: str) -> tuple[RosterPlan, Unit]:
    """A plan and one unit of it the actor may see (as on the unit's grid page); 404 otherwise."""
    actor.require(Perm.MANAGE_ROSTER)
    plan = plan_get(actor=actor, pk=pk)
    unit = plannable_units(actor=actor).filter(code=code).first()
    if unit is None:
        raise Http404
    return plan, unit


# ---------------------------------------------------------------------------------------------------
# Rules a hand-edited plan breaks, in plain words

HARD_RULES = frozenset({"H1", "H2", "H3", "H4", "H5", "H6", "H7", "H8"})
_CAP = re.compile(r"^unit (?P<unit>\S+): (?P<count>\d+) on site on \S+, above the cap of (?P<limit>\d+)$")
_COVERAGE = re.compile(
    r"^unit (?P<unit>\S+): (?P<count>\d+) on site with skill \S+ in shift \S+ on \S+, "
    r"below the minimum of (?P<limit>\d+)$"
)
_CAPACITY = re.compile(
    r"^floor (?P<floor>\S+): (?P<count>\d+) on site in shift \S+ on \S+, above the capacity of (?P<limit>\d+)$"
)


@dataclass(frozen=True)
class RuleBreak:
    """One hard rule (``H1``…``H8``) the plan breaks, with a message for the unit head."""

    rule: str
    message: str
    date: dt.date | None = None


def rule_break_message(violation: Any, *, people: dict[str, str], units: dict[str, str]) -> str:
    """The checker's violation (English, for planners) as a translated sentence with its numbers."""
    from django.utils.formats import date_format
    from django.utils.translation import gettext as _

    v = violation
    values: dict[str, Any] = {
        "date": date_format(v.date, "j M") if v.date else "",
        "shift": v.shift or "",
        "skill": v.skill or "",
        "unit": units.get(v.unit or "", v.unit or ""),
        "floor": v.floor or "",
        "name": people.get(v.employee or "", v.employee or ""),
    }
    if v.rule == "H5" and (m := _CAP.match(v.message)):
        values.update(count=m["count"], limit=m["limit"])
        return _("WFO cap of %(unit)s exceeded on %(date)s: %(count)s on site, at most %(limit)s allowed") % values
    if v.rule == "H6" and (m := _COVERAGE.match(v.message)):
        values.update(count=m["count"], limit=m["limit"])
        return (
            _("Too few %(skill)s on site in %(unit)s on %(date)s, shift %(shift)s: %(count)s of the %(limit)s needed")
            % values
        )
    if v.rule == "H7" and (m := _CAPACITY.match(v.message)):
        values.update(count=m["count"], limit=m["limit"])
        return _("Floor %(floor)s over capacity on %(date)s, shift %(shift)s: %(count)s of %(limit)s") % values
    if v.rule == "H3" and "always works from home" in v.message:
        return _("%(name)s must work from home but is at the office on %(date)s") % values
    if v.rule == "H3":
        return _("%(name)s must work at the office but is at home on %(date)s") % values
    if v.rule == "H2" and "is unavailable" in v.message:
        return _("%(name)s is not available on %(date)s but is scheduled to work") % values
    values["detail"] = v.message
    return _("Rule %(rule)s is broken: %(detail)s") % {**values, "rule": v.rule}


def plan_rule_breaks(*, plan: RosterPlan, problem: Any = None, engine_plan: Any = None) -> list[RuleBreak]:
    """Every hard rule the plan as stored breaks, by the independent checker (the objective is recomputed
    from the rows, so only broken rules are reported, never a stale total)."""
    from siaga.engines.roster.check import check
    from siaga.engines.roster.types import parse_problem
    from siaga.org.models import Employee

    if problem is None:
        problem = parse_problem(plan.problem)
    if engine_plan is None:
        engine_plan = plan_as_engine_plan(plan=plan, problem=problem)
    found = [v for v in check(problem, engine_plan).violations if v.rule in HARD_RULES]
    if not found:
        return []
    nips = {v.employee for v in found if v.employee}
    people = dict(Employee.objects.filter(government_id=plan.government_id, nip__in=nips).values_list("nip", "name"))
    units = dict(Unit.objects.filter(government_id=plan.government_id).values_list("code", "name"))
    return [RuleBreak(v.rule, rule_break_message(v, people=people, units=units), v.date) for v in found]


def plan_has_pins(*, plan: RosterPlan) -> bool:
    return RosterAssignment.objects.filter(plan=plan, pinned_by__isnull=False).exists()


def plan_coverage(*, plan: RosterPlan) -> tuple[list[tuple[dt.date, str]], list[dict[str, Any]]]:
    """Coverage per service: for every unit's coverage rule, the holders of the skill on site in each
    day and shift against the minimum, so a planner sees at once where a service runs thin."""
    problem = plan.problem
    shifts = [s["id"] for s in problem.get("shifts", [])]
    assignments = plan.result.get("assignments", [])
    slots = sorted({(dt.date.fromisoformat(a["date"]), s) for a in assignments for s in shifts})
    skills = {e["id"]: set(e.get("skills", [])) for e in problem.get("employees", [])}
    unit_of = {e["id"]: e["unit"] for e in problem.get("employees", [])}
    on_site: dict[tuple[str, str, dt.date, str], int] = {}
    for a in assignments:
        if a["mode"] != "wfo":
            continue
        for skill in skills.get(a["employee"], ()):
            key = (unit_of[a["employee"]], skill, dt.date.fromisoformat(a["date"]), a["shift"])
            on_site[key] = on_site.get(key, 0) + 1
    names = dict(Unit.objects.filter(government_id=plan.government_id).values_list("code", "name"))
    rows = []
    for unit in problem.get("units", []):
        for rule in unit.get("coverage", []):
            cells = [
                DayLoad(day, shift, on_site.get((unit["id"], rule["skill"], day, shift), 0), rule["min"])
                for day, shift in slots
            ]
            spare = min((c.on_site - c.limit for c in cells), default=0)
            rows.append(
                {
                    "unit": unit["id"],
                    "name": names.get(unit["id"], unit["id"]),
                    "skill": rule["skill"],
                    "min": rule["min"],
                    "cells": cells,
                    "spare": spare,
                }
            )
    rows.sort(key=lambda r: (r["spare"], r["name"]))
    return slots, rows


def actor_employee(*, actor: Actor) -> Employee:
    """The employee record of the person acting; refuses people who have none."""
    if actor.employee_id is None:
        raise PermissionDenied
    return Employee.objects.select_related("position", "unit").get(pk=actor.employee_id)


def coverage_rules(*, unit: Unit) -> QuerySet[CoverageRule]:
    return CoverageRule.objects.filter(unit=unit).select_related("skill").order_by("skill__code")


def unavailability(*, employee_id: int, day: dt.date) -> str | None:
    """Why the employee cannot work on ``day`` (``leave``, ``travel``, ``isolation``, ``quarantine``,
    ``other``), or ``None``. For the employee's own screens and for services; show health reasons to
    other roles only through ``Absence.problem_reason``."""
    if Leave.objects.filter(
        employee_id=employee_id, status=Leave.Status.APPROVED, start__lte=day, end__gte=day
    ).exists():
        return "leave"
    absence = Absence.objects.filter(employee_id=employee_id, start__lte=day, end__gte=day).order_by("start").first()
    return None if absence is None else str(absence.reason)
