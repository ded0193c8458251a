"""Forms of the measures pages (parsing only; the services validate the rules)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from siaga.core.widgets import QuickSelect
from siaga.measures.models import BuildingMeasure, DisinfectionTask
from siaga.org.models import Building, Employee, Floor

DATE = forms.DateInput(attrs={"type": "date"})


class FloorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.building.name} · {_('floor')} {obj.number}"


class MeasureForm(forms.Form):
    building = forms.ModelChoiceField(widget=QuickSelect, label=_("Building"), queryset=Building.objects.none())
    floor = FloorChoiceField(
        label=_("Floor"), queryset=Floor.objects.none(), required=False, help_text=_("Empty: the whole building.")
    )
    kind = forms.ChoiceField(label=_("Measure"), choices=BuildingMeasure.Kind.choices)
    capacity_people = forms.IntegerField(
        label=_("At most (people on the floor)"),
        required=False,
        min_value=0,
        help_text=_("For a restriction of one floor."),
    )
    capacity_percent = forms.IntegerField(
        label=_("At most (percentage of the distancing capacity)"), required=False, min_value=0, max_value=100
    )
    start = forms.DateField(label=_("First day"), widget=DATE)
    end = forms.DateField(label=_("Last day"), widget=DATE)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        help_text=_("About the place (e.g. disinfection after a cluster); never a person's health."),
    )

    def __init__(self, *args: Any, government_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["building"]).queryset = Building.objects.filter(
            government_id=government_id
        ).order_by("name")
        cast(forms.ModelChoiceField, self.fields["floor"]).queryset = (
            Floor.objects.filter(government_id=government_id)
            .select_related("building")
            .order_by("building__name", "number")
        )


class LiftForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class DisinfectionForm(forms.Form):
    building = forms.ModelChoiceField(
        widget=QuickSelect,
        label=_("Building"),
        queryset=Building.objects.none(),
        required=False,
        help_text=_("Or name a public place below."),
    )
    floor = FloorChoiceField(label=_("Floor"), queryset=Floor.objects.none(), required=False)
    place_name = forms.CharField(label=_("Public place"), max_length=200, required=False)
    place_kind = forms.ChoiceField(label=_("Kind of place"), choices=DisinfectionTask.PlaceKind.choices)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    scheduled_date = forms.DateField(label=_("Date"), widget=DATE)
    repeat_every_days = forms.IntegerField(label=_("Repeat every (days)"), required=False, min_value=1)
    repeat_until = forms.DateField(label=_("Repeat until"), required=False, widget=DATE)
    team_nips = forms.CharField(
        label=_("Team members (NIP)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One NIP per line or separated by commas."),
    )
    team_name = forms.CharField(label=_("Team name"), max_length=200, required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, government_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.government_id = government_id
        cast(forms.ModelChoiceField, self.fields["building"]).queryset = Building.objects.filter(
            government_id=government_id
        ).order_by("name")
        cast(forms.ModelChoiceField, self.fields["floor"]).queryset = (
            Floor.objects.filter(government_id=government_id)
            .select_related("building")
            .order_by("building__name", "number")
        )

    def clean_team_nips(self) -> list[Employee]:
        raw = self.cleaned_data.get("team_nips", "")
        nips = [n.strip() for n in raw.replace(",", "\n").split() if n.strip()]
        found = {
            e.nip: e for e in Employee.objects.filter(government_id=self.government_id, is_active=True, nip__in=nips)
        }
        missing = [n for n in nips if n not in found]
        if missing:
            raise forms.ValidationError(
                _("No active employee with NIP %(nips)s; check the numbers.") % {"nips": ", ".join(missing)}
            )
        return [found[n] for n in dict.fromkeys(nips)]


class CompleteForm(forms.Form):
    photo = forms.FileField(
        label=_("Photo of the finished work"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png", "capture": "environment"}),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
