"""Writes of the meetings app: validated, atomic and audit-logged.

Meetings: the policy in effect on the meeting date decides which priorities may meet in person; an
in-person (luring) or hybrid meeting books a room within its distancing capacity, checked with the
room row locked so that concurrent requests can never overbook it; in-person meetings need the
approval of the organising unit's head or Plh (``Action.APPROVE_MEETING``), online meetings don't.
Invitations go through the outbox with an ICS file.

Mass events: postponed automatically while the policy bans mass gatherings (``events_apply_policy``),
rescheduled by BKPSDM when the policy allows; every step is kept in the event's history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from siaga.core.models import Government
from siaga.core.services import audit_record, notify
from siaga.meetings import ics
from siaga.meetings.models import MassEvent, MassEventChange, Meeting, MeetingAttendee, MeetingMode
from siaga.org.authority import Action, can_act
from siaga.org.models import Employee, Room, SpaceStatus, Unit
from siaga.rostering.models import MeetingPriority, WorkPolicy
from siaga.rostering.problem import policy_in_effect

#: how long before the start attendance may be marked, and how long after the end
ATTENDANCE_EARLY = dt.timedelta(minutes=30)
ATTENDANCE_LATE = dt.timedelta(hours=12)


def _local_date(government: Government, moment: dt.datetime) -> dt.date:
    return moment.astimezone(government.tzinfo).date()


def _fmt(government: Government, moment: dt.datetime) -> str:
    return moment.astimezone(government.tzinfo).strftime("%d-%m-%Y %H:%M")


def _priority_label(value: str) -> str:
    return str(dict(MeetingPriority.choices).get(value, value)).lower()


def in_person_refusal(*, government: Government, priority: str, on: dt.date) -> str:
    """Why a meeting of ``priority`` may not meet in person on ``on`` under the policy in effect, or ""."""
    policy = policy_in_effect(government=government, on=on)
    if policy is None or priority in (policy.in_person_meeting_priorities or []):
        return ""
    allowed = [_priority_label(p) for p in MeetingPriority.values if p in (policy.in_person_meeting_priorities or [])]
    return _(
        "Under the policy in effect on %(date)s (%(policy)s), %(allowed)s. Hold this %(priority)s meeting online "
        "(daring) with a video link, or raise its priority if it really is that urgent."
    ) % {
        "date": on.strftime("%d-%m-%Y"),
        "policy": policy.name,
        "allowed": (
            _("only %(list)s meetings may meet in person") % {"list": ", ".join(allowed)}
            if allowed
            else _("no meeting may meet in person")
        ),
        "priority": _priority_label(priority),
    }


def room_seats_taken(*, room: Room, start: dt.datetime, end: dt.datetime, exclude: Meeting | None = None) -> int:
    """In-person seats already booked in ``room`` by meetings overlapping ``[start, end)``.

    Counted over every overlapping booking (not the peak moment), which can only err on the safe side."""
    qs = MeetingAttendee.objects.filter(
        meeting__room=room,
        meeting__status__in=Meeting.HOLDING,
        meeting__start__lt=end,
        meeting__end__gt=start,
        in_person=True,
    )
    if exclude is not None:
        qs = qs.exclude(meeting=exclude)
    return qs.count()


def _room_closed(room: Room) -> bool:
    return (
        room.status != SpaceStatus.OPEN
        or room.floor.status != SpaceStatus.OPEN
        or (room.floor.building.status != SpaceStatus.OPEN)
    )


def _check_times(errors: dict[str, str], start: dt.datetime | None, end: dt.datetime | None) -> None:
    if start is None:
        errors["start"] = _("Give the start date and time.")
    if end is None:
        errors["end"] = _("Give the end date and time.")
    if start and end and end <= start:
        errors["end"] = _("The meeting must end after it starts.")
    if start and end and end > start and end - start > dt.timedelta(hours=12):
        errors["end"] = _("A meeting lasts at most 12 hours; split a longer one into several meetings.")


def _check_room_capacity(
    *, room: Room, start: dt.datetime, end: dt.datetime, seats: int, exclude: Meeting | None
) -> None:
    """Lock the room row and refuse when the seats would exceed its distancing capacity (call inside
    the transaction that writes the booking: the lock serialises every booking of this room)."""
    locked = Room.objects.select_for_update().get(pk=room.pk)
    taken = room_seats_taken(room=locked, start=start, end=end, exclude=exclude)
    if taken + seats > locked.distancing_capacity:
        free = max(locked.distancing_capacity - taken, 0)
        raise ValidationError(
            {
                "room": _(
                    "%(room)s takes %(capacity)d people with distancing; %(taken)d seats are already booked at "
                    "that time, so %(free)d are left and this meeting needs %(seats)d. Choose another room or "
                    "time, or invite fewer people in person."
                )
                % {
                    "room": locked.name,
                    "capacity": locked.distancing_capacity,
                    "taken": taken,
                    "free": free,
                    "seats": seats,
                }
            }
        )


def _in_person_ids(mode: str, attendees: list[Employee], in_person: Iterable[int] | None) -> set[int]:
    ids = {e.pk for e in attendees}
    if mode == MeetingMode.IN_PERSON:
        return ids
    if mode == MeetingMode.HYBRID:
        return set(in_person if in_person is not None else ids) & ids
    return set()


def meeting_request(
    *,
    government: Government,
    user: Any,
    requester: Employee | None,
    title: str,
    priority: str,
    mode: str,
    start: dt.datetime | None,
    end: dt.datetime | None,
    organiser_unit: Unit,
    attendees: list[Employee],
    agenda: str = "",
    room: Room | None = None,
    video_link: str = "",
    in_person: Iterable[int] | None = None,
) -> Meeting:
    """Request a meeting. An online meeting is approved at once and its invitations are sent; an
    in-person or hybrid one is approved at once when ``requester`` holds the authority to approve it
    (head or Plh of the organising unit), otherwise it waits for that approval with its room held."""
    title = title.strip()
    video_link = video_link.strip()
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = _("Give the meeting a title.")
    if priority not in MeetingPriority.values:
        errors["priority"] = _("Choose the priority: routine, important or very urgent.")
    if mode not in MeetingMode.values:
        errors["mode"] = _("Choose the mode: online, in person or hybrid.")
    _check_times(errors, start, end)
    if organiser_unit.government_id != government.pk:
        errors["organiser_unit"] = _("Choose a unit of your government.")
    people = list({e.pk: e for e in attendees}.values())
    if not people:
        errors["attendees"] = _("Invite at least one person.")
    elif any(e.government_id != government.pk or not e.is_active for e in people):
        errors["attendees"] = _("Invite only active employees of your government.")
    seats = _in_person_ids(mode, people, in_person)
    if mode in (MeetingMode.ONLINE, MeetingMode.HYBRID) and not video_link:
        errors["video_link"] = _("An online or hybrid meeting needs the video conference link (Zoom, Meet…).")
    elif video_link:
        try:
            URLValidator(schemes=["https", "http"])(video_link)
        except ValidationError:
            errors["video_link"] = _("The video link must be a web address starting with https://.")
    if mode in (MeetingMode.IN_PERSON, MeetingMode.HYBRID) and "mode" not in errors:
        if room is None:
            errors["room"] = _("An in-person or hybrid meeting needs a room; pick one with free seats.")
        elif room.government_id != government.pk:
            errors["room"] = _("Choose a room of your government.")
        elif _room_closed(room):
            errors["room"] = _("%(room)s is not open (closed or restricted); choose another room.") % {
                "room": room.name
            }
        if mode == MeetingMode.HYBRID and not seats and "attendees" not in errors:
            errors["attendees"] = _("A hybrid meeting needs at least one person in the room; otherwise hold it online.")
        if start is not None and priority in MeetingPriority.values:
            refusal = in_person_refusal(government=government, priority=priority, on=_local_date(government, start))
            if refusal:
                errors["mode"] = refusal
    if mode == MeetingMode.ONLINE:
        room = None
    if errors:
        raise ValidationError(errors)
    assert start is not None and end is not None
    authority = None
    if mode != MeetingMode.ONLINE and requester is not None:
        # the decision is taken now, so the authority is the one held today (a Plh of today may approve)
        authority = can_act(requester, Action.APPROVE_MEETING, organiser_unit)
    with transaction.atomic():
        if room is not None:
            _check_room_capacity(room=room, start=start, end=end, seats=len(seats), exclude=None)
        now = timezone.now()
        approved = mode == MeetingMode.ONLINE or bool(authority)
        meeting = Meeting.objects.create(
            government=government,
            title=title,
            agenda=agenda.strip(),
            priority=priority,
            mode=mode,
            start=start,
            end=end,
            organiser_unit=organiser_unit,
            requested_by=user if getattr(user, "pk", None) else None,
            room=room,
            video_link=video_link,
            status=Meeting.Status.APPROVED if approved else Meeting.Status.PENDING,
            approved_by=requester if authority else None,
            approval_basis=authority.reason if authority else "",
            decided_at=now if approved else None,
        )
        MeetingAttendee.objects.bulk_create(
            [
                MeetingAttendee(government=government, meeting=meeting, employee=e, in_person=e.pk in seats)
                for e in people
            ]
        )
        audit_record(
            actor=user,
            government=government,
            action="create",
            obj=meeting,
            changes={
                "priority": priority,
                "mode": mode,
                "start": start.isoformat(),
                "end": end.isoformat(),
                "room": room.name if room else "",
                "attendees": len(people),
                "in_person": len(seats),
                "status": meeting.status,
            },
        )
        if approved:
            _send_invitations(meeting, method=ics.REQUEST)
        else:
            _ask_for_approval(meeting)
    return meeting


def _meeting_link(meeting: Meeting) -> str:
    return reverse("meetings:detail", args=[meeting.pk])


def _attendee_rows(meeting: Meeting) -> list[MeetingAttendee]:
    return list(meeting.attendees.select_related("employee__user"))


def _send_invitations(meeting: Meeting, *, method: str, reason: str = "") -> None:
    """Tell every invitee with an account, with the ICS file (REQUEST or CANCEL) on the e-mail.

    Each invitee's file names only themselves as ATTENDEE: colleagues' e-mail addresses are contact
    data that not every invitee may see."""
    rows = _attendee_rows(meeting)
    government = meeting.government
    when = f"{_fmt(government, meeting.start)}–{meeting.end.astimezone(government.tzinfo):%H:%M}"
    for row in rows:
        user = row.employee.user
        if user is None:
            continue
        if method == ics.CANCEL:
            subject = _("Meeting cancelled: %(title)s") % {"title": meeting.title}
            body = _("The meeting %(title)s on %(when)s is cancelled.") % {"title": meeting.title, "when": when}
            if reason:
                body = f"{body} {reason}"
        else:
            subject = (_("Meeting changed: %(title)s") if meeting.sequence else _("Invitation: %(title)s")) % {
                "title": meeting.title
            }
            if row.in_person and meeting.room_id:
                assert meeting.room is not None
                place = _("in person in %(room)s") % {"room": meeting.room.name}
            else:
                place = _("online: %(link)s") % {"link": meeting.video_link}
            body = _("%(unit)s invites you to %(title)s on %(when)s, %(place)s.") % {
                "unit": meeting.organiser_unit.name,
                "title": meeting.title,
                "when": when,
                "place": place,
            }
            if meeting.agenda:
                body = f"{body}\n\n{_('Agenda')}: {meeting.agenda}"
        notify(
            user=user,
            government=government,
            subject=subject,
            body=body,
            link=_meeting_link(meeting),
            attachment=(
                "rapat.ics",
                f"text/calendar; method={method}",
                ics.meeting_ics(
                    meeting=meeting,
                    method=method,
                    attendee_emails=[(row.employee.name, user.email or row.employee.email)],
                ),
            ),
        )


def _ask_for_approval(meeting: Meeting) -> None:
    from siaga.org.selectors import unit_acting_today, unit_head

    head = unit_head(unit=meeting.organiser_unit)
    acting = unit_acting_today(unit=meeting.organiser_unit)
    for person in {p.pk: p for p in (head, acting.acting if acting else None) if p is not None}.values():
        if person.user_id:
            notify(
                user=person.user,
                government=meeting.government,
                subject=_("Meeting to approve: %(title)s") % {"title": meeting.title},
                body=_("An in-person meeting on %(when)s in %(room)s waits for your approval.")
                % {"when": _fmt(meeting.government, meeting.start), "room": meeting.room.name if meeting.room else "-"},
                link=_meeting_link(meeting),
                channels=("in_app", "email"),
            )


def _lock(meeting: Meeting) -> Meeting:
    return (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("government", "room__floor__building", "organiser_unit")
        .get(pk=meeting.pk)
    )


def meeting_decide(*, meeting: Meeting, approver: Employee, user: Any, approve: bool, note: str = "") -> Meeting:
    """Approve or refuse a meeting waiting for approval; only the organising unit's head or Plh may.
    The authority is the one held on the day of the decision. Two approvers at once produce one
    decision (the row is locked)."""
    authority = can_act(approver, Action.APPROVE_MEETING, meeting.organiser_unit)
    if not authority:
        raise ValidationError(authority.reason)
    note = note.strip()
    if not approve and not note:
        raise ValidationError({"note": _("Say why the meeting is refused, so the organiser can change it.")})
    with transaction.atomic():
        locked = _lock(meeting)
        if locked.status != Meeting.Status.PENDING:
            raise ValidationError(
                _("This meeting is already %(status)s.") % {"status": str(locked.get_status_display()).lower()}
            )
        if approve and locked.mode != MeetingMode.ONLINE:
            refusal = in_person_refusal(
                government=locked.government, priority=locked.priority, on=_local_date(locked.government, locked.start)
            )
            if refusal:
                raise ValidationError({"mode": refusal})
        locked.status = Meeting.Status.APPROVED if approve else Meeting.Status.REFUSED
        locked.approved_by = approver
        locked.approval_basis = authority.reason
        locked.decided_at = timezone.now()
        locked.decision_note = note[:250]
        locked.save(
            update_fields=["status", "approved_by", "approval_basis", "decided_at", "decision_note", "updated_at"]
        )
        audit_record(
            actor=user,
            government=locked.government,
            action="update",
            obj=locked,
            changes={"status": ["pending", locked.status], "basis": authority.basis, "note": note},
        )
        if approve:
            _send_invitations(locked, method=ics.REQUEST)
        elif locked.requested_by_id:
            notify(
                user=locked.requested_by,
                government=locked.government,
                subject=_("Meeting refused: %(title)s") % {"title": locked.title},
                body=note,
                link=_meeting_link(locked),
                channels=("in_app", "email"),
            )
    return locked


def meeting_reschedule(
    *, meeting: Meeting, user: Any, start: dt.datetime | None, end: dt.datetime | None, room: Room | None = None
) -> Meeting:
    """Move a meeting (and, for an in-person one, possibly to another room). Invitees get the change
    with the same UID and SEQUENCE + 1."""
    errors: dict[str, str] = {}
    _check_times(errors, start, end)
    government = meeting.government
    new_room = room if room is not None else meeting.room
    if meeting.mode != MeetingMode.ONLINE and new_room is not None:
        if new_room.government_id != government.pk:
            errors["room"] = _("Choose a room of your government.")
        elif _room_closed(new_room):
            errors["room"] = _("%(room)s is not open (closed or restricted); choose another room.") % {
                "room": new_room.name
            }
        if start is not None:
            refusal = in_person_refusal(
                government=government, priority=meeting.priority, on=_local_date(government, start)
            )
            if refusal:
                errors["mode"] = refusal
    if errors:
        raise ValidationError(errors)
    assert start is not None and end is not None
    with transaction.atomic():
        locked = _lock(meeting)
        if locked.status not in Meeting.HOLDING:
            raise ValidationError(_("A cancelled or refused meeting cannot be moved; request a new one."))
        if locked.mode != MeetingMode.ONLINE and new_room is not None:
            seats = locked.attendees.filter(in_person=True).count()
            _check_room_capacity(room=new_room, start=start, end=end, seats=seats, exclude=locked)
        before = {"start": locked.start.isoformat(), "end": locked.end.isoformat(), "room": str(locked.room or "")}
        locked.start, locked.end = start, end
        if locked.mode != MeetingMode.ONLINE:
            locked.room = new_room
        locked.sequence += 1
        locked.save(update_fields=["start", "end", "room", "sequence", "updated_at"])
        audit_record(
            actor=user,
            government=government,
            action="update",
            obj=locked,
            changes={
                "start": [before["start"], start.isoformat()],
                "end": [before["end"], end.isoformat()],
                "room": [before["room"], str(locked.room or "")],
                "sequence": locked.sequence,
            },
        )
        if locked.status == Meeting.Status.APPROVED:
            _send_invitations(locked, method=ics.REQUEST)
    return locked


def meeting_cancel(*, meeting: Meeting, user: Any, reason: str = "") -> Meeting:
    """Cancel a meeting and free its room; invitees who had the invitation get METHOD:CANCEL."""
    with transaction.atomic():
        locked = _lock(meeting)
        if locked.status not in Meeting.HOLDING:
            raise ValidationError(
                _("This meeting is already %(status)s.") % {"status": str(locked.get_status_display()).lower()}
            )
        was = locked.status
        locked.status = Meeting.Status.CANCELLED
        locked.decision_note = reason.strip()[:250]
        locked.sequence += 1
        locked.save(update_fields=["status", "decision_note", "sequence", "updated_at"])
        audit_record(
            actor=user,
            government=locked.government,
            action="update",
            obj=locked,
            changes={"status": [was, "cancelled"], "reason": reason.strip(), "sequence": locked.sequence},
        )
        if was == Meeting.Status.APPROVED:
            _send_invitations(locked, method=ics.CANCEL, reason=reason.strip())
    return locked


def meeting_attendance_mark(
    *, meeting: Meeting, employee: Employee, user: Any, now: dt.datetime | None = None
) -> MeetingAttendee:
    """Mark that ``employee`` attended ``meeting`` in person; records their presence in the room for
    the meeting's time (what contact tracing reads). Marking twice changes nothing."""
    from siaga.attendance.services import presence_record

    now = now or timezone.now()
    if meeting.status != Meeting.Status.APPROVED:
        raise ValidationError(_("Attendance is marked only for approved meetings."))
    if meeting.room_id is None:
        raise ValidationError(_("This meeting is online; attendance in person is not marked."))
    if now < meeting.start - ATTENDANCE_EARLY:
        raise ValidationError(
            _("Attendance opens 30 minutes before the meeting starts (%(start)s).")
            % {"start": _fmt(meeting.government, meeting.start)}
        )
    if now > meeting.end + ATTENDANCE_LATE:
        raise ValidationError(_("Attendance of this meeting closed 12 hours after it ended."))
    with transaction.atomic():
        try:
            row = MeetingAttendee.objects.select_for_update().get(meeting=meeting, employee=employee)
        except MeetingAttendee.DoesNotExist:
            raise ValidationError(_("%(name)s is not invited to this meeting.") % {"name": employee.name}) from None
        if not row.in_person:
            raise ValidationError(_("%(name)s attends this meeting online.") % {"name": employee.name})
        if row.attended_at is not None:
            return row
        room = meeting.room
        assert room is not None
        presence_record(
            employee=employee,
            building=room.floor.building,
            floor=room.floor,
            room=room,
            start=meeting.start,
            end=meeting.end,
            source="meeting",
            ref=f"meeting:{meeting.pk}",
        )
        row.attended_at = now
        row.marked_by = user if getattr(user, "pk", None) else None
        row.save(update_fields=["attended_at", "marked_by"])
        audit_record(
            actor=user,
            government=meeting.government_id,
            action="update",
            obj=meeting,
            changes={"attended": employee.name},
        )
    return row


