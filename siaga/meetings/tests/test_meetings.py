"""Meetings: the policy decides who meets in person, rooms within distancing capacity, approval by the
unit head or Plh, invitations with ICS files, attendance that becomes presence."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from siaga.attendance.models import Presence
from siaga.core.models import AuditEvent, Notification
from siaga.meetings import services
from siaga.meetings.models import Meeting, MeetingAttendee
from siaga.meetings.tests.conftest import DAY, at
from siaga.org.models import Delegation

pytestmark = pytest.mark.django_db


def request(org, *, user="head", requester="kadis", **values):
    base = {
        "government": org["government"],
        "user": org["users"][user],
        "requester": org[requester] if requester else None,
        "title": "Rapat koordinasi layanan",
        "priority": "sangat_mendesak",
        "mode": "luring",
        "start": at(9),
        "end": at(10),
        "organiser_unit": org["dinas"],
        "attendees": [org["kadis"], org["staff"], org["kabid"]],
    }
    base.update(values)
    return services.meeting_request(**base)


def parse_ics(note: Notification) -> icalendar.Event:
    calendar = icalendar.Calendar.from_ical(note.attachment)
    (event,) = calendar.walk("VEVENT")
    event.method = str(calendar["METHOD"])
    return event


def test_an_online_meeting_is_approved_at_once_and_invites_with_an_ics_request(org, policy, rooms):
    meeting = request(
        org, priority="rutin", mode="daring", video_link="https://meet.example.go.id/rapat-1", room=rooms["small"]
    )
    assert (meeting.status, meeting.room_id, meeting.sequence) == ("approved", None, 0)
    mails = Notification.objects.filter(channel="email").order_by("recipient__username")
    assert [n.recipient.username for n in mails] == ["kabid", "kadis", "staf"]
    note = mails.get(recipient=org["users"]["staff"])
    assert (note.attachment_name, note.attachment_type) == ("rapat.ics", "text/calendar; method=REQUEST")
    event = parse_ics(note)
    assert event.method == "REQUEST"
    assert str(event["UID"]) == meeting.uid
    assert int(event["SEQUENCE"]) == 0
    assert event.decoded("DTSTART") == at(9)
    assert str(event["URL"]) == "https://meet.example.go.id/rapat-1"
    assert "https://meet.example.go.id/rapat-1" in note.body
    # each invitee's file names only them: colleagues' addresses are not everyone's to see
    assert str(event["ATTENDEE"]) == "mailto:staf@example.go.id"
    assert event["ATTENDEE"].params["CN"] == "Staf Pelayanan"
    # the in-app copy carries no file
    assert Notification.objects.filter(channel="in_app", attachment_name="").count() == 3


def test_online_and_hybrid_meetings_need_a_video_link(org, policy, rooms):
    for mode in ("daring", "hybrid"):
        with pytest.raises(ValidationError) as err:
            request(org, mode=mode, room=rooms["small"])
        assert "video conference link" in err.value.message_dict["video_link"][0]
    with pytest.raises(ValidationError) as err:
        request(org, mode="daring", video_link="meet.example")
    assert "https://" in err.value.message_dict["video_link"][0]
    assert not Meeting.objects.exists()


def test_the_policy_sends_a_routine_meeting_online(org, policy, rooms):
    with pytest.raises(ValidationError) as err:
        request(org, priority="rutin", room=rooms["small"])
    message = err.value.message_dict["mode"][0]
    assert "only very urgent meetings may meet in person" in message
    assert "Hold this routine meeting online (daring)" in message
    assert (Meeting.objects.count(), MeetingAttendee.objects.count(), Notification.objects.count()) == (0, 0, 0)
    # the organiser downgrades it to an online meeting
    assert request(org, priority="rutin", mode="daring", video_link="https://meet.example/x").status == "approved"


def test_the_policy_of_the_meeting_date_decides(org, policy, rooms):
    from siaga.rostering import services as rostering

    later = rostering.policy_copy_for_government(
        government=org["government"], preset=policy.copied_from, actor=None, select_from=DAY + dt.timedelta(days=7)
    )
    rostering.policy_update(
        policy=later, actor=None, in_person_meeting_priorities=["rutin", "penting", "sangat_mendesak"]
    )
    with pytest.raises(ValidationError):
        request(org, priority="penting", room=rooms["small"])
    next_week = DAY + dt.timedelta(days=7)
    meeting = request(
        org, priority="penting", room=rooms["small"], start=at(9, day=next_week), end=at(10, day=next_week)
    )
    assert meeting.status == "approved"


def test_a_head_books_an_urgent_in_person_meeting_with_their_own_authority(org, policy, rooms):
    meeting = request(org, room=rooms["small"])
    assert (meeting.status, meeting.approved_by, meeting.room) == ("approved", org["kadis"], rooms["small"])
    assert "heads DPMPTSP" in meeting.approval_basis
    assert MeetingAttendee.objects.filter(meeting=meeting, in_person=True).count() == 3
    assert AuditEvent.objects.filter(object_type="meetings.meeting", action="create").count() == 1


def test_bkpsdm_request_waits_for_the_head_and_a_plh_may_approve(org, policy, rooms):
    meeting = request(org, user="admin", requester=None, room=rooms["small"])
    assert meeting.status == "pending"
    # the head is asked, nobody is invited yet
    asked = Notification.objects.filter(channel="in_app")
    assert [n.recipient.username for n in asked] == ["kadis"]
    assert "waits for your approval" in asked.get().body
    # staff may not decide
    with pytest.raises(ValidationError) as err:
        services.meeting_decide(meeting=meeting, approver=org["staff"], user=org["users"]["staff"], approve=True)
    assert "neither the head" in err.value.messages[0]
    # the Plh of the Dinas may (approving a meeting is routine)
    Delegation.objects.create(
        government=org["government"],
        kind="plh",
        unit=org["dinas"],
        official=org["kadis"],
        acting=org["kabid"],
        start=timezone.localdate(),  # the authority of the day of the decision counts
        end=timezone.localdate() + dt.timedelta(days=1),
    )
    decided = services.meeting_decide(meeting=meeting, approver=org["kabid"], user=org["users"]["kabid"], approve=True)
    assert (decided.status, decided.approved_by) == ("approved", org["kabid"])
    assert "Plh" in decided.approval_basis
    assert Notification.objects.filter(channel="email", attachment_type="text/calendar; method=REQUEST").count() == 3
    with pytest.raises(ValidationError) as err:
        services.meeting_decide(meeting=meeting, approver=org["kadis"], user=org["users"]["head"], approve=True)
    assert "already approved" in err.value.messages[0]


def test_a_refusal_needs_a_reason_and_frees_the_room(org, policy, rooms):
    meeting = request(org, user="admin", requester=None, room=rooms["small"], attendees=[org["kadis"], org["staff"]])
    assert services.room_seats_taken(room=rooms["small"], start=at(9), end=at(10)) == 2
    with pytest.raises(ValidationError) as err:
        services.meeting_decide(meeting=meeting, approver=org["kadis"], user=None, approve=False)
    assert "Say why" in err.value.message_dict["note"][0]
    services.meeting_decide(meeting=meeting, approver=org["kadis"], user=None, approve=False, note="Cukup daring")
    assert services.room_seats_taken(room=rooms["small"], start=at(9), end=at(10)) == 0


def test_a_meeting_over_the_distancing_capacity_is_refused_with_the_free_seats(org, policy, rooms, make_employee):
    many = [make_employee(org["pelayanan"]) for _ in range(5)]
    with pytest.raises(ValidationError) as err:
        request(org, room=rooms["small"], attendees=many)
    assert err.value.message_dict["room"] == [
        "Ruang Rapat Kecil takes 4 people with distancing; 0 seats are already booked at that time, so 4 are "
        "left and this meeting needs 5. Choose another room or time, or invite fewer people in person."
    ]
    assert (Meeting.objects.count(), MeetingAttendee.objects.count(), Notification.objects.count()) == (0, 0, 0)


def test_overlapping_bookings_share_the_capacity_and_adjacent_ones_do_not(org, policy, rooms, make_employee):
    people = [make_employee(org["pelayanan"]) for _ in range(4)]
    request(org, room=rooms["small"], attendees=people[:3])
    with pytest.raises(ValidationError) as err:
        request(org, room=rooms["small"], attendees=people[2:], start=at(9, 30), end=at(11))
    assert "3 seats are already booked at that time, so 1 are left and this meeting needs 2" in err.value.messages[0]
    assert request(org, room=rooms["small"], attendees=people[3:], start=at(9, 30), end=at(11)).status == "approved"
    assert request(org, room=rooms["small"], attendees=people[:4], start=at(11), end=at(12)).status == "approved"


def test_a_hybrid_meeting_counts_only_the_people_in_the_room(org, policy, rooms, make_employee):
    people = [make_employee(org["pelayanan"]) for _ in range(8)]
    meeting = request(
        org,
        mode="hybrid",
        room=rooms["small"],
        attendees=people,
        in_person=[p.pk for p in people[:4]],
        video_link="https://meet.example/h",
    )
    assert meeting.attendees.filter(in_person=True).count() == 4
    assert services.room_seats_taken(room=rooms["small"], start=at(9), end=at(10)) == 4


def test_closed_rooms_and_missing_rooms_are_refused(org, policy, rooms):
    with pytest.raises(ValidationError) as err:
        request(org, room=rooms["closed"])
    assert err.value.message_dict["room"] == [
        "Ruang Rapat Timur is not open (closed or restricted); choose another room."
    ]
    with pytest.raises(ValidationError) as err:
        request(org, room=None)
    assert "needs a room" in err.value.message_dict["room"][0]
    with pytest.raises(ValidationError) as err:
        request(org, room=rooms["small"], start=at(10), end=at(9))
    assert err.value.message_dict["end"] == ["The meeting must end after it starts."]


def test_a_room_of_another_government_is_refused(org, policy, rooms, other_government):
    from siaga.org.models import Building, Floor, Room

    building = Building.objects.create(government=other_government, code="b", name="Other")
    floor = Floor.objects.create(
        government=other_government, building=building, number=1, capacity=9, distancing_capacity=9
    )
    foreign = Room.objects.create(
        government=other_government, floor=floor, code="r", name="Foreign", capacity=9, distancing_capacity=9
    )
    with pytest.raises(ValidationError) as err:
        request(org, room=foreign)
    assert err.value.message_dict["room"] == ["Choose a room of your government."]


def test_moving_and_cancelling_keep_the_uid_and_raise_the_sequence(org, policy, rooms):
    meeting = request(org, room=rooms["small"])
    Notification.objects.all().delete()
    moved = services.meeting_reschedule(meeting=meeting, user=None, start=at(13), end=at(14), room=rooms["hall"])
    assert (moved.sequence, moved.room) == (1, rooms["hall"])
    assert services.room_seats_taken(room=rooms["small"], start=at(9), end=at(10)) == 0
    change = parse_ics(Notification.objects.get(channel="email", recipient=org["users"]["staff"]))
    assert (change.method, str(change["UID"]), int(change["SEQUENCE"])) == ("REQUEST", meeting.uid, 1)
    assert change.decoded("DTSTART") == at(13)
    assert "Aula" in str(change["LOCATION"])
    Notification.objects.all().delete()
    cancelled = services.meeting_cancel(meeting=moved, user=None, reason="Kepala dinas dipanggil Bupati.")
    assert (cancelled.status, cancelled.sequence) == ("cancelled", 2)
    note = Notification.objects.get(channel="email", recipient=org["users"]["staff"])
    assert note.attachment_type == "text/calendar; method=CANCEL"
    cancel = parse_ics(note)
    assert (cancel.method, str(cancel["UID"]), int(cancel["SEQUENCE"]), str(cancel["STATUS"])) == (
        "CANCEL",
        meeting.uid,
        2,
        "CANCELLED",
    )
    assert services.room_seats_taken(room=rooms["hall"], start=at(13), end=at(14)) == 0
    with pytest.raises(ValidationError):
        services.meeting_reschedule(meeting=cancelled, user=None, start=at(15), end=at(16))


def test_attendance_in_person_records_presence_in_the_room_once(org, policy, rooms):
    meeting = request(org, room=rooms["small"])
    with pytest.raises(ValidationError) as err:
        services.meeting_attendance_mark(meeting=meeting, employee=org["staff"], user=None, now=at(8))
    assert "opens 30 minutes before" in err.value.messages[0]
    row = services.meeting_attendance_mark(meeting=meeting, employee=org["staff"], user=None, now=at(9, 5))
    assert row.attended_at == at(9, 5)
    again = services.meeting_attendance_mark(meeting=meeting, employee=org["staff"], user=None, now=at(9, 10))
    assert again.attended_at == at(9, 5)
    (presence,) = Presence.objects.all()
    assert (presence.employee, presence.room, presence.floor, presence.building) == (
        org["staff"],
        rooms["small"],
        rooms["small"].floor,
        rooms["small"].floor.building,
    )
    assert (presence.start, presence.end, presence.source, presence.ref) == (
        at(9),
        at(10),
        "meeting",
        f"meeting:{meeting.pk}",
    )
    with pytest.raises(ValidationError) as err:
        services.meeting_attendance_mark(meeting=meeting, employee=org["staff_umum"], user=None, now=at(9, 5))
    assert "not invited" in err.value.messages[0]
    with pytest.raises(ValidationError):
        services.meeting_attendance_mark(meeting=meeting, employee=org["kabid"], user=None, now=at(23))


def test_online_attendees_and_pending_meetings_record_no_presence(org, policy, rooms):
    hybrid = request(
        org, mode="hybrid", room=rooms["small"], in_person=[org["kadis"].pk], video_link="https://meet.example/h"
    )
    with pytest.raises(ValidationError) as err:
        services.meeting_attendance_mark(meeting=hybrid, employee=org["staff"], user=None, now=at(9, 5))
    assert "attends this meeting online" in err.value.messages[0]
    pending = request(org, user="admin", requester=None, room=rooms["hall"])
    with pytest.raises(ValidationError) as err:
        services.meeting_attendance_mark(meeting=pending, employee=org["staff"], user=None, now=at(9, 5))
    assert "only for approved meetings" in err.value.messages[0]
    assert not Presence.objects.exists()
