"""Spreadsheet files for the import tests, written the way spreadsheet programs write them."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook

from siaga.org.identifiers import make_nip
from siaga.org.imports import EMPLOYEE_COLUMNS, UNIT_COLUMNS

#: Valid NIPs: born 15 June 1985, appointed March 2010, female, serials 1, 2, 3…
NIP1 = make_nip(birth=dt.date(1985, 6, 15), appointed=(2010, 3), sex="F", serial=1)
NIP2 = make_nip(birth=dt.date(1979, 11, 2), appointed=(2004, 1), sex="M", serial=2)
NIP3 = make_nip(birth=dt.date(1990, 1, 20), appointed=(2015, 12), sex="M", serial=3)
#: A PPPK number: digits 13–14 (25) count the contract, they are not a month.
NIP_PPPK = "199001012022251001"


def csv_bytes(
    rows: Sequence[Sequence[Any]],
    header: Sequence[str] = EMPLOYEE_COLUMNS,
    *,
    delimiter: str = ",",
    bom: bool = False,
) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig" if bom else "utf-8")


def xlsx_bytes(rows: Sequence[Sequence[Any]], header: Sequence[str] = EMPLOYEE_COLUMNS) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def employee(nip: str = NIP1, **values: Any) -> list[Any]:
    """An employees row with sensible values; keyword arguments override columns by name."""
    row = {
        "nip": nip,
        "nama": "Sri Lestari",
        "unit": "DPMPTSP-PEL",
        "jabatan": "Pengadministrasi Perizinan",
        "jenis_jabatan": "pelaksana",
        "status": "pns",
        "email": "sri@example.go.id",
        "no_hp": "081234567001",
        "keahlian": "front_office",
    }
    unknown = set(values) - set(row)
    assert not unknown, unknown
    row.update(values)
    return [row[column] for column in EMPLOYEE_COLUMNS]


def unit(code: str, kind: str = "dinas", parent: str = "", **values: Any) -> list[Any]:
    row = {"kode": code, "nama": values.pop("nama", f"Unit {code}"), "jenis": kind, "induk": parent}
    row["layanan_publik"] = values.pop("layanan_publik", "")
    assert not values, values
    return [row[column] for column in UNIT_COLUMNS]
