"""In the browser on a phone-sized screen: a person under isolation answers the daily check from "Kasus saya"
and reports a contact; the task force sees the answer and the alert on the case page."""

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from siaga.core.access import actor_for_user
from siaga.outbreak import services
from siaga.outbreak.models import ContactProposal, SymptomCheck
from siaga.outbreak.tests.conftest import days_ago
from tests.browser.fixtures import log_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser, pytest.mark.indonesian]


def test_the_person_answers_the_daily_check_and_reports_a_contact_on_the_phone(page, browser, live_server, org):
    task_force = actor_for_user(org["users"]["health"])
    case = services.case_create(
        actor=task_force, employee=org["staff"], classification="confirmed_asymptomatic", specimen_date=days_ago(2)
    )
    services.order_issue(actor=task_force, case=case, kind="isolation", start=days_ago(2))

    log_in(page, "staf", PASSWORD)
    page.goto("/outbreak/mine/")
    page.get_by_test_id("followup-links").get_by_role("button", name="Pemantauan harian").click()
    expect(page.locator("h1")).to_have_text("Pemantauan harian")
    form = page.get_by_test_id("daily-form")
    form.get_by_label("Batuk").check()
    form.get_by_label("Suhu (°C), jika diukur").fill("37.9")
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("answered-today")).to_be_visible()
    check = SymptomCheck.objects.get(case=case)
    assert check.cough and check.fever

    page.goto("/outbreak/mine/contacts/")
    form = page.get_by_test_id("self-contact-form")
    form.get_by_label("Rekan kerja: NIP atau nama lengkap").fill("Staf Umum")
    form.get_by_label("Tanggal Anda bersama").fill(days_ago(3).isoformat())
    form.get_by_label("Tempat").fill("Ruang rapat lantai 5")
    form.locator("button[type=submit]").click()
    expect(page.get_by_text("satgas kesehatan akan menghubungi orang ini")).to_be_visible()
    assert ContactProposal.objects.get(case=case).employee == org["staff_umum"]

    health = browser.new_context(viewport={"width": 390, "height": 844}, base_url=live_server.url).new_page()
    log_in(health, "satgas", PASSWORD)
    health.goto(f"/outbreak/cases/{case.pk}/")
    panel = health.get_by_test_id("followup")
    expect(panel).to_contain_text("1 dijawab")
    expect(panel.get_by_test_id("propose-symptomatic")).to_be_visible()
    panel.get_by_role("button", name="Konfirmasi: simptomatik").click()
    expect(health.get_by_test_id("classification")).to_have_text("Terkonfirmasi, bergejala")
    expect(health.get_by_test_id("contacts")).to_contain_text("Dilaporkan sendiri")
    health.context.close()
