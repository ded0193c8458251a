"""Reads of the rostering app, scoped to the actor through ``siaga.core.access``.

Policy, situation and the problem file are BKPSDM's (admin); coverage rules are also the unit heads',
for the units they head and those below. Leave: the person's own, and that of the units one heads.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from siaga.core import access
from siaga.core.access import Actor, Perm
from siaga.core.models import Role
from siaga.org.models import Skill, Unit
from siaga.rostering.models import CoverageRule, GovernmentPolicy, GovernmentSituation, Leave, WorkPolicy


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
