"""Import of units and employees from CSV or XLSX files.

Columns (Indonesian headers, as BKPSDM's spreadsheets use them):
- units: ``kode,nama,jenis,induk,layanan_publik``
- employees: ``nip,nama,unit,jabatan,jenis_jabatan,status,email,no_hp,keahlian`` (``keahlian`` separated by ``;``)

Every row is checked before anything is written; a file with one bad row writes nothing and the report
lists every error with the row number the user sees in the spreadsheet (the header is row 1). A valid
file is written in one transaction with bulk queries, so 10,000 employees take seconds, and one audit
event summarises it. Re-importing updates units by ``kode`` and employees by ``nip``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import re
import sqlite3
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connections, router, transaction
from django.db.models import Field, Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from siaga.core.models import Government
from siaga.core.services import audit_record
from siaga.org import services
from siaga.org.identifiers import parse_nip
from siaga.org.models import Employee, ImportJob, Position, Skill, Unit, UnitKind

UNIT_COLUMNS = ["kode", "nama", "jenis", "induk", "layanan_publik"]
EMPLOYEE_COLUMNS = ["nip", "nama", "unit", "jabatan", "jenis_jabatan", "status", "email", "no_hp", "keahlian"]
COLUMNS = {"units": UNIT_COLUMNS, "employees": EMPLOYEE_COLUMNS}

TEMPLATE_ROWS = {
    "units": [
        ["DPMPTSP", "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", "dinas", "", "ya"],
        ["DPMPTSP-PEL", "Bidang Pelayanan Perizinan", "bidang", "DPMPTSP", "ya"],
    ],
    "employees": [
        [
            "198003152005011002",
            "Budi Santoso",
            "DPMPTSP",
            "Kepala Dinas",
            "jpt_pratama",
            "pns",
            "budi@example.go.id",
            "081234567890",
            "signer",
        ],
        [
            "199105202019032005",
            "Siti Aminah",
            "DPMPTSP-PEL",
            "Pengadministrasi Perizinan",
            "pelaksana",
            "pns",
            "",
            "",
            "front_office;verifier",
        ],
    ],
}

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: More data rows than this are refused (one government's whole staff fits well below it).
ROW_LIMIT = 100_000
#: The report lists at most this many errors; the rest are counted.
MAX_LISTED_ERRORS = 10_000
#: Rows per INSERT/UPDATE statement, and rows between two progress reports.
BATCH_SIZE = 500
PROGRESS_EVERY = 500

ProgressCallback = Callable[[int, int], None]


def template_bytes(kind: str, fmt: str) -> tuple[bytes, str, str]:
    """A template file with the columns and two example rows: (content, content type, file name)."""
    columns, rows = COLUMNS[kind], TEMPLATE_ROWS[kind]
    name = f"siaga-{'unit' if kind == 'units' else 'pegawai'}.{fmt}"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(columns)
        writer.writerows(rows)
        return buffer.getvalue().encode("utf-8-sig"), "text/csv; charset=utf-8", name
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "unit" if kind == "units" else "pegawai"
    sheet.append(columns)
    for row in rows:
        sheet.append(row)
    for cell in sheet["A"]:
        cell.number_format = "@"  # NIPs and codes stay text, not numbers in scientific notation
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), XLSX_TYPE, name


# ---------------------------------------------------------------------------------------------------
# The report


@dataclass
class RowError:
    """One problem in one cell: the row number as the spreadsheet shows it (header = row 1)."""

    row: int
    column: str
    value: str
    message: str


@dataclass
class ImportReport:
    kind: str
    ok: bool = False
    dry_run: bool = False
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    #: a problem with the whole file (type, size, columns), or how many errors were not listed
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form, stored on the ImportJob and read by ``org/_import_status.html``."""
        return {
            "kind": self.kind,
            "ok": self.ok,
            "dry_run": self.dry_run,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": [asdict(error) for error in self.errors],
            "message": self.message,
        }

    def summary(self) -> str:
        """One line for people: what was (or, in a check, would be) done."""
        values = {
            "kind": ImportJob.Kind(self.kind).label,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }
        if not self.ok:
            count = len(self.errors) or 1
            return ngettext(
                "Nothing was imported: the file has %(count)d error.",
                "Nothing was imported: the file has %(count)d errors.",
                count,
            ) % {"count": count}
        if self.dry_run:
            return (
                _(
                    "%(kind)s: the file is valid; %(created)d would be created, %(updated)d updated, "
                    "%(unchanged)d unchanged. Nothing was saved (check only)."
                )
                % values
            )
        return _("%(kind)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.") % values


# ---------------------------------------------------------------------------------------------------
# The file: type, size, reading


_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 (.xls) and other old Office files


def _is_xlsx(content: bytes) -> bool:
    if not content.startswith(_ZIP_MAGIC):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    return "[Content_Types].xml" in names and "xl/workbook.xml" in names


