"""The public-service desk end to end, in the browser (phone-sized, Indonesian).

A resident registers with a NIK and applies for a paid building permit with uploads; the officer takes,
registers (the resident sees the receipt number and due date), reviews, recommends, bills and records the
payment; the head of DPMPTSP is away, so the Plh signs (the head of another unit cannot); the resident
downloads the PDF, which verifies with pdfsig and pyHanko against the government's root and is stamped
"Plh."; the public verification page says valid, and a copy with one changed byte is not valid.

Then a resident's first KTP-el: a recording appointment booked, attended, the head of Dispendukcapil
signs, the card is delivered with a photo, the application closes, the resident answers the SKM survey
and the IKM report counts it.
"""

from __future__ import annotations

import datetime as dt
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation
from django.utils.formats import date_format
from playwright.sync_api import expect

from conftest import PASSWORD
from siaga.core.access import actor_for_user
from siaga.core.models import Role
from siaga.delivery import services as delivery_services
from siaga.delivery.models import Appointment, AppointmentSlot, DeliveryOrder
from siaga.engines.signing import ca
from siaga.engines.signing.tests.inspect_pdf import stamp_lines
from siaga.engines.signing.verify import pdfsig_verdict, verify_pdf
from siaga.org.models import Employee, Position
from siaga.services import signing as signing_service
from siaga.services.models import Application, Citizen, IssuedDocument, Mode, ProductKind, Service, Status
from siaga.services.tests.conftest import desk, make_application, make_citizen  # noqa: F401 - fixtures
from siaga.services.tests.test_documents_setup import (  # noqa: F401 - fixtures
    KABID_NIK,
    PASSPHRASE,
    make_plh,
    signing_ca,
    signing_settings,
    trust_nss,
)
from siaga.services.tests.test_portal import NIK_NEW, last_code
from siaga.survey.models import SurveyResponse
from tests.browser.fixtures import ConsoleWatch, log_in
from tests.browser.test_citizen_portal import write_files

pytestmark = pytest.mark.django_db(transaction=True)

#: the head of Dispendukcapil (region 3311 01, born 1978-06-15)
DUK_HEAD_NIK = "3311011506780005"


def label(status: str) -> str:
    with translation.override("id"):
        return str(Status(status).label)


def move(page: Any, to: str, fill: dict[str, str] | None = None) -> None:
    """Move the application on the officer's page (the form behind ``move-<status>``)."""
    box = page.get_by_test_id(f"move-{to}")
    box.locator("summary").click()
    for field, value in (fill or {}).items():
        target = box.locator(field) if field == "textarea" else box.get_by_label(field)
        target.fill(value)
    box.locator("button[type=submit]").click()
    expect(page.get_by_test_id("status")).to_have_text(label(to))


@pytest.fixture
def people(browser: Any, live_server: Any, settings: Any) -> Any:
    """A phone-sized page per person (each with its own cookies); JavaScript errors fail the test."""
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    contexts: list[Any] = []
    watch = ConsoleWatch()

    def open_page(username: str | None = None) -> Any:
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US", base_url=live_server.url)
        contexts.append(context)
        page = context.new_page()
        page.on("console", watch.on_console)
        page.on("pageerror", watch.on_page_error)
        page.set_default_timeout(10_000)
        if username:
            log_in(page, username, PASSWORD)
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert watch.errors == [], watch.errors


