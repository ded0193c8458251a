"""The IKM report as CSV and XLSX (rows the selectors already scoped)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from siaga.survey.elements import CODES, ELEMENTS

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def headers() -> list[str]:
    return [
        _("Level"),
        _("Name"),
        _("Respondents"),
        *[f"{e.code.upper()} {e.name}" for e in ELEMENTS],
        _("IKM"),
        _("Grade"),
        _("Performance"),
    ]


def _rows(report: dict[str, Any]) -> list[list[Any]]:
    lines: list[list[Any]] = []
    total = report["total"]
    entries: list[tuple[str, str, Any]] = [(_("Total"), "", total)]
    entries += [(_("Unit"), r.name, r.ikm) for r in report["units"]]
    entries += [(_("Service"), r.name, r.ikm) for r in report["services"]]
    for level, name, ikm in entries:
        means = [ikm.means[c].quantize(Decimal("0.01")) if ikm.respondents else "" for c in CODES]
        lines.append(
            [
                level,
                name,
                ikm.respondents,
                *means,
                ikm.value if ikm.value is not None else "",
                ikm.grade,
                ikm.performance,
            ]
        )
    return lines


def report_csv(report: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers())
    for line in _rows(report):
        writer.writerow([str(v) for v in line])
    return out.getvalue()


def report_xlsx(report: dict[str, Any], *, title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "IKM"
    sheet["A1"] = title
    sheet["A1"].font = Font(bold=True, size=14)
    for column, value in enumerate(headers(), start=1):
        sheet.cell(row=3, column=column, value=value).font = Font(bold=True)
    for offset, line in enumerate(_rows(report), start=4):
        for column, value in enumerate(line, start=1):
            sheet.cell(row=offset, column=column, value=float(value) if isinstance(value, Decimal) else value)
    sheet.column_dimensions["B"].width = 40
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
