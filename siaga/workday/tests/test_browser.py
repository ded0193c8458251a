"""In the browser on a phone-sized screen: an ASN writes and submits the day's report and the head
approves it; a recall is sent and acknowledged."""

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from siaga.workday.models import Recall, WorkReport
from tests.browser.fixtures import log_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser, pytest.mark.indonesian]


def other_page(browser, live_server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=live_server.url)
    new = context.new_page()
    new.set_default_timeout(10_000)
    return new


def test_an_asn_writes_and_submits_the_report_and_the_head_approves(page, browser, live_server, org):
    log_in(page, "staf", PASSWORD)
    page.goto("/workday/reports/")
    expect(page.locator("h1")).to_have_text("Laporan kerja")
    form = page.get_by_test_id("quick-add")
    form.locator("[name=activity]").fill("Memeriksa berkas izin")
    form.locator("[name=output]").fill("berkas")
    form.locator("[name=quantity]").fill("12")
    form.locator("[name=minutes]").fill("180")
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("report-lines")).to_contain_text("Memeriksa berkas izin")
    page.get_by_test_id("submit-report").click()
    expect(page.get_by_test_id("report-status")).to_have_text("Diajukan")
    report = WorkReport.objects.get()

    head = other_page(browser, live_server)
    log_in(head, "kabid", PASSWORD)
    head.goto("/workday/reports/")
    head.get_by_test_id("reports-to-decide").get_by_role("link", name="Staf Pelayanan").click()
    head.get_by_test_id("decide-report").locator("button[value=approve]").click()
    head.wait_for_url("**/workday/reports/")
    report.refresh_from_db()
    assert (report.status, report.decided_by) == ("approved", org["kabid"])
    head.context.close()


def test_a_recall_is_sent_and_acknowledged(page, browser, live_server, org):
    head = other_page(browser, live_server)
    log_in(head, "kabid", PASSWORD)
    head.goto("/workday/recalls/")
    form = head.get_by_test_id("recall-form")
    form.locator(f"input[name=nip][value='{org['staff'].nip}']").check()
    form.locator("[name=reason]").fill("Verifikasi berkas mendesak")
    form.locator("button[value=check]").click()
    expect(head.get_by_test_id("recall-ok")).to_be_visible()
    head.get_by_test_id("recall-form").locator("button[value=send]").click()
    expect(head.get_by_test_id("recalls-sent")).to_contain_text("Staf Pelayanan")
    recall = Recall.objects.get()

    log_in(page, "staf", PASSWORD)
    page.goto("/workday/recalls/")
    page.get_by_test_id("my-recalls").get_by_role("link").first.click()
    page.get_by_test_id("acknowledge").locator("[name=arrival_time]").fill("10:30")
    page.get_by_test_id("acknowledge").locator("button").click()
    expect(page.get_by_test_id("recall-status")).to_contain_text("Dikonfirmasi")
    recall.refresh_from_db()
    assert (recall.status, recall.arrival_time.strftime("%H:%M")) == ("acknowledged", "10:30")
    head.context.close()