@pytest.fixture
def dukcapil(
    desk: dict,  # noqa: F811
    signing_settings: Any,  # noqa: F811
    signing_ca: Path,  # noqa: F811
    make_unit: Any,
    make_employee: Any,
    make_user: Any,
) -> dict:
    """Set-up that is not the subject: the NIK and certificate of the Plh of DPMPTSP (the head of Bidang
    Pelayanan, acting while the head is away), Dispendukcapil with its head (certificate), a service officer
    and a staff courier, the KTP-el service by appointment and its recording slots."""
    government = desk["government"]
    Employee.objects.filter(pk=desk["kabid"].pk).update(nik=KABID_NIK)
    plh = make_plh(desk, desk["kabid"])
    unit = make_unit(government, "DISDUKCAPIL", "dinas", name="Dispendukcapil", public_service=True)
    head_position = Position.objects.create(
        government=government, unit=unit, name="Kepala Dinas", kind="struktural", level="jpt_pratama", is_head=True
    )
    ca.issue_official(signing_ca, DUK_HEAD_NIK, "Kepala Dispendukcapil", passphrase=PASSPHRASE)
    head = make_employee(
        unit, "Kepala Dispendukcapil", position=head_position, user=make_user("kadisduk"), nik=DUK_HEAD_NIK
    )
    officer_user = make_user("petugasduk", (government, Role.SERVICE_OFFICER))
    officer = make_employee(unit, "Petugas Dukcapil", user=officer_user)
    courier = make_employee(unit, "Kurir Dukcapil", user=make_user("kurirduk"))
    ktp = Service.objects.create(
        government=government,
        unit=unit,
        code="ktp-el",
        name="KTP-el Pemula",
        requirements=[{"code": "kk", "name": "Kartu Keluarga", "required": True}],
        sla_days=5,
        product="KTP-el",
        product_kind=ProductKind.ID_CARD,
        signer_position=head_position,
        mode=Mode.APPOINTMENT,
        restricted_mode=Mode.APPOINTMENT,
        deliverable=True,
    )
    today = timezone.localdate()
    slots = delivery_services.slots_generate(
        unit=unit,
        start=today + dt.timedelta(days=1),
        end=today + dt.timedelta(days=10),
        times=[(dt.time(8), dt.time(10))],
        capacity=5,
        place="Loket Perekaman, Mal Pelayanan Publik",
        actor=actor_for_user(officer_user),
    )
    Citizen.objects.filter(pk=desk["budi"].pk).update(verified_at=timezone.now(), address="Jl. Melati 5, Kartasura")
    return {
        **desk,
        "plh": plh,
        "disduk": unit,
        "disduk_head": head,
        "disduk_officer": officer,
        "courier": courier,
        "ktp": ktp,
        "slot": slots[0],
    }


