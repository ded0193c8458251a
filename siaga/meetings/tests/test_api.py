"""The meetings API: every operation, role by role, and other governments' meetings never found."""

from __future__ import annotations

import datetime as dt

import pytest

from siaga.attendance.models import Presence
from siaga.meetings import services
from siaga.meetings.models import MassEvent, Meeting
from siaga.meetings.tests.conftest import at

pytestmark = pytest.mark.django_db


def body(org, rooms, **values):
    data = {
        "title": "Rapat pimpinan",
        "priority": "sangat_mendesak",
        "mode": "luring",
        "start": at(9).isoformat(),
        "end": at(10).isoformat(),
        "organiser_unit": "DPMPTSP",
        "attendees": [org["kadis"].nip, org["staff"].nip],
        "room": "rapat-kecil",
    }
    data.update(values)
    return data


@pytest.fixture
def meetings(org, policy, rooms):
    """One meeting of the Dinas (head + staff), one of Bidang Pelayanan (kabid alone), one of Dinkes."""
    dinas = services.meeting_request(
        government=org["government"],
        user=org["users"]["head"],
        requester=org["kadis"],
        title="Rapat Dinas",
        priority="sangat_mendesak",
        mode="luring",
        start=at(9),
        end=at(10),
        organiser_unit=org["dinas"],
        attendees=[org["kadis"], org["staff"]],
        room=rooms["small"],
    )
    bidang = services.meeting_request(
        government=org["government"],
        user=org["users"]["kabid"],
        requester=org["kabid"],
        title="Rapat Bidang",
        priority="rutin",
        mode="daring",
        start=at(13),
        end=at(14),
        organiser_unit=org["pelayanan"],
        attendees=[org["kabid"]],
        video_link="https://meet.example/bidang",
    )
    dinkes = services.meeting_request(
        government=org["government"],
        user=org["users"]["admin"],
        requester=None,
        title="Rapat Dinkes",
        priority="rutin",
        mode="daring",
        start=at(13),
        end=at(14),
        organiser_unit=org["other_unit"],
        attendees=[org["other_staff"]],
        video_link="https://meet.example/dinkes",
    )
    return {"dinas": dinas, "bidang": bidang, "dinkes": dinkes}


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("admin", ["Rapat Dinas", "Rapat Bidang", "Rapat Dinkes"]),
        ("head", ["Rapat Dinas", "Rapat Bidang"]),  # heads the Dinas and so the bidang below
        ("kabid", ["Rapat Bidang"]),
        ("staff", ["Rapat Dinas"]),  # invited
        ("other_staff", ["Rapat Dinkes"]),
        ("health", []),
    ],
)
def test_each_role_lists_the_meetings_in_its_scope(as_user, meetings, who, expected):
    response = as_user(who).get("/meetings")
    assert response.status_code == 200
    assert [m["title"] for m in response.json()] == expected


def test_a_meeting_out_of_scope_or_of_another_government_is_not_found(as_user, meetings, other_government, make_user):
    from siaga.core.models import Role

    assert as_user("staff").get(f"/meetings/{meetings['dinkes'].pk}").status_code == 404
    outsider = make_user("admin_b", (other_government, Role.ADMIN))
    assert as_user(outsider).get(f"/meetings/{meetings['dinas'].pk}").status_code == 404
    assert as_user(outsider).post(f"/meetings/{meetings['dinas'].pk}/cancel", {}).status_code == 404
    detail = as_user("staff").get(f"/meetings/{meetings['dinas'].pk}").json()
    assert [(a["name"], a["in_person"]) for a in detail["attendees"]] == [
        ("Kepala Dinas", True),
        ("Staf Pelayanan", True),
    ]
    assert detail["room"] == "rapat-kecil"


def test_a_head_requests_an_urgent_meeting_and_it_is_booked(as_user, org, policy, rooms):
    response = as_user("head").post("/meetings", body(org, rooms))
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["status"], data["room"], data["approved_by"], data["sequence"]) == (
        "approved",
        "rapat-kecil",
        org["kadis"].nip,
        0,
    )
    assert data["uid"] == Meeting.objects.get().uid


def test_staff_may_not_request_and_heads_only_for_their_units(as_user, org, policy, rooms):
    assert as_user("staff").post("/meetings", body(org, rooms)).status_code == 403
    assert as_user("kabid").post("/meetings", body(org, rooms)).status_code == 403  # the Dinas is above the bidang
    assert not Meeting.objects.exists()


