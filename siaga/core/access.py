"""Who may do what: the one place that decides access.

An ``Actor`` is the person behind a request (or an API token) inside one government. Roles are
either assigned (``RoleAssignment``: admin/BKPSDM, health task force, service officer, citizen) or
derived: every user linked to an employee record is an *employee*; whoever holds the head position
of a unit, or acts for it today as Plh/Plt, is a *unit head* for that unit and the units below it.

Selectors call the ``scope_*`` functions here, so a queryset is never filtered ad hoc in a view.
Acting officials' limits on particular decisions live in ``siaga.org.authority.can_act``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import BooleanField, Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from siaga.core.models import Government, Role, RoleAssignment
from siaga.core.prepared import PreparedQuery

if TYPE_CHECKING:
    from siaga.org.models import Employee


class DerivedRole(StrEnum):
    UNIT_HEAD = "unit_head"
    EMPLOYEE = "employee"


class Perm(StrEnum):
    VIEW_ORG = "view_org"  # unit tree, buildings, floors, rooms
    VIEW_EMPLOYEES = "view_employees"  # employee directory (within scope)
    MANAGE_ORG = "manage_org"  # edit units, buildings, employees; import
    MANAGE_DELEGATIONS = "manage_delegations"  # appoint Plh/Plt (within scope)
    VIEW_AUDIT = "view_audit"
    VIEW_HEALTH = "view_health"  # risk profiles and, later, cases
    MANAGE_TOKENS = "manage_tokens"
    MANAGE_ROSTER = "manage_roster"  # work policy and situation (admin); coverage rules (admin, unit heads)
    ATTEND = "attend"  # own check-ins, work reports, travel permit requests, recall answers, meeting invitations
    MANAGE_ATTENDANCE = "manage_attendance"  # attendance, reports, permits, recalls of the managed units
    VIEW_PRESENCE = "view_presence"  # who was where and when (contact tracing)
    MANAGE_MEETINGS = "manage_meetings"  # request meetings and book rooms
    MANAGE_EVENTS = "manage_events"  # mass events (apel, diklat, bimtek) of the government
    MANAGE_MEASURES = "manage_measures"  # building measures and disinfection tasks
    APPLY = "apply"  # a citizen's own service applications
    PROCESS_APPLICATIONS = "process_applications"  # back office of the officer's own OPD
    VIEW_APPLICATIONS = "view_applications"  # applications of the government (admin) or managed units (heads)
    MANAGE_SERVICES = "manage_services"  # the service catalogue and face-to-face restrictions
    VIEW_COMMAND = "view_command"  # the command center: the government's day in aggregate figures


ROLE_PERMS: dict[str, frozenset[Perm]] = {
    Role.ADMIN: frozenset(
        {
            Perm.VIEW_ORG,
            Perm.VIEW_EMPLOYEES,
            Perm.MANAGE_ORG,
            Perm.MANAGE_DELEGATIONS,
            Perm.VIEW_AUDIT,
            Perm.MANAGE_TOKENS,
            Perm.MANAGE_ROSTER,
            Perm.MANAGE_ATTENDANCE,
            Perm.MANAGE_MEETINGS,
            Perm.MANAGE_EVENTS,
            Perm.MANAGE_MEASURES,
            Perm.VIEW_APPLICATIONS,
            Perm.MANAGE_SERVICES,
        }
    ),
    Role.HEALTH: frozenset(
        {Perm.VIEW_ORG, Perm.VIEW_EMPLOYEES, Perm.VIEW_HEALTH, Perm.VIEW_PRESENCE, Perm.MANAGE_MEASURES}
    ),
    Role.SERVICE_OFFICER: frozenset({Perm.VIEW_ORG, Perm.VIEW_EMPLOYEES, Perm.PROCESS_APPLICATIONS}),
    DerivedRole.UNIT_HEAD: frozenset(
        {
            Perm.VIEW_ORG,
            Perm.VIEW_EMPLOYEES,
            Perm.MANAGE_DELEGATIONS,
            Perm.MANAGE_ROSTER,
            Perm.MANAGE_ATTENDANCE,
            Perm.MANAGE_MEETINGS,
            Perm.VIEW_APPLICATIONS,
        }
    ),
    DerivedRole.EMPLOYEE: frozenset({Perm.VIEW_ORG, Perm.VIEW_EMPLOYEES, Perm.ATTEND}),
    Role.CITIZEN: frozenset({Perm.APPLY}),
}

#: Roles whose employee scope is the whole government.
GOVERNMENT_WIDE_ROLES = frozenset({Role.ADMIN, Role.HEALTH})


@dataclass
class Actor:
    """The person behind a request, inside one government."""

    user_id: int | None
    government: Government | None
    roles: frozenset[str]
    employee_id: int | None = None
    unit_id: int | None = None
    #: units this person heads today (as official or Plh/Plt), without descendants
    headed_unit_ids: frozenset[int] = frozenset()
    #: headed units as official only (not acting), without descendants
    official_unit_ids: frozenset[int] = frozenset()
    governments: tuple[Government, ...] = ()
    user: Any = field(default=None, repr=False)
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None and self.government is not None

    @property
    def government_id(self) -> int:
        """The government's id, or 0 (which matches no row) when there is none."""
        return self.government.pk if self.government else 0

    @property
    def tenant(self) -> Government:
        """The actor's government; refuses the request when there is none."""
        if self.government is None:
            raise PermissionDenied("no government")
        return self.government

    def has_role(self, role: str) -> bool:
        return role in self.roles

    def has_perm(self, perm: Perm) -> bool:
        return any(perm in ROLE_PERMS.get(role, ()) for role in self.roles)

    def require(self, perm: Perm) -> None:
        if not self.is_authenticated or not self.has_perm(perm):
            raise PermissionDenied(perm)

    @property
    def managed_unit_ids(self) -> frozenset[int]:
        """Headed units and every unit below them."""
        if "managed" not in self._cache:
            from siaga.org.selectors import unit_descendant_ids

            self._cache["managed"] = (
                unit_descendant_ids(government_id=self.government_id, unit_ids=self.headed_unit_ids)
                if self.headed_unit_ids and self.government_id
                else frozenset()
            )
        return frozenset(self._cache["managed"])


