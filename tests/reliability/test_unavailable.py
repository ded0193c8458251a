"""The 503 answer of a passing outage (``ServiceUnavailableMiddleware``), whichever layer runs into it: a
view, an API operation, or another middleware; a real bug stays a 500."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path

from siaga.core.uploads import StorageFull


def _raises(exc: Exception) -> Callable[[HttpRequest], HttpResponse]:
    def view(request: HttpRequest) -> HttpResponse:
        raise exc

    return view


urlpatterns = [
    path("down/", _raises(OperationalError("connection to server at 127.0.0.1 failed: Connection refused"))),
    path("cut/", _raises(InterfaceError("connection already closed"))),
    path("locked/", _raises(OperationalError("database is locked"))),
    path("full/", _raises(StorageFull(28, "No space left on device", "/var/lib/siaga/private/x"))),
    path("api/down/", _raises(OperationalError("server closed the connection unexpectedly"))),
    path("bug/", _raises(ValueError("a bug"))),
    path("fine/", lambda request: HttpResponse("fine")),
]


class FailingMiddleware:
    """A middleware that loses the database (as the session or the actor middleware would)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == "/fine/":
            raise OperationalError("terminating connection due to administrator command")
        return self.get_response(request)


@pytest.fixture
def visitor() -> Client:
    return Client(raise_request_exception=False)


pytestmark = pytest.mark.urls(__name__)


@pytest.mark.parametrize(
    ("url", "retry", "text"),
    [
        ("/down/", "5", "cannot reach its database right now"),
        ("/cut/", "5", "cannot reach its database right now"),
        ("/locked/", "2", "Siaga is busy saving other changes"),
        ("/full/", "300", "The storage for uploaded files is full"),
    ],
)
def test_an_outage_in_a_view_is_a_503_page(visitor: Client, url: str, retry: str, text: str) -> None:
    response = visitor.get(url)
    assert response.status_code == 503 and response["Retry-After"] == retry
    page = response.content.decode()
    assert text in page and "Service temporarily unavailable" in page and "Traceback" not in page
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Security-Policy"].startswith("default-src 'self'")


def test_the_api_gets_json(visitor: Client) -> None:
    response = visitor.get("/api/down/")
    assert response.status_code == 503 and response["Content-Type"] == "application/json"
    assert "try again in a moment" in response.json()["detail"]


def test_an_outage_inside_another_middleware_is_a_503_too(visitor: Client, settings: Any) -> None:
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, f"{__name__}.FailingMiddleware"]
    response = visitor.get("/fine/")
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert "cannot reach its database right now" in response.content.decode()


def test_a_bug_is_still_a_500(visitor: Client) -> None:
    assert visitor.get("/bug/").status_code == 500


@pytest.mark.indonesian
def test_the_page_is_in_indonesian(visitor: Client) -> None:
    page = visitor.get("/down/").content.decode()
    assert "Layanan sementara tidak tersedia" in page and "coba lagi sebentar" in page
    assert "coba lagi dalam beberapa detik" in visitor.get("/locked/").content.decode()
