"""In the browser (phone-sized): a head requests a very urgent in-person meeting, books a room from the
picker showing the free seats, and an invitee marks their attendance, which becomes presence."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from siaga.attendance.models import Presence
from siaga.meetings.models import Meeting
from siaga.meetings.tests.conftest import WIB, policy, rooms  # noqa: F401 - the meetings fixtures
from tests.browser.fixtures import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def meeting_times() -> tuple[dt.datetime, dt.datetime]:
    """A meeting starting in ten minutes (attendance opens 30 minutes before), kept inside today."""
    now = dt.datetime.now(WIB).replace(second=0, microsecond=0)
    latest = now.replace(hour=23, minute=40)
    start = min(now + dt.timedelta(minutes=10), latest)
    return start, start + dt.timedelta(minutes=15)


def test_a_head_books_an_urgent_meeting_and_an_invitee_marks_attendance(page, org, policy, rooms):  # noqa: F811
    start, end = meeting_times()
    log_in(page, "kadis", PASSWORD)
    page.goto("/meetings/")
    page.locator('main a[href="/meetings/new/"]').click()
    page.fill("#id_title", "Rapat darurat klaster kantor")
    page.select_option("#id_priority", "sangat_mendesak")
    page.select_option("#id_mode", "luring")
    page.select_option("#id_organiser_unit", label="DPMPTSP")
    page.fill("#id_date", start.date().isoformat())
    page.fill("#id_start_time", start.strftime("%H:%M"))
    page.fill("#id_end_time", end.strftime("%H:%M"))
    with page.expect_response(lambda r: "/meetings/rooms/" in r.url and "end_time=" + end.strftime("%H") in r.url):
        page.locator("#id_end_time").dispatch_event("change")
    page.wait_for_load_state("networkidle")
    # the picker (refreshed by htmx for the chosen time) shows the seats left with distancing
    option = page.locator("#id_room option", has_text="Ruang Rapat Kecil")
    expect(option).to_have_text("Ruang Rapat Kecil, Gedung Menara Wijaya: 4 dari 4 kursi kosong")
    expect(page.locator("#id_room option", has_text="Ruang Rapat Timur")).to_have_count(0)  # closed
    page.select_option("#id_room", str(rooms["small"].pk))
    invitees = page.get_by_test_id("attendees")
    invitees.get_by_label("Kepala Dinas · DPMPTSP").check()
    invitees.get_by_label("Staf Pelayanan · Bidang Pelayanan").check()
    page.locator("#meeting-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/meetings/\d+/$"))
    expect(page.get_by_test_id("status")).to_have_text("Disetujui")
    expect(page.get_by_test_id("room")).to_contain_text("Ruang Rapat Kecil")
    meeting = Meeting.objects.get()
    assert (meeting.status, meeting.room_id, meeting.attendees.filter(in_person=True).count()) == (
        "approved",
        rooms["small"].pk,
        2,
    )

    page.context.clear_cookies()
    log_in(page, "staf", PASSWORD)
    page.goto(f"/meetings/{meeting.pk}/")
    page.get_by_test_id("attend-self").click()
    page.wait_for_load_state()
    expect(page.locator(".messages")).to_contain_text("Kehadiran Staf Pelayanan tercatat.")
    expect(page.get_by_test_id("invitees").locator("tr", has_text="Staf Pelayanan")).to_contain_text("hadir")
    presence = Presence.objects.get()
    assert (presence.employee, presence.room, presence.start, presence.end, presence.source) == (
        org["staff"],
        rooms["small"],
        start,
        end,
        "meeting",
    )
