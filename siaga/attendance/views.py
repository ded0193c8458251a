"""Pages of the attendance app: thin, reads through selectors, writes through services.

"Presensi" for the employee (check in and out from a phone, today's status, history, own recap), the
unit head's pages (today's attendance of a unit, exceptions, the monthly recap and its XLSX), the
printable QR poster of a room and the page its QR code opens (presence in that room)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from siaga.attendance import exports, selectors, services
from siaga.attendance.forms import CheckInForm, CheckOutForm, ExceptionForm, MonthForm, PresenceSearchForm
from siaga.attendance.models import Presence
from siaga.core import access
from siaga.core.access import Perm
from siaga.core.models import Role
from siaga.org.models import Unit
from siaga.rostering import selectors as rostering_selectors


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Presensi: today's roster and check-in, the check-in/out buttons, recent history."""
    actor = access.request_actor(request)
    if actor.employee_id is None:
        if selectors.can_manage(actor):
            return redirect("attendance:unit_list")
        raise PermissionDenied
    employee = selectors.actor_employee(actor=actor)
    today = timezone.localdate()
    days = rostering_selectors.published_days(employee=employee, start=today, end=today)
    open_check_in = selectors.check_in_open(employee=employee)
    context = {
        "employee": employee,
        "today": today,
        "roster_day": days[0] if days else None,
        "unavailable": rostering_selectors.unavailability(employee_id=employee.pk, day=today),
        "open_check_in": open_check_in,
        "form": CheckInForm(initial={"mode": (days[0].mode if days and days[0].mode == "wfo" else "wfh")}),
        "idempotency_key": uuid.uuid4().hex,
        "history": selectors.check_in_list(actor=actor, employee_id=employee.pk)[:20],
        "recap": selectors.recap_own(actor=actor, year=today.year, month=today.month),
        "can_manage": selectors.can_manage(actor),
    }
    return render(request, "attendance/home.html", context)


def _back_after_login(request: HttpRequest) -> HttpResponse:
    """A tap made while the session had expired comes back here as a GET after logging in: nothing was
    recorded, so say so and show the page again."""
    messages.info(request, _("Your session had expired, so nothing was recorded. Please tap again."))
    return redirect("attendance:home")


