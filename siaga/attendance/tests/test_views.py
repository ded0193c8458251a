"""Pages: Presensi for the employee, today's attendance, exceptions and the recap for unit heads (XLSX
parsed back), the room QR poster and the page its code opens; the roles that must be refused."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from siaga.attendance import services
from siaga.attendance.exports import RECAP_HEADER_ROW
from siaga.attendance.models import AttendanceException, CheckIn, Presence
from siaga.attendance.tests.conftest import INSIDE, OUTSIDE, at, publish

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_the_login(client: Any) -> None:
    response = client.get(reverse("attendance:home"))
    assert response.status_code == 302 and "/login" in response["Location"]
    response = client.post(reverse("attendance:check_in"), {"mode": "wfh"})
    assert response.status_code == 302 and "/login" in response["Location"]
    assert not CheckIn.objects.exists()


def test_a_tap_after_the_session_expired_asks_to_tap_again(office: dict[str, Any], client: Any) -> None:
    url = reverse("attendance:check_in")
    response = client.post(url, {"mode": "wfh"})
    assert response.status_code == 302 and f"next={url}" in response["Location"].replace("%2F", "/")
    client.force_login(office["users"]["staff"])
    # the login sends the person back to the check-in address with a GET
    page = client.get(url, follow=True)
    assert "Your session had expired, so nothing was recorded" in page.content.decode()
    assert not CheckIn.objects.exists()


def test_employee_checks_in_wfo_and_out_from_the_page(office: dict[str, Any], login: Any) -> None:
    client = login(office["users"]["staff"])
    publish(office["government"], [(office["staff"], timezone.localdate(), "wfo")])
    page = client.get(reverse("attendance:home"))
    assert page.status_code == 200
    assert b"/static/siaga/attendance." in page.content
    now = timezone.now().isoformat()
    data = {"mode": "wfo", "latitude": INSIDE[0], "longitude": INSIDE[1], "accuracy": "9", "client_time": now}
    response = client.post(reverse("attendance:check_in"), {**data, "idempotency_key": "k1"}, follow=True)
    assert "Checked in at" in response.content.decode()
    # the same tap again (a retry): still one record
    client.post(reverse("attendance:check_in"), {**data, "idempotency_key": "k1"})
    record = CheckIn.objects.get()
    assert record.mode == "wfo" and record.accuracy_m == 9
    response = client.post(reverse("attendance:check_out", args=[record.pk]), {"client_time": now}, follow=True)
    assert "Checked out at" in response.content.decode()
    record.refresh_from_db()
    assert record.checked_out_at is not None
    assert Presence.objects.get().end == record.checked_out_at


def test_outside_the_geofence_the_page_says_how_far_and_writes_nothing(office: dict[str, Any], login: Any) -> None:
    client = login(office["users"]["staff"])
    data = {"mode": "wfo", "latitude": OUTSIDE[0], "longitude": OUTSIDE[1], "client_time": timezone.now().isoformat()}
    response = client.post(reverse("attendance:check_in"), data, follow=True)
    assert "must be within 100 m" in response.content.decode()
    assert not CheckIn.objects.exists()


@pytest.mark.indonesian
def test_refusals_are_in_indonesian_by_default(office: dict[str, Any], login: Any) -> None:
    client = login(office["users"]["staff"])
    response = client.post(reverse("attendance:check_in"), {"mode": "wfo"}, follow=True)
    assert "Izinkan akses lokasi" in response.content.decode()


def test_nobody_checks_out_someone_elses_check_in(office: dict[str, Any], login: Any) -> None:
    record = services.check_in(employee=office["kabid"], mode="wfh", now=at(7, 0))
    response = login(office["users"]["staff"]).post(reverse("attendance:check_out", args=[record.pk]))
    assert response.status_code == 404
    record.refresh_from_db()
    assert record.checked_out_at is None


def test_unit_head_sees_today_and_grants_an_exception(office: dict[str, Any], login: Any) -> None:
    staff, today = office["staff"], timezone.localdate()
    publish(office["government"], [(staff, today, "wfh")])
    services.check_in(employee=office["kabid"], mode="wfh", now=at(7, 0))
    client = login(office["users"]["kabid"])
    page = client.get(reverse("attendance:unit_today", args=[office["pelayanan"].pk]))
    assert page.status_code == 200
    assert "Staf Pelayanan" in page.content.decode() and "1 of 2 checked in" in page.content.decode()
    response = client.post(
        reverse("attendance:exception_grant", args=[office["pelayanan"].pk]),
        {"employee": staff.pk, "date": today.isoformat(), "reason": "Pelayanan tatap muka"},
        follow=True,
    )
    assert "Exception granted to Staf Pelayanan" in response.content.decode()
    assert AttendanceException.objects.get().granted_by == office["kabid"]


def test_health_reasons_are_never_shown_to_the_unit_head(office: dict[str, Any], login: Any) -> None:
    from siaga.rostering.models import Absence

    today = timezone.localdate()
    Absence.objects.create(
        government=office["government"],
        employee=office["staff"],
        start=today,
        end=today,
        reason="isolation",
        source="o:1",
    )
    page = login(office["users"]["kabid"]).get(reverse("attendance:unit_today", args=[office["pelayanan"].pk]))
    html = page.content.decode().lower()
    table = html[html.index('data-testid="unit-today"') : html.index("</table>")]
    assert "unavailable" in table and "isolation" not in table


@pytest.mark.parametrize(("who", "status"), [("staff", 403), ("health", 403), ("other_staff", 403), ("kabid", 404)])
def test_unit_pages_refuse_other_roles_and_units(office: dict[str, Any], login: Any, who: str, status: int) -> None:
    # kabid heads Bidang Pelayanan only: Bidang Umum is out of scope
    client = login(office["users"][who])
    for name in ("attendance:unit_today", "attendance:unit_recap"):
        assert client.get(reverse(name, args=[office["umum"].pk])).status_code == status
    response = client.post(
        reverse("attendance:exception_grant", args=[office["umum"].pk]),
        {"employee": office["staff_umum"].pk, "date": timezone.localdate().isoformat(), "reason": "x"},
    )
    assert response.status_code == status
    assert not AttendanceException.objects.exists()


def test_admin_of_another_government_finds_no_unit(
    office: dict[str, Any], other_government: Any, make_user: Any, login: Any
) -> None:
    from siaga.core.models import Role

    stranger = make_user("bkpsdm-lain", (other_government, Role.ADMIN))
    assert login(stranger).get(reverse("attendance:unit_today", args=[office["pelayanan"].pk])).status_code == 404


def test_unit_recap_xlsx_parses_back_with_the_counts(office: dict[str, Any], login: Any) -> None:
    staff, today = office["staff"], timezone.localdate()
    publish(office["government"], [(staff, today, "wfo")])
    services.check_in(employee=staff, mode="wfo", latitude=INSIDE[0], longitude=INSIDE[1], now=at(8, 30))
    client = login(office["users"]["kabid"])
    url = reverse("attendance:unit_recap", args=[office["pelayanan"].pk])
    page = client.get(url, {"month": f"{today:%Y-%m}"})
    assert page.status_code == 200 and "Staf Pelayanan" in page.content.decode()
    response = client.get(url, {"month": f"{today:%Y-%m}", "format": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = {r[1]: r for r in sheet.iter_rows(min_row=RECAP_HEADER_ROW + 1, values_only=True) if r[0]}
    assert set(rows) == {"Kepala Bidang", "Staf Pelayanan"}
    nip, _name, wfo, wfh, travel, late, early, missing_out, missing = rows["Staf Pelayanan"]
    assert (nip, wfo, wfh, travel, late, early, missing_out, missing) == (staff.nip, 1, 0, 0, 1, 0, 0, 0)


def test_recap_counts_missing_days_from_the_published_roster(office: dict[str, Any]) -> None:
    import datetime as dt

    from siaga.attendance import selectors

    staff = office["staff"]
    today = timezone.localdate()
    first = today.replace(day=1)
    days = [first + dt.timedelta(days=i) for i in range(3)]
    publish(office["government"], [(staff, d, "wfh") for d in days])
    services.check_in(employee=staff, mode="wfh", now=at(7, 0, days[0]))
    row = selectors.recap(employees=[staff], year=today.year, month=today.month, today=days[2] + dt.timedelta(days=1))[
        0
    ]
    assert (row.wfh, row.missing) == (1, 2)


def test_room_poster_has_an_svg_qr_of_the_scan_address(office: dict[str, Any], login: Any) -> None:
    room = office["room"]
    response = login(office["users"]["admin"]).get(reverse("attendance:room_poster", args=[room.pk]))
    text = response.content.decode()
    assert response.status_code == 200 and "<svg" in text and "Ruang Rapat Lt. 2" in text
    assert f"http://testserver/attendance/r/{room.pk}/" in text
    assert login(office["users"]["staff"]).get(reverse("attendance:room_poster", args=[room.pk])).status_code == 403


def test_opening_the_qr_address_and_tapping_records_presence_in_the_room(office: dict[str, Any], login: Any) -> None:
    room = office["room"]
    client = login(office["users"]["staff"])
    url = reverse("attendance:room_scan", args=[room.pk])
    assert client.get(url).status_code == 200
    assert not Presence.objects.exists()  # opening the page alone writes nothing (link previews)
    response = client.post(url, follow=True)
    assert "You are recorded in Ruang Rapat Lt. 2" in response.content.decode()
    presence = Presence.objects.get()
    assert (presence.employee, presence.room, presence.source) == (office["staff"], room, "room_scan")


def test_the_task_force_searches_a_floor_and_the_read_is_audited(office: dict[str, Any], login: Any) -> None:
    from siaga.core.models import AuditEvent

    services.check_in(employee=office["staff"], mode="wfo", latitude=INSIDE[0], longitude=INSIDE[1], now=at(7, 20))
    client = login(office["users"]["health"])
    params = {
        "place": f"floor:{office['floor'].pk}",
        "start": at(9, 0).strftime("%Y-%m-%dT%H:%M"),
        "end": at(10, 0).strftime("%Y-%m-%dT%H:%M"),
    }
    page = client.get(reverse("attendance:presence"), params)
    assert page.status_code == 200 and "Staf Pelayanan" in page.content.decode()
    assert AuditEvent.objects.filter(action="read_presence").count() == 1


def test_others_see_only_their_own_presence_on_the_page(office: dict[str, Any], login: Any) -> None:
    services.check_in(employee=office["staff"], mode="wfo", latitude=INSIDE[0], longitude=INSIDE[1], now=at(7, 20))
    window = {"start": at(9, 0).strftime("%Y-%m-%dT%H:%M"), "end": at(10, 0).strftime("%Y-%m-%dT%H:%M")}
    own = login(office["users"]["staff"]).get(reverse("attendance:presence"), window)
    assert "Staf Pelayanan" in own.content.decode() and "place" not in own.context["form"].data
    # a head cannot search a place: the choice is not theirs, nothing is shown
    head = login(office["users"]["kabid"]).get(
        reverse("attendance:presence"), {**window, "place": f"floor:{office['floor'].pk}"}
    )
    assert head.status_code == 200 and "Staf Pelayanan" not in head.content.decode()
    assert login(office["users"]["admin"]).get(reverse("attendance:presence"), window).status_code == 403
