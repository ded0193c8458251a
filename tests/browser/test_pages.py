"""What a person sees and does in the browser, on a phone-sized screen."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from siaga.org.models import Delegation
from tests.browser.fixtures import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_admin_logs_in_searches_employees_and_opens_one(page, org):
    log_in(page, "bkpsdm", PASSWORD)
    assert page.get_by_test_id("count-employees").inner_text() == "5"
    page.goto("/org/employees/")
    assert "5" in page.get_by_test_id("employee-count").inner_text()
    page.get_by_test_id("employee-search").fill("Umum")
    expect(page.get_by_test_id("employee-count")).to_have_text(re.compile(r"^1 "))
    assert "q=Umum" in page.url
    page.get_by_role("link", name="Staf Umum").click()
    page.wait_for_url(f"**/org/employees/{org['staff_umum'].pk}/")
    assert page.locator("h1").inner_text() == "Staf Umum"


def test_the_interface_is_indonesian_first_and_switches_to_english(page, db):
    page.goto("/login/")
    assert page.locator("html").get_attribute("lang") == "id"
    assert page.locator("h1").inner_text() == "Masuk ke Siaga"
    page.locator("button[lang=en]").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Log in to Siaga"


def test_a_wrong_password_shows_a_message_in_indonesian(page, org):
    page.goto("/login/")
    page.fill("#id_username", "staf")
    page.fill("#id_password", "salah")
    page.locator("main button[type=submit]").click()
    assert "salah" in page.get_by_role("alert").inner_text().lower()


def test_the_unit_tree_opens_to_show_sub_units(page, org):
    log_in(page, "staf", PASSWORD)
    page.goto("/org/units/")
    sub_unit = page.get_by_role("link", name="Bidang Pelayanan")
    assert not sub_unit.is_visible()
    page.locator("summary", has_text="DPMPTSP").click()
    assert sub_unit.is_visible()


def test_a_head_appoints_a_plh_for_a_unit_below_them(page, org):
    log_in(page, "kadis", PASSWORD)
    page.goto("/org/delegations/new/")
    page.select_option("#id_kind", "plh")
    page.select_option("#id_unit", label="Bidang Pelayanan")
    page.fill("#id_official", org["kabid"].nip)
    page.fill("#id_acting", org["staff"].nip)
    today = dt.date.today()
    page.fill("#id_start", today.isoformat())
    page.fill("#id_end", (today + dt.timedelta(days=14)).isoformat())
    page.get_by_role("button", name="Angkat").click()
    page.wait_for_url("**/org/delegations/")
    assert "Staf Pelayanan" in page.get_by_test_id("delegations").inner_text()
    assert Delegation.objects.get().acting == org["staff"]


def test_the_home_page_fits_a_phone_screen(page, org):
    log_in(page, "bkpsdm", PASSWORD)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
