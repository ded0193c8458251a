"""In the browser (phone-sized): a service officer takes a new application, returns it as incomplete, and
after the applicant resubmits registers it, reviews it, records the field check, recommends it, issues
the bill and records the payment, so that it waits for the signature."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone, translation
from playwright.sync_api import expect

from conftest import PASSWORD
from siaga.core.access import actor_for_user
from siaga.services.models import Application, Status
from siaga.services.tests.conftest import desk, make_application, make_citizen  # noqa: F401 - the services fixtures
from siaga.services.tests.test_office_fixtures import office  # noqa: F401 - the back office fixtures
from siaga.services.workflow import transition
from tests.browser.fixtures import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def label(status: str) -> str:
    with translation.override("id"):
        return str(Status(status).label)


def move(page, to: str, fill: dict[str, str] | None = None, check: str | None = None) -> None:
    box = page.get_by_test_id(f"move-{to}")
    box.locator("summary").click()
    for selector, value in (fill or {}).items():
        box.locator(selector).fill(value)
    if check:
        box.get_by_label(check).check()
    box.locator("button[type=submit]").click()
    expect(page.get_by_test_id("status")).to_have_text(label(to))


def test_an_officer_takes_an_application_and_brings_it_to_signature(page, office, make_application):  # noqa: F811
    app = make_application(office["pbg"], office["budi"], data={"lokasi": "Jl. Slamet Riyadi 5"})
    log_in(page, "petugas", PASSWORD)
    page.goto("/services/?q=unassigned")
    expect(page.get_by_test_id("tab-unassigned")).to_contain_text("Belum ditangani")
    item = page.get_by_test_id("application").filter(has_text=app.reference)
    item.get_by_test_id("take").click()
    page.wait_for_url(re.compile(rf"/services/permohonan/{app.pk}/$"))
    expect(page.locator("#application")).to_contain_text("Petugas Front Office")
    expect(page.locator("#application")).to_contain_text("Jl. Slamet Riyadi 5")

    move(page, Status.INCOMPLETE, fill={"textarea": "Gambar tidak bertanda tangan."}, check="Gambar rencana")
    app.refresh_from_db()
    assert app.status_note == "Kurang atau salah: Gambar rencana. Gambar tidak bertanda tangan."

    # the applicant sends the corrected documents (the portal's part)
    transition(application=app, to=Status.RESUBMITTED, actor=actor_for_user(office["budi"].user))
    page.reload()
    expect(page.get_by_test_id("status")).to_have_text(label(Status.RESUBMITTED))

    move(page, Status.REGISTERED)
    expect(page.get_by_test_id("due")).to_contain_text("sisa")
    move(page, Status.IN_REVIEW)
    move(page, Status.FIELD_CHECK)
    move(page, Status.RECOMMENDED, fill={"textarea": "Bangunan sesuai gambar rencana."})
    move(page, Status.AWAITING_PAYMENT)
    expect(page.get_by_test_id("bill")).to_contain_text(f"SKRD/DPMPTSP/{timezone.localdate().year}/00001")
    expect(page.get_by_test_id("due")).to_contain_text("menunggu pembayaran")

    box = page.get_by_test_id(f"move-{Status.AWAITING_SIGNATURE}")
    box.locator("summary").click()
    box.get_by_label("Referensi pembayaran").fill("BANK-JATENG-778")
    box.get_by_label("Tanggal bayar").fill(timezone.localdate().isoformat())
    box.locator("button[type=submit]").click()
    expect(page.get_by_test_id("status")).to_have_text(label(Status.AWAITING_SIGNATURE))

    app.refresh_from_db()
    assert app.status == Status.AWAITING_SIGNATURE
    assert app.payment_reference == "BANK-JATENG-778" and app.assigned_to_id == office["officer"].pk
    # the history keeps the field report as an internal note
    expect(page.locator(".history li.internal", has_text="Bangunan sesuai gambar rencana.")).to_have_count(1)
    assert Application.objects.get(pk=app.pk).bill_number.endswith("/00001")
