"""Reads of the core app."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from siaga.core import access
from siaga.core.access import Actor, DerivedRole, Perm
from siaga.core.models import ApiToken, AuditEvent, Notification, Role


def inbox(*, actor: Actor) -> QuerySet[Notification]:
    if not actor.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(
        recipient_id=actor.user_id, government_id=actor.government_id, channel=Notification.Channel.IN_APP
    ).order_by("-created_at", "-id")


@dataclass(frozen=True)
class AuditFilters:
    q: str = ""
    action: str = ""
    object_type: str = ""


def audit_events(*, actor: Actor, filters: AuditFilters | None = None) -> QuerySet[AuditEvent]:
    f = filters or AuditFilters()
    qs = access.scope_audit(actor, AuditEvent.objects.all())
    if f.q:
        qs = qs.filter(Q(actor_label__icontains=f.q) | Q(object_repr__icontains=f.q) | Q(object_id=f.q))
    if f.action:
        qs = qs.filter(action=f.action)
    if f.object_type:
        qs = qs.filter(object_type=f.object_type)
    return qs.order_by("-created_at", "-id")


def outbox(*, actor: Actor, status: str = "") -> QuerySet[Notification]:
    """E-mail and WhatsApp messages of the government, for admins watching delivery. The view shows
    who, how and whether it went, never the content: messages may concern someone's health."""
    if not actor.has_perm(Perm.VIEW_AUDIT):
        return Notification.objects.none()
    qs = access.scope_government(actor, Notification.objects.exclude(channel=Notification.Channel.IN_APP))
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("recipient").defer("subject", "body").order_by("-created_at", "-id")


def api_tokens(*, actor: Actor) -> QuerySet[ApiToken]:
    if not actor.has_perm(Perm.MANAGE_TOKENS):
        return ApiToken.objects.none()
    return access.scope_government(actor, ApiToken.objects.select_related("user")).order_by("-created_at")


def home_dashboard(*, actor: Actor) -> dict[str, Any]:
    """What each role sees first on the home page."""
    from siaga.org import selectors as org

    today = timezone.localdate()
    board: dict[str, Any] = {"roles": sorted(actor.roles), "today": today}
    if actor.employee_id:
        board["me"] = org.employee_get(actor=actor, pk=actor.employee_id)
    if actor.has_role(Role.ADMIN) or actor.has_role(Role.HEALTH):
        employees = org.employee_list(actor=actor)
        board["counts"] = {
            "units": org.unit_list(actor=actor).filter(is_active=True).count(),
            "employees": employees.count(),
            "buildings": org.building_list(actor=actor).count(),
            "delegations": org.delegations_active_today(actor=actor).count(),
        }
    if actor.has_role(Role.ADMIN):
        board["imports"] = list(org.import_job_list(actor=actor)[:5])
        board["expiring_delegations"] = list(
            org.delegations_active_today(actor=actor).filter(end__lte=today + dt.timedelta(days=14))
        )
    if actor.has_role(DerivedRole.UNIT_HEAD):
        board["headed_units"] = list(org.unit_list(actor=actor).filter(pk__in=actor.headed_unit_ids).order_by("code"))
        board["team_size"] = (
            org.employee_list(actor=actor, filters=org.EmployeeFilters())
            .filter(unit_id__in=actor.managed_unit_ids)
            .count()
        )
    board["acting"] = (
        list(org.delegations_active_today(actor=actor).filter(acting_id=actor.employee_id)) if actor.employee_id else []
    )
    board["unread"] = inbox(actor=actor).filter(read_at__isnull=True)[:5]
    return board
