"""Fixture worlds for the security tests.

- ``build_world``: two governments on the conftest organisation, a user for every role, and objects of the
  other government to aim at (the role walk).
- ``seed_government``: a complete government through the demo pipeline, several side by side (the tenant
  tests and bench/bench_tenants.py), and ``objects_of``: real objects of one of them for the routes that
  name objects (walk.OBJECT_PAGES, walk.OBJECT_API).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from siaga.core.models import Role, RoleAssignment
from siaga.core.services import api_token_create
from siaga.org.models import Building, Delegation, Employee, Position, Unit

#: Every role the walk requests as (anonymous sends no credentials).
ROLES = ("anonymous", "admin", "health", "officer", "head", "plh", "staff", "citizen", "other_admin")


def build_world(org: dict[str, Any], other_government: Any, make_user: Any, make_employee: Any) -> dict[str, Any]:
    government = org["government"]
    today = timezone.localdate()
    plh_user = make_user("plh")
    plh = make_employee(org["pelayanan"], "Pelaksana Harian", user=plh_user)
    Delegation.objects.create(
        government=government,
        kind=Delegation.Kind.PLH,
        unit=org["pelayanan"],
        official=org["kabid"],
        acting=plh,
        start=today - dt.timedelta(days=1),
        end=today + dt.timedelta(days=3),
        reason="cuti",
    )
    other_unit = Unit.objects.create(government=other_government, code="DISDIK", name="Dinas Pendidikan", kind="dinas")
    other_head_pos = Position.objects.create(
        government=other_government,
        unit=other_unit,
        name="Kepala",
        kind="struktural",
        level="jpt_pratama",
        is_head=True,
    )
    other_employee: Employee = make_employee(other_unit, "Pegawai Karanganyar", position=other_head_pos)
    other_building = Building.objects.create(government=other_government, code="gedung-a", name="Gedung A")
    users = {
        "admin": org["users"]["admin"],
        "health": org["users"]["health"],
        "officer": org["users"]["officer"],
        "head": org["users"]["head"],
        "plh": plh_user,
        "staff": org["users"]["staff"],
        "citizen": make_user("warga", (government, Role.CITIZEN)),
        "other_admin": make_user("bkpsdm2", (other_government, Role.ADMIN)),
    }
    tokens = {}
    for name, user in users.items():
        gov = other_government if name == "other_admin" else government
        tokens[name] = api_token_create(government=gov, user=user, name=f"walk {name}", actor=None)[1]
    return {
        "government": government,
        "other_government": other_government,
        "users": users,
        "tokens": tokens,
        "other": {"unit": other_unit, "employee": other_employee, "building": other_building},
        "own": {"unit": org["dinas"], "employee": org["staff"], "building": None},
    }


# ---- whole governments, seeded side by side -----------------------------------------------------------
# The demo pipeline (siaga.demo) writes one government's staff, roster, working month, office cluster and
# public services. Its later steps find their actors by the demo user names ("satgas", "warga", ...), which
# are unique across the instance; so each government is seeded with those names and, once complete, its
# demo accounts are renamed "<name>@<government code>", freeing the names for the next government.

#: Role of the tenant tests → demo user name (before the rename). "leader" is added by ``seed_government``.
TENANT_ACCOUNTS = {
    "admin": "bkpsdm",
    "health": "satgas",
    "officer": "petugas.dpmptsp",
    "head": "kadis.dukcapil",
    "plh": "plh.dpmptsp",
    "staff": "asn.dpmptsp",
    "courier": "kurir.dukcapil",
    "citizen": "warga",
    "leader": "bupati",
}


def tenant_username(name: str, government: Any) -> str:
    return f"{name}@{government.code}"


def seed_government(
    *,
    code: str,
    name: str,
    kind: str = "kabupaten",
    scale: str = "small",
    seed: int = 2020,
    today: dt.date | None = None,
    roster_seconds: int = 5,
    steps: tuple[str, ...] = ("roster", "workday", "outbreak", "services"),
) -> Any:
    """One complete government through the demo pipeline, under ``code``; its demo accounts end up named
    ``<name>@<code>``. Signing needs the local signing settings (DOCUMENT_SIGNING_BACKEND, SIGNING_DIR)."""
    from django.contrib.auth import get_user_model

    from siaga.core.models import Government
    from siaga.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
    from siaga.demo.generator import build_plan
    from siaga.demo.outbreak import demo_outbreak
    from siaga.demo.public_services import demo_public_services
    from siaga.demo.services import _Writer, demo_roster_publish, demo_workday_generate

    day = today or timezone.localdate()
    user_model = get_user_model()
    government = Government.objects.create(code=code, name=name, kind=kind, zone=Government.Zone.WIB)
    writer = _Writer(government, build_plan(scale=scale, seed=seed))
    writer.write()
    writer.appoint_acting_officials(seed=seed, day=day)
    leader = user_model.objects.create_user(username="bupati", password=DEMO_PASSWORD, email=f"bupati@{code}.example")
    RoleAssignment.objects.create(user=leader, government=government, role=Role.LEADER)
    if "roster" in steps:
        demo_roster_publish(government=government, month=day, time_limit=roster_seconds)
    if "workday" in steps:
        demo_workday_generate(government=government, month=day, seed=seed)
    if "outbreak" in steps:
        demo_outbreak(government=government, today=day, seed=seed)
    if "services" in steps:
        demo_public_services(government=government, today=day, seed=seed)
    names = {a.username for a in DEMO_ACCOUNTS} | {"bupati"}
    for user in user_model.objects.filter(username__in=names):
        user.username = tenant_username(user.username, government)
        user.save(update_fields=["username"])
    return government


def objects_of(government: Any) -> dict[str, Any]:
    """Real objects of ``government`` for the routes of walk.OBJECT_PAGES and walk.OBJECT_API (the keys
    those name). Each is the first one by id, so the same seed gives the same objects."""
    from siaga.delivery.models import Appointment, AppointmentSlot, DeliveryOrder
    from siaga.measures.models import BuildingMeasure, DisinfectionTask
    from siaga.meetings.models import MassEvent, Meeting
    from siaga.outbreak.models import Case, Cluster, ClusterMember, ContactProposal, Order
    from siaga.services.models import Application, Attachment, IssuedDocument, Status

    def first(qs: Any) -> Any:
        obj = qs.filter(government=government).order_by("pk").first()
        assert obj is not None, f"the seeded government {government.code} has no {qs.model.__name__} for the walk"
        return obj

    citizen = tenant_username(TENANT_ACCOUNTS["citizen"], government)
    case = first(Case.objects.filter(orders__kind=Order.Kind.ISOLATION, contact_proposals__isnull=False).distinct())
    cluster = first(Cluster.objects.filter(members__isnull=False).distinct())
    return {
        "case": case,
        "order": first(Order.objects.filter(case=case, kind=Order.Kind.ISOLATION)),
        "contact": first(ContactProposal.objects.filter(case=case)),
        "cluster": cluster,
        "cluster_case": first(ClusterMember.objects.filter(cluster=cluster)).case,
        "meeting": first(Meeting.objects.all()),
        "event": first(MassEvent.objects.all()),
        "measure": first(BuildingMeasure.objects.all()),
        "disinfection": first(DisinfectionTask.objects.all()),
        "application": first(Application.objects.filter(status=Status.IN_REVIEW)),
        "signing": first(Application.objects.filter(status=Status.AWAITING_SIGNATURE)),
        "attachment": first(Attachment.objects.all()),
        "document": first(IssuedDocument.objects.all()),
        "citizen_application": first(Application.objects.filter(citizen__user__username=citizen)),
        "citizen_attachment": first(Attachment.objects.filter(application__citizen__user__username=citizen)),
        # issued for delivery; the demo gives each of these an order already, so the order form answers 404
        "ready_application": first(
            Application.objects.filter(status=Status.ISSUED, handover=Application.Handover.DELIVERY)
        ),
        "delivery": first(DeliveryOrder.objects.all()),
        "slot": first(AppointmentSlot.objects.all()),
        "appointment": first(Appointment.objects.all()),
        "appointment_application": first(Application.objects.filter(appointments__isnull=False).distinct()),
        "survey_application": first(Application.objects.filter(status=Status.CLOSED, survey__isnull=True)),
    }
