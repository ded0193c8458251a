"""Forms of the service catalogue: the service, its requirement and form-field rows, and the
face-to-face restriction."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from siaga.org.models import Position, Unit
from siaga.services.models import FaceToFaceRestriction, Service
from siaga.services.services_catalogue import SERVICE_FIELDS


class ServiceForm(forms.ModelForm):
    class Meta:
        model = Service
        fields = SERVICE_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "procedure": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, government_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(  # type: ignore[attr-defined]
            government_id=government_id, is_active=True
        ).order_by("name")
        self.fields["signer_position"].queryset = (  # type: ignore[attr-defined]
            Position.objects.filter(government_id=government_id, is_head=True)
            .select_related("unit")
            .order_by("unit__name")
        )
        self.fields["signer_position"].label_from_instance = lambda p: f"{p.name} ({p.unit.name})"  # type: ignore[attr-defined]

    def validate_unique(self) -> None:
        """Uniqueness is checked by the service (the code per government)."""


class RowForm(forms.Form):
    """One requirement or one form field."""

    code = forms.CharField(label=_("Code"), max_length=40, required=False)
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    required = forms.BooleanField(label=_("Required"), required=False, initial=True)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


RowFormSet = forms.formset_factory(RowForm, extra=2, max_num=40, validate_max=True)


def rows_initial(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "code": r.get("code", ""),
            "name": r.get("name", ""),
            "required": r.get("required", False),
            "note": r.get("note", ""),
        }
        for r in rows
    ]


class RestrictionForm(forms.ModelForm):
    class Meta:
        model = FaceToFaceRestriction
        fields = ("start", "end", "reason")
        widgets = {"start": forms.DateInput(attrs={"type": "date"}), "end": forms.DateInput(attrs={"type": "date"})}
