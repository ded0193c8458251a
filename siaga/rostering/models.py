"""Work-arrangement policies (presets and each government's copy), the government's dated situation
(risk zone or PPKM level), per-unit roster settings and coverage rules, and leave (cuti)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from siaga.core.models import Government, TenantModel
from siaga.org.models import Employee, Skill, Unit
from siaga.rostering import caps


def default_weights() -> dict[str, int]:
    """Weights of the roster objective. Underuse weighs as much as mixing, so that a unit is not sent
    home all month only because its floor is shared: with the file format's example weights (mixing 10,
    underuse 1) a shared floor kept small units away for whole months in the demo regency."""
    return {"mixing": 2, "fairness": 3, "change": 5, "underuse": 2}


class CapBasis(models.TextChoices):
    NONE = "none", _("No cap beyond the shifts")
    FLAT = "flat", _("One cap for every unit")
    ZONE = "zone", _("By risk zone (SE MenPAN-RB 67/2020)")
    PPKM = "ppkm", _("By PPKM level (SE MenPAN-RB 23/2021, 06/2022)")


class Sector(models.TextChoices):
    NON_ESSENTIAL = "non_essential", _("Non-essential")
    ESSENTIAL = "essential", _("Essential")
    CRITICAL = "critical", _("Critical")


class MeetingPriority(models.TextChoices):
    """How urgent a meeting is; the policy says which priorities may meet in person."""

    ROUTINE = "rutin", _("Routine")
    IMPORTANT = "penting", _("Important")
    URGENT = "sangat_mendesak", _("Very urgent")


def default_in_person_priorities() -> list[str]:
    """Under a work-from-home policy only very urgent meetings are held at the office (DOMAIN.md §1)."""
    return [MeetingPriority.URGENT.value]


class WorkPolicy(models.Model):
    """A work-arrangement policy (sistem kerja ASN): a national preset (no government) or a
    government's own editable copy of one. Caps, shifts and exemptions are data with a legal basis."""

    government = models.ForeignKey(
        Government,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("government"),
        help_text=_("Empty for a national preset."),
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    legal_basis = models.TextField(_("legal basis"))
    effective_from = models.DateField(_("effective from"))
    effective_until = models.DateField(_("effective until"), null=True, blank=True)
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies", verbose_name=_("copied from")
    )
    shifts = models.JSONField(_("shifts"), default=list, help_text=_('A list of {"id", "start", "end"}.'))
    min_shift_gap_minutes = models.PositiveSmallIntegerField(
        _("minimum gap between shifts (minutes)"), null=True, blank=True
    )
    top_levels_on_site = models.BooleanField(_("the two highest structural levels stay on site"), default=False)
    cap_basis = models.CharField(_("cap by"), max_length=4, choices=CapBasis.choices, default=CapBasis.NONE)
    cap_rows = models.JSONField(_("cap table"), default=list, blank=True)
    cohorts_default = models.PositiveSmallIntegerField(_("cohorts per unit"), default=2)
    age_wfh_from = models.PositiveSmallIntegerField(
        _("work from home from age"), null=True, blank=True, help_text=_("Empty: no age rule.")
    )
    age_rule_basis = models.CharField(_("legal basis of the age rule"), max_length=250, blank=True)
    pregnancy_wfh = models.BooleanField(_("pregnant or breastfeeding staff work from home"), default=False)
    pregnancy_rule_basis = models.CharField(_("legal basis of the pregnancy rule"), max_length=250, blank=True)
    comorbidity_wfh = models.BooleanField(_("staff with comorbidities work from home"), default=False)
    comorbidity_rule_basis = models.CharField(_("legal basis of the comorbidity rule"), max_length=250, blank=True)
    health_units_exempt = models.BooleanField(_("health units are exempt from work-from-home rules"), default=False)
    health_units_basis = models.CharField(_("legal basis of the health-unit exemption"), max_length=250, blank=True)
    mass_gathering_ban = models.BooleanField(_("mass gatherings banned"), default=False)
    in_person_meeting_priorities = models.JSONField(
        _("meeting priorities that may meet in person"),
        default=default_in_person_priorities,
        blank=True,
        help_text=_("Meetings of other priorities are held online."),
    )
    late_tolerance_minutes = models.PositiveSmallIntegerField(
        _("late after (minutes past the shift start)"), default=15
    )
    early_leave_tolerance_minutes = models.PositiveSmallIntegerField(
        _("early leave before (minutes before the shift end)"), default=0
    )
    weights = models.JSONField(
        _("planning weights"),
        default=default_weights,
        help_text=_(
            "How much the planner minds cohorts meeting on a floor (mixing), unequal office days (fairness), "
            "changes to a published plan (change) and each person-day below a unit's target (underuse)."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("work policy")
        verbose_name_plural = _("work policies")
        ordering = ["effective_from", "code"]
        constraints = [
            models.UniqueConstraint(fields=["government", "code"], name="work_policy_code_unique"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(government__isnull=True), name="work_policy_preset_code_unique"
            ),
            models.CheckConstraint(
                condition=Q(effective_until__isnull=True) | Q(effective_until__gte=models.F("effective_from")),
                name="work_policy_dates",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_preset(self) -> bool:
        return self.government_id is None

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        shifts = self.shifts
        if (
            not isinstance(shifts, list)
            or not shifts
            or any(not isinstance(s, dict) or set(s) != {"id", "start", "end"} for s in shifts)
        ):
            errors["shifts"] = _('Give at least one shift as {"id": "pagi", "start": "07:30", "end": "11:30"}.')
        else:
            try:
                problems = caps.shift_gaps_ok(shifts, self.min_shift_gap_minutes or 0)
            except (TypeError, ValueError):
                errors["shifts"] = _("Write shift times as HH:MM, e.g. 07:30.")
            else:
                if problems:
                    errors["shifts"] = _("The shifts do not follow the policy: %(problems)s.") % {
                        "problems": "; ".join(problems)
                    }
        try:
            self.cap_rows = caps.validate_cap_rows(self.cap_rows)
        except caps.CapTableError as exc:
            errors["cap_rows"] = str(exc)
        if self.cohorts_default < 1:
            errors["cohorts_default"] = _("A unit rotates in at least one cohort.")
        priorities = self.in_person_meeting_priorities
        if not isinstance(priorities, list) or not set(priorities) <= set(MeetingPriority.values):
            errors["in_person_meeting_priorities"] = _("Choose among routine, important and very urgent.")
        if errors:
            raise ValidationError(errors)

    def levels(self) -> tuple[str, ...]:
        """The situation levels this policy's caps depend on."""
        if self.cap_basis == CapBasis.ZONE:
            return caps.ZONES
        if self.cap_basis == CapBasis.PPKM:
            return caps.PPKM_LEVELS
        return ()


class GovernmentPolicy(TenantModel):
    """Which policy a government works under from which date (until the next selection)."""

    policy = models.ForeignKey(WorkPolicy, on_delete=models.PROTECT, related_name="selections")
    effective_from = models.DateField(_("from"))
    selected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("policy selection")
        verbose_name_plural = _("policy selections")
        ordering = ["-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["government", "effective_from"], name="government_policy_date_unique")
        ]

    def __str__(self) -> str:
        return f"{self.effective_from}: {self.policy}"


class RiskZone(models.TextChoices):
    NO_CASES = "no_cases", _("No cases (green)")
    LOW = "low", _("Low risk (yellow)")
    MEDIUM = "medium", _("Medium risk (orange)")
    HIGH = "high", _("High risk (red)")


class GovernmentSituation(TenantModel):
    """The government's epidemic situation from a date on: the task force's risk zone and the PPKM
    level. It changes the WFO caps from its date until the next setting."""

    effective_from = models.DateField(_("from"))
    risk_zone = models.CharField(_("risk zone"), max_length=8, choices=RiskZone.choices, blank=True)
    ppkm_level = models.PositiveSmallIntegerField(
        _("PPKM level"), null=True, blank=True, choices=[(n, str(n)) for n in range(1, 5)]
    )
    java_bali = models.BooleanField(_("in Java–Bali"))
    note = models.CharField(_("basis or note"), max_length=250, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("situation")
        verbose_name_plural = _("situations")
        ordering = ["-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["government", "effective_from"], name="government_situation_date_unique"),
            models.CheckConstraint(
                condition=Q(ppkm_level__isnull=True) | Q(ppkm_level__gte=1, ppkm_level__lte=4),
                name="government_situation_ppkm_level",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.effective_from}: {self.risk_zone or '-'} / PPKM {self.ppkm_level or '-'}"

    def level_for(self, basis: str) -> str | None:
        """The situation as a cap-table level for a policy's basis, or None when it is not set."""
        if basis == CapBasis.ZONE:
            return self.risk_zone or None
        if basis == CapBasis.PPKM:
            return str(self.ppkm_level) if self.ppkm_level else None
        return caps.ANY


class UnitRosterSettings(TenantModel):
    """Rostering settings of a unit: sector override, health-unit flag and number of cohorts.

    Sub-units inherit the sector and the health flag of the nearest unit above them that sets one.
    """

    unit = models.OneToOneField(Unit, on_delete=models.CASCADE, related_name="roster_settings")
    sector = models.CharField(
        _("sector"),
        max_length=14,
        choices=Sector.choices,
        blank=True,
        help_text=_("Empty: essential when the unit is marked essential, otherwise non-essential."),
    )
    health_unit = models.BooleanField(_("health unit"), default=False)
    cohorts = models.PositiveSmallIntegerField(
        _("cohorts"), null=True, blank=True, help_text=_("Empty: the policy's number.")
    )

    class Meta:
        verbose_name = _("unit roster settings")
        verbose_name_plural = _("unit roster settings")

    def __str__(self) -> str:
        return str(self.unit)


class CoverageRule(TenantModel):
    """At least ``min`` holders of a skill on site in every shift of every working day of a unit."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="coverage_rules", verbose_name=_("unit"))
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="+", verbose_name=_("skill"))
    min = models.PositiveSmallIntegerField(_("minimum on site"))

    class Meta:
        verbose_name = _("coverage rule")
        verbose_name_plural = _("coverage rules")
        ordering = ["unit", "skill__code"]
        constraints = [models.UniqueConstraint(fields=["unit", "skill"], name="coverage_rule_unique")]

    def __str__(self) -> str:
        return f"{self.unit}: {self.skill} ≥ {self.min}"


class Leave(TenantModel):
    """Leave (cuti) of an employee: requested, then approved or refused by the unit head or Plh/Plt."""

    class Kind(models.TextChoices):
        ANNUAL = "annual", _("Annual leave")
        SICK = "sick", _("Sick leave")
        OTHER = "other", _("Other leave")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    employee = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="leaves", verbose_name=_("employee"))
    start = models.DateField(_("from"))
    end = models.DateField(_("until"))
    kind = models.CharField(_("kind"), max_length=6, choices=Kind.choices)
    reason = models.CharField(_("reason"), max_length=250, blank=True)
    status = models.CharField(_("status"), max_length=9, choices=Status.choices, default=Status.REQUESTED)
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        Employee, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("note"), max_length=250, blank=True)

    class Meta:
        verbose_name = _("leave")
        verbose_name_plural = _("leave")
        ordering = ["-start", "-id"]
        constraints = [models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="leave_dates")]
        indexes = [models.Index(fields=["government", "status", "start", "end"], name="leave_period")]

    def __str__(self) -> str:
        return f"{self.employee} {self.start}–{self.end} ({self.status})"

    def days(self) -> int:
        return (self.end - self.start).days + 1

    def overlaps(self, start: dt.date, end: dt.date) -> bool:
        return self.start <= end and start <= self.end


class Absence(TenantModel):
    """Days an employee cannot work, set by another workflow: an approved travel permit, an isolation or
    quarantine order. Leave keeps its own model. ``source`` names the row that caused it
    (``"workday.travelpermit:12"``), so the workflow can move or lift its own absence.

    The roster problem and every role but the task force and the person see isolation and quarantine only
    as ``unavailable`` (``problem_reason``): a diagnosis never reaches a unit head."""

    class Reason(models.TextChoices):
        TRAVEL = "travel", _("Travel permit")
        ISOLATION = "isolation", _("Isolation")
        QUARANTINE = "quarantine", _("Quarantine")
        OTHER = "other", _("Other")

    HEALTH_REASONS = frozenset({Reason.ISOLATION, Reason.QUARANTINE})

    employee = models.ForeignKey(
        Employee, on_delete=models.PROTECT, related_name="absences", verbose_name=_("employee")
    )
    start = models.DateField(_("from"))
    end = models.DateField(_("until"))
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices)
    source = models.CharField(_("source"), max_length=80)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        ordering = ["-start", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="absence_dates"),
            models.UniqueConstraint(fields=["source"], name="absence_source_unique"),
        ]
        indexes = [models.Index(fields=["employee", "start", "end"], name="absence_employee_period")]

    def __str__(self) -> str:
        return f"{self.employee} {self.start}–{self.end} ({self.reason})"

    @property
    def problem_reason(self) -> str:
        """The reason as the roster problem and unit heads see it."""
        return "unavailable" if self.reason in self.HEALTH_REASONS else str(self.reason)


class RosterPlan(TenantModel):
    """A roster for a period (and optionally one unit with the units below it): solved in the
    background, reviewed as a draft, then published to the employees."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SOLVING = "solving", _("Solving")
        DRAFT = "draft", _("Draft")
        INFEASIBLE = "infeasible", _("Cannot be planned")
        CANCELLED = "cancelled", _("Cancelled")
        FAILED = "failed", _("Failed")
        PUBLISHED = "published", _("Published")
        SUPERSEDED = "superseded", _("Replaced by a newer plan")

    name = models.CharField(_("name"), max_length=200)
    start = models.DateField(_("from"))
    end = models.DateField(_("until"))
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("unit")
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    time_limit = models.PositiveIntegerField(_("time limit (seconds)"), default=30)
    problem = models.JSONField(default=dict)
    result = models.JSONField(default=dict, blank=True)
    #: [[elapsed seconds, best total or null, bound], …] for the live progress bar
    progress = models.JSONField(default=list, blank=True)
    cancel_requested = models.BooleanField(default=False)
    error = models.TextField(blank=True)
    #: the solving worker's lease: renewed every few seconds while it solves; a SOLVING plan whose
    #: heartbeat is older than TASK_HEARTBEAT_TIMEOUT lost its worker and is queued again
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    #: how many times the plan was started; above 1 it was resumed after a lost worker
    attempt = models.PositiveSmallIntegerField(default=0)
    replaces = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replaced_by")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("roster plan")
        verbose_name_plural = _("roster plans")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name

    @property
    def running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.SOLVING)

    @property
    def resumed(self) -> bool:
        """Queued or solving again after the worker that was solving it was lost."""
        started = self.attempt if self.status == self.Status.QUEUED else self.attempt - 1
        return self.running and started >= 1


class RosterAssignment(models.Model):
    """One employee's day in a plan: WFO in a shift, WFH, or off (unavailable)."""

    class Mode(models.TextChoices):
        WFO = "wfo", _("Office (WFO)")
        WFH = "wfh", _("Home (WFH)")
        OFF = "off", _("Not working")

    plan = models.ForeignKey(RosterPlan, on_delete=models.CASCADE, related_name="assignments")
    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="roster_days")
    date = models.DateField()
    mode = models.CharField(max_length=3, choices=Mode.choices)
    shift = models.CharField(max_length=40, blank=True)
    cohort = models.CharField(max_length=10, blank=True)
    #: set by a unit head who overrode this day by hand; replanning keeps pinned days
    pinned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "employee", "date"], name="roster_assignment_unique"),
        ]
        indexes = [
            models.Index(fields=["employee", "date"], name="roster_assignment_person"),
            models.Index(fields=["plan", "date"], name="roster_assignment_day"),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.date} {self.mode} {self.shift}"


class CalendarFeed(TenantModel):
    """A secret address from which an employee's phone calendar reads their published schedule (ICS).
    Only a hash of the secret is stored; a new one replaces (revokes) the old one."""

    employee = models.OneToOneField(Employee, on_delete=models.CASCADE, related_name="calendar_feed")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"{_('calendar feed')} · {self.employee_id}"