def test_the_public_service_desk(
    people: Any,
    dukcapil: dict,
    signing_ca: Path,  # noqa: F811
    trust_nss: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    ktp_file, plan, _ = write_files(tmp_path)

    # --- a resident registers with a NIK and confirms the code
    rina = people()
    rina.goto("/layanan/")
    rina.locator("main a", has_text="Daftar").first.click()
    rina.fill("#id_nik", "3311 0107 0385 0003")
    rina.fill("#id_name", "Rina Wulandari")
    rina.fill("#id_email", "rina@example.com")
    rina.fill("#id_password", PASSWORD)
    rina.locator("main button[type=submit]").click()
    rina.wait_for_url("**/daftar/kode/")
    rina.fill("#id_code", last_code("rina@example.com"))
    rina.locator("main form button[type=submit]").first.click()
    expect(rina.locator(".messages")).to_contain_text("Akun Anda sudah aktif")
    expect(rina.locator("header nav")).to_contain_text("Permohonan saya")
    assert Citizen.objects.get(nik=NIK_NEW).verified_at is not None

    # --- applies for the paid building permit with two uploads
    rina.locator("main a", has_text="Persetujuan Bangunan Gedung").click()
    rina.locator("main a", has_text="Ajukan").click()
    rina.fill("#id_field_lokasi", "Jl. Merdeka 10, Sukoharjo")
    rina.set_input_files("#id_req_ktp", str(ktp_file))
    rina.set_input_files("#id_req_gambar", str(plan))
    rina.locator("main button[type=submit]").click()
    rina.wait_for_url(re.compile(r"/layanan/permohonan/[A-Z0-9]{10}/$"))
    expect(rina.get_by_test_id("status")).to_have_text("Diajukan")
    pbg = Application.objects.get(service=dukcapil["pbg"])
    assert pbg.attachments.count() == 2 and pbg.fee_amount == 1500000

    # --- the officer of DPMPTSP takes it and registers it; the resident sees the receipt and the due date
    officer = people("petugas")
    officer.goto("/services/?q=unassigned")
    officer.get_by_test_id("application").filter(has_text=pbg.reference).get_by_test_id("take").click()
    officer.wait_for_url(re.compile(rf"/services/permohonan/{pbg.pk}/$"))
    move(officer, Status.REGISTERED)
    pbg.refresh_from_db()
    assert pbg.receipt_number and pbg.due_on and pbg.assigned_to_id == dukcapil["officer"].pk
    rina.reload()
    expect(rina.get_by_test_id("status")).to_have_text(label(Status.REGISTERED))
    expect(rina.locator("main dl")).to_contain_text(pbg.receipt_number)
    with translation.override("id"):
        due = date_format(pbg.due_on, "j F Y")
    expect(rina.locator("main dl")).to_contain_text(due)
    expect(rina.locator("main dl")).to_contain_text("Batas waktu")

    # --- reviews, checks the field, recommends, bills (SKRD) and records the payment
    move(officer, Status.IN_REVIEW)
    move(officer, Status.FIELD_CHECK)
    move(officer, Status.RECOMMENDED, fill={"textarea": "Bangunan sesuai gambar rencana."})
    move(officer, Status.AWAITING_PAYMENT)
    expect(officer.get_by_test_id("bill")).to_contain_text(f"SKRD/DPMPTSP/{timezone.localdate().year}/00001")
    move(
        officer,
        Status.AWAITING_SIGNATURE,
        fill={"Referensi pembayaran": "BANK-JATENG-778", "Tanggal bayar": timezone.localdate().isoformat()},
    )
    pbg.refresh_from_db()
    assert pbg.payment_reference == "BANK-JATENG-778" and pbg.paid_at is not None

    # --- the head of another unit cannot sign it: not in their list, and refused by the service
    other_head = people("kadisduk")
    other_head.goto("/services/tanda-tangan/")
    expect(other_head.locator("main")).to_contain_text("Tidak ada dokumen yang menunggu tanda tangan Anda")
    with pytest.raises(PermissionDenied):
        signing_service.sign_application(
            application=pbg, actor=actor_for_user(dukcapil["disduk_head"].user), passphrase=PASSPHRASE
        )
    assert not IssuedDocument.objects.exists()

    # --- the head of DPMPTSP is away: the Plh signs with the passphrase
    plh = people("kabid")
    plh.goto("/services/tanda-tangan/")
    plh.locator(f"#application-{pbg.pk} input[type=checkbox]").check()
    plh.fill("#passphrase", PASSPHRASE)
    plh.get_by_role("button", name="Tandatangani dokumen yang dipilih").click()
    # the batch is signed by the background worker; its progress replaces itself until it is done
    expect(plh.locator("#batch-progress")).to_be_visible()
    in_thread(run_signing_tasks)
    expect(plh.locator("#results li.ok")).to_contain_text("ditandatangani dengan nomor 503/0001/DPMPTSP/")
    document = IssuedDocument.objects.get(application=pbg)
    assert document.acting == "plh" and document.delegation == dukcapil["plh"]
    assert document.signer == dukcapil["kabid"]

    # --- the resident downloads the PDF; it verifies against the government's root, stamped "Plh."
    rina.reload()
    expect(rina.get_by_test_id("status")).to_have_text(label(Status.ISSUED))
    with rina.expect_download() as download:
        rina.locator("main a", has_text="Unduh dokumen").click()
    pdf = Path(download.value.path()).read_bytes()
    assert document.sha256 == in_thread(verify_pdf, pdf, []).sha256
    pyhanko = in_thread(verify_pdf, pdf, [signing_ca / ca.ROOT_CERT])
    assert pyhanko.valid, pyhanko
    saved = tmp_path / "pbg.pdf"
    saved.write_bytes(pdf)
    poppler = pdfsig_verdict(saved, nssdir=trust_nss)
    assert poppler.valid, poppler
    assert stamp_lines(pdf)[1:3] == ["Kepala Bidang", "Plh. Kepala Dinas DPMPTSP"]
    assert Application.objects.get(pk=pbg.pk).status == Status.CLOSED  # downloaded: done

    # --- the public verification page of the QR code says valid and names the Plh
    visitor = people()
    visitor.goto(f"/verifikasi/{document.verify_token}/")
    expect(visitor.locator(".verdict.ok")).to_contain_text("SAH")
    expect(visitor.locator("main")).to_contain_text("Kepala Bidang, Plh. Kepala Dinas DPMPTSP")
    # ... and a copy with one changed byte is not valid
    changed = bytearray(pdf)
    changed[changed.index(b"stream") + 40] ^= 0x01
    tampered = tmp_path / "pbg-diubah.pdf"
    tampered.write_bytes(bytes(changed))
    visitor.goto("/verifikasi/")
    visitor.set_input_files("#verify-file", str(tampered))
    visitor.get_by_role("button", name="Periksa dokumen").click()
    expect(visitor.locator("#verify-result")).to_contain_text("TIDAK SAH / BERUBAH")

    # --- a first KTP-el: the resident signs in with the NIK and lands on their applications
    budi = people()
    budi.goto("/login/")
    expect(budi.locator("label[for=id_username]")).to_have_text("Nama pengguna, NIP atau NIK")
    budi.fill("#id_username", dukcapil["budi"].nik)
    budi.fill("#id_password", PASSWORD)
    budi.locator("main button[type=submit]").click()
    budi.wait_for_url("**/layanan/permohonan/")
    budi.locator("header nav a", has_text="Layanan").first.click()
    budi.locator("main a", has_text="KTP-el Pemula").click()
    budi.locator("main a", has_text="Ajukan").click()
    budi.set_input_files("#id_req_kk", str(ktp_file))
    budi.get_by_label("Antar ke alamat saya").check()
    budi.fill("#id_delivery_address", "Jl. Melati 5, RT 2 RW 3, Kartasura")
    budi.locator("main button[type=submit]").click()
    budi.wait_for_url(re.compile(r"/layanan/permohonan/[A-Z0-9]{10}/$"))
    card = Application.objects.get(service=dukcapil["ktp"])
    assert card.handover == Application.Handover.DELIVERY

    # books a recording time from the application page
    budi.get_by_test_id("book").click()
    slot = dukcapil["slot"]
    budi.locator(f"input[name=slot][value='{slot.pk}']").check()
    budi.get_by_role("button", name="Pesan").click()
    expect(budi.get_by_test_id("appointment-current")).to_contain_text("08:00")
    budi.goto(f"/layanan/permohonan/{card.reference}/")
    expect(budi.get_by_test_id("appointment")).to_contain_text("Loket Perekaman")

    # the day of the appointment comes; the officer of Dispendukcapil marks the resident attended
    AppointmentSlot.objects.filter(pk=slot.pk).update(date=timezone.localdate())
    duk_officer = people("petugasduk")
    duk_officer.goto(f"/pengantaran/slots/{slot.pk}/")
    duk_officer.get_by_role("button", name="Hadir").click()
    expect(duk_officer.locator("main li strong")).to_have_text("Hadir")
    assert Appointment.objects.get(application=card).status == Appointment.Status.ATTENDED

    # the officer takes it through to the signature
    duk_officer.goto("/services/?q=unassigned")
    duk_officer.get_by_test_id("application").filter(has_text=card.reference).get_by_test_id("take").click()
    duk_officer.wait_for_url(re.compile(rf"/services/permohonan/{card.pk}/$"))
    move(duk_officer, Status.REGISTERED)
    move(duk_officer, Status.IN_REVIEW)
    move(duk_officer, Status.RECOMMENDED, fill={"textarea": "Perekaman biometrik selesai."})
    move(duk_officer, Status.AWAITING_SIGNATURE)

    # the head of Dispendukcapil signs
    other_head.goto("/services/tanda-tangan/")
    other_head.locator(f"#application-{card.pk} input[type=checkbox]").check()
    other_head.fill("#passphrase", PASSPHRASE)
    other_head.get_by_role("button", name="Tandatangani dokumen yang dipilih").click()
    expect(other_head.locator("#batch-progress")).to_be_visible()
    in_thread(run_signing_tasks)
    expect(other_head.locator("#results li.ok")).to_have_count(1)
    card_document = IssuedDocument.objects.get(application=card)
    assert card_document.acting == "" and card_document.signer == dukcapil["disduk_head"]
    assert Application.objects.get(pk=card.pk).status == Status.ISSUED

    # the officer schedules the delivery to the resident's address, with the staff courier
    duk_officer.goto("/pengantaran/")
    duk_officer.locator("main li", has_text=card.reference).get_by_role("link", name="Jadwalkan pengantaran").click()
    expect(duk_officer.locator("#id_address")).to_have_value("Jl. Melati 5, RT 2 RW 3, Kartasura")
    duk_officer.select_option("#id_courier_kind", "staff")
    duk_officer.select_option("#id_courier", str(dukcapil["courier"].pk))
    # the date input shows no initial day in Indonesian (the form renders it as d/m/Y): the officer picks it
    duk_officer.fill("#id_scheduled_on", timezone.localdate().isoformat())
    duk_officer.get_by_role("button", name="Jadwalkan", exact=True).click()
    duk_officer.wait_for_url(re.compile(r"/pengantaran/\d+/$"))
    order = DeliveryOrder.objects.get(application=card)
    assert order.scheduled_on == timezone.localdate() and order.courier == dukcapil["courier"]
    budi.reload()
    expect(budi.get_by_test_id("delivery-status")).to_contain_text("Jl. Melati 5, RT 2 RW 3, Kartasura")

    # the courier delivers it with a photo; the application closes
    picture = tmp_path / "serah-terima.jpg"
    picture.write_bytes(write_jpeg())
    courier = people("kurirduk")
    courier.goto("/pengantaran/hari-ini/")
    item = courier.get_by_test_id(f"order-{order.pk}")
    item.get_by_role("button", name="Berangkat").click()
    item = courier.get_by_test_id(f"order-{order.pk}")
    expect(item.get_by_test_id("status")).to_have_text("Sedang diantar")
    item.get_by_label("Diterima oleh").fill("Budi Santoso")
    item.get_by_label("Foto serah terima").set_input_files(str(picture))
    item.locator("button.big.ok").click()
    expect(courier.get_by_test_id(f"order-{order.pk}").get_by_test_id("status")).to_have_text("Diantar")
    assert Application.objects.get(pk=card.pk).status == Status.CLOSED

    # the resident sees the delivery and answers the SKM survey from the application page
    budi.reload()
    expect(budi.get_by_test_id("status")).to_have_text(label(Status.CLOSED))
    expect(budi.get_by_test_id("delivery-status")).to_contain_text("Budi Santoso")
    budi.locator("main a", has_text="Nilai layanan ini").click()
    questions = budi.locator("fieldset.survey-question")
    expect(questions).to_have_count(9)
    for index in range(9):
        questions.nth(index).locator("input[type=radio]").nth(3).check()
    budi.fill("#suggestion", "Kartu diantar ke rumah, terima kasih")
    budi.get_by_role("button", name="Kirim").click()
    expect(budi.get_by_test_id("survey-done")).to_be_visible()
    answer = SurveyResponse.objects.get(application=card)
    assert answer.u1 == 4 and answer.suggestion == "Kartu diantar ke rumah, terima kasih"

    # the IKM report counts it
    admin = people("bkpsdm")
    admin.locator("header nav a", has_text="IKM").click()
    expect(admin.get_by_test_id("ikm-total")).to_contain_text("1 responden")
    expect(admin.locator("table")).to_contain_text("KTP-el Pemula")
    expect(admin.locator("main")).to_contain_text("Kartu diantar ke rumah, terima kasih")


def run_signing_tasks() -> None:
    """What ``siaga worker`` does with the queued signing tasks of a batch."""
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    from siaga.services.tasks import sign_batch_item

    try:
        for row in DBTaskResult.objects.filter(task_path=sign_batch_item.module_path, status="READY"):
            sign_batch_item.call(*row.args_kwargs["args"])
    finally:
        connection.close()


def in_thread(function: Any, *args: Any) -> Any:
    """Run ``function`` in a thread of its own: pyHanko starts an asyncio loop, which cannot run inside
    the one Playwright keeps in this thread."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args).result()


def write_jpeg() -> bytes:
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (120, 90), (200, 40, 40)).save(out, "JPEG")
    return out.getvalue()
