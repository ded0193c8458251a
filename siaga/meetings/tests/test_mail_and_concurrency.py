"""Invitations read back from a real SMTP server, and concurrent room bookings on a real database."""

from __future__ import annotations

import threading

import icalendar
import pytest
from django.core.exceptions import ValidationError
from django.db import connections

from conftest import postgresql_only
from siaga.meetings import services
from siaga.meetings.models import Meeting, MeetingAttendee
from siaga.meetings.tests.conftest import at

pytestmark = pytest.mark.django_db(transaction=True)


def ics_parts(message):
    return [part for part in message.walk() if part.get_content_type() == "text/calendar"]


def test_invitation_change_and_cancellation_arrive_by_smtp_with_their_ics(org, policy, rooms, smtp_server, run_worker):
    smtp_server.start()
    meeting = services.meeting_request(
        government=org["government"],
        user=org["users"]["head"],
        requester=org["kadis"],
        title="Rapat darurat klaster kantor",
        agenda="1. Data kasus\n2. Penutupan lantai 3",
        priority="sangat_mendesak",
        mode="hybrid",
        start=at(9),
        end=at(10),
        organiser_unit=org["dinas"],
        attendees=[org["kadis"], org["staff"]],
        in_person=[org["kadis"].pk],
        room=rooms["small"],
        video_link="https://meet.example.go.id/klaster",
    )
    run_worker()
    mails = {m.rcpt_tos[0]: m.message for m in smtp_server.received}
    assert sorted(mails) == ["kadis@example.go.id", "staf@example.go.id"]
    staff_mail = mails["staf@example.go.id"]
    assert staff_mail["Subject"] == "Invitation: Rapat darurat klaster kantor"
    assert "online: https://meet.example.go.id/klaster" in staff_mail.get_body(("plain",)).get_content()
    (part,) = ics_parts(staff_mail)
    assert part.get_param("method") == "REQUEST"
    assert part.get_filename() == "rapat.ics"
    calendar = icalendar.Calendar.from_ical(part.get_payload(decode=True))
    (event,) = calendar.walk("VEVENT")
    assert (str(calendar["METHOD"]), str(event["UID"]), int(event["SEQUENCE"])) == ("REQUEST", meeting.uid, 0)
    assert (event.decoded("DTSTART"), event.decoded("DTEND")) == (at(9), at(10))
    assert str(event["SUMMARY"]) == "Rapat darurat klaster kantor"
    assert str(event["LOCATION"]) == "Ruang Rapat Kecil, Gedung Menara Wijaya"
    assert "in person in Ruang Rapat Kecil" in mails["kadis@example.go.id"].get_body(("plain",)).get_content()

    smtp_server.received.clear()
    services.meeting_reschedule(meeting=meeting, user=None, start=at(14), end=at(15))
    services.meeting_cancel(meeting=Meeting.objects.get(pk=meeting.pk), user=None, reason="Diganti rapat daring.")
    run_worker()
    staff = [m.message for m in smtp_server.received if m.rcpt_tos == ["staf@example.go.id"]]
    assert [m["Subject"] for m in staff] == [
        "Meeting changed: Rapat darurat klaster kantor",
        "Meeting cancelled: Rapat darurat klaster kantor",
    ]
    seen = []
    for message in staff:
        (part,) = ics_parts(message)
        calendar = icalendar.Calendar.from_ical(part.get_payload(decode=True))
        (event,) = calendar.walk("VEVENT")
        seen.append((part.get_param("method"), str(calendar["METHOD"]), str(event["UID"]), int(event["SEQUENCE"])))
    assert seen == [("REQUEST", "REQUEST", meeting.uid, 1), ("CANCEL", "CANCEL", meeting.uid, 2)]


@postgresql_only
def test_concurrent_requests_never_overbook_a_room(org, policy, rooms, make_employee):
    """Eight requests of 2 seats each race for a room of 4 seats: exactly two get it."""
    people = [make_employee(org["pelayanan"]) for _ in range(16)]
    barrier = threading.Barrier(8)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(n: int) -> None:
        try:
            barrier.wait(10)
            services.meeting_request(
                government=org["government"],
                user=None,
                requester=org["kadis"],
                title=f"Rapat {n}",
                priority="sangat_mendesak",
                mode="luring",
                start=at(9),
                end=at(10),
                organiser_unit=org["dinas"],
                attendees=people[2 * n : 2 * n + 2],
                room=rooms["small"],
            )
            result = "booked"
        except ValidationError as exc:
            result = "full" if "seats are already booked" in exc.messages[0] else exc.messages[0]
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["booked"] * 2 + ["full"] * 6
    assert Meeting.objects.count() == 2
    assert MeetingAttendee.objects.filter(meeting__room=rooms["small"], in_person=True).count() == 4


@postgresql_only
def test_two_approvers_at_once_produce_one_decision(org, policy, rooms):
    """The head and their Plh press Approve at the same moment: one approval, one set of invitations."""
    import datetime as dt

    from django.utils import timezone

    from siaga.core.models import Notification
    from siaga.org.models import Delegation

    Delegation.objects.create(
        government=org["government"],
        kind="plh",
        unit=org["dinas"],
        official=org["kadis"],
        acting=org["kabid"],
        start=timezone.localdate(),
        end=timezone.localdate() + dt.timedelta(days=1),
    )
    meeting = services.meeting_request(
        government=org["government"],
        user=org["users"]["admin"],
        requester=None,
        title="Rapat menunggu persetujuan",
        priority="sangat_mendesak",
        mode="luring",
        start=at(9),
        end=at(10),
        organiser_unit=org["dinas"],
        attendees=[org["kadis"], org["staff"]],
        room=rooms["small"],
    )
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    lock = threading.Lock()

    def approve(approver_key: str) -> None:
        try:
            barrier.wait(10)
            services.meeting_decide(
                meeting=Meeting.objects.get(pk=meeting.pk), approver=org[approver_key], user=None, approve=True
            )
            result = "approved"
        except ValidationError as exc:
            result = exc.messages[0]
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=approve, args=(key,)) for key in ("kadis", "kabid")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["This meeting is already approved.", "approved"]
    assert Notification.objects.filter(channel="in_app", subject__startswith="Invitation").count() == 2
