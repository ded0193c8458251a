"""/api/v1/work-reports, /travel-permits and /recalls: operations and role scoping."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from siaga.api.tests.conftest import ApiClient
from siaga.core.models import Role
from siaga.workday.models import Recall, TravelPermit, WorkReport

LINE = {"activity": "Verifikasi berkas", "output": "berkas", "quantity": 4, "minutes": 90}


def today():
    return timezone.localdate()


@pytest.fixture
def outsider(other_government, make_unit, make_employee, make_user):
    """The head of a unit of another government."""
    from siaga.org.models import Position

    unit = make_unit(other_government, "DISDIK", "dinas")
    position = Position.objects.create(
        government=other_government, unit=unit, name="Kepala", kind="struktural", level="jpt_pratama", is_head=True
    )
    user = make_user("kepalaluar")
    make_employee(unit, "Kepala Luar", user=user, position=position)
    return user


def write(org):
    client = ApiClient(user=org["users"]["staff"])
    response = client.post("/work-reports", {"date": today().isoformat(), "lines": [LINE]})
    assert response.status_code == 200, response.content
    return client, response.json()


def test_an_employee_writes_submits_and_the_head_approves(org):
    client, report = write(org)
    assert (report["status"], report["employee"]["nip"], len(report["lines"])) == ("draft", org["staff"].nip, 1)
    submitted = client.post(f"/work-reports/{report['id']}/submit")
    assert submitted.json()["status"] == "submitted"
    head = ApiClient(user=org["users"]["kabid"])
    assert [r["id"] for r in head.get("/work-reports", status="submitted").json()["items"]] == [report["id"]]
    decided = head.post(f"/work-reports/{report['id']}/decision", {"approve": True})
    assert decided.status_code == 200
    assert (decided.json()["status"], decided.json()["decided_by"], decided.json()["decided_basis"]) == (
        "approved",
        org["kabid"].nip,
        "official",
    )


def test_report_scoping_by_role(org, outsider, make_user):
    _client, report = write(org)
    path = f"/work-reports/{report['id']}"
    # The person, the heads above and BKPSDM see it; a colleague of another unit, the task force and
    # another government do not (404).
    for who in ("staff", "kabid", "head", "admin"):
        assert ApiClient(user=org["users"][who]).get(path).status_code == 200, who
    for user in (org["users"]["other_staff"], org["users"]["health"], outsider):
        assert ApiClient(user=user).get(path).status_code == 404
    assert ApiClient(user=org["users"]["other_staff"]).get("/work-reports").json()["count"] == 0
    assert ApiClient(user=outsider).get("/work-reports").json()["count"] == 0
    assert ApiClient(user=make_user("tanpaperan")).get("/work-reports").status_code == 403
    assert ApiClient().get("/work-reports").status_code == 401


def test_approvals_are_refused_to_those_without_authority_and_to_a_plh_after_the_delegation(org, plh):
    client, report = write(org)
    client.post(f"/work-reports/{report['id']}/submit")
    path = f"/work-reports/{report['id']}/decision"
    assert client.post(path, {"approve": True}).status_code == 403  # own report
    assert ApiClient(user=org["users"]["admin"]).post(path, {"approve": True}).status_code == 403
    plh["delegation"].end = today() - dt.timedelta(days=1)
    plh["delegation"].save()
    assert ApiClient(user=plh["user"]).post(path, {"approve": True}).status_code == 404  # no longer in scope
    assert WorkReport.objects.get().status == "submitted"
    plh["delegation"].end = today()
    plh["delegation"].save()
    assert ApiClient(user=plh["user"]).post(path, {"approve": True}).json()["decided_basis"] == "plh"


def test_bad_reports_get_422_with_the_field(org):
    client = ApiClient(user=org["users"]["staff"])
    response = client.post("/work-reports", {"date": today().isoformat(), "lines": [{**LINE, "minutes": 0}]})
    assert response.status_code == 422
    assert response.json()["errors"] == {"lines": ["Activity 1: minutes must be between 1 and 1440; you entered 0."]}
    assert not WorkReport.objects.exists()
    assert (
        ApiClient(user=org["users"]["health"])
        .post("/work-reports", {"date": today().isoformat(), "lines": [LINE]})
        .status_code
        == 403
    )


def test_the_recap_and_its_xlsx(org):
    client, _report = write(org)
    head = ApiClient(user=org["users"]["kabid"])
    rows = head.get("/work-reports/recap", month=today().strftime("%Y-%m")).json()
    assert [(r["nip"], r["days"], r["draft"], r["minutes"]) for r in rows] == [(org["staff"].nip, 1, 1, 90)]
    book = load_workbook(io.BytesIO(head.get("/work-reports/recap.xlsx").content))
    assert list(book.worksheets[0].values)[1][:4] == (org["staff"].nip, "Staf Pelayanan", "Bidang Pelayanan", 1)
    assert client.get("/work-reports/recap").status_code == 403
    assert head.get("/work-reports/recap", month="2026-13").status_code == 422


def test_travel_permits_through_the_api(org, outsider):
    staff = ApiClient(user=org["users"]["staff"])
    body = {
        "destination": "Semarang",
        "start": (today() + dt.timedelta(days=1)).isoformat(),
        "end": (today() + dt.timedelta(days=2)).isoformat(),
        "purpose": "Keluarga",
    }
    created = staff.post("/travel-permits", body)
    assert created.status_code == 201
    permit = created.json()
    assert (permit["status"], permit["office_days"]) == ("pending", [])
    overlap = staff.post("/travel-permits", body)
    assert overlap.status_code == 422
    assert list(overlap.json()["errors"]) == ["start"]
    path = f"/travel-permits/{permit['id']}"
    assert ApiClient(user=outsider).get(path).status_code == 404
    assert ApiClient(user=org["users"]["other_staff"]).get(path).status_code == 404
    assert staff.post(path + "/decision", {"approve": True}).status_code == 403
    head = ApiClient(user=org["users"]["kabid"])
    assert [p["id"] for p in head.get("/travel-permits", to_decide=True).json()["items"]] == [permit["id"]]
    refused = head.post(path + "/decision", {"approve": False})
    assert refused.status_code == 422
    assert refused.json()["errors"] == {"note": ["Say why the permit is refused."]}
    approved = head.post(path + "/decision", {"approve": True})
    assert approved.json()["status"] == "approved"
    assert staff.post(path + "/cancel").json()["status"] == "cancelled"
    assert TravelPermit.objects.get().status == "cancelled"


def test_recalls_through_the_api(org, outsider):
    head = ApiClient(user=org["users"]["kabid"])
    body = {"date": today().isoformat(), "nips": [org["staff"].nip]}
    check = head.post("/recalls/check", body).json()
    assert check == {"ok": [org["staff"].nip], "refused": [], "breaks": []}
    assert ApiClient(user=org["users"]["staff"]).post("/recalls", {**body, "reason": "x"}).status_code == 403
    # A person of another unit or government is not found for this head.
    assert head.post("/recalls", {**body, "nips": [org["other_staff"].nip], "reason": "x"}).status_code == 404
    sent = head.post("/recalls", {**body, "reason": "Rapat mendadak"})
    assert sent.status_code == 201
    (recall,) = sent.json()
    assert (recall["status"], recall["recalled_by"]) == ("sent", org["kabid"].nip)
    path = f"/recalls/{recall['id']}"
    assert ApiClient(user=outsider).get(path).status_code == 404
    assert head.post(path + "/acknowledge", {"arrival_time": "10:00"}).status_code == 403
    staff = ApiClient(user=org["users"]["staff"])
    bad = staff.post(path + "/acknowledge", {"arrival_time": "25:00"})
    assert bad.status_code == 422
    done = staff.post(path + "/acknowledge", {"arrival_time": "10:00"}).json()
    assert (done["status"], done["arrival_time"]) == ("acknowledged", "10:00:00")
    assert [r["id"] for r in staff.get("/recalls", mine=True).json()["items"]] == [recall["id"]]
    assert Recall.objects.get().status == "acknowledged"


def test_admin_sees_the_whole_government_but_other_roles_see_none(org, make_user):
    write(org)
    officer = make_user("petugas2", (org["government"], Role.SERVICE_OFFICER))
    assert ApiClient(user=org["users"]["admin"]).get("/work-reports").json()["count"] == 1
    assert ApiClient(user=officer).get("/work-reports").json()["count"] == 0
