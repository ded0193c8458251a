"""Real servers on loopback for the notification tests: an SMTP server (aiosmtpd) that can be stopped
and started, and an HTTP server standing in for the WhatsApp Cloud API."""

from __future__ import annotations

import email
import email.policy
import json
import logging
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command

# aiosmtpd logs every SMTP command at INFO; the tests assert what arrived instead.
logging.getLogger("mail.log").setLevel(logging.WARNING)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class ReceivedMail:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


class _RecordingHandler:
    def __init__(self, inbox: list[ReceivedMail]) -> None:
        self.inbox = inbox

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.inbox.append(ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


@dataclass
class SmtpServer:
    """An SMTP server on 127.0.0.1 that records what it receives. It starts stopped."""

    port: int
    received: list[ReceivedMail] = field(default_factory=list)
    _controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(_RecordingHandler(self.received), hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[SmtpServer]:
    """A stopped SMTP server the app is configured to send to; call ``start()`` to bring it up."""
    server = SmtpServer(port=free_port())
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "Siaga Sukoharjo <siaga@sukoharjokab.go.id>"
    yield server
    server.stop()


@dataclass
class ApiRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class FakeCloudApi:
    """What the WhatsApp Cloud API stand-in answers next, and what it was asked."""

    port: int
    status: int = 200
    answer: bytes = b'{"messaging_product":"whatsapp","messages":[{"id":"wamid.HBgLNjI4MTIzNDU2Nzg5MBUCABEYEjQ"}]}'
    requests: list[ApiRequest] = field(default_factory=list)


@pytest.fixture
def whatsapp_api(settings: Any) -> Iterator[FakeCloudApi]:
    """A real HTTP server on loopback standing in for graph.facebook.com, and WhatsApp switched on."""
    state = FakeCloudApi(port=0)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length)
            state.requests.append(
                ApiRequest("POST", self.path, {k.lower(): v for k, v in self.headers.items()}, json.loads(raw))
            )
            self.send_response(state.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(state.answer)))
            self.end_headers()
            self.wfile.write(state.answer)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.WHATSAPP_API_URL = f"http://127.0.0.1:{state.port}"
    settings.WHATSAPP_TOKEN = "test-cloud-api-token"
    settings.WHATSAPP_PHONE_NUMBER_ID = "106540352242922"
    settings.WHATSAPP_TIMEOUT = 5
    yield state
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture
def run_worker(transactional_db: Any) -> Any:
    """Run ``siaga worker --batch``: every task that is due now, then exit.

    The worker closes database connections that are inside a transaction (as a long-running process
    must), so tests that run it use real commits instead of a rolled-back test transaction.
    """

    def run(*, periodic: bool = False) -> None:
        call_command("worker", batch=True, reload=False, startup_delay=False, periodic=periodic, verbosity=0)

    return run
