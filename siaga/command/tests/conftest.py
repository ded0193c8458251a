"""A small world for the command center: two agencies with a roster, check-ins, cases, a cluster, a
building measure, applications and deliveries on one day, and the same kinds of rows in another
government that must never be counted."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from siaga.attendance.models import CheckIn
from siaga.core.models import Government, Role
from siaga.delivery.models import DeliveryOrder
from siaga.measures.models import BuildingMeasure
from siaga.org.models import Building, Employee, Position, Unit
from siaga.outbreak.models import Case, Cluster, ClusterMember, Order, RuleSet
from siaga.rostering.models import CapBasis, GovernmentPolicy, RosterAssignment, RosterPlan, WorkPolicy
from siaga.services.models import Application, Citizen, ProductKind, Service

#: a Monday (a working day)
MONDAY = dt.date(2026, 11, 23)
SHIFTS = [{"id": "pagi", "start": "07:30", "end": "12:00"}, {"id": "siang", "start": "12:00", "end": "16:00"}]


def _at(government: Government, day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)), government.tzinfo)


def build_world(
    government: Government,
    day: dt.date,
    *,
    dinas: Unit,
    other: Unit,
    people: dict[str, Employee],
    citizen_user: Any,
    suffix: str = "",
) -> None:
    """Rows of one government on ``day``: see the figures asserted in test_figures.py."""
    building = Building.objects.create(government=government, code=f"gedung-a{suffix}", name=f"Gedung A{suffix}")
    Unit.objects.filter(pk=dinas.pk).update(building=building)
    policy = WorkPolicy.objects.create(
        government=government,
        code=f"flat{suffix}",
        name="Kebijakan 50%",
        legal_basis="SE uji",
        effective_from=day - dt.timedelta(days=30),
        shifts=SHIFTS,
        cap_basis=CapBasis.FLAT,
        cap_rows=[{"level": "*", "sector": "*", "region": "*", "cap": 0.5}],
    )
    GovernmentPolicy.objects.create(government=government, policy=policy, effective_from=day - dt.timedelta(days=30))
    plan = RosterPlan.objects.create(
        government=government,
        name="Roster",
        start=day - dt.timedelta(days=6),
        end=day + dt.timedelta(days=6),
        status=RosterPlan.Status.PUBLISHED,
        problem={"shifts": SHIFTS},
        published_at=timezone.now(),
    )
    # DPMPTSP: 2 WFO (both in the morning shift, nobody in the afternoon), 2 WFH; Dinkes: 1 WFO
    for key, mode, shift in (
        ("kadis", "wfo", "pagi"),
        ("kabid", "wfo", "pagi"),
        ("staff", "wfh", ""),
        ("staff_umum", "wfh", ""),
        ("other_staff", "wfo", "pagi"),
    ):
        RosterAssignment.objects.create(plan=plan, employee=people[key], date=day, mode=mode, shift=shift)
        # the day before, every one of them at the office: not today's figure
        RosterAssignment.objects.create(
            plan=plan, employee=people[key], date=day - dt.timedelta(days=1), mode="wfo", shift="pagi"
        )
    for key, mode, shift in (("kadis", "wfo", "pagi"), ("staff", "wfh", ""), ("other_staff", "wfo", "pagi")):
        CheckIn.objects.create(
            government=government,
            employee=people[key],
            date=day,
            mode=mode,
            shift=shift,
            checked_in_at=_at(government, day, 7),
        )
    CheckIn.objects.create(
        government=government,
        employee=people["staff"],
        date=day - dt.timedelta(days=1),
        mode="wfo",
        checked_in_at=_at(government, day - dt.timedelta(days=1), 7),
        checked_out_at=_at(government, day - dt.timedelta(days=1), 16),
    )
    # health: three confirmed in DPMPTSP, one in Dinkes; a close contact is not a case
    rules = RuleSet.objects.filter(government=None).first()
    cases = {}
    for key, classification, onset in (
        ("staff", "confirmed_symptomatic", day - dt.timedelta(days=3)),
        ("kabid", "confirmed_asymptomatic", None),
        ("staff_umum", "confirmed_symptomatic", day - dt.timedelta(days=2)),
        ("other_staff", "confirmed_symptomatic", day - dt.timedelta(days=3)),
        ("kadis", "close_contact", None),
    ):
        cases[key] = Case.objects.create(
            government=government,
            employee=people[key],
            classification=classification,
            onset_date=onset,
            specimen_date=day - dt.timedelta(days=2),
        )
    for key, kind, status in (
        ("staff", Order.Kind.ISOLATION, Order.Status.ACTIVE),
        ("kabid", Order.Kind.ISOLATION, Order.Status.ACTIVE),
        ("kadis", Order.Kind.QUARANTINE, Order.Status.ACTIVE),
        ("other_staff", Order.Kind.ISOLATION, Order.Status.LIFTED),
    ):
        Order.objects.create(
            government=government,
            case=cases[key],
            kind=kind,
            start=day - dt.timedelta(days=2),
            end=day + dt.timedelta(days=5),
            status=status,
            rule_set=rules,
        )
    cluster = Cluster.objects.create(government=government, name=f"Klaster Pelayanan{suffix}")
    for key in ("staff", "kabid"):
        ClusterMember.objects.create(government=government, cluster=cluster, case=cases[key], added_at=timezone.now())
    Cluster.objects.create(government=government, name=f"Klaster lama{suffix}", status=Cluster.Status.CLOSED)
    BuildingMeasure.objects.create(
        government=government,
        building=building,
        kind=BuildingMeasure.Kind.RESTRICT,
        capacity_percent=50,
        start=day - dt.timedelta(days=1),
        end=day + dt.timedelta(days=3),
        reason="Kasus konfirmasi di lantai 1",
    )
    BuildingMeasure.objects.create(
        government=government,
        building=building,
        kind=BuildingMeasure.Kind.CLOSE,
        start=day - dt.timedelta(days=10),
        end=day - dt.timedelta(days=8),
        reason="Disinfeksi",
    )
    # applications at DPMPTSP: 2 on time, 2 late; deliveries today: 1 scheduled, 1 out
    service = Service.objects.create(
        government=government,
        unit=dinas,
        code=f"izin{suffix}",
        name="Izin",
        sla_days=3,
        product="Izin",
        product_kind=ProductKind.PERMIT,
        signer_position=Position.objects.get_or_create(
            government=government,
            unit=dinas,
            is_head=True,
            defaults={"name": "Kepala", "kind": "struktural", "level": "jpt_pratama"},
        )[0],
    )
    citizen = Citizen.objects.create(government=government, user=citizen_user, nik="3374011205900001", name="Budi")
    apps = []
    for due, decided in (
        (day + dt.timedelta(days=2), None),
        (day - dt.timedelta(days=1), None),
        (day - dt.timedelta(days=2), day - dt.timedelta(days=3)),
        (day - dt.timedelta(days=5), day - dt.timedelta(days=1)),
    ):
        apps.append(
            Application.objects.create(
                government=government,
                service=service,
                unit=dinas,
                citizen=citizen,
                due_on=due,
                status="in_review" if decided is None else "issued",
                decided_at=_at(government, decided, 10) if decided else None,
            )
        )
    for app, status in ((apps[2], "scheduled"), (apps[3], "out")):
        DeliveryOrder.objects.create(
            government=government,
            application=app,
            unit=dinas,
            address="Jl. Merdeka 1",
            recipient="Budi",
            courier_kind="pos",
            scheduled_on=day,
            status=status,
        )


@pytest.fixture
def leader(org: dict[str, Any], make_user: Callable[..., Any]) -> Any:
    return make_user("bupati", (org["government"], Role.LEADER))


@pytest.fixture
def citizen(org: dict[str, Any], make_user: Callable[..., Any]) -> Any:
    return make_user("warga", (org["government"], Role.CITIZEN))


@pytest.fixture
def world(
    org: dict[str, Any],
    other_government: Government,
    make_unit: Callable[..., Unit],
    make_employee: Callable[..., Employee],
    make_user: Callable[..., Any],
    citizen: Any,
) -> Callable[[dt.date], dict[str, Any]]:
    """Build the world on a day in the org's government and, mirrored, in another government."""

    def factory(day: dt.date) -> dict[str, Any]:
        people = {k: org[k] for k in ("kadis", "kabid", "staff", "staff_umum", "other_staff")}
        build_world(
            org["government"], day, dinas=org["dinas"], other=org["other_unit"], people=people, citizen_user=citizen
        )
        dinas2 = make_unit(other_government, "DPMPTSP", "dinas", name="DPMPTSP Karanganyar", public_service=True)
        sub2 = make_unit(other_government, "DPMPTSP-PEL", "bidang", dinas2, name="Pelayanan Karanganyar")
        other2 = make_unit(other_government, "DINKES", "dinas", name="Dinkes Karanganyar")
        people2 = {
            "kadis": make_employee(dinas2),
            "kabid": make_employee(sub2),
            "staff": make_employee(sub2),
            "staff_umum": make_employee(sub2),
            "other_staff": make_employee(other2),
        }
        build_world(
            other_government,
            day,
            dinas=dinas2,
            other=other2,
            people=people2,
            citizen_user=make_user("warga2", (other_government, Role.CITIZEN)),
            suffix="-2",
        )
        return org

    return factory


@pytest.fixture(autouse=True)
def _fresh_command_cache() -> Any:
    """The command center's figures are cached for a short time (selectors.board): every test starts with
    none, so that a figure of one test's database is never read in another."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
