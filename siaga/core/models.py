"""Tenants (governments), role assignments, audit log, notification outbox, calendar, API tokens."""

from __future__ import annotations

import re
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Government(models.Model):
    """A regional government (Pemerintah Daerah): the tenant every domain row belongs to."""

    class Kind(models.TextChoices):
        KABUPATEN = "kabupaten", _("Regency (Kabupaten)")
        KOTA = "kota", _("City (Kota)")
        PROVINSI = "provinsi", _("Province (Provinsi)")

    class Zone(models.TextChoices):
        WIB = "WIB", _("WIB (UTC+7)")
        WITA = "WITA", _("WITA (UTC+8)")
        WIT = "WIT", _("WIT (UTC+9)")

    ZONE_TZ = {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}

    class Workweek(models.TextChoices):
        FIVE = "mon-fri", _("Monday to Friday")
        SIX = "mon-sat", _("Monday to Saturday")

    code = models.CharField(
        _("region code"),
        max_length=5,
        unique=True,
        help_text=_("Kemendagri region code: 33 for a province, 33.11 for a regency or city."),
    )
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    zone = models.CharField(_("time zone"), max_length=4, choices=Zone.choices, default=Zone.WIB)
    workweek = models.CharField(_("working week"), max_length=7, choices=Workweek.choices, default=Workweek.FIVE)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("government")
        verbose_name_plural = _("governments")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        pattern = r"\d{2}" if self.kind == self.Kind.PROVINSI else r"\d{2}\.\d{2}"
        if not re.fullmatch(pattern, self.code or ""):
            example = "33" if self.kind == self.Kind.PROVINSI else "33.11"
            raise ValidationError({"code": _("The region code must look like %(example)s.") % {"example": example}})

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.ZONE_TZ[self.zone])

    @property
    def workday_numbers(self) -> frozenset[int]:
        """ISO weekday numbers (Monday = 0) that are working days."""
        return frozenset(range(6 if self.workweek == self.Workweek.SIX else 5))


class TenantModel(models.Model):
    """Base of every domain row: it belongs to exactly one government."""

    government = models.ForeignKey(Government, on_delete=models.PROTECT, related_name="+", verbose_name=_("government"))

    class Meta:
        abstract = True


class Role(models.TextChoices):
    """Assigned roles. Unit heads are derived from positions and delegations, employees from the
    link between a user and an employee record; both are never assigned by hand."""

    ADMIN = "admin", _("Government admin (BKPSDM)")
    HEALTH = "health", _("Health task force")
    SERVICE_OFFICER = "service_officer", _("Service officer")
    CITIZEN = "citizen", _("Citizen")
    LEADER = "leader", _("Regional leader (Bupati, Wakil, Sekda)")


class RoleAssignment(TenantModel):
    """A role a user holds in one government."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(fields=["user", "government", "role"], name="role_assignment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.government_id}"


class AppendOnlyError(PermissionError):
    """An attempt to change or delete an audit event."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    """The audit log is append-only for the application: bulk updates and deletes are refused (on
    PostgreSQL a trigger refuses them too, whatever the code path; see migration core 0004)."""

    def update(self, **kwargs: object) -> int:
        raise AppendOnlyError("the audit log is append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("the audit log is append-only")


class AuditEvent(models.Model):
    """Who did what to which record, and when. Also records reads of health data.

    Append-only: an event is written once (``siaga.core.services.audit_record``) and never changed or
    deleted by the application."""

    class Action(models.TextChoices):
        CREATE = "create", _("created")
        UPDATE = "update", _("updated")
        DELETE = "delete", _("deleted")
        READ = "read", _("read")
        IMPORT = "import", _("imported")
        LOGIN = "login", _("logged in")
        LOGIN_FAILED = "login_failed", _("failed to log in")
        LOGOUT = "logout", _("logged out")
        EXPORT = "export", _("exported")

    government = models.ForeignKey(Government, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["government", "-created_at"], name="audit_gov_time"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise AppendOnlyError("the audit log is append-only")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("the audit log is append-only")


class Notification(models.Model):
    """One message to one person on one channel. Stored before it is sent; a task sends it."""

    class Channel(models.TextChoices):
        IN_APP = "in_app", _("In-app")
        EMAIL = "email", _("E-mail")
        WHATSAPP = "whatsapp", _("WhatsApp")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Not sent (no address)")

    government = models.ForeignKey(Government, on_delete=models.PROTECT, related_name="+")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    address = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    link = models.CharField(max_length=300, blank=True)
    #: an optional file sent with an e-mail, e.g. a meeting invitation (``invite.ics``, ``text/calendar;
    #: method=REQUEST``); stored as text so that a retry sends exactly the same file
    attachment_name = models.CharField(max_length=100, blank=True)
    attachment_type = models.CharField(max_length=100, blank=True)
    attachment = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notification_due"),
            models.Index(fields=["recipient", "channel", "-created_at"], name="notification_inbox"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient}: {self.subject}"


class CalendarOverride(TenantModel):
    """A government's own change to the national calendar: an extra holiday or a working day."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Holiday or collective leave")
        WORKDAY = "workday", _("Working day")

    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("description"), max_length=120)

    class Meta:
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["government", "date"], name="calendar_override_unique")]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}: {self.name}"


class ApiToken(TenantModel):
    """A token another system uses to call the API as a given user. Only its hash is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    #: what the token may call, e.g. ``["attendance:read", "attendance:write"]`` (siaga.core.scopes)
    scopes = models.JSONField(_("scopes"), default=list, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def allows(self, scope: str) -> bool:
        return scope in self.scopes

    @property
    def scope_summary(self) -> str:
        from siaga.core.scopes import summary

        return summary(self.scopes)


class RateCounter(models.Model):
    """Requests counted against a budget (``siaga.core.ratelimit``): one row per key and time window.

    Kept in the database so that a limit holds across every web process and host; rows of windows
    that have passed are deleted by a periodic job."""

    key = models.CharField(max_length=150)
    window = models.BigIntegerField(help_text="Start of the window, in seconds since the epoch.")
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "window"], name="rate_counter_unique")]
        indexes = [models.Index(fields=["window"], name="rate_counter_window")]

    def __str__(self) -> str:
        return f"{self.key} @{self.window}: {self.count}"
