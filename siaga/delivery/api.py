"""API of deliveries and appointments (``delivery_router``, mounted at /api/v1/).

A staff courier reads their day and moves their orders; service officers of the providing OPD schedule,
reschedule and follow the day's orders; the applicant books, moves or cancels an appointment."""

# No ``from __future__ import annotations``: ninja resolves the annotations of the views.
import datetime as dt
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from siaga.api.schemas import ERRORS_ONE, ERRORS_WRITE
from siaga.api.schemas import api_actor as _actor
from siaga.core.access import Actor, Perm
from siaga.delivery import selectors, services
from siaga.delivery.models import Appointment, AppointmentSlot, DeliveryOrder
from siaga.org.models import Employee
from siaga.services import workflow
from siaga.services.models import Application
from siaga.services.selectors import application_by_reference

router = Router(tags=["delivery"])


class OrderOut(Schema):
    id: int
    reference: str
    service: str
    recipient: str
    recipient_phone: str
    address: str
    area: str
    courier_kind: str
    courier: str | None
    tracking_number: str
    scheduled_on: dt.date
    status: str
    failure_reason: str
    received_by: str
    delivered_at: dt.datetime | None
    has_photo: bool

    @staticmethod
    def resolve_reference(obj: DeliveryOrder) -> str:
        return obj.application.reference

    @staticmethod
    def resolve_service(obj: DeliveryOrder) -> str:
        return obj.application.service.name

    @staticmethod
    def resolve_courier(obj: DeliveryOrder) -> str | None:
        return obj.courier.nip if obj.courier_id and obj.courier else None

    @staticmethod
    def resolve_has_photo(obj: DeliveryOrder) -> bool:
        return bool(obj.photo)


class OrderIn(Schema):
    reference: str
    courier_kind: Literal["pos", "staff"]
    courier: str | None = None  # the courier's NIP
    tracking_number: str = ""
    scheduled_on: dt.date
    recipient: str = ""
    address: str = ""
    area: str = ""


class RescheduleIn(Schema):
    scheduled_on: dt.date
    courier_kind: Literal["pos", "staff"] | None = None
    courier: str | None = None
    tracking_number: str | None = None
    note: str = ""


class FailedIn(Schema):
    reason: Literal["not_home", "address_not_found", "refused"]
    note: str = ""


def _order(actor: Actor, order_id: int) -> DeliveryOrder:
    try:
        return selectors.order_get(actor, order_id)
    except DeliveryOrder.DoesNotExist:
        raise Http404 from None


def _courier(actor: Actor, nip: str | None) -> Employee | None:
    if not nip:
        return None
    employee = Employee.objects.filter(government_id=actor.government_id, nip=nip).first()
    if employee is None:
        raise ValidationError({"courier": _("No employee of your government has this NIP.")})
    return employee


@router.get("/delivery/today", response={200: list[OrderOut], **ERRORS_ONE}, summary="The courier's day")
def courier_today(request: HttpRequest) -> Any:
    """The caller's own deliveries of today, in route order (by area)."""
    actor = _actor(request)
    if not actor.employee_id:
        raise PermissionDenied
    return selectors.courier_day(actor, timezone.localdate())


@router.get("/delivery/orders", response={200: list[OrderOut], **ERRORS_ONE}, summary="Deliveries of a day")
def order_list(request: HttpRequest, day: dt.date | None = None) -> Any:
    """The office's (or the units') deliveries of a day, per courier."""
    actor = _actor(request)
    if not selectors.may_manage(actor) and not actor.has_perm(Perm.VIEW_APPLICATIONS):
        raise PermissionDenied
    groups = selectors.day_by_courier(actor, day or timezone.localdate())
    return [order for _name, orders in groups for order in orders]


@router.get("/delivery/orders/{order_id}", response={200: OrderOut, **ERRORS_ONE}, summary="One delivery")
def order_detail(request: HttpRequest, order_id: int) -> Any:
    return _order(_actor(request), order_id)


@router.post("/delivery/orders", response={201: OrderOut, **ERRORS_WRITE}, summary="Schedule a delivery")
def order_create(request: HttpRequest, payload: OrderIn) -> Any:
    actor = _actor(request)
    if not selectors.may_manage(actor):
        raise PermissionDenied
    try:
        application = selectors.ready_application_get(actor, payload.reference.strip().upper())
    except Application.DoesNotExist:
        raise Http404 from None
    order = services.delivery_create(
        application=application,
        courier_kind=payload.courier_kind,
        courier=_courier(actor, payload.courier),
        tracking_number=payload.tracking_number,
        scheduled_on=payload.scheduled_on,
        recipient=payload.recipient,
        address=payload.address,
        area=payload.area,
        actor=actor,
    )
    return Status(201, order)


