"""Exports for the health office: the case line list and the daily curve as CSV and XLSX, parsed back;
task force only, every export logged, the dashboard's filters applied, no formula smuggled in."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from siaga.core.models import AuditEvent
from siaga.org.models import Building
from siaga.outbreak import services
from siaga.outbreak.tests.conftest import days_ago

pytestmark = pytest.mark.django_db


def page(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def line_list(org: dict[str, Any], task_force: Any) -> dict[str, Any]:
    tower = Building.objects.create(government=org["government"], code="menara", name="Menara Wijaya")
    org["pelayanan"].building = tower
    org["pelayanan"].save()
    staff = services.case_create(
        actor=task_force, employee=org["staff"], classification="suspect", onset_date=days_ago(6)
    )
    taken = timezone.make_aware(dt.datetime.combine(days_ago(5), dt.time(9, 0)))
    services.lab_result_add(
        actor=task_force, case=staff, kind="rt_pcr", specimen_taken_at=taken, result_date=days_ago(4), result="positive"
    )
    staff = services.case_classify(actor=task_force, case=staff, to="confirmed_symptomatic")
    iso = services.order_issue(actor=task_force, case=staff, kind="isolation", start=days_ago(4))
    kabid = services.case_create(
        actor=task_force, employee=org["kabid"], classification="confirmed_asymptomatic", specimen_date=days_ago(4)
    )
    visitor = services.case_create(
        actor=task_force,
        visitor_name='=HYPERLINK("http://x")',
        classification="close_contact",
        last_exposure=days_ago(2),
    )
    return {"tower": tower, "staff": staff, "kabid": kabid, "visitor": visitor, "iso": iso}


def read_csv(response: Any) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def read_xlsx(response: Any) -> list[list[Any]]:
    assert "spreadsheetml" in response["Content-Type"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_case_line_list_as_csv(org, line_list):
    health = org["users"]["health"]
    response = page(health).get("/outbreak/dashboard/export/cases.csv")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="siaga-kasus-')
    rows = read_csv(response)
    header = rows[0]
    assert header[:6] == ["NIP", "Name", "Unit", "Building", "Classification", "Symptoms"]
    by_name = {row[1]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert len(by_name) == 3
    staff = by_name["Staf Pelayanan"]
    assert staff["NIP"] == org["staff"].nip
    assert staff["Unit"] == "Bidang Pelayanan" and staff["Building"] == "Menara Wijaya"
    assert staff["Classification"] == "Confirmed, symptomatic" and staff["Symptoms"] == "with symptoms"
    assert staff["Symptom onset"] == days_ago(6).isoformat()
    assert staff["Specimen date"] == days_ago(5).isoformat()  # the first positive RT-PCR
    assert staff["Lab results"] == f"RT-PCR {days_ago(5).isoformat()} positive"
    iso = line_list["iso"]
    assert (
        staff["Isolation and quarantine orders"]
        == f"Isolation {iso.start.isoformat()} – {iso.end.isoformat()} (in force)"
    )
    assert staff["Outcome"] == "Ongoing"
    assert by_name["Kepala Bidang"]["Symptoms"] == "without symptoms"
    # a name that a spreadsheet would run as a formula is kept as text
    visitor = by_name['\'=HYPERLINK("http://x")']
    assert visitor["Unit"] == "visitor" and visitor["NIP"] == "" and visitor["Last exposure"] == days_ago(2).isoformat()
    event = AuditEvent.objects.get(actor=health, action="read", object_id="export:cases")
    assert "cases.csv (3 rows)" in event.object_repr


def test_the_case_line_list_as_xlsx_with_real_dates_and_the_building_filter(org, line_list):
    response = page(org["users"]["health"]).get(
        "/outbreak/dashboard/export/cases.xlsx", {"building": line_list["tower"].pk}
    )
    assert response.status_code == 200 and response["Content-Disposition"].endswith('.xlsx"')
    rows = read_xlsx(response)
    header = rows[0]
    records = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    # the visitor works in no building: filtered out
    assert sorted(r["Name"] for r in records) == ["Kepala Bidang", "Staf Pelayanan"]
    staff = next(r for r in records if r["Name"] == "Staf Pelayanan")
    assert staff["Symptom onset"].date() == days_ago(6)  # a date cell, not text
    assert staff["NIP"] == org["staff"].nip


def test_the_daily_curve_as_csv_and_xlsx(org, line_list):
    client = page(org["users"]["health"])
    rows = read_csv(client.get("/outbreak/dashboard/export/curve.csv"))
    assert rows[0] == ["Date", "With symptoms", "Without symptoms", "Total", "Cumulative"]
    # onset 6 days ago (symptomatic), specimen 4 days ago (asymptomatic); the visitor is not an ASN
    assert rows[1:] == [
        [days_ago(6).isoformat(), "1", "0", "1", "1"],
        [days_ago(5).isoformat(), "0", "0", "0", "1"],
        [days_ago(4).isoformat(), "0", "1", "1", "2"],
    ]
    sheet = read_xlsx(client.get("/outbreak/dashboard/export/curve.xlsx", {"unit": org["dinas"].pk}))
    assert [(r[0].date(), r[1], r[2], r[3], r[4]) for r in sheet[1:]] == [
        (days_ago(6), 1, 0, 1, 1),
        (days_ago(5), 0, 0, 0, 1),
        (days_ago(4), 0, 1, 1, 2),
    ]
    sheet = read_xlsx(client.get("/outbreak/dashboard/export/curve.xlsx", {"unit": org["other_unit"].pk}))
    assert sheet[1:] == []
    assert AuditEvent.objects.filter(action="read", object_id="export:curve").count() == 3


@pytest.mark.indonesian
def test_the_headers_in_indonesian(org, line_list):
    rows = read_csv(page(org["users"]["health"]).get("/outbreak/dashboard/export/cases.csv"))
    assert rows[0][:3] == ["NIP", "Nama", "Unit kerja"]


def test_unknown_exports_are_not_found(org, line_list):
    client = page(org["users"]["health"])
    assert client.get("/outbreak/dashboard/export/cases.pdf").status_code == 404
    assert client.get("/outbreak/dashboard/export/people.csv").status_code == 404


@pytest.mark.parametrize("who", ["kabid", "head", "admin", "officer", "staff", "other_staff"])
def test_every_other_role_is_refused_every_export(org, line_list, who):
    user = org["users"][who]
    client = page(user)
    for path in ("cases.csv", "cases.xlsx", "curve.csv", "curve.xlsx"):
        assert client.get(f"/outbreak/dashboard/export/{path}").status_code == 403
    assert not AuditEvent.objects.filter(actor=user, action="read", object_type="outbreak.case").exists()


def test_another_governments_task_force_exports_nothing_of_ours(org, line_list, outsider_health):
    client = page(outsider_health)
    rows = read_csv(client.get("/outbreak/dashboard/export/cases.csv"))
    assert rows[1:] == []
    assert client.get("/outbreak/dashboard/export/cases.csv", {"building": line_list["tower"].pk}).status_code == 404
