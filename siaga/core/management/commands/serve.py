"""``siaga serve [ADDR:PORT]``: serve the web app with waitress (a production WSGI server)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Serve Siaga over HTTP (default 127.0.0.1:8000)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000", help="ADDR:PORT or PORT")
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args: Any, addrport: str, threads: int, **options: Any) -> None:
        import waitress

        from siaga.wsgi import application

        host, _, port = addrport.rpartition(":")
        host = host or "127.0.0.1"
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise CommandError(f"{addrport!r} is not ADDR:PORT (e.g. 127.0.0.1:8000) or a port number.")
        self.stdout.write(f"Siaga is serving on http://{host}:{port}/ (Ctrl+C to stop)")
        waitress.serve(application, host=host, port=int(port), threads=threads, ident="siaga")