#: What ``actor_for_user`` loads with the employee record: the position (unit head) and the workplace.
EMPLOYEE_RELATED = (
    "position",
    "government",
    "unit__floor__building",
    "unit__building",
    "floor__building",
    "building",
)

ANONYMOUS = Actor(user_id=None, government=None, roles=frozenset())


# The two reads behind every request's actor, compiled once (``siaga.core.prepared``): on this hot path
# compiling the querysets cost more than running them.


def _assignments(user_id: int) -> QuerySet[RoleAssignment]:
    # No ORDER BY: the rows are few.
    return (
        RoleAssignment.objects.filter(user_id=user_id, government__is_active=True)
        .select_related("government")
        .order_by()
    )


def _employee(user_id: int, today: dt.date) -> QuerySet[Employee]:
    """The user's employee record with their workplace (for check-ins: ``attendance.selectors.
    actor_employee``) and whether they act for a unit today, so that the common case (no delegation)
    needs no further query. ``user`` is unique among employees, so there is at most one row."""
    from siaga.org.models import Delegation, Employee

    # A raw EXISTS: only table names from the models' metadata are interpolated; the dates are parameters.
    delegation, employees = Delegation._meta.db_table, Employee._meta.db_table
    acts_today = RawSQL(  # noqa: S611
        f'SELECT EXISTS (SELECT 1 FROM "{delegation}" d WHERE d.acting_id = "{employees}".id '  # noqa: S608
        f'AND d.government_id = "{employees}".government_id AND d.revoked_at IS NULL '
        f'AND d."start" <= %s AND d."end" >= %s)',
        (connection.ops.adapt_datefield_value(today),) * 2,
        output_field=BooleanField(),
    )
    # Whether the user holds any assigned role: most employees hold none, and then need no second read.
    has_roles = Exists(RoleAssignment.objects.filter(user_id=OuterRef("user_id"), government__is_active=True))
    return (
        Employee.objects.filter(user_id=user_id, is_active=True, government__is_active=True)
        .select_related(*EMPLOYEE_RELATED)
        .annotate(acts_today=acts_today, has_roles=has_roles)
        .order_by()[:1]
    )


