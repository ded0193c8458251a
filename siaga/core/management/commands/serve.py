"""``siaga serve [ADDR:PORT]``: serve the web app with waitress (a production WSGI server)."""

from __future__ import annotations

import signal
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def parse_addrport(addrport: str) -> tuple[str, int]:
    """``127.0.0.1:8000``, ``0.0.0.0:8000``, ``[::1]:8000`` or a bare port (on 127.0.0.1)."""
    host, _, port = addrport.rpartition(":")
    host = host.strip("[]") or "127.0.0.1"
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise CommandError(f"{addrport!r} is not ADDR:PORT (e.g. 127.0.0.1:8000) or a port number.")
    return host, int(port)


class Command(BaseCommand):
    help = (
        "Serve Siaga over HTTP (default 127.0.0.1:8000). In production put nginx with TLS in front and "
        "set BEHIND_PROXY=true, so the client address and https come from X-Forwarded-For/-Proto."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000", help="ADDR:PORT or PORT")
        parser.add_argument("--threads", type=int, default=8, help="Requests served at once (default 8).")
        parser.add_argument(
            "--trusted-proxy",
            default="127.0.0.1",
            help="With BEHIND_PROXY=true: the address of the reverse proxy whose X-Forwarded-For and "
            "X-Forwarded-Proto headers are believed (default 127.0.0.1).",
        )

    def handle(self, *args: Any, addrport: str, threads: int, trusted_proxy: str, **options: Any) -> None:
        import waitress

        from siaga.wsgi import application

        host, port = parse_addrport(addrport)
        if threads < 1:
            raise CommandError("--threads must be 1 or more.")
        proxy: dict[str, Any] = {}
        if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):  # set by BEHIND_PROXY=true
            # waitress drops X-Forwarded-* from untrusted peers; trust the proxy for the client address
            # (audit log, login lockout) and the scheme (HTTPS redirect, secure cookies, CSRF).
            proxy = {
                "trusted_proxy": trusted_proxy,
                "trusted_proxy_count": 1,
                "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto"},
            }
        # systemd stops a service with SIGTERM: let waitress finish cleanly as it does on Ctrl+C.
        signal.signal(signal.SIGTERM, _exit_cleanly)
        self.stdout.write(f"Siaga is serving on http://{host}:{port}/ (Ctrl+C to stop)")
        self.stdout.flush()
        waitress.serve(application, host=host, port=port, threads=threads, ident="siaga", **proxy)


def _exit_cleanly(signum: int, frame: Any) -> None:
    raise SystemExit(0)
