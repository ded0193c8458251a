"""Models of the attendance app: presence intervals (check-ins, attendance and recaps come next to them)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from siaga.core.models import TenantModel
from siaga.org.models import Building, Employee, Floor, Room


class Presence(TenantModel):
    """Who was in which building / floor / room, from when until when: what contact tracing reads.

    ``end`` is empty while the person is still there (an open WFO check-in). ``floor`` and ``room`` are
    as precise as the source knows: a WFO check-in gives the assigned floor, a room scan or an in-person
    meeting gives the room. ``ref`` names the record that produced the interval (``"checkin:12"``,
    ``"meeting:7"``) so it can be closed or removed with it. A visitor has no employee, only a name."""

    class Source(models.TextChoices):
        CHECK_IN = "check_in", _("Office check-in")
        ROOM_SCAN = "room_scan", _("Room QR scan")
        MEETING = "meeting", _("Meeting")
        MANUAL = "manual", _("Recorded by hand")

    employee = models.ForeignKey(
        Employee, on_delete=models.CASCADE, null=True, blank=True, related_name="presences", verbose_name=_("employee")
    )
    visitor_name = models.CharField(_("visitor name"), max_length=120, blank=True)
    building = models.ForeignKey(Building, on_delete=models.CASCADE, related_name="+", verbose_name=_("building"))
    floor = models.ForeignKey(Floor, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    room = models.ForeignKey(Room, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    start = models.DateTimeField(_("from"))
    end = models.DateTimeField(_("until"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    ref = models.CharField(_("record"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("presence")
        verbose_name_plural = _("presence")
        ordering = ["-start", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="presence_times"
            ),
            models.CheckConstraint(condition=Q(employee__isnull=False) | ~Q(visitor_name=""), name="presence_person"),
        ]
        indexes = [
            # contact tracing: everybody in a building (floor, room) during a window
            models.Index(fields=["building", "start"], name="presence_building_start"),
            # one person's intervals (the index case's places)
            models.Index(fields=["employee", "start"], name="presence_employee_start"),
            models.Index(fields=["ref"], name="presence_ref"),
        ]

    def __str__(self) -> str:
        who = self.employee or self.visitor_name
        return f"{who} @ {self.room or self.floor or self.building} {self.start:%Y-%m-%d %H:%M}"
