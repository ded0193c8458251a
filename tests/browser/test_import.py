"""BKPSDM imports employees in the browser and watches the progress until the counts appear."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from conftest import PASSWORD
from siaga.org.identifiers import make_nip
from siaga.org.models import Employee
from tests.browser.fixtures import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def employees_csv(tmp_path, rows):
    path = tmp_path / "pegawai.csv"
    lines = ["nip,nama,unit,jabatan,jenis_jabatan,status,email,no_hp,keahlian", *rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_an_admin_uploads_employees_and_sees_the_result(page, org, tmp_path):
    import datetime as dt

    nips = [make_nip(birth=dt.date(1990, 1, 1 + i), appointed=(2015, 3), sex="F", serial=10 + i) for i in range(3)]
    rows = [
        f"{nip},Pegawai Baru {i},DPMPTSP-PEL,Pengadministrasi Perizinan,pelaksana,pns,,,front_office"
        for i, nip in enumerate(nips)
    ]
    log_in(page, "bkpsdm", PASSWORD)
    page.goto("/org/import/")
    page.select_option("#id_kind", "employees")
    page.set_input_files("#id_file", str(employees_csv(tmp_path, rows)))
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/org/import/*/")
    status = page.locator("#import-status")
    expect(status).to_have_attribute("data-status", "queued")
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
    expect(page.locator("#import-status")).to_have_attribute("data-status", "done", timeout=15_000)
    assert "3" in page.locator("#import-status").inner_text()
    assert Employee.objects.filter(nip__in=nips).count() == 3


def test_a_file_with_an_error_lists_the_row_to_fix_and_saves_nothing(page, org, tmp_path):
    rows = ["19900101201503200X,Salah Satu,DPMPTSP-PEL,Staf,pelaksana,pns,,,"]
    log_in(page, "bkpsdm", PASSWORD)
    page.goto("/org/import/")
    page.select_option("#id_kind", "employees")
    page.set_input_files("#id_file", str(employees_csv(tmp_path, rows)))
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/org/import/*/")
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
    expect(page.locator("#import-status")).to_have_attribute("data-status", "failed", timeout=15_000)
    errors = page.get_by_test_id("import-errors").inner_text()
    assert "19900101201503200X" in errors
    assert "2" in errors  # the spreadsheet row of the bad line
    assert Employee.objects.count() == 5
