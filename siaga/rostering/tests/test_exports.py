"""The private calendar feed (ICS) of "Jadwal saya" and a unit's roster as XLSX and PDF."""

import datetime as dt
import hashlib
import io
import re
import subprocess
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from openpyxl import load_workbook

from siaga.core.models import AuditEvent, Role
from siaga.rostering import services
from siaga.rostering.models import CalendarFeed, Leave, RosterAssignment, RosterPlan

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")
SHIFTS = [{"id": "pagi", "start": "07:30", "end": "11:30"}, {"id": "siang", "start": "14:30", "end": "18:00"}]


def _monday() -> dt.date:
    today = timezone.localdate()
    return today + dt.timedelta(days=7 - today.weekday())


def _plan(org, name, start, end, status, unit=None, published_minutes_ago=None):
    published_at = None
    if published_minutes_ago is not None:
        published_at = timezone.now() - dt.timedelta(minutes=published_minutes_ago)
    return RosterPlan.objects.create(
        government=org["government"],
        name=name,
        start=start,
        end=end,
        unit=unit,
        status=status,
        problem={"shifts": SHIFTS},
        published_at=published_at,
    )


def _days(plan, employee, start, modes, cohort="A"):
    for offset, mode in enumerate(modes):
        if mode is None:
            continue
        kind, _, shift = mode.partition("-")
        RosterAssignment.objects.create(
            plan=plan, employee=employee, date=start + dt.timedelta(days=offset), mode=kind, shift=shift, cohort=cohort
        )


@pytest.fixture
def rosters(org):
    """Next week, published for the whole government; a later published plan for Friday; drafts."""
    monday = _monday()
    friday = monday + dt.timedelta(days=4)
    week = _plan(org, "Roster Desember", monday, friday, RosterPlan.Status.PUBLISHED, published_minutes_ago=60)
    _days(week, org["staff"], monday, ["wfo-pagi", "wfh", "wfo-siang", "off", "wfh"])
    _days(week, org["kabid"], monday, ["wfh", "wfo-pagi", "wfh", "wfo-pagi", "wfo-pagi"], cohort="B")
    _days(week, org["staff_umum"], monday, ["wfo-pagi", "wfo-pagi", "wfh", "wfh", "wfh"])
    later = _plan(org, "Roster Jumat", friday, friday, RosterPlan.Status.PUBLISHED, published_minutes_ago=5)
    _days(later, org["staff"], friday, ["wfo-pagi"])
    # Drafts are nobody's schedule: one over the same Monday, one the week after.
    draft = _plan(org, "Draf", monday, monday + dt.timedelta(days=7), RosterPlan.Status.DRAFT)
    _days(draft, org["staff"], monday, ["wfh", None, None, None, None, None, None, "wfo-pagi"])
    Leave.objects.create(
        government=org["government"],
        employee=org["staff"],
        start=monday + dt.timedelta(days=3),
        end=monday + dt.timedelta(days=3),
        kind=Leave.Kind.SICK,
        reason="isolasi mandiri (karantina)",
        status=Leave.Status.APPROVED,
    )
    pelayanan = _plan(org, "Roster Bidang Pelayanan", monday, friday, RosterPlan.Status.DRAFT, unit=org["pelayanan"])
    _days(pelayanan, org["staff"], monday, ["wfo-pagi", "wfh", "wfo-siang", "off", "wfh"])
    _days(pelayanan, org["kabid"], monday, ["wfh", "wfo-pagi", "wfh", "wfo-pagi", "wfo-pagi"], cohort="B")
    umum = _plan(org, "Roster Bidang Umum", monday, friday, RosterPlan.Status.DRAFT, unit=org["umum"])
    _days(umum, org["staff_umum"], monday, ["wfo-pagi", "wfo-pagi", "wfh", "wfh", "wfh"])
    return {
        "monday": monday,
        "week": week,
        "later": later,
        "draft": draft,
        "pelayanan": pelayanan,
        "umum": umum,
    }


