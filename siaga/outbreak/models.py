"""The case registry: people under surveillance, their classification history, lab results, the rule
sets (KMK 413/2020 and later) that date isolation and quarantine, and the orders that follow.

Everything here is health data: only the health task force and the person see it (see
``siaga.outbreak.selectors``, where every read is written to the audit log)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from siaga.core.models import Government, TenantModel


class RuleSet(models.Model):
    """A dated, versioned set of the rules that date isolation, quarantine and discarding.

    National presets have no government; a government adopts a preset (a copy with its own effective
    date) or keeps the default one. The rule set in force for a government on a day is its own latest
    one effective on that day, else the default preset."""

    government = models.ForeignKey(
        Government, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("government")
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=150)
    legal_basis = models.CharField(_("legal basis"), max_length=250)
    effective_from = models.DateField(_("effective from"))
    is_default = models.BooleanField(_("default preset"), default=False)
    isolation_days_asymptomatic = models.PositiveSmallIntegerField(
        _("isolation days without symptoms (from the specimen date)")
    )
    isolation_days_symptomatic = models.PositiveSmallIntegerField(_("isolation days with symptoms (from onset)"))
    symptom_free_days = models.PositiveSmallIntegerField(_("days without symptoms before isolation ends"))
    quarantine_days = models.PositiveSmallIntegerField(_("quarantine days (from the last exposure)"))
    quarantine_test_day = models.PositiveSmallIntegerField(
        _("day of quarantine whose negative test ends it"), null=True, blank=True
    )
    discard_negative_pcrs = models.PositiveSmallIntegerField(_("negative RT-PCRs that discard a suspect"), default=2)
    discard_hours_apart = models.PositiveSmallIntegerField(_("minimum hours between those specimens"), default=24)

    class Meta:
        verbose_name = _("rule set")
        verbose_name_plural = _("rule sets")
        ordering = ["-effective_from", "code"]
        constraints = [
            models.UniqueConstraint(fields=["government", "code"], name="ruleset_code_unique"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(government__isnull=True), name="ruleset_preset_code_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.effective_from:%Y-%m-%d})"


class Classification(models.TextChoices):
    SUSPECT = "suspect", _("Suspect")
    PROBABLE = "probable", _("Probable")
    CONFIRMED_SYMPTOMATIC = "confirmed_symptomatic", _("Confirmed, symptomatic")
    CONFIRMED_ASYMPTOMATIC = "confirmed_asymptomatic", _("Confirmed, asymptomatic")
    CLOSE_CONTACT = "close_contact", _("Close contact")
    DISCARDED = "discarded", _("Discarded")
    ISOLATION_FINISHED = "isolation_finished", _("Isolation finished")
    DIED = "died", _("Died")


CONFIRMED = frozenset({Classification.CONFIRMED_SYMPTOMATIC, Classification.CONFIRMED_ASYMPTOMATIC})
#: classifications under isolation (as opposed to quarantine)
ISOLATED = frozenset({Classification.SUSPECT, Classification.PROBABLE, *CONFIRMED})
CLOSED = frozenset({Classification.DISCARDED, Classification.ISOLATION_FINISHED, Classification.DIED})


class Outcome(models.TextChoices):
    ONGOING = "ongoing", _("Ongoing")
    RECOVERED = "recovered", _("Recovered")
    DIED = "died", _("Died")
    LOST = "lost", _("Lost to follow-up")


class Case(TenantModel):
    """One person under surveillance: an employee, or a visitor recorded by name."""

    employee = models.ForeignKey(
        "org.Employee", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("employee")
    )
    visitor_name = models.CharField(_("visitor's name"), max_length=150, blank=True)
    visitor_phone = models.CharField(_("visitor's phone"), max_length=30, blank=True)
    classification = models.CharField(_("classification"), max_length=30, choices=Classification.choices)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, default=Outcome.ONGOING)
    onset_date = models.DateField(_("symptom onset"), null=True, blank=True)
    symptoms_ended = models.DateField(_("last day with symptoms"), null=True, blank=True)
    specimen_date = models.DateField(_("diagnostic specimen date"), null=True, blank=True)
    last_exposure = models.DateField(_("last exposure"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=250, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(employee__isnull=False) & Q(visitor_name=""))
                | (Q(employee__isnull=True) & ~Q(visitor_name="")),
                name="case_one_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{_('case')} #{self.pk}"

    @property
    def person_name(self) -> str:
        return self.employee.name if self.employee_id and self.employee else self.visitor_name


class ClassificationChange(TenantModel):
    """One row of a case's classification history (the first row has no ``from_value``)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="history")
    from_value = models.CharField(_("from"), max_length=30, choices=Classification.choices, blank=True)
    to_value = models.CharField(_("to"), max_length=30, choices=Classification.choices)
    changed_at = models.DateTimeField(_("when"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=250, blank=True)

    class Meta:
        verbose_name = _("classification change")
        verbose_name_plural = _("classification changes")
        ordering = ["changed_at", "pk"]


class LabResult(TenantModel):
    class Kind(models.TextChoices):
        RT_PCR = "rt_pcr", _("RT-PCR")
        ANTIGEN = "antigen", _("Rapid antigen")

    class Result(models.TextChoices):
        POSITIVE = "positive", _("Positive")
        NEGATIVE = "negative", _("Negative")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="lab_results")
    kind = models.CharField(_("test"), max_length=10, choices=Kind.choices)
    specimen_taken_at = models.DateTimeField(_("specimen taken"))
    result_date = models.DateField(_("result date"))
    result = models.CharField(_("result"), max_length=10, choices=Result.choices)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("lab result")
        verbose_name_plural = _("lab results")
        ordering = ["specimen_taken_at", "pk"]