_ASSIGNMENTS = PreparedQuery(_assignments, user_id=int)
_EMPLOYEE: PreparedQuery[Employee] = PreparedQuery(_employee, user_id=int, today=dt.date)


def request_actor(request: Any) -> Actor:
    """The actor of a request made by someone who belongs to a government; refuses anyone else."""
    actor: Actor = request.actor
    if not actor.is_authenticated:
        raise PermissionDenied
    return actor


def actor_for_user(user: Any, *, government_id: int | None = None, today: dt.date | None = None) -> Actor:
    """Build the actor for ``user`` in the chosen government (the first one they belong to by default)."""
    from siaga.org.models import Delegation

    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ANONYMOUS
    today = today or timezone.localdate()
    found = _EMPLOYEE.run(user_id=user.pk, today=today)
    employee: Employee | None = found[0] if found else None
    assignments = _ASSIGNMENTS.run(user_id=user.pk) if employee is None or getattr(employee, "has_roles", True) else []
    governments: dict[int, Government] = {a.government_id: a.government for a in assignments}
    if employee is not None:
        governments.setdefault(employee.government_id, employee.government)
    if not governments:
        return Actor(user_id=user.pk, government=None, roles=frozenset(), user=user)
    ordered = tuple(sorted(governments.values(), key=lambda g: g.code))
    government = governments.get(government_id) if government_id else None
    if government is None:
        government = governments[employee.government_id] if employee else ordered[0]
    roles = {a.role for a in assignments if a.government_id == government.pk}
    headed: set[int] = set()
    official: set[int] = set()
    emp = employee if employee is not None and employee.government_id == government.pk else None
    if emp is not None:
        roles.add(DerivedRole.EMPLOYEE)
        if emp.position is not None and emp.position.is_head:
            official.add(emp.position.unit_id)
        if getattr(emp, "acts_today", True):
            headed |= set(
                Delegation.objects.filter(
                    government=government, acting=emp, start__lte=today, end__gte=today, revoked_at__isnull=True
                ).values_list("unit_id", flat=True)
            )
        headed |= official
        if headed:
            roles.add(DerivedRole.UNIT_HEAD)
    actor = Actor(
        user_id=user.pk,
        government=government,
        roles=frozenset(roles),
        employee_id=emp.pk if emp else None,
        unit_id=emp.unit_id if emp else None,
        headed_unit_ids=frozenset(headed),
        official_unit_ids=frozenset(official),
        governments=ordered,
        user=user,
    )
    if emp is not None:
        actor._cache["employee"] = emp
    return actor


# ---------------------------------------------------------------------------------------------------
# Scopes: applied by selectors to querysets of each kind of row.


def scope_government(actor: Actor, qs: QuerySet[Any]) -> QuerySet[Any]:
    """Rows of the actor's government, or none."""
    if not actor.is_authenticated:
        return qs.none()
    return qs.filter(government_id=actor.government_id)


def scope_org(actor: Actor, qs: QuerySet[Any]) -> QuerySet[Any]:
    """Units, buildings, floors, rooms, positions: the organisation chart is open to its members."""
    if not actor.has_perm(Perm.VIEW_ORG):
        return qs.none()
    return scope_government(actor, qs)


def scope_employees(actor: Actor, qs: QuerySet[Employee]) -> QuerySet[Employee]:
    """Admins and the task force see every employee of their government; unit heads see the units
    they head (and below); everyone else sees the people of their own unit."""
    if not actor.has_perm(Perm.VIEW_EMPLOYEES):
        return qs.none()
    qs = scope_government(actor, qs)
    if actor.roles & GOVERNMENT_WIDE_ROLES:
        return qs
    condition = Q(pk=actor.employee_id) if actor.employee_id else Q(pk__in=[])
    if actor.unit_id:
        condition |= Q(unit_id=actor.unit_id)
    if actor.managed_unit_ids:
        condition |= Q(unit_id__in=actor.managed_unit_ids)
    return qs.filter(condition)


