"""``siaga import units|employees FILE --government CODE``, run as the ``siaga`` program runs it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from siaga.cli import main
from siaga.org.imports import UNIT_COLUMNS
from siaga.org.models import Employee, Unit
from siaga.org.tests.importfiles import NIP1, NIP2, csv_bytes, employee, unit, xlsx_bytes

# The command closes the database connections when it ends, as the real program does; a test
# transaction would not survive that, so these tests commit and the database is emptied afterwards.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def siaga(*args: str) -> int:
    """Run ``siaga ARGS…`` in this process; return its exit status."""
    try:
        main(["siaga", *args])
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def test_it_imports_employees_and_prints_the_counts(
    org: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "pegawai.xlsx"
    path.write_bytes(xlsx_bytes([employee(NIP1), employee(NIP2)]))

    status = siaga("import", "employees", str(path), "--government", "33.11")

    out, err = capsys.readouterr()
    assert (status, out, err) == (0, "Employees: 2 created, 0 updated, 0 unchanged.\n", "")
    assert Employee.objects.filter(nip__in=[NIP1, NIP2]).count() == 2

    assert siaga("import", "employees", str(path), "--government", "33.11") == 0
    assert capsys.readouterr().out == "Employees: 0 created, 0 updated, 2 unchanged.\n"


def test_it_imports_units(org: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "unit.csv"
    path.write_bytes(csv_bytes([unit("DINSOS-BID1", "bidang", "DINSOS"), unit("DINSOS")], header=UNIT_COLUMNS))

    assert siaga("import", "units", str(path), "--government", "33.11") == 0

    assert capsys.readouterr().out == "Units: 2 created, 0 updated, 0 unchanged.\n"
    assert Unit.objects.get(code="DINSOS-BID1").parent == Unit.objects.get(code="DINSOS")


def test_it_exits_with_status_1_prints_the_errors_and_writes_nothing(
    org: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "pegawai.csv"
    path.write_bytes(csv_bytes([employee(NIP1), employee("19850615201003200", status="honorer")]))
    before = Employee.objects.count()

    status = siaga("import", "employees", str(path), "--government", "33.11")

    out, err = capsys.readouterr()
    assert status == 1
    assert out.splitlines() == [
        "Row  Column  Value              What to fix",
        "---  ------  -----------------  -----------",
        "3    nip     19850615201003200  NIP must be 18 digits; 17 digits were entered.",
        "3    status  honorer            Write pns or pppk in status.",
    ]
    assert err == "CommandError: Nothing was imported: 2 errors in pegawai.csv.\n"
    assert Employee.objects.count() == before


def test_it_prints_a_problem_with_the_whole_file(
    org: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "foto.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")

    assert siaga("import", "employees", str(path), "--government", "33.11") == 1

    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        "“foto.csv” is not a CSV text file. Save the spreadsheet as CSV UTF-8 (comma delimited) and upload that "
        "file.\nCommandError: Nothing was imported: 1 error in foto.csv.\n"
    )


def test_it_refuses_an_unknown_government_code(
    org: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "pegawai.csv"
    path.write_bytes(csv_bytes([employee(NIP1)]))

    assert siaga("import", "employees", str(path), "--government", "33.99") == 1

    assert capsys.readouterr().err == "CommandError: No government has the region code 33.99. Known codes: 33.11.\n"
    assert not Employee.objects.filter(nip=NIP1).exists()


def test_it_refuses_a_missing_file(org: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "tidak-ada.csv"

    assert siaga("import", "units", str(path), "--government", "33.11") == 1

    assert capsys.readouterr().err == f"CommandError: Cannot read {path}: No such file or directory.\n"


def test_a_dry_run_checks_the_file_and_writes_nothing(
    org: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "pegawai.csv"
    path.write_bytes(csv_bytes([employee(NIP1)]))

    assert siaga("import", "employees", str(path), "--government", "33.11", "--dry-run") == 0

    assert capsys.readouterr().out == (
        "Employees: the file is valid; 1 would be created, 0 updated, 0 unchanged. Nothing was saved (check only).\n"
    )
    assert not Employee.objects.filter(nip=NIP1).exists()
