"""Forms of the attendance app: parsing only; the rules live in the services."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from siaga.attendance.models import CheckInMode


class CheckInForm(forms.Form):
    mode = forms.ChoiceField(label=_("Where do you work today?"), choices=CheckInMode.choices, widget=forms.RadioSelect)
    latitude = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    longitude = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)
    accuracy = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=0)
    client_time = forms.DateTimeField(required=False, widget=forms.HiddenInput)
    idempotency_key = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)


class CheckOutForm(forms.Form):
    client_time = forms.DateTimeField(required=False, widget=forms.HiddenInput)


class ExceptionForm(forms.Form):
    employee = forms.TypedChoiceField(label=_("Employee"), coerce=int)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Reason"), max_length=250)

    def __init__(self, *args: object, employees: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["employee"].choices = employees  # type: ignore[attr-defined]


class MonthForm(forms.Form):
    month = forms.RegexField(regex=r"^\d{4}-(0[1-9]|1[0-2])$", required=False)

    def period(self, today: dt.date) -> tuple[int, int]:
        value = self.cleaned_data.get("month") if self.is_valid() else ""
        if value:
            year, month = value.split("-")
            return int(year), int(month)
        return today.year, today.month


class PresenceSearchForm(forms.Form):
    """A window and either a place (building, optionally floor, or room) or a person's NIP."""

    place = forms.ChoiceField(label=_("Place"), required=False)
    nip = forms.CharField(label=_("NIP"), required=False, max_length=30)
    start = forms.DateTimeField(label=_("From"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    end = forms.DateTimeField(label=_("Until"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))

    def __init__(self, *args: object, places: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["place"].choices = [("", "—"), *places]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end <= start:
            self.add_error("end", _("The end of the window must come after its start."))
        return data