def can_view_contact(actor: Actor, employee: Employee) -> bool:
    """E-mail, phone and NIK: the person, admins, the task force and the heads over their unit."""
    if not actor.is_authenticated or employee.government_id != actor.government_id:
        return False
    if actor.employee_id == employee.pk or actor.roles & GOVERNMENT_WIDE_ROLES:
        return True
    return employee.unit_id in actor.managed_unit_ids


def can_view_health(actor: Actor, employee: Employee) -> bool:
    """Health data (risk profile, later cases): the task force and the person only."""
    if not actor.is_authenticated or employee.government_id != actor.government_id:
        return False
    return actor.has_perm(Perm.VIEW_HEALTH) or actor.employee_id == employee.pk


def can_manage_delegation(actor: Actor, unit_id: int, unit_parent_id: int | None) -> bool:
    """BKPSDM appoints any Plh/Plt; a unit's superior official appoints for the units below them."""
    if not actor.is_authenticated or not actor.has_perm(Perm.MANAGE_DELEGATIONS):
        return False
    if actor.has_role(Role.ADMIN):
        return True
    if unit_parent_id is None:
        return False
    from siaga.org.selectors import unit_descendant_ids

    below = unit_descendant_ids(government_id=actor.government_id, unit_ids=actor.headed_unit_ids)
    return unit_id in below and unit_id not in actor.headed_unit_ids


def scope_delegations(actor: Actor, qs: QuerySet[Any]) -> QuerySet[Any]:
    if not actor.is_authenticated:
        return qs.none()
    qs = scope_government(actor, qs)
    if actor.has_role(Role.ADMIN):
        return qs
    condition = Q(pk__in=[])
    if actor.employee_id:
        condition |= Q(acting_id=actor.employee_id) | Q(official_id=actor.employee_id)
    if actor.managed_unit_ids:
        condition |= Q(unit_id__in=actor.managed_unit_ids)
    return qs.filter(condition)


def scope_audit(actor: Actor, qs: QuerySet[Any]) -> QuerySet[Any]:
    if not actor.has_perm(Perm.VIEW_AUDIT):
        return qs.none()
    return scope_government(actor, qs)


# ---------------------------------------------------------------------------------------------------
# attendance: check-ins, exceptions and presence intervals.


def _own_or_managed(actor: Actor, qs: QuerySet[Any]) -> QuerySet[Any]:
    """Rows about an employee (``employee`` field): admins (BKPSDM) every row of their government, unit
    heads (and Plh/Plt) those of the units they manage, everyone their own; nobody else any."""
    if not actor.is_authenticated:
        return qs.none()
    qs = scope_government(actor, qs)
    if actor.has_role(Role.ADMIN):
        return qs
    condition = Q(employee_id=actor.employee_id) if actor.employee_id else Q(pk__in=[])
    if actor.has_perm(Perm.MANAGE_ATTENDANCE) and actor.managed_unit_ids:
        condition |= Q(employee__unit_id__in=actor.managed_unit_ids)
    return qs.filter(condition)


def _all_with_perm_or_own(actor: Actor, qs: QuerySet[Any], perm: Perm) -> QuerySet[Any]:
    """Rows about an employee: everyone holding ``perm`` sees the government's, an employee their own."""
    if not actor.is_authenticated:
        return qs.none()
    qs = scope_government(actor, qs)
    if actor.has_perm(perm):
        return qs
    if actor.employee_id:
        return qs.filter(employee_id=actor.employee_id)
    return qs.none()


def scope_check_ins(actor: Actor, qs: QuerySet[Any]) -> QuerySet[Any]:
    """Check-ins and attendance exceptions: admins see the government, unit heads the units they manage,
    everyone their own."""
    return _own_or_managed(actor, qs)


def scope_presence(actor: Actor, qs: QuerySet[Any]) -> QuerySet[Any]:
    """Presence intervals: the health task force sees the government's, everyone else only their own."""
    return _all_with_perm_or_own(actor, qs, Perm.VIEW_PRESENCE)


