"""Forms of the daily follow-up pages (parsing only; ``siaga.outbreak.followup`` validates the rules)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from siaga.outbreak.followup import Answers

DATE = forms.DateInput(attrs={"type": "date"})


class SymptomCheckForm(forms.Form):
    no_symptoms = forms.BooleanField(label=_("No symptoms today"), required=False)
    fever = forms.BooleanField(label=_("Fever"), required=False)
    temperature = forms.DecimalField(
        label=_("Temperature (°C), if measured"),
        required=False,
        max_digits=3,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
    )
    cough = forms.BooleanField(label=_("Cough"), required=False)
    sore_throat = forms.BooleanField(label=_("Sore throat"), required=False)
    short_breath = forms.BooleanField(label=_("Shortness of breath"), required=False)
    smell_taste_loss = forms.BooleanField(label=_("Loss of smell or taste"), required=False)
    other = forms.CharField(label=_("Other complaints"), required=False, max_length=200)

    def answers(self) -> Answers:
        data = self.cleaned_data
        temperature: Decimal | None = data.get("temperature")
        return Answers(
            fever=data["fever"],
            temperature=temperature,
            cough=data["cough"],
            sore_throat=data["sore_throat"],
            short_breath=data["short_breath"],
            smell_taste_loss=data["smell_taste_loss"],
            other=data["other"],
            no_symptoms=data["no_symptoms"],
        )


class SelfContactForm(forms.Form):
    colleague = forms.CharField(
        label=_("Colleague: NIP or full name"), required=False, max_length=150, widget=forms.TextInput()
    )
    name = forms.CharField(label=_("Or someone else: name"), required=False, max_length=150)
    phone = forms.CharField(
        label=_("Their phone"), required=False, max_length=30, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    day = forms.DateField(label=_("Day you were together"), widget=DATE)
    place = forms.CharField(label=_("Where"), required=False, max_length=200)
