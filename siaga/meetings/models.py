"""Models of the meetings app: meetings (rapat) with their room booking and attendees, and mass
events (apel, diklat, bimtek, upacara) with the history of their postponements."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from siaga.core.models import TenantModel
from siaga.org.models import Employee, Room, Unit
from siaga.rostering.models import MeetingPriority


class MeetingMode(models.TextChoices):
    ONLINE = "daring", _("Online (daring)")
    IN_PERSON = "luring", _("In person (luring)")
    HYBRID = "hybrid", _("Hybrid")


class Meeting(TenantModel):
    """A meeting (rapat). An in-person or hybrid meeting books a room for its time; the booking holds
    while the meeting is awaiting approval or approved, and is released when it is refused or cancelled.
    ``sequence`` is the ICS SEQUENCE of the invitations sent so far (raised by every change)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")
        CANCELLED = "cancelled", _("Cancelled")

    #: statuses that hold the room
    HOLDING = (Status.PENDING, Status.APPROVED)

    title = models.CharField(_("title"), max_length=200)
    agenda = models.TextField(_("agenda"), blank=True)
    priority = models.CharField(_("priority"), max_length=20, choices=MeetingPriority.choices)
    mode = models.CharField(_("mode"), max_length=10, choices=MeetingMode.choices)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    organiser_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("organising unit")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, null=True, blank=True, related_name="meetings", verbose_name=_("room")
    )
    video_link = models.URLField(_("video conference link"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    approved_by = models.ForeignKey(
        Employee, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("approved by")
    )
    approval_basis = models.CharField(max_length=250, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("note"), max_length=250, blank=True)
    sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["start", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="meeting_times"),
            models.CheckConstraint(condition=Q(mode="daring") | Q(room__isnull=False), name="meeting_room_in_person"),
        ]
        indexes = [
            models.Index(fields=["room", "start"], name="meeting_room_start"),
            models.Index(fields=["government", "start"], name="meeting_gov_start"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.start:%Y-%m-%d %H:%M})"

    @property
    def uid(self) -> str:
        """The ICS UID: stable for the life of the meeting, unique across governments."""
        return f"meeting-{self.pk}@{self.government_id}.siaga"

    @property
    def in_person(self) -> bool:
        return self.mode != MeetingMode.ONLINE

    @property
    def holds_room(self) -> bool:
        return self.status in self.HOLDING and self.room_id is not None


class MeetingAttendee(TenantModel):
    """An invited employee. ``in_person`` says whether they take a seat in the room (always for a
    luring meeting, never for a daring one, chosen per person for a hybrid one)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendees")
    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="meeting_invitations")
    in_person = models.BooleanField(_("in person"), default=False)
    attended_at = models.DateTimeField(_("attendance marked at"), null=True, blank=True)
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)

    class Meta:
        verbose_name = _("meeting attendee")
        verbose_name_plural = _("meeting attendees")
        ordering = ["meeting", "employee__name"]
        constraints = [models.UniqueConstraint(fields=["meeting", "employee"], name="meeting_attendee_unique")]

    def __str__(self) -> str:
        return f"{self.employee} @ {self.meeting_id}"


class EventKind(models.TextChoices):
    APEL = "apel", _("Roll call (apel)")
    DIKLAT = "diklat", _("Training (diklat)")
    BIMTEK = "bimtek", _("Technical guidance (bimtek)")
    UPACARA = "upacara", _("Ceremony (upacara)")
    OTHER = "other", _("Other gathering")


class MassEvent(TenantModel):
    """A mass face-to-face activity scheduled by BKPSDM. Postponed automatically while the policy in
    effect on its date bans mass gatherings; rescheduled when the policy allows."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        POSTPONED = "postponed", _("Postponed")
        CANCELLED = "cancelled", _("Cancelled")

    kind = models.CharField(_("kind"), max_length=10, choices=EventKind.choices)
    title = models.CharField(_("title"), max_length=200)
    place = models.CharField(_("place"), max_length=200)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    status_reason = models.CharField(_("reason"), max_length=300, blank=True)
    units = models.ManyToManyField(Unit, blank=True, related_name="+", verbose_name=_("participating units"))
    employees = models.ManyToManyField(
        Employee, blank=True, related_name="mass_events", verbose_name=_("participating employees")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("mass event")
        verbose_name_plural = _("mass events")
        ordering = ["start", "id"]
        constraints = [models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="mass_event_times")]
        indexes = [models.Index(fields=["government", "status", "start"], name="mass_event_gov_status")]

    def __str__(self) -> str:
        return f"{self.title} ({self.start:%Y-%m-%d})"


class MassEventChange(TenantModel):
    """One step in an event's history: scheduled, postponed, rescheduled or cancelled. Never deleted."""

    class Action(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        POSTPONED = "postponed", _("Postponed")
        RESCHEDULED = "rescheduled", _("Rescheduled")
        CANCELLED = "cancelled", _("Cancelled")

    event = models.ForeignKey(MassEvent, on_delete=models.CASCADE, related_name="history")
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("event change")
        verbose_name_plural = _("event changes")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.event_id} {self.action} {self.at:%Y-%m-%d %H:%M}"
