"""Behind nginx: the client's address and the request id come from the trusted proxy only, and log
lines carry the request id (as JSON lines with LOG_FORMAT=json)."""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory

from siaga.core.production import JsonFormatter, ProxyMiddleware, RequestIdFilter, request_id_var

ROOT = Path(__file__).resolve().parents[2]


def seen(settings: Any, **meta: str) -> tuple[HttpRequest, HttpResponse]:
    captured: dict[str, Any] = {}

    def view(request: HttpRequest) -> HttpResponse:
        captured["request"] = request
        captured["rid"] = request_id_var.get()
        return HttpResponse("ok")

    response = ProxyMiddleware(view)(RequestFactory().get("/", **meta))
    assert captured["rid"] == response["X-Request-ID"]
    return captured["request"], response


def test_client_address_and_request_id_from_the_trusted_proxy(settings: Any) -> None:
    settings.BEHIND_PROXY = True
    settings.TRUSTED_PROXY_NETWORKS = [ipaddress.ip_network("127.0.0.1/32")]
    request, response = seen(
        settings, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="36.72.10.5", HTTP_X_REQUEST_ID="7f3a9c0e1b2d"
    )
    assert request.META["REMOTE_ADDR"] == "36.72.10.5"
    assert response["X-Request-ID"] == "7f3a9c0e1b2d"


def test_headers_from_anyone_else_are_ignored(settings: Any) -> None:
    settings.BEHIND_PROXY = True
    settings.TRUSTED_PROXY_NETWORKS = [ipaddress.ip_network("127.0.0.1/32")]
    request, response = seen(
        settings, REMOTE_ADDR="36.72.10.5", HTTP_X_FORWARDED_FOR="10.0.0.1", HTTP_X_REQUEST_ID="chosen-by-client"
    )
    assert request.META["REMOTE_ADDR"] == "36.72.10.5"
    assert response["X-Request-ID"] != "chosen-by-client"
    assert len(response["X-Request-ID"]) == 32


def test_not_behind_a_proxy_nothing_is_believed(settings: Any) -> None:
    settings.BEHIND_PROXY = False
    request, _response = seen(settings, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="36.72.10.5")
    assert request.META["REMOTE_ADDR"] == "127.0.0.1"


def test_a_malformed_forwarded_address_or_request_id_is_not_used(settings: Any) -> None:
    settings.BEHIND_PROXY = True
    settings.TRUSTED_PROXY_NETWORKS = [ipaddress.ip_network("127.0.0.1/32")]
    request, response = seen(
        settings, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="not-an-ip", HTTP_X_REQUEST_ID="a b\nc"
    )
    assert request.META["REMOTE_ADDR"] == "127.0.0.1"
    assert response["X-Request-ID"] != "a b\nc"


@pytest.mark.django_db
def test_every_response_has_a_request_id(client: Client) -> None:
    assert len(client.get("/login/")["X-Request-ID"]) == 32


def test_json_log_line_with_request_id() -> None:
    record = logging.LogRecord("siaga.core.tasks", logging.WARNING, __file__, 1, "notification %s failed", (42,), None)
    token = request_id_var.set("abc123")
    try:
        RequestIdFilter().filter(record)
    finally:
        request_id_var.reset(token)
    line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "siaga.core.tasks"
    assert entry["message"] == "notification 42 failed"
    assert entry["request_id"] == "abc123"
    assert entry["time"].endswith("+00:00")


def test_log_format_json_setting_writes_json_lines(tmp_path: Path) -> None:
    """LOG_FORMAT=json in a real process: what the logging configuration writes is one JSON object a line."""
    env = {
        **os.environ,
        "LOG_FORMAT": "json",
        "SIAGA_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    code = "import logging; logging.getLogger('siaga.test').warning('Pemberitahuan %s', 'ü')"
    result = subprocess.run(
        [str(ROOT / ".venv/bin/siaga"), "shell", "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    entry = json.loads(result.stderr.strip().splitlines()[-1])
    assert entry["message"] == "Pemberitahuan ü"
    assert entry["logger"] == "siaga.test"
    assert entry["request_id"] == "-"