@login_required
@require_http_methods(["GET", "POST"])
def check_in(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _back_after_login(request)
    actor = access.request_actor(request)
    employee = selectors.actor_employee(actor=actor)
    form = CheckInForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose where you work today and try again."))
        return redirect("attendance:home")
    data = form.cleaned_data
    try:
        record = services.check_in(
            employee=employee,
            mode=data["mode"],
            user=request.user,
            latitude=data["latitude"],
            longitude=data["longitude"],
            accuracy_m=data["accuracy"],
            client_time=data["client_time"],
            idempotency_key=data["idempotency_key"] or "",
        )
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(
            request,
            _("Checked in at %(time)s (%(mode)s).")
            % {"time": timezone.localtime(record.checked_in_at).strftime("%H:%M"), "mode": record.get_mode_display()},
        )
    return redirect("attendance:home")


@login_required
@require_http_methods(["GET", "POST"])
def check_out(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method == "GET":
        return _back_after_login(request)
    actor = access.request_actor(request)
    record = selectors.own_check_in_get(actor=actor, pk=pk)
    form = CheckOutForm(request.POST)
    client_time = form.cleaned_data["client_time"] if form.is_valid() else None
    try:
        record = services.check_out(check_in=record, user=request.user, client_time=client_time)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        assert record.checked_out_at is not None
        messages.success(
            request,
            _("Checked out at %(time)s.") % {"time": timezone.localtime(record.checked_out_at).strftime("%H:%M")},
        )
    return redirect("attendance:home")


@login_required
def my_recap(request: HttpRequest) -> HttpResponse:
    actor = access.request_actor(request)
    employee = selectors.actor_employee(actor=actor)
    year, month = MonthForm(request.GET).period(timezone.localdate())
    row = selectors.recap_own(actor=actor, year=year, month=month)
    if request.GET.get("format") == "xlsx":
        return _xlsx(
            exports.recap_xlsx(title=employee.name, year=year, month=month, rows=[row]), f"presensi-{year}-{month:02d}"
        )
    return render(
        request, "attendance/recap.html", {"title": employee.name, "rows": [row], "year": year, "month": month}
    )


def _xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


# ---------------------------------------------------------------------------------------------------
# Unit heads and BKPSDM


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    actor = access.request_actor(request)
    units = selectors.managed_unit_list(actor=actor)
    if units.count() == 1 and not actor.has_role(Role.ADMIN):
        return redirect("attendance:unit_today", pk=units[0].pk)
    return render(request, "attendance/unit_list.html", {"units": units})


@login_required
def unit_today(request: HttpRequest, pk: int) -> HttpResponse:
    """Today's attendance of a unit and the exceptions form."""
    actor = access.request_actor(request)
    unit = selectors.managed_unit_get(actor=actor, pk=pk)
    rows = selectors.unit_today(actor=actor, unit=unit)
    form = ExceptionForm(
        employees=[(r.employee.pk, r.employee.name) for r in rows], initial={"date": timezone.localdate()}
    )
    return _unit_page(request, actor=actor, unit=unit, rows=rows, form=form)


def _unit_page(
    request: HttpRequest, *, actor: access.Actor, unit: Unit, rows: list[selectors.TodayRow], form: ExceptionForm
) -> HttpResponse:
    context = {
        "unit": unit,
        "rows": rows,
        "today": timezone.localdate(),
        "form": form,
        "exceptions": selectors.exception_list(actor=actor, start=timezone.localdate()).filter(employee__unit=unit)[
            :50
        ],
        "checked_in": sum(1 for r in rows if r.check_in is not None),
    }
    return render(request, "attendance/unit_today.html", context)


@login_required
@require_POST
def exception_grant(request: HttpRequest, pk: int) -> HttpResponse:
    actor = access.request_actor(request)
    unit = selectors.managed_unit_get(actor=actor, pk=pk)
    rows = selectors.unit_today(actor=actor, unit=unit)
    form = ExceptionForm(request.POST, employees=[(r.employee.pk, r.employee.name) for r in rows])
    if form.is_valid():
        employee = selectors.managed_employee_get(actor=actor, pk=form.cleaned_data["employee"])
        granter = selectors.actor_employee(actor=actor) if actor.employee_id else None
        try:
            services.attendance_exception_grant(
                employee=employee,
                day=form.cleaned_data["date"],
                reason=form.cleaned_data["reason"],
                granter=granter,
                user=request.user,
                admin=actor.has_role(Role.ADMIN),
            )
        except ValidationError as exc:
            from siaga.core.forms import apply_service_errors

            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Exception granted to %(name)s.") % {"name": employee.name})
            return redirect("attendance:unit_today", pk=unit.pk)
    return _unit_page(request, actor=actor, unit=unit, rows=rows, form=form)


@login_required
def unit_recap(request: HttpRequest, pk: int) -> HttpResponse:
    actor = access.request_actor(request)
    unit = selectors.managed_unit_get(actor=actor, pk=pk)
    year, month = MonthForm(request.GET).period(timezone.localdate())
    rows = selectors.recap_unit(actor=actor, unit=unit, year=year, month=month)
    if request.GET.get("format") == "xlsx":
        return _xlsx(
            exports.recap_xlsx(title=unit.name, year=year, month=month, rows=rows),
            f"presensi-{unit.code}-{year}-{month:02d}",
        )
    return render(
        request, "attendance/recap.html", {"title": unit.name, "unit": unit, "rows": rows, "year": year, "month": month}
    )


# ---------------------------------------------------------------------------------------------------
# Rooms: the QR poster and the page its code opens


@login_required
def room_list(request: HttpRequest) -> HttpResponse:
    actor = access.request_actor(request)
    if not (actor.has_perm(Perm.MANAGE_ORG) or actor.has_perm(Perm.MANAGE_ATTENDANCE)):
        raise PermissionDenied
    return render(request, "attendance/room_list.html", {"rooms": selectors.room_list(actor=actor)})


@login_required
def room_poster(request: HttpRequest, pk: int) -> HttpResponse:
    """A printable A4 poster with the room's QR code."""
    actor = access.request_actor(request)
    if not (actor.has_perm(Perm.MANAGE_ORG) or actor.has_perm(Perm.MANAGE_ATTENDANCE)):
        raise PermissionDenied
    room = selectors.room_get(actor=actor, pk=pk)
    url = request.build_absolute_uri(reverse("attendance:room_scan", args=[room.pk]))
    return render(request, "attendance/room_poster.html", {"room": room, "url": url, "qr": exports.qr_svg(url)})


@login_required
def room_scan(request: HttpRequest, pk: int) -> HttpResponse:
    """Opened from the poster's QR code: one tap records that the person is in this room."""
    actor = access.request_actor(request)
    room = selectors.room_get(actor=actor, pk=pk)
    employee = selectors.actor_employee(actor=actor)
    if request.method == "POST":
        try:
            services.presence_room_scan(employee=employee, room=room, user=request.user)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("You are recorded in %(room)s. Thank you.") % {"room": room.name})
        return redirect("attendance:room_scan", pk=room.pk)
    return render(request, "attendance/room_scan.html", {"room": room})


# ---------------------------------------------------------------------------------------------------
# Presence: the task force's contact-tracing search, and one's own places


@login_required
def presence(request: HttpRequest) -> HttpResponse:
    """The health task force finds who was in a place during a window (or where a person was); everyone
    else sees their own places. Every read by the task force is audit-logged by the selectors."""
    actor = access.request_actor(request)
    tracer = actor.has_perm(Perm.VIEW_PRESENCE)
    if not tracer and actor.employee_id is None:
        raise PermissionDenied
    form = PresenceSearchForm(request.GET or None, places=selectors.place_choices(actor=actor) if tracer else [])
    rows: list[Presence] | None = None
    if form.is_valid():
        data = form.cleaned_data
        if tracer and data["place"]:
            kind, _sep, pk = data["place"].partition(":")
            place = selectors.place_get(actor=actor, kind=kind, pk=int(pk))
            found = selectors.presence_overlapping(actor=actor, start=data["start"], end=data["end"], **{kind: place})
        else:
            employee = (
                selectors.presence_employee_get(actor=actor, nip=data["nip"].strip())
                if data["nip"].strip()
                else selectors.actor_employee(actor=actor)
            )
            found = selectors.presence_of(actor=actor, employee=employee, start=data["start"], end=data["end"])
        rows = list(found[:1000])
    return render(request, "attendance/presence.html", {"form": form, "rows": rows, "tracer": tracer})
