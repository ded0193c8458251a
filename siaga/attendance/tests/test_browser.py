"""In the browser, on a phone-sized screen: an ASN checks in at the office with the phone's location,
is refused outside the geofence and when location access is denied, and checks out."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import PASSWORD
from siaga.attendance.models import CheckIn, Presence
from siaga.attendance.tests.conftest import INSIDE, OUTSIDE, publish
from tests.browser.fixtures import log_in

pytestmark = [pytest.mark.browser, pytest.mark.indonesian, pytest.mark.django_db(transaction=True)]


def test_an_asn_checks_in_at_the_office_and_out(page: Any, office: dict[str, Any]) -> None:
    publish(office["government"], [(office["staff"], timezone.localdate(), "wfo")])
    log_in(page, "staf", PASSWORD)
    page.goto("/attendance/")

    # location permission denied: a clear message, nothing sent
    page.get_by_label("Kantor (WFO)").check()
    page.get_by_test_id("check-in").click()
    expect(page.get_by_test_id("geo-status")).to_contain_text("Akses lokasi diblokir")
    assert not CheckIn.objects.exists()

    context = page.context
    context.grant_permissions(["geolocation"])
    context.set_geolocation({"latitude": OUTSIDE[0], "longitude": OUTSIDE[1], "accuracy": 10})
    page.get_by_label("Kantor (WFO)").check()
    page.get_by_test_id("check-in").click()
    expect(page.locator(".messages")).to_contain_text("dari Gedung Menara Wijaya")
    expect(page.locator(".messages")).to_contain_text("radius 100 m")
    assert not CheckIn.objects.exists()

    context.set_geolocation({"latitude": INSIDE[0], "longitude": INSIDE[1], "accuracy": 10})
    page.get_by_label("Kantor (WFO)").check()
    page.get_by_test_id("check-in").click()
    expect(page.locator(".messages")).to_contain_text("Presensi masuk pukul")
    expect(page.get_by_test_id("status")).to_contain_text("Sudah presensi")
    record = CheckIn.objects.get()
    assert (record.mode, record.building, record.accuracy_m) == ("wfo", office["building"], 10)

    page.get_by_test_id("check-out").click()
    expect(page.locator(".messages")).to_contain_text("Presensi pulang pukul")
    record.refresh_from_db()
    assert record.checked_out_at is not None
    assert Presence.objects.get().end == record.checked_out_at
