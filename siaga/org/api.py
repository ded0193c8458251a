"""API of the organisation app (mounted at /api/v1/): units, positions, employees, buildings,
acting officials (Plh/Plt) and the authority check.

Thin on purpose: each operation parses its input, resolves codes and NIPs through the selectors
(which scope every read to the caller), calls a selector or a service, and returns. Objects of
another government are never found (404); a role that may not do something gets 403; services
refuse invalid data with ``ValidationError`` (422, see ``siaga.api.urls``).
"""

# No ``from __future__ import annotations`` here: ninja reads the annotations of paginated views
# through a wrapper defined in another module, where string annotations cannot be resolved.
import datetime as dt
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import StringConstraints

from siaga.api.auth import any_scope
from siaga.api.pagination import Pagination
from siaga.api.schemas import ERRORS_ONE, ERRORS_READ, ERRORS_WRITE
from siaga.api.schemas import api_actor as _actor
from siaga.core import access
from siaga.core.access import Actor, Perm
from siaga.org import selectors, services
from siaga.org.authority import Action, can_act
from siaga.org.identifiers import clean_digits
from siaga.org.models import Building, Delegation, Employee, Floor, Position, Unit, UnitKind

router = Router(tags=["organisation"])

SkillCode = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_-]+$", max_length=40)]
EmployeeStatus = Literal["pns", "pppk"]
SpaceStatusValue = Literal["open", "restricted", "closed"]


def _nip(value: str) -> str:
    return clean_digits(value)


# ---------------------------------------------------------------------------------------------------
# Schemas


class GovernmentOut(Schema):
    code: str = Field(description="Kemendagri region code, e.g. 33.11.")
    name: str
    kind: str
    zone: str


class MeOut(Schema):
    username: str
    government: GovernmentOut
    roles: list[str] = Field(description="Assigned roles and derived ones (employee, unit_head), sorted.")
    employee_nip: str | None = Field(description="NIP of the caller's employee record in this government.")
    unit: str | None = Field(description="Code of the caller's own unit.")


class PersonOut(Schema):
    nip: str
    name: str


class UnitOut(Schema):
    code: str
    name: str
    kind: str
    parent: str | None = Field(description="Code of the parent unit; null for an OPD.")
    public_service: bool
    essential: bool
    is_active: bool
    building: str | None = Field(description="Code of the unit's building.")
    floor: int | None = Field(description="Floor number in that building.")

    @staticmethod
    def resolve_parent(obj: Unit) -> str | None:
        return obj.parent.code if obj.parent_id and obj.parent else None

    @staticmethod
    def resolve_building(obj: Unit) -> str | None:
        return obj.building.code if obj.building_id and obj.building else None

    @staticmethod
    def resolve_floor(obj: Unit) -> int | None:
        return obj.floor.number if obj.floor_id and obj.floor else None


class UnitDetailOut(UnitOut):
    head: PersonOut | None = Field(description="Holder of the unit's head position (definitive official).")
    children: list[str] = Field(description="Codes of the units directly below.")

    @staticmethod
    def resolve_head(obj: Unit) -> Employee | None:
        return selectors.unit_head(unit=obj)

    @staticmethod
    def resolve_children(obj: Unit, context: Any) -> list[str]:
        actor = _actor(context["request"])
        return [
            child.code for child in selectors.unit_list(actor=actor, filters=selectors.UnitFilters(parent_id=obj.pk))
        ]


class UnitFilterIn(Schema):
    q: str = Field("", description="Part of the name or code.")
    kind: UnitKind | None = None
    parent: str | None = Field(None, description="Only the units directly below this unit code.")
    within: str | None = Field(None, description="This unit code and every unit below it.")
    public_service: bool | None = None
    essential: bool | None = None
    active: bool | None = Field(None, description="Omit for active and inactive units.")


class PositionOut(Schema):
    id: int
    unit: str
    name: str
    kind: str
    level: str = Field(description="Structural level (jpt_pratama, administrator, pengawas…); empty otherwise.")
    eselon: str
    is_head: bool

    @staticmethod
    def resolve_unit(obj: Position) -> str:
        return obj.unit.code


