"""Exports for the health office: the case line list and the daily epidemic curve, as CSV or XLSX.

Task force only; each export is a read of health data and is written to the audit log with its filters.
Text that a spreadsheet would take for a formula (``=``, ``+``, ``-``, ``@`` first) is prefixed with an
apostrophe, so that a name typed into Siaga can never run as a formula in the health office's Excel."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from siaga.core import access
from siaga.core.access import Actor
from siaga.outbreak import dashboard
from siaga.outbreak.dashboard import DashboardFilters
from siaga.outbreak.models import Case, Classification

KINDS = ("cases", "curve")
FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _iso(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def _export_cases(actor: Actor, filters: DashboardFilters) -> QuerySet[Case]:
    """Every case of the government (visitors too) without filters; with a unit or building, its ASN."""
    if filters.unit is None and filters.building is None:
        dashboard._require(actor)
        qs = access.scope_cases(actor, Case.objects.all()).select_related(
            "employee__unit__building",
            "employee__unit__floor__building",
            "employee__building",
            "employee__floor__building",
        )
    else:
        qs = dashboard.asn_cases(actor, filters)
    return qs.prefetch_related("lab_results", "orders").order_by("pk")


def case_rows(actor: Actor, filters: DashboardFilters) -> tuple[list[str], list[list[Any]]]:
    """The line list: one row per case, dates as dates."""
    cases = list(_export_cases(actor, filters))
    status = dashboard.confirmed_status(cases)
    header = [
        _("NIP"),
        _("Name"),
        _("Unit"),
        _("Building"),
        _("Classification"),
        _("Symptoms"),
        _("Symptom onset"),
        _("Specimen date"),
        _("Last exposure"),
        _("Lab results"),
        _("Isolation and quarantine orders"),
        _("Outcome"),
        _("Case number"),
    ]
    rows: list[list[Any]] = []
    for case in cases:
        confirmed = status.get(case.pk)
        if confirmed == Classification.CONFIRMED_SYMPTOMATIC:
            symptoms = _("with symptoms")
        elif confirmed == Classification.CONFIRMED_ASYMPTOMATIC:
            symptoms = _("without symptoms")
        else:
            symptoms = ""
        building = dashboard.building_of(case)
        labs = "; ".join(
            f"{r.get_kind_display()} {r.specimen_taken_at.astimezone(timezone.get_current_timezone()):%Y-%m-%d}"
            f" {r.get_result_display().lower()}"
            for r in case.lab_results.all()
        )
        orders = "; ".join(
            f"{o.get_kind_display()} {o.start:%Y-%m-%d} – {o.end:%Y-%m-%d} ({o.get_status_display().lower()})"
            for o in sorted(case.orders.all(), key=lambda o: (o.start, o.pk))
        )
        rows.append(
            [
                case.employee.nip if case.employee else "",
                case.person_name,
                case.employee.unit.name if case.employee else _("visitor"),
                building.name if building else "",
                case.get_classification_display(),
                symptoms,
                case.onset_date,
                case.specimen_date,
                case.last_exposure,
                labs,
                orders,
                case.get_outcome_display(),
                case.pk,
            ]
        )
    return header, rows


def curve_rows(actor: Actor, filters: DashboardFilters) -> tuple[list[str], list[list[Any]]]:
    """The daily curve: every day from the first to the last confirmed case, with the running total."""
    board = dashboard.dashboard(actor=actor, filters=filters, log=False, kept=False)
    header = [_("Date"), _("With symptoms"), _("Without symptoms"), _("Total"), _("Cumulative")]
    rows: list[list[Any]] = []
    running = 0
    for day in board.curve.days:
        running += day.total
        rows.append([day.date, day.symptomatic, day.asymptomatic, day.total, running])
    return header, rows


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_iso(v) if isinstance(v, dt.date) else ("" if v is None else _safe(v)) for v in row])
    return out.getvalue().encode("utf-8-sig")  # the BOM makes Excel read UTF-8


def to_xlsx(title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_safe(v) for v in row])
    for column in sheet.iter_cols(min_row=2):
        for cell in column:
            if isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export(
    *, actor: Actor, kind: str, fmt: str, filters: DashboardFilters | None = None, ip_address: str | None = None
) -> tuple[bytes, str]:
    """The file's bytes and its name; the export is audit-logged."""
    filters = filters or DashboardFilters()
    if kind == "cases":
        header, rows = case_rows(actor, filters)
        title = _("Cases")
    else:
        header, rows = curve_rows(actor, filters)
        title = _("Epidemic curve")
    data = to_csv(header, rows) if fmt == "csv" else to_xlsx(title, header, rows)
    dashboard.log_read(
        actor,
        object_id=f"export:{kind}",
        object_repr=f"export {kind}.{fmt} ({len(rows)} rows) {filters.describe()}",
        ip_address=ip_address,
    )
    name = f"siaga-{'kasus' if kind == 'cases' else 'kurva'}-{timezone.localdate():%Y%m%d}.{fmt}"
    return data, name
