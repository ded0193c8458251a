"""The daily situation report ("Laporan Harian Situasi") as a printable A4 PDF, from the same figures as
the command center page (health counts suppressed the same way)."""

from __future__ import annotations

import io
from html import escape as _html_escape
from typing import Any

from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from siaga.command.selectors import Chart, Overview, status_label

_STYLE = TableStyle(
    [
        ("FONT", (0, 0), (-1, -1), "Helvetica", 8),
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef4")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
)


def escape(text: str) -> str:
    """Text for a reportlab paragraph: &, < and > as entities (quotes need none)."""
    return _html_escape(text, quote=False)


_HEAD = ParagraphStyle("command-head", fontName="Helvetica-Bold", fontSize=7, leading=8)


def _table(rows: list[list[Any]], widths: list[float] | None = None) -> Table:
    """A table whose header cells wrap (narrow numeric columns keep their full heading)."""
    rows = [[Paragraph(escape(str(cell)), _HEAD) for cell in rows[0]], *rows[1:]]
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(_STYLE)
    return table


def _series(chart: Chart) -> str:
    return " · ".join(f"{b.title}" for b in chart.bars if b.value)


def report_pdf(board: Overview) -> bytes:
    styles = getSampleStyleSheet()
    h1, h2, body = styles["Title"], styles["Heading2"], styles["BodyText"]
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=14 * mm,
        rightMargin=14 * mm,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
        title=_("Daily situation report"),
        author=board.government.name,
    )
    story: list = [
        Paragraph(_("Daily situation report"), h1),
        Paragraph(escape(f"{board.government.name} · {board.day:%d/%m/%Y}"), body),
        Spacer(1, 4 * mm),
        Paragraph(_("At a glance"), h2),
        _table(
            [
                [_("Figure"), _("Today")],
                [_("Agencies over the WFO cap"), str(len(board.over_cap))],
                [_("Public-service coverage gaps"), str(len(board.gaps))],
                [_("Active confirmed cases (ASN)"), board.health(board.total("cases"))],
                [_("Under isolation"), board.health(board.total("isolation"))],
                [_("Under quarantine"), board.health(board.total("quarantine"))],
                [_("Active clusters"), str(len(board.clusters))],
                [_("Buildings under measures"), str(len(board.measures))],
                [_("Applications on time"), str(board.total("on_time"))],
                [_("Applications late"), str(board.total("late"))],
                [_("Deliveries today"), str(sum(board.deliveries.values()))],
            ],
            [110 * mm, 40 * mm],
        ),
        Paragraph(_("Per agency"), h2),
    ]
    rows = [
        [
            _("Agency"),
            _("WFO"),
            _("WFH"),
            _("WFO share"),
            _("Cap"),
            _("Gaps"),
            _("Cases"),
            _("Isolation"),
            _("Quarantine"),
            _("On time"),
            _("Late"),
        ]
    ]
    for u in board.units:
        rows.append(
            [
                Paragraph(escape(u.unit.name), body),
                str(u.planned["wfo"] or u.checked["wfo"]),
                str(u.planned["wfh"] or u.checked["wfh"]),
                f"{u.wfo_percent}%" if u.wfo_percent is not None else "—",
                f"{u.cap_percent}%" if u.cap_percent is not None else "—",
                str(len(u.gaps)),
                board.health(u.cases),
                board.health(u.isolation),
                board.health(u.quarantine),
                str(u.on_time),
                str(u.late),
            ]
        )
    story.append(_table(rows, [48 * mm] + [13 * mm] * 10))
    if board.gaps:
        story += [Paragraph(_("Public-service coverage gaps"), h2)]
        story.append(_table([[_("Unit"), _("Shift")], *[[n, s] for n, s in board.gaps]]))
    story += [Paragraph(_("Active clusters"), h2)]
    story.append(
        _table(
            [[_("Cluster"), _("Size"), _("Where")]]
            + [
                [c.name, board.health(c.size), Paragraph(escape(", ".join(c.places)) or "—", body)]
                for c in board.clusters
            ],
            [60 * mm, 20 * mm, 100 * mm],
        )
        if board.clusters
        else Paragraph("—", body)
    )
    story += [Paragraph(_("Buildings under measures"), h2)]
    story.append(
        _table(
            [[_("Building"), _("Floor"), _("Measure"), _("Until")]]
            + [[m.building, m.floor or "—", m.kind, m.end.strftime("%d/%m/%Y")] for m in board.measures]
        )
        if board.measures
        else Paragraph("—", body)
    )
    story += [Paragraph(_("Deliveries today"), h2)]
    story.append(
        _table(
            [[_("Status"), _("Deliveries")]] + [[status_label(s), str(n)] for s, n in sorted(board.deliveries.items())]
        )
        if board.deliveries
        else Paragraph("—", body)
    )
    for key, title in (
        ("cases", _("Confirmed cases per day (last 28 days)")),
        ("wfo", _("WFO share of check-ins per day (last 28 days)")),
        ("sla", _("Applications decided on time per week")),
    ):
        chart = board.charts.get(key)
        if chart is not None:
            story += [Paragraph(title, h2), Paragraph(escape(_series(chart)) or "—", body)]
    story += [
        Spacer(1, 4 * mm),
        Paragraph(
            _('Health counts below 3 are shown as "<3". Names and diagnoses are never part of this report.'), body
        ),
    ]
    doc.build(story)
    return out.getvalue()
