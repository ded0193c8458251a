"""Reads of the organisation, always scoped to the actor through ``siaga.core.access``."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from siaga.core import access
from siaga.core.access import Actor
from siaga.core.services import audit_record
from siaga.org.models import Building, Delegation, Employee, Floor, ImportJob, Position, RiskProfile, Room, Unit


def unit_parent_map(*, government_id: int) -> dict[int, int | None]:
    return dict(Unit.objects.filter(government_id=government_id).values_list("id", "parent_id"))


def unit_descendant_ids(*, government_id: int, unit_ids: Iterable[int]) -> frozenset[int]:
    """The given units and every unit below them."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for uid, parent in unit_parent_map(government_id=government_id).items():
        children[parent].append(uid)
    found: set[int] = set()
    stack = list(unit_ids)
    while stack:
        uid = stack.pop()
        if uid in found:
            continue
        found.add(uid)
        stack.extend(children.get(uid, ()))
    return frozenset(found)


@dataclass
class UnitNode:
    unit: Unit
    employee_count: int = 0
    children: list[UnitNode] = field(default_factory=list)

    @property
    def total_employees(self) -> int:
        return self.employee_count + sum(child.total_employees for child in self.children)


def unit_tree(*, actor: Actor) -> list[UnitNode]:
    """The OPD tree with the number of active employees per unit."""
    units = (
        access.scope_org(actor, Unit.objects.all())
        .annotate(n_employees=Count("employees", filter=Q(employees__is_active=True)))
        .select_related("building", "floor")
    )
    nodes = {u.pk: UnitNode(unit=u, employee_count=u.n_employees) for u in units}
    roots: list[UnitNode] = []
    for node in nodes.values():
        parent = nodes.get(node.unit.parent_id) if node.unit.parent_id else None
        (parent.children if parent else roots).append(node)
    for node in nodes.values():
        node.children.sort(key=lambda n: n.unit.code)
    roots.sort(key=lambda n: n.unit.code)
    return roots


@dataclass(frozen=True)
class UnitFilters:
    q: str = ""
    kind: str = ""
    #: only the direct children of this unit
    parent_id: int | None = None
    #: this unit and every unit below it
    within_id: int | None = None
    public_service: bool | None = None
    essential: bool | None = None
    active: bool | None = None


def unit_list(*, actor: Actor, filters: UnitFilters | None = None) -> QuerySet[Unit]:
    qs = access.scope_org(actor, Unit.objects.all()).select_related("parent", "building", "floor")
    if filters is None:
        return qs
    f = filters
    if f.q:
        qs = qs.filter(Q(name__icontains=f.q.strip()) | Q(code__icontains=f.q.strip()))
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.parent_id:
        qs = qs.filter(parent_id=f.parent_id)
    if f.within_id:
        qs = qs.filter(pk__in=unit_descendant_ids(government_id=actor.government_id, unit_ids=[f.within_id]))
    if f.public_service is not None:
        qs = qs.filter(public_service=f.public_service)
    if f.essential is not None:
        qs = qs.filter(essential=f.essential)
    if f.active is not None:
        qs = qs.filter(is_active=f.active)
    return qs.order_by("code")


def unit_get(*, actor: Actor, pk: int | None = None, code: str | None = None) -> Unit:
    qs = unit_list(actor=actor)
    unit = qs.filter(pk=pk).first() if pk is not None else qs.filter(code=code).first()
    if unit is None:
        raise Http404
    return unit


def unit_head(*, unit: Unit) -> Employee | None:
    return (
        Employee.objects.filter(
            unit__government_id=unit.government_id, position__unit=unit, position__is_head=True, is_active=True
        )
        .select_related("position")
        .first()
    )


def unit_authorities(*, unit: Unit, on: dt.date, excluding: Employee | None = None) -> list[Employee]:
    """Who answers for ``unit`` on ``on``: the head in post and any Plh/Plt acting for it that day. When
    nobody is left besides ``excluding`` (say, the head is the person concerned), the unit above answers."""
    from siaga.org.models import Delegation

    current: Unit | None = unit
    seen: set[int] = set()
    while current is not None and current.pk not in seen:
        seen.add(current.pk)
        people: dict[int, Employee] = {}
        head = unit_head(unit=current)
        if head is not None:
            people[head.pk] = head
        for delegation in Delegation.objects.filter(
            unit=current, start__lte=on, end__gte=on, revoked_at__isnull=True, acting__is_active=True
        ).select_related("acting"):
            people.setdefault(delegation.acting_id, delegation.acting)
        if excluding is not None:
            people.pop(excluding.pk, None)
        if people:
            return list(people.values())
        current = current.parent
    return []


def position_list(*, actor: Actor, unit_id: int | None = None) -> QuerySet[Position]:
    qs = access.scope_org(actor, Position.objects.all()).select_related("unit")
    if unit_id is not None:
        qs = qs.filter(unit_id=unit_id)
    return qs


@dataclass(frozen=True)
class EmployeeFilters:
    q: str = ""
    unit_id: int | None = None
    include_subunits: bool = True
    status: str = ""
    skill: str = ""
    building_id: int | None = None
    active: bool | None = True


