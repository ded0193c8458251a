"""The "Laporan kerja" pages, role by role."""

import pytest
from django.urls import reverse

from siaga.workday.models import WorkReport

pytestmark = pytest.mark.django_db


def add(client, **values):
    data = {"activity": "Rapat daring", "output": "notulen", "quantity": "1", "minutes": "60", **values}
    return client.post(reverse("workday:report_today"), data, follow=True)


def test_an_employee_adds_activities_submits_and_the_head_approves(org, login):
    client = login(org["users"]["staff"])
    page = add(client)
    assert "Activity added." in page.content.decode()
    assert "Rapat daring" in page.content.decode()
    report = WorkReport.objects.get(employee=org["staff"])
    client.post(reverse("workday:report_submit", args=[report.pk]))
    report.refresh_from_db()
    assert report.status == "submitted"
    head = login(org["users"]["kabid"])
    listing = head.get(reverse("workday:report_today")).content.decode()
    assert reverse("workday:report_detail", args=[report.pk]) in listing
    head.post(reverse("workday:report_detail", args=[report.pk]), {"decision": "approve"})
    report.refresh_from_db()
    assert (report.status, report.decided_by) == ("approved", org["kabid"])


def test_bad_input_on_the_page_says_what_to_fix(org, login):
    client = login(org["users"]["staff"])
    page = add(client, minutes="0").content.decode()
    assert "Activity 1: minutes must be between 1 and 1440; you entered 0." in page
    assert not WorkReport.objects.exists()


@pytest.mark.indonesian
def test_the_page_speaks_indonesian(org, login):
    client = login(org["users"]["staff"])
    page = client.get(reverse("workday:report_today")).content.decode()
    assert "Laporan kerja" in page
    page = add(client, output="").content.decode()
    assert "Kegiatan 1: sebutkan hasilnya" in page


def test_others_cannot_see_or_decide_a_report(org, login, other_government, make_unit, make_employee, make_user):
    client = login(org["users"]["staff"])
    add(client)
    report = WorkReport.objects.get()
    client.post(reverse("workday:report_submit", args=[report.pk]))
    detail = reverse("workday:report_detail", args=[report.pk])
    # A colleague of another unit: 404; the task force (no employee record): 404.
    assert login(org["users"]["other_staff"]).get(detail).status_code == 404
    assert login(org["users"]["health"]).get(detail).status_code == 404
    # Another government's head: 404.
    unit = make_unit(other_government, "DISDIK", "dinas")
    outsider = make_user("luar")
    make_employee(unit, "Orang Luar", user=outsider)
    assert login(outsider).get(detail).status_code == 404
    # Somebody who sees it but may not decide (the admin) is refused, and nothing changes.
    admin = login(org["users"]["admin"])
    assert admin.get(detail).status_code == 200
    assert admin.post(detail, {"decision": "approve"}).status_code == 403
    report.refresh_from_db()
    assert report.status == "submitted"
    # Users who are not employees have no report page.
    assert login(org["users"]["health"]).get(reverse("workday:report_today")).status_code == 403


def test_quick_add_and_remove_with_htmx_return_only_the_day(org, login):
    client = login(org["users"]["staff"])
    data = {"activity": "Rapat daring", "output": "notulen", "quantity": "1", "minutes": "60"}
    added = client.post(reverse("workday:report_today"), data, headers={"HX-Request": "true"}).content.decode()
    assert added.startswith('<section id="today-report"')
    assert "Rapat daring" in added and "Activity added." in added
    bad = client.post(
        reverse("workday:report_today"), {**data, "quantity": "0"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "Activity 1: the quantity must be at least 1." in bad
    line = WorkReport.objects.get().lines.get()
    # Somebody else's line is not found.
    assert login(org["users"]["kabid"]).post(reverse("workday:report_line_delete", args=[line.pk])).status_code == 404
    client = login(org["users"]["staff"])
    removed = client.post(
        reverse("workday:report_line_delete", args=[line.pk]), headers={"HX-Request": "true"}
    ).content.decode()
    assert "No activity yet." in removed
