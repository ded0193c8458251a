"""Import of units and employees (``siaga.org.imports.run_import``): reading, checking, writing."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from openpyxl import Workbook

from siaga.core.models import AuditEvent, Government
from siaga.org import imports, services
from siaga.org.imports import UNIT_COLUMNS, RowError, check_upload, run_import
from siaga.org.models import Employee, Position, Skill, Unit, UnitKind
from siaga.org.tests.importfiles import NIP1, NIP2, NIP3, NIP_PPPK, csv_bytes, employee, unit, xlsx_bytes

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def import_employees(government: Government, content: bytes, name: str = "pegawai.csv", **kw: Any) -> Any:
    return run_import(government=government, kind="employees", file_name=name, content=content, **kw)


def import_units(government: Government, content: bytes, name: str = "unit.csv", **kw: Any) -> Any:
    return run_import(government=government, kind="units", file_name=name, content=content, **kw)


def errors_of(report: Any) -> list[tuple[int, str, str, str]]:
    return [(e.row, e.column, e.value, e.message) for e in report.errors]


def counts() -> dict[str, int]:
    return {
        "units": Unit.objects.count(),
        "employees": Employee.objects.count(),
        "positions": Position.objects.count(),
        "skills": Skill.objects.count(),
        "links": Employee.skills.through.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


# ---------------------------------------------------------------------------------------------------
# Employees: reading and writing


def test_it_imports_employees_from_xlsx_with_identity_position_and_skills(org: dict[str, Any]) -> None:
    government = org["government"]
    content = xlsx_bytes(
        [
            employee(NIP1, keahlian="front_office; Verifier", no_hp="+62 812-3456-7001"),
            employee(NIP2, nama="Agus  Wibowo", unit="DPMPTSP", jabatan="Sekretaris", jenis_jabatan="Administrator"),
        ]
    )

    report = import_employees(government, content, "pegawai.xlsx")

    assert (report.ok, report.created, report.updated, report.unchanged, report.errors) == (True, 2, 0, 0, [])
    sri = Employee.objects.get(government=government, nip=NIP1)
    assert (sri.name, sri.unit, sri.status, sri.email, sri.phone) == (
        "Sri Lestari",
        org["pelayanan"],
        "pns",
        "sri@example.go.id",
        "081234567001",
    )
    assert (sri.birth_date, sri.sex) == (dt.date(1985, 6, 15), "F")
    assert sorted(sri.skills.values_list("code", flat=True)) == ["front_office", "verifier"]
    assert sri.position is not None
    assert (sri.position.name, sri.position.kind, sri.position.level, sri.position.is_head) == (
        "Pengadministrasi Perizinan",
        "pelaksana",
        "",
        False,
    )
    agus = Employee.objects.get(government=government, nip=NIP2)
    assert agus.name == "Agus Wibowo"
    assert agus.position is not None
    # The Dinas already has a JPT Pratama head, so a new administrator post does not take over.
    assert (agus.position.kind, agus.position.level, agus.position.is_head) == ("struktural", "administrator", False)


def test_it_reads_a_semicolon_csv_with_a_byte_order_mark(org: dict[str, Any]) -> None:
    content = csv_bytes([employee(NIP1), employee(NIP2, nama="Budi, S.Kom.")], delimiter=";", bom=True)
    assert content.startswith(b"\xef\xbb\xbfnip;nama;")

    report = import_employees(org["government"], content)

    assert (report.ok, report.created) == (True, 2)
    assert Employee.objects.get(nip=NIP2).name == "Budi, S.Kom."


def test_it_reads_a_comma_csv_with_case_and_space_variants_of_the_column_names(org: dict[str, Any]) -> None:
    header = [" NIP", "Nama", "UNIT", "Jabatan", "Jenis Jabatan", "Status", "E-mail", "No HP", "Keahlian"]
    content = csv_bytes([employee(NIP1)], header=header)

    report = import_employees(org["government"], content)

    assert (report.ok, report.created) == (True, 1)


def with_sheet_xml_replaced(content: bytes, old: bytes, new: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            target.writestr(item, data.replace(old, new) if item.filename.startswith("xl/worksheets/") else data)
    return out.getvalue()


def test_it_recovers_a_nip_stored_as_an_exact_whole_number_in_xlsx(org: dict[str, Any]) -> None:
    # Some generators store a whole number with all its digits (<v>198506152010032001</v>), not as a
    # double the way Excel and openpyxl do; those digits are exact and are kept.
    content = xlsx_bytes([employee(int(NIP1), no_hp=81234567001)])
    content = with_sheet_xml_replaced(content, b"<v>1.98506152010032e+17</v>", f"<v>{NIP1}</v>".encode())
    assert f"<v>{NIP1}</v>".encode() in zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml")

    report = import_employees(org["government"], content, "pegawai.xlsx")

    assert (report.ok, report.created) == (True, 1)
    # A mobile number stored as a number loses its leading 0; it is put back.
    assert Employee.objects.get(nip=NIP1).phone == "081234567001"


def test_it_rejects_a_nip_stored_as_a_float_in_xlsx_and_asks_for_a_text_column(org: dict[str, Any]) -> None:
    content = xlsx_bytes([employee(float(NIP1))])

    report = import_employees(org["government"], content, "pegawai.xlsx")

    assert not report.ok
    assert errors_of(report) == [
        (
            2,
            "nip",
            "1.98506152010032E+17",
            "The NIP was saved as a number (1.98506152010032E+17), and spreadsheets keep only 15 digits of a "
            "number, so digits are lost. Format the nip column as Text, type the NIPs again and save the file.",
        )
    ]


def test_it_rejects_a_nip_in_scientific_notation_in_a_csv(org: dict[str, Any]) -> None:
    report = import_employees(org["government"], csv_bytes([employee("1,98506E+17")], delimiter=";"))

    assert errors_of(report)[0][:3] == (2, "nip", "1,98506E+17")
    assert errors_of(report)[0][3].startswith("The NIP was saved as a number (1,98506E+17)")


def test_it_accepts_a_pppk_number_without_checking_a_month(org: dict[str, Any]) -> None:
    report = import_employees(org["government"], csv_bytes([employee(NIP_PPPK, status="PPPK")]))

    assert (report.ok, report.created) == (True, 1)
    assert Employee.objects.get(nip=NIP_PPPK).status == "pppk"


def test_it_applies_the_month_check_to_the_same_number_for_a_pns(org: dict[str, Any]) -> None:
    report = import_employees(org["government"], csv_bytes([employee(NIP_PPPK, status="pns")]))

    assert errors_of(report) == [
        (
            2,
            "nip",
            NIP_PPPK,
            "Digits 13–14 of the NIP must be the month of appointment (01–12); 25 is not a month.",
        )
    ]


def test_it_counts_created_updated_and_unchanged_rows_on_reimport(org: dict[str, Any]) -> None:
    government = org["government"]
    first = csv_bytes([employee(NIP1), employee(NIP2), employee(NIP3)])
    assert import_employees(government, first).created == 3

    again = import_employees(government, first)
    assert (again.ok, again.created, again.updated, again.unchanged) == (True, 0, 0, 3)

    changed = csv_bytes(
        [employee(NIP1), employee(NIP2, nama="Agus Wibowo"), employee(NIP3), employee(NIP_PPPK, status="pppk")]
    )
    report = import_employees(government, changed)
    assert (report.created, report.updated, report.unchanged) == (1, 1, 2)
    assert Employee.objects.get(nip=NIP2).name == "Agus Wibowo"


def test_it_updates_every_changed_field_of_an_employee_found_by_nip(org: dict[str, Any]) -> None:
    government = org["government"]
    building = services.building_create(government=government, code="menara", name="Gedung Menara Wijaya")
    floor = services.floor_create(building=building, number=3, capacity=40, distancing_capacity=20)
    Unit.objects.filter(pk=org["umum"].pk).update(building=building, floor=floor)
    import_employees(government, csv_bytes([employee(NIP1, keahlian="front_office;verifier")]))
    before = Employee.objects.get(nip=NIP1)

    report = import_employees(
        government,
        csv_bytes(
            [
                employee(
                    NIP1,
                    nama="Sri Lestari Rahayu",
                    unit="DPMPTSP-UMUM",
                    jabatan="Analis Kepegawaian",
                    jenis_jabatan="fungsional",
                    email="sri.rahayu@example.go.id",
                    no_hp="6285712345678",
                    keahlian="verifier;signer",
                )
            ]
        ),
    )

    assert (report.created, report.updated, report.unchanged) == (0, 1, 0)
    sri = Employee.objects.select_related("position").get(nip=NIP1)
    assert sri.pk == before.pk
    assert (sri.name, sri.unit_id, sri.email, sri.phone) == (
        "Sri Lestari Rahayu",
        org["umum"].pk,
        "sri.rahayu@example.go.id",
        "085712345678",
    )
    assert sri.position is not None
    assert (sri.position.name, sri.position.unit_id, sri.position.kind) == (
        "Analis Kepegawaian",
        org["umum"].pk,
        "fungsional",
    )
    # The employee had no office of their own, so they follow their new unit's building and floor.
    assert (sri.building_id, sri.floor_id) == (building.pk, floor.pk)
    assert sorted(sri.skills.values_list("code", flat=True)) == ["signer", "verifier"]
    assert sri.updated_at > before.updated_at
    assert (sri.birth_date, sri.sex, sri.created_at) == (before.birth_date, before.sex, before.created_at)


def test_it_clears_optional_fields_left_empty_on_reimport(org: dict[str, Any]) -> None:
    government = org["government"]
    import_employees(government, csv_bytes([employee(NIP1)]))

    report = import_employees(
        government, csv_bytes([employee(NIP1, jabatan="", jenis_jabatan="", email="", no_hp="", keahlian="")])
    )

    assert report.updated == 1
    sri = Employee.objects.get(nip=NIP1)
    assert (sri.position_id, sri.email, sri.phone, list(sri.skills.all())) == (None, "", "", [])


def test_it_uses_an_existing_position_whatever_the_case_of_its_name(org: dict[str, Any]) -> None:
    report = import_employees(
        org["government"], csv_bytes([employee(NIP1, unit="DPMPTSP", jabatan="kepala  dinas", jenis_jabatan="")])
    )

    assert report.ok
    assert Employee.objects.get(nip=NIP1).position == org["kadis"].position
    assert Position.objects.filter(unit=org["dinas"]).count() == 1


def test_it_makes_a_new_top_structural_post_the_head_of_a_unit_without_one(org: dict[str, Any]) -> None:
    import_employees(
        org["government"],
        csv_bytes(
            [
                employee(NIP1, unit="DPMPTSP-UMUM", jabatan="Kepala Subbagian", jenis_jabatan="pengawas"),
                employee(NIP2, unit="DPMPTSP-UMUM", jabatan="Kepala Bidang Umum", jenis_jabatan="administrator"),
            ]
        ),
    )

    heads = Position.objects.filter(unit=org["umum"], is_head=True)
    assert [p.name for p in heads] == ["Kepala Bidang Umum"]


def test_it_takes_the_kind_of_a_new_position_from_any_row_that_gives_it(org: dict[str, Any]) -> None:
    report = import_employees(
        org["government"],
        csv_bytes(
            [
                employee(NIP1, jabatan="Arsiparis", jenis_jabatan=""),
                employee(NIP2, jabatan="Arsiparis", jenis_jabatan="JF"),
            ]
        ),
    )

    assert (report.ok, report.created) == (True, 2)
    assert Position.objects.get(unit=org["pelayanan"], name="Arsiparis").kind == "fungsional"


def test_it_records_one_audit_event_with_the_counts(org: dict[str, Any]) -> None:
    government = org["government"]
    admin = org["users"]["admin"]
    import_employees(government, csv_bytes([employee(NIP1)]), actor=admin)
    before = AuditEvent.objects.count()

    import_employees(government, csv_bytes([employee(NIP1, nama="Sri L."), employee(NIP2)]), actor=admin)

    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.actor, event.government, event.object_type, event.object_repr) == (
        "import",
        admin,
        government,
        "org.employee",
        "pegawai.csv",
    )
    assert event.changes == {"file": "pegawai.csv", "rows": 2, "created": 1, "updated": 1, "unchanged": 0}


def test_it_reports_progress_every_500_rows_and_at_the_end(org: dict[str, Any]) -> None:
    rows = [
        employee(make_serial_nip(i), email=f"p{i}@example.go.id", no_hp=f"0812{i:08d}", keahlian="")
        for i in range(1, 1201)
    ]
    calls: list[tuple[int, int]] = []

    report = import_employees(
        org["government"], csv_bytes(rows), progress=lambda done, total: calls.append((done, total))
    )

    assert (report.ok, report.created) == (True, 1200)
    assert calls == [(500, 1200), (1000, 1200), (1200, 1200)]


def make_serial_nip(serial: int) -> str:
    from siaga.org.identifiers import make_nip

    return make_nip(birth=dt.date(1980 + serial // 999, 1, 1), appointed=(2010, 1), sex="M", serial=serial % 999 + 1)


def test_a_check_only_run_reports_what_would_change_and_writes_nothing(org: dict[str, Any]) -> None:
    before = counts()

    report = import_employees(org["government"], csv_bytes([employee(NIP1), employee(NIP2)]), dry_run=True)

    assert (report.ok, report.dry_run, report.created) == (True, True, 2)
    assert report.summary() == (
        "Employees: the file is valid; 2 would be created, 0 updated, 0 unchanged. Nothing was saved (check only)."
    )
    assert counts() == before


def test_the_report_is_json_safe_with_the_keys_the_status_page_reads(org: dict[str, Any]) -> None:
    report = import_employees(org["government"], csv_bytes([employee("123")]))

    assert report.to_dict() == {
        "kind": "employees",
        "ok": False,
        "dry_run": False,
        "rows": 1,
        "created": 0,
        "updated": 0,
        "unchanged": 0,
        "errors": [
            {"row": 2, "column": "nip", "value": "123", "message": "NIP must be 18 digits; 3 digits were entered."}
        ],
        "message": "",
    }


# ---------------------------------------------------------------------------------------------------
# Employees: errors


def test_one_bad_row_among_good_ones_writes_nothing(org: dict[str, Any]) -> None:
    government = org["government"]
    import_employees(government, csv_bytes([employee(NIP1)]))
    before = counts()
    rows = [
        employee(NIP1, nama="Changed Name", keahlian="signer"),
        employee(NIP2, jabatan="Jabatan Baru", jenis_jabatan="fungsional", keahlian="new_skill"),
        employee(NIP3, email="not-an-address"),
    ]

    report = import_employees(government, csv_bytes(rows))

    assert not report.ok
    assert (report.created, report.updated, report.unchanged) == (0, 0, 0)
    assert errors_of(report) == [
        (4, "email", "not-an-address", "This is not an e-mail address; write it like nama@contoh.go.id.")
    ]
    assert counts() == before
    assert Employee.objects.get(nip=NIP1).name == "Sri Lestari"


@pytest.mark.parametrize(
    ("values", "column", "value", "message"),
    [
        ({"nip": "19850615201003200"}, "nip", "19850615201003200", "NIP must be 18 digits; 17 digits were entered."),
        (
            {"nip": "19850615-2010O3-2-001"},
            "nip",
            "19850615-2010O3-2-001",
            "NIP must contain digits only; “19850615-2010O3-2-001” has other characters.",
        ),
        ({"nip": ""}, "nip", "", "Fill in the NIP (18 digits)."),
        ({"nama": " "}, "nama", "", "Fill in nama, the employee's name."),
        ({"nama": "A" * 151}, "nama", "A" * 151, "This is 151 characters long; at most 150 fit. Shorten it."),
        ({"unit": ""}, "unit", "", "Fill in unit: the code of the employee's unit."),
        (
            {"unit": "DINSOS"},
            "unit",
            "DINSOS",
            "No unit has the code DINSOS in this government; import the units first or correct the code.",
        ),
        (
            {"unit": "dpmptsp-pel"},
            "unit",
            "dpmptsp-pel",
            "No unit has the code dpmptsp-pel; did you mean DPMPTSP-PEL? Codes are case-sensitive.",
        ),
        (
            {"unit": "DPMPTSP-PEL", "jabatan": "Kepala Bidang Pelayanan", "jenis_jabatan": "pengawas"},
            "jenis_jabatan",
            "pengawas",
            "The position Kepala Bidang Pelayanan of DPMPTSP-PEL is recorded as administrator; write "
            "administrator or leave jenis_jabatan empty.",
        ),
        (
            {"jenis_jabatan": "eselon 5"},
            "jenis_jabatan",
            "eselon 5",
            "Write one of jpt_madya, jpt_pratama, administrator, pengawas, fungsional, pelaksana in jenis_jabatan.",
        ),
        (
            {"jabatan": "", "jenis_jabatan": "pelaksana"},
            "jabatan",
            "",
            "jenis_jabatan is filled in but jabatan is empty: write the position's name or clear jenis_jabatan.",
        ),
        (
            {"jabatan": "Penata Layanan", "jenis_jabatan": ""},
            "jenis_jabatan",
            "",
            "The position Penata Layanan does not exist yet in DPMPTSP-PEL; fill in jenis_jabatan so that it can "
            "be created.",
        ),
        ({"status": "honorer"}, "status", "honorer", "Write pns or pppk in status."),
        ({"status": ""}, "status", "", "Write pns or pppk in status."),
        (
            {"email": "sri@@example"},
            "email",
            "sri@@example",
            "This is not an e-mail address; write it like nama@contoh.go.id.",
        ),
        (
            {"no_hp": "0812-345"},
            "no_hp",
            "0812-345",
            "A phone number has 9–15 digits; 7 digits were entered.",
        ),
        (
            {"no_hp": "+1 555 0100 200"},
            "no_hp",
            "+1 555 0100 200",
            "Only Indonesian numbers (+62…) can be used, e.g. 081234567890.",
        ),
        (
            {"no_hp": "0812 3456 789x"},
            "no_hp",
            "0812 3456 789x",
            "A phone number may contain only digits (and + at the start), e.g. 081234567890.",
        ),
        (
            {"no_hp": "712345678901"},
            "no_hp",
            "712345678901",
            "A phone number starts with 0, 62 or +62, e.g. 081234567890.",
        ),
        (
            {"keahlian": "front_office;tanda/tangan"},
            "keahlian",
            "front_office;tanda/tangan",
            "The skill tanda/tangan may use only letters a–z, digits and _ (at most 40), e.g. front_office; "
            "separate skills with ;.",
        ),
    ],
)
def test_it_rejects_a_bad_cell_with_its_row_column_value_and_what_to_fix(
    org: dict[str, Any], values: dict[str, str], column: str, value: str, message: str
) -> None:
    values = dict(values)
    nip = values.pop("nip", NIP2)
    rows = [employee(NIP1), employee(nip, **values)]

    report = import_employees(org["government"], csv_bytes(rows))

    assert not report.ok
    assert errors_of(report) == [(3, column, value, message)]
    assert not Employee.objects.filter(nip=NIP1).exists()


def test_it_rejects_a_nip_that_appears_twice_in_the_file(org: dict[str, Any]) -> None:
    report = import_employees(org["government"], csv_bytes([employee(NIP1), employee(NIP2), employee(NIP1)]))

    assert errors_of(report) == [(4, "nip", NIP1, f"NIP {NIP1} already appears in row 2; each employee takes one row.")]


def test_it_rejects_two_kinds_for_the_same_new_position(org: dict[str, Any]) -> None:
    rows = [
        employee(NIP1, jabatan="Penata Layanan", jenis_jabatan="pelaksana"),
        employee(NIP2, jabatan="Penata Layanan", jenis_jabatan="fungsional"),
    ]

    report = import_employees(org["government"], csv_bytes(rows))

    assert errors_of(report) == [
        (
            3,
            "jenis_jabatan",
            "fungsional",
            "Row 2 gives the new position Penata Layanan of DPMPTSP-PEL as pelaksana; give the same jenis_jabatan "
            "in every row of this position.",
        )
    ]


def test_it_lists_every_error_of_every_row_in_order_with_spreadsheet_row_numbers(org: dict[str, Any]) -> None:
    rows = [
        employee(NIP1, status="x", email="bad"),
        ["", "", "", "", "", "", "", "", ""],  # a blank row still counts in the spreadsheet's numbering
        employee("1234", nama="", unit="NOPE"),
    ]

    report = import_employees(org["government"], csv_bytes(rows))

    assert [(e.row, e.column) for e in report.errors] == [
        (2, "status"),
        (2, "email"),
        (4, "nip"),
        (4, "nama"),
        (4, "unit"),
    ]
    assert report.summary() == "Nothing was imported: the file has 5 errors."


def test_it_explains_an_unquoted_separator_that_makes_extra_values(org: dict[str, Any]) -> None:
    content = csv_bytes([employee(NIP1)])
    content += f"{NIP2},Budi Santoso, S.Kom.,DPMPTSP-PEL,Staf,pelaksana,pns,,,signer\r\n".encode()

    report = import_employees(org["government"], content)

    assert errors_of(report) == [
        (
            3,
            "J",
            "signer",
            "This row has more values than row 1 has column names. A value that contains “,” (such as a name "
            "with titles) must be put in double quotes.",
        )
    ]


def test_it_rejects_a_value_in_an_unnamed_xlsx_column(org: dict[str, Any]) -> None:
    content = xlsx_bytes([[*employee(NIP1), "", "catatan"]])

    report = import_employees(org["government"], content, "pegawai.xlsx")

    assert errors_of(report) == [
        (2, "K", "catatan", "This value is in a column with no name in row 1; name the column or delete the value.")
    ]


# ---------------------------------------------------------------------------------------------------
# Columns and files


def test_it_names_every_missing_column_in_one_message(org: dict[str, Any]) -> None:
    header = ["nip", "nama", "unit", "jabatan", "email", "keahlian"]

    report = import_employees(org["government"], csv_bytes([[NIP1, "Sri", "DPMPTSP", "", "", ""]], header=header))

    assert (report.ok, report.errors) == (False, [])
    assert report.message == (
        "Row 1 lacks the columns: jenis_jabatan, status, no_hp. The columns are: nip, nama, unit, jabatan, "
        "jenis_jabatan, status, email, no_hp, keahlian (download the template to start from them)."
    )


def test_it_rejects_unknown_and_repeated_columns(org: dict[str, Any]) -> None:
    header = [*imports.EMPLOYEE_COLUMNS, "Golongan", "NAMA"]

    report = import_employees(org["government"], csv_bytes([[*employee(NIP1), "III/a", "Sri"]], header=header))

    assert report.message == (
        "Row 1 has columns Siaga does not know: Golongan; rename or delete them. These columns appear more than "
        "once in row 1: NAMA; keep one of each. The columns are: nip, nama, unit, jabatan, jenis_jabatan, "
        "status, email, no_hp, keahlian (download the template to start from them)."
    )


def test_it_recognises_a_units_file_chosen_as_employees(org: dict[str, Any]) -> None:
    report = import_employees(org["government"], csv_bytes([unit("DINSOS")], header=UNIT_COLUMNS))

    assert report.message == (
        "This file has the columns of a units file. Choose “units” as what to import, or pick the employees file."
    )


def test_it_refuses_a_file_with_a_header_and_no_rows(org: dict[str, Any]) -> None:
    report = import_employees(org["government"], csv_bytes([]))

    assert report.message == "The file has column names in row 1 but no rows below them; there is nothing to import."


def test_it_refuses_an_empty_first_row(org: dict[str, Any]) -> None:
    report = import_employees(org["government"], b"\r\n" + csv_bytes([employee(NIP1)]))

    assert report.message.startswith("Row 1 must hold the column names: nip, nama, unit,")


def test_it_refuses_a_file_over_the_upload_limit(settings: Any, org: dict[str, Any]) -> None:
    settings.UPLOAD_MAX_BYTES = 10 * 1024 * 1024
    content = csv_bytes([employee(NIP1)])
    content += b"#" * (settings.UPLOAD_MAX_BYTES + 1 - len(content))

    with pytest.raises(ValidationError) as caught:
        check_upload("pegawai.csv", content)
    report = import_employees(org["government"], content)

    assert caught.value.messages == ["The file is 10.0 MB; the limit is 10 MB. Split it into smaller files."]
    assert report.message == caught.value.messages[0]
    assert not Employee.objects.filter(nip=NIP1).exists()


def zip_of(**files: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "pegawai.csv",
            PNG,
            "“pegawai.csv” is not a CSV text file. Save the spreadsheet as CSV UTF-8 (comma delimited) and upload "
            "that file.",
        ),
        (
            "pegawai.xlsx",
            PNG,
            "“pegawai.xlsx” is not an Excel workbook, although its name ends in .xlsx. Open it in Excel or "
            "LibreOffice and save it as Excel Workbook (.xlsx).",
        ),
        (
            "pegawai.csv",
            bytes(range(256)) * 4,
            "“pegawai.csv” is not a CSV text file. Save the spreadsheet as CSV UTF-8 (comma delimited) and upload "
            "that file.",
        ),
        (
            "pegawai.xlsx",
            zip_of(**{"word/document.xml": b"<w/>", "[Content_Types].xml": b"<Types/>"}),
            "“pegawai.xlsx” is not an Excel workbook, although its name ends in .xlsx. Open it in Excel or "
            "LibreOffice and save it as Excel Workbook (.xlsx).",
        ),
        (
            "pegawai.xlsx",
            b"nip,nama\r\n",
            "“pegawai.xlsx” is not an Excel workbook, although its name ends in .xlsx. Open it in Excel or "
            "LibreOffice and save it as Excel Workbook (.xlsx).",
        ),
        (
            "pegawai.csv",
            xlsx_bytes([]),
            "“pegawai.csv” is an Excel workbook with a .csv name. Rename it to .xlsx, or save it as CSV UTF-8.",
        ),
        (
            "pegawai.xls",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
            "“pegawai.xls” is an old Excel 97-2003 file. Open it in Excel or LibreOffice and save it as Excel "
            "Workbook (.xlsx) or CSV UTF-8.",
        ),
        (
            "pegawai.csv",
            "nip,nama\r\n1,José\r\n".encode("cp1252"),
            "“pegawai.csv” is not saved as UTF-8 text. In Excel choose Save As → CSV UTF-8 (comma delimited); in "
            "LibreOffice choose the character set Unicode (UTF-8).",
        ),
        (
            "pegawai.txt",
            b"nip,nama\r\n",
            "Siaga reads .csv and .xlsx files; “pegawai.txt” is neither. Save the spreadsheet as CSV UTF-8 or .xlsx.",
        ),
        ("pegawai.csv", b"", "The file “pegawai.csv” is empty. Choose the file that holds the data."),
    ],
)
def test_it_refuses_a_file_whose_content_is_not_what_its_name_says(name: str, content: bytes, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        check_upload(name, content)

    assert caught.value.messages == [message]


def test_it_tells_csv_from_xlsx_by_content() -> None:
    assert check_upload("C:\\Users\\bkpsdm\\pegawai.CSV", csv_bytes([employee(NIP1)], bom=True)) == "csv"
    assert check_upload("pegawai.XLSX", xlsx_bytes([employee(NIP1)])) == "xlsx"


def test_it_refuses_a_damaged_workbook(org: dict[str, Any]) -> None:
    broken = zip_of(**{"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<not-a-workbook"})

    report = import_employees(org["government"], broken, "pegawai.xlsx")

    assert report.message == (
        "The Excel file cannot be read. Open it in Excel or LibreOffice and save it again as .xlsx."
    )


def test_it_reads_the_first_sheet_and_keeps_row_numbers_after_blank_rows(org: dict[str, Any]) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(imports.EMPLOYEE_COLUMNS)
    sheet.append(employee(NIP1))
    sheet.append([])
    sheet.append([])
    sheet.append(employee("42"))
    book.create_sheet("catatan").append(["ignored"])
    out = io.BytesIO()
    book.save(out)

    report = import_employees(org["government"], out.getvalue(), "pegawai.xlsx")

    assert [(e.row, e.column, e.value) for e in report.errors] == [(5, "nip", "42")]


# ---------------------------------------------------------------------------------------------------
# Units


def test_it_imports_units_whose_parents_come_after_them_in_the_file(government: Government) -> None:
    rows = [
        unit("DISDIK-SEK1", "Seksi", "DISDIK-BID1"),
        unit("DISDIK-BID1", "bidang", "DISDIK"),
        unit("DISDIK", "Dinas", layanan_publik="Ya"),
        unit("SETDA", "Sekretariat Daerah"),
        unit("SETDA-HUKUM", "bagian", "SETDA"),
        unit("SETDA-HUKUM-1", "Sub Bagian", "SETDA-HUKUM", layanan_publik="tidak"),
        unit("KEC-BENDOSARI", "kecamatan", layanan_publik="1"),
        unit("KEL-MANISHARJO", "KELURAHAN", "KEC-BENDOSARI", layanan_publik="y"),
        unit("KEL-MANISHARJO-UM", "sub-bagian", "KEL-MANISHARJO"),
    ]

    report = import_units(government, csv_bytes(rows, header=UNIT_COLUMNS), "unit.csv")

    assert (report.ok, report.created, report.updated, report.unchanged) == (True, 9, 0, 0)
    tree = {u.code: (u.kind, u.parent.code if u.parent else "", u.public_service) for u in Unit.objects.all()}
    assert tree == {
        "DISDIK": ("dinas", "", True),
        "DISDIK-BID1": ("bidang", "DISDIK", False),
        "DISDIK-SEK1": ("seksi", "DISDIK-BID1", False),
        "SETDA": ("sekretariat_daerah", "", False),
        "SETDA-HUKUM": ("bagian", "SETDA", False),
        "SETDA-HUKUM-1": ("sub_bagian", "SETDA-HUKUM", False),
        "KEC-BENDOSARI": ("kecamatan", "", True),
        "KEL-MANISHARJO": ("kelurahan", "KEC-BENDOSARI", True),
        "KEL-MANISHARJO-UM": ("sub_bagian", "KEL-MANISHARJO", False),
    }


def test_it_imports_units_from_xlsx_under_a_parent_already_in_siaga(org: dict[str, Any]) -> None:
    content = xlsx_bytes(
        [unit("DPMPTSP-UPT", "UPTD", "DPMPTSP", nama="UPT Perizinan", layanan_publik=True)], UNIT_COLUMNS
    )

    report = import_units(org["government"], content, "unit.xlsx")

    assert (report.ok, report.created) == (True, 1)
    upt = Unit.objects.get(code="DPMPTSP-UPT")
    assert (upt.name, upt.kind, upt.parent, upt.public_service) == ("UPT Perizinan", "uptd", org["dinas"], True)


def test_it_counts_and_applies_unit_changes_by_code(org: dict[str, Any]) -> None:
    government = org["government"]
    rows = [
        unit("DPMPTSP", "dinas", nama="DPMPTSP", layanan_publik="ya"),
        unit("DPMPTSP-PEL", "bidang", "DPMPTSP", nama="Bidang Pelayanan Perizinan"),
        unit("DPMPTSP-UMUM", "bidang", "DPMPTSP", nama="Bidang Umum"),
        unit("DPMPTSP-PEL-1", "seksi", "DPMPTSP-PEL", nama="Seksi Perizinan"),
    ]

    report = import_units(government, csv_bytes(rows, header=UNIT_COLUMNS))

    assert (report.ok, report.created, report.updated, report.unchanged) == (True, 1, 1, 2)
    assert Unit.objects.get(code="DPMPTSP-PEL").name == "Bidang Pelayanan Perizinan"
    again = import_units(government, csv_bytes(rows, header=UNIT_COLUMNS))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)


def test_it_moves_a_unit_to_another_parent(org: dict[str, Any], make_unit: Any) -> None:
    government = org["government"]
    make_unit(government, "DINKES-YANKES", "bidang", org["other_unit"])

    report = import_units(
        government, csv_bytes([unit("DINKES-YANKES", "bidang", "DPMPTSP", nama="Yankes")], UNIT_COLUMNS)
    )

    assert (report.ok, report.updated) == (True, 1)
    assert Unit.objects.get(code="DINKES-YANKES").parent == org["dinas"]


def test_one_bad_unit_row_writes_nothing(org: dict[str, Any]) -> None:
    before = counts()
    rows = [unit("DINSOS"), unit("DINSOS-BID", "bidang", "DINSOS"), unit("DPMPTSP", "dinas", layanan_publik="kadang")]

    report = import_units(org["government"], csv_bytes(rows, header=UNIT_COLUMNS))

    assert errors_of(report) == [
        (4, "layanan_publik", "kadang", "Write ya or tidak in layanan_publik (empty means tidak).")
    ]
    assert counts() == before


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([unit("")], [(2, "kode", "", "Fill in kode, the unit's code.")]),
        (
            [unit("DINAS SOSIAL")],
            [(2, "kode", "DINAS SOSIAL", "A unit code has at most 40 characters and no spaces, e.g. DPMPTSP-PEL.")],
        ),
        (
            [unit("DINSOS"), unit("DINSOS", nama="Dinas Sosial")],
            [(3, "kode", "DINSOS", "Unit code DINSOS already appears in row 2; each unit takes one row.")],
        ),
        ([unit("DINSOS", nama="")], [(2, "nama", "", "Fill in nama, the unit's name.")]),
        (
            [unit("DINSOS", "kantor")],
            [
                (
                    2,
                    "jenis",
                    "kantor",
                    "Write the kind of unit in jenis: one of sekretariat_daerah, sekretariat_dprd, inspektorat, "
                    "dinas, badan, kecamatan, kelurahan, bagian, bidang, sub_bagian, seksi, uptd.",
                )
            ],
        ),
        (
            [unit("DINSOS-BID", "bidang", "DINSOS")],
            [
                (
                    2,
                    "induk",
                    "DINSOS",
                    "No unit has the code DINSOS, in this file or in Siaga; add the parent unit or correct the code.",
                )
            ],
        ),
        (
            [unit("DINSOS-BID", "bidang", "dpmptsp")],
            [
                (
                    2,
                    "induk",
                    "dpmptsp",
                    "No unit has the code dpmptsp; did you mean DPMPTSP? Codes are case-sensitive.",
                )
            ],
        ),
        (
            [unit("DINSOS-BID", "bidang", "DINSOS-BID")],
            [
                (
                    2,
                    "induk",
                    "DINSOS-BID",
                    "A unit cannot be its own parent; write the code of the unit above it in induk.",
                )
            ],
        ),
        (
            [unit("KEC-NGUTER", "kecamatan"), unit("KEC-NGUTER-BID", "bidang", "KEC-NGUTER")],
            [(3, "induk", "KEC-NGUTER", "Division (Bidang) cannot sit under District (Kecamatan).")],
        ),
        (
            [unit("DINSOS", "dinas", "DPMPTSP")],
            [(2, "induk", "DPMPTSP", "A unit of kind Agency (Dinas) is an OPD and has no parent unit.")],
        ),
        (
            [unit("SEKSI-LEPAS", "seksi")],
            [(2, "induk", "", "A unit of kind Section (Seksi) must have a parent unit.")],
        ),
        (
            [unit("DPMPTSP", "kecamatan", nama="DPMPTSP")],
            [
                (
                    2,
                    "jenis",
                    "kecamatan",
                    "Bidang Pelayanan (DPMPTSP-PEL) sits under this unit and would no longer fit: Division "
                    "(Bidang) cannot sit under District (Kecamatan).",
                ),
                (
                    2,
                    "jenis",
                    "kecamatan",
                    "Bidang Umum (DPMPTSP-UMUM) sits under this unit and would no longer fit: Division "
                    "(Bidang) cannot sit under District (Kecamatan).",
                ),
            ],
        ),
    ],
)
def test_it_rejects_a_bad_unit_row_with_what_to_fix(
    org: dict[str, Any], rows: list[list[Any]], expected: list[tuple[int, str, str, str]]
) -> None:
    before = counts()

    report = import_units(org["government"], csv_bytes(rows, header=UNIT_COLUMNS))

    assert sorted(errors_of(report)) == sorted(expected)
    assert counts() == before


def test_it_rejects_a_cycle_of_units_in_the_file(government: Government, monkeypatch: pytest.MonkeyPatch) -> None:
    # The shipped kind rules already make a cycle impossible; policies are data, so a government that
    # lets a seksi sit under a seksi must still never get a loop in its tree.
    monkeypatch.setitem(
        services.ALLOWED_PARENTS, UnitKind.SEKSI, services.ALLOWED_PARENTS[UnitKind.SEKSI] | {UnitKind.SEKSI}
    )
    rows = [
        unit("DINAS", "dinas"),
        unit("BID", "bidang", "DINAS"),
        unit("SEK-A", "seksi", "SEK-B", nama="Seksi A"),
        unit("SEK-B", "seksi", "SEK-A", nama="Seksi B"),
    ]

    report = import_units(government, csv_bytes(rows, header=UNIT_COLUMNS))

    assert errors_of(report) == [
        (4, "induk", "SEK-B", "Seksi B is below Seksi A; a unit cannot sit under itself."),
        (5, "induk", "SEK-A", "Seksi A is below Seksi B; a unit cannot sit under itself."),
    ]
    assert not Unit.objects.exists()


def test_it_rejects_a_cycle_made_with_units_already_in_siaga(
    government: Government, make_unit: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(
        services.ALLOWED_PARENTS, UnitKind.SEKSI, services.ALLOWED_PARENTS[UnitKind.SEKSI] | {UnitKind.SEKSI}
    )
    dinas = make_unit(government, "DINAS", "dinas")
    bidang = make_unit(government, "BID", "bidang", dinas)
    upper = make_unit(government, "SEK-A", "seksi", bidang, name="Seksi A")
    make_unit(government, "SEK-B", "seksi", upper, name="Seksi B")

    report = import_units(government, csv_bytes([unit("SEK-A", "seksi", "SEK-B", nama="Seksi A")], UNIT_COLUMNS))

    assert errors_of(report) == [(2, "induk", "SEK-B", "Seksi B is below Seksi A; a unit cannot sit under itself.")]
    assert Unit.objects.get(code="SEK-A").parent == bidang


def test_units_of_another_government_are_neither_parents_nor_updated(
    org: dict[str, Any], other_government: Government
) -> None:
    report = import_units(other_government, csv_bytes([unit("DPMPTSP-PEL", "bidang", "DPMPTSP")], UNIT_COLUMNS))

    assert errors_of(report)[0][:3] == (2, "induk", "DPMPTSP")
    assert Unit.objects.get(government=org["government"], code="DPMPTSP-PEL").name == "Bidang Pelayanan"


def test_employees_are_matched_by_nip_within_their_own_government(
    org: dict[str, Any], other_government: Government, make_unit: Any
) -> None:
    make_unit(other_government, "DPMPTSP-PEL", "bidang", make_unit(other_government, "DPMPTSP"))
    import_employees(org["government"], csv_bytes([employee(NIP1)]))

    report = import_employees(other_government, csv_bytes([employee(NIP1, nama="Orang Lain")]))

    assert (report.created, report.updated) == (1, 0)
    assert Employee.objects.get(government=org["government"], nip=NIP1).name == "Sri Lestari"


def test_the_errors_are_plain_data(org: dict[str, Any]) -> None:
    report = import_employees(org["government"], csv_bytes([employee(NIP1, status="")]))

    assert report.errors == [RowError(row=2, column="status", value="", message="Write pns or pppk in status.")]


def test_it_refuses_more_rows_than_the_limit(org: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(imports, "ROW_LIMIT", 2)

    report = import_employees(org["government"], csv_bytes([employee(NIP1), employee(NIP2), employee(NIP3)]))

    assert report.message == "The file has more than 2 rows; split it into smaller files."
    assert not Employee.objects.filter(nip=NIP1).exists()


def test_it_lists_errors_up_to_the_cap_and_says_how_many_there_are(
    org: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imports, "MAX_LISTED_ERRORS", 2)

    report = import_employees(org["government"], csv_bytes([employee("1"), employee("2"), employee("3")]))

    assert [(e.row, e.value) for e in report.errors] == [(2, "1"), (3, "2")]
    assert report.message == "Only the first 2 of 3 errors are listed; fix them and upload again."


def test_a_record_saved_by_someone_else_while_the_file_is_checked_makes_the_import_save_nothing(
    org: dict[str, Any],
) -> None:
    government = org["government"]
    rows = [
        employee(make_serial_nip(i), email=f"p{i}@example.go.id", no_hp=f"0812{i:08d}", keahlian="")
        for i in range(1, 502)
    ]
    first_nip = rows[0][0]
    before = counts()

    def someone_else_saves(done: int, total: int) -> None:
        # Called while the rows are being checked: another user adds the first employee meanwhile.
        if done == 500:
            Employee.objects.create(
                government=government,
                nip=first_nip,
                name="Dibuat Orang Lain",
                unit=org["umum"],
                birth_date=dt.date(1980, 1, 1),
                sex="M",
            )

    report = import_employees(government, csv_bytes(rows), progress=someone_else_saves)

    assert (report.ok, report.created, report.errors) == (False, 0, [])
    assert report.message == (
        "Someone changed the same records while this file was being checked, so nothing was saved. "
        "Upload the file again."
    )
    assert counts() == {**before, "employees": before["employees"] + 1}
    assert Employee.objects.get(nip=first_nip).name == "Dibuat Orang Lain"
