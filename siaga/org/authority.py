"""The one authority check every approval and signature calls: ``can_act``.

A definitive official (the holder of a unit's head position) may take any decision for that unit
and the units below it. An acting official (Plh while the official is absent, Plt while the post is
vacant) may take routine decisions only: SE BKN 1/SE/I/2021 (from UU 30/2014 art. 14) forbids them
strategic decisions that change legal status in organisation, staffing or budget, and appointing,
transferring or dismissing staff.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from django.utils import timezone
from django.utils.translation import gettext as _

from siaga.org.models import Delegation, Employee, Unit


class Action(StrEnum):
    """Decisions that need a unit head's authority."""

    # Routine: allowed to Plh and Plt.
    APPROVE_LEAVE = "approve_leave"
    APPROVE_TRAVEL = "approve_travel"
    APPROVE_WORK_REPORT = "approve_work_report"
    ISSUE_DUTY_LETTER = "issue_duty_letter"
    RECALL_STAFF = "recall_staff"
    PLAN_ROSTER = "plan_roster"
    SET_PERFORMANCE_TARGET = "set_performance_target"
    LIGHT_DISCIPLINE = "light_discipline"
    SIGN_SERVICE_DECISION = "sign_service_decision"
    APPROVE_MEETING = "approve_meeting"
    # Strategic: refused to Plh and Plt.
    APPOINT_STAFF = "appoint_staff"
    TRANSFER_STAFF = "transfer_staff"
    DISMISS_STAFF = "dismiss_staff"
    HEAVY_DISCIPLINE = "heavy_discipline"
    CHANGE_ORGANISATION = "change_organisation"
    APPROVE_BUDGET = "approve_budget"
    APPROVE_UNPAID_LEAVE = "approve_unpaid_leave"


STRATEGIC_ACTIONS = frozenset(
    {
        Action.APPOINT_STAFF,
        Action.TRANSFER_STAFF,
        Action.DISMISS_STAFF,
        Action.HEAVY_DISCIPLINE,
        Action.CHANGE_ORGANISATION,
        Action.APPROVE_BUDGET,
        Action.APPROVE_UNPAID_LEAVE,
    }
)


@dataclass(frozen=True)
class Authority:
    """The answer of ``can_act``: truthy when allowed, with the basis and a reason to show."""

    allowed: bool
    basis: str  # "official", "plh", "plt" or "" when refused
    reason: str
    delegation_id: int | None = None
    unit_id: int | None = None

    def __bool__(self) -> bool:
        return self.allowed


def _ancestry(unit: Unit) -> list[Unit]:
    """The unit and its ancestors, nearest first (cycles are refused on write, but guard anyway)."""
    chain: list[Unit] = []
    seen: set[int] = set()
    current: Unit | None = unit
    while current is not None and current.pk not in seen:
        chain.append(current)
        seen.add(current.pk)
        current = current.parent
    return chain


def can_act(employee: Employee, action: Action | str, unit: Unit, on: dt.date | None = None) -> Authority:
    """May ``employee`` take ``action`` for ``unit`` on date ``on`` (today by default)?"""
    action = Action(action)
    day = on or timezone.localdate()
    if employee.government_id != unit.government_id or not employee.is_active:
        return Authority(False, "", _("%(name)s does not work for this government.") % {"name": employee.name})
    chain = _ancestry(unit)
    chain_ids = [u.pk for u in chain]
    position = employee.position
    if position is not None and position.is_head and position.unit_id in chain_ids:
        return Authority(
            True,
            "official",
            _("%(name)s heads %(unit)s.") % {"name": employee.name, "unit": position.unit.name},
            unit_id=position.unit_id,
        )
    delegations = {
        d.unit_id: d
        for d in Delegation.objects.filter(
            acting=employee, unit_id__in=chain_ids, start__lte=day, end__gte=day, revoked_at__isnull=True
        ).select_related("unit")
    }
    delegation = next((delegations[uid] for uid in chain_ids if uid in delegations), None)
    if delegation is None:
        return Authority(
            False,
            "",
            _("%(name)s is neither the head of %(unit)s nor its acting official on %(date)s.")
            % {"name": employee.name, "unit": unit.name, "date": day.strftime("%d-%m-%Y")},
        )
    label = delegation.kind.capitalize()
    if action in STRATEGIC_ACTIONS:
        return Authority(
            False,
            "",
            _(
                "As %(kind)s of %(unit)s, %(name)s may not take this decision: acting officials may not "
                "decide on organisation, staffing or budget (SE BKN 1/SE/I/2021)."
            )
            % {"kind": label, "unit": delegation.unit.name, "name": employee.name},
            delegation_id=delegation.pk,
            unit_id=delegation.unit_id,
        )
    return Authority(
        True,
        delegation.kind,
        _("%(name)s acts as %(kind)s of %(unit)s until %(end)s.")
        % {
            "name": employee.name,
            "kind": label,
            "unit": delegation.unit.name,
            "end": delegation.end.strftime("%d-%m-%Y"),
        },
        delegation_id=delegation.pk,
        unit_id=delegation.unit_id,
    )
