"""Races on the citizens' portal (PostgreSQL, separate connections): the same NIK registered twice at
once, the same code entered twice at once."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from conftest import postgresql_only
from siaga.outbreak.tests.test_concurrency import race
from siaga.services import services_portal
from siaga.services.models import Citizen, OneTimeCode
from siaga.services.tests.test_portal import NIK_NEW, PASSWORD, last_code

pytestmark = [pytest.mark.django_db(transaction=True), postgresql_only]


def test_the_same_nik_registered_at_once_makes_one_citizen(government):
    counter = iter(range(100))

    def work():
        n = next(counter)
        return services_portal.registration_start(
            government=government, nik=NIK_NEW, name="Rina", email=f"rina{n}@example.com", password=PASSWORD
        )

    results, errors = race(4, work)
    assert Citizen.objects.filter(nik=NIK_NEW).count() == 1
    # each request either registered (or replaced the pending details) or was told the NIK is taken
    assert len(results) >= 1
    assert all(isinstance(e, ValidationError) for e in errors), errors


def test_the_same_code_entered_twice_at_once_is_used_once(government):
    _citizen, otc = services_portal.registration_start(
        government=government, nik=NIK_NEW, name="Rina", email="rina@example.com", password=PASSWORD
    )
    code = last_code("rina@example.com")
    results, errors = race(
        2, lambda: services_portal.registration_confirm(government=government, code_id=otc.pk, code=code)
    )
    assert len(results) == 1 and len(errors) == 1 and isinstance(errors[0], ValidationError)
    assert OneTimeCode.objects.get(pk=otc.pk).used_at is not None
