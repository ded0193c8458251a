"""``siaga import units|employees FILE --government CODE``: import a CSV or XLSX file from the shell.

Every row is checked first; on any error nothing is written, the errors are printed as a table and
the command exits with status 1.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from siaga.core.models import Government
from siaga.org.imports import COLUMNS, RowError, run_import


def error_table(errors: list[RowError], *, width: int = 60) -> str:
    """The errors as a plain text table: row, column, value, what to fix."""
    header = (_("Row"), _("Column"), _("Value"), _("What to fix"))
    rows = [
        (str(e.row), e.column, e.value if len(e.value) <= width else e.value[: width - 1] + "…", e.message)
        for e in errors
    ]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(3)]

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(cell.ljust(w) for cell, w in zip(cells[:3], widths, strict=True)) + "  " + cells[3]

    return "\n".join([line(header), line(tuple("-" * w for w in [*widths, len(header[3])])), *map(line, rows)])


class Command(BaseCommand):
    help = "Import units or employees from a CSV or XLSX file; nothing is written if a row has an error."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("kind", choices=sorted(COLUMNS), help="What the file holds: units or employees.")
        parser.add_argument("file", help="The CSV (UTF-8) or XLSX file.")
        parser.add_argument(
            "--government", required=True, metavar="CODE", help="Region code of the government, e.g. 33.11."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and report what would change, without saving."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        code = options["government"].strip()
        government = Government.objects.filter(code=code).first()
        if government is None:
            known = ", ".join(Government.objects.order_by("code").values_list("code", flat=True)[:20])
            raise CommandError(
                _("No government has the region code %(code)s. Known codes: %(known)s.")
                % {"code": code, "known": known or "-"}
            )
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(
                _("Cannot read %(path)s: %(reason)s.") % {"path": path, "reason": exc.strerror or exc}
            ) from None

        verbose = options["verbosity"] >= 2

        def progress(done: int, total: int) -> None:
            if verbose:
                self.stderr.write(_("%(done)d of %(total)d rows") % {"done": done, "total": total})

        report = run_import(
            government=government,
            kind=options["kind"],
            file_name=path.name,
            content=content,
            progress=progress,
            dry_run=options["dry_run"],
        )
        if report.errors:
            self.stdout.write(error_table(report.errors))
        if not report.ok:
            if report.message:
                self.stderr.write(report.message)
            count = len(report.errors) or 1
            raise CommandError(
                ngettext(
                    "Nothing was imported: %(count)d error in %(file)s.",
                    "Nothing was imported: %(count)d errors in %(file)s.",
                    count,
                )
                % {"count": count, "file": path.name}
            )
        self.stdout.write(report.summary())
        sys.stdout.flush()