def _show_contact(obj: Employee, context: Any) -> bool:
    request = (context or {}).get("request")
    return request is not None and access.can_view_contact(_actor(request), obj)


class EmployeeOut(Schema):
    """An employee as the caller may see them: contact fields are null unless the caller is the person,
    an admin, the health task force, or a head over their unit. Health data is never part of it."""

    nip: str
    name: str
    status: str
    unit: str = Field(alias="unit.code")
    unit_name: str = Field(alias="unit.name")
    position: str | None
    position_id: int | None
    is_head: bool
    skills: list[str]
    building: str | None
    floor: int | None
    is_active: bool
    email: str | None
    phone: str | None
    nik: str | None

    @staticmethod
    def resolve_position(obj: Employee) -> str | None:
        return obj.position.name if obj.position_id and obj.position else None

    @staticmethod
    def resolve_is_head(obj: Employee) -> bool:
        return bool(obj.position_id and obj.position and obj.position.is_head)

    @staticmethod
    def resolve_skills(obj: Employee) -> list[str]:
        return sorted(skill.code for skill in obj.skills.all())

    @staticmethod
    def resolve_building(obj: Employee) -> str | None:
        return obj.building.code if obj.building_id and obj.building else None

    @staticmethod
    def resolve_floor(obj: Employee) -> int | None:
        return obj.floor.number if obj.floor_id and obj.floor else None

    @staticmethod
    def resolve_email(obj: Employee, context: Any) -> str | None:
        return obj.email if _show_contact(obj, context) else None

    @staticmethod
    def resolve_phone(obj: Employee, context: Any) -> str | None:
        return obj.phone if _show_contact(obj, context) else None

    @staticmethod
    def resolve_nik(obj: Employee, context: Any) -> str | None:
        return obj.nik if _show_contact(obj, context) else None


class EmployeeFilterIn(Schema):
    q: str = Field("", description="Part of the name, or the first digits (at least 4) of the NIP.")
    unit: str | None = Field(None, description="Unit code.")
    include_subunits: bool = Field(True, description="With `unit`: also the units below it.")
    status: EmployeeStatus | None = None
    skill: str = Field("", description="Skill code.")
    building: str | None = Field(None, description="Building code.")
    active: Literal["true", "false", "all"] = Field("true", description="Active employees by default.")


class EmployeeIn(Schema):
    nip: str = Field(description="18 digits (spaces and dots are ignored).", examples=["198503102010011001"])
    name: str
    unit: str = Field(description="Unit code.")
    status: EmployeeStatus = "pns"
    position_id: int | None = Field(None, description="A position of that unit (see /positions?unit=).")
    nik: str = Field("", description="16-digit population number (optional).")
    email: str = ""
    phone: str = ""
    skills: list[SkillCode] = Field(default_factory=list, description="Skill codes; new codes are created.")
    building: str | None = Field(None, description="Building code; the unit's building by default.")
    floor: int | None = Field(None, description="Floor number in that building; the unit's floor by default.")


def _absent(description: str = "") -> Any:
    """Default of a PATCH field that may be left out but not sent as null: left out means unchanged."""
    return Field(None, description=description or None)


class EmployeePatchIn(Schema):
    """Only the fields sent are changed. ``position_id``, ``building`` and ``floor`` may be null to clear them."""

    name: str = _absent()
    unit: str = _absent("Unit code.")
    status: EmployeeStatus = _absent()
    position_id: int | None = None
    nik: str = _absent()
    email: str = _absent()
    phone: str = _absent()
    skills: list[SkillCode] = _absent("Skill codes; replaces the employee's skills.")
    building: str | None = None
    floor: int | None = None
    is_active: bool = _absent()


class BuildingOut(Schema):
    code: str
    name: str
    address: str
    latitude: float | None
    longitude: float | None
    geofence_radius_m: int
    status: str
    status_note: str
    floor_count: int

    @staticmethod
    def resolve_floor_count(obj: Building) -> int:
        return int(getattr(obj, "n_floors", 0))


class RoomOut(Schema):
    code: str
    name: str
    capacity: int
    distancing_capacity: int
    status: str


