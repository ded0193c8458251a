"""Close contacts from stored presence: the proposal, the task force's decision, and who may see them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone
from django.utils.formats import date_format

from siaga.api.tests.conftest import ApiClient
from siaga.attendance.models import Presence
from siaga.core.models import AuditEvent, Notification
from siaga.org.models import Building, Floor, Room
from siaga.outbreak import services
from siaga.outbreak.models import Case, ContactProposal
from siaga.outbreak.tests.conftest import days_ago

pytestmark = pytest.mark.django_db


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def stay(
    place: Any, start: dt.datetime, minutes: int, *, employee: Any = None, visitor: str = "", government: Any = None
) -> Presence:
    room = place if isinstance(place, Room) else None
    floor = room.floor if room else place
    return Presence.objects.create(
        government=government or floor.government,
        employee=employee,
        visitor_name=visitor,
        building=floor.building,
        floor=floor,
        room=room,
        start=start,
        end=start + dt.timedelta(minutes=minutes),
        source=Presence.Source.ROOM_SCAN,
    )


@pytest.fixture
def scenario(
    org: dict[str, Any], staff_case: Case, other_government: Any, make_unit: Any, make_employee: Any
) -> dict[str, Any]:
    """The case (specimen 3 days ago: window from 5 days ago) spends 09:00–12:00 four days ago in room A."""
    government = org["government"]
    tower = Building.objects.create(government=government, code="menara", name="Menara Wijaya")
    floor = Floor.objects.create(government=government, building=tower, number=5, capacity=50, distancing_capacity=25)
    room_a = Room.objects.create(
        government=government, floor=floor, code="r501", name="Ruang 501", capacity=20, distancing_capacity=10
    )
    room_b = Room.objects.create(
        government=government, floor=floor, code="r502", name="Ruang 502", capacity=20, distancing_capacity=10
    )
    day = days_ago(4)
    stay(room_a, at(day, 9), 180, employee=org["staff"])
    stay(room_a, at(day, 9), 20, employee=org["staff_umum"])  # 20 min: a contact
    stay(room_a, at(day, 10), 10, employee=org["kabid"])  # 10 min: not
    stay(room_b, at(day, 9), 60, employee=org["kadis"])  # another room: not
    stay(floor, at(day, 11), 60, employee=org["other_staff"])  # floor only: meets room A for 60 min
    stay(room_a, at(day, 10, 30), 30, visitor="Budi Santoso")  # a visitor, 30 min
    # Outside the window: ten days ago, an hour together.
    stay(room_a, at(days_ago(10), 9), 60, employee=org["staff"])
    stay(room_a, at(days_ago(10), 9), 60, employee=org["kadis"])
    # Another government's presence is never read, even when it names the same room.
    outsider = make_employee(make_unit(other_government, "LUAR", "dinas", name="Dinas Luar"), "Orang Luar")
    stay(room_a, at(day, 9), 120, employee=outsider, government=other_government)
    return {"floor": floor, "room_a": room_a, "day": day, "outsider": outsider}


def test_contacts_are_proposed_from_presence_in_the_window_with_the_evidence(org, task_force, staff_case, scenario):
    proposals = services.contacts_propose(actor=task_force, case=staff_case)
    found = {p.person_name: p for p in proposals}
    assert set(found) == {"Staf Umum", "Staf Dinkes", "Budi Santoso"}
    umum = found["Staf Umum"]
    assert (umum.minutes, umum.last_exposure, umum.status) == (20, scenario["day"], "proposed")
    assert umum.evidence == [
        {"date": scenario["day"].isoformat(), "minutes": 20, "places": ["Menara Wijaya · floor 5 · Ruang 501"]}
    ]
    assert found["Staf Dinkes"].minutes == 60
    assert found["Staf Dinkes"].evidence[0]["places"] == ["Menara Wijaya · floor 5"]
    assert found["Budi Santoso"].employee is None and found["Budi Santoso"].minutes == 30


def test_an_interval_still_open_counts_but_a_forgotten_one_does_not(org, task_force, staff_case, scenario):
    """A check-in not (yet) checked out meets the case; one left open since long before the window (a
    forgotten check-out) counts for 36 hours at most, so it makes nobody a contact in the window."""
    floor, day = scenario["floor"], scenario["day"]

    def still_open(employee: Any, start: dt.datetime) -> None:
        Presence.objects.create(
            government=floor.government,
            employee=employee,
            building=floor.building,
            floor=floor,
            start=start,
            source=Presence.Source.CHECK_IN,
        )

    still_open(org["kadis"], at(day, 10))  # on the floor from 10:00: meets the case in room A until 12:00
    still_open(org["kabid"], at(day - dt.timedelta(days=3), 8))  # forgotten three days before the window
    found = {p.person_name: p for p in services.contacts_propose(actor=task_force, case=staff_case)}
    assert set(found) == {"Staf Umum", "Staf Dinkes", "Budi Santoso", org["kadis"].name}
    assert found[org["kadis"].name].minutes == 120
    assert found[org["kadis"].name].evidence[0]["places"] == ["Menara Wijaya · floor 5"]


def test_proposing_again_does_not_duplicate_nor_reopen_decisions(org, task_force, staff_case, scenario):
    first = services.contacts_propose(actor=task_force, case=staff_case)
    dismissed = next(p for p in first if p.person_name == "Budi Santoso")
    services.contact_decide(actor=task_force, proposal=dismissed, confirm=False)
    again = services.contacts_propose(actor=task_force, case=staff_case)
    assert sorted(p.pk for p in again) == sorted(p.pk for p in first)
    assert ContactProposal.objects.filter(case=staff_case).count() == 3
    assert ContactProposal.objects.get(pk=dismissed.pk).status == "dismissed"


def test_a_case_becoming_confirmed_traces_its_contacts_on_commit(
    org, task_force, scenario, django_capture_on_commit_callbacks
):
    case = services.case_create(
        actor=task_force, employee=org["kabid"], classification="suspect", onset_date=days_ago(4)
    )
    Case.objects.filter(employee=org["staff"]).delete()
    stay(scenario["room_a"], at(scenario["day"], 13), 45, employee=org["kabid"])
    stay(scenario["room_a"], at(scenario["day"], 13), 45, employee=org["staff_umum"])
    with django_capture_on_commit_callbacks(execute=True):
        services.case_classify(actor=task_force, case=case, to="probable")
    assert ContactProposal.objects.filter(case=case, employee=org["staff_umum"], minutes=45).exists()


def test_confirming_makes_a_close_contact_with_quarantine_dates_and_never_names_the_case(
    org, task_force, staff_case, scenario
):
    proposals = {p.person_name: p for p in services.contacts_propose(actor=task_force, case=staff_case)}
    decided = services.contact_decide(actor=task_force, proposal=proposals["Staf Dinkes"], confirm=True)
    contact = decided.contact_case
    assert (contact.employee, contact.classification, contact.last_exposure) == (
        org["other_staff"],
        "close_contact",
        scenario["day"],
    )
    assert decided.status == "confirmed" and decided.decided_by == org["users"]["health"]
    # KMK 413/2020: 14 days from the last exposure.
    assert decided.quarantine_start == scenario["day"] + dt.timedelta(days=1)
    assert decided.quarantine_end == scenario["day"] + dt.timedelta(days=14)
    told = Notification.objects.filter(recipient=org["users"]["other_staff"])
    assert told.exists()
    for note in told:
        text = note.subject + note.body
        assert "close contact" in text
        assert "Staf Pelayanan" not in text and org["staff"].nip not in text and "Ruang 501" not in text
    with pytest.raises(ValidationError):
        services.contact_decide(actor=task_force, proposal=decided, confirm=False)


def test_dismissing_keeps_the_person_out_of_surveillance(org, task_force, staff_case, scenario):
    proposals = {p.person_name: p for p in services.contacts_propose(actor=task_force, case=staff_case)}
    decided = services.contact_decide(actor=task_force, proposal=proposals["Staf Umum"], confirm=False)
    assert decided.status == "dismissed" and decided.contact_case is None
    assert not Case.objects.filter(employee=org["staff_umum"]).exists()


def test_a_suspect_is_not_traced_and_other_roles_may_not_trace(org, task_force, actor_of, scenario):
    suspect = services.case_create(
        actor=task_force, employee=org["kadis"], classification="suspect", onset_date=days_ago(2)
    )
    with pytest.raises(ValidationError):
        services.contacts_propose(actor=task_force, case=suspect)
    with pytest.raises(PermissionDenied):
        services.contacts_propose(actor=actor_of(org["users"]["admin"]), case=suspect)


def test_api_lists_adds_and_decides_contacts_and_logs_every_read(org, staff_case, scenario):
    api = ApiClient(user=org["users"]["health"])
    response = api.post(f"/cases/{staff_case.pk}/contacts/trace")
    assert response.status_code == 200, response.content
    response = api.post(
        f"/cases/{staff_case.pk}/contacts", {"employee_nip": org["kadis"].nip, "last_exposure": days_ago(3).isoformat()}
    )
    assert response.status_code == 201 and response.json()["origin"] == "manual"
    before = AuditEvent.objects.filter(action="read", object_repr__startswith="contacts of case").count()
    listed = api.get(f"/cases/{staff_case.pk}/contacts").json()
    assert AuditEvent.objects.filter(action="read", object_repr__startswith="contacts of case").count() == before + 1
    assert {c["person_name"]: c["minutes"] for c in listed} == {
        "Staf Umum": 20,
        "Staf Dinkes": 60,
        "Budi Santoso": 30,
        "Kepala Dinas": 0,
    }
    umum = next(c for c in listed if c["person_name"] == "Staf Umum")
    response = api.post(f"/cases/{staff_case.pk}/contacts/{umum['id']}/decision", {"decision": "confirm"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "confirmed"
    assert body["quarantine_end"] == (scenario["day"] + dt.timedelta(days=14)).isoformat()
    response = api.post(
        f"/cases/{staff_case.pk}/contacts",
        {"employee_nip": "199001012015031999", "last_exposure": days_ago(3).isoformat()},
    )
    assert response.status_code == 422 and "employee_nip" in response.json()["errors"]


@pytest.mark.parametrize("who", ["staff", "kabid", "admin", "officer"])
def test_api_other_roles_are_refused(org, staff_case, scenario, task_force, who):
    proposal = services.contacts_propose(actor=task_force, case=staff_case)[0]
    api = ApiClient(user=org["users"][who])
    assert api.get(f"/cases/{staff_case.pk}/contacts").status_code == 403
    assert api.post(f"/cases/{staff_case.pk}/contacts/trace").status_code == 403
    decision = api.post(f"/cases/{staff_case.pk}/contacts/{proposal.pk}/decision", {"decision": "confirm"})
    assert decision.status_code == 403
    assert ContactProposal.objects.get(pk=proposal.pk).status == "proposed"


def test_api_another_governments_task_force_gets_404(org, staff_case, scenario, task_force, outsider_health):
    proposal = services.contacts_propose(actor=task_force, case=staff_case)[0]
    api = ApiClient(user=outsider_health)
    assert api.get(f"/cases/{staff_case.pk}/contacts").status_code == 404
    decision = api.post(f"/cases/{staff_case.pk}/contacts/{proposal.pk}/decision", {"decision": "dismiss"})
    assert decision.status_code == 404


# ---------------------------------------------------------------------------------------------------
# Case page


def page(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_case_page_shows_the_evidence_and_confirms_and_dismisses(org, staff_case, scenario):
    client = page(org["users"]["health"])
    assert client.post(f"/outbreak/cases/{staff_case.pk}/contacts/trace/").status_code == 302
    html = client.get(f"/outbreak/cases/{staff_case.pk}/").content.decode()
    assert "Possible close contacts from locations" in html
    assert "Staf Umum" in html and "20 minutes" in html and "Menara Wijaya · floor 5 · Ruang 501" in html
    assert date_format(scenario["day"], "j F Y") in html
    umum = ContactProposal.objects.get(case=staff_case, employee=org["staff_umum"])
    budi = ContactProposal.objects.get(case=staff_case, visitor_name="Budi Santoso")
    url = f"/outbreak/cases/{staff_case.pk}/contacts/%s/decision/"
    assert client.post(url % umum.pk, {"decision": "confirm"}).status_code == 302
    assert client.post(url % budi.pk, {"decision": "dismiss"}).status_code == 302
    umum.refresh_from_db()
    budi.refresh_from_db()
    assert (umum.status, umum.contact_case.classification, budi.status) == ("confirmed", "close_contact", "dismissed")
    html = client.get(f"/outbreak/cases/{staff_case.pk}/").content.decode()
    end = scenario["day"] + dt.timedelta(days=14)
    assert "Proposed quarantine" in html and date_format(end, "j F Y") in html


@pytest.mark.parametrize("who", ["staff", "kabid", "admin", "officer"])
def test_the_case_page_actions_are_refused_to_other_roles(org, staff_case, scenario, task_force, who):
    proposal = services.contacts_propose(actor=task_force, case=staff_case)[0]
    client = page(org["users"][who])
    assert client.post(f"/outbreak/cases/{staff_case.pk}/contacts/trace/").status_code == 403
    decision = client.post(f"/outbreak/cases/{staff_case.pk}/contacts/{proposal.pk}/decision/", {"decision": "confirm"})
    assert decision.status_code == 403
    assert ContactProposal.objects.get(pk=proposal.pk).status == "proposed"
    if who == "staff":  # the person sees their own case, never the contacts
        html = client.get(f"/outbreak/cases/{staff_case.pk}/").content.decode()
        assert "Staf Umum" not in html and "Budi Santoso" not in html


@pytest.mark.indonesian
def test_the_section_speaks_indonesian(org, staff_case, scenario):
    client = page(org["users"]["health"])
    client.post(f"/outbreak/cases/{staff_case.pk}/contacts/trace/")
    html = client.get(f"/outbreak/cases/{staff_case.pk}/").content.decode()
    assert "Kemungkinan kontak erat berdasarkan lokasi" in html
    assert "20 menit" in html


def test_the_case_page_adds_a_contact_by_nip_and_says_what_to_fix(org, staff_case):
    client = page(org["users"]["health"])
    url = f"/outbreak/cases/{staff_case.pk}/contacts/"
    response = client.post(url, {"nip": org["kadis"].nip, "last_exposure": days_ago(3).isoformat()})
    assert response.status_code == 302
    added = ContactProposal.objects.get(case=staff_case, employee=org["kadis"])
    assert (added.origin, added.status, added.last_exposure) == ("manual", "proposed", days_ago(3))
    response = client.post(url, {"nip": org["kadis"].nip, "last_exposure": days_ago(3).isoformat()})
    assert response.status_code == 422
    assert "This person is already listed as a contact of the case." in response.content.decode()
    response = client.post(url, {"nip": "199001012015031999", "last_exposure": days_ago(3).isoformat()})
    assert response.status_code == 422 and "check the 18 digits" in response.content.decode()
    assert ContactProposal.objects.filter(case=staff_case).count() == 1
    assert page(org["users"]["kabid"]).post(url, {"nip": org["staff_umum"].nip}).status_code == 403


def test_moving_the_case_date_traces_again_on_commit(
    org, task_force, staff_case, scenario, django_capture_on_commit_callbacks
):
    # Specimen 12 days ago: the window (from 14 days ago) now holds the hour with Kepala Dinas 10 days ago.
    with django_capture_on_commit_callbacks(execute=True):
        services.case_update_dates(
            actor=task_force,
            case=staff_case,
            onset_date=None,
            symptoms_ended=None,
            specimen_date=days_ago(12),
            last_exposure=None,
        )
    kadis = ContactProposal.objects.get(case=staff_case, employee=org["kadis"])
    assert (kadis.minutes, kadis.last_exposure) == (60, days_ago(10))
