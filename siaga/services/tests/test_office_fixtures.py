"""Fixtures of the back office tests (imported by the ``test_office*`` modules): a second officer of the
OPD, an officer of another OPD, a Plh for the head of DPMPTSP, and a client per role."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from siaga.core.models import Role
from siaga.org.models import Delegation, Employee

__all__ = ["ROLES", "office"]

#: every role the role tests go through
ROLES = ("admin", "officer", "other_officer", "head", "plh", "staff", "health", "citizen")


@pytest.fixture
def office(desk: dict, make_employee: Callable[..., Employee], make_user: Callable[..., Any]) -> dict:
    """``desk`` plus: ``officer2`` (a second service officer of DPMPTSP), ``other_officer`` (a service
    officer of Dinas Kesehatan), ``plh`` (acting for the absent head of DPMPTSP today), and ``people``:
    the user of each role in ``ROLES``."""
    government = desk["government"]
    officer2_user = make_user("petugas2", (government, Role.SERVICE_OFFICER))
    officer2 = make_employee(desk["pelayanan"], "Petugas Kedua", user=officer2_user)
    other_user = make_user("petugasdinkes", (government, Role.SERVICE_OFFICER))
    other_officer = make_employee(desk["other_unit"], "Petugas Dinkes", user=other_user)
    plh_user = make_user("plh")
    plh = make_employee(desk["umum"], "Sekretaris (Plh)", user=plh_user)
    today = timezone.localdate()
    Delegation.objects.create(
        government=government,
        kind=Delegation.Kind.PLH,
        unit=desk["dinas"],
        official=desk["kadis"],
        acting=plh,
        start=today - dt.timedelta(days=1),
        end=today + dt.timedelta(days=5),
    )
    users = desk["users"]
    people = {
        "admin": users["admin"],
        "officer": users["officer"],
        "other_officer": other_user,
        "head": users["head"],
        "plh": plh_user,
        "staff": users["staff"],
        "health": users["health"],
        "citizen": desk["siti"].user,
    }
    return {**desk, "officer2": officer2, "other_officer": other_officer, "plh": plh, "people": people}