class FloorOut(Schema):
    number: int
    name: str
    capacity: int
    distancing_capacity: int = Field(description="What rosters and bookings may fill under distancing.")
    status: str
    assigned: int = Field(description="Active employees whose workplace is this floor.")
    units: list[str]
    rooms: list[RoomOut]


class BuildingDetailOut(Schema):
    code: str
    name: str
    address: str
    latitude: float | None
    longitude: float | None
    geofence_radius_m: int
    status: str
    status_note: str
    floors: list[FloorOut]


class DelegationOut(Schema):
    id: int
    kind: str = Field(description="plh (official temporarily absent) or plt (post vacant).")
    unit: str = Field(alias="unit.code")
    unit_name: str = Field(alias="unit.name")
    official: PersonOut | None
    acting: PersonOut
    start: dt.date
    end: dt.date
    letter_number: str
    reason: str
    extends: int | None = Field(description="Id of the appointment this one extends.")
    revoked_at: dt.datetime | None
    active_today: bool

    @staticmethod
    def resolve_extends(obj: Delegation) -> int | None:
        return obj.extends_id

    @staticmethod
    def resolve_active_today(obj: Delegation) -> bool:
        return obj.is_active_on(timezone.localdate())


class DelegationIn(Schema):
    kind: Literal["plh", "plt"]
    unit: str = Field(description="Code of the unit whose head is replaced.")
    official: str | None = Field(None, description="NIP of the absent official (Plh only).")
    acting: str = Field(description="NIP of the acting official.")
    start: dt.date
    end: dt.date = Field(description="At most 3 months after the start.")
    letter_number: str = ""
    reason: str = ""
    extends: int | None = Field(None, description="Id of the appointment this one extends (once).")


class AuthorityOut(Schema):
    nip: str
    unit: str
    action: str
    on: dt.date
    allowed: bool
    basis: str = Field(description='"official", "plh", "plt", or "" when refused.')
    reason: str
    delegation_id: int | None


# ---------------------------------------------------------------------------------------------------
# Resolving codes and NIPs of a request body (unknown ones are field errors, not 404)


def _body_unit(actor: Actor, code: str, field: str = "unit") -> Unit:
    try:
        return selectors.unit_get(actor=actor, code=code)
    except Http404:
        raise ValidationError({field: _("There is no unit with code %(code)s.") % {"code": code}}) from None


def _body_building(actor: Actor, code: str) -> Building:
    try:
        return selectors.building_get(actor=actor, code=code)
    except Http404:
        raise ValidationError({"building": _("There is no building with code %(code)s.") % {"code": code}}) from None


def _body_floor(building: Building | None, number: int) -> Floor:
    if building is None:
        raise ValidationError({"floor": _("Choose a building for floor %(number)s.") % {"number": number}})
    floor = next((f for f in building.floors.all() if f.number == number), None)
    if floor is None:
        raise ValidationError({"floor": _("The building has no floor %(number)s.") % {"number": number}})
    return floor


def _body_position(actor: Actor, unit: Unit, position_id: int) -> Position:
    position = selectors.position_list(actor=actor, unit_id=unit.pk).filter(pk=position_id).first()
    if position is None:
        raise ValidationError(
            {
                "position_id": _("Position %(id)s is not a position of %(unit)s.")
                % {"id": position_id, "unit": unit.name}
            }
        )
    return position


def _body_person(actor: Actor, nip: str, field: str) -> Employee:
    try:
        return selectors.government_employee_get(actor=actor, nip=_nip(nip))
    except Http404:
        raise ValidationError(
            {field: _("No employee with NIP %(nip)s in this government.") % {"nip": _nip(nip)}}
        ) from None


# ---------------------------------------------------------------------------------------------------
# Who is calling