def employee_list(*, actor: Actor, filters: EmployeeFilters | None = None) -> QuerySet[Employee]:
    """Employees the actor may see, filtered; ordered by name."""
    f = filters or EmployeeFilters()
    qs = access.scope_employees(actor, Employee.objects.all()).select_related("unit", "position", "building", "floor")
    if f.active is not None:
        qs = qs.filter(is_active=f.active)
    if f.q:
        term = f.q.strip()
        digits = "".join(ch for ch in term if ch.isdigit())
        condition = Q(name__icontains=term)
        if len(digits) >= 4 and len(digits) == len(term.replace(" ", "")):
            condition |= Q(nip__startswith=digits)
        qs = qs.filter(condition)
    if f.unit_id:
        ids = (
            unit_descendant_ids(government_id=actor.government_id, unit_ids=[f.unit_id])
            if f.include_subunits
            else {f.unit_id}
        )
        qs = qs.filter(unit_id__in=ids)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.skill:
        # The join through skills is the only one that can repeat a row.
        qs = qs.filter(skills__code=f.skill).distinct()
    if f.building_id:
        qs = qs.filter(building_id=f.building_id)
    return qs.order_by("name", "nip")


def employee_get(*, actor: Actor, pk: int | None = None, nip: str | None = None) -> Employee:
    qs = (
        access.scope_employees(actor, Employee.objects.all())
        .select_related("unit", "position", "building", "floor", "user")
        .prefetch_related("skills")
    )
    employee = qs.filter(pk=pk).first() if pk is not None else qs.filter(nip=nip).first()
    if employee is None:
        raise Http404
    return employee


def government_employees(*, actor: Actor) -> QuerySet[Employee]:
    """Every active employee of the actor's government, outside the directory scope: a superior
    appointing a Plh/Plt may pick anyone. Callers show identity (NIP, name) only."""
    return access.scope_government(actor, Employee.objects.filter(is_active=True))


def unit_acting_today(*, unit: Unit) -> Delegation | None:
    """The Plh/Plt acting for the unit's head today, if any."""
    today = timezone.localdate()
    return (
        Delegation.objects.filter(unit=unit, start__lte=today, end__gte=today, revoked_at__isnull=True)
        .select_related("acting")
        .first()
    )


def government_employee_get(*, actor: Actor, nip: str) -> Employee:
    """Anyone of the actor's government by NIP, outside the directory scope: appointing a Plh/Plt
    and checking authority name people from other units. Callers show identity (NIP, name) only."""
    employee = (
        access.scope_government(actor, Employee.objects.all())
        .select_related("unit", "position", "position__unit")
        .filter(nip=nip)
        .first()
    )
    if employee is None:
        raise Http404
    return employee


def risk_profile_get(*, actor: Actor, employee: Employee, ip_address: str | None = None) -> RiskProfile | None:
    """Health data: refused unless the actor is the task force or the person; every read is logged."""
    if not access.can_view_health(actor, employee):
        raise access.PermissionDenied("health")
    profile = RiskProfile.objects.filter(employee=employee).first()
    audit_record(
        actor=actor.user,
        government=employee.government_id,
        action="read",
        object_type="org.riskprofile",
        object_id=str(employee.pk),
        object_repr=f"risk profile of {employee.nip}",
        ip_address=ip_address,
    )
    return profile


def building_list(*, actor: Actor, status: str = "") -> QuerySet[Building]:
    qs = access.scope_org(actor, Building.objects.all())
    if status:
        qs = qs.filter(status=status)
    return qs.annotate(n_floors=Count("floors", distinct=True)).order_by("name")


def building_get(*, actor: Actor, pk: int | None = None, code: str | None = None) -> Building:
    qs = access.scope_org(actor, Building.objects.all()).prefetch_related(
        Prefetch(
            "floors",
            queryset=Floor.objects.order_by("number").prefetch_related(
                Prefetch("rooms", queryset=Room.objects.order_by("code")),
                Prefetch("units", queryset=Unit.objects.order_by("code")),
            ),
        )
    )
    building = qs.filter(pk=pk).first() if pk is not None else qs.filter(code=code).first()
    if building is None:
        raise Http404
    return building


def floor_occupancy(*, building: Building) -> dict[int, int]:
    """Number of active employees assigned to each floor of a building."""
    rows = (
        Employee.objects.filter(government_id=building.government_id, floor__building=building, is_active=True)
        .values("floor_id")
        .annotate(n=Count("id"))
    )
    return {row["floor_id"]: row["n"] for row in rows}


def delegation_list(*, actor: Actor, active_on: dt.date | None = None) -> QuerySet[Delegation]:
    qs = access.scope_delegations(actor, Delegation.objects.all()).select_related(
        "unit", "official", "acting", "acting__position", "official__position"
    )
    if active_on is not None:
        qs = qs.filter(start__lte=active_on, end__gte=active_on, revoked_at__isnull=True)
    return qs.order_by("-start", "-id")


def delegation_get(*, actor: Actor, pk: int) -> Delegation:
    delegation = delegation_list(actor=actor).filter(pk=pk).first()
    if delegation is None:
        raise Http404
    return delegation


def delegations_active_today(*, actor: Actor) -> QuerySet[Delegation]:
    return delegation_list(actor=actor, active_on=timezone.localdate())


def import_job_list(*, actor: Actor) -> QuerySet[ImportJob]:
    if not actor.has_perm(access.Perm.MANAGE_ORG):
        return ImportJob.objects.none()
    return access.scope_government(actor, ImportJob.objects.all()).defer("content")


def import_job_get(*, actor: Actor, pk: int) -> ImportJob:
    job = import_job_list(actor=actor).filter(pk=pk).first()
    if job is None:
        raise Http404
    return job
