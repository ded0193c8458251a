"""API authentication: bearer tokens for other systems, the session for the web app."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import APIKeyCookie, HttpBearer

from siaga.core.access import actor_for_user
from siaga.core.models import ApiToken
from siaga.core.services import hash_token

LAST_USED_GRANULARITY = dt.timedelta(minutes=5)


class TokenAuth(HttpBearer):
    """``Authorization: Bearer sga_…``: the token acts as its user within the token's government."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        now = timezone.now()
        record = (
            ApiToken.objects.select_related("user", "government")
            .filter(key_hash=hash_token(token), revoked_at__isnull=True, user__is_active=True)
            .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
            .first()
        )
        if record is None:
            return None
        if record.last_used_at is None or now - record.last_used_at > LAST_USED_GRANULARITY:
            ApiToken.objects.filter(pk=record.pk).update(last_used_at=now)
        actor = actor_for_user(record.user, government_id=record.government_id)
        if actor.government_id != record.government_id:
            return None
        request.actor = actor  # type: ignore[attr-defined]
        request.user = record.user
        return record


class SessionAuth(APIKeyCookie):
    """The browser session of a logged-in user (CSRF is checked for unsafe methods)."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        actor = getattr(request, "actor", None)
        if request.user.is_authenticated and actor is not None and actor.is_authenticated:
            return request.user
        return None
