"""A fixture world for the security tests: two governments, a user for every role, and objects of the
other government to aim at."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from siaga.core.models import Role
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
