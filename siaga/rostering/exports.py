"""Files made from published or draft rosters: a unit's grid as XLSX and as a printable PDF, and an
employee's calendar feed (ICS). Plain rendering of rows the selectors already scoped; no writes."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

from django.utils import formats, timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from siaga.core.models import Government
from siaga.org.models import Employee, Unit
from siaga.rostering.models import RosterAssignment, RosterPlan

#: Calendar apps ask again after this long (RFC 7986 REFRESH-INTERVAL and its Outlook twin).
FEED_REFRESH = dt.timedelta(hours=6)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def cell_code(assignment: RosterAssignment | None, *, short: bool = False) -> str:
    """A day in the grid: O-pagi (office, shift pagi) or Op when short, H (home), – (not working).

    Why a day is not worked (leave, illness) is never shown."""
    if assignment is None or assignment.mode == RosterAssignment.Mode.OFF:
        return "–"
    if assignment.mode == RosterAssignment.Mode.WFH:
        return "H"
    if short:
        return "O" + assignment.shift[:1]
    return f"O-{assignment.shift}" if assignment.shift else "O"


def _period(plan: RosterPlan) -> str:
    return _("%(start)s to %(end)s") % {
        "start": formats.date_format(plan.start, "j F Y"),
        "end": formats.date_format(plan.end, "j F Y"),
    }


def _day_label(day: dt.date, separator: str = " ") -> str:
    return formats.date_format(day, "D") + separator + f"{day.day}/{day.month}"


def legend(*, short: bool = False) -> str:
    if short:
        return _("O = office (with the shift's first letter), H = home, – = not working.")
    return _("O-shift = at the office in that shift, H = from home, – = not working.")


# ---------------------------------------------------------------------------------------------------
# XLSX

#: The first row of the grid (below the title rows) and the first day column.
XLSX_HEADER_ROW = 5
XLSX_FIRST_DAY_COLUMN = 4


def unit_grid_xlsx(*, plan: RosterPlan, unit: Unit, days: Sequence[dt.date], rows: Sequence[dict[str, Any]]) -> bytes:
    """One sheet: the plan's name and period on top, then one row per employee (NIP, name, cohort) and
    one column per day, with the names and the header frozen while scrolling."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = unit.code[:31]
    sheet["A1"] = plan.name
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = f"{unit.name} ({unit.code})"
    sheet["A3"] = _period(plan)
    header = [_("NIP"), _("Name"), _("Cohort"), *(_day_label(d) for d in days)]
    for column, value in enumerate(header, start=1):
        cell = sheet.cell(row=XLSX_HEADER_ROW, column=column, value=value)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center" if column >= XLSX_FIRST_DAY_COLUMN else "left")
    office = PatternFill("solid", fgColor="DCEBFA")
    for offset, row in enumerate(rows, start=1):
        employee: Employee = row["employee"]
        line = XLSX_HEADER_ROW + offset
        # The NIP stays text: as a number, a spreadsheet would round its 18 digits.
        sheet.cell(row=line, column=1, value=employee.nip).number_format = "@"
        sheet.cell(row=line, column=2, value=employee.name)
        sheet.cell(row=line, column=3, value=row["cohort"])
        for index, assignment in enumerate(row["cells"]):
            cell = sheet.cell(row=line, column=XLSX_FIRST_DAY_COLUMN + index, value=cell_code(assignment))
            cell.alignment = Alignment(horizontal="center")
            if assignment is not None and assignment.mode == RosterAssignment.Mode.WFO:
                cell.fill = office
    sheet.cell(row=XLSX_HEADER_ROW + len(rows) + 2, column=1, value=legend())
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 32
    sheet.column_dimensions["C"].width = 9
    for index in range(len(days)):
        sheet.column_dimensions[get_column_letter(XLSX_FIRST_DAY_COLUMN + index)].width = 10
    sheet.freeze_panes = f"{get_column_letter(XLSX_FIRST_DAY_COLUMN)}{XLSX_HEADER_ROW + 1}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ---------------------------------------------------------------------------------------------------
# PDF


