"""Two task-force members acting on the same person at once (PostgreSQL, separate connections)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from conftest import postgresql_only
from siaga.outbreak import services
from siaga.outbreak.models import Case, ContactProposal, Order
from siaga.outbreak.tests.conftest import days_ago
from siaga.outbreak.tests.test_contacts import scenario  # noqa: F401 (fixture)
from siaga.rostering.models import Absence

pytestmark = [
    pytest.mark.django_db(transaction=True),
    postgresql_only,
]


def race(n: int, work: Callable[[], Any]) -> tuple[list[Any], list[BaseException]]:
    barrier = threading.Barrier(n)
    results: list[Any] = []
    errors: list[BaseException] = []

    def run() -> None:
        from django.db import connection as conn

        try:
            barrier.wait()
            results.append(work())
        except BaseException as exc:
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


def test_concurrent_orders_for_the_same_days_make_one_order_and_one_absence(org, task_force, staff_case):
    results, errors = race(
        6, lambda: services.order_issue(actor=task_force, case=staff_case, kind="isolation", start=days_ago(3))
    )
    assert len(results) == 1 and len(errors) == 5
    assert all(isinstance(e, ValidationError) and "start" in e.message_dict for e in errors)
    assert Order.objects.count() == 1
    assert Absence.objects.filter(employee=org["staff"]).count() == 1


def test_concurrent_case_records_for_the_same_person_make_one_open_case(org, task_force):
    results, errors = race(
        6, lambda: services.case_create(actor=task_force, employee=org["staff"], classification="suspect")
    )
    assert len(results) == 1 and len(errors) == 5
    assert all(isinstance(e, ValidationError) and "employee" in e.message_dict for e in errors)
    assert Case.objects.filter(employee=org["staff"]).count() == 1


def test_concurrent_tracing_of_the_same_case_lists_each_contact_once(org, task_force, staff_case, scenario):  # noqa: F811
    results, errors = race(4, lambda: services.contacts_propose(actor=task_force, case=staff_case))
    assert errors == [] and len(results) == 4
    assert ContactProposal.objects.filter(case=staff_case).count() == 3
    assert all(sorted(p.pk for p in r) == sorted(p.pk for p in results[0]) for r in results)


def test_concurrent_confirmations_make_one_close_contact_case(org, task_force, staff_case, scenario):  # noqa: F811
    found = services.contacts_propose(actor=task_force, case=staff_case)
    proposal = next(p for p in found if p.employee_id == org["staff_umum"].pk)
    results, errors = race(4, lambda: services.contact_decide(actor=task_force, proposal=proposal, confirm=True))
    assert len(results) == 1 and len(errors) == 3
    assert all(isinstance(e, ValidationError) and "decision" in e.message_dict for e in errors)
    assert Case.objects.filter(employee=org["staff_umum"], classification="close_contact").count() == 1