def test_refused_requests_say_what_to_fix_per_field(as_user, org, policy, rooms):
    client = as_user("head")
    response = client.post("/meetings", body(org, rooms, priority="rutin"))
    assert response.status_code == 422
    assert "online (daring)" in response.json()["errors"]["mode"][0]
    response = client.post("/meetings", body(org, rooms, attendees=["199001012020031999"]))
    assert response.json()["errors"] == {"attendees": ["No active employee has the NIP 199001012020031999."]}
    response = client.post("/meetings", body(org, rooms, room="tidak-ada"))
    assert response.json()["errors"] == {"room": ["There is no room with code tidak-ada."]}
    response = client.post("/meetings", body(org, rooms, mode="daring", room=None))
    assert "video conference link" in response.json()["errors"]["video_link"][0]
    assert not Meeting.objects.exists()


def test_approval_by_the_head_over_the_api_and_refused_to_others(as_user, org, policy, rooms):
    pending = as_user("admin").post("/meetings", body(org, rooms))
    assert pending.json()["status"] == "pending"
    pk = pending.json()["id"]
    assert as_user("staff").post(f"/meetings/{pk}/decision", {"approve": True}).status_code == 403
    assert as_user("admin").post(f"/meetings/{pk}/decision", {"approve": True}).status_code == 403
    refused = as_user("head").post(f"/meetings/{pk}/decision", {"approve": False})
    assert refused.status_code == 422
    assert "Say why" in refused.json()["errors"]["note"][0]
    approved = as_user("head").post(f"/meetings/{pk}/decision", {"approve": True})
    assert (approved.status_code, approved.json()["status"]) == (200, "approved")


def test_reschedule_and_cancel_by_the_organiser_only(as_user, org, meetings, rooms):
    pk = meetings["dinas"].pk
    assert as_user("staff").post(f"/meetings/{pk}/cancel", {"reason": "x"}).status_code == 403
    moved = as_user("head").post(
        f"/meetings/{pk}/reschedule", {"start": at(15).isoformat(), "end": at(16).isoformat(), "room": "aula"}
    )
    assert (moved.status_code, moved.json()["sequence"], moved.json()["room"]) == (200, 1, "aula")
    cancelled = as_user("head").post(f"/meetings/{pk}/cancel", {"reason": "Ditunda"})
    assert (cancelled.json()["status"], cancelled.json()["sequence"]) == ("cancelled", 2)


def test_rooms_show_the_free_seats_at_the_asked_time(as_user, meetings):
    rooms = as_user("head").get("/meetings/rooms", start=at(9, 30).isoformat(), end=at(11).isoformat()).json()
    assert [(r["code"], r["capacity"], r["free"]) for r in rooms] == [("aula", 20, 20), ("rapat-kecil", 4, 2)]
    assert as_user("staff").get("/meetings/rooms").status_code == 403
    # a booking ending at 10:00 leaves the room free from 10:00
    later = as_user("head").get("/meetings/rooms", start=at(10).isoformat(), end=at(11).isoformat()).json()
    assert [(r["code"], r["free"]) for r in later] == [("aula", 20), ("rapat-kecil", 4)]
    # a cancelled meeting frees its seats
    services.meeting_cancel(meeting=meetings["dinas"], user=None)
    rooms = as_user("head").get("/meetings/rooms", start=at(9, 30).isoformat(), end=at(11).isoformat()).json()
    assert [(r["code"], r["free"]) for r in rooms] == [("aula", 20), ("rapat-kecil", 4)]


def test_attendance_over_the_api_records_presence(as_user, org, policy, rooms, settings):
    from django.utils import timezone

    now = timezone.now()
    meeting = services.meeting_request(
        government=org["government"],
        user=org["users"]["head"],
        requester=org["kadis"],
        title="Rapat darurat",
        priority="sangat_mendesak",
        mode="luring",
        start=now - dt.timedelta(minutes=5),
        end=now + dt.timedelta(hours=1),
        organiser_unit=org["dinas"],
        attendees=[org["kadis"], org["staff"]],
        room=rooms["small"],
    )
    # staff may mark only their own attendance
    assert as_user("staff").post(f"/meetings/{meeting.pk}/attendance", {"nip": org["kadis"].nip}).status_code == 403
    own = as_user("staff").post(f"/meetings/{meeting.pk}/attendance", {})
    assert own.status_code == 200
    assert own.json()["nip"] == org["staff"].nip and own.json()["attended_at"]
    marked = as_user("head").post(f"/meetings/{meeting.pk}/attendance", {"nip": org["kadis"].nip})
    assert marked.status_code == 200
    assert sorted(Presence.objects.filter(ref=f"meeting:{meeting.pk}").values_list("employee__name", flat=True)) == [
        "Kepala Dinas",
        "Staf Pelayanan",
    ]


