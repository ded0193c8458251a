"""Races on PostgreSQL (threads with their own connections): a restricted floor never takes more office
check-ins than its limit, and two overlapping measures on the same space cannot both be set."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from conftest import postgresql_only, race
from siaga.attendance import services as attendance
from siaga.attendance.models import CheckIn
from siaga.attendance.tests.conftest import INSIDE, at, publish
from siaga.measures import services
from siaga.measures.models import BuildingMeasure

pytestmark = [pytest.mark.django_db(transaction=True), postgresql_only]


def test_concurrent_check_ins_never_exceed_a_restricted_floor(office, make_employee):
    today = timezone.localdate()
    people = [make_employee(office["umum"], f"Staf {i}") for i in range(6)]
    publish(office["government"], [(p, today, "wfo") for p in people])
    services.measure_set(
        government=office["government"],
        building=office["building"],
        floor=office["floor"],
        kind="restrict",
        capacity_people=2,
        start=today,
        end=today,
        reason="Klaster dalam penyelidikan",
    )

    def job(person: Any) -> Callable[[], Any]:
        return lambda: attendance.check_in(
            employee=person, mode="wfo", latitude=INSIDE[0], longitude=INSIDE[1], now=at(7, 20)
        )

    results, errors = race([job(p) for p in people])
    assert len(results) == 2
    assert len(errors) == 4 and all(isinstance(e, ValidationError) for e in errors)
    assert all("is full" in e.message_dict["__all__"][0] for e in errors)  # type: ignore[attr-defined]
    assert CheckIn.objects.filter(floor=office["floor"], mode="wfo").count() == 2


def test_two_overlapping_measures_on_one_space_cannot_both_be_set(office):
    today = timezone.localdate()

    def job(days: int) -> Callable[[], Any]:
        return lambda: services.measure_set(
            government=office["government"],
            building=office["building"],
            floor=office["floor"],
            kind="close",
            start=today,
            end=today + dt.timedelta(days=days),
            reason="Disinfeksi",
        )

    results, errors = race([job(1), job(2), job(3)])
    assert len(results) == 1 and len(errors) == 2
    assert all("already has a measure" in str(e) for e in errors)
    assert BuildingMeasure.objects.count() == 1
