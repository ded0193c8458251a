"""Forms of the rostering app."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from siaga.core.widgets import QuickSelect
from siaga.org.models import Skill, Unit
from siaga.rostering.models import Leave, MeetingPriority, RiskZone, Sector, WorkPolicy

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

LEVEL_LABELS = {
    "*": _("any level"),
    "no_cases": RiskZone.NO_CASES.label,
    "low": RiskZone.LOW.label,
    "medium": RiskZone.MEDIUM.label,
    "high": RiskZone.HIGH.label,
}
SECTOR_LABELS = {"*": _("any sector"), **dict(Sector.choices)}
REGION_LABELS = {"*": _("anywhere"), "java_bali": _("Java–Bali"), "outside_java_bali": _("outside Java–Bali")}


class AdoptForm(forms.Form):
    effective_from = forms.DateField(label=_("Use from"), widget=DATE)


class SituationForm(forms.Form):
    effective_from = forms.DateField(label=_("From"), widget=DATE)
    risk_zone = forms.ChoiceField(label=_("Risk zone"), required=False, choices=[("", _("Not set")), *RiskZone.choices])
    ppkm_level = forms.TypedChoiceField(
        label=_("PPKM level"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Not set")), *[(str(n), str(n)) for n in range(1, 5)]],
    )
    java_bali = forms.TypedChoiceField(
        label=_("Java–Bali"),
        required=False,
        coerce=lambda v: v == "yes",
        empty_value=None,
        choices=[("", _("From the region code")), ("yes", _("In Java–Bali")), ("no", _("Outside Java–Bali"))],
    )
    note = forms.CharField(label=_("Basis or note"), required=False, max_length=250)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("risk_zone") and data.get("ppkm_level") is None:
            raise forms.ValidationError(_("Give the risk zone, the PPKM level or both."))
        return data


EXEMPTION_FIELDS = frozenset(
    {
        "age_wfh_from",
        "age_rule_basis",
        "pregnancy_wfh",
        "pregnancy_rule_basis",
        "comorbidity_wfh",
        "comorbidity_rule_basis",
        "health_units_exempt",
        "health_units_basis",
    }
)


class PolicyForm(forms.ModelForm):
    """Exemption toggles, shifts and cohorts of a government's policy; one percentage field per cap row."""

    shifts_text = forms.CharField(
        label=_("Shifts"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_('JSON, e.g. [{"id": "pagi", "start": "07:30", "end": "11:30"}]'),
    )

    in_person_meeting_priorities = forms.MultipleChoiceField(
        label=_("Meeting priorities that may meet in person"),
        choices=MeetingPriority.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Meetings of other priorities are held online."),
    )

    class Meta:
        model = WorkPolicy
        fields = [
            "name",
            "legal_basis",
            "effective_from",
            "effective_until",
            "min_shift_gap_minutes",
            "top_levels_on_site",
            "cohorts_default",
            "age_wfh_from",
            "age_rule_basis",
            "pregnancy_wfh",
            "pregnancy_rule_basis",
            "comorbidity_wfh",
            "comorbidity_rule_basis",
            "health_units_exempt",
            "health_units_basis",
            "mass_gathering_ban",
            "in_person_meeting_priorities",
            "late_tolerance_minutes",
            "early_leave_tolerance_minutes",
        ]
        widgets = {
            "legal_basis": forms.Textarea(attrs={"rows": 3}),
            "effective_from": DATE,
            "effective_until": DATE,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["shifts_text"].initial = json.dumps(self.instance.shifts)
        self.cap_fields: list[str] = []
        for i, row in enumerate(self.instance.cap_rows):
            name = f"cap_{i}"
            self.fields[name] = forms.DecimalField(
                label=" · ".join(
                    str(label)
                    for label in (
                        LEVEL_LABELS.get(row["level"], _("PPKM level %(n)s") % {"n": row["level"]}),
                        SECTOR_LABELS[row["sector"]],
                        REGION_LABELS[row["region"]],
                    )
                ),
                min_value=Decimal(0),
                max_value=Decimal(100),
                decimal_places=1,
                initial=Decimal(str(round(row["cap"] * 100, 1))),
            )
            self.cap_fields.append(name)

    def groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The fields in the sections of the page: general, exemptions, caps."""
        exemption_fields = [name for name in self.Meta.fields if name in EXEMPTION_FIELDS]
        general = [name for name in [*self.Meta.fields, "shifts_text"] if name not in EXEMPTION_FIELDS]
        return [
            (str(_("Policy")), [self[name] for name in general]),
            (str(_("Exemptions")), [self[name] for name in exemption_fields]),
            (str(_("Caps: percent of a unit on site at most")), [self[name] for name in self.cap_fields]),
        ]

    def clean_shifts_text(self) -> list[Any]:
        try:
            value = json.loads(self.cleaned_data["shifts_text"])
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(_("The shifts are not valid JSON: %(error)s") % {"error": exc.msg}) from exc
        if not isinstance(value, list):
            raise forms.ValidationError(_("Give the shifts as a list."))
        return value

    def _post_clean(self) -> None:
        # The service validates the whole policy; the form only collects the values.
        pass

    def values(self) -> dict[str, Any]:
        data = {key: self.cleaned_data[key] for key in self.Meta.fields}
        data["shifts"] = self.cleaned_data["shifts_text"]
        rows = []
        for i, row in enumerate(self.instance.cap_rows):
            rows.append({**row, "cap": float(self.cleaned_data[f"cap_{i}"]) / 100})
        data["cap_rows"] = rows
        return data


class UnitSettingsForm(forms.Form):
    sector = forms.ChoiceField(
        label=_("Sector"),
        required=False,
        choices=[("", _("From the unit (essential or not)")), *Sector.choices],
    )
    health_unit = forms.BooleanField(label=_("Health unit"), required=False)
    cohorts = forms.IntegerField(label=_("Cohorts"), required=False, min_value=1, max_value=10)


class CoverageRuleForm(forms.Form):
    skill = forms.ModelChoiceField(widget=QuickSelect, label=_("Skill"), queryset=Skill.objects.none())
    minimum = forms.IntegerField(label=_("At least on site per shift"), min_value=1, max_value=500)

    def __init__(self, *args: Any, skills: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["skill"].queryset = skills  # type: ignore[attr-defined]


class ProblemForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=DATE)
    end = forms.DateField(label=_("Until"), widget=DATE)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end"):
            if data["end"] < data["start"]:
                raise forms.ValidationError(_("The end date comes before the start date."))
            if (data["end"] - data["start"]).days > 92:
                raise forms.ValidationError(_("Plan at most three months at a time."))
        return data


class LeaveForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Leave.Kind.choices)
    start = forms.DateField(label=_("From"), widget=DATE, initial=timezone.localdate)
    end = forms.DateField(label=_("Until"), widget=DATE, initial=timezone.localdate)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=250)


class PlanForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))
    unit = forms.ModelChoiceField(
        widget=QuickSelect,
        label=_("Unit (with the units below it)"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("The whole government"),
    )
    time_limit = forms.IntegerField(label=_("Time to search (seconds)"), min_value=5, max_value=600, initial=30)

    def __init__(self, *args: Any, units: Any, whole_government: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        if not whole_government:
            self.fields["unit"].required = True
            self.fields["unit"].empty_label = None  # type: ignore[attr-defined]
