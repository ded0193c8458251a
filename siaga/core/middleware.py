"""Request middleware: language (Indonesian first), the actor, security headers, and 503 during outages."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.conf import settings
from django.core.signals import got_request_exception
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from siaga.core.access import actor_for_user

logger = logging.getLogger(__name__)

SESSION_GOVERNMENT_KEY = "siaga_government_id"

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)


class LanguageMiddleware:
    """Speak the language the user chose (cookie), else the configured default (Indonesian).

    The browser's Accept-Language is deliberately ignored: most phones in the regions are set to
    English, while the people using Siaga expect Bahasa Indonesia unless they switch.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in self.supported:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class ActorMiddleware:
    """``request.actor``: who is asking, in which government, with which roles (computed lazily)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        def build() -> object:
            government_id = request.session.get(SESSION_GOVERNMENT_KEY) if hasattr(request, "session") else None
            return actor_for_user(request.user, government_id=government_id)

        if not hasattr(request, "actor"):
            request.actor = SimpleLazyObject(build)  # type: ignore[attr-defined]
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """A strict Content-Security-Policy (every asset is served from here) and a permissions policy."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith("/api/docs") or request.path.startswith("/admin/"):
            return response
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", "geolocation=(self), camera=(self), microphone=()")
        return response


def _unavailable_reason(exc: BaseException | None) -> str | None:
    """``"database"``, ``"busy"`` or ``"storage"`` when ``exc`` is a passing outage the user can wait out,
    else None (a real bug: a 500 and a logged trace)."""
    from django.db import InterfaceError, OperationalError

    from siaga.core.uploads import StorageFull

    if isinstance(exc, StorageFull):
        return "storage"
    if isinstance(exc, OperationalError) and "database is locked" in str(exc):
        return "busy"  # SQLite: another process holds the write lock for longer than the timeout
    if isinstance(exc, (OperationalError, InterfaceError)):
        return "database"
    return None


def _mark_unavailable(sender: object, request: HttpRequest | None = None, **kwargs: object) -> None:
    """``got_request_exception``: remember on the request that an outage (not a bug) made it fail, for
    ``ServiceUnavailableMiddleware`` to turn the 500 into a 503. Catches what other middleware raised."""
    reason = _unavailable_reason(sys.exc_info()[1])
    if reason and request is not None:
        request.siaga_unavailable = reason  # type: ignore[attr-defined]


got_request_exception.connect(_mark_unavailable, dispatch_uid="siaga-service-unavailable")


class ServiceUnavailableMiddleware:
    """A passing outage answers 503 with ``Retry-After`` and a message saying to try again, not a 500:
    PostgreSQL restarting or unreachable (``OperationalError``/``InterfaceError``; the next request opens a
    new connection, see ``CONN_HEALTH_CHECKS``), SQLite's write lock held too long by another process
    ("database is locked"), or the upload disk full (``StorageFull``). Pages get a small page that needs
    no database; the API gets ``{"detail": …}`` as JSON. docs/reliability.md."""

    RETRY_AFTER = {"database": 5, "busy": 2, "storage": 300}

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        reason = getattr(request, "siaga_unavailable", None)
        if response.status_code == 500 and reason:
            return self.unavailable(request, reason)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        reason = _unavailable_reason(exception)
        if reason is None:
            return None
        # with the trace, for the operator: an OperationalError can also be a bug (a missing migration)
        logger.warning("%s %s: 503 (%s): %s", request.method, request.path, reason, exception, exc_info=exception)
        return self.unavailable(request, reason)

    def unavailable(self, request: HttpRequest, reason: str) -> HttpResponse:
        title = _("Service temporarily unavailable")
        if reason == "storage":
            detail = _(
                "The storage for uploaded files is full, so your files could not be saved and nothing was "
                "submitted. Try again later."
            )
        elif reason == "busy":
            detail = _("Siaga is busy saving other changes. Nothing was saved; try again in a few seconds.")
        else:
            detail = _(
                "Siaga is being restored and cannot reach its database right now. Data already saved is "
                "safe; try again in a moment."
            )
        if request.path.startswith("/api/"):
            response: HttpResponse = JsonResponse({"detail": detail}, status=503)
        else:
            html = render_to_string("503.html", {"title": title, "detail": detail})  # no request: no database
            response = HttpResponse(html, status=503)
        response["Retry-After"] = str(self.RETRY_AFTER[reason])
        response["Cache-Control"] = "no-store"
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response
