"""Pages of the meetings app: thin, reads through selectors, writes through services."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from siaga.core import access
from siaga.core.access import Perm
from siaga.core.forms import apply_service_errors
from siaga.meetings import selectors, services
from siaga.meetings.forms import EventForm, MeetingForm, RescheduleForm, combine
from siaga.meetings.models import MassEvent, Meeting
from siaga.org.authority import Action, can_act


@login_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    """The person's meetings from today on, grouped by day, and the ones waiting for their approval."""
    actor = access.request_actor(request)
    government = actor.tenant
    today = timezone.localdate()
    start = dt.datetime.combine(today, dt.time(), tzinfo=government.tzinfo)
    meetings = list(selectors.meeting_list(actor=actor, start=start, end=start + dt.timedelta(days=60)))
    days: dict[dt.date, list[Meeting]] = defaultdict(list)
    for meeting in meetings:
        if meeting.status in Meeting.HOLDING:
            days[meeting.start.astimezone(government.tzinfo).date()].append(meeting)
    context = {
        "days": sorted(days.items()),
        "pending": [m for m in meetings if m.status == Meeting.Status.PENDING and access.can_manage_meeting(actor, m)],
        "can_request": actor.has_perm(Perm.MANAGE_MEETINGS),
    }
    return render(request, "meetings/meeting_list.html", context)


def _meeting_form(request: HttpRequest, data: QueryDict | None = None) -> MeetingForm:
    actor = access.request_actor(request)
    government = actor.tenant
    units = list(selectors.organiser_units(actor=actor))
    people = selectors.form_invitees(actor=actor)
    start = end = None
    source = data if data is not None else request.GET
    try:
        day = dt.date.fromisoformat(source.get("date") or "")
        start = combine(government, day, dt.time.fromisoformat(source.get("start_time") or ""))
        end = combine(government, day, dt.time.fromisoformat(source.get("end_time") or ""))
    except ValueError:
        pass
    rooms = selectors.room_choices(actor=actor, start=start, end=end)
    form = MeetingForm(data, units=units, people=people, rooms=rooms)
    if data is None and request.GET.get("room"):
        form.initial["room"] = request.GET["room"]  # the picker refreshed by htmx keeps the choice
    return form


