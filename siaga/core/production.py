"""Running behind a reverse proxy: the client's address, a request id, and log lines as JSON.

- :class:`ProxyMiddleware` (first in the middleware) believes ``X-Forwarded-For`` and ``X-Request-ID``
  only from an address in ``TRUSTED_PROXIES`` (nginx on loopback by default) and only with
  ``BEHIND_PROXY=true``: the client's address then becomes ``REMOTE_ADDR`` for the audit log, the
  login lockout, rate limits and ``/metrics``' address check. Every request gets an id (nginx's
  ``$request_id``, or a new one) that is sent back as ``X-Request-ID`` and put on every log line.
- :class:`JsonFormatter`: ``LOG_FORMAT=json`` writes one JSON object a line (time, level, logger,
  message, request_id, exception), for journald/Loki/Elasticsearch.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import ipaddress
import json
import logging
import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("siaga_request_id", default="-")
REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in settings.TRUSTED_PROXY_NETWORKS)


class ProxyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from_proxy = settings.BEHIND_PROXY and trusted(request.META.get("REMOTE_ADDR", ""))
        request_id = ""
        if from_proxy:
            # nginx sets (replaces) X-Forwarded-For with the address it saw: one hop is believed.
            forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
            with contextlib.suppress(ValueError):
                request.META["REMOTE_ADDR"] = str(ipaddress.ip_address(forwarded))
            candidate = request.META.get("HTTP_X_REQUEST_ID", "")
            request_id = candidate if REQUEST_ID_RE.match(candidate) else ""
        request_id = request_id or uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response.headers["X-Request-ID"] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Put the current request's id on the record (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)