# ---------------------------------------------------------------------------------------------------
# Mass events


def _ban_reason(government: Government, on: dt.date) -> str:
    """The reason mass gatherings are banned on ``on``, or "" when they are allowed."""
    policy: WorkPolicy | None = policy_in_effect(government=government, on=on)
    if policy is None or not policy.mass_gathering_ban:
        return ""
    return _("Mass gatherings are banned on %(date)s under %(policy)s.") % {
        "date": on.strftime("%d-%m-%Y"),
        "policy": policy.name,
    }


def event_participants(event: MassEvent) -> QuerySet[Employee]:
    """Employees taking part: those named, and everyone in the units named (and the units below)."""
    from django.db.models import Q

    from siaga.org.selectors import unit_descendant_ids

    unit_ids = unit_descendant_ids(government_id=event.government_id, unit_ids=event.units.values_list("pk", flat=True))
    return Employee.objects.filter(
        Q(unit_id__in=unit_ids) | Q(pk__in=event.employees.values_list("pk", flat=True)),
        government_id=event.government_id,
        is_active=True,
    ).select_related("user")


def _tell_participants(event: MassEvent, subject: str, body: str) -> int:
    count = 0
    for employee in event_participants(event):
        if employee.user_id:
            notify(
                user=employee.user,
                government=event.government,
                subject=subject,
                body=body,
                link=reverse("meetings:event_list"),
                channels=("in_app", "email"),
            )
            count += 1
    return count


