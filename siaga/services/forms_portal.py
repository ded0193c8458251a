"""Forms of the citizens' portal. They only collect the input; ``services_portal`` validates it and
its messages are put back on the fields (``add_errors``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from siaga.services.models import Application, Service

FILE_ACCEPT = "application/pdf,image/jpeg,image/png"


def add_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ``ValidationError`` on the form's fields (unknown keys go to the top)."""
    if hasattr(error, "error_dict"):
        for key, messages in error.message_dict.items():
            form.add_error(key if key in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


class RegistrationForm(forms.Form):
    nik = forms.CharField(
        label=_("NIK"),
        max_length=24,
        help_text=_("The 16-digit number on your KTP-el or family card."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    name = forms.CharField(label=_("Full name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.CharField(
        label=_("E-mail"), max_length=254, required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    phone = forms.CharField(
        label=_("Phone / WhatsApp"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    address = forms.CharField(label=_("Address"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        help_text=_("At least 10 characters; not only digits."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}),
    )


class IdentifierForm(forms.Form):
    identifier = forms.CharField(label=_("NIK or e-mail"), max_length=254)


class ApplicationForm(forms.Form):
    """Built from the service: one text field per ``Service.fields`` entry, one file per requirement."""

    handover = forms.ChoiceField(label=_("How do you want to receive the result?"), widget=forms.RadioSelect)
    delivery_address = forms.CharField(
        label=_("Delivery address"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, service: Service, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.service = service
        fields: dict[str, forms.Field] = {}
        for spec in service.fields or []:
            fields[f"field_{spec['code']}"] = forms.CharField(
                label=spec.get("name", spec["code"]),
                required=False,
                max_length=1000,
                help_text=spec.get("note", ""),
            )
        for requirement in service.requirements or []:
            fields[f"req_{requirement['code']}"] = forms.FileField(
                label=requirement.get("name", requirement["code"]),
                required=False,
                help_text=requirement.get("note", ""),
                widget=forms.ClearableFileInput(attrs={"accept": FILE_ACCEPT}),
            )
        handover = self.fields.pop("handover")
        assert isinstance(handover, forms.ChoiceField)
        address = self.fields.pop("delivery_address")
        choices = [(v, label) for v, label in Application.Handover.choices]
        if not service.deliverable:
            choices = [(v, label) for v, label in choices if v != Application.Handover.DELIVERY]
            fields["handover"] = handover
        else:
            fields["handover"] = handover
            fields["delivery_address"] = address
        handover.choices = choices
        handover.initial = Application.Handover.DOWNLOAD
        self.fields.update(fields)

    def answers(self) -> dict[str, str]:
        return {spec["code"]: self.data.get(f"field_{spec['code']}", "") for spec in self.service.fields or []}

    def uploads(self) -> dict[str, Any]:
        return {
            r["code"]: self.files[f"req_{r['code']}"]
            for r in self.service.requirements or []
            if self.files.get(f"req_{r['code']}")
        }


class ResubmitForm(forms.Form):
    note = forms.CharField(
        label=_("What did you change? (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, service: Service, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.service = service
        for requirement in service.requirements or []:
            self.fields[f"req_{requirement['code']}"] = forms.FileField(
                label=requirement.get("name", requirement["code"]),
                required=False,
                widget=forms.ClearableFileInput(attrs={"accept": FILE_ACCEPT}),
            )

    def uploads(self) -> dict[str, Any]:
        return {
            r["code"]: self.files[f"req_{r['code']}"]
            for r in self.service.requirements or []
            if self.files.get(f"req_{r['code']}")
        }


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), required=False, max_length=500)
    confirm = forms.BooleanField(label=_("Yes, withdraw this application"), required=True)