def _subscribe(client, user) -> str:
    client.force_login(user)
    response = client.post(reverse("rostering:my_calendar"), {"action": "renew"}, secure=True)
    assert response.status_code == 200
    https = response.context["feed_https"]
    assert response.context["feed_webcal"] == "webcal://" + https.removeprefix("https://")
    assert https.startswith("https://testserver/roster/feed/")
    return https.removeprefix("https://testserver/roster/feed/").removesuffix(".ics")


def _feed(client, secret):
    client.logout()
    return client.get(reverse("rostering:calendar_feed", args=[secret]))


# ---------------------------------------------------------------------------------------------------
# Calendar feed


def test_subscribing_shows_the_address_once_and_keeps_only_its_hash(org, rosters, client):
    client.force_login(org["users"]["staff"])
    before = client.get(reverse("rostering:my_schedule")).content.decode()
    assert "Subscribe in your phone's calendar" in before
    assert "Revoke" not in before
    secret = _subscribe(client, org["users"]["staff"])
    assert len(secret) == 43  # token_urlsafe(32)
    feed = CalendarFeed.objects.get(employee=org["staff"])
    assert feed.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert feed.government_id == org["government"].pk
    assert secret not in feed.key_hash
    page = client.get(reverse("rostering:my_schedule")).content.decode()
    assert secret not in page
    assert "Revoke" in page


