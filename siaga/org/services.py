"""Writes of the organisation app. Every function validates everything first, then writes in one
transaction and records the change in the audit log."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import partial
from pathlib import PurePath
from typing import Any

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from siaga.core.models import Government
from siaga.core.services import audit_record, diff_fields
from siaga.org.identifiers import parse_nip, validate_nik
from siaga.org.models import (
    TOP_LEVEL_KINDS,
    Building,
    Delegation,
    Employee,
    Floor,
    ImportJob,
    Position,
    RiskProfile,
    Room,
    Skill,
    SpaceStatus,
    Unit,
    UnitKind,
)

#: Longest term of one Plh/Plt appointment, and how many extensions of that length are allowed.
DELEGATION_TERM = relativedelta(months=3)
DELEGATION_MAX_EXTENSIONS = 1

#: Which kinds of unit may sit under which (kind → allowed parent kinds).
ALLOWED_PARENTS: dict[str, frozenset[str]] = {
    UnitKind.KELURAHAN: frozenset({UnitKind.KECAMATAN}),
    UnitKind.BAGIAN: frozenset({UnitKind.SEKRETARIAT_DAERAH, UnitKind.SEKRETARIAT_DPRD}),
    UnitKind.BIDANG: frozenset({UnitKind.DINAS, UnitKind.BADAN, UnitKind.SEKRETARIAT_DPRD, UnitKind.INSPEKTORAT}),
    UnitKind.SUB_BAGIAN: frozenset(
        {
            UnitKind.SEKRETARIAT_DAERAH,
            UnitKind.SEKRETARIAT_DPRD,
            UnitKind.INSPEKTORAT,
            UnitKind.DINAS,
            UnitKind.BADAN,
            UnitKind.KECAMATAN,
            UnitKind.BAGIAN,
            UnitKind.KELURAHAN,
        }
    ),
    UnitKind.SEKSI: frozenset({UnitKind.BIDANG, UnitKind.KECAMATAN, UnitKind.KELURAHAN, UnitKind.UPTD}),
    UnitKind.UPTD: frozenset({UnitKind.DINAS, UnitKind.BADAN}),
}


# ---------------------------------------------------------------------------------------------------
# Units


def unit_validate_parent(*, unit: Unit | None, kind: str, parent: Unit | None, government_id: int) -> None:
    """Refuse a parent of the wrong kind, in another government, or one that would make a cycle."""
    if parent is None:
        if kind not in TOP_LEVEL_KINDS:
            raise ValidationError(
                {"parent": _("A unit of kind %(kind)s must have a parent unit.") % {"kind": UnitKind(kind).label}}
            )
        return
    if parent.government_id != government_id:
        raise ValidationError({"parent": _("The parent unit belongs to another government.")})
    if kind in TOP_LEVEL_KINDS:
        raise ValidationError(
            {"parent": _("A unit of kind %(kind)s is an OPD and has no parent unit.") % {"kind": UnitKind(kind).label}}
        )
    allowed = ALLOWED_PARENTS.get(kind, frozenset())
    if parent.kind not in allowed:
        raise ValidationError(
            {
                "parent": _("%(kind)s cannot sit under %(parent)s.")
                % {"kind": UnitKind(kind).label, "parent": UnitKind(parent.kind).label}
            }
        )
    if unit is not None and unit.pk is not None:
        seen: set[int] = set()
        current: Unit | None = parent
        while current is not None:
            if current.pk == unit.pk:
                raise ValidationError(
                    {
                        "parent": _("%(parent)s is below %(unit)s; a unit cannot sit under itself.")
                        % {"parent": parent.name, "unit": unit.name}
                    }
                )
            if current.pk in seen:
                break
            seen.add(current.pk)
            current = current.parent


def unit_create(
    *,
    government: Government,
    code: str,
    name: str,
    kind: str,
    parent: Unit | None = None,
    public_service: bool = False,
    essential: bool = False,
    building: Building | None = None,
    floor: Floor | None = None,
    actor: Any = None,
) -> Unit:
    unit_validate_parent(unit=None, kind=kind, parent=parent, government_id=government.pk)
    if Unit.objects.filter(government=government, code=code).exists():
        raise ValidationError({"code": _("Unit code %(code)s is already in use.") % {"code": code}})
    unit = Unit(
        government=government,
        code=code,
        name=name,
        kind=kind,
        parent=parent,
        public_service=public_service,
        essential=essential,
        building=building,
        floor=floor,
    )
    unit.full_clean(exclude=["government", "parent", "building", "floor"], validate_unique=False)
    with transaction.atomic():
        unit.save()
        audit_record(actor=actor, government=government, action="create", obj=unit)
    return unit


UNIT_FIELDS = ("name", "kind", "parent", "public_service", "essential", "building", "floor", "is_active")


def unit_update(*, unit: Unit, actor: Any = None, **changes: Any) -> Unit:
    unknown = set(changes) - set(UNIT_FIELDS)
    if unknown:
        raise TypeError(f"unit_update got unknown fields {sorted(unknown)}")
    unit_validate_parent(
        unit=unit,
        kind=changes.get("kind", unit.kind),
        parent=changes.get("parent", unit.parent),
        government_id=unit.government_id,
    )
    before = {name: getattr(unit, name) for name in changes}
    with transaction.atomic():
        locked = Unit.objects.select_for_update().get(pk=unit.pk)
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.full_clean(exclude=["government", "parent", "building", "floor"], validate_unique=False)
        locked.save()
        audit_record(
            actor=actor,
            government=unit.government_id,
            action="update",
            obj=locked,
            changes=diff_fields(before, changes),
        )
    return locked


# ---------------------------------------------------------------------------------------------------
# Positions, skills


def position_get_or_create(
    *, unit: Unit, name: str, kind: str, level: str = "", is_head: bool | None = None
) -> tuple[Position, bool]:
    """Find a unit's position by name or create it; a new structural post of the unit's highest
    level becomes the head when the unit has none."""
    position = Position.objects.filter(unit=unit, name=name).first()
    if position is not None:
        return position, False
    if is_head is None:
        is_head = False
        if kind == Position.Kind.STRUKTURAL and level:
            existing = Position.objects.filter(unit=unit, is_head=True).first()
            if existing is None:
                is_head = True
            elif Position.RANK[level] < Position.RANK.get(existing.level, 99):
                Position.objects.filter(pk=existing.pk).update(is_head=False)
                is_head = True
    position = Position.objects.create(
        government_id=unit.government_id, unit=unit, name=name, kind=kind, level=level, is_head=is_head
    )
    return position, True


def skills_for_codes(*, government: Government, codes: list[str]) -> list[Skill]:
    existing = {s.code: s for s in Skill.objects.filter(government=government, code__in=codes)}
    missing = [code for code in codes if code not in existing]
    if missing:
        Skill.objects.bulk_create([Skill(government=government, code=code) for code in missing], ignore_conflicts=True)
        existing = {s.code: s for s in Skill.objects.filter(government=government, code__in=codes)}
    return [existing[code] for code in codes]


# ---------------------------------------------------------------------------------------------------
# Employees


def employee_validate_identity(*, nip: str, status: str, nik: str = "") -> dict[str, Any]:
    """Validate NIP (and NIK if given); return the derived fields. Errors are keyed by field."""
    errors: dict[str, str] = {}
    derived: dict[str, Any] = {}
    try:
        info = parse_nip(nip, pppk=status == Employee.Status.PPPK)
        derived.update(nip=info.nip, birth_date=info.birth_date, sex=info.sex)
    except ValidationError as exc:
        errors["nip"] = exc.messages[0]
    if nik:
        try:
            derived["nik"] = validate_nik(nik)
        except ValidationError as exc:
            errors["nik"] = exc.messages[0]
    if errors:
        raise ValidationError(errors)
    return derived


def employee_validate_placement(
    *, government_id: int, unit: Unit, position: Position | None, building: Building | None, floor: Floor | None
) -> None:
    """The unit, position, building and floor must belong to the government and to each other."""
    errors: dict[str, str] = {}
    if unit.government_id != government_id:
        errors["unit"] = _("The unit belongs to another government.")
    if position is not None and position.unit_id != unit.pk:
        errors["position"] = _("The position %(position)s belongs to another unit.") % {"position": position.name}
    if building is not None and building.government_id != government_id:
        errors["building"] = _("The building belongs to another government.")
    if floor is not None and building is not None and floor.building_id != building.pk:
        errors["floor"] = _("This floor is in another building.")
    elif floor is not None and floor.government_id != government_id:
        errors["floor"] = _("The floor belongs to another government.")
    if errors:
        raise ValidationError(errors)


def employee_create(
    *,
    government: Government,
    nip: str,
    name: str,
    unit: Unit,
    status: str = Employee.Status.PNS,
    position: Position | None = None,
    nik: str = "",
    email: str = "",
    phone: str = "",
    skills: list[str] | None = None,
    building: Building | None = None,
    floor: Floor | None = None,
    actor: Any = None,
) -> Employee:
    derived = employee_validate_identity(nip=nip, status=status, nik=nik)
    building = building or (floor.building if floor is not None else unit.building)
    floor = floor or (unit.floor if building == unit.building else None)
    employee_validate_placement(
        government_id=government.pk, unit=unit, position=position, building=building, floor=floor
    )
    if Employee.objects.filter(government=government, nip=derived["nip"]).exists():
        raise ValidationError({"nip": _("An employee with NIP %(nip)s already exists.") % {"nip": derived["nip"]}})
    employee = Employee(
        government=government,
        name=name.strip(),
        unit=unit,
        status=status,
        position=position,
        email=email.strip(),
        phone=phone.strip(),
        building=building,
        floor=floor,
        **derived,
    )
    employee.full_clean(exclude=["government", "unit", "position", "building", "floor", "user"], validate_unique=False)
    with transaction.atomic():
        employee.save()
        if skills:
            employee.skills.set(skills_for_codes(government=government, codes=skills))
        audit_record(actor=actor, government=government, action="create", obj=employee)
    return employee


EMPLOYEE_FIELDS = ("name", "unit", "position", "status", "nik", "email", "phone", "building", "floor", "is_active")


def employee_update(
    *, employee: Employee, actor: Any = None, skills: list[str] | None = None, **changes: Any
) -> Employee:
    unknown = set(changes) - set(EMPLOYEE_FIELDS)
    if unknown:
        raise TypeError(f"employee_update got unknown fields {sorted(unknown)}")
    if changes.get("nik"):
        changes["nik"] = employee_validate_identity(nip=employee.nip, status=employee.status, nik=changes["nik"])["nik"]
    employee_validate_placement(
        government_id=employee.government_id,
        unit=changes.get("unit", employee.unit),
        position=changes.get("position", employee.position),
        building=changes.get("building", employee.building),
        floor=changes.get("floor", employee.floor),
    )
    before = {name: getattr(employee, name) for name in changes}
    with transaction.atomic():
        locked = Employee.objects.select_for_update().get(pk=employee.pk)
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.full_clean(
            exclude=["government", "unit", "position", "building", "floor", "user"], validate_unique=False
        )
        locked.save()
        diff = diff_fields(before, changes)
        if skills is not None:
            old = sorted(locked.skills.values_list("code", flat=True))
            if old != sorted(skills):
                locked.skills.set(skills_for_codes(government=locked.government, codes=skills))
                diff["skills"] = [old, sorted(skills)]
        if diff:
            audit_record(actor=actor, government=employee.government_id, action="update", obj=locked, changes=diff)
    return locked


def risk_profile_set(
    *, employee: Employee, actor: Any, comorbidity: bool, pregnant_or_breastfeeding: bool, note: str = ""
) -> RiskProfile:
    """Record health risk flags (by the task force or the person themself)."""
    with transaction.atomic():
        profile, _created = RiskProfile.objects.select_for_update().get_or_create(
            employee=employee, defaults={"government_id": employee.government_id}
        )
        profile.comorbidity = comorbidity
        profile.pregnant_or_breastfeeding = pregnant_or_breastfeeding
        profile.note = note
        profile.updated_by = actor if getattr(actor, "pk", None) else None
        profile.save()
        # The log names the record, never the flags: the audit log is read by admins.
        audit_record(
            actor=actor,
            government=employee.government_id,
            action="update",
            object_type="org.riskprofile",
            object_id=str(employee.pk),
            object_repr=f"risk profile of {employee.nip}",
        )
    return profile


# ---------------------------------------------------------------------------------------------------
# Buildings


def building_create(
    *,
    government: Government,
    code: str,
    name: str,
    address: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    geofence_radius_m: int = 100,
    actor: Any = None,
) -> Building:
    if Building.objects.filter(government=government, code=code).exists():
        raise ValidationError({"code": _("Building code %(code)s is already in use.") % {"code": code}})
    building = Building(
        government=government,
        code=code,
        name=name,
        address=address,
        latitude=None if latitude is None else Decimal(str(latitude)).quantize(Decimal("0.000001")),
        longitude=None if longitude is None else Decimal(str(longitude)).quantize(Decimal("0.000001")),
        geofence_radius_m=geofence_radius_m,
    )
    building.full_clean(exclude=["government"], validate_unique=False)
    with transaction.atomic():
        building.save()
        audit_record(actor=actor, government=government, action="create", obj=building)
    return building


def floor_create(
    *, building: Building, number: int, capacity: int, distancing_capacity: int, name: str = "", actor: Any = None
) -> Floor:
    if distancing_capacity > capacity:
        raise ValidationError({"distancing_capacity": _("Capacity with distancing cannot exceed the normal capacity.")})
    if Floor.objects.filter(building=building, number=number).exists():
        raise ValidationError({"number": _("Floor %(number)s already exists in this building.") % {"number": number}})
    with transaction.atomic():
        floor = Floor.objects.create(
            government_id=building.government_id,
            building=building,
            number=number,
            name=name,
            capacity=capacity,
            distancing_capacity=distancing_capacity,
        )
        audit_record(actor=actor, government=building.government_id, action="create", obj=floor)
    return floor


def room_create(
    *, floor: Floor, code: str, name: str, capacity: int, distancing_capacity: int, actor: Any = None
) -> Room:
    if distancing_capacity > capacity:
        raise ValidationError({"distancing_capacity": _("Capacity with distancing cannot exceed the normal capacity.")})
    if Room.objects.filter(government_id=floor.government_id, code=code).exists():
        raise ValidationError({"code": _("Room code %(code)s is already in use.") % {"code": code}})
    with transaction.atomic():
        room = Room.objects.create(
            government_id=floor.government_id,
            floor=floor,
            code=code,
            name=name,
            capacity=capacity,
            distancing_capacity=distancing_capacity,
        )
        audit_record(actor=actor, government=floor.government_id, action="create", obj=room)
    return room


def space_set_status(*, space: Building | Floor | Room, status: str, note: str = "", actor: Any = None) -> None:
    """Open, restrict or close a building, floor or room."""
    if status not in SpaceStatus.values:
        raise ValidationError({"status": _("Unknown status %(status)s.") % {"status": status}})
    with transaction.atomic():
        before = space.status
        type(space).objects.filter(pk=space.pk).update(status=status)
        if isinstance(space, Building):
            Building.objects.filter(pk=space.pk).update(status_note=note)
        space.status = status
        audit_record(
            actor=actor,
            government=space.government_id,
            action="update",
            obj=space,
            changes={"status": [before, status], "note": note},
        )


# ---------------------------------------------------------------------------------------------------
# Delegations (Plh / Plt)


def delegation_create(
    *,
    government: Government,
    kind: str,
    unit: Unit,
    acting: Employee,
    start: dt.date,
    end: dt.date,
    official: Employee | None = None,
    letter_number: str = "",
    reason: str = "",
    extends: Delegation | None = None,
    actor: Any = None,
) -> Delegation:
    """Appoint an acting official for a unit's head post, checking the rules of SE BKN 1/SE/I/2021."""
    errors: dict[str, str] = {}
    if kind not in Delegation.Kind.values:
        errors["kind"] = _("Choose Plh or Plt.")
    for field_name, person in (("acting", acting), ("official", official)):
        if person is not None and person.government_id != government.pk:
            errors[field_name] = _("This employee works for another government.")
    if unit.government_id != government.pk:
        errors["unit"] = _("The unit belongs to another government.")
    if not acting.is_active:
        errors["acting"] = _("The acting official must be an active employee.")
    if end < start:
        errors["end"] = _("The end date comes before the start date.")
    elif end > start + DELEGATION_TERM - dt.timedelta(days=1):
        errors["end"] = _(
            "An appointment lasts at most 3 months (until %(limit)s); extend it afterwards if needed."
        ) % {"limit": (start + DELEGATION_TERM - dt.timedelta(days=1)).strftime("%d-%m-%Y")}
    head = Employee.objects.filter(
        government=government, position__unit=unit, position__is_head=True, is_active=True
    ).first()
    if kind == Delegation.Kind.PLH:
        if official is None:
            errors["official"] = _("A Plh stands in for an official: choose the official who is absent.")
        elif head is not None and official.pk != head.pk:
            errors["official"] = _("%(name)s does not head %(unit)s; the head is %(head)s.") % {
                "name": official.name,
                "unit": unit.name,
                "head": head.name,
            }
        elif head is None:
            errors["official"] = _("%(unit)s has no head; appoint a Plt for a vacant post.") % {"unit": unit.name}
    elif kind == Delegation.Kind.PLT:
        if head is not None:
            errors["kind"] = _(
                "The post is held by %(head)s; a Plt is for a vacant post. Appoint a Plh while the official is absent."
            ) % {"head": head.name}
        official = None
    if official is not None and acting.pk == official.pk:
        errors["acting"] = _("The acting official cannot be the absent official.")
    if extends is not None:
        if extends.unit_id != unit.pk or extends.acting_id != acting.pk or extends.kind != kind:
            errors["extends"] = _("An extension keeps the same unit, kind and acting official.")
        elif start != extends.end + dt.timedelta(days=1):
            errors["start"] = _("An extension starts the day after the previous term ends (%(date)s).") % {
                "date": (extends.end + dt.timedelta(days=1)).strftime("%d-%m-%Y")
            }
        else:
            depth, current = 0, extends
            while current.extends_id is not None and current.extends is not None:
                depth += 1
                current = current.extends
            if depth + 1 > DELEGATION_MAX_EXTENSIONS:
                errors["extends"] = _("The term has already been extended once; appoint a definitive official.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # Lock the unit row so two appointments for the same post cannot both pass the overlap check.
        Unit.objects.select_for_update().get(pk=unit.pk)
        overlapping = (
            Delegation.objects.filter(unit=unit, revoked_at__isnull=True, start__lte=end, end__gte=start)
            .select_related("acting")
            .first()
        )
        if overlapping is not None:
            raise ValidationError(
                {
                    "start": _("%(name)s already acts for %(unit)s from %(start)s to %(end)s.")
                    % {
                        "name": overlapping.acting.name,
                        "unit": unit.name,
                        "start": overlapping.start.strftime("%d-%m-%Y"),
                        "end": overlapping.end.strftime("%d-%m-%Y"),
                    }
                }
            )
        delegation = Delegation.objects.create(
            government=government,
            kind=kind,
            unit=unit,
            official=official,
            acting=acting,
            start=start,
            end=end,
            letter_number=letter_number,
            reason=reason,
            extends=extends,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        audit_record(
            actor=actor,
            government=government,
            action="create",
            obj=delegation,
            changes={
                "kind": kind,
                "unit": unit.code,
                "acting": acting.nip,
                "official": official.nip if official else None,
                "start": start.isoformat(),
                "end": end.isoformat(),
            },
        )
    return delegation


def delegation_revoke(*, delegation: Delegation, actor: Any = None) -> Delegation:
    """End an appointment early (the official is back, or a definitive official was appointed)."""
    with transaction.atomic():
        locked = Delegation.objects.select_for_update().get(pk=delegation.pk)
        if locked.revoked_at is not None:
            raise ValidationError(_("This appointment has already been ended."))
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        audit_record(actor=actor, government=locked.government_id, action="delete", obj=locked)
    return locked


# ---------------------------------------------------------------------------------------------------
# Imports


def import_job_create(*, government: Government, kind: str, file_name: str, content: bytes, actor: Any) -> ImportJob:
    """Store an uploaded units or employees file and queue its import (run by ``tasks.run_import_job``).

    The file's size and type are checked now, so a wrong file is refused on the upload page; the rows
    are checked by the task, which reports every error at once.
    """
    # Imported here: the import module and the task use the services of this module.
    from siaga.org.imports import check_upload
    from siaga.org.tasks import run_import_job

    if kind not in ImportJob.Kind.values:
        raise ValidationError({"kind": _("Choose what to import: units or employees.")})
    try:
        check_upload(file_name, content)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None
    with transaction.atomic():
        job = ImportJob.objects.create(
            government=government,
            kind=kind,
            file_name=PurePath(file_name).name[:200],
            content=content,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        # The report is written in the language of the person who uploaded the file.
        transaction.on_commit(partial(run_import_job.enqueue, job.pk, language=translation.get_language() or ""))
    return job


def employee_account_create(*, employee: Employee, actor: Any = None) -> Any:
    """Give an employee a login (the user name is their NIP) and send them a link to choose a password."""
    from siaga.core.services import password_link_send, user_create

    if employee.user_id is not None:
        raise ValidationError(_("%(name)s already has an account.") % {"name": employee.name})
    if not employee.is_active:
        raise ValidationError(_("%(name)s is not an active employee.") % {"name": employee.name})
    if not employee.email and not employee.phone:
        raise ValidationError(
            _("Record an e-mail address or a WhatsApp number for %(name)s first; the invitation is sent there.")
            % {"name": employee.name}
        )
    with transaction.atomic():
        user = user_create(username=employee.nip, email=employee.email, government=employee.government, actor=actor)
        Employee.objects.filter(pk=employee.pk).update(user=user)
        employee.user = user
        audit_record(
            actor=actor,
            government=employee.government_id,
            action="update",
            obj=employee,
            changes={"account": [None, user.get_username()]},
        )
        password_link_send(user=user, reset=False)
    return user
