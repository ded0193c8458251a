"""API authentication: bearer tokens for other systems, the session for the web app."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from siaga.core.access import actor_for_user
from siaga.core.models import ApiToken
from siaga.core.services import hash_token

LAST_USED_GRANULARITY = dt.timedelta(minutes=5)


class TokenAuth(HttpBearer):
    """``Authorization: Bearer sga_…``: the token acts as its user within the token's government.

    A revoked or expired token, an inactive user, or a user who no longer belongs to the token's
    government is refused (401)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        now = timezone.now()
        found = list(  # key_hash is unique: no ORDER BY needed
            ApiToken.objects.select_related("user", "government")
            .filter(key_hash=hash_token(token), revoked_at__isnull=True, user__is_active=True)
            .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
            .order_by()[:1]
        )
        record = found[0] if found else None
        if record is None:
            return None
        actor = actor_for_user(record.user, government_id=record.government_id)
        if actor.government_id != record.government_id:
            return None
        if record.last_used_at is None or now - record.last_used_at > LAST_USED_GRANULARITY:
            ApiToken.objects.filter(pk=record.pk).update(last_used_at=now)
        request.actor = actor  # type: ignore[attr-defined]
        request.user = record.user
        return record


class SessionAuth(APIKeyCookie):
    """The browser session of a logged-in user; unsafe methods need the CSRF token (X-CSRFToken).

    A logged-in user without a role in any government is authenticated but refused by every
    endpoint (403), which tells them more than a 401 would."""

    param_name = "sessionid"

    def __init__(self) -> None:
        self.param_name = settings.SESSION_COOKIE_NAME
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        key = request.COOKIES.get(self.param_name)
        if not key:
            # Without a session there is nothing to forge: answer 401, not a CSRF failure.
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request) is not None:
            raise HttpError(
                403, _("CSRF check failed: send the X-CSRFToken header with the value of the csrftoken cookie.")
            )
        return key

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if key and request.user.is_authenticated and request.user.is_active:
            return request.user
        return None
