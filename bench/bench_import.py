"""Import of 10,000 employees (XLSX and CSV) over 40 units, on SQLite and PostgreSQL.

Each database is measured in a fresh child process (``python -m bench.bench_import child DIR``) that
migrates an empty database, imports the units, then times:

- *check only* (``dry_run``: read, parse and validate every row, write nothing): the baseline, i.e. the
  cost of the work any import must do before it may write; the ratio of the other figures to it shows
  what writing adds;
- the first import of the XLSX file (10,000 created), the re-import of the same XLSX file and of the
  CSV file (10,000 unchanged), and a CSV where every phone number changed (10,000 updated);
- the peak resident memory of that process (``ru_maxrss``), and its size before the first import.

Targets: an import of 10,000 employees in ≤ 20 s, in ≤ 500 MB.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import Row, postgres_available, print_table, run_child, sqlite_env, temporary_postgres_database

N_EMPLOYEES = 10_000
TARGET_SECONDS = 20.0
TARGET_MB = 500.0

FIRST_NAMES = ["Budi", "Siti", "Agus", "Dewi", "Eko", "Sri", "Joko", "Rina", "Hadi", "Wulan", "Bambang", "Yuni"]
LAST_NAMES = ["Santoso", "Aminah", "Wibowo", "Lestari", "Prasetyo", "Rahayu", "Setiawan", "Handayani", "Susilo"]
SKILLS = ["front_office", "verifier", "signer", "driver", "it_support", "archivist"]


def make_files(directory: Path) -> None:
    """Write units.xlsx (40 units), employees.xlsx / employees.csv (10,000 rows) and employees-changed.csv."""
    from openpyxl import Workbook

    from siaga.org.identifiers import make_nip
    from siaga.org.imports import EMPLOYEE_COLUMNS, UNIT_COLUMNS

    rng = random.Random(20201005)  # reproducible synthetic data
    units: list[list[str]] = []
    positions: dict[str, list[tuple[str, str]]] = {}
    for d in range(1, 11):
        code = f"DINAS{d:02d}"
        units.append([code, f"Dinas Nomor {d}", "dinas", "", "ya" if d % 2 else "tidak"])
        positions[code] = [("Kepala Dinas", "jpt_pratama"), ("Sekretaris", "administrator")]
        for b in range(1, 4):
            sub = f"{code}-B{b}"
            units.append([sub, f"Bidang {b} Dinas {d}", "bidang", code, "tidak"])
            positions[sub] = [("Kepala Bidang", "administrator"), ("Kepala Seksi", "pengawas")]
    for code in positions:
        positions[code] += [("Analis Kebijakan", "fungsional"), ("Pengadministrasi Umum", "pelaksana")]

    book = Workbook(write_only=True)
    sheet = book.create_sheet("unit")
    sheet.append(UNIT_COLUMNS)
    for unit in units:
        sheet.append(unit)
    book.save(directory / "units.xlsx")

    rows: list[list[str]] = []
    serials: dict[str, int] = {}
    codes = list(positions)
    for i in range(N_EMPLOYEES):
        birth = dt.date(1965 + rng.randrange(30), 1 + rng.randrange(12), 1 + rng.randrange(28))
        appointed = (birth.year + 20 + rng.randrange(10), 1 + rng.randrange(12))
        sex = rng.choice("MF")
        prefix = f"{birth:%Y%m%d}{appointed[0]:04d}{appointed[1]:02d}{sex}"
        serials[prefix] = serials.get(prefix, 0) + 1
        nip = make_nip(birth=birth, appointed=appointed, sex=sex, serial=serials[prefix])
        unit = codes[i % len(codes)]
        turn = i // len(codes)  # the first two people of each unit hold its structural posts
        title, kind = positions[unit][turn if turn < 2 else 2 + rng.randrange(2)]
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        rows.append(
            [
                nip,
                name,
                unit,
                title,
                kind,
                "pns",
                f"pegawai{i}@example.go.id",
                f"0812{rng.randrange(10**8):08d}",
                ";".join(rng.sample(SKILLS, rng.randrange(3))),
            ]
        )

    book = Workbook(write_only=True)
    sheet = book.create_sheet("pegawai")
    sheet.append(EMPLOYEE_COLUMNS)
    for row in rows:
        sheet.append(row)
    book.save(directory / "employees.xlsx")

    def write_csv(name: str, data: list[list[str]]) -> None:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(EMPLOYEE_COLUMNS)
        writer.writerows(data)
        (directory / name).write_bytes(buffer.getvalue().encode("utf-8-sig"))

    write_csv("employees.csv", rows)
    write_csv("employees-changed.csv", [[*row[:7], f"0813{i:08d}", row[8]] for i, row in enumerate(rows)])


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(directory: Path) -> None:
    """In a fresh process: migrate, import, print the figures as one JSON line."""
    import django

    django.setup()
    from django.core.management import call_command

    from siaga.core.models import Government
    from siaga.org.imports import run_import
    from siaga.org.models import Employee

    call_command("migrate", verbosity=0)
    government = Government.objects.create(code="33.11", name="Kabupaten Bench", kind="kabupaten")
    figures: dict[str, Any] = {"rss_before_mb": _peak_mb()}

    def timed(name: str, file_name: str, **expect: int) -> None:
        content = (directory / file_name).read_bytes()
        kind = "units" if file_name.startswith("units") else "employees"
        start = time.perf_counter()
        report = run_import(
            government=government,
            kind=kind,
            file_name=file_name,
            content=content,
            dry_run=name.startswith("check"),
        )
        seconds = time.perf_counter() - start
        got = {key: getattr(report, key) for key in expect}
        if not report.ok or got != expect:
            raise SystemExit(f"{name}: expected {expect}, got {report.to_dict()}"[:2000])
        figures[name] = seconds
        figures[f"{name}_rss_mb"] = _peak_mb()

    timed("units", "units.xlsx", created=40)
    timed("check_xlsx", "employees.xlsx", created=N_EMPLOYEES)
    timed("check_csv", "employees.csv", created=N_EMPLOYEES)
    timed("first_xlsx", "employees.xlsx", created=N_EMPLOYEES)
    timed("again_xlsx", "employees.xlsx", unchanged=N_EMPLOYEES)
    timed("again_csv", "employees.csv", unchanged=N_EMPLOYEES)
    timed("changed_csv", "employees-changed.csv", updated=N_EMPLOYEES)
    assert Employee.objects.filter(government=government).count() == N_EMPLOYEES
    figures["peak_mb"] = _peak_mb()
    print(json.dumps(figures))


def measure(directory: Path, env: dict[str, str]) -> dict[str, float]:
    _seconds, _rss, out = run_child("bench.bench_import", ["child", str(directory)], env)
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return result


def rows_for(label: str, f: dict[str, float]) -> list[Row]:
    xlsx, csv_ = f["check_xlsx"], f["check_csv"]
    seconds = f"≤ {TARGET_SECONDS:.0f} s"
    return [
        Row(f"{label}: check only XLSX (baseline)", xlsx, "s", xlsx),
        Row(f"{label}: first import XLSX, 10,000 created", f["first_xlsx"], "s", xlsx, seconds),
        Row(f"{label}: re-import XLSX, 10,000 unchanged", f["again_xlsx"], "s", xlsx, seconds),
        Row(f"{label}: check only CSV (baseline)", csv_, "s", csv_),
        Row(f"{label}: re-import CSV, 10,000 unchanged", f["again_csv"], "s", csv_, seconds),
        Row(f"{label}: CSV with new phones, 10,000 updated", f["changed_csv"], "s", csv_, seconds),
        Row(
            f"{label}: peak RSS (baseline: before import)",
            f["peak_mb"],
            "MB",
            f["rss_before_mb"],
            f"≤ {TARGET_MB:.0f} MB",
        ),
    ]


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="siaga-bench-import-") as tmp:
        directory = Path(tmp)
        # The files are made with Siaga's own column lists and NIP rules; no database is opened here.
        os.environ["SIAGA_VAR_DIR"] = tmp
        import django

        django.setup()
        start = time.perf_counter()
        make_files(directory)
        print(f"generated {N_EMPLOYEES:,} employees in {time.perf_counter() - start:.1f} s", file=sys.stderr)
        rows: list[Row] = []
        with sqlite_env() as env:
            rows += rows_for("SQLite", measure(directory, env))
        if postgres_available():
            with temporary_postgres_database(os.environ["BENCH_POSTGRES_URL"]) as env:
                rows += rows_for("PostgreSQL", measure(directory, env))
        else:
            print("BENCH_POSTGRES_URL is not set: PostgreSQL skipped (make bench sets it)", file=sys.stderr)
    print_table(
        "Import of 10,000 employees over 40 units (time baseline: check only = read and validate the same "
        "file, write nothing)",
        rows,
    )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "child":
        child(Path(sys.argv[2]))
    else:
        main()