@router.post("/delivery/orders/{order_id}/reschedule", response={200: OrderOut, **ERRORS_WRITE}, summary="Reschedule")
def order_reschedule(request: HttpRequest, order_id: int, payload: RescheduleIn) -> Any:
    actor = _actor(request)
    return services.delivery_reschedule(
        order=_order(actor, order_id),
        scheduled_on=payload.scheduled_on,
        courier_kind=payload.courier_kind,
        courier=_courier(actor, payload.courier),
        tracking_number=payload.tracking_number,
        note=payload.note,
        actor=actor,
    )


@router.post("/delivery/orders/{order_id}/depart", response={200: OrderOut, **ERRORS_WRITE}, summary="Out for delivery")
def order_depart(request: HttpRequest, order_id: int) -> Any:
    actor = _actor(request)
    return services.delivery_depart(order=_order(actor, order_id), actor=actor)


@router.post(
    "/delivery/orders/{order_id}/delivered", response={200: OrderOut, **ERRORS_WRITE}, summary="Proof of delivery"
)
def order_delivered(
    request: HttpRequest,
    order_id: int,
    photo: File[UploadedFile],
    received_by: Form[str],
    latitude: Form[str] = "",
    longitude: Form[str] = "",
) -> Any:
    """Multipart: ``photo`` (JPEG or PNG), ``received_by``, optional ``latitude`` and ``longitude``."""
    actor = _actor(request)
    return services.delivery_complete(
        order=_order(actor, order_id),
        received_by=received_by,
        photo=photo,
        latitude=latitude,
        longitude=longitude,
        actor=actor,
    )


@router.post("/delivery/orders/{order_id}/failed", response={200: OrderOut, **ERRORS_WRITE}, summary="Not delivered")
def order_failed(request: HttpRequest, order_id: int, payload: FailedIn) -> Any:
    actor = _actor(request)
    return services.delivery_fail(order=_order(actor, order_id), reason=payload.reason, note=payload.note, actor=actor)


# ---------------------------------------------------------------------------------------------------
# Appointments


class SlotOut(Schema):
    id: int
    date: dt.date
    start: dt.time
    end: dt.time
    place: str
    capacity: int
    free: int

    @staticmethod
    def resolve_place(obj: AppointmentSlot) -> str:
        return obj.place_label

    @staticmethod
    def resolve_free(obj: AppointmentSlot) -> int:
        return int(getattr(obj, "free", obj.capacity - getattr(obj, "booked", 0)))


class AppointmentOut(Schema):
    id: int
    reference: str
    slot: SlotOut
    status: str

    @staticmethod
    def resolve_reference(obj: Appointment) -> str:
        return obj.application.reference


class BookIn(Schema):
    slot: int


def _own_application(actor: Actor, reference: str) -> Application:
    application = application_by_reference(actor, reference)
    if not workflow.is_applicant(actor, application):
        raise PermissionDenied
    return application


@router.get(
    "/appointments/{reference}/slots", response={200: list[SlotOut], **ERRORS_ONE}, summary="Free appointment times"
)
def appointment_slots(request: HttpRequest, reference: str) -> Any:
    """The applicant's application: the unit's free times from tomorrow."""
    application = _own_application(_actor(request), reference)
    return selectors.open_slots(application, timezone.localdate() + dt.timedelta(days=1))


@router.post(
    "/appointments/{reference}", response={200: AppointmentOut, **ERRORS_WRITE}, summary="Book or move an appointment"
)
def appointment_book(request: HttpRequest, reference: str, payload: BookIn) -> Any:
    actor = _actor(request)
    application = _own_application(actor, reference)
    slot = AppointmentSlot.objects.filter(pk=payload.slot, government_id=application.government_id).first()
    if slot is None:
        raise ValidationError({"slot": _("Choose one of the times offered for this service.")})
    current = selectors.current_appointment(application)
    if current is None:
        return services.appointment_book(application=application, slot=slot, actor=actor)
    return services.appointment_move(appointment=current, slot=slot, actor=actor)


@router.post(
    "/appointments/{reference}/cancel", response={200: AppointmentOut, **ERRORS_WRITE}, summary="Cancel my appointment"
)
def appointment_cancel(request: HttpRequest, reference: str) -> Any:
    actor = _actor(request)
    application = _own_application(actor, reference)
    current = selectors.current_appointment(application)
    if current is None:
        raise ValidationError(_("You have no appointment to cancel."))
    return services.appointment_cancel(appointment=current, actor=actor)
