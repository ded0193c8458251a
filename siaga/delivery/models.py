"""Home delivery of issued documents (with proof of delivery) and KTP-el recording appointments."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from siaga.core.models import TenantModel
from siaga.org.models import Employee, Room, Unit
from siaga.services.models import Application


class CourierKind(models.TextChoices):
    POS = "pos", _("Pos Indonesia")
    STAFF = "staff", _("Own staff")


class DeliveryStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    OUT = "out", _("Out for delivery")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Delivery failed")
    RESCHEDULED = "rescheduled", _("Rescheduled")


class FailureReason(models.TextChoices):
    NOT_HOME = "not_home", _("Nobody at home")
    ADDRESS_NOT_FOUND = "address_not_found", _("Address not found")
    REFUSED = "refused", _("Refused by the recipient")


class DeliveryOrder(TenantModel):
    """The delivery of one application's issued document to the applicant's address."""

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="delivery")
    #: the providing unit, copied from the application, for scoping
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    address = models.TextField(_("address"))
    area = models.CharField(_("area (kecamatan)"), max_length=120, blank=True)
    recipient = models.CharField(_("recipient"), max_length=150)
    recipient_phone = models.CharField(_("recipient's phone"), max_length=20, blank=True)
    courier_kind = models.CharField(_("courier"), max_length=5, choices=CourierKind.choices)
    tracking_number = models.CharField(_("tracking number"), max_length=60, blank=True)
    courier = models.ForeignKey(
        Employee, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("staff courier")
    )
    scheduled_on = models.DateField(_("delivery date"))
    status = models.CharField(
        _("status"), max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.SCHEDULED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    failure_reason = models.CharField(_("reason"), max_length=20, choices=FailureReason.choices, blank=True)
    failure_note = models.CharField(_("note"), max_length=300, blank=True)
    #: proof of delivery
    received_by = models.CharField(_("received by"), max_length=150, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    photo = models.CharField(max_length=300, blank=True)
    photo_type = models.CharField(max_length=40, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["scheduled_on", "area", "pk"]
        indexes = [
            models.Index(fields=["government", "courier", "scheduled_on"]),
            models.Index(fields=["government", "unit", "scheduled_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(courier_kind="staff") | Q(courier__isnull=False), name="delivery_staff_has_courier"
            ),
        ]
        verbose_name = _("delivery order")
        verbose_name_plural = _("delivery orders")

    def __str__(self) -> str:
        return f"{self.application.reference} → {self.recipient}"


class DeliveryEvent(TenantModel):
    """One step of a delivery order's history."""

    order = models.ForeignKey(DeliveryOrder, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=12, choices=DeliveryStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=DeliveryStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True)
    note = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]


class AppointmentSlot(TenantModel):
    """A time at a place of a unit when citizens come for an in-person step (KTP-el recording)."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("room")
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    date = models.DateField(_("date"))
    start = models.TimeField(_("start"))
    end = models.TimeField(_("end"))
    capacity = models.PositiveSmallIntegerField(_("capacity"))
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "start", "pk"]
        indexes = [models.Index(fields=["government", "unit", "date"])]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="slot_end_after_start"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="slot_capacity_positive"),
        ]
        verbose_name = _("appointment slot")
        verbose_name_plural = _("appointment slots")

    @property
    def place_label(self) -> str:
        return self.room.name if self.room_id and self.room else self.place

    def __str__(self) -> str:
        return f"{self.date} {self.start:%H:%M}–{self.end:%H:%M} {self.place_label}"


class Appointment(TenantModel):
    """A citizen's booking of a slot for their application."""

    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        CANCELLED = "cancelled", _("Cancelled")
        ATTENDED = "attended", _("Attended")
        NO_SHOW = "no_show", _("Did not come")

    slot = models.ForeignKey(AppointmentSlot, on_delete=models.PROTECT, related_name="appointments")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="appointments")
    #: the providing unit, copied from the application, for scoping
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.BOOKED)
    booked_at = models.DateTimeField(auto_now_add=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    marked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["slot__date", "slot__start", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["application"], condition=Q(status="booked"), name="appointment_one_booked_per_application"
            )
        ]
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
