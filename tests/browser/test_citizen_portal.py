"""In the browser (phone-sized, Indonesian): a resident registers with their NIK, confirms the code sent by
e-mail, applies for a building permit with two uploads, is told the application is incomplete (by an
officer, through the workflow), replaces one file and sees the history."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

from siaga.core.access import actor_for_user
from siaga.services import workflow
from siaga.services.models import Application, Attachment, Citizen, Status
from siaga.services.tests.conftest import desk, make_application, make_citizen  # noqa: F401 - fixtures
from siaga.services.tests.test_portal import NIK_NEW, PASSWORD, last_code

pytestmark = pytest.mark.django_db(transaction=True)


def write_files(folder: Path) -> tuple[Path, Path, Path]:
    ktp, plan, plan2 = folder / "ktp.pdf", folder / "gambar.png", folder / "gambar-baru.jpg"
    Image.new("RGB", (80, 50), (250, 250, 250)).save(ktp, "PDF")
    Image.new("RGB", (80, 50), (30, 120, 30)).save(plan, "PNG")
    out = BytesIO()
    Image.new("RGB", (80, 50), (30, 30, 160)).save(out, "JPEG")
    plan2.write_bytes(out.getvalue())
    return ktp, plan, plan2


def test_a_resident_registers_applies_and_completes_a_returned_application(page, desk, tmp_path):  # noqa: F811
    ktp, plan, plan2 = write_files(tmp_path)
    page.goto("/layanan/")
    expect(page.locator("h1")).to_have_text("Layanan publik")
    page.locator("main a", has_text="Daftar").first.click()
    page.fill("#id_nik", "3311 0107 0385 0003")
    page.fill("#id_name", "Rina Wulandari")
    page.fill("#id_email", "rina@example.com")
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/daftar/kode/")
    expect(page.locator("main")).to_contain_text("kode 6 angka")
    page.fill("#id_code", last_code("rina@example.com"))
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator(".messages")).to_contain_text("Akun Anda sudah aktif")
    assert Citizen.objects.get(nik=NIK_NEW).verified_at is not None

    page.locator("main a", has_text="Persetujuan Bangunan Gedung").click()
    expect(page.locator("main")).to_contain_text("10 hari kerja")
    page.locator("main a", has_text="Ajukan").click()
    page.fill("#id_field_lokasi", "Jl. Merdeka 10, Sukoharjo")
    page.set_input_files("#id_req_ktp", str(ktp))
    page.set_input_files("#id_req_gambar", str(plan))
    expect(page.locator("#id_delivery_address")).to_have_count(0)  # this service is not delivered
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/layanan/permohonan/[A-Z0-9]{10}/$"))
    expect(page.get_by_test_id("status")).to_have_text("Diajukan")
    application = Application.objects.get()
    assert application.attachments.count() == 2

    officer = actor_for_user(desk["users"]["officer"])
    workflow.transition(
        application=application, to=Status.INCOMPLETE, actor=officer, note="Gambar rencana buram, unggah ulang."
    )
    page.reload()
    expect(page.get_by_test_id("note")).to_contain_text("Gambar rencana buram")
    page.locator("main a", has_text="Lengkapi dokumen").click()
    page.set_input_files("#id_req_gambar", str(plan2))
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/layanan/permohonan/[A-Z0-9]{10}/$"))
    expect(page.get_by_test_id("status")).to_have_text("Diajukan ulang")
    history = page.get_by_test_id("history").locator("li")
    expect(history).to_have_count(3)
    expect(history.nth(1)).to_contain_text("Gambar rencana buram")
    expect(page.locator("main")).to_contain_text("gambar-baru.jpg")
    assert Attachment.objects.filter(superseded=True).count() == 1
