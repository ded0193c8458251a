"""The pages: role by role, refused cases, and the forms' messages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from siaga.attendance.models import Presence
from siaga.meetings import services
from siaga.meetings.models import MassEvent, Meeting
from siaga.meetings.tests.conftest import WIB

pytestmark = pytest.mark.django_db


def now_meeting(org, rooms, **values):
    """A very urgent in-person meeting of the Dinas that started five minutes ago."""
    start = timezone.now() - dt.timedelta(minutes=5)
    base = {
        "government": org["government"],
        "user": org["users"]["head"],
        "requester": org["kadis"],
        "title": "Rapat darurat klaster",
        "priority": "sangat_mendesak",
        "mode": "luring",
        "start": start,
        "end": start + dt.timedelta(hours=1),
        "organiser_unit": org["dinas"],
        "attendees": [org["kadis"], org["staff"]],
        "room": rooms["small"],
    }
    base.update(values)
    return services.meeting_request(**base)


def form_data(org, rooms, **values):
    day = timezone.localdate() + dt.timedelta(days=1)
    data = {
        "title": "Rapat evaluasi layanan",
        "agenda": "Evaluasi",
        "priority": "sangat_mendesak",
        "mode": "luring",
        "organiser_unit": org["dinas"].pk,
        "date": day.isoformat(),
        "start_time": "09:00",
        "end_time": "10:00",
        "room": rooms["small"].pk,
        "video_link": "",
        "attendees": [org["kadis"].pk, org["staff"].pk],
    }
    data.update(values)
    return data


def test_the_calendar_lists_my_meetings_only(login, org, policy, rooms):
    now_meeting(org, rooms)
    page = login(org["users"]["staff"]).get("/meetings/")
    assert page.status_code == 200
    assert "Rapat darurat klaster" in page.content.decode()
    assert "Request a meeting" not in page.content.decode()
    other = login(org["users"]["other_staff"]).get("/meetings/")
    assert "Rapat darurat klaster" not in other.content.decode()


def test_staff_may_not_open_the_request_form(login, org, policy, rooms):
    client = login(org["users"]["staff"])
    assert client.get("/meetings/new/").status_code == 403
    assert client.post("/meetings/new/", form_data(org, rooms)).status_code == 403
    assert not Meeting.objects.exists()


def test_the_room_picker_shows_the_free_seats_of_the_chosen_time(login, org, policy, rooms):
    meeting = now_meeting(org, rooms)
    local = meeting.start.astimezone(WIB)
    picker = login(org["users"]["head"]).get(
        "/meetings/rooms/",
        {
            "date": local.date().isoformat(),
            "start_time": local.strftime("%H:%M"),
            "end_time": (local + dt.timedelta(minutes=30)).strftime("%H:%M"),
        },
    )
    text = picker.content.decode()
    assert 'id="room-field"' in text
    assert "Ruang Rapat Kecil, Gedung Menara Wijaya: 2 of 4 seats free" in text
    assert "Aula, Gedung Menara Wijaya: 20 of 20 seats free" in text
    assert "Ruang Rapat Timur" not in text  # closed


def test_a_head_requests_a_meeting_through_the_form(login, org, policy, rooms):
    response = login(org["users"]["head"]).post("/meetings/new/", form_data(org, rooms))
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/meetings/{meeting.pk}/"
    assert (meeting.status, meeting.room) == ("approved", rooms["small"])


def test_the_form_shows_the_policy_and_capacity_refusals_and_writes_nothing(login, org, policy, rooms, make_employee):
    client = login(org["users"]["head"])
    page = client.post("/meetings/new/", form_data(org, rooms, priority="rutin"))
    assert page.status_code == 200
    assert "Hold this routine meeting online (daring)" in page.content.decode()
    many = [make_employee(org["pelayanan"]).pk for _ in range(5)]
    page = client.post("/meetings/new/", form_data(org, rooms, attendees=many))
    assert "so 4 are left and this meeting needs 5" in page.content.decode()
    assert not Meeting.objects.exists()


@pytest.mark.indonesian
def test_the_capacity_refusal_reads_in_indonesian(login, org, policy, rooms, make_employee):
    client = login(org["users"]["head"])
    many = [make_employee(org["pelayanan"]).pk for _ in range(5)]
    page = client.post("/meetings/new/", form_data(org, rooms, attendees=many))
    assert "jadi tersisa 4 sedangkan rapat ini memerlukan 5" in page.content.decode()


def test_an_invitee_marks_attendance_and_others_may_not_mark_theirs(login, org, policy, rooms):
    meeting = now_meeting(org, rooms)
    staff = login(org["users"]["staff"])
    page = staff.get(f"/meetings/{meeting.pk}/")
    assert 'data-testid="attend-self"' in page.content.decode()
    assert staff.post(f"/meetings/{meeting.pk}/attend/", {"employee": org["kadis"].pk}).status_code == 403
    assert staff.post(f"/meetings/{meeting.pk}/attend/").status_code == 302
    presence = Presence.objects.get()
    assert (presence.employee, presence.room, presence.ref) == (org["staff"], rooms["small"], f"meeting:{meeting.pk}")
    assert 'data-testid="attend-self"' not in staff.get(f"/meetings/{meeting.pk}/").content.decode()


def test_meetings_out_of_scope_and_of_other_governments_are_not_found(
    login, org, policy, rooms, other_government, make_user
):
    from siaga.core.models import Role

    meeting = now_meeting(org, rooms)
    assert login(org["users"]["other_staff"]).get(f"/meetings/{meeting.pk}/").status_code == 404
    outsider = make_user("admin_b", (other_government, Role.ADMIN))
    assert login(outsider).get(f"/meetings/{meeting.pk}/").status_code == 404
    assert login(outsider).post(f"/meetings/{meeting.pk}/cancel/", {"reason": "x"}).status_code == 404


def test_a_pending_meeting_is_approved_on_its_page_by_the_head_only(login, org, policy, rooms):
    meeting = now_meeting(org, rooms, user=org["users"]["admin"], requester=None)
    assert meeting.status == "pending"
    assert (
        login(org["users"]["staff"]).post(f"/meetings/{meeting.pk}/decide/", {"decision": "approve"}).status_code == 403
    )
    head = login(org["users"]["head"])
    assert "Approve" in head.get(f"/meetings/{meeting.pk}/").content.decode()
    head.post(f"/meetings/{meeting.pk}/decide/", {"decision": "approve"})
    meeting.refresh_from_db()
    assert meeting.status == "approved"


def test_events_pages_for_bkpsdm_and_staff(login, org, policy):
    assert login(org["users"]["head"]).get("/meetings/events/new/").status_code == 403
    admin = login(org["users"]["admin"])
    day = timezone.localdate() + dt.timedelta(days=5)
    response = admin.post(
        "/meetings/events/new/",
        {
            "kind": "apel",
            "title": "Apel gabungan",
            "place": "Alun-alun",
            "date": day.isoformat(),
            "start_time": "07:30",
            "end_time": "08:30",
            "units": [org["dinas"].pk],
        },
    )
    event = MassEvent.objects.get()
    assert response.status_code == 302
    from siaga.rostering import services as rostering

    rostering.policy_update(policy=policy, actor=None, mass_gathering_ban=True)
    services.events_apply_policy(org["government"])
    listing = login(org["users"]["staff"]).get("/meetings/events/").content.decode()
    postponed_part = listing.split('data-testid="postponed"')[1].split("</ul>")[0]
    assert "Apel gabungan" in postponed_part and "you take part" in postponed_part
    later = day + dt.timedelta(days=30)
    admin = login(org["users"]["admin"])  # the test client is shared: log the admin in again
    refused = admin.post(
        f"/meetings/events/{event.pk}/reschedule/",
        {"date": later.isoformat(), "start_time": "07:30", "end_time": "08:30"},
    )
    assert refused.status_code == 422
    assert "Mass gatherings are banned" in refused.content.decode()
    assert login(org["users"]["staff"]).post(f"/meetings/events/{event.pk}/reschedule/", {}).status_code == 403


def test_people_of_other_units_are_invited_by_nip(login, org, policy, rooms):
    client = login(org["users"]["head"])
    form = client.get("/meetings/new/").content.decode()
    assert "Staf Pelayanan" in form and "Staf Dinkes" not in form  # only the head's units are listed
    page = client.post("/meetings/new/", form_data(org, rooms, other_nips="123, 199001012020031999"))
    assert "A NIP has 18 digits; check 123." in page.content.decode()
    page = client.post("/meetings/new/", form_data(org, rooms, other_nips="199001012020031999"))
    assert "No active employee has the NIP 199001012020031999." in page.content.decode()
    assert not Meeting.objects.exists()
    client.post("/meetings/new/", form_data(org, rooms, other_nips=org["other_staff"].nip))
    meeting = Meeting.objects.get()
    assert sorted(meeting.attendees.values_list("employee__name", flat=True)) == [
        "Kepala Dinas",
        "Staf Dinkes",
        "Staf Pelayanan",
    ]


def test_the_organiser_moves_a_meeting_and_staff_may_not(login, org, policy, rooms):
    meeting = now_meeting(org, rooms)
    day = timezone.localdate() + dt.timedelta(days=2)
    new_time = {"date": day.isoformat(), "start_time": "13:00", "end_time": "14:00"}
    assert login(org["users"]["staff"]).post(f"/meetings/{meeting.pk}/move/", new_time).status_code == 403
    login(org["users"]["head"]).post(f"/meetings/{meeting.pk}/move/", new_time)
    meeting.refresh_from_db()
    assert (meeting.start.astimezone(WIB).date(), meeting.start.astimezone(WIB).hour, meeting.sequence) == (day, 13, 1)