def test_the_feed_has_the_published_days_in_the_governments_time_zone(org, rosters, client):
    monday = rosters["monday"]
    secret = _subscribe(client, org["users"]["staff"])
    response = _feed(client, secret)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    events = sorted(calendar.walk("VEVENT"), key=lambda e: str(e["uid"]))
    assert len(events) == 4  # Thursday is off and left out; the drafts are not there
    got = [(str(e["summary"]), e.decoded("dtstart"), e.decoded("dtend")) for e in events]
    at = dt.datetime.combine
    assert got == [
        ("WFO — shift pagi", at(monday, dt.time(7, 30), JAKARTA), at(monday, dt.time(11, 30), JAKARTA)),
        ("WFH", monday + dt.timedelta(days=1), monday + dt.timedelta(days=2)),
        (
            "WFO — shift siang",
            at(monday + dt.timedelta(days=2), dt.time(14, 30), JAKARTA),
            at(monday + dt.timedelta(days=2), dt.time(18, 0), JAKARTA),
        ),
        # The later published plan wins Friday.
        (
            "WFO — shift pagi",
            at(monday + dt.timedelta(days=4), dt.time(7, 30), JAKARTA),
            at(monday + dt.timedelta(days=4), dt.time(11, 30), JAKARTA),
        ),
    ]
    assert events[0]["dtstart"].params["TZID"] == "Asia/Jakarta"
    assert f"DTSTART;TZID=Asia/Jakarta:{monday:%Y%m%d}T073000" in response.content.decode()
    assert [str(e["uid"]) for e in events] == [
        f"roster-{org['government'].pk}-{org['staff'].pk}-{monday + dt.timedelta(days=n):%Y%m%d}@siaga"
        for n in (0, 1, 2, 4)
    ]
    assert [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Jakarta"]
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT6H\r\n" in response.content.decode()
    assert "X-PUBLISHED-TTL:PT6H\r\n" in response.content.decode()


def test_a_draft_plans_days_are_not_in_the_feed(org, rosters, client):
    secret = _subscribe(client, org["users"]["staff"])
    calendar = Calendar.from_ical(_feed(client, secret).content)
    dates = {e.decoded("dtstart") for e in calendar.walk("VEVENT")}
    next_monday = rosters["monday"] + dt.timedelta(days=7)
    assert not any(
        (d.date() if isinstance(d, dt.datetime) else d) in (next_monday, rosters["monday"] + dt.timedelta(days=3))
        for d in dates
    )
    rosters["draft"].status = RosterPlan.Status.PUBLISHED
    rosters["draft"].published_at = timezone.now()
    rosters["draft"].save()
    calendar = Calendar.from_ical(_feed(client, secret).content)
    assert len(calendar.walk("VEVENT")) == 5  # the draft's Monday (WFH) and the next Monday now count


def test_the_feed_never_says_why_someone_is_not_working(org, rosters, client):
    secret = _subscribe(client, org["users"]["staff"])
    text = _feed(client, secret).content.decode().lower()
    for word in ("isolasi", "karantina", "cuti", "sick", "leave"):
        assert word not in text, word


def test_a_new_address_or_revoking_stops_the_old_one(org, rosters, client):
    staff = org["users"]["staff"]
    first = _subscribe(client, staff)
    second = _subscribe(client, staff)
    assert first != second
    assert _feed(client, first).status_code == 404
    assert _feed(client, second).status_code == 200
    client.force_login(staff)
    response = client.post(reverse("rostering:my_calendar"), {"action": "revoke"})
    assert response.status_code == 302
    assert CalendarFeed.objects.filter(employee=org["staff"]).count() == 0
    assert _feed(client, second).status_code == 404
    assert _feed(client, "not-a-secret").status_code == 404
    actions = list(
        AuditEvent.objects.filter(object_type="rostering.calendarfeed").order_by("id").values_list("action", flat=True)
    )
    assert actions == ["create", "update", "delete"]


def test_reading_the_feed_is_noted_at_most_every_five_minutes(org, rosters, client):
    secret = _subscribe(client, org["users"]["staff"])
    assert CalendarFeed.objects.get().last_read_at is None
    _feed(client, secret)
    first = CalendarFeed.objects.get().last_read_at
    assert first is not None
    _feed(client, secret)
    assert CalendarFeed.objects.get().last_read_at == first
    feed = CalendarFeed.objects.get()
    assert services.calendar_feed_touch(feed=feed, now=first + dt.timedelta(minutes=4)) is False
    assert services.calendar_feed_touch(feed=feed, now=first + dt.timedelta(minutes=5)) is True
    assert CalendarFeed.objects.get().last_read_at == first + dt.timedelta(minutes=5)


def test_only_the_employee_themself_renews_or_revokes_their_feed(org, rosters, client):
    for who in ("admin", "head", "kabid"):
        with pytest.raises(PermissionDenied):
            services.calendar_feed_renew(employee=org["staff"], actor=org["users"][who])
        with pytest.raises(PermissionDenied):
            services.calendar_feed_revoke(employee=org["staff"], actor=org["users"][who])
    assert CalendarFeed.objects.count() == 0
    # BKPSDM's account has no employee record: there is no schedule to subscribe to.
    client.force_login(org["users"]["admin"])
    assert client.post(reverse("rostering:my_calendar"), {"action": "renew"}).status_code == 403
    client.logout()
    response = client.post(reverse("rostering:my_calendar"), {"action": "renew"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    # The page only ever acts on the logged-in person's own feed.
    secret = _subscribe(client, org["users"]["kabid"])
    assert list(CalendarFeed.objects.values_list("employee_id", flat=True)) == [org["kabid"].pk]
    calendar = Calendar.from_ical(_feed(client, secret).content)
    assert len(calendar.walk("VEVENT")) == 5
    client.force_login(org["users"]["kabid"])
    assert client.get(reverse("rostering:my_calendar")).status_code == 405


# ---------------------------------------------------------------------------------------------------
# XLSX and PDF


def _export(client, user, plan, code, fmt):
    client.force_login(user)
    return client.get(reverse(f"rostering:plan_unit_{fmt}", args=[plan.pk, code]))


def test_the_unit_grid_downloads_as_a_spreadsheet(org, rosters, client):
    monday = rosters["monday"]
    plan = rosters["pelayanan"]
    response = _export(client, org["users"]["kabid"], plan, "DPMPTSP-PEL", "xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == f'attachment; filename="roster-{plan.pk}-DPMPTSP-PEL.xlsx"'
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["DPMPTSP-PEL"]
    sheet = book.active
    friday = monday + dt.timedelta(days=4)
    assert sheet["A1"].value == "Roster Bidang Pelayanan"
    assert sheet["A2"].value == "Bidang Pelayanan (DPMPTSP-PEL)"
    assert sheet["A3"].value == (f"{monday.day} {monday:%B} {monday.year} to {friday.day} {friday:%B} {friday.year}")
    days = [monday + dt.timedelta(days=n) for n in range(5)]
    assert [c.value for c in sheet[5]] == ["NIP", "Name", "Cohort", *(f"{d:%a} {d.day}/{d.month}" for d in days)]
    assert [c.value for c in sheet[6]] == [
        org["kabid"].nip,
        "Kepala Bidang",
        "B",
        "H",
        "O-pagi",
        "H",
        "O-pagi",
        "O-pagi",
    ]
    assert [c.value for c in sheet[7]] == [org["staff"].nip, "Staf Pelayanan", "A", "O-pagi", "H", "O-siang", "–", "H"]
    assert sheet.max_row == 9
    assert sheet["A9"].value == "O-shift = at the office in that shift, H = from home, – = not working."
    assert sheet.freeze_panes == "D6"
    assert (sheet.column_dimensions["A"].width, sheet.column_dimensions["B"].width) == (22, 32)
    assert sheet.column_dimensions["H"].width == 10


def test_the_unit_grid_prints_as_a_pdf(org, rosters, client, tmp_path):
    plan = rosters["pelayanan"]
    response = _export(client, org["users"]["head"], plan, "DPMPTSP-PEL", "pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    path = tmp_path / "grid.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout
    assert "Roster Bidang Pelayanan" in text
    assert "Bidang Pelayanan (DPMPTSP-PEL)" in text
    assert "Staf Pelayanan" in text
    assert org["staff"].nip in text
    assert "Page 1 of 1" in text
    assert re.search(r"Printed \d{1,2} \w+ \d{4} \d{2}:\d{2}", text)
    assert "O = office (with the shift's first letter), H = home, – = not working." in text
    grid = next(line.split() for line in text.splitlines() if line.strip().startswith("Staf Pelayanan"))
    assert grid == ["Staf", "Pelayanan", org["staff"].nip, "A", "Op", "H", "Os", "–", "H"]


def test_the_unit_page_links_to_both_exports(org, rosters, client):
    plan = rosters["pelayanan"]
    client.force_login(org["users"]["kabid"])
    page = client.get(reverse("rostering:plan_unit", args=[plan.pk, "DPMPTSP-PEL"])).content.decode()
    assert f'href="/roster/plans/{plan.pk}/units/DPMPTSP-PEL.xlsx"' in page
    assert f'href="/roster/plans/{plan.pk}/units/DPMPTSP-PEL.pdf"' in page


@pytest.mark.parametrize("fmt", ["xlsx", "pdf"])
def test_who_may_export_a_units_roster(org, rosters, client, make_user, other_government, fmt):
    outsider = make_user("bkpsdm-karanganyar", (other_government, Role.ADMIN))
    users = org["users"]
    cases = [
        (users["staff"], rosters["pelayanan"], "DPMPTSP-PEL", 403),
        (users["health"], rosters["pelayanan"], "DPMPTSP-PEL", 403),
        (users["officer"], rosters["pelayanan"], "DPMPTSP-PEL", 403),
        (users["kabid"], rosters["pelayanan"], "DPMPTSP-PEL", 200),
        (users["head"], rosters["pelayanan"], "DPMPTSP-PEL", 200),
        (users["admin"], rosters["week"], "DPMPTSP-UMUM", 200),
        # Kepala Bidang Pelayanan is not the head of Bidang Umum, nor of the whole government's plan.
        (users["kabid"], rosters["umum"], "DPMPTSP-UMUM", 404),
        (users["kabid"], rosters["pelayanan"], "DPMPTSP-UMUM", 404),
        (users["kabid"], rosters["week"], "DPMPTSP-PEL", 404),
        (outsider, rosters["week"], "DPMPTSP-PEL", 404),
        (users["admin"], rosters["week"], "NO-SUCH-UNIT", 404),
    ]
    got = [_export(client, user, plan, code, fmt).status_code for user, plan, code, _status in cases]
    assert got == [status for *_rest, status in cases]
    client.logout()
    anonymous = client.get(reverse(f"rostering:plan_unit_{fmt}", args=[rosters["pelayanan"].pk, "DPMPTSP-PEL"]))
    assert anonymous.status_code == 302
