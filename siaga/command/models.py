"""Subscriptions to the daily situation report and the record of each day's sending."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from siaga.core.models import TenantModel


class ReportSubscription(TenantModel):
    """A person who receives the daily situation report ("Laporan Harian Situasi") by e-mail."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("report subscription")
        verbose_name_plural = _("report subscriptions")
        constraints = [
            models.UniqueConstraint(fields=["government", "user"], name="report_subscription_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.government_id} · {'on' if self.active else 'off'}"


class ReportDelivery(TenantModel):
    """One day's report for one subscriber: created once (the unique key), then sent with retries."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("No e-mail address")

    subscription = models.ForeignKey(ReportSubscription, on_delete=models.CASCADE, related_name="deliveries")
    date = models.DateField(_("report date"))
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("report delivery")
        verbose_name_plural = _("report deliveries")
        constraints = [
            models.UniqueConstraint(fields=["subscription", "date"], name="report_delivery_once_a_day"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="report_delivery_due")]

    def __str__(self) -> str:
        return f"{self.subscription_id} {self.date} {self.status}"
