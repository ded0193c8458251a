"""Reads of the rostering app, scoped to the actor through ``siaga.core.access``.

Policy, situation and the problem file are BKPSDM's (admin); coverage rules are also the unit heads',
for the units they head and those below. Leave: the person's own, and that of the units one heads.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from siaga.core import access
from siaga.core.access import Actor, Perm
from siaga.core.models import Role
from siaga.org.models import Skill, Unit
from siaga.rostering.models import (
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
    qs = (
        RosterAssignment.objects.filter(
            employee_id=actor.employee_id,
            plan__status=RosterPlan.Status.PUBLISHED,
            plan__government_id=actor.government_id,
            date__gte=start,
            date__lte=end,
        )
        .select_related("plan")
        .order_by("date", "-plan__published_at")
    )
    seen: dict[dt.date, RosterAssignment] = {}
    for a in qs:
        seen.setdefault(a.date, a)
    return list(seen.values())


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
