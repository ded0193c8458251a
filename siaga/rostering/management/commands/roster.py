"""``siaga roster solve|check|stress``: the roster engine's command line (see docs/roster-format.md)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from siaga.engines.roster.cli import main


class Command(BaseCommand):
    help = "Solve, check or stress-test roster problem and plan files (siaga roster solve|check|stress -h)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("args", nargs=argparse.REMAINDER, help="solve|check|stress and their arguments")

    def run_from_argv(self, argv: list[str]) -> None:
        # The engine parses its own arguments, so `siaga roster check -h` shows the engine's help
        # and its exit codes (0, 1, 2) reach the shell unchanged.
        sys.exit(main(argv[2:]))

    def handle(self, *args: str, **options: Any) -> None:
        code = main(list(args))
        if code:
            raise CommandError(f"roster {' '.join(args[:1])} exited with status {code}", returncode=code)
