"""Forms of the back office: queue filters, assignment and the officer's moves."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from siaga.core.widgets import QuickSelect
from siaga.org.models import Employee
from siaga.services.models import Application, Service, Status


class UnitFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)
    service = forms.ModelChoiceField(
        widget=QuickSelect, label=_("Service"), queryset=Service.objects.none(), required=False
    )
    officer = forms.ModelChoiceField(
        widget=QuickSelect, label=_("Officer"), queryset=Employee.objects.none(), required=False
    )
    overdue = forms.BooleanField(label=_("Past the time limit only"), required=False)

    def __init__(self, *args: Any, services: Any, officers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All open")), *Status.choices]  # type: ignore[attr-defined]
        self.fields["service"].queryset = services  # type: ignore[attr-defined]
        self.fields["officer"].queryset = officers  # type: ignore[attr-defined]


class AssignForm(forms.Form):
    officer = forms.ModelChoiceField(widget=QuickSelect, label=_("Officer"), queryset=Employee.objects.none())
    note = forms.CharField(label=_("Note (internal)"), max_length=500, required=False)

    def __init__(
        self, *args: Any, officers: list[Employee], unavailable: frozenset[int] = frozenset(), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["officer"]
        field.queryset = Employee.objects.filter(pk__in=[o.pk for o in officers]).order_by("name")  # type: ignore[attr-defined]
        # never why: "unavailable" only (the reason may be health data)
        field.label_from_instance = lambda e: (  # type: ignore[attr-defined]
            f"{e.name} ({_('not available')})" if e.pk in unavailable else e.name
        )


class MoveForm(forms.Form):
    """One move: the target status and a note (required for some moves)."""

    to = forms.ChoiceField(choices=Status.choices, widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))


class IncompleteForm(forms.Form):
    missing = forms.MultipleChoiceField(
        label=_("Missing or wrong requirements"), required=False, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(
        label=_("Note to the applicant"), max_length=1500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, application: Application, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["missing"].choices = [  # type: ignore[attr-defined]
            (r.get("code", ""), r.get("name", r.get("code", ""))) for r in application.service.requirements or []
        ]


class PaymentForm(forms.Form):
    reference = forms.CharField(label=_("Payment reference"), max_length=100)
    paid_on = forms.DateField(
        label=_("Date paid"), widget=forms.DateInput(attrs={"type": "date"}), initial=timezone.localdate
    )
