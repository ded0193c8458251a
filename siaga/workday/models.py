"""Models of the workday app: daily work reports (e-Kinerja), travel permits and recalls to the office."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from siaga.core.models import TenantModel
from siaga.org.models import Employee, Unit


class WorkReport(TenantModel):
    """One employee's daily work report ("laporan kinerja harian", e-Kinerja): one per person per day."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned for correction")

    employee = models.ForeignKey(
        Employee, on_delete=models.PROTECT, related_name="work_reports", verbose_name=_("employee")
    )
    date = models.DateField(_("date"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        Employee, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    decided_basis = models.CharField(max_length=10, blank=True)  # official, plh, plt
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("work report")
        verbose_name_plural = _("work reports")
        ordering = ["-date", "employee__name"]
        constraints = [models.UniqueConstraint(fields=["employee", "date"], name="work_report_one_per_day")]
        indexes = [models.Index(fields=["government", "date"], name="work_report_day")]

    def __str__(self) -> str:
        return f"{self.employee.name} {self.date.isoformat()}"

    @property
    def editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)


class WorkReportLine(models.Model):
    """One activity of a daily report: what was done, what it produced, how many and how long."""

    report = models.ForeignKey(WorkReport, on_delete=models.CASCADE, related_name="lines")
    activity = models.CharField(_("activity"), max_length=300)
    output = models.CharField(_("output"), max_length=200)
    quantity = models.PositiveIntegerField(_("quantity"))
    minutes = models.PositiveIntegerField(_("minutes"))

    class Meta:
        verbose_name = _("report activity")
        verbose_name_plural = _("report activities")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.activity


class WorkReportReminder(TenantModel):
    """The evening reminder sent to someone working from home without a report (once per person per day)."""

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["employee", "date"], name="work_report_reminder_once")]


class TravelPermit(TenantModel):
    """Permission to leave the regency ("izin keluar daerah") for someone working from home."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a decision")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")
        CANCELLED = "cancelled", _("Cancelled")

    ACTIVE = (Status.PENDING, Status.APPROVED)

    employee = models.ForeignKey(
        Employee, on_delete=models.PROTECT, related_name="travel_permits", verbose_name=_("employee")
    )
    destination = models.CharField(_("destination"), max_length=200)
    start = models.DateField(_("from"))
    end = models.DateField(_("until"))
    purpose = models.CharField(_("purpose"), max_length=500)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        Employee, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    decided_basis = models.CharField(max_length=10, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("travel permit")
        verbose_name_plural = _("travel permits")
        ordering = ["-start", "-id"]
        constraints = [models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="travel_permit_dates")]
        indexes = [models.Index(fields=["employee", "start"], name="travel_permit_person")]

    def __str__(self) -> str:
        return f"{self.employee.name} → {self.destination} {self.start.isoformat()}–{self.end.isoformat()}"

    @property
    def source(self) -> str:
        return f"workday.travelpermit:{self.pk}"


class Recall(TenantModel):
    """A call back to the office ("panggilan ke kantor") of one employee working from home, for one day."""

    class Status(models.TextChoices):
        SENT = "sent", _("Waiting for an answer")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        CANCELLED = "cancelled", _("Cancelled")

    employee = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="recalls", verbose_name=_("employee"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    date = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=500)
    recalled_by = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="+", verbose_name=_("recalled by"))
    recalled_basis = models.CharField(max_length=10, blank=True)
    status = models.CharField(_("status"), max_length=14, choices=Status.choices, default=Status.SENT)
    arrival_time = models.TimeField(_("expected arrival"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    roster_updated = models.BooleanField(default=False)
    #: the roster rules the head accepted to break (messages shown before sending)
    accepted_breaks = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("recall to office")
        verbose_name_plural = _("recalls to office")
        ordering = ["-date", "-created_at"]
        indexes = [
            models.Index(fields=["employee", "date"], name="recall_person_day"),
            models.Index(fields=["status", "created_at"], name="recall_open"),
        ]

    def __str__(self) -> str:
        return f"{self.employee.name} {self.date.isoformat()}"
