"""IDOR: an object of the other government, or another person's object, named by its id, code or NIP
in the URL answers 404; the same request for one's own object succeeds (so each case can fail)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from siaga.core.models import Notification
from siaga.org.models import Building
from tests.security.world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org: dict[str, Any], other_government: Any, make_user: Any, make_employee: Any) -> dict[str, Any]:
    w = build_world(org, other_government, make_user, make_employee)
    w["own"]["building"] = Building.objects.create(government=org["government"], code="gedung-pusat", name="Pusat")
    return w


def _page(world: dict[str, Any], role: str, name: str, pk: int) -> int:
    client = Client()
    client.force_login(world["users"][role])
    url = reverse(name, kwargs={"pk": pk})
    status = client.get(url).status_code
    return client.post(url, {}).status_code if status == 405 else status  # POST-only pages: empty data


def _api(world: dict[str, Any], role: str, path: str) -> int:
    return Client().get(path, headers={"Authorization": f"Bearer {world['tokens'][role]}"}).status_code


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("org:unit_detail", "unit"),
        ("org:unit_edit", "unit"),
        ("org:employee_detail", "employee"),
        ("org:employee_edit", "employee"),
        ("org:employee_risk_update", "employee"),
        ("org:building_detail", "building"),
    ],
)
def test_pages_of_the_other_governments_objects_are_not_found(world: dict[str, Any], name: str, kind: str) -> None:
    role = "health" if name == "org:employee_risk_update" else "admin"  # health data: the task force only
    own = _page(world, role, name, world["own"][kind].pk)
    assert own in (200, 302), own  # found (a POST-only page answers its form or redirects)
    assert _page(world, role, name, world["other"][kind].pk) == 404


@pytest.mark.parametrize(
    ("template", "kind", "attr"),
    [
        ("/api/v1/units/{}", "unit", "code"),
        ("/api/v1/employees/{}", "employee", "nip"),
        ("/api/v1/buildings/{}", "building", "code"),
    ],
)
def test_api_objects_of_the_other_government_are_not_found(
    world: dict[str, Any], template: str, kind: str, attr: str
) -> None:
    for role in ("admin", "health", "staff"):
        assert _api(world, role, template.format(getattr(world["own"][kind], attr))) == 200, role
        assert _api(world, role, template.format(getattr(world["other"][kind], attr))) == 404, role
    # ... and the other government's admin sees its own, not ours.
    assert _api(world, "other_admin", template.format(getattr(world["other"][kind], attr))) == 200
    assert _api(world, "other_admin", template.format(getattr(world["own"][kind], attr))) == 404


def test_another_persons_notification_is_not_found(world: dict[str, Any]) -> None:
    note = Notification.objects.create(
        government=world["government"], recipient=world["users"]["admin"], channel="in_app", subject="Rapat", body="x"
    )
    client = Client()
    client.force_login(world["users"]["staff"])
    assert client.post(reverse("notification_open", kwargs={"pk": note.pk})).status_code == 404
    note.refresh_from_db()
    assert note.read_at is None
    client.force_login(world["users"]["admin"])
    assert client.post(reverse("notification_open", kwargs={"pk": note.pk})).status_code == 302


def test_the_other_governments_token_cannot_be_revoked(world: dict[str, Any]) -> None:
    from siaga.core.models import ApiToken

    theirs = ApiToken.objects.get(user=world["users"]["other_admin"])
    client = Client()
    client.force_login(world["users"]["admin"])
    assert client.post(reverse("token_revoke", kwargs={"pk": theirs.pk})).status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
