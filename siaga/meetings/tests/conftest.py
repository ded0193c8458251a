"""Fixtures of the meetings tests: a building with meeting rooms, the policy in effect, and the real
SMTP server and worker of the notification tests."""

from __future__ import annotations

import datetime as dt
import importlib
import zoneinfo
from typing import Any

import pytest
from django.apps import apps as django_apps

from siaga.api.tests.conftest import as_user, users  # noqa: F401 - the JSON API client
from siaga.core.tests.conftest import run_worker, smtp_server  # noqa: F401 - shared real servers
from siaga.org.models import Building, Floor, Room
from siaga.rostering import services as rostering
from siaga.rostering.models import WorkPolicy

WIB = zoneinfo.ZoneInfo("Asia/Jakarta")
#: a Monday well in the future, at 09:00 WIB
DAY = dt.date(2030, 3, 4)


def at(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=WIB)


@pytest.fixture
def rooms(org: dict[str, Any]) -> dict[str, Room]:
    government = org["government"]
    building = Building.objects.create(government=government, code="menara-wijaya", name="Gedung Menara Wijaya")
    floor = Floor.objects.create(
        government=government, building=building, number=2, capacity=80, distancing_capacity=40
    )
    small = Room.objects.create(
        government=government,
        floor=floor,
        code="rapat-kecil",
        name="Ruang Rapat Kecil",
        capacity=10,
        distancing_capacity=4,
    )
    hall = Room.objects.create(
        government=government, floor=floor, code="aula", name="Aula", capacity=60, distancing_capacity=20
    )
    closed = Room.objects.create(
        government=government,
        floor=floor,
        code="rapat-tutup",
        name="Ruang Rapat Timur",
        capacity=10,
        distancing_capacity=4,
        status="closed",
    )
    return {"small": small, "hall": hall, "closed": closed}


@pytest.fixture
def policy(org: dict[str, Any]) -> WorkPolicy:
    """SE MenPAN-RB 67/2020 in effect since 2020: only very urgent meetings in person, gatherings allowed."""
    if not WorkPolicy.objects.filter(government=None).exists():
        # a transactional test before this one flushed the presets the migration loads: load them again
        presets = importlib.import_module("siaga.rostering.migrations.0002_work_policy_presets")
        presets.load_presets(django_apps, None)
    preset = WorkPolicy.objects.get(government=None, code="se-menpanrb-67-2020")
    return rostering.policy_copy_for_government(
        government=org["government"], preset=preset, actor=None, select_from=dt.date(2020, 9, 4)
    )
