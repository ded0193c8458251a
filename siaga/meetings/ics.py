"""Meeting invitations as iCalendar (RFC 5545 / iTIP RFC 5546) files: METHOD:REQUEST for an invitation
or a change, METHOD:CANCEL for a cancellation; the UID stays the same for the life of a meeting and
SEQUENCE grows with every change, so calendar apps update the one entry instead of adding another."""

from __future__ import annotations

import datetime as dt

import icalendar
from django.conf import settings
from django.utils import timezone

from siaga.meetings.models import Meeting

REQUEST = "REQUEST"
CANCEL = "CANCEL"


def meeting_ics(*, meeting: Meeting, method: str, attendee_emails: list[tuple[str, str]]) -> str:
    """The invitation file of ``meeting``; ``attendee_emails`` is ``[(name, e-mail), …]``."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Siaga//Rapat//ID")
    cal.add("version", "2.0")
    cal.add("method", method)
    event = icalendar.Event()
    event.add("uid", meeting.uid)
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", timezone.now().astimezone(dt.UTC))
    event.add("dtstart", meeting.start.astimezone(dt.UTC))
    event.add("dtend", meeting.end.astimezone(dt.UTC))
    event.add("summary", meeting.title)
    description = meeting.agenda
    if meeting.video_link:
        description = f"{description}\n\n{meeting.video_link}".strip()
        event.add("url", meeting.video_link)
    if description:
        event.add("description", description)
    if meeting.room_id:
        room = meeting.room
        assert room is not None
        event.add("location", f"{room.name}, {room.floor.building.name}")
    elif meeting.video_link:
        event.add("location", meeting.video_link)
    event.add("status", "CANCELLED" if method == CANCEL else "CONFIRMED")
    organizer = icalendar.vCalAddress(f"mailto:{_from_address()}")
    organizer.params["cn"] = icalendar.vText(meeting.organiser_unit.name)
    event.add("organizer", organizer)
    for name, address in attendee_emails:
        if not address:
            continue
        attendee = icalendar.vCalAddress(f"mailto:{address}")
        attendee.params["cn"] = icalendar.vText(name)
        attendee.params["role"] = icalendar.vText("REQ-PARTICIPANT")
        attendee.params["rsvp"] = icalendar.vText("FALSE")
        event.add("attendee", attendee, encode=False)
    cal.add_component(event)
    return cal.to_ical().decode()


def _from_address() -> str:
    """The bare address of DEFAULT_FROM_EMAIL (``Siaga <siaga@x.go.id>`` → ``siaga@x.go.id``)."""
    sender = str(settings.DEFAULT_FROM_EMAIL)
    if "<" in sender and sender.endswith(">"):
        return sender[sender.index("<") + 1 : -1]
    return sender