@router.get("/me", response={200: MeOut, **ERRORS_READ}, summary="The caller's government and roles", auth=any_scope())
def me(request: HttpRequest) -> MeOut:
    """The government the caller (user or token) acts in, and their roles there."""
    actor = _actor(request)
    government = actor.tenant
    employee = selectors.employee_get(actor=actor, pk=actor.employee_id) if actor.employee_id else None
    return MeOut(
        username=request.user.get_username(),
        government=GovernmentOut(
            code=government.code, name=government.name, kind=government.kind, zone=government.zone
        ),
        roles=sorted(actor.roles),
        employee_nip=employee.nip if employee else None,
        unit=employee.unit.code if employee else None,
    )


# ---------------------------------------------------------------------------------------------------
# Units and positions


@router.get("/units", response={200: list[UnitOut], **ERRORS_ONE}, summary="Units (OPD tree, flat)")
@paginate(Pagination)
def unit_list(request: HttpRequest, filters: Query[UnitFilterIn]) -> Any:
    """Every unit of the caller's government, ordered by code; rebuild the tree from `parent`."""
    actor = _actor(request)
    actor.require(Perm.VIEW_ORG)
    return selectors.unit_list(
        actor=actor,
        filters=selectors.UnitFilters(
            q=filters.q,
            kind=filters.kind or "",
            parent_id=selectors.unit_get(actor=actor, code=filters.parent).pk if filters.parent else None,
            within_id=selectors.unit_get(actor=actor, code=filters.within).pk if filters.within else None,
            public_service=filters.public_service,
            essential=filters.essential,
            active=filters.active,
        ),
    )


@router.get("/units/{code}", response={200: UnitDetailOut, **ERRORS_ONE}, summary="One unit")
def unit_detail(request: HttpRequest, code: str) -> Any:
    """A unit with its head and the codes of the units directly below it."""
    actor = _actor(request)
    actor.require(Perm.VIEW_ORG)
    return selectors.unit_get(actor=actor, code=code)


@router.get("/positions", response={200: list[PositionOut], **ERRORS_ONE}, summary="Positions")
@paginate(Pagination)
def position_list(request: HttpRequest, unit: str | None = None) -> Any:
    """Posts (jabatan) of the government, or of one unit (`?unit=CODE`)."""
    actor = _actor(request)
    actor.require(Perm.VIEW_ORG)
    unit_id = selectors.unit_get(actor=actor, code=unit).pk if unit else None
    return selectors.position_list(actor=actor, unit_id=unit_id).order_by("unit__code", "-is_head", "name")


# ---------------------------------------------------------------------------------------------------
# Employees


@router.get("/employees", response={200: list[EmployeeOut], **ERRORS_ONE}, summary="Employees")
@paginate(Pagination)
def employee_list(request: HttpRequest, filters: Query[EmployeeFilterIn]) -> Any:
    """The employees the caller may see: the whole government for admins and the health task force,
    the units they head (and below) for unit heads, their own unit for everyone else."""
    actor = _actor(request)
    actor.require(Perm.VIEW_EMPLOYEES)
    return selectors.employee_list(
        actor=actor,
        filters=selectors.EmployeeFilters(
            q=filters.q,
            unit_id=selectors.unit_get(actor=actor, code=filters.unit).pk if filters.unit else None,
            include_subunits=filters.include_subunits,
            status=filters.status or "",
            skill=filters.skill.strip(),
            building_id=selectors.building_get(actor=actor, code=filters.building).pk if filters.building else None,
            active={"true": True, "false": False, "all": None}[filters.active],
        ),
    ).prefetch_related("skills")


@router.get("/employees/{nip}", response={200: EmployeeOut, **ERRORS_ONE}, summary="One employee")
def employee_detail(request: HttpRequest, nip: str) -> Any:
    """An employee within the caller's scope (404 otherwise)."""
    actor = _actor(request)
    actor.require(Perm.VIEW_EMPLOYEES)
    return selectors.employee_get(actor=actor, nip=_nip(nip))


