"""Health data: only the task force and the person read cases; every read is audit-logged; every other
role is refused (403 for what they may not do, 404 for a case they cannot see), on pages and the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from siaga.api.tests.conftest import ApiClient
from siaga.core.models import AuditEvent
from siaga.outbreak.models import Case, Order
from siaga.outbreak.tests.conftest import days_ago

pytestmark = pytest.mark.django_db


def page(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def reads(user) -> int:
    return AuditEvent.objects.filter(actor=user, action="read", object_type="outbreak.case").count()


def test_the_task_force_reads_the_list_and_the_case_and_each_read_is_logged(org, staff_case):
    health = org["users"]["health"]
    client = page(health)
    response = client.get("/outbreak/cases/", {"classification": "confirmed_asymptomatic"})
    assert response.status_code == 200
    assert "Staf Pelayanan" in response.content.decode()
    response = client.get(f"/outbreak/cases/{staff_case.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="proposals"' in html and "Last day of isolation" in html
    assert reads(health) == 2
    event = AuditEvent.objects.filter(actor=health, object_id=str(staff_case.pk), action="read").get()
    assert event.government_id == org["government"].pk


def test_the_list_filters_by_order_in_force(org, task_force, staff_case):
    from siaga.outbreak import services

    services.case_create(actor=task_force, classification="suspect", visitor_name="Tamu Satu")
    client = page(org["users"]["health"])
    assert "Tamu Satu" in client.get("/outbreak/cases/").content.decode()
    services.order_issue(actor=task_force, case=staff_case, kind="isolation", start=days_ago(3))
    html = client.get("/outbreak/cases/", {"under_order": "isolation"}, headers={"HX-Request": "true"}).content.decode()
    assert "Staf Pelayanan" in html and "Tamu Satu" not in html


def test_the_person_sees_their_own_case_read_only_and_my_cases(org, staff_case):
    staff = org["users"]["staff"]
    client = page(staff)
    response = client.get(f"/outbreak/cases/{staff_case.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Confirmed, asymptomatic" in html
    assert 'data-testid="proposals"' not in html and "/classify/" not in html and "/orders/" not in html
    mine = client.get("/outbreak/mine/")
    assert mine.status_code == 200 and 'data-testid="my-case"' in mine.content.decode()
    assert client.get("/outbreak/cases/").status_code == 403
    assert client.post(f"/outbreak/cases/{staff_case.pk}/classify/", {"to": "isolation_finished"}).status_code == 403
    assert reads(staff) == 2


@pytest.mark.parametrize("who", ["kabid", "head", "admin", "officer", "other_staff"])
def test_other_roles_are_refused_every_page(org, staff_case, who):
    client = page(org["users"][who])
    assert client.get("/outbreak/cases/").status_code == 403
    assert client.get(f"/outbreak/cases/{staff_case.pk}/").status_code == 404
    assert client.post(f"/outbreak/cases/{staff_case.pk}/orders/", {"kind": "isolation"}).status_code == 403
    assert client.get("/outbreak/cases/new/").status_code == 403
    assert not Order.objects.exists()


def test_another_governments_task_force_does_not_find_the_case(org, staff_case, outsider_health):
    client = page(outsider_health)
    assert client.get(f"/outbreak/cases/{staff_case.pk}/").status_code == 404
    assert client.post(f"/outbreak/cases/{staff_case.pk}/classify/", {"to": "died"}).status_code == 404
    assert "Staf Pelayanan" not in client.get("/outbreak/cases/").content.decode()
    assert Case.objects.get(pk=staff_case.pk).classification == "confirmed_asymptomatic"


def test_the_task_force_records_a_case_confirms_and_issues_an_order_in_the_browser_flow(org):
    client = page(org["users"]["health"])
    response = client.post(
        "/outbreak/cases/new/",
        {"nip": org["staff"].nip, "classification": "confirmed_asymptomatic", "specimen_date": days_ago(2).isoformat()},
    )
    assert response.status_code == 302
    case = Case.objects.get(employee=org["staff"])
    response = client.post(
        f"/outbreak/cases/{case.pk}/orders/", {"kind": "isolation", "start": days_ago(2).isoformat()}
    )
    assert response.status_code == 302
    order = case.orders.get()
    assert order.end == days_ago(2) + dt.timedelta(days=10)
    response = client.post(f"/outbreak/cases/{case.pk}/classify/", {"to": "confirmed_asymptomatic"})
    assert response.status_code == 422
    assert "The case already has this classification." in response.content.decode()


def test_a_bad_nip_on_the_form_says_what_to_fix(org):
    client = page(org["users"]["health"])
    response = client.post("/outbreak/cases/new/", {"nip": "123", "classification": "suspect"})
    assert response.status_code == 422
    assert "No employee of your government has this NIP" in response.content.decode()
    assert not Case.objects.exists()


@pytest.mark.indonesian
def test_the_case_page_speaks_indonesian(org, staff_case):
    html = page(org["users"]["health"]).get(f"/outbreak/cases/{staff_case.pk}/").content.decode()
    assert "Terkonfirmasi, tanpa gejala" in html
    assert "Riwayat klasifikasi" in html


# ---------------------------------------------------------------------------------------------------
# API


def test_api_task_force_creates_classifies_tests_and_orders(org):
    api = ApiClient(user=org["users"]["health"])
    response = api.post("/cases", {"classification": "suspect", "employee_nip": org["staff"].nip})
    assert response.status_code == 201, response.content
    case_id = response.json()["id"]
    taken = f"{days_ago(2).isoformat()}T09:00:00+07:00"
    response = api.post(
        f"/cases/{case_id}/lab-results",
        {"kind": "rt_pcr", "specimen_taken_at": taken, "result_date": days_ago(1).isoformat(), "result": "positive"},
    )
    assert response.status_code == 201, response.content
    proposals = api.get(f"/cases/{case_id}/proposals").json()
    assert [p["to"] for p in proposals] == ["confirmed_asymptomatic"]
    response = api.post(f"/cases/{case_id}/classify", {"to": "confirmed_asymptomatic", "note": proposals[0]["reason"]})
    body = response.json()
    assert response.status_code == 200
    assert [(h["from_value"], h["to_value"]) for h in body["history"]] == [
        ("", "suspect"),
        ("suspect", "confirmed_asymptomatic"),
    ]
    response = api.post(f"/cases/{case_id}/orders", {"kind": "isolation", "start": days_ago(2).isoformat()})
    assert response.status_code == 201, response.content
    order = response.json()
    assert order["end"] == (days_ago(2) + dt.timedelta(days=10)).isoformat() and order["rule_set"] == "kmk-413-2020"
    response = api.post(f"/cases/{case_id}/orders/{order['id']}/end", {})
    assert response.status_code == 200 and response.json()["status"] == "lifted"
    response = api.post(f"/cases/{case_id}/orders/{order['id']}/end", {})
    assert response.status_code == 422


def test_api_refuses_bad_data_with_field_errors(org):
    api = ApiClient(user=org["users"]["health"])
    response = api.post("/cases", {"classification": "confirmed_symptomatic", "employee_nip": org["staff"].nip})
    assert response.status_code == 422
    assert response.json()["errors"] == {"onset_date": ["A symptomatic case needs the date of symptom onset."]}
    response = api.post("/cases", {"classification": "suspect", "employee_nip": "199001012015031999"})
    assert response.status_code == 422 and "employee_nip" in response.json()["errors"]


def test_api_the_person_reads_only_their_own_case(org, staff_case, task_force):
    from siaga.outbreak import services

    services.case_create(actor=task_force, classification="suspect", employee=org["staff_umum"])
    api = ApiClient(user=org["users"]["staff"])
    listed = api.get("/cases").json()
    assert [c["id"] for c in listed["items"]] == [staff_case.pk]
    assert api.get(f"/cases/{staff_case.pk}").status_code == 200
    other = Case.objects.get(employee=org["staff_umum"])
    assert api.get(f"/cases/{other.pk}").status_code == 404
    assert api.post(f"/cases/{staff_case.pk}/classify", {"to": "died"}).status_code == 403
    assert api.get(f"/cases/{staff_case.pk}/proposals").status_code == 403
    assert reads(org["users"]["staff"]) == 2


@pytest.mark.parametrize("who", ["kabid", "head", "admin", "officer"])
def test_api_other_roles_are_refused(org, staff_case, who):
    api = ApiClient(user=org["users"][who])
    listed = api.get("/cases")
    if org["users"][who] in (org["users"]["admin"], org["users"]["officer"]):
        assert listed.status_code == 403
    else:  # unit heads are employees: they see only their own (none)
        assert listed.status_code == 200 and listed.json()["items"] == []
    assert api.get(f"/cases/{staff_case.pk}").status_code == 404
    assert api.get(f"/cases/{staff_case.pk}/lab-results").status_code == 404
    assert (
        api.post(f"/cases/{staff_case.pk}/orders", {"kind": "isolation", "start": days_ago(1).isoformat()}).status_code
        == 403
    )
    assert api.post("/cases", {"classification": "suspect", "visitor_name": "X"}).status_code == 403
    assert not Order.objects.exists()


def test_api_another_governments_task_force_gets_404(org, staff_case, outsider_health):
    api = ApiClient(user=outsider_health)
    assert api.get(f"/cases/{staff_case.pk}").status_code == 404
    assert api.post(f"/cases/{staff_case.pk}/classify", {"to": "died"}).status_code == 404
    assert api.get("/cases").json()["items"] == []


def test_the_task_force_adopts_the_later_rules_and_other_roles_are_refused(org):
    from siaga.outbreak.models import RuleSet

    client = page(org["users"]["health"])
    response = client.get("/outbreak/rules/")
    assert response.status_code == 200 and "KMK 413/2020" in response.content.decode()
    preset = RuleSet.objects.get(code="kmk-4641-2021", government=None)
    response = client.post("/outbreak/rules/", {"preset": preset.pk, "effective_from": days_ago(1).isoformat()})
    assert response.status_code == 302
    html = client.get("/outbreak/rules/").content.decode()
    assert 'data-testid="in-force">In force today: <strong>KMK 4641/2021' in html
    response = client.post("/outbreak/rules/", {"preset": preset.pk, "effective_from": days_ago(1).isoformat()})
    assert response.status_code == 422 and "already adopted" in response.content.decode()
    for who in ("admin", "kabid", "staff"):
        assert page(org["users"][who]).get("/outbreak/rules/").status_code == 403
        assert page(org["users"][who]).post("/outbreak/rules/", {"preset": preset.pk}).status_code == 403
    assert RuleSet.objects.filter(government=org["government"]).count() == 1
