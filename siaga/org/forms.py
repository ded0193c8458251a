"""Forms of the organisation app."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from siaga.core.access import Actor
from siaga.core.widgets import QuickSelect
from siaga.org import selectors
from siaga.org.models import Building, Delegation, Employee, Floor, ImportJob, Position, SpaceStatus, Unit


class EmployeeFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or NIP"), required=False)
    unit = forms.ModelChoiceField(
        widget=QuickSelect, label=_("Unit"), queryset=Unit.objects.none(), required=False, empty_label=_("All units")
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *list(Employee.Status.choices)]
    )
    skill = forms.CharField(label=_("Skill"), required=False)

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = selectors.unit_list(actor=actor).order_by("code")  # type: ignore[attr-defined]

    def filters(self) -> selectors.EmployeeFilters:
        if not self.is_valid():
            return selectors.EmployeeFilters()
        data = self.cleaned_data
        return selectors.EmployeeFilters(
            q=data["q"],
            unit_id=data["unit"].pk if data["unit"] else None,
            status=data["status"],
            skill=data["skill"].strip(),
        )


class DelegationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Delegation.Kind.choices)
    unit = forms.ModelChoiceField(
        widget=QuickSelect, label=_("Unit whose head is replaced"), queryset=Unit.objects.none()
    )
    official = forms.CharField(label=_("NIP of the absent official (Plh only)"), required=False, max_length=25)
    acting = forms.CharField(label=_("NIP of the acting official"), max_length=25)
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(
        label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}), help_text=_("At most 3 months.")
    )
    letter_number = forms.CharField(label=_("Letter number"), required=False, max_length=100)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=250)

    def __init__(self, *args: Any, units: Any, employees: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.employees = employees

    def _employee(self, field: str) -> Employee | None:
        value = "".join(ch for ch in self.cleaned_data.get(field, "") if ch.isdigit())
        if not value:
            return None
        employee = self.employees.filter(nip=value).first()
        if employee is None:
            raise forms.ValidationError(_("No employee with NIP %(nip)s in this government.") % {"nip": value})
        return employee

    def clean_official(self) -> Employee | None:
        return self._employee("official")

    def clean_acting(self) -> Employee | None:
        return self._employee("acting")


class RiskProfileForm(forms.Form):
    comorbidity = forms.BooleanField(
        label=_("Has a comorbidity (hypertension, diabetes, heart, kidney, asthma, TB, cancer…)"), required=False
    )
    pregnant_or_breastfeeding = forms.BooleanField(label=_("Pregnant or breastfeeding"), required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=250)


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("What to import"), choices=ImportJob.Kind.choices)
    file = forms.FileField(label=_("File (CSV or XLSX, at most 10 MB)"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = settings.UPLOAD_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is %(size).1f MB; the limit is %(limit)d MB. Split it into smaller files.")
                % {"size": upload.size / 1048576, "limit": limit // 1048576}
            )
        return upload


class UnitForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    parent = forms.ModelChoiceField(
        widget=QuickSelect, label=_("Parent unit"), queryset=Unit.objects.none(), required=False
    )
    public_service = forms.BooleanField(label=_("Public-facing service"), required=False)
    essential = forms.BooleanField(label=_("Essential sector"), required=False)
    building = forms.ModelChoiceField(
        widget=QuickSelect, label=_("Building"), queryset=Building.objects.none(), required=False
    )
    floor = forms.ModelChoiceField(widget=QuickSelect, label=_("Floor"), queryset=Floor.objects.none(), required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False)

    def __init__(self, *args: Any, actor: Actor, unit: Unit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = selectors.unit_list(actor=actor).exclude(pk=unit.pk).order_by("code")  # type: ignore[attr-defined]
        self.fields["building"].queryset = selectors.building_list(actor=actor)  # type: ignore[attr-defined]
        self.fields["floor"].queryset = Floor.objects.filter(government_id=actor.government_id).select_related(  # type: ignore[attr-defined]
            "building"
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        floor, building = data.get("floor"), data.get("building")
        if floor is not None and building is not None and floor.building_id != building.pk:
            self.add_error("floor", _("This floor is in another building."))
        if floor is not None and building is None:
            data["building"] = floor.building
        return data


class EmployeeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    unit = forms.ModelChoiceField(widget=QuickSelect, label=_("Unit"), queryset=Unit.objects.none())
    position = forms.ModelChoiceField(
        widget=QuickSelect, label=_("Position"), queryset=Position.objects.none(), required=False
    )
    status = forms.ChoiceField(label=_("Status"), choices=Employee.Status.choices)
    nik = forms.CharField(label=_("NIK"), max_length=20, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone / WhatsApp"), max_length=20, required=False)
    skills = forms.CharField(label=_("Skills (separated by ;)"), required=False)
    floor = forms.ModelChoiceField(
        widget=QuickSelect, label=_("Workplace floor"), queryset=Floor.objects.none(), required=False
    )
    is_active = forms.BooleanField(label=_("Active"), required=False)

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = selectors.unit_list(actor=actor).order_by("code")  # type: ignore[attr-defined]
        self.fields["position"].queryset = selectors.position_list(actor=actor).order_by("unit__code", "name")  # type: ignore[attr-defined]
        self.fields["floor"].queryset = Floor.objects.filter(government_id=actor.government_id).select_related(  # type: ignore[attr-defined]
            "building"
        )

    def clean_phone(self) -> str:
        phone = "".join(ch for ch in self.cleaned_data["phone"] if ch.isdigit() or ch == "+")
        digits = phone.lstrip("+")
        if phone and not (9 <= len(digits) <= 15 and digits.startswith(("0", "62", "8"))):
            raise forms.ValidationError(_("Enter a mobile number such as 081234567890 or +6281234567890."))
        return phone

    def clean_skills(self) -> list[str]:
        from django.utils.text import slugify

        return sorted({slugify(s).replace("-", "_") for s in self.cleaned_data["skills"].split(";") if s.strip()})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        position, unit = data.get("position"), data.get("unit")
        if position is not None and unit is not None and position.unit_id != unit.pk:
            self.add_error("position", _("This position belongs to another unit."))
        return data


class SpaceStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=SpaceStatus.choices)
    note = forms.CharField(label=_("Note"), max_length=250, required=False)
