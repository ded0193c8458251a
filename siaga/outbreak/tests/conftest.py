"""Fixtures of the outbreak tests: actors and a case for the org fixture's staff member."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from siaga.core.access import Actor
from siaga.core.models import Government, Role
from siaga.org.models import Employee, Unit
from siaga.outbreak import services
from siaga.outbreak.models import Case


def days_ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)


@pytest.fixture
def task_force(org: dict[str, Any], actor_of: Callable[..., Actor]) -> Actor:
    return actor_of(org["users"]["health"])


@pytest.fixture
def staff_case(org: dict[str, Any], task_force: Actor) -> Case:
    """The staff member of Bidang Pelayanan, confirmed without symptoms (specimen 3 days ago)."""
    return services.case_create(
        actor=task_force,
        employee=org["staff"],
        classification="confirmed_asymptomatic",
        specimen_date=days_ago(3),
    )


@pytest.fixture
def outsider_health(
    other_government: Government,
    make_user: Callable[..., Any],
    make_unit: Callable[..., Unit],
    make_employee: Callable[..., Employee],
) -> Any:
    """The health task force of another government."""
    return make_user("satgasluar", (other_government, Role.HEALTH))