# ---------------------------------------------------------------------------------------------------
# Meetings app (meetings, mass events)


def scope_meetings(actor: Actor, qs: QuerySet[Any]) -> QuerySet[Any]:
    """Admins (BKPSDM) see every meeting of their government; unit heads those organised by the units
    they manage; everyone sees the meetings they are invited to or requested."""
    if not actor.is_authenticated:
        return qs.none()
    qs = scope_government(actor, qs)
    if actor.has_role(Role.ADMIN):
        return qs
    condition = Q(requested_by_id=actor.user_id)
    if actor.employee_id:
        condition |= Q(attendees__employee_id=actor.employee_id)
    if actor.managed_unit_ids:
        condition |= Q(organiser_unit_id__in=actor.managed_unit_ids)
    return qs.filter(pk__in=qs.filter(condition).values("pk"))


def can_manage_meeting(actor: Actor, meeting: Any) -> bool:
    """Change or cancel a meeting, mark others' attendance: whoever requested it, the heads over the
    organising unit, and admins (BKPSDM)."""
    if not actor.is_authenticated or meeting.government_id != actor.government_id:
        return False
    if not actor.has_perm(Perm.MANAGE_MEETINGS):
        return False
    return (
        actor.has_role(Role.ADMIN)
        or meeting.requested_by_id == actor.user_id
        or meeting.organiser_unit_id in actor.managed_unit_ids
    )


def scope_mass_events(actor: Actor, qs: QuerySet[Any]) -> QuerySet[Any]:
    """Mass events are public notices inside the government: every member with an org view sees them."""
    if not actor.has_perm(Perm.VIEW_ORG) and not actor.has_perm(Perm.ATTEND):
        return qs.none()
    return scope_government(actor, qs)


# ---------------------------------------------------------------------------------------------------
# workday: work reports, travel permits, recalls


def scope_workday(actor: Actor, qs: QuerySet[Any]) -> QuerySet[Any]:
    """Work reports, travel permits, recalls: the person's own; heads (and Plh/Plt) those of the units they
    manage; admins (BKPSDM) every row of their government. Nobody else sees any."""
    return _own_or_managed(actor, qs)


# ---------------------------------------------------------------------------------------------------
# outbreak: cases, lab results, orders (health data)


def scope_cases(actor: Actor, qs: QuerySet[Any]) -> QuerySet[Any]:
    """Cases: the health task force sees its government's; an employee sees only their own; nobody else any."""
    return _all_with_perm_or_own(actor, qs, Perm.VIEW_HEALTH)


# outbreak: clusters and source finding


def scope_clusters(actor: Actor, qs: QuerySet[Any]) -> QuerySet[Any]:
    """Clusters (and their findings): the health task force sees its government's; nobody else any."""
    if not actor.is_authenticated or not actor.has_perm(Perm.VIEW_HEALTH):
        return qs.none()
    return scope_government(actor, qs)


# ---------------------------------------------------------------------------------------------------
# measures: building measures and disinfection tasks


def scope_measures(actor: Actor, qs: QuerySet[Any]) -> QuerySet[Any]:
    """Building measures are notices about places (never about people): every member of the government sees them."""
    if not actor.has_perm(Perm.VIEW_ORG) and not actor.has_perm(Perm.ATTEND):
        return qs.none()
    return scope_government(actor, qs)


def scope_disinfections(actor: Actor, qs: QuerySet[Any]) -> QuerySet[Any]:
    """Disinfection tasks: the health task force and BKPSDM see the government's; a team member their own."""
    if not actor.is_authenticated:
        return qs.none()
    qs = scope_government(actor, qs)
    if actor.has_perm(Perm.MANAGE_MEASURES):
        return qs
    if actor.employee_id:
        return qs.filter(pk__in=qs.filter(team__pk=actor.employee_id).values("pk"))
    return qs.none()


# ---------------------------------------------------------------------------------------------------
# services: public service applications