def _check_event(
    errors: dict[str, str], government: Government, start: dt.datetime | None, end: dt.datetime | None
) -> None:
    if start is None:
        errors["start"] = _("Give the start date and time.")
    if end is None:
        errors["end"] = _("Give the end date and time.")
    if start and end and end <= start:
        errors["end"] = _("The event must end after it starts.")
    if start and "end" not in errors:
        reason = _ban_reason(government, _local_date(government, start))
        if reason:
            errors["start"] = _("%(reason)s Choose a date when the policy allows mass gatherings.") % {"reason": reason}


def event_create(
    *,
    government: Government,
    user: Any,
    kind: str,
    title: str,
    place: str,
    start: dt.datetime | None,
    end: dt.datetime | None,
    units: list[Unit] | None = None,
    employees: list[Employee] | None = None,
) -> MassEvent:
    """Schedule a mass event (BKPSDM). Refused on a date when the policy bans mass gatherings."""
    from siaga.meetings.models import EventKind

    units, employees = list(units or []), list(employees or [])
    errors: dict[str, str] = {}
    if kind not in EventKind.values:
        errors["kind"] = _("Choose the kind: roll call, training, technical guidance, ceremony or other.")
    if not title.strip():
        errors["title"] = _("Give the event a title.")
    if not place.strip():
        errors["place"] = _("Say where the event takes place.")
    if not units and not employees:
        errors["units"] = _("Choose the participating units or employees.")
    if any(u.government_id != government.pk for u in units) or any(e.government_id != government.pk for e in employees):
        errors["units"] = _("Choose units and employees of your government.")
    _check_event(errors, government, start, end)
    if errors:
        raise ValidationError(errors)
    assert start is not None and end is not None
    with transaction.atomic():
        event = MassEvent.objects.create(
            government=government,
            kind=kind,
            title=title.strip(),
            place=place.strip(),
            start=start,
            end=end,
            created_by=user if getattr(user, "pk", None) else None,
        )
        event.units.set(units)
        event.employees.set(employees)
        MassEventChange.objects.create(
            government=government,
            event=event,
            action=MassEventChange.Action.SCHEDULED,
            start=start,
            end=end,
            actor=event.created_by,
        )
        audit_record(
            actor=user,
            government=government,
            action="create",
            obj=event,
            changes={
                "kind": kind,
                "start": start.isoformat(),
                "units": [u.code for u in units],
                "employees": len(employees),
            },
        )
        _tell_participants(
            event,
            _("Scheduled: %(title)s") % {"title": event.title},
            _("%(title)s takes place on %(when)s at %(place)s.")
            % {"title": event.title, "when": _fmt(government, start), "place": event.place},
        )
    return event


