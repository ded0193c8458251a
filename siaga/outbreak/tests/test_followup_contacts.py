"""Contacts reported by the person, contacts of a contact on request, and the anonymisation of closed cases."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from siaga.api.tests.conftest import ApiClient
from siaga.core.models import AuditEvent, Notification
from siaga.outbreak import followup, services
from siaga.outbreak.models import Anonymisation, Case, ClassificationChange, ContactProposal, SymptomCheck
from siaga.outbreak.tests.conftest import days_ago
from siaga.outbreak.tests.test_contacts import at, scenario, stay  # noqa: F401 (fixture)
from siaga.rostering.models import Absence

pytestmark = pytest.mark.django_db


def page(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def isolated(org: dict[str, Any], task_force: Any, staff_case: Case) -> Case:
    services.order_issue(actor=task_force, case=staff_case, kind="isolation", start=days_ago(3))
    return staff_case


@pytest.fixture
def staff(org: dict[str, Any], actor_of: Any) -> Any:
    return actor_of(org["users"]["staff"])


# ---------------------------------------------------------------------------------------------------
# Self-reported contacts


def test_the_person_reports_colleagues_by_nip_or_name_and_others_by_name_and_phone(org, isolated, staff):
    by_nip = followup.self_contact_report(
        actor=staff, colleague=org["staff_umum"].nip, day=days_ago(4), place="Ruang rapat lantai 5"
    )
    by_name = followup.self_contact_report(actor=staff, colleague="kepala dinas", day=days_ago(3), place="Mobil dinas")
    visitor = followup.self_contact_report(
        actor=staff, name="Siti Aminah", phone="0812 3456 7890", day=days_ago(2), place="Warung depan kantor"
    )
    assert (by_nip.employee, by_name.employee) == (org["staff_umum"], org["kadis"])
    assert {p.origin for p in (by_nip, by_name, visitor)} == {"self"}
    assert (visitor.visitor_name, visitor.visitor_phone) == ("Siti Aminah", "081234567890")
    assert by_nip.evidence == [{"date": days_ago(4).isoformat(), "minutes": 0, "places": ["Ruang rapat lantai 5"]}]
    assert by_nip.case == isolated and by_nip.status == "proposed"
    again = followup.self_contact_report(actor=staff, colleague=org["staff_umum"].nip, day=days_ago(1), place="x")
    assert again.pk == by_nip.pk and ContactProposal.objects.filter(case=isolated).count() == 3
    assert AuditEvent.objects.filter(object_repr=f"self-reported contact of case #{isolated.pk}").count() == 3


def test_bad_reports_say_what_to_fix(org, isolated, staff, make_employee):
    make_employee(org["umum"], "Budi Santoso")
    make_employee(org["dinas"], "Budi Santoso")
    bad = [
        ({"colleague": "Budi Santoso"}, "colleague", "Several colleagues match this name"),
        ({"colleague": "Tidak Ada"}, "colleague", "No colleague has this NIP or name"),
        ({"colleague": org["staff"].nip}, "colleague", "not yourself"),
        ({"name": "Siti", "phone": "12"}, "phone", "8 to 15 digits"),
        ({}, "colleague", "Choose a colleague"),
        ({"colleague": "Kepala Dinas", "name": "Siti"}, "name", "not both"),
    ]
    for fields, field, text in bad:
        with pytest.raises(ValidationError) as exc:
            followup.self_contact_report(actor=staff, day=days_ago(1), place="Kantin", **fields)
        assert text in exc.value.message_dict[field][0], fields
    with pytest.raises(ValidationError) as exc:
        followup.self_contact_report(actor=staff, colleague="Kepala Dinas", day=days_ago(20), place="")
    assert set(exc.value.message_dict) == {"day", "place"}
    assert not ContactProposal.objects.exists()


def test_only_a_person_under_isolation_reports_contacts(org, task_force, actor_of):
    contact = services.case_create(
        actor=task_force, employee=org["kabid"], classification="close_contact", last_exposure=days_ago(2)
    )
    services.order_issue(actor=task_force, case=contact, kind="quarantine", start=days_ago(1))
    with pytest.raises(ValidationError, match="isolation order"):
        followup.self_contact_report(
            actor=actor_of(org["users"]["kabid"]), colleague="Kepala Dinas", day=days_ago(1), place="Kantin"
        )
    with pytest.raises(PermissionDenied):
        followup.self_contact_report(actor=task_force, colleague="Kepala Dinas", day=days_ago(1), place="Kantin")


def test_the_task_force_decides_a_self_reported_visitor_and_the_phone_follows(org, isolated, staff, task_force):
    client = page(org["users"]["staff"])
    response = client.post(
        "/outbreak/mine/contacts/",
        {"name": "Siti Aminah", "phone": "081234567890", "day": days_ago(2).isoformat(), "place": "Warung"},
    )
    assert response.status_code == 302
    html = page(org["users"]["health"]).get(f"/outbreak/cases/{isolated.pk}/").content.decode()
    assert "Siti Aminah" in html and "Reported by the person" in html
    proposal = ContactProposal.objects.get(case=isolated)
    services.contact_decide(actor=task_force, proposal=proposal, confirm=True)
    contact_case = Case.objects.get(visitor_name="Siti Aminah")
    assert (contact_case.classification, contact_case.visitor_phone) == ("close_contact", "081234567890")
    # the person sees nothing of what followed
    mine = client.get("/outbreak/mine/contacts/").content.decode()
    assert "Siti Aminah" not in mine and "Close contact" not in mine


def test_the_report_form_shows_errors_and_the_api_returns_nothing_about_the_contact(org, isolated):
    response = page(org["users"]["staff"]).post("/outbreak/mine/contacts/", {"day": days_ago(1).isoformat()})
    assert response.status_code == 422 and "Say where you were together" in response.content.decode()
    api = ApiClient(user=org["users"]["staff"])
    response = api.post(
        "/me/contacts", {"colleague": org["staff_umum"].nip, "day": days_ago(1).isoformat(), "place": "Kantin"}
    )
    assert response.status_code == 201 and response.json() == {"day": days_ago(1).isoformat(), "received": True}
    response = api.post("/me/contacts", {"colleague": "Tidak Ada", "day": days_ago(1).isoformat(), "place": "K"})
    assert response.status_code == 422 and "colleague" in response.json()["errors"]


@pytest.mark.parametrize("who", ["admin", "officer", "health"])
def test_roles_without_an_employee_record_cannot_report(org, isolated, who):
    user = org["users"][who]
    assert page(user).get("/outbreak/mine/contacts/").status_code == 403
    api = ApiClient(user=user)
    body = {"colleague": "Kepala Dinas", "day": days_ago(1).isoformat(), "place": "Kantin"}
    assert api.post("/me/contacts", body).status_code == 403
    assert not ContactProposal.objects.exists()


# ---------------------------------------------------------------------------------------------------
# Contacts of a contact


@pytest.fixture
def contact_case(org, task_force, staff_case, scenario) -> Case:  # noqa: F811
    """Staf Umum, confirmed as a close contact of the staff member (last exposure 4 days ago, room A),
    told two days ago; then in room B with the head of the Dinas (2 days ago), with Staf Dinkes before the
    exposure (6 days ago) and after being told (yesterday)."""
    found = services.contacts_propose(actor=task_force, case=staff_case)
    proposal = next(p for p in found if p.employee_id == org["staff_umum"].pk)
    services.contact_decide(actor=task_force, proposal=proposal, confirm=True)
    ContactProposal.objects.filter(pk=proposal.pk).update(decided_at=at(days_ago(2), 8))
    room_b = scenario["room_a"].floor.rooms.get(code="r502")
    stay(room_b, at(days_ago(2), 9), 40, employee=org["staff_umum"])
    stay(room_b, at(days_ago(2), 9, 10), 25, employee=org["kadis"])
    stay(room_b, at(days_ago(6), 9), 60, employee=org["staff_umum"])
    stay(room_b, at(days_ago(6), 9), 60, employee=org["other_staff"])
    stay(room_b, at(days_ago(1), 9), 60, employee=org["staff_umum"])
    stay(room_b, at(days_ago(1), 9), 60, employee=org["other_staff"])
    return Case.objects.get(employee=org["staff_umum"], classification="close_contact")


def test_contacts_of_a_contact_are_traced_from_the_last_exposure_to_the_day_they_were_told(
    org, task_force, contact_case
):
    assert followup.second_generation_window(contact_case) == (days_ago(4), days_ago(2))
    found = followup.contacts_of_contact_propose(actor=task_force, case=contact_case)
    assert [(p.person_name, p.generation, p.minutes, p.last_exposure) for p in found] == [
        ("Kepala Dinas", 2, 25, days_ago(2))
    ]  # not the staff member they caught it from, not before the exposure, not after being told
    again = followup.contacts_of_contact_propose(actor=task_force, case=contact_case)
    assert [p.pk for p in again] == [found[0].pk]
    assert ContactProposal.objects.filter(case=contact_case).count() == 1


def test_the_button_on_the_contacts_case_page_and_the_api(org, contact_case, staff_case):
    client = page(org["users"]["health"])
    html = client.get(f"/outbreak/cases/{contact_case.pk}/").content.decode()
    assert 'data-testid="second-generation"' in html
    assert 'data-testid="second-generation"' not in client.get(f"/outbreak/cases/{staff_case.pk}/").content.decode()
    assert client.post(f"/outbreak/cases/{contact_case.pk}/contacts/second-generation/").status_code == 302
    html = client.get(f"/outbreak/cases/{contact_case.pk}/").content.decode()
    assert "Kepala Dinas" in html and 'data-testid="generation">generation 2' in html
    api = ApiClient(user=org["users"]["health"])
    response = api.post(f"/cases/{contact_case.pk}/contacts/second-generation")
    assert response.status_code == 200 and [c["generation"] for c in response.json()] == [2]
    response = api.post(f"/cases/{staff_case.pk}/contacts/second-generation")
    assert response.status_code == 422 and "confirmed close contact only" in response.json()["errors"]["case"][0]


@pytest.mark.parametrize("who", ["kabid", "head", "admin", "officer", "staff"])
def test_other_roles_cannot_trace_contacts_of_a_contact(org, contact_case, who):
    user = org["users"][who]
    assert page(user).post(f"/outbreak/cases/{contact_case.pk}/contacts/second-generation/").status_code == 403
    assert ApiClient(user=user).post(f"/cases/{contact_case.pk}/contacts/second-generation").status_code == 403
    assert not ContactProposal.objects.filter(case=contact_case).exists()


def test_another_governments_task_force_gets_404_for_contacts_of_a_contact(org, contact_case, outsider_health):
    assert (
        page(outsider_health).post(f"/outbreak/cases/{contact_case.pk}/contacts/second-generation/").status_code == 404
    )
    assert (
        ApiClient(user=outsider_health).post(f"/cases/{contact_case.pk}/contacts/second-generation").status_code == 404
    )


# ---------------------------------------------------------------------------------------------------
# Anonymisation


def _close(task_force: Any, case: Case, *, days: int) -> None:
    services.case_classify(actor=task_force, case=case, to="isolation_finished", note="Selesai isolasi")
    ClassificationChange.objects.filter(case=case).update(changed_at=timezone.now() - dt.timedelta(days=days))


def test_closed_cases_past_the_retention_are_anonymised_and_still_counted(
    org, task_force, isolated, settings, actor_of
):
    settings.HEALTH_DATA_RETENTION_DAYS = 730
    SymptomCheck.objects.create(
        government=org["government"], case=isolated, date=days_ago(1), cough=True, answered_at=timezone.now()
    )
    Case.objects.filter(pk=isolated.pk).update(note="Tinggal bersama ibu")
    ContactProposal.objects.create(
        government=org["government"],
        case=isolated,
        visitor_name="Siti Aminah",
        visitor_phone="081234567890",
        origin="self",
        last_exposure=days_ago(2),
        evidence=[{"date": days_ago(2).isoformat(), "minutes": 0, "places": ["Warung"]}],
    )
    followup.symptom_check_submit(
        actor=actor_of(org["users"]["staff"]), answers=followup.Answers(short_breath=True)
    )  # an alert naming the person
    assert Notification.objects.filter(link=f"/outbreak/cases/{isolated.pk}/", body__contains="Staf").exists()
    _close(task_force, isolated, days=731)
    recent = services.case_create(actor=task_force, classification="suspect", visitor_name="Tamu Baru")
    services.case_classify(actor=task_force, case=recent, to="discarded")
    still_open = services.case_create(actor=task_force, classification="suspect", visitor_name="Tamu Lama")
    Case.objects.filter(pk=still_open.pk).update(created_at=timezone.now() - dt.timedelta(days=900))
    ClassificationChange.objects.filter(case=still_open).update(changed_at=timezone.now() - dt.timedelta(days=900))

    assert followup.anonymise_closed_cases() == 1
    case = Case.objects.get(pk=isolated.pk)
    assert (case.employee, case.visitor_name, case.visitor_phone, case.note) == (None, f"anonim-{case.pk}", "", "")
    assert case.classification == "isolation_finished" and case.specimen_date == days_ago(3)
    assert not ClassificationChange.objects.filter(case=case).exclude(note="").exists()
    assert ClassificationChange.objects.filter(case=case).count() == 2
    assert not SymptomCheck.objects.filter(case=case).exists()
    proposal = ContactProposal.objects.get(case=case)
    assert (proposal.visitor_phone, proposal.evidence) == ("", []) and proposal.visitor_name.startswith("anonim-")
    marker = Anonymisation.objects.get(case=case)
    assert marker.was_employee and marker.unit == org["pelayanan"]
    assert case.orders.count() == 1  # the dates stay for statistics
    (absence,) = Absence.objects.filter(employee=org["staff"])
    assert absence.reason == "other" and "outbreak" not in absence.source  # no way back to the case
    assert Notification.objects.filter(link=f"/outbreak/cases/{case.pk}/").exclude(body="").count() == 0
    assert AuditEvent.objects.filter(object_repr=f"case #{case.pk} anonymised").count() == 1
    # the statistics still count it by classification and date
    assert Case.objects.filter(classification="isolation_finished", specimen_date=days_ago(3)).count() == 1
    assert Case.objects.get(pk=recent.pk).visitor_name == "Tamu Baru"
    assert Case.objects.get(pk=still_open.pk).visitor_name == "Tamu Lama"
    assert followup.anonymise_closed_cases() == 0  # idempotent
    assert 'data-testid="my-case"' not in page(org["users"]["staff"]).get("/outbreak/mine/").content.decode()


def test_a_shorter_retention_setting_anonymises_sooner(org, task_force, staff_case, settings):
    _close(task_force, staff_case, days=31)
    settings.HEALTH_DATA_RETENTION_DAYS = 60
    assert followup.anonymise_closed_cases() == 0
    settings.HEALTH_DATA_RETENTION_DAYS = 30
    assert followup.anonymise_closed_cases() == 1