def check_upload(file_name: str, content: bytes) -> str:
    """Check size and type by content (not by name alone); return ``"csv"`` or ``"xlsx"``."""
    limit = settings.UPLOAD_MAX_BYTES
    if len(content) > limit:
        raise ValidationError(
            _("The file is %(size).1f MB; the limit is %(limit)d MB. Split it into smaller files.")
            % {"size": len(content) / 1048576, "limit": limit // 1048576}
        )
    name = PurePath(file_name).name
    if not content:
        raise ValidationError(_("The file “%(name)s” is empty. Choose the file that holds the data.") % {"name": name})
    extension = PurePath(name).suffix.lower()
    if content.startswith(_OLE_MAGIC):
        raise ValidationError(
            _(
                "“%(name)s” is an old Excel 97-2003 file. Open it in Excel or LibreOffice and save it as "
                "Excel Workbook (.xlsx) or CSV UTF-8."
            )
            % {"name": name}
        )
    if extension == ".xlsx":
        if not _is_xlsx(content):
            raise ValidationError(
                _(
                    "“%(name)s” is not an Excel workbook, although its name ends in .xlsx. Open it in Excel "
                    "or LibreOffice and save it as Excel Workbook (.xlsx)."
                )
                % {"name": name}
            )
        return "xlsx"
    if extension != ".csv":
        raise ValidationError(
            _("Siaga reads .csv and .xlsx files; “%(name)s” is neither. Save the spreadsheet as CSV UTF-8 or .xlsx.")
            % {"name": name}
        )
    if _is_xlsx(content):
        raise ValidationError(
            _("“%(name)s” is an Excel workbook with a .csv name. Rename it to .xlsx, or save it as CSV UTF-8.")
            % {"name": name}
        )
    if b"\x00" in content or content.startswith(_ZIP_MAGIC):
        raise ValidationError(
            _(
                "“%(name)s” is not a CSV text file. Save the spreadsheet as CSV UTF-8 (comma delimited) "
                "and upload that file."
            )
            % {"name": name}
        )
    try:
        content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(
            _(
                "“%(name)s” is not saved as UTF-8 text. In Excel choose Save As → CSV UTF-8 (comma "
                "delimited); in LibreOffice choose the character set Unicode (UTF-8)."
            )
            % {"name": name}
        ) from None
    return "csv"


class _Inexact(str):
    """The text of a number a spreadsheet stored with more digits than it keeps (15): digits are lost."""

    __slots__ = ()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if abs(value) >= 1e15:
            return _Inexact(repr(value).upper())
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value).strip()


@dataclass
class _Table:
    fmt: str
    delimiter: str
    header: list[str]  # as written in row 1, trimmed
    rows: list[tuple[int, list[str]]]  # (row number in the spreadsheet, cells)


class _FileError(Exception):
    """The whole file is refused; the message says why."""


def _too_many_rows() -> _FileError:
    return _FileError(
        _("The file has more than %(limit)s rows; split it into smaller files.") % {"limit": f"{ROW_LIMIT:,}"}
    )


def _collect(numbered_rows: Iterable[tuple[int, list[str]]]) -> tuple[list[str], list[tuple[int, list[str]]]]:
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    for number, cells in numbered_rows:
        if number == 1:
            header = cells
            continue
        if not any(cells):
            continue
        if len(rows) >= ROW_LIMIT:
            raise _too_many_rows()
        rows.append((number, cells))
    return header or [], rows