def office_unit_ids(actor: Actor) -> frozenset[int]:
    """The units whose applications a service officer handles: the whole OPD their own unit belongs to
    (its top-level unit and everything below it)."""
    if not actor.has_perm(Perm.PROCESS_APPLICATIONS) or not actor.unit_id:
        return frozenset()
    if "office_units" not in actor._cache:
        from siaga.org.selectors import unit_descendant_ids, unit_parent_map

        parents = unit_parent_map(government_id=actor.government_id)
        top: int = actor.unit_id
        seen: set[int] = set()
        while (parent := parents.get(top)) is not None and top not in seen:
            seen.add(top)
            top = parent
        actor._cache["office_units"] = unit_descendant_ids(government_id=actor.government_id, unit_ids=[top])
    return frozenset(actor._cache["office_units"])


def scope_applications(actor: Actor, qs: QuerySet[Any]) -> QuerySet[Any]:
    """Applications (and rows keyed by ``unit`` and ``citizen`` like them): a citizen sees their own; a
    service officer those of their OPD; a unit head (or Plh/Plt) those of the units they manage; the
    admin (BKPSDM) the government's. Nobody else any."""
    if not actor.is_authenticated:
        return qs.none()
    qs = scope_government(actor, qs)
    if actor.has_perm(Perm.VIEW_APPLICATIONS) and actor.has_role(Role.ADMIN):
        return qs
    wanted = Q(pk__in=[])
    if actor.has_perm(Perm.APPLY):
        wanted |= Q(citizen__user_id=actor.user_id)
    units = office_unit_ids(actor) | (actor.managed_unit_ids if actor.has_perm(Perm.VIEW_APPLICATIONS) else frozenset())
    if units:
        wanted |= Q(unit_id__in=units)
    return qs.filter(wanted)


# ---------------------------------------------------------------------------------------------------
# delivery: delivery orders and appointments; survey: satisfaction answers


def scope_deliveries(actor: Actor, qs: QuerySet[Any]) -> QuerySet[Any]:
    """Delivery orders (and appointments): as their applications (the citizen their own, service officers
    their OPD's, unit heads their managed units', the admin the government's), plus a staff courier's own
    orders."""
    if not actor.is_authenticated:
        return qs.none()
    qs = scope_government(actor, qs)
    if actor.has_perm(Perm.VIEW_APPLICATIONS) and actor.has_role(Role.ADMIN):
        return qs
    wanted = Q(pk__in=[])
    if actor.has_perm(Perm.APPLY):
        wanted |= Q(application__citizen__user_id=actor.user_id)
    units = office_unit_ids(actor) | (actor.managed_unit_ids if actor.has_perm(Perm.VIEW_APPLICATIONS) else frozenset())
    if units:
        wanted |= Q(unit_id__in=units)
    if actor.employee_id and "courier" in {f.name for f in qs.model._meta.get_fields()}:
        wanted |= Q(courier_id=actor.employee_id)
    return qs.filter(wanted)


def scope_survey_report(actor: Actor, qs: QuerySet[Any]) -> QuerySet[Any]:
    """Survey answers for the IKM report: the admin the government's; a unit head (or Plh/Plt) those of
    the units they manage. Nobody else any (a citizen's own answer is shown on their application)."""
    if not actor.is_authenticated or not actor.has_perm(Perm.VIEW_APPLICATIONS):
        return qs.none()
    qs = scope_government(actor, qs)
    if actor.has_role(Role.ADMIN):
        return qs
    units = actor.managed_unit_ids
    return qs.filter(unit_id__in=units) if units else qs.none()


# ---------------------------------------------------------------------------------------------------
# command: the command center for the regional leader, BKPSDM and the health task force

ROLE_PERMS[Role.LEADER] = frozenset({Perm.VIEW_COMMAND})
for _role in (Role.ADMIN, Role.HEALTH):
    ROLE_PERMS[_role] = ROLE_PERMS[_role] | {Perm.VIEW_COMMAND}


def sees_health_detail(actor: Actor) -> bool:
    """Whether the command center shows exact small health counts (the task force) rather than "<3"."""
    return actor.has_perm(Perm.VIEW_HEALTH)
