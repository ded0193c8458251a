"""Models of the attendance app: check-ins (WFO, WFH, official travel), exceptions granted by unit heads, and
presence intervals."""

from __future__ import annotations

from django.conf import settings
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
            # intervals still open (closing them, and overlap queries that cannot bound the start)
            models.Index(fields=["employee"], condition=Q(end__isnull=True), name="presence_open"),
            models.Index(fields=["floor", "start"], name="presence_floor_start"),
            models.Index(fields=["room", "start"], name="presence_room_start"),
        ]

    def __str__(self) -> str:
        who = self.employee or self.visitor_name
        return f"{who} @ {self.room or self.floor or self.building} {self.start:%Y-%m-%d %H:%M}"


class CheckInMode(models.TextChoices):
    WFO = "wfo", _("Office (WFO)")
    WFH = "wfh", _("Home (WFH)")
    TRAVEL = "travel", _("Official travel (dinas luar)")


class AttendanceException(TenantModel):
    """A unit head's (or their Plh's) permission for one person to check in at the office on a day the
    published roster or their absence would refuse it (izin khusus)."""

    employee = models.ForeignKey(
        Employee, on_delete=models.CASCADE, related_name="attendance_exceptions", verbose_name=_("employee")
    )
    date = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=250)
    granted_by = models.ForeignKey(
        Employee, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("granted by")
    )
    granted_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    basis = models.CharField(_("authority"), max_length=10, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attendance exception")
        verbose_name_plural = _("attendance exceptions")
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["employee", "date"], name="attendance_exception_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.employee} {self.date:%Y-%m-%d}"


class CheckIn(TenantModel):
    """One check-in (and its check-out) of an employee: the mode, where, when, and the flags the recap
    counts. At most one check-in per person is open (not yet checked out) at any time."""

    employee = models.ForeignKey(
        Employee, on_delete=models.PROTECT, related_name="check_ins", verbose_name=_("employee")
    )
    date = models.DateField(_("date"))
    mode = models.CharField(_("mode"), max_length=6, choices=CheckInMode.choices)
    checked_in_at = models.DateTimeField(_("checked in at"))
    checked_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    #: closed by the system because the person never checked out (on their next check-in)
    auto_closed = models.BooleanField(_("check-out missing"), default=False)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    accuracy_m = models.PositiveIntegerField(_("location accuracy (m)"), null=True, blank=True)
    building = models.ForeignKey(Building, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    floor = models.ForeignKey(Floor, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    distance_m = models.PositiveIntegerField(_("distance from the building (m)"), null=True, blank=True)
    shift = models.CharField(_("shift"), max_length=40, blank=True)
    late = models.BooleanField(_("late"), default=False)
    early_leave = models.BooleanField(_("left early"), default=False)
    exception = models.ForeignKey(
        AttendanceException, on_delete=models.SET_NULL, null=True, blank=True, related_name="check_ins"
    )
    #: sent by the client with each tap, so a retry finds the record it already made
    idempotency_key = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["-checked_in_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["employee"], condition=Q(checked_out_at__isnull=True), name="checkin_one_open_per_person"
            ),
            models.UniqueConstraint(
                fields=["employee", "idempotency_key"], condition=~Q(idempotency_key=""), name="checkin_idempotency"
            ),
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True) | Q(checked_out_at__gte=models.F("checked_in_at")),
                name="checkin_times",
            ),
        ]
        indexes = [
            models.Index(fields=["employee", "date"], name="checkin_employee_date"),
            models.Index(fields=["government", "date"], name="checkin_government_date"),
        ]

    def __str__(self) -> str:
        return f"{self.employee} {self.date:%Y-%m-%d} {self.mode}"

    @property
    def is_open(self) -> bool:
        return self.checked_out_at is None
