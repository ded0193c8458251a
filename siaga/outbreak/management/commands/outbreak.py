"""``siaga outbreak contacts|sources``: the tracing engine's command line (see docs/outbreak-format.md)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from siaga.engines.tracing.cli import main


class Command(BaseCommand):
    help = "Close contacts and source ranking from presence and case files (siaga outbreak contacts|sources -h)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("args", nargs=argparse.REMAINDER, help="contacts|sources and their arguments")

    def run_from_argv(self, argv: list[str]) -> None:
        # The engine parses its own arguments, so `siaga outbreak contacts -h` shows the engine's help
        # and its exit codes (0, 1, 2) reach the shell unchanged.
        sys.exit(main(argv[2:]))

    def handle(self, *args: str, **options: Any) -> None:
        code = main(list(args))
        if code:
            raise CommandError(f"outbreak {' '.join(args[:1])} exited with status {code}", returncode=code)
