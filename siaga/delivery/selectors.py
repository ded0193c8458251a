"""Reads of deliveries and appointments, scoped through ``siaga.core.access``."""

from __future__ import annotations

import datetime as dt
from itertools import groupby

from django.db.models import Count, Q, QuerySet

from siaga.core.access import Actor, Perm, office_unit_ids, scope_applications, scope_deliveries, scope_government
from siaga.delivery.models import Appointment, AppointmentSlot, DeliveryOrder, DeliveryStatus
from siaga.services import selectors as service_selectors
from siaga.services.models import Application, Mode, ProductKind, Status

ACTIVE = (DeliveryStatus.SCHEDULED, DeliveryStatus.RESCHEDULED, DeliveryStatus.OUT)


def orders(actor: Actor) -> QuerySet[DeliveryOrder]:
    return scope_deliveries(actor, DeliveryOrder.objects.all()).select_related(
        "application__service", "application__citizen", "courier", "unit"
    )


def order_get(actor: Actor, pk: int) -> DeliveryOrder:
    """Raises ``DeliveryOrder.DoesNotExist`` when not in the actor's scope."""
    return orders(actor).get(pk=pk)


def delivery_for(application: Application) -> DeliveryOrder | None:
    """The delivery order of an application (for the applicant's page, which already checked access)."""
    return (
        DeliveryOrder.objects.filter(application_id=application.pk, government_id=application.government_id)
        .select_related("courier")
        .first()
    )


def courier_day(actor: Actor, day: dt.date) -> list[DeliveryOrder]:
    """A staff courier's orders of the day still to do or done that day, in route order (by area)."""
    if not actor.employee_id:
        return []
    qs = (
        scope_government(actor, DeliveryOrder.objects.all())
        .filter(courier_id=actor.employee_id, courier_kind="staff", scheduled_on=day)
        .select_related("application__service", "application__citizen")
    )
    return sorted(qs, key=lambda o: (o.status == DeliveryStatus.DELIVERED, o.area.casefold(), o.address, o.pk))


def day_by_courier(actor: Actor, day: dt.date) -> list[tuple[str, list[DeliveryOrder]]]:
    """The office's orders of a day, per courier (staff by name, then Pos Indonesia)."""
    qs = orders(actor).filter(scheduled_on=day).order_by("courier__name", "area", "pk")

    def key(o: DeliveryOrder) -> str:
        return o.courier.name if o.courier_id and o.courier else "Pos Indonesia"

    return [(name, list(group)) for name, group in groupby(sorted(qs, key=lambda o: (key(o), o.area, o.pk)), key=key)]


def may_manage(actor: Actor) -> bool:
    return actor.is_authenticated and actor.has_perm(Perm.PROCESS_APPLICATIONS) and bool(office_unit_ids(actor))


def ready_to_deliver(actor: Actor) -> QuerySet[Application]:
    """Issued applications for delivery without an order yet, of the officer's OPD."""
    units = office_unit_ids(actor)
    return (
        scope_applications(actor, Application.objects.all())
        .filter(unit_id__in=units, status=Status.ISSUED, handover=Application.Handover.DELIVERY, delivery__isnull=True)
        .filter(Q(service__deliverable=True) | Q(service__product_kind=ProductKind.ID_CARD))
        .select_related("service", "citizen")
        .order_by("pk")
    )


def ready_application_get(actor: Actor, reference: str) -> Application:
    """Raises ``Application.DoesNotExist``."""
    return ready_to_deliver(actor).get(reference=reference)


# ---------------------------------------------------------------------------------------------------
# Appointments


def needs_appointment(application: Application, day: dt.date) -> bool:
    return service_selectors.effective_mode(application.service, day) == Mode.APPOINTMENT


def slots_with_counts(qs: QuerySet[AppointmentSlot]) -> QuerySet[AppointmentSlot]:
    return qs.annotate(booked=Count("appointments", filter=Q(appointments__status__in=["booked", "attended"])))


def office_slots(actor: Actor, start: dt.date, end: dt.date) -> QuerySet[AppointmentSlot]:
    units = office_unit_ids(actor)
    qs = scope_government(actor, AppointmentSlot.objects.all())
    if not (actor.has_perm(Perm.VIEW_APPLICATIONS) and "admin" in actor.roles):
        qs = qs.filter(unit_id__in=units | actor.managed_unit_ids)
    return slots_with_counts(qs.filter(date__gte=start, date__lte=end, is_active=True)).select_related("room", "unit")


def office_slot_get(actor: Actor, pk: int) -> AppointmentSlot:
    """Raises ``AppointmentSlot.DoesNotExist``."""
    return office_slots(actor, dt.date.min, dt.date.max).get(pk=pk)


def open_slots(application: Application, start: dt.date) -> list[AppointmentSlot]:
    """Slots of the application's unit from ``start`` with a free place."""
    qs = slots_with_counts(
        AppointmentSlot.objects.filter(
            government_id=application.government_id, unit_id=application.unit_id, date__gte=start, is_active=True
        )
    ).select_related("room")
    found = []
    for slot in qs.order_by("date", "start")[:200]:
        slot.free = slot.capacity - slot.booked  # type: ignore[attr-defined]
        if slot.free > 0:  # type: ignore[attr-defined]
            found.append(slot)
    return found


def appointments(actor: Actor) -> QuerySet[Appointment]:
    return scope_deliveries(actor, Appointment.objects.all()).select_related(
        "slot__room", "application__citizen", "application__service"
    )


def appointment_get(actor: Actor, pk: int) -> Appointment:
    return appointments(actor).get(pk=pk)


def current_appointment(application: Application) -> Appointment | None:
    return (
        Appointment.objects.filter(application_id=application.pk, status=Appointment.Status.BOOKED)
        .select_related("slot__room")
        .first()
    )


def slot_attendees(slot: AppointmentSlot) -> list[Appointment]:
    return list(
        slot.appointments.exclude(status=Appointment.Status.CANCELLED)
        .select_related("application__citizen", "application__service")
        .order_by("pk")
    )
