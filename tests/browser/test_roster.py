"""A unit head plans a week in the browser, watches the solve, publishes; staff see "Jadwal saya"."""

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.core.management import call_command
from playwright.sync_api import expect

from conftest import PASSWORD
from siaga.org.models import Building, Floor, Skill
from siaga.rostering import services
from siaga.rostering.models import RosterPlan, WorkPolicy
from tests.browser.fixtures import log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def policy(org):
    importlib.import_module("siaga.rostering.migrations.0002_work_policy_presets").load_presets(apps, None)
    gov = org["government"]
    preset = WorkPolicy.objects.get(government=None, code="se-menpanrb-67-2020")
    services.policy_copy_for_government(government=gov, preset=preset, actor=None, select_from=dt.date(2020, 1, 1))
    services.situation_set(government=gov, effective_from=dt.date(2020, 1, 1), risk_zone="medium", actor=None)
    building = Building.objects.create(government=gov, code="menara-wijaya", name="Menara Wijaya")
    floor = Floor.objects.create(government=gov, building=building, number=5, capacity=40, distancing_capacity=20)
    for unit in (org["dinas"], org["pelayanan"], org["umum"]):
        unit.building, unit.floor = building, floor
        unit.save()
    front = Skill.objects.create(government=gov, code="front_office")
    org["staff"].skills.add(front)
    org["kabid"].skills.add(front)
    services.coverage_rule_set(unit=org["pelayanan"], skill=front, minimum=1, actor=None)
    return org


def test_a_head_plans_publishes_and_the_staff_sees_the_schedule(page, policy):
    today = dt.date.today()
    start = today + dt.timedelta(days=7 - today.weekday())
    log_in(page, "kadis", PASSWORD)
    page.locator('header a[href="/roster/plans/"]').click()
    page.fill("#id_start", start.isoformat())
    page.fill("#id_end", (start + dt.timedelta(days=4)).isoformat())
    page.select_option("#id_unit", label="DPMPTSP")
    page.fill("#id_time_limit", "5")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/roster/plans/*/")
    expect(page.locator("#plan-progress")).to_have_attribute("data-status", "queued")
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
    heatmap = page.get_by_test_id("heatmap")
    expect(heatmap).to_be_visible(timeout=15_000)  # the poll saw the end and reloaded the page
    assert "Bidang Pelayanan" in heatmap.inner_text()
    page.locator("main form button[type=submit]").click()  # publish
    page.wait_for_load_state()
    plan = RosterPlan.objects.get()
    assert plan.status == "published"
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
    page.context.clear_cookies()
    log_in(page, "staf", PASSWORD)
    page.goto("/roster/me/")
    days = page.locator("article.day")
    expect(days.first).to_be_visible()
    assert days.count() == plan.assignments.filter(employee=policy["staff"]).count()
