"""Forms of the case registry pages (parsing only; the services validate the rules)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from siaga.org.identifiers import clean_digits
from siaga.org.models import Employee
from siaga.outbreak.models import Classification, LabResult, Order, RuleSet
from siaga.outbreak.selectors import CaseFilters

DATE = forms.DateInput(attrs={"type": "date"})


class CaseFilterForm(forms.Form):
    classification = forms.ChoiceField(
        label=_("Classification"), required=False, choices=[("", _("All")), *Classification.choices]
    )
    under_order = forms.ChoiceField(
        label=_("Order in force today"), required=False, choices=[("", _("Any")), *Order.Kind.choices]
    )
    open_only = forms.BooleanField(label=_("Open cases only"), required=False)
    q = forms.CharField(label=_("Name or NIP"), required=False, max_length=60)

    def filters(self) -> CaseFilters:
        if not self.is_bound or not self.is_valid():
            return CaseFilters()
        data = self.cleaned_data
        return CaseFilters(
            classification=data["classification"],
            under_order=data["under_order"],
            open_only=data["open_only"],
            q=data["q"],
        )


class CaseForm(forms.Form):
    nip = forms.CharField(label=_("Employee's NIP"), required=False, max_length=30)
    visitor_name = forms.CharField(label=_("or the visitor's name"), required=False, max_length=150)
    visitor_phone = forms.CharField(label=_("Visitor's phone"), required=False, max_length=30)
    classification = forms.ChoiceField(label=_("Classification"), choices=Classification.choices)
    onset_date = forms.DateField(label=_("Symptom onset"), required=False, widget=DATE)
    specimen_date = forms.DateField(label=_("Diagnostic specimen date"), required=False, widget=DATE)
    last_exposure = forms.DateField(label=_("Last exposure"), required=False, widget=DATE)
    note = forms.CharField(label=_("Note"), required=False, max_length=250)

    def __init__(self, *args: Any, government_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.government_id = government_id

    def clean_nip(self) -> Employee | None:
        nip = clean_digits(self.cleaned_data.get("nip") or "")
        if not nip:
            return None
        employee = Employee.objects.filter(government_id=self.government_id, nip=nip).first()
        if employee is None:
            raise forms.ValidationError(_("No employee of your government has this NIP; check the 18 digits."))
        return employee


class _OwnIds:
    """Forms that share the case page get ids of their own (``<prefix>_<field>``), so that a label never
    points at another form's field; the field names, and so what is posted, stay the same."""

    id_prefix = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class DatesForm(_OwnIds, forms.Form):
    id_prefix = "dates"

    onset_date = forms.DateField(label=_("Symptom onset"), required=False, widget=DATE)
    symptoms_ended = forms.DateField(label=_("Last day with symptoms"), required=False, widget=DATE)
    specimen_date = forms.DateField(label=_("Diagnostic specimen date"), required=False, widget=DATE)
    last_exposure = forms.DateField(label=_("Last exposure"), required=False, widget=DATE)


class ClassifyForm(_OwnIds, forms.Form):
    id_prefix = "classify"

    to = forms.ChoiceField(label=_("New classification"), choices=Classification.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=250)


class LabResultForm(_OwnIds, forms.Form):
    id_prefix = "lab"

    kind = forms.ChoiceField(label=_("Test"), choices=LabResult.Kind.choices)
    specimen_taken_at = forms.DateTimeField(
        label=_("Specimen taken"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    result_date = forms.DateField(label=_("Result date"), widget=DATE)
    result = forms.ChoiceField(label=_("Result"), choices=LabResult.Result.choices)


class OrderForm(_OwnIds, forms.Form):
    id_prefix = "order"

    kind = forms.ChoiceField(label=_("Order"), choices=Order.Kind.choices)
    start = forms.DateField(label=_("First day"), widget=DATE)
    end = forms.DateField(
        label=_("Last day"), required=False, widget=DATE, help_text=_("Leave empty to use the rule set's date.")
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=250)


class OrderEndForm(_OwnIds, forms.Form):
    id_prefix = "end"

    last_day = forms.DateField(
        label=_("New last day"), required=False, widget=DATE, help_text=_("Leave empty to lift the order entirely.")
    )


class RuleSetAdoptForm(forms.Form):
    preset = forms.ModelChoiceField(
        label=_("National preset"), queryset=RuleSet.objects.filter(government__isnull=True), empty_label=None
    )
    effective_from = forms.DateField(label=_("In force from"), widget=DATE)


class ContactForm(_OwnIds, forms.Form):
    """A contact known without presence (told by the case, self-reported), by NIP."""

    id_prefix = "contact"

    nip = forms.CharField(label=_("Employee's NIP"), max_length=30)
    last_exposure = forms.DateField(label=_("Last exposure"), widget=DATE)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def __init__(self, *args: Any, government_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.government_id = government_id

    def clean_nip(self) -> Employee:
        nip = clean_digits(self.cleaned_data.get("nip") or "")
        employee = Employee.objects.filter(government_id=self.government_id, nip=nip).first() if nip else None
        if employee is None:
            raise forms.ValidationError(_("No employee of your government has this NIP; check the 18 digits."))
        return employee
