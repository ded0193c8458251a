"""In the browser (phone-sized, Indonesian): the task force creates the proposed cluster, adds a case,
finds the source in the background while the page shows the progress, and confirms the floor."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from siaga.outbreak.models import Cluster, SourceFinding, SourceVerdict
from siaga.outbreak.tasks_clusters import run_source_finding
from siaga.outbreak.tests.test_clusters import outbreak, places  # noqa: F401 - the scenario's fixtures
from tests.browser.fixtures import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_task_force_names_the_cluster_finds_the_source_and_confirms_it(page, org, outbreak):  # noqa: F811
    log_in(page, "satgas", PASSWORD)
    page.goto("/outbreak/clusters/")
    proposal = page.get_by_test_id("proposal")
    expect(proposal).to_contain_text("6 kasus")
    expect(proposal).to_contain_text("Menara Wijaya lantai 5")
    expect(proposal.locator("input[name=name]")).to_have_value("Klaster Menara Wijaya")
    proposal.get_by_test_id("create-from-proposal").click()
    page.wait_for_url(re.compile(r"/outbreak/clusters/\d+/$"))
    cluster = Cluster.objects.get()
    expect(page.locator(".messages")).to_contain_text("Klaster dibuat.")

    page.fill("#id_case", str(outbreak["office_case"].pk))
    page.get_by_role("button", name="Tambahkan kasus").click()
    expect(page.get_by_test_id(f"member-{outbreak['office_case'].pk}")).to_be_visible()

    page.get_by_test_id("finding-start").click()
    progress = page.locator("#finding-progress")
    expect(progress).to_contain_text("0 dari 999 replikasi")
    finding = SourceFinding.objects.get(cluster=cluster)
    assert run_source_finding.call(finding.pk) == "done"
    # the progress poll notices the end and reloads the page with the result
    expect(page.get_by_test_id("source-sentence")).to_have_text(
        "Sumber penularan diduga Menara Wijaya lantai 5: 6 dari 20 orang yang hadir tertular, "
        "dibanding 1 dari 140 yang tidak; RR 42, p < 0,001",
        timeout=15_000,
    )
    expect(page.get_by_test_id("scan-sentence")).to_contain_text("Pemindaian ruang-waktu menemukan kasus berkumpul")
    floor_table = page.get_by_test_id("ranking-floor")
    first_row = floor_table.locator("tbody tr").first
    expect(first_row).to_contain_text("Menara Wijaya lantai 5")
    expect(first_row).to_contain_text("6 / 20 (30%)")
    expect(first_row).to_contain_text("1 / 140 (0,7%)")
    first_row.get_by_role("button", name="Konfirmasi").click()
    expect(page.locator(".messages")).to_contain_text("Keputusan Anda tentang sumber tercatat.")
    expect(page.get_by_test_id("ranking-floor").locator("tbody tr").first).to_contain_text(
        "Dikonfirmasi sebagai sumber"
    )
    assert SourceVerdict.objects.get().label == "Menara Wijaya lantai 5"
    expect(page.get_by_test_id("cluster-graph").locator("circle")).to_have_count(7)

    # the case page loads the transmission chain with htmx
    page.goto(f"/outbreak/cases/{outbreak['office_case'].pk}/")
    expect(page.get_by_test_id("case-graph").locator("svg circle")).to_have_count(1)
