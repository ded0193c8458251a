"""A WFO check-in stays cheap: pinned query counts through the API (bearer token) and the page (session).

They fail when a change adds queries to the hot path of the morning peak (see ``bench/bench_attendance.py``).
The counts include the savepoint the check-in's transaction opens inside the test's transaction.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from siaga.api.auth import last_used
from siaga.attendance.models import CheckIn, Presence
from siaga.attendance.tests.conftest import INSIDE, at, publish
from siaga.core.models import AuditEvent
from siaga.core.services import api_token_create
from siaga.rostering.models import Absence

pytestmark = pytest.mark.django_db

#: token, employee (with workplace, delegations and whether they hold any assigned role: an ordinary ASN
#: holds none, so their role assignments are not read), the day's facts (roster, shift times, exception,
#: leave/absence, policy, open and retried check-ins, whether a building measure is in force on the
#: person's floor), savepoint, 3 inserts, release
API_QUERIES = 8
#: the same without the token, plus the session and the user
PAGE_QUERIES = 9


def _api(gov: Any, user: Any) -> tuple[Client, dict[str, str]]:
    _token, key = api_token_create(government=gov, user=user, name="hp", actor=None)
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client, {"Authorization": f"Bearer {key}"}


def _post(client: Client, headers: dict[str, str], body: dict[str, Any]) -> Any:
    return client.post(
        "/api/v1/attendance/check-ins", json.dumps(body), content_type="application/json", headers=headers
    )


def test_api_wfo_check_in_query_count(office: dict[str, Any], django_assert_max_num_queries: Any) -> None:
    gov, staff = office["government"], office["staff"]
    publish(gov, [(staff, timezone.localdate(), "wfo")])
    client, headers = _api(gov, office["users"]["staff"])
    assert _post(client, headers, {"mode": "wfh"}).status_code == 201
    last_used.flush()  # the token's first use is recorded (written behind)
    CheckIn.objects.all().delete()
    body = {"mode": "wfo", "latitude": INSIDE[0], "longitude": INSIDE[1], "accuracy_m": 8, "idempotency_key": "q1"}
    with django_assert_max_num_queries(API_QUERIES):
        response = _post(client, headers, body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["mode"], data["building"], data["floor"], data["shift"]) == ("wfo", "menara-wijaya", 2, "pagi")
    assert data["late"] == (timezone.now() > at(7, 45))  # the shift starts 07:30, 15 minutes' tolerance
    assert Presence.objects.get().ref == f"checkin:{data['id']}"
    assert AuditEvent.objects.filter(action="check_in", object_id=str(data["id"])).exists()
    # the retry costs no more
    with django_assert_max_num_queries(API_QUERIES):
        retry = _post(client, headers, body)
    assert (retry.status_code, retry.json()["id"]) == (200, data["id"])


def test_api_refusal_reads_the_same_facts(office: dict[str, Any], django_assert_max_num_queries: Any) -> None:
    gov, staff = office["government"], office["staff"]
    publish(gov, [(staff, timezone.localdate(), "wfo")])
    Absence.objects.create(
        government=gov,
        employee=staff,
        start=timezone.localdate(),
        end=timezone.localdate(),
        reason="isolation",
        source="test:isolation",
    )
    client, headers = _api(gov, office["users"]["staff"])
    body = {"mode": "wfo", "latitude": INSIDE[0], "longitude": INSIDE[1]}
    with django_assert_max_num_queries(API_QUERIES):
        response = _post(client, headers, body)
    assert response.status_code == 422 and "isolation" in response.json()["errors"]["__all__"][0]
    assert not CheckIn.objects.exists()


def test_page_wfo_check_in_query_count(office: dict[str, Any], login: Any, django_assert_max_num_queries: Any) -> None:
    publish(office["government"], [(office["staff"], timezone.localdate(), "wfo")])
    client = login(office["users"]["staff"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    data = {"mode": "wfo", "latitude": INSIDE[0], "longitude": INSIDE[1], "accuracy": "9", "idempotency_key": "k1"}
    with django_assert_max_num_queries(PAGE_QUERIES):
        response = client.post(reverse("attendance:check_in"), data)
    assert response.status_code == 302
    record = CheckIn.objects.get()
    assert (record.mode, record.shift, record.floor_id) == ("wfo", "pagi", office["floor"].pk)
    assert Presence.objects.get().ref == f"checkin:{record.pk}"