class Order(TenantModel):
    """An isolation order (case) or quarantine order (contact); the days it covers make the person
    absent through ``siaga.rostering.services.absence_set``."""

    class Kind(models.TextChoices):
        ISOLATION = "isolation", _("Isolation")
        QUARANTINE = "quarantine", _("Quarantine")

    class Status(models.TextChoices):
        ACTIVE = "active", _("In force")
        LIFTED = "lifted", _("Lifted")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="orders")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    rule_set = models.ForeignKey(RuleSet, on_delete=models.PROTECT, related_name="+", verbose_name=_("rule set"))
    note = models.CharField(_("note"), max_length=250, blank=True)
    issued_at = models.DateTimeField(auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-start", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="order_dates_ordered")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start:%Y-%m-%d}–{self.end:%Y-%m-%d}"

    @property
    def source(self) -> str:
        return f"outbreak.order:{self.pk}"


class ContactProposal(TenantModel):
    """A possible close contact of a probable or confirmed case, found in the stored presence ("kemungkinan
    kontak erat berdasarkan lokasi") or added by hand; the task force confirms or dismisses it.

    ``evidence`` is a list of ``{"date", "minutes", "places"}`` (one row per calendar day); the contact is
    never told who the case is."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        CONFIRMED = "confirmed", _("Confirmed")
        DISMISSED = "dismissed", _("Dismissed")

    class Origin(models.TextChoices):
        LOCATION = "location", _("From presence")
        MANUAL = "manual", _("Added by hand")
        SELF = "self", _("Reported by the person")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="contact_proposals")
    employee = models.ForeignKey(
        "org.Employee", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("employee")
    )
    visitor_name = models.CharField(_("visitor's name"), max_length=150, blank=True)
    visitor_phone = models.CharField(_("visitor's phone"), max_length=30, blank=True)
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices, default=Origin.LOCATION)
    #: 1: a contact of the case; 2: a contact of a contact (traced on request), and so on
    generation = models.PositiveSmallIntegerField(_("generation"), default=1)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    evidence = models.JSONField(_("evidence"), default=list, blank=True)
    minutes = models.PositiveIntegerField(_("minutes together"), default=0)
    last_exposure = models.DateField(_("last exposure"))
    contact_case = models.ForeignKey(Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    quarantine_start = models.DateField(_("proposed quarantine from"), null=True, blank=True)
    quarantine_end = models.DateField(_("proposed quarantine until"), null=True, blank=True)
    proposed_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("contact proposal")
        verbose_name_plural = _("contact proposals")
        ordering = ["status", "-minutes", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "employee"], condition=Q(employee__isnull=False), name="contact_employee_unique"
            ),
            models.UniqueConstraint(
                fields=["case", "visitor_name"], condition=Q(employee__isnull=True), name="contact_visitor_unique"
            ),
            models.CheckConstraint(
                condition=Q(employee__isnull=False) | ~Q(visitor_name=""), name="contact_one_person"
            ),
        ]

    @property
    def person_name(self) -> str:
        return self.employee.name if self.employee_id and self.employee else self.visitor_name

    @property
    def evidence_rows(self) -> list[dict[str, Any]]:
        """The evidence with its dates as dates (for display)."""
        return [{**row, "date": dt.date.fromisoformat(row["date"])} for row in self.evidence]


# ---------------------------------------------------------------------------------------------------
# Daily follow-up (siaga.outbreak.followup)


class SymptomCheck(TenantModel):
    """The daily symptom check of a person under an isolation or quarantine order: one per case and day
    (a second answer the same day updates it)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="symptom_checks")
    date = models.DateField(_("day"))
    fever = models.BooleanField(_("fever"), default=False)
    temperature = models.DecimalField(_("temperature (°C)"), max_digits=3, decimal_places=1, null=True, blank=True)
    cough = models.BooleanField(_("cough"), default=False)
    sore_throat = models.BooleanField(_("sore throat"), default=False)
    short_breath = models.BooleanField(_("shortness of breath"), default=False)
    smell_taste_loss = models.BooleanField(_("loss of smell or taste"), default=False)
    other = models.CharField(_("other complaints"), max_length=200, blank=True)
    answered_at = models.DateTimeField(_("answered at"))

    SYMPTOMS = ("fever", "cough", "sore_throat", "short_breath", "smell_taste_loss")

    class Meta:
        verbose_name = _("symptom check")
        verbose_name_plural = _("symptom checks")
        ordering = ["-date", "-pk"]
        constraints = [models.UniqueConstraint(fields=["case", "date"], name="symptom_check_one_a_day")]

    @property
    def has_symptoms(self) -> bool:
        return any(getattr(self, name) for name in self.SYMPTOMS) or bool(self.other.strip())

    @property
    def symptom_labels(self) -> list[str]:
        fields = {f.name: f for f in self._meta.concrete_fields}
        labels = [str(fields[name].verbose_name) for name in self.SYMPTOMS if getattr(self, name)]
        if self.other.strip():
            labels.append(self.other.strip())
        return labels


