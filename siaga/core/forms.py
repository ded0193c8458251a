"""Forms of the core app."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from siaga.core import scopes
from siaga.core.access import Actor
from siaga.core.models import CalendarOverride, RoleAssignment
from siaga.core.widgets import QuickSelect


def apply_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put a service's validation errors on the form fields they name (the rest on the whole form)."""
    if hasattr(exc, "error_dict"):
        for field_name, errors in exc.message_dict.items():
            target = field_name if field_name in form.fields else None
            for message in errors:
                form.add_error(target, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "The user name or password is wrong. Check both and try again; after %(limit)s failed tries "
            "the account is locked for a while."
        ),
        "inactive": _("This account is not active. Ask BKPSDM to activate it."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("User name, NIP or NIK")
        self.fields["password"].label = _("Password")

    def get_invalid_login_error(self) -> forms.ValidationError:
        from django.conf import settings

        return forms.ValidationError(
            self.error_messages["invalid_login"],
            code="invalid_login",
            params={"limit": settings.AXES_FAILURE_LIMIT},
        )


class CalendarOverrideForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("Kind"), choices=CalendarOverride.Kind.choices)
    name = forms.CharField(label=_("Description"), max_length=120)


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Name of the system"), max_length=80)
    user = forms.ModelChoiceField(widget=QuickSelect, label=_("Acts as user"), queryset=get_user_model().objects.none())
    valid_days = forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        max_value=730,
        initial=365,
        help_text=_("Between 1 and 730 days."),
    )

    SCOPE_LEVELS = (("", _("No access")), (scopes.READ, _("Read")), (scopes.WRITE, _("Read and change")))

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user_ids = RoleAssignment.objects.filter(government_id=actor.government_id).values("user_id")
        self.fields["user"].queryset = get_user_model().objects.filter(pk__in=user_ids).order_by("username")  # type: ignore[attr-defined]
        # One choice per area of the API (siaga.core.scopes); the token may call only what is chosen.
        for area, label in scopes.AREAS.items():
            self.fields[f"scope_{area}"] = forms.ChoiceField(
                label=label, choices=self.SCOPE_LEVELS, required=False, initial=""
            )

    def scope_fields(self) -> list[forms.BoundField]:
        return [self[f"scope_{area}"] for area in scopes.AREAS]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.scopes():
            raise forms.ValidationError(
                _("Choose at least one part of the API the token may use: a token without scopes can call nothing.")
            )
        return cleaned

    def scopes(self) -> list[str]:
        return [f"{area}:{level}" for area in scopes.AREAS if (level := self.cleaned_data.get(f"scope_{area}") or "")]

    def expires_at(self) -> dt.datetime:
        return timezone.now() + dt.timedelta(days=self.cleaned_data["valid_days"])


class NotifyingPasswordResetForm(PasswordResetForm):
    """Django's password reset, but the link goes out through Siaga's notification outbox."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        from siaga.core.services import password_link_send

        password_link_send(user=context["user"], reset=True)
