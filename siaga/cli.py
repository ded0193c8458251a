"""The ``siaga`` command: Django's manage.py with Siaga's own commands."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "siaga.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "siaga"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
