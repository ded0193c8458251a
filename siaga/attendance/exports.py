"""Files made from attendance reads: the monthly recap as XLSX and the room QR poster (SVG). Plain
rendering of rows the selectors already scoped; no writes."""

from __future__ import annotations

import io
from collections.abc import Sequence

from django.utils import formats
from django.utils.translation import gettext as _

from siaga.attendance.selectors import RecapRow, month_bounds

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: The header row of the recap table (below the title rows).
RECAP_HEADER_ROW = 4


def recap_headers() -> list[str]:
    return [
        _("NIP"),
        _("Name"),
        _("Office (WFO)"),
        _("Home (WFH)"),
        _("Official travel"),
        _("Late"),
        _("Left early"),
        _("Check-out missing"),
        _("Days missing"),
    ]


def recap_xlsx(*, title: str, year: int, month: int, rows: Sequence[RecapRow]) -> bytes:
    """One sheet: the title and month on top, then one row per person with the recap's counts."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Recap")
    sheet["A1"] = title
    sheet["A1"].font = Font(bold=True, size=14)
    start, _end = month_bounds(year, month)
    sheet["A2"] = formats.date_format(start, "F Y")
    for column, value in enumerate(recap_headers(), start=1):
        sheet.cell(row=RECAP_HEADER_ROW, column=column, value=value).font = Font(bold=True)
    for offset, row in enumerate(rows, start=1):
        line = RECAP_HEADER_ROW + offset
        # The NIP stays text: as a number, a spreadsheet would round its 18 digits.
        sheet.cell(row=line, column=1, value=row.employee.nip).number_format = "@"
        values: list[str | int] = [row.employee.name, row.wfo, row.wfh, row.travel, row.late, row.early_leave]
        values += [row.missing_check_out, row.missing]
        for column, number in enumerate(values, start=2):
            sheet.cell(row=line, column=column, value=number)
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 32
    sheet.freeze_panes = f"C{RECAP_HEADER_ROW + 1}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def qr_svg(url: str) -> str:
    """An SVG QR code of ``url`` (error correction M, to survive a worn poster)."""
    import segno

    return str(segno.make(url, error="m").svg_inline(scale=8, border=2, dark="#000", light="#fff"))
