"""API authentication: bearer tokens for other systems, the session for the web app."""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import threading
import time
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from siaga.core import scopes
from siaga.core.access import actor_for_user
from siaga.core.models import ApiToken
from siaga.core.prepared import PreparedQuery
from siaga.core.services import hash_token

LAST_USED_GRANULARITY = dt.timedelta(minutes=5)


def _token(key_hash: str, now: dt.datetime) -> QuerySet[ApiToken]:
    # key_hash is unique: no ORDER BY needed.
    return (
        ApiToken.objects.select_related("user", "government")
        .filter(key_hash=key_hash, revoked_at__isnull=True, user__is_active=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .order_by()[:1]
    )


#: The token lookup of every API request, compiled once (``siaga.core.prepared``).
_TOKEN = PreparedQuery(_token, key_hash=str, now=dt.datetime)


class LastUsed:
    """Tokens' last use, written behind: a process records uses in memory and writes them with one
    UPDATE once ``every`` has passed since its last write (on the next use after that, and at exit).

    ``last_used_at`` is shown to the token's owner at a granularity of minutes, so the morning peak (each
    phone's token used once) need not pay a write per request; at most ``every`` of uses are lost when a
    process is killed."""

    def __init__(self, every: dt.timedelta = dt.timedelta(seconds=5)) -> None:
        self.every = every.total_seconds()
        self._lock = threading.Lock()
        self._pending: dict[int, dt.datetime] = {}
        self._written = time.monotonic()

    def touch(self, token_id: int, when: dt.datetime) -> None:
        with self._lock:
            self._pending[token_id] = when
            due = time.monotonic() - self._written >= self.every
        if due:
            self.flush()

    def flush(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, {}
            self._written = time.monotonic()
        by_time: dict[dt.datetime, list[int]] = {}
        for token_id, when in pending.items():
            # Uses within one second share a write; the owner sees minutes.
            by_time.setdefault(when.replace(microsecond=0), []).append(token_id)
        for when, ids in by_time.items():
            ApiToken.objects.filter(pk__in=ids).filter(Q(last_used_at__isnull=True) | Q(last_used_at__lt=when)).update(
                last_used_at=when
            )


last_used = LastUsed()


@atexit.register
def _flush_at_exit() -> None:
    # The database (or the log's stream) may be gone at exit; then those few seconds of uses are lost.
    with contextlib.suppress(Exception):
        last_used.flush()


class TokenAuth(HttpBearer):
    """``Authorization: Bearer sga_…``: the token acts as its user within the token's government.

    A revoked or expired token, an inactive user, or a user who no longer belongs to the token's
    government is refused (401). Each router is mounted with its ``area`` (siaga.core.scopes): a token
    without the scope the request needs there is refused (403, naming the scope). Without an area (only
    ``/me``, which tells a caller who it is) any valid token is accepted."""

    def __init__(self, area: str | None = None) -> None:
        super().__init__()
        if area is not None and area not in scopes.AREAS:
            raise ValueError(f"unknown API area {area!r}")
        self.area = area

    def scope_for(self, method: str) -> str | None:
        return None if self.area is None else scopes.required_scope(self.area, method)

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        now = timezone.now()
        found = _TOKEN.run(key_hash=hash_token(token), now=now)
        record = found[0] if found else None
        if record is None:
            return None
        actor = actor_for_user(record.user, government_id=record.government_id)
        if actor.government_id != record.government_id:
            return None
        needed = self.scope_for(request.method or "GET")
        if needed is not None and not record.allows(needed):
            raise HttpError(
                403,
                _("This API token may not do this: it needs the scope %(scope)s. Ask BKPSDM for a token with it.")
                % {"scope": needed or "-"},
            )
        if record.last_used_at is None or now - record.last_used_at > LAST_USED_GRANULARITY:
            last_used.touch(record.pk, now)
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


def any_scope() -> list[Any]:
    """Authentication for an operation every valid token may call whatever its scopes (``/me``)."""
    return [TokenAuth(), SessionAuth()]