@login_required
def meeting_new(request: HttpRequest) -> HttpResponse:
    actor = access.request_actor(request)
    actor.require(Perm.MANAGE_MEETINGS)
    if request.method == "POST":
        form = _meeting_form(request, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            government = actor.tenant
            try:
                unit = selectors.organiser_unit_get(actor=actor, pk=data["organiser_unit"])
                people = list(selectors.invitable_employees(actor=actor).filter(pk__in=data["attendees"]))
                others = {
                    e.nip: e for e in selectors.invitable_employees(actor=actor).filter(nip__in=data["other_nips"])
                }
                unknown = [nip for nip in data["other_nips"] if nip not in others]
                if unknown:
                    raise ValidationError(
                        {"other_nips": _("No active employee has the NIP %(nips)s.") % {"nips": ", ".join(unknown)}}
                    )
                people += list(others.values())
                meeting = services.meeting_request(
                    government=government,
                    user=request.user,
                    requester=selectors.actor_employee(actor=actor),
                    title=data["title"],
                    agenda=data["agenda"],
                    priority=data["priority"],
                    mode=data["mode"],
                    start=combine(government, data["date"], data["start_time"]),
                    end=combine(government, data["date"], data["end_time"]),
                    organiser_unit=unit,
                    attendees=people,
                    room=selectors.room_get(actor=actor, pk=data["room"]) if data["room"] else None,
                    video_link=data["video_link"],
                    in_person=data["in_person"],
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                if meeting.status == Meeting.Status.APPROVED:
                    messages.success(request, _("The meeting is booked and the invitations are on their way."))
                else:
                    messages.success(request, _("The meeting waits for the approval of the unit head or Plh."))
                return redirect("meetings:detail", pk=meeting.pk)
    else:
        form = _meeting_form(request)
    return render(request, "meetings/meeting_form.html", {"form": form})


@login_required
@require_GET
def room_options(request: HttpRequest) -> HttpResponse:
    """The room picker for the chosen date and times (htmx swaps it into the form)."""
    actor = access.request_actor(request)
    actor.require(Perm.MANAGE_MEETINGS)
    form = _meeting_form(request)
    return render(request, "meetings/_room_field.html", {"field": form["room"]})


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = access.request_actor(request)
    meeting = selectors.meeting_get(actor=actor, pk=pk)
    me = selectors.actor_employee(actor=actor)
    can_decide = (
        meeting.status == Meeting.Status.PENDING
        and me is not None
        and bool(can_act(me, Action.APPROVE_MEETING, meeting.organiser_unit))
    )
    rows = list(meeting.attendees.all())
    context = {
        "meeting": meeting,
        "rows": rows,
        "mine": next((r for r in rows if r.employee_id == actor.employee_id), None),
        "can_manage": access.can_manage_meeting(actor, meeting),
        "can_decide": can_decide,
        "move_form": RescheduleForm(
            auto_id="move_%s",
            initial={
                "date": meeting.start.astimezone(actor.tenant.tzinfo).date(),
                "start_time": meeting.start.astimezone(actor.tenant.tzinfo).strftime("%H:%M"),
                "end_time": meeting.end.astimezone(actor.tenant.tzinfo).strftime("%H:%M"),
            },
        ),
        "attendance_open": meeting.status == Meeting.Status.APPROVED and meeting.room_id is not None,
        "seats": sum(1 for r in rows if r.in_person),
        "attended": sum(1 for r in rows if r.attended_at),
    }
    return render(request, "meetings/meeting_detail.html", context)


@login_required
@require_POST
def meeting_decide(request: HttpRequest, pk: int) -> HttpResponse:
    actor = access.request_actor(request)
    meeting = selectors.meeting_get(actor=actor, pk=pk)
    me = selectors.actor_employee(actor=actor)
    if me is None or not can_act(me, Action.APPROVE_MEETING, meeting.organiser_unit):
        raise PermissionDenied("approve meeting")
    approve = request.POST.get("decision") == "approve"
    try:
        services.meeting_decide(
            meeting=meeting, approver=me, user=request.user, approve=approve, note=request.POST.get("note", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("Meeting approved; the invitations are on their way.") if approve else _("Meeting refused.")
        )
    return redirect("meetings:detail", pk=pk)


@login_required
@require_POST
def meeting_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    actor = access.request_actor(request)
    meeting = selectors.meeting_get(actor=actor, pk=pk)
    selectors.require_meeting_manager(actor, meeting)
    try:
        services.meeting_cancel(meeting=meeting, user=request.user, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Meeting cancelled; the invitees are told."))
    return redirect("meetings:detail", pk=pk)


@login_required
@require_POST
def meeting_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a meeting to another date or time (same room, re-checked); invitees get the change."""
    actor = access.request_actor(request)
    meeting = selectors.meeting_get(actor=actor, pk=pk)
    selectors.require_meeting_manager(actor, meeting)
    form = RescheduleForm(request.POST, auto_id="move_%s")
    if not form.is_valid():
        messages.error(request, _("Give the new date, start and end time."))
        return redirect("meetings:detail", pk=pk)
    data = form.cleaned_data
    government = actor.tenant
    try:
        services.meeting_reschedule(
            meeting=meeting,
            user=request.user,
            start=combine(government, data["date"], data["start_time"]),
            end=combine(government, data["date"], data["end_time"]),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Meeting moved; the invitees get the change."))
    return redirect("meetings:detail", pk=pk)


@login_required
@require_POST
def meeting_attend(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark attendance in person: one's own, or (for whoever manages the meeting) an invitee's."""
    actor = access.request_actor(request)
    meeting = selectors.meeting_get(actor=actor, pk=pk)
    raw = request.POST.get("employee") or ""
    employee_id = int(raw) if raw.isdigit() else (actor.employee_id or 0)
    if employee_id != actor.employee_id:
        selectors.require_meeting_manager(actor, meeting)
    row = next((r for r in meeting.attendees.all() if r.employee_id == employee_id), None)
    if row is None:
        messages.error(request, _("Only invitees' attendance can be marked."))
        return redirect("meetings:detail", pk=pk)
    try:
        services.meeting_attendance_mark(meeting=meeting, employee=row.employee, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Attendance of %(name)s recorded.") % {"name": row.employee.name})
    return redirect("meetings:detail", pk=pk)


# Mass events --------------------------------------------------------------------------------------


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    actor = access.request_actor(request)
    events = list(selectors.event_list(actor=actor))
    now = timezone.now()
    context = {
        "upcoming": [e for e in events if e.status == MassEvent.Status.SCHEDULED and e.end > now],
        "postponed": [e for e in events if e.status == MassEvent.Status.POSTPONED],
        "mine": selectors.my_event_ids(actor=actor),
        "can_manage": actor.has_perm(Perm.MANAGE_EVENTS),
        "form": RescheduleForm(auto_id="reschedule_%s"),
    }
    return render(request, "meetings/event_list.html", context)


@login_required
def event_new(request: HttpRequest) -> HttpResponse:
    actor = access.request_actor(request)
    selectors.require_event_manager(actor)
    units = selectors.event_unit_choices(actor=actor)
    form = EventForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        government = actor.tenant
        try:
            event = services.event_create(
                government=government,
                user=request.user,
                kind=data["kind"],
                title=data["title"],
                place=data["place"],
                start=combine(government, data["date"], data["start_time"]),
                end=combine(government, data["date"], data["end_time"]),
                units=[u for u in units if u.pk in set(data["units"])],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Event scheduled; the participants are told."))
            return redirect("meetings:event_detail", pk=event.pk)
    return render(request, "meetings/event_form.html", {"form": form})


@login_required
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = access.request_actor(request)
    event = selectors.event_get(actor=actor, pk=pk)
    context = {
        "event": event,
        "can_manage": actor.has_perm(Perm.MANAGE_EVENTS),
        "form": RescheduleForm(auto_id="reschedule_%s"),
    }
    return render(request, "meetings/event_detail.html", context)


@login_required
@require_POST
def event_reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    actor = access.request_actor(request)
    event = selectors.event_get(actor=actor, pk=pk)
    selectors.require_event_manager(actor)
    form = RescheduleForm(request.POST, auto_id="reschedule_%s")
    if form.is_valid():
        data = form.cleaned_data
        government = actor.tenant
        try:
            services.event_reschedule(
                event=event,
                user=request.user,
                start=combine(government, data["date"], data["start_time"]),
                end=combine(government, data["date"], data["end_time"]),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Event rescheduled; the participants are told."))
            return redirect("meetings:event_detail", pk=pk)
    return render(request, "meetings/event_detail.html", {"event": event, "can_manage": True, "form": form}, status=422)