class FollowUpAlert(TenantModel):
    """One alert to the task force, kept so that a job run twice (or by two workers) alerts once:
    ``kind`` "missed" once per government and day; "new_symptoms" and "short_breath" once per case and day."""

    class Kind(models.TextChoices):
        MISSED = "missed", _("Missed daily checks")
        NEW_SYMPTOMS = "new_symptoms", _("New symptoms")
        SHORT_BREATH = "short_breath", _("Shortness of breath")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    date = models.DateField(_("day"))
    case = models.ForeignKey(Case, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("follow-up alert")
        verbose_name_plural = _("follow-up alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["government", "kind", "date"], condition=Q(case__isnull=True), name="followup_alert_day_unique"
            ),
            models.UniqueConstraint(
                fields=["case", "kind", "date"], condition=Q(case__isnull=False), name="followup_alert_case_unique"
            ),
        ]


class Anonymisation(TenantModel):
    """The marker left on a case whose personal data was cleared after ``HEALTH_DATA_RETENTION_DAYS``: the
    case keeps its classification, dates and whether the person was an employee (for statistics)."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="anonymisation")
    was_employee = models.BooleanField(_("was an employee"))
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("unit")
    )
    anonymised_at = models.DateTimeField(_("anonymised at"))

    class Meta:
        verbose_name = _("anonymisation")
        verbose_name_plural = _("anonymisations")


# ---------------------------------------------------------------------------------------------------
# Clusters and source finding


class Cluster(TenantModel):
    """Linked cases the task force names (e.g. "Klaster Menara Wijaya"); members join and leave through
    ``ClusterMember`` rows, which keep who added or removed each case and when."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        CLOSED = "closed", _("Closed")

    name = models.CharField(_("name"), max_length=150)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    note = models.CharField(_("note"), max_length=250, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("cluster")
        verbose_name_plural = _("clusters")
        ordering = ["status", "-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["government", "name"], name="cluster_name_unique")]

    def __str__(self) -> str:
        return self.name


class ClusterMember(TenantModel):
    """A case in a cluster; a removed member keeps its row (``removed_at`` set) as history."""

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="members")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="cluster_memberships")
    added_at = models.DateTimeField(_("added"))
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("cluster member")
        verbose_name_plural = _("cluster members")
        ordering = ["added_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["cluster", "case"], condition=Q(removed_at__isnull=True), name="cluster_member_unique"
            ),
        ]


class SourceFinding(TenantModel):
    """One run of source finding for a cluster: the places ranked at room, floor and building level
    (``rankings``: ``{level: [place rows]}``), the space-time scan (``scan``) and the conclusion."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="findings")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    period_start = models.DateField(_("exposure period from"), null=True, blank=True)
    period_end = models.DateField(_("exposure period until"), null=True, blank=True)
    population = models.PositiveIntegerField(_("people present"), default=0)
    cases = models.PositiveIntegerField(_("cases present"), default=0)
    cases_without_presence = models.JSONField(default=list, blank=True)  # case ids
    rankings = models.JSONField(default=dict, blank=True)
    scan = models.JSONField(null=True, blank=True)
    conclusion = models.JSONField(null=True, blank=True)
    replicates = models.PositiveIntegerField(default=999)
    seed = models.IntegerField(default=0)
    progress = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("source finding")
        verbose_name_plural = _("source findings")
        ordering = ["-created_at", "-pk"]

    @property
    def running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class SourceVerdict(TenantModel):
    """The task force's word on a candidate place: confirmed or rejected as the source. Every decision
    is a new row; the latest one per place is the current verdict."""

    class Verdict(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed as the source")
        REJECTED = "rejected", _("Rejected")

    finding = models.ForeignKey(SourceFinding, on_delete=models.CASCADE, related_name="verdicts")
    level = models.CharField(_("level"), max_length=10)
    place = models.CharField(_("place"), max_length=60)
    label = models.CharField(_("place"), max_length=250)
    verdict = models.CharField(_("verdict"), max_length=10, choices=Verdict.choices)
    note = models.CharField(_("note"), max_length=250, blank=True)
    decided_at = models.DateTimeField(_("when"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("source verdict")
        verbose_name_plural = _("source verdicts")
        ordering = ["decided_at", "pk"]
