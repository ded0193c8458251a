"""Races on PostgreSQL (threads with their own connections): two officers registering or taking the same
application at once get one success and one clear refusal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from conftest import postgresql_only, race
from siaga.core.access import actor_for_user
from siaga.services import services_office as svc
from siaga.services.models import Application, ApplicationEvent, Status
from siaga.services.tests.test_office_fixtures import office  # noqa: F401

pytestmark = [pytest.mark.django_db(transaction=True), postgresql_only]


def test_two_officers_registering_at_once(office: dict, make_application: Any) -> None:  # noqa: F811
    app = make_application(office["pbg"], office["budi"])
    users = [office["users"]["officer"], office["officer2"].user]

    def job(user: Any) -> Callable[[], Any]:
        return lambda: svc.application_move(
            application=Application.objects.get(pk=app.pk), to=Status.REGISTERED, actor=actor_for_user(user)
        )

    results, errors = race([job(u) for u in users])
    assert len(results) == 1 and len(errors) == 1
    assert isinstance(errors[0], ValidationError)
    assert "cannot become" in errors[0].messages[0] and "reload the page" in errors[0].messages[0]
    app.refresh_from_db()
    assert app.status == Status.REGISTERED and app.receipt_number
    assert ApplicationEvent.objects.filter(application=app, to_status=Status.REGISTERED).count() == 1


def test_two_officers_taking_at_once(office: dict, make_application: Any) -> None:  # noqa: F811
    app = make_application(office["pbg"], office["budi"])
    people = [office["officer"], office["officer2"]]

    def job(employee: Any) -> Callable[[], Any]:
        return lambda: svc.application_take(
            application=Application.objects.get(pk=app.pk), actor=actor_for_user(employee.user)
        )

    results, errors = race([job(e) for e in people])
    assert len(results) == 1 and len(errors) == 1
    assert isinstance(errors[0], ValidationError)
    assert "already handles this application" in errors[0].messages[0]
    app.refresh_from_db()
    winner = results[0].assigned_to_id
    assert app.assigned_to_id == winner and winner in {e.pk for e in people}
    assert ApplicationEvent.objects.filter(application=app, public=False).count() == 1


def test_two_bills_at_once_get_distinct_numbers(office: dict, make_application: Any) -> None:  # noqa: F811
    apps = [
        make_application(office["pbg"], who, status=Status.RECOMMENDED, assigned_to=office["officer"])
        for who in (office["budi"], office["siti"])
    ]
    officer = office["users"]["officer"]

    def job(app: Application) -> Callable[[], Any]:
        return lambda: svc.application_issue_bill(
            application=Application.objects.get(pk=app.pk), actor=actor_for_user(officer)
        )

    results, errors = race([job(a) for a in apps])
    assert errors == [] and len(results) == 2
    numbers = {a.bill_number for a in Application.objects.filter(pk__in=[a.pk for a in apps])}
    assert len(numbers) == 2