def events_apply_policy(government: Government | None, *, now: dt.datetime | None = None) -> list[MassEvent]:
    """Postpone every scheduled event that has not ended yet and falls on a date when the policy in
    effect bans mass gatherings; tell its participants. Running it again changes nothing. Called after
    every change of the policy or situation (on commit) and by a periodic job."""
    if government is None:  # a national preset belongs to no government
        return []
    now = now or timezone.now()
    postponed: list[MassEvent] = []
    candidates = MassEvent.objects.filter(government=government, status=MassEvent.Status.SCHEDULED, end__gt=now)
    for event in candidates.only("pk", "start"):
        reason = _ban_reason(government, _local_date(government, event.start))
        if not reason:
            continue
        with transaction.atomic():
            locked = MassEvent.objects.select_for_update(of=("self",)).select_related("government").get(pk=event.pk)
            if locked.status != MassEvent.Status.SCHEDULED:
                continue
            locked.status = MassEvent.Status.POSTPONED
            locked.status_reason = reason[:300]
            locked.save(update_fields=["status", "status_reason"])
            MassEventChange.objects.create(
                government=government,
                event=locked,
                action=MassEventChange.Action.POSTPONED,
                start=locked.start,
                end=locked.end,
                reason=reason[:300],
            )
            audit_record(
                actor=None,
                government=government,
                action="update",
                obj=locked,
                changes={"status": ["scheduled", "postponed"], "reason": reason},
            )
            _tell_participants(
                locked,
                _("Postponed: %(title)s") % {"title": locked.title},
                _("%(title)s planned on %(when)s is postponed. %(reason)s A new date will be announced.")
                % {"title": locked.title, "when": _fmt(government, locked.start), "reason": reason},
            )
            postponed.append(locked)
    return postponed


