"""Import of units and employees from CSV or XLSX files.

Columns (Indonesian headers, as BKPSDM's spreadsheets use them):
- units: ``kode,nama,jenis,induk,layanan_publik``
- employees: ``nip,nama,unit,jabatan,jenis_jabatan,status,email,no_hp,keahlian`` (``keahlian`` separated by ``;``)
"""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook

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
