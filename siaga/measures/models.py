"""Building measures (restrict or close a building or floor for dates) and disinfection tasks."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from siaga.core.models import TenantModel
from siaga.org.models import Building, Employee, Floor


class BuildingMeasure(TenantModel):
    """A dated restriction ("pembatasan") or closure ("penutupan") of a building, or of one floor of it.

    The reason is about the place (disinfection, a cluster under investigation), never about a person."""

    class Kind(models.TextChoices):
        RESTRICT = "restrict", _("Restrict (reduced capacity)")
        CLOSE = "close", _("Close")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        LIFTED = "lifted", _("Lifted")

    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="+", verbose_name=_("building"))
    floor = models.ForeignKey(
        Floor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("floor"),
        help_text=_("Empty: the whole building."),
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    capacity_people = models.PositiveIntegerField(_("at most (people)"), null=True, blank=True)
    capacity_percent = models.PositiveSmallIntegerField(
        _("at most (percentage of the distancing capacity)"), null=True, blank=True
    )
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))
    reason = models.CharField(_("reason"), max_length=300)
    status = models.CharField(_("status"), max_length=6, choices=Status.choices, default=Status.ACTIVE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)
    lift_note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-start", "pk"]
        indexes = [models.Index(fields=["government", "status", "end"])]
        verbose_name = _("building measure")
        verbose_name_plural = _("building measures")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.place_label} {self.start}–{self.end}"

    @property
    def place_label(self) -> str:
        if self.floor is not None:
            return _("%(building)s floor %(floor)s") % {"building": self.building.name, "floor": self.floor.number}
        return self.building.name

    def capacity_for(self, distancing_capacity: int) -> int:
        """How many people may be on a floor of normal capacity ``distancing_capacity`` under this measure."""
        if self.kind == self.Kind.CLOSE:
            return 0
        if self.capacity_people is not None:
            return min(self.capacity_people, distancing_capacity)
        return distancing_capacity * (self.capacity_percent or 0) // 100


class DisinfectionTask(TenantModel):
    """A disinfection ("penyemprotan disinfektan") of a building or floor, or of a public place."""

    class PlaceKind(models.TextChoices):
        OFFICE = "office", _("Office")
        KPU = "kpu", _("KPU office")
        SCHOOL = "school", _("School")
        MOSQUE = "mosque", _("Mosque")
        MARKET = "market", _("Market")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("building")
    )
    floor = models.ForeignKey(
        Floor, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("floor")
    )
    place_name = models.CharField(_("place"), max_length=200, blank=True)
    place_kind = models.CharField(_("kind of place"), max_length=6, choices=PlaceKind.choices, default=PlaceKind.OFFICE)
    address = models.CharField(_("address"), max_length=300, blank=True)
    scheduled_date = models.DateField(_("scheduled date"))
    #: the first task of a recurring series (itself included); null for a one-off task
    series = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    repeat_every_days = models.PositiveSmallIntegerField(_("repeat every (days)"), null=True, blank=True)
    repeat_until = models.DateField(_("repeat until"), null=True, blank=True)
    team = models.ManyToManyField(Employee, blank=True, related_name="+", verbose_name=_("team members"))
    team_name = models.CharField(_("team name"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=9, choices=Status.choices, default=Status.SCHEDULED)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    #: path of the evidence photo relative to MEDIA_ROOT (outside the web root; served by a view)
    photo = models.CharField(max_length=200, blank=True)
    photo_type = models.CharField(max_length=20, blank=True)
    completion_note = models.CharField(_("note"), max_length=300, blank=True)
    overdue_alerted_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["scheduled_date", "pk"]
        indexes = [models.Index(fields=["government", "status", "scheduled_date"])]
        verbose_name = _("disinfection task")
        verbose_name_plural = _("disinfection tasks")

    def __str__(self) -> str:
        return f"{self.place_label} {self.scheduled_date}"

    @property
    def place_label(self) -> str:
        if self.building is not None and self.floor is not None:
            return _("%(building)s floor %(floor)s") % {"building": self.building.name, "floor": self.floor.number}
        if self.building is not None:
            return self.building.name
        return self.place_name


class MeasureReplan(TenantModel):
    """A roster replan caused by building measures: ``plan`` covers ``first_day``…the end of ``old`` and is
    solved afresh under the capacities in force on ``first_day``; once solved it replaces ``old``, whose
    days before ``first_day`` are kept as a published plan of their own."""

    plan = models.OneToOneField("rostering.RosterPlan", on_delete=models.CASCADE, related_name="+")
    old = models.ForeignKey("rostering.RosterPlan", on_delete=models.CASCADE, related_name="+")
    first_day = models.DateField()
    finished = models.BooleanField(default=False)
    outcome = models.CharField(max_length=12, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