@router.post("/employees", response={201: EmployeeOut, **ERRORS_WRITE}, summary="Add an employee")
def employee_create(request: HttpRequest, payload: EmployeeIn) -> Any:
    """Admins (BKPSDM) only. The NIP is checked (birth date, appointment month, sex digit) and
    errors come back per field, e.g. `errors.nip`."""
    actor = _actor(request)
    actor.require(Perm.MANAGE_ORG)
    unit = _body_unit(actor, payload.unit)
    building = _body_building(actor, payload.building) if payload.building else None
    floor = _body_floor(building or unit.building, payload.floor) if payload.floor is not None else None
    employee = services.employee_create(
        government=actor.tenant,
        nip=payload.nip,
        name=payload.name,
        unit=unit,
        status=payload.status,
        position=_body_position(actor, unit, payload.position_id) if payload.position_id is not None else None,
        nik=payload.nik,
        email=payload.email,
        phone=payload.phone,
        skills=payload.skills,
        building=building,
        floor=floor,
        actor=request.user,
    )
    return Status(201, selectors.employee_get(actor=actor, pk=employee.pk))


@router.patch("/employees/{nip}", response={200: EmployeeOut, **ERRORS_WRITE}, summary="Change an employee")
def employee_update(request: HttpRequest, nip: str, payload: EmployeePatchIn) -> Any:
    """Admins (BKPSDM) only; only the fields sent are changed (the NIP cannot change)."""
    actor = _actor(request)
    actor.require(Perm.MANAGE_ORG)
    employee = selectors.employee_get(actor=actor, nip=_nip(nip))
    data = payload.model_dump(exclude_unset=True)
    changes: dict[str, Any] = {
        key: data[key] for key in ("name", "status", "nik", "email", "phone", "is_active") if key in data
    }
    unit = _body_unit(actor, data["unit"]) if "unit" in data else employee.unit
    if "unit" in data:
        changes["unit"] = unit
    if "position_id" in data:
        changes["position"] = (
            _body_position(actor, unit, data["position_id"]) if data["position_id"] is not None else None
        )
    building = employee.building
    if "building" in data:
        building = _body_building(actor, data["building"]) if data["building"] else None
        changes["building"] = building
    if "floor" in data:
        changes["floor"] = _body_floor(building, data["floor"]) if data["floor"] is not None else None
    elif employee.floor is not None and employee.floor.building_id != (building.pk if building else None):
        changes["floor"] = None  # a floor of the building the employee left
    services.employee_update(employee=employee, actor=request.user, skills=data.get("skills"), **changes)
    return selectors.employee_get(actor=actor, pk=employee.pk)


# ---------------------------------------------------------------------------------------------------
# Buildings


@router.get("/buildings", response={200: list[BuildingOut], **ERRORS_READ}, summary="Buildings")
@paginate(Pagination)
def building_list(request: HttpRequest, status: SpaceStatusValue | None = None) -> Any:
    """Office buildings of the government, by name."""
    actor = _actor(request)
    actor.require(Perm.VIEW_ORG)
    return selectors.building_list(actor=actor, status=status or "")


@router.get("/buildings/{code}", response={200: BuildingDetailOut, **ERRORS_ONE}, summary="One building")
def building_detail(request: HttpRequest, code: str) -> Any:
    """A building with its floors and rooms: normal and distancing capacity, status, and how many
    active employees work on each floor."""
    actor = _actor(request)
    actor.require(Perm.VIEW_ORG)
    building = selectors.building_get(actor=actor, code=code)
    occupancy = selectors.floor_occupancy(building=building)
    floors = [
        FloorOut(
            number=floor.number,
            name=floor.name,
            capacity=floor.capacity,
            distancing_capacity=floor.distancing_capacity,
            status=floor.status,
            assigned=occupancy.get(floor.pk, 0),
            units=[unit.code for unit in floor.units.all()],
            rooms=[RoomOut.model_validate(room) for room in floor.rooms.all()],
        )
        for floor in building.floors.all()
    ]
    return BuildingDetailOut(
        code=building.code,
        name=building.name,
        address=building.address,
        latitude=float(building.latitude) if building.latitude is not None else None,
        longitude=float(building.longitude) if building.longitude is not None else None,
        geofence_radius_m=building.geofence_radius_m,
        status=building.status,
        status_note=building.status_note,
        floors=floors,
    )


# ---------------------------------------------------------------------------------------------------
# Acting officials (Plh / Plt)


