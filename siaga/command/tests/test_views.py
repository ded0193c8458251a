"""The command center pages: who may open them, what they show, the PDF report and the subscription."""

from __future__ import annotations

import subprocess

import pytest
from django.urls import reverse

from siaga.command.models import ReportSubscription
from siaga.command.selectors import today_of
from siaga.core.models import AuditEvent


def _pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout


URLS = [
    ("command:index", ()),
    ("command:unit", ("DPMPTSP",)),
    ("command:report", ()),
]


@pytest.mark.parametrize(("name", "args"), URLS)
@pytest.mark.parametrize("who", ["leader", "admin", "health"])
def test_leader_bkpsdm_and_task_force_open_the_command_center(org, leader, client, who, name, args):
    user = leader if who == "leader" else org["users"][who]
    client.force_login(user)
    assert client.get(reverse(name, args=args)).status_code == 200


@pytest.mark.parametrize(("name", "args"), [*URLS, ("command:subscription", ())])
@pytest.mark.parametrize("who", ["head", "kabid", "staff", "officer", "citizen"])
def test_everyone_else_is_refused(org, citizen, client, who, name, args):
    client.force_login(citizen if who == "citizen" else org["users"][who])
    method = client.post if name == "command:subscription" else client.get
    assert method(reverse(name, args=args), {"active": "1"}).status_code == 403
    assert not ReportSubscription.objects.exists()


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(reverse("command:index"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_an_unknown_or_other_governments_agency_is_not_found(org, leader, client, other_government, make_unit):
    make_unit(other_government, "BAPPEDA", "badan")
    client.force_login(leader)
    assert client.get(reverse("command:unit", args=["BAPPEDA"])).status_code == 404
    assert client.get(reverse("command:unit", args=["NOPE"])).status_code == 404


def test_the_page_shows_todays_figures_without_names(world, org, leader, client):
    day = today_of(org["government"])
    world(day)
    client.force_login(leader)
    response = client.get(reverse("command:index"))
    html = response.content.decode()
    board = response.context["board"]
    assert [u.unit.code for u in board.units] == ["DPMPTSP", "DINKES"] or {u.unit.code for u in board.units} == {
        "DPMPTSP",
        "DINKES",
    }
    assert board.total("cases") == 4  # the other government's four cases are not counted
    assert 'data-testid="tile-cases"><strong>4</strong>' in html
    assert 'data-unit="DINKES"><td>Dinas Kesehatan</td><td data-col="cases">&lt;3</td>' in html
    for name in (
        "Staf Pelayanan",
        "Kepala Bidang",
        "Staf Dinkes",
        "Karanganyar",
        "Confirmed, symptomatic",
        "Kasus konfirmasi",
    ):
        assert name not in html
    assert 'hx-trigger="every 60s"' in html
    assert 'data-testid="chart-cases"' in html and "<script" not in html.split("</head>")[1]
    assert reverse("command:unit", args=["DPMPTSP"]) in html


def test_the_htmx_refresh_returns_the_body_only(world, org, leader, client):
    world(today_of(org["government"]))
    client.force_login(leader)
    response = client.get(reverse("command:index"), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html and 'data-testid="tiles"' in html


def test_the_drill_down_shows_one_agency(world, org, leader, client):
    world(today_of(org["government"]))
    client.force_login(leader)
    response = client.get(reverse("command:unit", args=["DINKES"]))
    assert [u.unit.code for u in response.context["board"].units] == ["DINKES"]
    assert "Klaster Pelayanan" not in response.content.decode()


def test_the_pdf_report_carries_the_figures(world, org, leader, client, tmp_path):
    from siaga.command.tests.conftest import MONDAY

    world(MONDAY)
    client.force_login(leader)
    response = client.get(reverse("command:report"), {"date": MONDAY.isoformat()})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content, tmp_path)
    assert "Daily situation report" in text and "23/11/2026" in text and "Kabupaten Sukoharjo" in text
    assert "Karanganyar" not in text and "Staf Pelayanan" not in text
    row = next(line.split() for line in text.splitlines() if line.strip().startswith("DPMPTSP"))
    assert row[1:] == ["2", "2", "50%", "50%", "1", "3", "<3", "<3", "2", "2"]
    assert "Klaster Pelayanan" in text and "Gedung A" in text
    assert "Public-service coverage gaps" in text and "siang" in text


@pytest.mark.indonesian
def test_the_pdf_is_in_indonesian(org, leader, client, tmp_path, settings):
    settings.LANGUAGE_CODE = "id"
    client.force_login(leader)
    response = client.get(reverse("command:report"))
    assert "Laporan Harian Situasi" in _pdf_text(response.content, tmp_path)


def test_a_bad_date_is_explained(org, leader, client):
    client.force_login(leader)
    response = client.get(reverse("command:report"), {"date": "23-11-2026"})
    assert response.status_code == 400
    assert "YYYY-MM-DD" in response.content.decode()


def test_subscribe_and_unsubscribe(org, leader, client):
    client.force_login(leader)
    assert 'data-testid="subscribe"' in client.get(reverse("command:index")).content.decode()
    assert client.post(reverse("command:subscription"), {"active": "1"}).status_code == 302
    sub = ReportSubscription.objects.get(user=leader)
    assert (sub.active, sub.government) == (True, org["government"])
    assert 'data-testid="unsubscribe"' in client.get(reverse("command:index")).content.decode()
    client.post(reverse("command:subscription"), {"active": "0"})
    sub.refresh_from_db()
    assert not sub.active
    assert AuditEvent.objects.filter(object_type__icontains="reportsubscription").count() == 2


def test_names_with_markup_characters_are_printed_as_written(org, leader, client, tmp_path):
    org["other_unit"].name = "Dinas P&K <Kab>"
    org["other_unit"].save()
    client.force_login(leader)
    response = client.get(reverse("command:report"))
    assert "Dinas P&K <Kab>" in _pdf_text(response.content, tmp_path)