def events_apply_policy_all() -> int:
    """The periodic job: apply the policy to the events of every active government."""
    return sum(len(events_apply_policy(g)) for g in Government.objects.filter(is_active=True))


def event_reschedule(*, event: MassEvent, user: Any, start: dt.datetime | None, end: dt.datetime | None) -> MassEvent:
    """Give a postponed (or scheduled) event a new date; refused while the policy bans gatherings then."""
    government = event.government
    errors: dict[str, str] = {}
    _check_event(errors, government, start, end)
    if start is not None and start < timezone.now() and "start" not in errors:
        errors["start"] = _("Choose a date in the future.")
    if errors:
        raise ValidationError(errors)
    assert start is not None and end is not None
    with transaction.atomic():
        locked = MassEvent.objects.select_for_update().get(pk=event.pk)
        if locked.status == MassEvent.Status.CANCELLED:
            raise ValidationError(_("A cancelled event cannot be rescheduled; schedule a new one."))
        previous = locked.start
        locked.start, locked.end = start, end
        locked.status = MassEvent.Status.SCHEDULED
        locked.status_reason = ""
        locked.save(update_fields=["start", "end", "status", "status_reason"])
        MassEventChange.objects.create(
            government=government,
            event=locked,
            action=MassEventChange.Action.RESCHEDULED,
            start=start,
            end=end,
            actor=user if getattr(user, "pk", None) else None,
        )
        audit_record(
            actor=user,
            government=government,
            action="update",
            obj=locked,
            changes={"start": [previous.isoformat(), start.isoformat()], "status": "scheduled"},
        )
        _tell_participants(
            locked,
            _("New date: %(title)s") % {"title": locked.title},
            _("%(title)s now takes place on %(when)s at %(place)s.")
            % {"title": locked.title, "when": _fmt(government, start), "place": locked.place},
        )
    return locked


def event_cancel(*, event: MassEvent, user: Any, reason: str) -> MassEvent:
    """Cancel an event for good (its history stays)."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the event is cancelled.")})
    with transaction.atomic():
        locked = MassEvent.objects.select_for_update().get(pk=event.pk)
        if locked.status == MassEvent.Status.CANCELLED:
            raise ValidationError(_("This event is already cancelled."))
        was = locked.status
        locked.status = MassEvent.Status.CANCELLED
        locked.status_reason = reason.strip()[:300]
        locked.save(update_fields=["status", "status_reason"])
        MassEventChange.objects.create(
            government=locked.government,
            event=locked,
            action=MassEventChange.Action.CANCELLED,
            start=locked.start,
            end=locked.end,
            reason=reason.strip()[:300],
            actor=user if getattr(user, "pk", None) else None,
        )
        audit_record(
            actor=user,
            government=locked.government_id,
            action="update",
            obj=locked,
            changes={"status": [was, "cancelled"]},
        )
        _tell_participants(
            locked,
            _("Cancelled: %(title)s") % {"title": locked.title},
            _("%(title)s is cancelled. %(reason)s") % {"title": locked.title, "reason": reason.strip()},
        )
    return locked
