"""Pages of appointments: officers generate slots and mark attendance; the applicant books, moves or
cancels their time."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from siaga.core import access
from siaga.core.forms import apply_service_errors
from siaga.delivery import selectors, services
from siaga.delivery.forms import SlotsForm
from siaga.delivery.models import Appointment, AppointmentSlot
from siaga.services import workflow
from siaga.services.selectors import application_by_reference


@login_required
def slot_list(request: HttpRequest) -> HttpResponse:
    """The office's slots of the next weeks with their bookings, and the form that generates more."""
    actor = access.request_actor(request)
    can_manage = selectors.may_manage(actor)
    if not can_manage and not actor.has_perm(access.Perm.VIEW_APPLICATIONS):
        raise PermissionDenied
    today = timezone.localdate()
    form = SlotsForm(request.POST or None, government_id=actor.government_id, unit_ids=access.office_unit_ids(actor))
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                created = services.slots_generate(
                    unit=data["unit"],
                    start=data["start"],
                    end=data["end"],
                    times=data["times"],
                    capacity=data["capacity"],
                    room=data["room"],
                    place=data["place"],
                    actor=actor,
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("%(count)s slots created.") % {"count": len(created)})
                return redirect("delivery:slot_list")
    slots = selectors.office_slots(actor, today, today + dt.timedelta(days=60)).order_by("date", "start")[:300]
    context = {"slots": slots, "form": form, "can_manage": can_manage}
    return render(request, "delivery/slot_list.html", context, status=422 if form.errors else 200)


@login_required
def slot_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = access.request_actor(request)
    try:
        slot = selectors.office_slot_get(actor, pk)
    except AppointmentSlot.DoesNotExist:
        raise Http404 from None
    context = {
        "slot": slot,
        "attendees": selectors.slot_attendees(slot),
        "can_mark": services.is_office(actor, slot.unit_id, slot.government_id) and slot.date <= timezone.localdate(),
    }
    return render(request, "delivery/slot_detail.html", context)


@login_required
@require_POST
def appointment_mark(request: HttpRequest, pk: int) -> HttpResponse:
    actor = access.request_actor(request)
    try:
        appointment = selectors.appointment_get(actor, pk)
    except Appointment.DoesNotExist:
        raise Http404 from None
    try:
        services.appointment_mark(appointment=appointment, attended=request.POST.get("attended") == "1", actor=actor)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("delivery:slot", appointment.slot_id)


@login_required
def appointment_page(request: HttpRequest, reference: str) -> HttpResponse:
    """The applicant's appointment: the current booking, and the free times to book or move to."""
    actor = access.request_actor(request)
    application = application_by_reference(actor, reference)
    if not workflow.is_applicant(actor, application):
        raise PermissionDenied
    current = selectors.current_appointment(application)
    today = timezone.localdate()
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "cancel":
                if current is None:
                    raise ValidationError(_("You have no appointment to cancel."))
                services.appointment_cancel(appointment=current, actor=actor)
                messages.success(request, _("Appointment cancelled."))
            else:
                slot = AppointmentSlot.objects.filter(
                    pk=request.POST.get("slot") or 0, government_id=application.government_id
                ).first()
                if slot is None:
                    raise ValidationError({"slot": _("Choose one of the times offered for this service.")})
                if current is None:
                    services.appointment_book(application=application, slot=slot, actor=actor)
                    messages.success(request, _("Appointment booked; we sent you the details."))
                else:
                    services.appointment_move(appointment=current, slot=slot, actor=actor)
                    messages.success(request, _("Appointment moved; we sent you the details."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            return redirect("delivery:appointment", application.reference)
    context = {
        "application": application,
        "current": current,
        "slots": selectors.open_slots(application, today + dt.timedelta(days=1)),
        "needed": selectors.needs_appointment(application, today),
    }
    return render(request, "delivery/appointment.html", context, status=422 if request.method == "POST" else 200)


urlpatterns = [
    path("slots/", slot_list, name="slot_list"),
    path("slots/<int:pk>/", slot_detail, name="slot"),
    path("appointments/<int:pk>/mark/", appointment_mark, name="appointment_mark"),
    path("janji/<str:reference>/", appointment_page, name="appointment"),
]
