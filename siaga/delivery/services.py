"""Writes of deliveries and appointments. Each validates first, then writes atomically with the row
locked, records the step and the audit event, and tells the citizen in Indonesian. ``actor=None`` is
the system (the demo, periodic jobs)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, override

from siaga.core.access import Actor, Perm, office_unit_ids
from siaga.core.calendar import working_days
from siaga.core.services import audit_record, notify
from siaga.core.uploads import check_upload, private_path, store_private
from siaga.delivery.models import (
    Appointment,
    AppointmentSlot,
    CourierKind,
    DeliveryEvent,
    DeliveryOrder,
    DeliveryStatus,
    FailureReason,
)
from siaga.org.models import Employee, Room, Unit
from siaga.services import workflow
from siaga.services.models import Application, ProductKind, Status

D = DeliveryStatus
#: from-status → the statuses it may become
MOVES: dict[str, frozenset[str]] = {
    D.SCHEDULED: frozenset({D.OUT, D.RESCHEDULED}),
    D.OUT: frozenset({D.DELIVERED, D.FAILED}),
    D.FAILED: frozenset({D.RESCHEDULED}),
    D.RESCHEDULED: frozenset({D.OUT, D.RESCHEDULED}),
    D.DELIVERED: frozenset(),
}
PHOTO_KINDS = ("jpeg", "png")
PHOTO_TYPES = {"jpeg": "image/jpeg", "png": "image/png"}


def _user(actor: Actor | None) -> Any:
    return getattr(actor, "user", None) if actor is not None else None


def _label(actor: Actor | None) -> str:
    user = _user(actor)
    if user is None:
        return str(_("System"))
    return (user.get_full_name() or user.username)[:150]


# ---------------------------------------------------------------------------------------------------
# Who may act


def is_office(actor: Actor | None, unit_id: int, government_id: int) -> bool:
    """A service officer of the OPD of ``unit_id`` (PROCESS_APPLICATIONS)."""
    return bool(
        actor is not None
        and actor.is_authenticated
        and actor.government_id == government_id
        and actor.has_perm(Perm.PROCESS_APPLICATIONS)
        and unit_id in office_unit_ids(actor)
    )


def is_courier(actor: Actor | None, order: DeliveryOrder) -> bool:
    return bool(
        actor is not None
        and actor.is_authenticated
        and actor.government_id == order.government_id
        and order.courier_kind == CourierKind.STAFF
        and order.courier_id is not None
        and actor.employee_id == order.courier_id
    )


def _require_office(actor: Actor | None, unit_id: int, government_id: int) -> None:
    if actor is not None and not is_office(actor, unit_id, government_id):
        raise PermissionDenied(_("Only a service officer of the providing office may do this."))


def is_deliverable(application: Application) -> bool:
    """A KTP-el card or a document of a deliverable service."""
    return application.service.deliverable or application.service.product_kind == ProductKind.ID_CARD


def _opd_unit_ids(unit: Unit) -> frozenset[int]:
    from siaga.org.selectors import unit_descendant_ids, unit_parent_map

    parents = unit_parent_map(government_id=unit.government_id)
    top: int = unit.pk
    seen: set[int] = set()
    while (parent := parents.get(top)) is not None and top not in seen:
        seen.add(top)
        top = parent
    return frozenset(unit_descendant_ids(government_id=unit.government_id, unit_ids=[top]))


def _check_courier(
    *, unit: Unit, courier_kind: str, courier: Employee | None, tracking_number: str
) -> tuple[Employee | None, str]:
    errors: dict[str, str] = {}
    tracking_number = (tracking_number or "").strip()
    if courier_kind not in CourierKind.values:
        errors["courier_kind"] = _("Choose Pos Indonesia or own staff.")
    elif courier_kind == CourierKind.POS:
        courier = None
        if not tracking_number:
            errors["tracking_number"] = _("Enter the Pos Indonesia tracking number (nomor resi).")
        elif len(tracking_number) > 60:
            errors["tracking_number"] = _("The tracking number is at most 60 characters.")
    else:
        tracking_number = ""
        if courier is None:
            errors["courier"] = _("Choose the employee who delivers.")
        elif (
            courier.government_id != unit.government_id
            or not courier.is_active
            or courier.unit_id not in _opd_unit_ids(unit)
        ):
            errors["courier"] = _("The courier must be an active employee of the providing office.")
    if errors:
        raise ValidationError(errors)
    return courier, tracking_number


def _check_date(day: dt.date | None, field: str = "scheduled_on") -> dt.date:
    if day is None:
        raise ValidationError({field: _("Choose the delivery date.")})
    if day < timezone.localdate():
        raise ValidationError({field: _("The delivery date cannot be in the past.")})
    return day


def _record(order: DeliveryOrder, before: str, actor: Actor | None, note: str = "") -> None:
    user = _user(actor)
    DeliveryEvent.objects.create(
        government_id=order.government_id,
        order=order,
        from_status=before,
        to_status=order.status,
        actor=user if getattr(user, "pk", None) else None,
        actor_label=_label(actor),
        note=note[:300],
    )
    audit_record(
        actor=user,
        government=order.government_id,
        action="create" if not before else "update",
        obj=order,
        changes={"status": [before, order.status], **({"note": note} if note else {})},
    )


def _notify_citizen(order: DeliveryOrder) -> None:
    """Tell the applicant where their document is, in Indonesian."""
    app = order.application
    with override("id"):
        day = order.scheduled_on.strftime("%d-%m-%Y")
        texts = {
            D.SCHEDULED: _("Your document will be delivered on %(day)s to: %(address)s.")
            % {"day": day, "address": order.address},
            D.RESCHEDULED: _("The delivery of your document was moved to %(day)s.") % {"day": day},
            D.OUT: _("Your document is on its way to your address today."),
            D.DELIVERED: _("Your document was delivered and received by %(name)s.") % {"name": order.received_by},
            D.FAILED: _("We could not deliver your document: %(reason)s. We will arrange another delivery.")
            % {"reason": order.get_failure_reason_display()},
        }
        body = texts[DeliveryStatus(order.status)]
        if order.courier_kind == CourierKind.POS and order.status in (D.SCHEDULED, D.RESCHEDULED, D.OUT):
            body += " " + _("Pos Indonesia tracking number: %(number)s.") % {"number": order.tracking_number}
        subject = _("Delivery of application %(reference)s: %(status)s") % {
            "reference": app.reference,
            "status": order.get_status_display(),
        }
    notify(
        user=app.citizen.user,
        government=app.government,
        subject=subject,
        body=body,
        link=reverse("portal:application", args=[app.reference]),
    )


def _locked(order: DeliveryOrder) -> DeliveryOrder:
    return (
        DeliveryOrder.objects.select_for_update()
        .select_related("application__citizen__user", "application__service", "government")
        .get(pk=order.pk)
    )


def _check_move(order: DeliveryOrder, to: str) -> None:
    if to not in MOVES.get(order.status, frozenset()):
        raise ValidationError(
            _("A delivery that is “%(current)s” cannot become “%(new)s”; reload the page to see its state.")
            % {"current": order.get_status_display(), "new": DeliveryStatus(to).label}
        )


# ---------------------------------------------------------------------------------------------------
# Delivery orders


def delivery_create(
    *,
    application: Application,
    courier_kind: str,
    scheduled_on: dt.date | None,
    courier: Employee | None = None,
    tracking_number: str = "",
    recipient: str = "",
    recipient_phone: str = "",
    address: str = "",
    area: str = "",
    actor: Actor | None,
) -> DeliveryOrder:
    """Schedule the delivery of an issued application whose applicant chose delivery."""
    _require_office(actor, application.unit_id, application.government_id)
    if application.handover != Application.Handover.DELIVERY:
        raise ValidationError(_("The applicant did not choose delivery for this application."))
    if not is_deliverable(application):
        raise ValidationError(_("The product of this service cannot be delivered."))
    courier, tracking_number = _check_courier(
        unit=application.unit, courier_kind=courier_kind, courier=courier, tracking_number=tracking_number
    )
    scheduled_on = _check_date(scheduled_on)
    address = (address or application.delivery_address or application.citizen.address).strip()
    recipient = (recipient or application.citizen.name).strip()
    errors: dict[str, str] = {}
    if not address:
        errors["address"] = _("Enter the delivery address.")
    if len(recipient) > 150:
        errors["recipient"] = _("The recipient's name is at most 150 characters.")
    if len(area) > 120:
        errors["area"] = _("The area is at most 120 characters.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        app = Application.objects.select_for_update().get(pk=application.pk)
        if app.status != Status.ISSUED:
            raise ValidationError(_("Only an issued document can be delivered; this application is not issued yet."))
        if DeliveryOrder.objects.filter(application=app).exists():
            raise ValidationError(_("This application already has a delivery order."))
        user = _user(actor)
        order = DeliveryOrder.objects.create(
            government_id=app.government_id,
            application=app,
            unit_id=app.unit_id,
            address=address,
            area=area.strip(),
            recipient=recipient,
            recipient_phone=(recipient_phone or application.citizen.phone or "").strip()[:20],
            courier_kind=courier_kind,
            tracking_number=tracking_number,
            courier=courier,
            scheduled_on=scheduled_on,
            created_by=user if getattr(user, "pk", None) else None,
        )
        _record(order, "", actor)
        order = _locked(order)
        _notify_citizen(order)
    return order


def delivery_reschedule(
    *,
    order: DeliveryOrder,
    scheduled_on: dt.date | None,
    courier_kind: str | None = None,
    courier: Employee | None = None,
    tracking_number: str | None = None,
    note: str = "",
    actor: Actor | None,
) -> DeliveryOrder:
    """Move a scheduled or failed delivery to another day (and courier)."""
    _require_office(actor, order.unit_id, order.government_id)
    scheduled_on = _check_date(scheduled_on)
    kind = courier_kind or order.courier_kind
    courier, tracking = _check_courier(
        unit=order.unit,
        courier_kind=kind,
        courier=courier if courier is not None or courier_kind else order.courier,
        tracking_number=tracking_number if tracking_number is not None else order.tracking_number,
    )
    with transaction.atomic():
        locked = _locked(order)
        _check_move(locked, D.RESCHEDULED)
        before = locked.status
        locked.status = D.RESCHEDULED
        locked.scheduled_on = scheduled_on
        locked.courier_kind, locked.courier, locked.tracking_number = kind, courier, tracking
        locked.save()
        _record(locked, before, actor, note.strip())
        _notify_citizen(locked)
    order.refresh_from_db()
    return order


def _require_carrier(actor: Actor | None, order: DeliveryOrder) -> None:
    if actor is not None and not (is_courier(actor, order) or is_office(actor, order.unit_id, order.government_id)):
        raise PermissionDenied(_("Only the courier of this delivery or an officer may do this."))


def delivery_depart(*, order: DeliveryOrder, actor: Actor | None) -> DeliveryOrder:
    """The courier leaves with the document."""
    _require_carrier(actor, order)
    with transaction.atomic():
        locked = _locked(order)
        _check_move(locked, D.OUT)
        before = locked.status
        locked.status = D.OUT
        locked.attempts += 1
        locked.failure_reason, locked.failure_note = "", ""
        locked.save()
        _record(locked, before, actor)
        _notify_citizen(locked)
    order.refresh_from_db()
    return order


def _coordinate(value: Any, low: int, high: int, field: str, message: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: message}) from None
    if not number.is_finite() or not low <= number <= high:
        raise ValidationError({field: message})
    return number


def delivery_complete(
    *,
    order: DeliveryOrder,
    received_by: str,
    photo: Any,
    latitude: Any = None,
    longitude: Any = None,
    actor: Actor | None,
) -> DeliveryOrder:
    """Proof of delivery: who received it, a photo, where (optional). The application becomes
    delivered, then closed."""
    _require_carrier(actor, order)
    received_by = (received_by or "").strip()
    errors: dict[str, str] = {}
    if not received_by:
        errors["received_by"] = _("Enter the name of the person who received the document.")
    elif len(received_by) > 150:
        errors["received_by"] = _("The name is at most 150 characters.")
    if errors:
        raise ValidationError(errors)
    if photo is None:
        raise ValidationError({"photo": _("Take a photo of the document handed over.")})
    checked = check_upload(photo, kinds=PHOTO_KINDS, field="photo")
    lat = _coordinate(latitude, -90, 90, "latitude", _("The latitude must be a number from -90 to 90."))
    lon = _coordinate(longitude, -180, 180, "longitude", _("The longitude must be a number from -180 to 180."))
    if (lat is None) != (lon is None):
        raise ValidationError({"latitude": _("Give both latitude and longitude, or neither.")})
    relative = store_private(checked.data, folder=f"delivery/{order.government_id}", extension=checked.kind)
    try:
        with transaction.atomic():
            locked = _locked(order)
            _check_move(locked, D.DELIVERED)
            before = locked.status
            locked.status = D.DELIVERED
            locked.received_by = received_by
            locked.delivered_at = timezone.now()
            locked.photo, locked.photo_type = relative, PHOTO_TYPES[checked.kind]
            locked.latitude, locked.longitude = lat, lon
            locked.save()
            _record(locked, before, actor)
            _notify_citizen(locked)
            note = _("Received by %(name)s.") % {"name": received_by}
            workflow.transition(
                application=locked.application, to=Status.DELIVERED, actor=actor, system=True, note=note
            )
            workflow.transition(application=locked.application, to=Status.CLOSED, actor=actor, system=True)
    except BaseException:
        private_path(relative).unlink(missing_ok=True)
        raise
    order.refresh_from_db()
    return order


def delivery_fail(*, order: DeliveryOrder, reason: str, note: str = "", actor: Actor | None) -> DeliveryOrder:
    """The courier could not deliver: nobody at home, address not found, refused."""
    _require_carrier(actor, order)
    if reason not in FailureReason.values:
        raise ValidationError({"reason": _("Choose why the delivery failed.")})
    note = (note or "").strip()
    if len(note) > 300:
        raise ValidationError({"note": _("Keep the note under 300 characters.")})
    with transaction.atomic():
        locked = _locked(order)
        _check_move(locked, D.FAILED)
        before = locked.status
        locked.status = D.FAILED
        locked.failure_reason, locked.failure_note = reason, note
        locked.save()
        _record(locked, before, actor, note)
        _notify_citizen(locked)
    order.refresh_from_db()
    return order


def photo_path(order: DeliveryOrder) -> Any:
    return private_path(order.photo)


# ---------------------------------------------------------------------------------------------------
# Appointments (KTP-el recording and other in-person steps)

MAX_SLOT_DAYS = 92


def slots_generate(
    *,
    unit: Unit,
    start: dt.date,
    end: dt.date,
    times: list[tuple[dt.time, dt.time]],
    capacity: int,
    room: Room | None = None,
    place: str = "",
    actor: Actor | None,
) -> list[AppointmentSlot]:
    """Slots at ``room`` (or a free-text ``place``) on every working day from ``start`` to ``end``, at
    each of ``times``. A room's slot holds at most its capacity with distancing. Existing identical slots
    are kept, not doubled."""
    _require_office(actor, unit.pk, unit.government_id)
    place = (place or "").strip()
    errors: dict[str, str] = {}
    if room is None and not place:
        errors["place"] = _("Choose a room or write where the citizens come.")
    if room is not None and room.government_id != unit.government_id:
        errors["room"] = _("Choose a room of your government.")
    if len(place) > 200:
        errors["place"] = _("The place is at most 200 characters.")
    if capacity is None or capacity < 1:
        errors["capacity"] = _("The capacity must be at least 1.")
    elif room is not None and capacity > room.distancing_capacity:
        errors["capacity"] = _(
            "%(room)s holds at most %(limit)s people with distancing; lower the capacity to %(limit)s or less."
        ) % {"room": room.name, "limit": room.distancing_capacity}
    if end < start:
        errors["end"] = _("The last day cannot be before the first day.")
    elif (end - start).days >= MAX_SLOT_DAYS:
        errors["end"] = _("Generate slots for at most %(days)s days at once.") % {"days": MAX_SLOT_DAYS}
    elif start < timezone.localdate():
        errors["start"] = _("The first day cannot be in the past.")
    if not times:
        errors["times"] = _("Give at least one time, e.g. 08:00-10:00.")
    for begin, finish in times:
        if finish <= begin:
            errors["times"] = _("Each time must end after it starts (%(begin)s–%(end)s).") % {
                "begin": begin.strftime("%H:%M"),
                "end": finish.strftime("%H:%M"),
            }
    if errors:
        raise ValidationError(errors)
    created: list[AppointmentSlot] = []
    with transaction.atomic():
        for day in working_days(unit.government, start, end):
            for begin, finish in times:
                existing = AppointmentSlot.objects.filter(
                    government_id=unit.government_id,
                    unit=unit,
                    date=day,
                    start=begin,
                    room=room,
                    place="" if room else place,
                    is_active=True,
                )
                if existing.exists():
                    continue
                created.append(
                    AppointmentSlot.objects.create(
                        government_id=unit.government_id,
                        unit=unit,
                        room=room,
                        place="" if room else place,
                        date=day,
                        start=begin,
                        end=finish,
                        capacity=capacity,
                    )
                )
        audit_record(
            actor=_user(actor),
            government=unit.government_id,
            action="create",
            object_type="delivery.appointmentslot",
            object_repr=f"{unit} {start}–{end}",
            changes={"slots": len(created), "capacity": capacity, "room": room.name if room else place},
        )
    return created


def _check_booking(application: Application, slot: AppointmentSlot, actor: Actor | None) -> None:
    from siaga.delivery.selectors import needs_appointment

    if actor is not None and not workflow.is_applicant(actor, application):
        raise PermissionDenied(_("Only the applicant may book an appointment."))
    if application.status in workflow.FINAL:
        raise ValidationError(_("This application is finished; it needs no appointment."))
    if slot.government_id != application.government_id or slot.unit_id != application.unit_id or not slot.is_active:
        raise ValidationError({"slot": _("Choose one of the times offered for this service.")})
    if slot.date < timezone.localdate():
        raise ValidationError({"slot": _("This time has passed; choose another.")})
    if not needs_appointment(application, slot.date):
        raise ValidationError(_("This service needs no appointment on that day."))


def _take_place(slot: AppointmentSlot) -> AppointmentSlot:
    """Lock the slot's row and refuse when it is full (inside the caller's transaction)."""
    locked = AppointmentSlot.objects.select_for_update().get(pk=slot.pk)
    taken = Appointment.objects.filter(
        slot=locked, status__in=[Appointment.Status.BOOKED, Appointment.Status.ATTENDED]
    ).count()
    if taken >= locked.capacity:
        raise ValidationError({"slot": _("This time is full; choose another.")})
    return locked


def _notify_appointment(appointment: Appointment, text: str) -> None:
    app = appointment.application
    slot = appointment.slot
    with override("id"):
        when = _("%(day)s, %(start)s–%(end)s at %(place)s") % {
            "day": slot.date.strftime("%d-%m-%Y"),
            "start": slot.start.strftime("%H:%M"),
            "end": slot.end.strftime("%H:%M"),
            "place": slot.place_label,
        }
        subject = _("Appointment for application %(reference)s") % {"reference": app.reference}
        body = _(text) % {"when": when}
    notify(
        user=app.citizen.user,
        government=app.government,
        subject=subject,
        body=body,
        link=reverse("delivery:appointment", args=[app.reference]),
    )


BOOKED_TEXT = gettext_noop("Your appointment: %(when)s. Bring your original documents.")
MOVED_TEXT = gettext_noop("Your appointment was moved to %(when)s.")
CANCELLED_TEXT = gettext_noop("Your appointment of %(when)s is cancelled.")
REMINDER_TEXT = gettext_noop("Reminder: your appointment is tomorrow, %(when)s.")


def appointment_book(*, application: Application, slot: AppointmentSlot, actor: Actor | None) -> Appointment:
    """Book ``slot`` for the application; one current booking per application (move it to change)."""
    _check_booking(application, slot, actor)
    with transaction.atomic():
        Application.objects.select_for_update().get(pk=application.pk)
        if Appointment.objects.filter(application=application, status=Appointment.Status.BOOKED).exists():
            raise ValidationError(_("This application already has an appointment; move or cancel it."))
        locked = _take_place(slot)
        appointment = Appointment.objects.create(
            government_id=application.government_id, slot=locked, application=application, unit_id=application.unit_id
        )
        audit_record(actor=_user(actor), government=application.government_id, action="create", obj=appointment)
        _notify_appointment(appointment, BOOKED_TEXT)
    return appointment


def appointment_move(*, appointment: Appointment, slot: AppointmentSlot, actor: Actor | None) -> Appointment:
    """Move a booking to another slot (the old place is freed in the same write)."""
    application = appointment.application
    _check_booking(application, slot, actor)
    with transaction.atomic():
        current = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if current.status != Appointment.Status.BOOKED:
            raise ValidationError(_("Only a booked appointment can be moved."))
        if current.slot_id == slot.pk:
            raise ValidationError({"slot": _("This is already your appointment's time.")})
        current.status = Appointment.Status.CANCELLED
        current.save(update_fields=["status"])
        locked = _take_place(slot)
        moved = Appointment.objects.create(
            government_id=application.government_id, slot=locked, application=application, unit_id=application.unit_id
        )
        audit_record(
            actor=_user(actor),
            government=application.government_id,
            action="update",
            obj=moved,
            changes={"slot": [current.slot_id, locked.pk]},
        )
        _notify_appointment(moved, MOVED_TEXT)
    return moved


def appointment_cancel(*, appointment: Appointment, actor: Actor | None) -> Appointment:
    """The applicant (or an officer of the office) cancels a booking."""
    if (
        actor is not None
        and not workflow.is_applicant(actor, appointment.application)
        and not is_office(actor, appointment.unit_id, appointment.government_id)
    ):
        raise PermissionDenied(_("Only the applicant or an officer may cancel this appointment."))
    with transaction.atomic():
        current = (
            Appointment.objects.select_for_update(of=("self",)).select_related("slot__room").get(pk=appointment.pk)
        )
        if current.status != Appointment.Status.BOOKED:
            raise ValidationError(_("Only a booked appointment can be cancelled."))
        current.status = Appointment.Status.CANCELLED
        current.save(update_fields=["status"])
        audit_record(
            actor=_user(actor),
            government=current.government_id,
            action="update",
            obj=current,
            changes={"status": ["booked", "cancelled"]},
        )
        _notify_appointment(current, CANCELLED_TEXT)
    appointment.refresh_from_db()
    return appointment


def appointment_mark(*, appointment: Appointment, attended: bool, actor: Actor | None) -> Appointment:
    """An officer marks a booking attended or not shown (on the day or later)."""
    _require_office(actor, appointment.unit_id, appointment.government_id)
    with transaction.atomic():
        current = Appointment.objects.select_for_update().select_related("slot").get(pk=appointment.pk)
        if current.status not in (Appointment.Status.BOOKED, Appointment.Status.ATTENDED, Appointment.Status.NO_SHOW):
            raise ValidationError(_("A cancelled appointment cannot be marked."))
        if current.slot.date > timezone.localdate():
            raise ValidationError(_("Mark attendance on the day of the appointment or later."))
        before = current.status
        current.status = Appointment.Status.ATTENDED if attended else Appointment.Status.NO_SHOW
        current.marked_at = timezone.now()
        current.save(update_fields=["status", "marked_at"])
        audit_record(
            actor=_user(actor),
            government=current.government_id,
            action="update",
            obj=current,
            changes={"status": [before, current.status]},
        )
    appointment.refresh_from_db()
    return appointment


def appointment_reminders(*, today: dt.date | None = None) -> int:
    """Remind every citizen booked for tomorrow, once (a periodic job; safe with several workers)."""
    today = today or timezone.localdate()
    tomorrow = today + dt.timedelta(days=1)
    sent = 0
    with transaction.atomic():
        due = (
            Appointment.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=Appointment.Status.BOOKED, reminded_at__isnull=True, slot__date=tomorrow)
            .select_related("slot__room", "application__citizen__user", "application__government")
        )
        now = timezone.now()
        for appointment in due:
            _notify_appointment(appointment, REMINDER_TEXT)
            appointment.reminded_at = now
            appointment.save(update_fields=["reminded_at"])
            sent += 1
    return sent
