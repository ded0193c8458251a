"""Forms of deliveries and appointments (the services check everything again)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from siaga.core.widgets import QuickSelect
from siaga.delivery.models import CourierKind, FailureReason
from siaga.org.models import Employee, Room, Unit


class _CourierFields(forms.Form):
    courier_kind = forms.ChoiceField(label=_("Courier"), choices=CourierKind.choices)
    courier = forms.ModelChoiceField(
        widget=QuickSelect, label=_("Staff courier"), queryset=Employee.objects.none(), required=False
    )
    tracking_number = forms.CharField(label=_("Pos Indonesia tracking number"), max_length=60, required=False)
    scheduled_on = forms.DateField(
        label=_("Delivery date"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )

    def __init__(self, *args: Any, unit_ids: frozenset[int] = frozenset(), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["courier"].queryset = Employee.objects.filter(unit_id__in=unit_ids, is_active=True).order_by("name")  # type: ignore[attr-defined]


class DeliveryForm(_CourierFields):
    recipient = forms.CharField(label=_("Recipient"), max_length=150, required=False)
    address = forms.CharField(label=_("Address"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    area = forms.CharField(label=_("Area (kecamatan)"), max_length=120, required=False)


class RescheduleForm(_CourierFields):
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class DeliveredForm(forms.Form):
    received_by = forms.CharField(label=_("Received by"), max_length=150)
    photo = forms.FileField(
        label=_("Photo of the handover"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png", "capture": "environment"}),
    )
    latitude = forms.CharField(required=False, widget=forms.HiddenInput)
    longitude = forms.CharField(required=False, widget=forms.HiddenInput)


class FailedForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=FailureReason.choices)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class SlotsForm(forms.Form):
    unit = forms.ModelChoiceField(widget=QuickSelect, label=_("Unit"), queryset=Unit.objects.none())
    start = forms.DateField(label=_("First day"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    end = forms.DateField(label=_("Last day"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    times = forms.CharField(
        label=_("Times"),
        help_text=_("One or more, separated by commas, e.g. 08:00-10:00, 10:00-12:00"),
        max_length=300,
    )
    room = forms.ModelChoiceField(widget=QuickSelect, label=_("Room"), queryset=Room.objects.none(), required=False)
    place = forms.CharField(label=_("Or another place"), max_length=200, required=False)
    capacity = forms.IntegerField(label=_("Capacity per slot"), min_value=1, max_value=500)

    def __init__(
        self, *args: Any, government_id: int = 0, unit_ids: frozenset[int] = frozenset(), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        units = Unit.objects.filter(government_id=government_id, pk__in=unit_ids).order_by("code")
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        top = units.exclude(parent_id__in=unit_ids).first()
        if top is not None:
            self.fields["unit"].initial = top.pk
        self.fields["room"].queryset = Room.objects.filter(government_id=government_id).order_by("name")  # type: ignore[attr-defined]

    def clean_times(self) -> list[tuple[dt.time, dt.time]]:
        result: list[tuple[dt.time, dt.time]] = []
        for part in self.cleaned_data["times"].split(","):
            part = part.strip()
            if not part:
                continue
            try:
                begin, finish = (dt.datetime.strptime(p.strip(), "%H:%M").time() for p in part.split("-"))
            except ValueError:
                raise forms.ValidationError(
                    _("Write each time as HH:MM-HH:MM, e.g. 08:00-10:00; “%(part)s” is not.") % {"part": part}
                ) from None
            result.append((begin, finish))
        return result