def unit_grid_pdf(
    *,
    plan: RosterPlan,
    unit: Unit,
    days: Sequence[dt.date],
    rows: Sequence[dict[str, Any]],
    tzinfo: dt.tzinfo,
) -> bytes:
    """A landscape A4 print of the grid: title, period, the table (its header repeated on every page),
    the legend, and the printing date with "page n of m" in the footer."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    page_size = landscape(A4)
    margin = 12 * mm
    printed = _("Printed %(date)s") % {
        "date": formats.date_format(timezone.localtime(timezone.now(), tzinfo), "j F Y H:i")
    }

    class NumberedCanvas(Canvas):
        """Draws the footer once the page count is known."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont("Helvetica", 8)
                self.drawString(margin, margin / 2, f"Siaga · {plan.name} · {unit.name} · {printed}")
                page = _("Page %(page)d of %(pages)d") % {"page": self._pageNumber, "pages": total}
                self.drawRightString(page_size[0] - margin, margin / 2, page)
                super().showPage()
            super().save()

    styles = getSampleStyleSheet()
    small = ParagraphStyle("cell", parent=styles["Normal"], fontName="Helvetica", fontSize=7, leading=8)
    small_bold = ParagraphStyle("head", parent=small, fontName="Helvetica-Bold")
    # The month is in the title, so a day column needs only its weekday and number.
    header: list[Any] = [
        Paragraph(escape(_("Name")), small_bold),
        Paragraph(escape(_("NIP")), small_bold),
        Paragraph(escape(_("Cohort")), small_bold),
        *(formats.date_format(d, "D") + f"\n{d.day}" for d in days),
    ]
    data: list[list[Any]] = [header]
    for row in rows:
        employee: Employee = row["employee"]
        data.append(
            [
                Paragraph(escape(employee.name), small),
                employee.nip,
                row["cohort"],
                *(cell_code(a, short=True) for a in row["cells"]),
            ]
        )
    fixed = [52 * mm, 28 * mm, 18 * mm]
    free = page_size[0] - 2 * margin - sum(fixed)
    day_width = min(14 * mm, free / max(len(days), 1))
    table = Table(data, colWidths=[*fixed, *([day_width] * len(days))], repeatRows=1)
    style: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), "Helvetica", 7),
        ("FONT", (3, 0), (-1, 0), "Helvetica-Bold", 6),
        ("ALIGN", (2, 0), (-1, -1), "CENTER"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (3, 0), (-1, -1), 1),
        ("RIGHTPADDING", (3, 0), (-1, -1), 1),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8E8E8")),
    ]
    for y, row in enumerate(rows, start=1):
        for x, assignment in enumerate(row["cells"], start=3):
            if assignment is not None and assignment.mode == RosterAssignment.Mode.WFO:
                style.append(("BACKGROUND", (x, y), (x, y), colors.HexColor("#DCEBFA")))
    table.setStyle(TableStyle(style))
    story = [
        Paragraph(escape(plan.name), styles["Title"]),
        Paragraph(escape(f"{unit.name} ({unit.code}) · {_period(plan)}"), styles["Heading3"]),
        Spacer(1, 4 * mm),
        table,
        Spacer(1, 4 * mm),
        Paragraph(escape(legend(short=True)), styles["Normal"]),
    ]
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=page_size,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin,
        title=f"{plan.name} · {unit.name}",
        author="Siaga",
    )
    document.build(story, canvasmaker=NumberedCanvas)
    return out.getvalue()


# ---------------------------------------------------------------------------------------------------
# ICS


def event_uid(employee: Employee, day: dt.date) -> str:
    """Stable per person and day, so a republished plan replaces the event instead of adding one."""
    return f"roster-{employee.government_id}-{employee.pk}-{day:%Y%m%d}@siaga"


def calendar_feed_ics(
    *,
    employee: Employee,
    government: Government,
    days: Sequence[RosterAssignment],
    shift_times: dict[int, dict[str, tuple[dt.time, dt.time]]],
) -> bytes:
    """The employee's published days as iCalendar: office days as timed events in the shift (in the
    government's time zone), home days as all-day events. Days off are left out, and no reason for an
    absence is ever written."""
    from icalendar import Calendar, Event, vDuration

    tz = government.tzinfo
    calendar = Calendar()
    calendar.add("prodid", "-//Siaga//Roster//ID")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    name = _("Work schedule · %(government)s") % {"government": government.name}
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", str(tz))
    calendar.add("refresh-interval", FEED_REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(FEED_REFRESH))
    for assignment in days:
        if assignment.mode == RosterAssignment.Mode.OFF:
            continue
        event = Event()
        event.add("uid", event_uid(employee, assignment.date))
        stamp = assignment.plan.published_at or assignment.plan.created_at
        event.add("dtstamp", stamp)
        event.add("last-modified", stamp)
        if assignment.mode == RosterAssignment.Mode.WFO:
            start, end = shift_times.get(assignment.plan_id, {}).get(assignment.shift, (None, None))
            event.add("summary", _("WFO — shift %(shift)s") % {"shift": assignment.shift})
            if start is None or end is None:  # a shift the plan no longer names: the whole day
                event.add("dtstart", assignment.date)
                event.add("dtend", assignment.date + dt.timedelta(days=1))
            else:
                event.add("dtstart", dt.datetime.combine(assignment.date, start, tzinfo=tz))
                event.add("dtend", dt.datetime.combine(assignment.date, end, tzinfo=tz))
            event.add("transp", "OPAQUE")
        else:
            event.add("summary", _("WFH"))
            event.add("dtstart", assignment.date)
            event.add("dtend", assignment.date + dt.timedelta(days=1))
            event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