# Events ---------------------------------------------------------------------------------------------


def event_body(**values):
    data = {
        "kind": "diklat",
        "title": "Diklat kepemimpinan",
        "place": "Aula BKPSDM",
        "start": at(8).isoformat(),
        "end": at(15).isoformat(),
        "units": ["DPMPTSP-PEL"],
    }
    data.update(values)
    return data


def test_only_bkpsdm_schedules_events_and_everyone_sees_them(as_user, org, policy):
    for who in ("head", "staff", "health"):
        assert as_user(who).post("/events", event_body()).status_code == 403
    created = as_user("admin").post("/events", event_body())
    assert created.status_code == 201, created.json()
    assert created.json()["units"] == ["DPMPTSP-PEL"]
    assert [h["action"] for h in created.json()["history"]] == ["scheduled"]
    assert [e["title"] for e in as_user("staff").get("/events").json()] == ["Diklat kepemimpinan"]
    bad = as_user("admin").post("/events", event_body(units=["NOPE"]))
    assert bad.json()["errors"] == {"units": ["There is no unit with code NOPE."]}


def test_postponed_events_are_listed_and_rescheduled_when_allowed(as_user, org, policy, other_government, make_user):
    from django.utils import timezone

    from siaga.core.models import Role
    from siaga.rostering import services as rostering

    soon = timezone.now() + dt.timedelta(days=3)
    created = (
        as_user("admin")
        .post("/events", event_body(start=soon.isoformat(), end=(soon + dt.timedelta(hours=2)).isoformat()))
        .json()
    )
    rostering.policy_update(policy=policy, actor=None, mass_gathering_ban=True)
    services.events_apply_policy(org["government"])
    postponed = as_user("staff").get("/events", status="postponed").json()
    assert [(e["id"], e["status"]) for e in postponed] == [(created["id"], "postponed")]
    later = soon + dt.timedelta(days=30)
    new_date = {"start": later.isoformat(), "end": (later + dt.timedelta(hours=2)).isoformat()}
    refused = as_user("admin").post(f"/events/{created['id']}/reschedule", new_date)
    assert refused.status_code == 422
    assert "Mass gatherings are banned" in refused.json()["errors"]["start"][0]
    assert as_user("head").post(f"/events/{created['id']}/reschedule", new_date).status_code == 403
    rostering.policy_update(policy=policy, actor=None, mass_gathering_ban=False)
    done = as_user("admin").post(f"/events/{created['id']}/reschedule", new_date)
    assert done.status_code == 200
    assert [h["action"] for h in done.json()["history"]] == ["scheduled", "postponed", "rescheduled"]
    outsider = make_user("admin_b", (other_government, Role.ADMIN))
    assert as_user(outsider).get(f"/events/{created['id']}").status_code == 404
    assert MassEvent.objects.get().status == "scheduled"


def test_the_openapi_document_describes_every_meetings_operation(db):
    import json

    from django.test import Client

    document = json.loads(Client().get("/api/openapi.json").content)
    ours = {
        path: ops for path, ops in document["paths"].items() if path.startswith(("/api/v1/meetings", "/api/v1/events"))
    }
    assert sorted(ours) == [
        "/api/v1/events",
        "/api/v1/events/{event_id}",
        "/api/v1/events/{event_id}/cancel",
        "/api/v1/events/{event_id}/reschedule",
        "/api/v1/meetings",
        "/api/v1/meetings/rooms",
        "/api/v1/meetings/{meeting_id}",
        "/api/v1/meetings/{meeting_id}/attendance",
        "/api/v1/meetings/{meeting_id}/cancel",
        "/api/v1/meetings/{meeting_id}/decision",
        "/api/v1/meetings/{meeting_id}/reschedule",
    ]
    for path, operations in ours.items():
        for method, operation in operations.items():
            assert operation["summary"], (method, path)
            assert "401" in operation["responses"], (method, path)


def test_citizens_and_anonymous_callers_see_no_meetings_or_events(as_user, org, meetings, policy):
    services.event_create(
        government=org["government"],
        user=None,
        kind="apel",
        title="Apel",
        place="Halaman",
        start=at(7),
        end=at(8),
        units=[org["dinas"]],
    )
    assert as_user("citizen").get("/meetings").json() == []
    assert as_user("citizen").get("/events").json() == []
    assert as_user("citizen").get(f"/meetings/{meetings['dinas'].pk}").status_code == 404
    assert as_user(None).get("/meetings").status_code == 401
