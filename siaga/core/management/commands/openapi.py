"""``siaga openapi [-o FILE]``: write the API's OpenAPI document (the one served at /api/openapi.json).

The committed copy, docs/openapi.json, is regenerated with ``siaga openapi -o docs/openapi.json``; a test
(tests/security/test_openapi.py) fails when it differs from what the code serves.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import translation


def openapi_document() -> str:
    """The OpenAPI document as stable, readable JSON text (ending with a newline), in English (the
    msgids) whatever the configured language."""
    from siaga.api.urls import api

    with translation.override("en"):
        schema = api.get_openapi_schema(path_prefix="/api/")
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


class Command(BaseCommand):
    help = "Write the API's OpenAPI document (JSON) to a file or to standard output."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("-o", "--output", help="the file to write, e.g. docs/openapi.json (default: stdout)")

    def handle(self, *args: Any, output: str | None = None, **options: Any) -> None:
        text = openapi_document()
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stdout.write(f"Wrote {output} ({len(json.loads(text)['paths'])} paths).")
        else:
            self.stdout.write(text, ending="")
