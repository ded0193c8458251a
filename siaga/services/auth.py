"""Sign-in for citizens with their NIK or e-mail address and password (on the ordinary login page).

Listed in ``AUTHENTICATION_BACKENDS`` after axes' backend, so the lockout after repeated failures
applies to citizens as to employees (axes counts failures by what was typed as the user name)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from siaga.services.models import Citizen


class CitizenBackend(ModelBackend):
    """Authenticates a verified citizen by NIK (16 digits) or e-mail address and password. The same NIK
    may be registered with several governments (one account each): the account whose password matches
    signs in."""

    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        if not username or not password:
            return None
        value = username.strip()
        compact = "".join(ch for ch in value if ch not in " .-")
        citizens = Citizen.objects.filter(verified_at__isnull=False).select_related("user")
        if compact.isdigit() and len(compact) == 16:
            citizens = citizens.filter(nik=compact)
        elif "@" in value:
            citizens = citizens.filter(email__iexact=value)
        else:
            return None
        found = False
        for citizen in citizens.order_by("pk")[:10]:
            found = True
            user = citizen.user
            if user.check_password(password) and self.user_can_authenticate(user):
                return user
        if not found:
            # as long as a wrong password takes, so the answer time does not reveal who is registered
            get_user_model()().set_password(password)
        return None