@router.get("/delegations", response={200: list[DelegationOut], **ERRORS_READ}, summary="Plh/Plt appointments")
@paginate(Pagination)
def delegation_list(request: HttpRequest, active_on: dt.date | None = None) -> Any:
    """Appointments the caller may see (admins: all; unit heads: the units they head and below;
    everyone: their own), newest first; `active_on=YYYY-MM-DD` keeps those in force that day."""
    actor = _actor(request)
    actor.require(Perm.VIEW_ORG)
    return selectors.delegation_list(actor=actor, active_on=active_on)


@router.get("/delegations/{delegation_id}", response={200: DelegationOut, **ERRORS_ONE}, summary="One appointment")
def delegation_detail(request: HttpRequest, delegation_id: int) -> Any:
    actor = _actor(request)
    actor.require(Perm.VIEW_ORG)
    return selectors.delegation_get(actor=actor, pk=delegation_id)


@router.post("/delegations", response={201: DelegationOut, **ERRORS_WRITE}, summary="Appoint a Plh or Plt")
def delegation_create(request: HttpRequest, payload: DelegationIn) -> Any:
    """BKPSDM appoints for any unit; a unit head appoints for the units below their own (not for
    their own unit, nor another OPD). The rules of SE BKN 1/SE/I/2021 are checked: a Plt only for a
    vacant post, a Plh for the absent head, at most 3 months, no overlap."""
    actor = _actor(request)
    actor.require(Perm.MANAGE_DELEGATIONS)
    unit = _body_unit(actor, payload.unit)
    if not access.can_manage_delegation(actor, unit.pk, unit.parent_id):
        raise PermissionDenied("delegation")
    extends = None
    if payload.extends is not None:
        try:
            extends = selectors.delegation_get(actor=actor, pk=payload.extends)
        except Http404:
            raise ValidationError({"extends": _("There is no appointment %(id)s.") % {"id": payload.extends}}) from None
    delegation = services.delegation_create(
        government=actor.tenant,
        kind=payload.kind,
        unit=unit,
        official=_body_person(actor, payload.official, "official") if payload.official else None,
        acting=_body_person(actor, payload.acting, "acting"),
        start=payload.start,
        end=payload.end,
        letter_number=payload.letter_number,
        reason=payload.reason,
        extends=extends,
        actor=request.user,
    )
    return Status(201, delegation)


@router.post(
    "/delegations/{delegation_id}/revoke", response={200: DelegationOut, **ERRORS_WRITE}, summary="End an appointment"
)
def delegation_revoke(request: HttpRequest, delegation_id: int) -> Any:
    """End an appointment early (the official is back, or a definitive official was appointed)."""
    actor = _actor(request)
    actor.require(Perm.MANAGE_DELEGATIONS)
    delegation = selectors.delegation_get(actor=actor, pk=delegation_id)
    if not access.can_manage_delegation(actor, delegation.unit_id, delegation.unit.parent_id):
        raise PermissionDenied("delegation")
    services.delegation_revoke(delegation=delegation, actor=request.user)
    return selectors.delegation_get(actor=actor, pk=delegation_id)


@router.get("/authority", response={200: AuthorityOut, **ERRORS_WRITE}, summary="May this person take this decision?")
def authority(request: HttpRequest, nip: str, unit: str, action: Action, on: dt.date | None = None) -> Any:
    """The one authority check (`can_act`): the head of a unit decides anything for it and the units
    below; a Plh or Plt only routine decisions (leave, travel, work reports…), never staffing,
    organisation or budget. For BKPSDM and unit heads; the person and unit must be of the caller's
    government (404 otherwise)."""
    actor = _actor(request)
    actor.require(Perm.MANAGE_DELEGATIONS)
    employee = selectors.government_employee_get(actor=actor, nip=_nip(nip))
    target = selectors.unit_get(actor=actor, code=unit)
    day = on or timezone.localdate()
    answer = can_act(employee, action, target, on=day)
    return AuthorityOut(
        nip=employee.nip,
        unit=target.code,
        action=Action(action).value,
        on=day,
        allowed=answer.allowed,
        basis=answer.basis,
        reason=answer.reason,
        delegation_id=answer.delegation_id,
    )
