"""Request middleware: language (Indonesian first), the actor, and security headers."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.functional import SimpleLazyObject

from siaga.core.access import actor_for_user

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