def _read_csv(content: bytes) -> _Table:
    text = content.decode("utf-8-sig")
    first_line = text.partition("\n")[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header, rows = _collect(
            (number, [cell.strip() for cell in record]) for number, record in enumerate(reader, start=1)
        )
    except csv.Error as exc:
        raise _FileError(
            _("Row %(row)d of the file cannot be read as CSV (%(reason)s). Save the file again as CSV UTF-8.")
            % {"row": reader.line_num, "reason": exc}
        ) from None
    return _Table(fmt="csv", delimiter=delimiter, header=header, rows=rows)


def _read_xlsx(content: bytes) -> _Table:
    unreadable = _FileError(
        _("The Excel file cannot be read. Open it in Excel or LibreOffice and save it again as .xlsx.")
    )
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of error on a damaged file
        raise unreadable from None
    try:
        if not book.worksheets:
            raise unreadable
        sheet = book.worksheets[0]
        # The stored dimension can be stale; read every row that is there.
        sheet.reset_dimensions()

        def numbered() -> Iterable[tuple[int, list[str]]]:
            # Each row as long as its last cell; rows missing from the sheet come as empty rows.
            values = sheet.iter_rows(min_row=1, min_col=1, values_only=True)
            for number, row in enumerate(values, start=1):
                cells = [_cell_text(value) for value in row]
                while cells and not cells[-1]:
                    cells.pop()
                yield number, cells

        try:
            header, rows = _collect(numbered())
        except _FileError:
            raise
        except Exception:
            raise unreadable from None
    finally:
        book.close()
    return _Table(fmt="xlsx", delimiter="", header=header, rows=rows)


def _read_table(fmt: str, content: bytes) -> _Table:
    return _read_csv(content) if fmt == "csv" else _read_xlsx(content)


# ---------------------------------------------------------------------------------------------------
# Normalising what people type


def _key(text: str) -> str:
    """Lower case, with runs of spaces, hyphens and underscores as one underscore: "No HP" → "no_hp"."""
    return re.sub(r"[\s_\-]+", "_", text.strip().lower()).strip("_")


def _compact(text: str) -> str:
    """Lower case without separators: "Sub-Bagian", "sub bagian" and "sub_bagian" → "subbagian"."""
    return re.sub(r"[\s_\-.]+", "", text.strip().lower())


def _spaces(text: str) -> str:
    return " ".join(text.split())


#: Other spellings of column names seen in BKPSDM spreadsheets.
HEADER_ALIASES = {"e_mail": "email", "no_telp": "no_hp", "nomor_hp": "no_hp", "skill": "keahlian"}

UNIT_KINDS: dict[str, str] = {_compact(value): value for value in UnitKind.values} | {
    "setda": UnitKind.SEKRETARIAT_DAERAH,
    "setwan": UnitKind.SEKRETARIAT_DPRD,
    "sekretariatdewan": UnitKind.SEKRETARIAT_DPRD,
    "subbag": UnitKind.SUB_BAGIAN,
    "upt": UnitKind.UPTD,
}

#: jenis_jabatan → (Position.kind, Position.level)
POSITION_KINDS: dict[str, tuple[str, str]] = {
    **{_compact(level): (Position.Kind.STRUKTURAL, level) for level in Position.Level.values},
    "eseloni": (Position.Kind.STRUKTURAL, Position.Level.JPT_MADYA),
    "eselonii": (Position.Kind.STRUKTURAL, Position.Level.JPT_PRATAMA),
    "eseloniii": (Position.Kind.STRUKTURAL, Position.Level.ADMINISTRATOR),
    "eseloniv": (Position.Kind.STRUKTURAL, Position.Level.PENGAWAS),
    "fungsional": (Position.Kind.FUNGSIONAL, ""),
    "jf": (Position.Kind.FUNGSIONAL, ""),
    "jabatanfungsional": (Position.Kind.FUNGSIONAL, ""),
    "pelaksana": (Position.Kind.PELAKSANA, ""),
    "jfu": (Position.Kind.PELAKSANA, ""),
    "jabatanpelaksana": (Position.Kind.PELAKSANA, ""),
}
POSITION_KIND_NAMES = "jpt_madya, jpt_pratama, administrator, pengawas, fungsional, pelaksana"

STATUSES: dict[str, str] = {
    "pns": Employee.Status.PNS,
    "cpns": Employee.Status.PNS,
    "pppk": Employee.Status.PPPK,
    "p3k": Employee.Status.PPPK,
}

BOOLEANS = {
    "": False,
    "ya": True,
    "y": True,
    "yes": True,
    "true": True,
    "benar": True,
    "1": True,
    "tidak": False,
    "t": False,
    "no": False,
    "n": False,
    "false": False,
    "salah": False,
    "0": False,
}

_SCIENTIFIC = re.compile(r"^\d+([.,]\d+)?[eE][+-]?\d+$")
_SKILL = re.compile(r"^[a-z0-9_]+$")


def _position_label(kind: str, level: str) -> str:
    return level or kind


def parse_phone(value: str) -> str:
    """An Indonesian phone number in national form (0…); raise ``ValidationError`` saying what to fix."""
    cleaned = re.sub(r"[\s\-.()/]", "", value)
    plus = cleaned.startswith("+")
    digits = cleaned[1:] if plus else cleaned
    example = "081234567890"
    if not digits.isdigit():
        raise ValidationError(
            _("A phone number may contain only digits (and + at the start), e.g. %(example)s.") % {"example": example}
        )
    if plus and not digits.startswith("62"):
        raise ValidationError(_("Only Indonesian numbers (+62…) can be used, e.g. %(example)s.") % {"example": example})
    if digits.startswith("62"):
        national = digits[2:]
    elif digits.startswith("0"):
        national = digits[1:]
    elif digits.startswith("8"):
        national = digits  # the leading 0 of a mobile number is dropped when a spreadsheet stores it as a number
    else:
        raise ValidationError(_("A phone number starts with 0, 62 or +62, e.g. %(example)s.") % {"example": example})
    if not 9 <= len(digits) <= 15 or national.startswith("0"):
        raise ValidationError(
            _("A phone number has 9–15 digits; %(count)d digits were entered.") % {"count": len(digits)}
        )
    return "0" + national


# ---------------------------------------------------------------------------------------------------
# Checking the columns and the rows


class _Errors:
    """Collects row errors; keeps the first ``MAX_LISTED_ERRORS`` and counts the rest."""

    def __init__(self) -> None:
        self.listed: list[RowError] = []
        self.count = 0

    def add(self, row: int, column: str, value: str, message: str) -> None:
        self.count += 1
        if len(self.listed) < MAX_LISTED_ERRORS:
            self.listed.append(RowError(row=row, column=column, value=str(value), message=message))

    def __bool__(self) -> bool:
        return self.count > 0


def _check_header(table: _Table, kind: str) -> dict[str, int]:
    """Map each expected column to its index; raise ``_FileError`` listing every problem with row 1."""
    expected = COLUMNS[kind]
    if not any(table.header):
        raise _FileError(
            _("Row 1 must hold the column names: %(columns)s. Download the template to start from them.")
            % {"columns": ", ".join(expected)}
        )
    index: dict[str, int] = {}
    unknown: list[str] = []
    repeated: list[str] = []
    for position, raw in enumerate(table.header):
        name = HEADER_ALIASES.get(_key(raw), _key(raw))
        if not name:
            continue
        if name in index:
            repeated.append(raw)
        elif name in expected:
            index[name] = position
        else:
            unknown.append(raw)
    missing = [column for column in expected if column not in index]
    if not (missing or unknown or repeated):
        return index
    other = "employees" if kind == "units" else "units"
    names = {HEADER_ALIASES.get(_key(raw), _key(raw)) for raw in table.header if raw}
    if set(COLUMNS[other]) <= names:
        raise _FileError(
            _(
                "This file has the columns of a %(other)s file. Choose “%(other)s” as what to import, or pick "
                "the %(kind)s file."
            )
            % {"other": ImportJob.Kind(other).label.lower(), "kind": ImportJob.Kind(kind).label.lower()}
        )
    problems = []
    if missing:
        problems.append(_("Row 1 lacks the columns: %(columns)s.") % {"columns": ", ".join(missing)})
    if unknown:
        problems.append(
            _("Row 1 has columns Siaga does not know: %(columns)s; rename or delete them.")
            % {"columns": ", ".join(unknown)}
        )
    if repeated:
        problems.append(
            _("These columns appear more than once in row 1: %(columns)s; keep one of each.")
            % {"columns": ", ".join(repeated)}
        )
    problems.append(
        _("The columns are: %(columns)s (download the template to start from them).") % {"columns": ", ".join(expected)}
    )
    raise _FileError(" ".join(problems))


class _Row:
    """One data row, read by column name; cells outside the named columns are checked once."""

    def __init__(self, table: _Table, index: dict[str, int], number: int, cells: list[str], errors: _Errors) -> None:
        self.number = number
        self.errors = errors
        self.values = {column: cells[i] if i < len(cells) else "" for column, i in index.items()}
        self.failed: set[str] = set()
        for column, value in self.values.items():
            if isinstance(value, _Inexact):
                self.error(
                    column,
                    _nip_as_number(value)
                    if column == "nip"
                    else _(
                        "This cell holds a number of more than 15 digits; spreadsheets keep only 15, so digits "
                        "are lost (%(value)s). Format the %(column)s column as Text and type the values again."
                    )
                    % {"value": value, "column": column},
                )
        named = set(index.values())
        for i, value in enumerate(cells):
            if value and i not in named:
                if table.fmt == "csv" and i >= len(table.header):
                    # The values of this row are shifted, so nothing else in it can be checked.
                    message = _(
                        "This row has more values than row 1 has column names. A value that contains "
                        "“%(separator)s” (such as a name with titles) must be put in double quotes."
                    ) % {"separator": table.delimiter}
                    self.failed.update(index)
                else:
                    message = _("This value is in a column with no name in row 1; name the column or delete the value.")
                errors.add(number, get_column_letter(i + 1), value, message)
                break

    def __getitem__(self, column: str) -> str:
        return "" if column in self.failed else self.values[column]

    def error(self, column: str, message: str, value: str | None = None) -> None:
        self.failed.add(column)
        self.errors.add(self.number, column, self.values[column] if value is None else value, message)

    def required(self, column: str, message: str) -> str:
        value = self[column]
        if not value and column not in self.failed:
            self.error(column, message)
        return value

    def text(self, column: str, *, limit: int, required_message: str = "") -> str:
        value = _spaces(self[column])
        if not value and required_message and column not in self.failed:
            self.error(column, required_message)
        elif len(value) > limit:
            self.error(
                column,
                _("This is %(count)d characters long; at most %(limit)d fit. Shorten it.")
                % {"count": len(value), "limit": limit},
            )
            return ""
        return value


def _nip_as_number(value: str) -> str:
    return _(
        "The NIP was saved as a number (%(value)s), and spreadsheets keep only 15 digits of a number, so "
        "digits are lost. Format the nip column as Text, type the NIPs again and save the file."
    ) % {"value": value}


def _first_message(exc: ValidationError) -> str:
    return exc.messages[0] if exc.messages else str(exc)


def _update_rows(model: type[Model], fields: list[str], objects: list[Any]) -> None:
    """Write ``fields`` of many rows, each with its own values, with one UPDATE per batch that joins a
    VALUES list on the primary key. Django's ``bulk_update`` builds a CASE expression per row and
    field instead, which costs about 15 s of Python for 10,000 employees."""
    connection = connections[router.db_for_write(model)]
    supported = connection.vendor == "postgresql" or (
        connection.vendor == "sqlite" and sqlite3.sqlite_version_info >= (3, 33)  # UPDATE … FROM
    )
    if not supported:
        model._default_manager.bulk_update(objects, fields, batch_size=BATCH_SIZE)
        return
    meta = model._meta
    assert meta.pk is not None
    columns: list[Field[Any, Any]] = [meta.pk]
    for name in fields:
        model_field = meta.get_field(name)
        assert isinstance(model_field, Field) and model_field.column
        columns.append(model_field)
    quote = connection.ops.quote_name
    cast = connection.vendor == "postgresql"  # parameters of a VALUES list need a type there
    placeholder = "({})".format(", ".join(f"%s::{f.db_type(connection)}" if cast else "%s" for f in columns))
    names = ", ".join(quote(f"v_{f.column}") for f in columns)
    assignments = ", ".join(f"{quote(str(f.column))} = v.{quote(f'v_{f.column}')}" for f in columns[1:])
    table = quote(meta.db_table)
    join = f"{table}.{quote(str(meta.pk.column))} = v.{quote(f'v_{meta.pk.column}')}"
    with connection.cursor() as cursor:
        for start in range(0, len(objects), BATCH_SIZE):
            batch = objects[start : start + BATCH_SIZE]
            params = [f.get_db_prep_save(getattr(obj, f.attname), connection) for obj in batch for f in columns]
            cursor.execute(
                f"WITH v ({names}) AS (VALUES {', '.join([placeholder] * len(batch))}) "  # noqa: S608 - quoted names
                f"UPDATE {table} SET {assignments} FROM v WHERE {join}",
                params,
            )


# ---------------------------------------------------------------------------------------------------
# Units


@dataclass(slots=True)
class _UnitRow:
    row: int
    code: str
    name: str
    kind: str | None
    kind_raw: str
    parent_code: str
    public_service: bool
    #: False when induk itself is wrong, so the parent rules are not checked on top of that
    check_parent: bool = True


@dataclass
class _UnitPlan:
    government: Government
    existing: dict[str, Unit]
    parent_codes: dict[str, str]  # existing unit code → parent code ("" for none)
    creates: list[_UnitRow] = field(default_factory=list)
    updates: list[_UnitRow] = field(default_factory=list)
    unchanged: int = 0

    def write(self) -> None:
        ids = {code: unit.pk for code, unit in self.existing.items()}
        new = [
            Unit(
                government=self.government,
                code=r.code,
                name=r.name,
                kind=str(r.kind),
                public_service=r.public_service,
                parent_id=ids.get(r.parent_code),
            )
            for r in self.creates
        ]
        Unit.objects.bulk_create(new, batch_size=BATCH_SIZE)
        if any(unit.pk is None for unit in new):
            fetched = dict(
                Unit.objects.filter(government=self.government, code__in=[u.code for u in new]).values_list(
                    "code", "pk"
                )
            )
            for unit in new:
                unit.pk = fetched[unit.code]
        ids.update({unit.code: unit.pk for unit in new})
        changed: list[Unit] = []
        for unit, r in zip(new, self.creates, strict=True):
            if r.parent_code and unit.parent_id is None:  # the parent is new too
                unit.parent_id = ids[r.parent_code]
                changed.append(unit)
        for r in self.updates:
            unit = self.existing[r.code]
            unit.name, unit.kind, unit.public_service = r.name, str(r.kind), r.public_service
            unit.parent_id = ids[r.parent_code] if r.parent_code else None
            changed.append(unit)
        Unit.objects.bulk_update(changed, ["name", "kind", "parent", "public_service"], batch_size=BATCH_SIZE)


def _plan_units(
    government: Government,
    table: _Table,
    index: dict[str, int],
    errors: _Errors,
    progress: ProgressCallback | None,
) -> _UnitPlan:
    existing = {unit.code: unit for unit in Unit.objects.filter(government=government)}
    code_of = {unit.pk: code for code, unit in existing.items()}
    plan = _UnitPlan(
        government=government,
        existing=existing,
        parent_codes={
            code: code_of.get(unit.parent_id, "") if unit.parent_id else "" for code, unit in existing.items()
        },
    )
    parsed: dict[str, _UnitRow] = {}
    total = len(table.rows)
    for done, (number, cells) in enumerate(table.rows, start=1):
        row = _Row(table, index, number, cells, errors)
        code = row.required("kode", _("Fill in kode, the unit's code."))
        if code and (len(code) > 40 or any(ch.isspace() for ch in code)):
            row.error("kode", _("A unit code has at most 40 characters and no spaces, e.g. DPMPTSP-PEL."))
        elif code in parsed:
            row.error(
                "kode",
                _("Unit code %(code)s already appears in row %(row)d; each unit takes one row.")
                % {"code": code, "row": parsed[code].row},
            )
        name = row.text("nama", limit=200, required_message=_("Fill in nama, the unit's name."))
        kind_raw = row["jenis"]
        kind = UNIT_KINDS.get(_compact(kind_raw))
        if kind is None and "jenis" not in row.failed:
            row.error(
                "jenis",
                _("Write the kind of unit in jenis: one of %(kinds)s.") % {"kinds": ", ".join(UnitKind.values)},
            )
        parent_code = row["induk"]
        if parent_code and parent_code == code:
            row.error("induk", _("A unit cannot be its own parent; write the code of the unit above it in induk."))
        public_service = BOOLEANS.get(row["layanan_publik"].strip().lower())
        if public_service is None and "layanan_publik" not in row.failed:
            row.error("layanan_publik", _("Write ya or tidak in layanan_publik (empty means tidak)."))
        if code and "kode" not in row.failed:
            parsed[code] = _UnitRow(
                row=number,
                code=code,
                name=name,
                kind=kind,
                kind_raw=kind_raw,
                parent_code="" if "induk" in row.failed else parent_code,
                public_service=bool(public_service),
                check_parent="induk" not in row.failed,
            )
        if progress and done % PROGRESS_EVERY == 0:
            progress(done, total)

    # The tree after the import, in memory, so the parent rules of ``unit_validate_parent`` (kinds and
    # cycles) are checked on every unit without a query; new units get stand-in negative ids.
    stand_in = itertools.count(-1, -1)
    proposed: dict[str, Unit] = {
        code: Unit(pk=unit.pk, government_id=government.pk, code=code, name=unit.name, kind=unit.kind)
        for code, unit in existing.items()
        if code not in parsed
    }
    for r in parsed.values():
        if r.kind is not None:
            base = existing.get(r.code)
            proposed[r.code] = Unit(
                pk=base.pk if base else next(stand_in),
                government_id=government.pk,
                code=r.code,
                name=r.name,
                kind=r.kind,
            )
    parent_codes = dict(plan.parent_codes) | {r.code: r.parent_code for r in parsed.values()}
    for code, unit in proposed.items():
        unit.parent = proposed.get(parent_codes.get(code, ""))
    known = set(existing) | set(parsed)
    folded = {code.casefold(): code for code in sorted(known)}
    for r in parsed.values():
        if r.kind is None or not r.check_parent:
            continue
        if r.parent_code and r.parent_code not in known:
            suggestion = folded.get(r.parent_code.casefold())
            errors.add(
                r.row,
                "induk",
                r.parent_code,
                _("No unit has the code %(code)s; did you mean %(suggestion)s? Codes are case-sensitive.")
                % {"code": r.parent_code, "suggestion": suggestion}
                if suggestion
                else _(
                    "No unit has the code %(code)s, in this file or in Siaga; add the parent unit or correct the code."
                )
                % {"code": r.parent_code},
            )
            continue
        if r.parent_code and r.parent_code not in proposed:
            continue  # the parent's row has an error of its own
        try:
            services.unit_validate_parent(
                unit=proposed[r.code],
                kind=r.kind,
                parent=proposed[r.parent_code] if r.parent_code else None,
                government_id=government.pk,
            )
        except ValidationError as exc:
            errors.add(r.row, "induk", r.parent_code, _first_message(exc))
    # Units already in Siaga, not in the file, whose parent changes kind must still fit under it.
    for code, unit in existing.items():
        parent_code = plan.parent_codes[code]
        parent_row = parsed.get(parent_code)
        if code in parsed or parent_row is None or parent_row.kind in (None, existing[parent_code].kind):
            continue
        try:
            services.unit_validate_parent(
                unit=proposed[code], kind=unit.kind, parent=proposed[parent_code], government_id=government.pk
            )
        except ValidationError as exc:
            errors.add(
                parent_row.row,
                "jenis",
                parent_row.kind_raw,
                _("%(name)s (%(code)s) sits under this unit and would no longer fit: %(reason)s")
                % {"name": unit.name, "code": code, "reason": _first_message(exc)},
            )
    if errors:
        return plan
    for r in parsed.values():
        base = existing.get(r.code)
        if base is None:
            plan.creates.append(r)
        elif (base.name, base.kind, plan.parent_codes[r.code], base.public_service) == (
            r.name,
            r.kind,
            r.parent_code,
            r.public_service,
        ):
            plan.unchanged += 1
        else:
            plan.updates.append(r)
    return plan


# ---------------------------------------------------------------------------------------------------
# Employees


@dataclass(slots=True)
class _EmployeeRow:
    row: int
    nip: str
    name: str
    unit_id: int
    position_key: tuple[int, str] | None
    status: str
    birth_date: dt.date
    sex: str
    email: str
    phone: str
    skills: frozenset[str]


@dataclass(slots=True)
class _NewPosition:
    unit_id: int
    name: str
    kind: str
    level: str
    row: int


@dataclass(slots=True)
class _ExistingEmployee:
    pk: int
    name: str
    unit_id: int
    position_id: int | None
    status: str
    email: str
    phone: str
    building_id: int | None
    floor_id: int | None


@dataclass
class _EmployeePlan:
    government: Government
    units: dict[int, tuple[str, int | None, int | None]]  # id → (code, building id, floor id)
    positions: dict[tuple[int, str], int]
    new_positions: dict[tuple[int, str], _NewPosition]
    skills: dict[str, int]
    existing_skills: dict[int, dict[str, int]]  # employee id → {skill code: through-row id}
    creates: list[_EmployeeRow] = field(default_factory=list)
    updates: list[tuple[_EmployeeRow, _ExistingEmployee]] = field(default_factory=list)
    unchanged: int = 0

    def write(self) -> None:
        government = self.government
        position_ids = dict(self.positions)
        if self.new_positions:
            units = Unit.objects.in_bulk({p.unit_id for p in self.new_positions.values()})
            for key, spec in self.new_positions.items():
                position, _created = services.position_get_or_create(
                    unit=units[spec.unit_id], name=spec.name, kind=spec.kind, level=spec.level
                )
                position_ids[key] = position.pk
        skill_ids = dict(self.skills)
        wanted = {code for r in self.creates for code in r.skills} | {
            code for r, _e in self.updates for code in r.skills
        }
        missing = sorted(wanted - set(skill_ids))
        if missing:
            skill_ids.update({s.code: s.pk for s in services.skills_for_codes(government=government, codes=missing)})

        created = [
            Employee(
                government=government,
                nip=r.nip,
                name=r.name,
                unit_id=r.unit_id,
                position_id=position_ids[r.position_key] if r.position_key else None,
                status=r.status,
                birth_date=r.birth_date,
                sex=r.sex,
                email=r.email,
                phone=r.phone,
                building_id=self.units[r.unit_id][1],
                floor_id=self.units[r.unit_id][2],
            )
            for r in self.creates
        ]
        for start in range(0, len(created), BATCH_SIZE):
            Employee.objects.bulk_create(created[start : start + BATCH_SIZE])
        if any(e.pk is None for e in created):  # databases that do not return ids from a bulk insert
            ids = dict(
                Employee.objects.filter(government=government, nip__in=[e.nip for e in created]).values_list(
                    "nip", "pk"
                )
            )
            for employee in created:
                employee.pk = ids[employee.nip]

        now = timezone.now()
        changed = []
        for r, before in self.updates:
            building_id, floor_id = before.building_id, before.floor_id
            if r.unit_id != before.unit_id:
                # Follow the new unit's office, unless the employee had one of their own.
                _code, old_building, old_floor = self.units[before.unit_id]
                if (building_id, floor_id) == (old_building, old_floor):
                    building_id, floor_id = self.units[r.unit_id][1], self.units[r.unit_id][2]
            changed.append(
                Employee(
                    pk=before.pk,
                    name=r.name,
                    unit_id=r.unit_id,
                    position_id=position_ids[r.position_key] if r.position_key else None,
                    status=r.status,
                    email=r.email,
                    phone=r.phone,
                    building_id=building_id,
                    floor_id=floor_id,
                    updated_at=now,
                )
            )
        _update_rows(
            Employee,
            ["name", "unit", "position", "status", "email", "phone", "building", "floor", "updated_at"],
            changed,
        )

        through = Employee.skills.through
        links = [
            through(employee_id=employee.pk, skill_id=skill_ids[code])
            for employee, r in zip(created, self.creates, strict=True)
            for code in sorted(r.skills)
        ]
        stale: list[int] = []
        for r, before in self.updates:
            held = self.existing_skills.get(before.pk, {})
            links += [through(employee_id=before.pk, skill_id=skill_ids[c]) for c in sorted(r.skills - set(held))]
            stale += [link_id for code, link_id in held.items() if code not in r.skills]
        for start in range(0, len(stale), BATCH_SIZE):
            through.objects.filter(pk__in=stale[start : start + BATCH_SIZE]).delete()
        for start in range(0, len(links), BATCH_SIZE):
            through.objects.bulk_create(links[start : start + BATCH_SIZE])


def _plan_employees(
    government: Government,
    table: _Table,
    index: dict[str, int],
    errors: _Errors,
    progress: ProgressCallback | None,
) -> _EmployeePlan:
    units: dict[int, tuple[str, int | None, int | None]] = {}
    unit_by_code: dict[str, int] = {}
    unit_by_folded: dict[str, str] = {}
    unit_names: dict[int, str] = {}
    for pk, code, name, building_id, floor_id in Unit.objects.filter(government=government).values_list(
        "pk", "code", "name", "building_id", "floor_id"
    ):
        units[pk] = (code, building_id, floor_id)
        unit_by_code[code] = pk
        unit_by_folded.setdefault(code.casefold(), code)
        unit_names[pk] = name
    positions: dict[tuple[int, str], int] = {}
    position_kinds: dict[tuple[int, str], tuple[str, str, str]] = {}  # key → (kind, level, name)
    for pk, position_unit_id, name, kind, level in (
        Position.objects.filter(government=government)
        .order_by("pk")
        .values_list("pk", "unit_id", "name", "kind", "level")
    ):
        key = (position_unit_id, _spaces(name).casefold())
        if key not in positions or name == _spaces(name):  # prefer the exact spelling
            positions[key] = pk
            position_kinds[key] = (kind, level, name)
    existing: dict[str, _ExistingEmployee] = {
        nip: _ExistingEmployee(pk, name, unit_id, position_id, status, email, phone, building_id, floor_id)
        for nip, pk, name, unit_id, position_id, status, email, phone, building_id, floor_id in Employee.objects.filter(
            government=government
        ).values_list(
            "nip", "pk", "name", "unit_id", "position_id", "status", "email", "phone", "building_id", "floor_id"
        )
    }
    skills = dict(Skill.objects.filter(government=government).values_list("code", "pk"))
    skill_codes = {pk: code for code, pk in skills.items()}
    existing_skills: dict[int, dict[str, int]] = defaultdict(dict)
    for link_id, employee_id, skill_id in Employee.skills.through.objects.filter(
        skill__government=government
    ).values_list("pk", "employee_id", "skill_id"):
        existing_skills[employee_id][skill_codes[skill_id]] = link_id
    plan = _EmployeePlan(
        government=government,
        units=units,
        positions=positions,
        new_positions={},
        skills=skills,
        existing_skills=existing_skills,
    )

    seen_nips: dict[str, int] = {}
    rows: list[_EmployeeRow] = []
    kindless: dict[tuple[int, str], list[tuple[_Row, str]]] = defaultdict(list)
    total = len(table.rows)
    for done, (number, cells) in enumerate(table.rows, start=1):
        row = _Row(table, index, number, cells, errors)
        status_raw = row["status"]
        status = STATUSES.get(_compact(status_raw))
        if status is None and "status" not in row.failed:
            row.error("status", _("Write pns or pppk in status."))
        nip_raw = row["nip"]
        nip = ""
        info = None
        if "nip" not in row.failed:
            if not nip_raw:
                row.error("nip", _("Fill in the NIP (18 digits)."))
            elif _SCIENTIFIC.match(nip_raw):
                row.error("nip", _nip_as_number(nip_raw))
            else:
                try:
                    info = parse_nip(nip_raw, pppk=status == Employee.Status.PPPK)
                except ValidationError as exc:
                    row.error("nip", _first_message(exc))
                else:
                    nip = info.nip
                    if nip in seen_nips:
                        row.error(
                            "nip",
                            _("NIP %(nip)s already appears in row %(row)d; each employee takes one row.")
                            % {"nip": nip, "row": seen_nips[nip]},
                        )
                    else:
                        seen_nips[nip] = number
        name = row.text("nama", limit=150, required_message=_("Fill in nama, the employee's name."))
        unit_code = row.required("unit", _("Fill in unit: the code of the employee's unit."))
        unit_id = unit_by_code.get(unit_code) if unit_code else None
        if unit_code and unit_id is None and "unit" not in row.failed:
            suggestion = unit_by_folded.get(unit_code.casefold())
            row.error(
                "unit",
                _("No unit has the code %(code)s; did you mean %(suggestion)s? Codes are case-sensitive.")
                % {"code": unit_code, "suggestion": suggestion}
                if suggestion
                else _("No unit has the code %(code)s in this government; import the units first or correct the code.")
                % {"code": unit_code},
            )

        position_key: tuple[int, str] | None = None
        position_name = row.text("jabatan", limit=200)
        kind_raw = row["jenis_jabatan"]
        kind_level = POSITION_KINDS.get(_compact(kind_raw)) if kind_raw else None
        if kind_raw and kind_level is None and "jenis_jabatan" not in row.failed:
            row.error(
                "jenis_jabatan",
                _("Write one of %(kinds)s in jenis_jabatan.") % {"kinds": POSITION_KIND_NAMES},
            )
        if not position_name:
            if kind_level is not None and "jabatan" not in row.failed:
                row.error(
                    "jabatan",
                    _(
                        "jenis_jabatan is filled in but jabatan is empty: write the position's name or clear "
                        "jenis_jabatan."
                    ),
                )
        elif unit_id is not None and "jenis_jabatan" not in row.failed:
            position_key = (unit_id, position_name.casefold())
            if position_key in positions:
                kind, level, recorded = position_kinds[position_key]
                if kind_level is not None and kind_level != (kind, level):
                    row.error(
                        "jenis_jabatan",
                        _(
                            "The position %(position)s of %(unit)s is recorded as %(recorded)s; write %(recorded)s "
                            "or leave jenis_jabatan empty."
                        )
                        % {"position": recorded, "unit": unit_code, "recorded": _position_label(kind, level)},
                    )
            elif kind_level is None:
                kindless[position_key].append((row, unit_code))
            else:
                planned = plan.new_positions.get(position_key)
                if planned is None:
                    plan.new_positions[position_key] = _NewPosition(
                        unit_id=unit_id, name=position_name, kind=kind_level[0], level=kind_level[1], row=number
                    )
                elif (planned.kind, planned.level) != kind_level:
                    row.error(
                        "jenis_jabatan",
                        _(
                            "Row %(row)d gives the new position %(position)s of %(unit)s as %(other)s; give the "
                            "same jenis_jabatan in every row of this position."
                        )
                        % {
                            "row": planned.row,
                            "position": planned.name,
                            "unit": unit_code,
                            "other": _position_label(planned.kind, planned.level),
                        },
                    )

        email = row["email"]
        if email:
            try:
                validate_email(email)
                if len(email) > 254:
                    raise ValidationError("too long")
            except ValidationError:
                row.error("email", _("This is not an e-mail address; write it like nama@contoh.go.id."))
        phone = row["no_hp"]
        if phone:
            try:
                phone = parse_phone(phone)
            except ValidationError as exc:
                row.error("no_hp", _first_message(exc))
        skill_set: set[str] = set()
        for item in re.split(r"[;,]", row["keahlian"]):
            code = _key(item)
            if not code:
                continue
            if not _SKILL.match(code) or len(code) > 40:
                row.error(
                    "keahlian",
                    _(
                        "The skill %(skill)s may use only letters a–z, digits and _ (at most 40), e.g. "
                        "front_office; separate skills with ;."
                    )
                    % {"skill": item.strip()},
                )
                break
            skill_set.add(code)

        if not row.failed and info is not None and unit_id is not None and status is not None:
            rows.append(
                _EmployeeRow(
                    row=number,
                    nip=nip,
                    name=name,
                    unit_id=unit_id,
                    position_key=position_key,
                    status=status,
                    birth_date=info.birth_date,
                    sex=info.sex,
                    email=email,
                    phone=phone,
                    skills=frozenset(skill_set),
                )
            )
        if progress and done % PROGRESS_EVERY == 0:
            progress(done, total)

    for key, waiting in kindless.items():
        if key in plan.new_positions:
            continue
        for row, unit_code in waiting:
            row.error(
                "jenis_jabatan",
                _(
                    "The position %(position)s does not exist yet in %(unit)s; fill in jenis_jabatan so that it "
                    "can be created."
                )
                % {"position": row["jabatan"], "unit": unit_code},
            )
    if errors:
        return plan

    for r in rows:
        before = existing.get(r.nip)
        if before is None:
            plan.creates.append(r)
            continue
        position_id = positions.get(r.position_key) if r.position_key else None
        same = (
            (before.name, before.unit_id, before.status, before.email, before.phone)
            == (r.name, r.unit_id, r.status, r.email, r.phone)
            and (r.position_key is None or r.position_key not in plan.new_positions)
            and before.position_id == position_id
            and set(existing_skills.get(before.pk, {})) == r.skills
        )
        if same:
            plan.unchanged += 1
        else:
            plan.updates.append((r, before))
    return plan


# ---------------------------------------------------------------------------------------------------
# The entry point


def run_import(
    *,
    government: Government,
    kind: str,
    file_name: str,
    content: bytes,
    actor: Any = None,
    progress: ProgressCallback | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """Check every row of a units or employees file, then write it all in one transaction, or nothing.

    ``progress(done, total)`` is called every ``PROGRESS_EVERY`` rows while checking, and once at the
    end. With ``dry_run`` the file is only checked: the report tells what would be done.
    """
    if kind not in COLUMNS:
        raise ValueError(f"unknown import kind {kind!r}")
    report = ImportReport(kind=kind, dry_run=dry_run)
    try:
        table = _read_table(check_upload(file_name, content), content)
        index = _check_header(table, kind)
    except ValidationError as exc:
        report.message = " ".join(exc.messages)
        return report
    except _FileError as exc:
        report.message = str(exc)
        return report
    report.rows = total = len(table.rows)
    if not total:
        report.message = _("The file has column names in row 1 but no rows below them; there is nothing to import.")
        return report

    errors = _Errors()
    plan: _UnitPlan | _EmployeePlan
    if kind == "units":
        plan = _plan_units(government, table, index, errors, progress)
    else:
        plan = _plan_employees(government, table, index, errors, progress)
    del table
    if errors:
        order = {column: i for i, column in enumerate(COLUMNS[kind])}
        report.errors = sorted(errors.listed, key=lambda e: (e.row, order.get(e.column, len(order))))
        if errors.count > len(errors.listed):
            report.message = _(
                "Only the first %(listed)d of %(count)d errors are listed; fix them and upload again."
            ) % {
                "listed": len(errors.listed),
                "count": errors.count,
            }
        return report

    report.created, report.updated, report.unchanged = len(plan.creates), len(plan.updates), plan.unchanged
    if not dry_run:
        try:
            with transaction.atomic():
                plan.write()
                audit_record(
                    actor=actor,
                    government=government,
                    action="import",
                    object_type="org.unit" if kind == "units" else "org.employee",
                    object_repr=PurePath(file_name).name,
                    changes={
                        "file": PurePath(file_name).name,
                        "rows": total,
                        "created": report.created,
                        "updated": report.updated,
                        "unchanged": report.unchanged,
                    },
                )
        except IntegrityError:
            report.created = report.updated = report.unchanged = 0
            report.message = _(
                "Someone changed the same records while this file was being checked, so nothing was saved. "
                "Upload the file again."
            )
            return report
    if progress:
        progress(total, total)
    report.ok = True
    return report
