"""Writes of the demo app: seed the demo regency from a plan, in one transaction.

Thousands of rows are written with ``bulk_create`` from a plan computed first in Python
(``siaga.demo.generator``); the per-row services of ``siaga.org`` would validate and audit each
employee and take minutes. The few acting officials are appointed through
``siaga.org.services.delegation_create``, so they pass the same rules as real ones.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from siaga.core.models import AuditEvent, Government, RoleAssignment
from siaga.core.services import audit_record
from siaga.demo import data
from siaga.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
from siaga.demo.generator import DemoPlan, build_plan
from siaga.org.models import Building, Delegation, Employee, Floor, Position, RiskProfile, Room, Skill, Unit
from siaga.org.services import DELEGATION_TERM, delegation_create

BATCH_SIZE = 1000
#: Why each acting official was appointed (the reason is seen by everyone who sees the appointment, so it
#: never names a diagnosis).
DELEGATION_REASONS = {
    "plh": "Kepala Dinas berhalangan sementara; pelayanan tetap berjalan.",
    "plt": "Jabatan Camat lowong (pejabat definitif purna tugas).",
}
#: How many days before the seed each appointment started.
DELEGATION_STARTED_DAYS_AGO = {"plh": 3, "plt": 30}


@dataclass(frozen=True)
class SeedResult:
    created: bool
    government: Government
    counts: dict[str, int]
    delegations: tuple[Delegation, ...] = ()


def demo_government() -> Government | None:
    return Government.objects.filter(code=data.GOVERNMENT_CODE).first()


def demo_seed(*, scale: str, seed: int, if_empty: bool = False, today: dt.date | None = None) -> SeedResult:
    """Create Kabupaten Sukoharjo with its units, staff, buildings, demo users and acting officials.

    With ``if_empty`` nothing happens when the government already exists; without it that is an error.
    """
    existing = demo_government()
    if existing is not None:
        if if_empty:
            return SeedResult(created=False, government=existing, counts={})
        raise ValidationError(
            f"{existing.name} ({existing.code}) already exists. Seed into an empty database, "
            "or pass --if-empty to keep what is there."
        )
    user_model = get_user_model()
    usernames = [a.username for a in DEMO_ACCOUNTS]
    taken = sorted(user_model.objects.filter(username__in=usernames).values_list("username", flat=True))
    if taken:
        raise ValidationError(f"These demo user names are already taken: {', '.join(taken)}.")
    plan = build_plan(scale=scale, seed=seed)
    day = today or timezone.localdate()
    with transaction.atomic():
        government = Government.objects.create(
            code=data.GOVERNMENT_CODE,
            name=data.GOVERNMENT_NAME,
            kind=Government.Kind.KABUPATEN,
            zone=Government.Zone.WIB,
        )
        writer = _Writer(government, plan)
        writer.write()
        delegations = writer.appoint_acting_officials(seed=seed, day=day)
        counts = {**plan.counts(), "users": len(writer.users), "delegations": len(delegations)}
        audit_record(
            actor=None,
            government=government,
            action=AuditEvent.Action.IMPORT,
            object_type="demo.seed",
            object_id=government.pk,
            object_repr=f"demo regency {data.GOVERNMENT_NAME}, scale {scale}, seed {seed}",
            changes=counts,
        )
    return SeedResult(created=True, government=government, counts=counts, delegations=tuple(delegations))


def _decimal(value: float) -> Decimal:
    return Decimal(f"{value:.6f}")


class _Writer:
    """Writes one plan, parents before children, keeping the created rows by their plan keys."""

    def __init__(self, government: Government, plan: DemoPlan) -> None:
        self.government = government
        self.plan = plan
        self.skills: dict[str, Skill] = {}
        self.buildings: dict[str, Building] = {}
        self.floors: dict[tuple[str, int], Floor] = {}
        self.units: dict[str, Unit] = {}
        self.positions: dict[tuple[str, str], Position] = {}
        self.employees: dict[str, Employee] = {}
        self.users: dict[str, Any] = {}

    def write(self) -> None:
        self._skills()
        self._spaces()
        self._units()
        self._positions()
        self._employees()
        self._users()

    def _skills(self) -> None:
        gov = self.government
        rows = Skill.objects.bulk_create([Skill(government=gov, code=c, name=n) for c, n in data.SKILLS.items()])
        self.skills = {s.code: s for s in rows}

    def _spaces(self) -> None:
        gov = self.government
        for b in self.plan.buildings:
            self.buildings[b.code] = Building(
                government=gov,
                code=b.code,
                name=b.name,
                address=b.address,
                latitude=_decimal(b.latitude),
                longitude=_decimal(b.longitude),
            )
        Building.objects.bulk_create(list(self.buildings.values()))
        for b in self.plan.buildings:
            for f in b.floors:
                self.floors[(b.code, f.number)] = Floor(
                    government=gov,
                    building=self.buildings[b.code],
                    number=f.number,
                    capacity=f.capacity,
                    distancing_capacity=f.distancing_capacity,
                )
        Floor.objects.bulk_create(list(self.floors.values()))
        Room.objects.bulk_create(
            [
                Room(
                    government=gov,
                    floor=self.floors[(b.code, f.number)],
                    code=r.code,
                    name=r.name,
                    capacity=r.capacity,
                    distancing_capacity=r.distancing_capacity,
                )
                for b in self.plan.buildings
                for f in b.floors
                for r in f.rooms
            ],
            batch_size=BATCH_SIZE,
        )

    def _units(self) -> None:
        depth = max(u.depth for u in self.plan.units)
        for level in range(depth + 1):
            batch = [
                Unit(
                    government=self.government,
                    code=u.code,
                    name=u.name,
                    kind=u.kind,
                    parent=self.units[u.parent_code] if u.parent_code else None,
                    public_service=u.public_service,
                    essential=u.essential,
                    building=self.buildings[u.building] if u.building else None,
                    floor=self.floors[(u.building, u.floor)] if u.building and u.floor else None,
                )
                for u in self.plan.units
                if u.depth == level
            ]
            for unit in Unit.objects.bulk_create(batch, batch_size=BATCH_SIZE):
                self.units[unit.code] = unit

    def _positions(self) -> None:
        rows = [
            Position(
                government=self.government,
                unit=self.units[p.unit_code],
                name=p.name,
                kind=p.kind,
                level=p.level,
                is_head=p.is_head,
            )
            for p in self.plan.positions
        ]
        for position in Position.objects.bulk_create(rows, batch_size=BATCH_SIZE):
            self.positions[(position.unit.code, position.name)] = position

    def _employees(self) -> None:
        gov = self.government
        rows = [
            Employee(
                government=gov,
                nip=e.nip,
                nik=e.nik,
                name=e.name,
                unit=self.units[e.unit_code],
                position=self.positions[(e.unit_code, e.position)],
                status=e.status,
                birth_date=e.birth_date,
                sex=e.sex,
                email=e.email,
                phone=e.phone,
                building=self.buildings[e.building] if e.building else None,
                floor=self.floors[(e.building, e.floor)] if e.building and e.floor else None,
            )
            for e in self.plan.employees
        ]
        for employee in Employee.objects.bulk_create(rows, batch_size=BATCH_SIZE):
            self.employees[employee.nip] = employee
        through = Employee.skills.through
        through.objects.bulk_create(
            [
                through(employee_id=self.employees[e.nip].pk, skill_id=self.skills[code].pk)
                for e in self.plan.employees
                for code in e.skills
            ],
            batch_size=BATCH_SIZE,
        )
        RiskProfile.objects.bulk_create(
            [
                RiskProfile(
                    government=gov,
                    employee=self.employees[e.nip],
                    comorbidity=e.comorbidity,
                    pregnant_or_breastfeeding=e.pregnant,
                )
                for e in self.plan.employees
                if e.has_risk_profile
            ],
            batch_size=BATCH_SIZE,
        )

    def _users(self) -> None:
        user_model = get_user_model()
        # One hash for every demo account: they share a published password, and hashing with argon2
        # once instead of ten times keeps the seed fast.
        password = make_password(DEMO_PASSWORD)
        for account in self.plan.accounts:
            employee = self.employees[account.employee_nip] if account.employee_nip else None
            user = user_model.objects.create(
                username=account.username,
                email=employee.email if employee else f"{account.username}@demo.{data.EMAIL_DOMAIN}",
                password=password,
            )
            self.users[account.username] = user
            if employee is not None:
                employee.user = user
                Employee.objects.filter(pk=employee.pk).update(user=user)
        RoleAssignment.objects.bulk_create(
            [
                RoleAssignment(government=self.government, user=self.users[a.username], role=a.assigned)
                for a in self.plan.accounts
                if a.assigned
            ]
        )

    def appoint_acting_officials(self, *, seed: int, day: dt.date) -> list[Delegation]:
        """The Plh (and Plt) of the seed story, through the same service (and checks) as real ones."""
        admin = next((self.users[a.username] for a in self.plan.accounts if a.assigned == "admin"), None)
        letters = random.Random(seed)
        result = []
        for d in self.plan.delegations:
            start = day - dt.timedelta(days=DELEGATION_STARTED_DAYS_AGO[d.kind])
            result.append(
                delegation_create(
                    government=self.government,
                    kind=d.kind,
                    unit=self.units[d.unit_code],
                    acting=self.employees[d.acting_nip],
                    official=self.employees[d.official_nip] if d.official_nip else None,
                    start=start,
                    end=start + DELEGATION_TERM - dt.timedelta(days=1),
                    letter_number=f"821.2/{letters.randint(100, 999)}/BKPSDM/{start:%Y}",
                    reason=DELEGATION_REASONS[d.kind],
                    actor=admin,
                )
            )
        return result


def demo_roster_publish(*, government: Government, month: dt.date, time_limit: int = 15, actor: Any = None) -> Any:
    """The seed story's roster: SE MenPAN-RB 67/2020 in a medium-risk zone (50% on site), a front-office
    holder on site in every shift of each public-service unit that has enough of them, a plan for the
    whole regency for ``month``, solved now and published. Does nothing if that month already has one."""
    import importlib

    from django.apps import apps

    from siaga.rostering import services as roster
    from siaga.rostering.models import CoverageRule, GovernmentPolicy, RosterPlan, WorkPolicy
    from siaga.rostering.tasks import solve_plan

    start = month.replace(day=1)
    end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    existing = RosterPlan.objects.filter(
        government=government, unit__isnull=True, status=RosterPlan.Status.PUBLISHED, start=start, end=end
    ).first()
    if existing is not None:
        return existing
    if not GovernmentPolicy.objects.filter(government=government).exists():
        if not WorkPolicy.objects.filter(government=None, code="se-menpanrb-67-2020").exists():
            importlib.import_module("siaga.rostering.migrations.0002_work_policy_presets").load_presets(apps, None)
        preset = WorkPolicy.objects.get(government=None, code="se-menpanrb-67-2020")
        roster.policy_copy_for_government(government=government, preset=preset, actor=actor, select_from=start)
        roster.situation_set(
            government=government,
            effective_from=start,
            risk_zone="medium",
            actor=actor,
            note="Zona oranye (risiko sedang) — data demo",
        )
    front = Skill.objects.filter(government=government, code="front_office").first()
    if front is not None and not CoverageRule.objects.filter(government=government).exists():
        for unit in Unit.objects.filter(government=government, public_service=True, is_active=True):
            holders = unit.employees.filter(is_active=True, skills=front).count()
            if holders >= 6:  # two shifts, two cohorts, and a spare
                roster.coverage_rule_set(unit=unit, skill=front, minimum=1, actor=actor)
    plan = roster.plan_create(
        government=government,
        start=start,
        end=end,
        actor=actor,
        time_limit=time_limit,
        name=f"Jadwal {government.name} {start:%m-%Y} (demo)",
    )
    solve_plan.call(plan.pk)
    plan.refresh_from_db()
    if plan.status == RosterPlan.Status.DRAFT:
        plan = roster.plan_publish(plan=plan, actor=actor)
    return plan


def demo_workday_generate(*, government: Government, month: dt.date, seed: int = 2020) -> dict[str, dict[str, Any]]:
    """A month of the working day around the published roster of ``month``: check-ins and presence,
    e-Kinerja reports, travel permits and recalls, meetings and postponed mass events. Each app's generator
    follows the roster and replaces (or keeps) its own demo rows, so running it again is safe."""
    from siaga.attendance.demo import demo_generate as attendance_generate
    from siaga.meetings.demo import demo_generate as meetings_generate
    from siaga.workday.demo import demo_generate as workday_generate

    start = month.replace(day=1)
    end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    # Travel permits first: approved ones make people absent, which the check-ins then respect.
    workday = workday_generate(government=government, start=start, end=end, seed=seed)
    attendance = attendance_generate(government=government, start=start, end=end, seed=seed)
    meetings = meetings_generate(government=government, start=start, end=end, seed=seed)
    return {"workday": workday, "attendance": attendance, "meetings": meetings}
