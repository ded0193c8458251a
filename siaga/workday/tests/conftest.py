"""Fixtures of the workday tests: a Plh for Bidang Pelayanan and a published roster built from rows."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connections
from django.utils import timezone

from siaga.org.models import Delegation
from siaga.rostering.models import RosterAssignment, RosterPlan


@pytest.fixture
def plh(org: dict[str, Any], make_employee: Callable[..., Any], make_user: Callable[..., Any]) -> Any:
    """Bidang Pelayanan's Plh (a staff member of Bidang Umum) for the week around today."""
    user = make_user("plh")
    acting = make_employee(org["umum"], "Plh Pelayanan", user=user)
    today = timezone.localdate()
    delegation = Delegation.objects.create(
        government=org["government"],
        kind="plh",
        unit=org["pelayanan"],
        official=org["kabid"],
        acting=acting,
        start=today - dt.timedelta(days=3),
        end=today + dt.timedelta(days=3),
    )
    return {"user": user, "employee": acting, "delegation": delegation}


@pytest.fixture
def publish_days(org: dict[str, Any]) -> Callable[..., RosterPlan]:
    """A published plan made from rows: ``days`` maps (employee, date) to "wfo", "wfh" or "off"."""

    def build(days: dict[tuple[Any, dt.date], str], *, problem: dict[str, Any] | None = None) -> RosterPlan:
        dates = [d for _e, d in days]
        plan = RosterPlan.objects.create(
            government=org["government"],
            name="Roster",
            start=min(dates),
            end=max(dates),
            status=RosterPlan.Status.PUBLISHED,
            published_at=timezone.now(),
            problem=problem or {"shifts": [{"id": "hari", "start": "07:30", "end": "16:00"}]},
        )
        RosterAssignment.objects.bulk_create(
            RosterAssignment(plan=plan, employee=e, date=d, mode=mode, shift="hari" if mode == "wfo" else "")
            for (e, d), mode in days.items()
        )
        return plan

    return build


def at_once(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls in threads that start together, each on its own database connection; return what
    each returned or raised."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(10)
            results[i] = call()
        except Exception as exc:  # the test asserts what was raised
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results
