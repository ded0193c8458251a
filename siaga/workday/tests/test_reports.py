"""e-Kinerja daily work reports: write, submit, approve or return, recap, XLSX, the evening reminder."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from conftest import postgresql_only
from siaga.core.models import AuditEvent, Notification
from siaga.workday import selectors, services
from siaga.workday.models import WorkReport, WorkReportLine, WorkReportReminder
from siaga.workday.tests.conftest import at_once

LINE = {"activity": "Memeriksa berkas izin", "output": "berkas", "quantity": 12, "minutes": 180}


def submitted(org, day=None, lines=None):
    day = day or timezone.localdate()
    report = services.work_report_save(
        employee=org["staff"], day=day, lines=lines or [LINE], actor=org["users"]["staff"]
    )
    return services.work_report_submit(report=report, actor=org["users"]["staff"])


def inbox(user):
    return list(
        Notification.objects.filter(recipient=user, channel="in_app").order_by("pk").values_list("subject", flat=True)
    )


def test_a_submitted_report_goes_to_the_head_who_approves_it(org):
    report = submitted(org, lines=[LINE, {**LINE, "activity": "Melayani pemohon", "quantity": 5, "minutes": 120}])
    assert report.status == "submitted"
    today = timezone.localdate().strftime("%d-%m-%Y")
    assert inbox(org["users"]["kabid"]) == [f"Work report to approve: Staf Pelayanan, {today}"]
    decided = services.work_report_decide(report=report, user=org["users"]["kabid"], approve=True)
    assert (decided.status, decided.decided_by, decided.decided_basis) == ("approved", org["kabid"], "official")
    assert inbox(org["users"]["staff"]) == [f"Your work report of {today} was approved"]
    assert (
        AuditEvent.objects.filter(object_type="workday.workreport", changes__status=["submitted", "approved"]).count()
        == 1
    )
    # An approved report is closed.
    with pytest.raises(ValidationError) as closed:
        services.work_report_line_add(employee=org["staff"], day=report.date, actor=None, **LINE)
    assert closed.value.messages == ["This report is approved and can no longer be changed."]


def test_a_returned_report_is_corrected_and_submitted_again(org):
    report = submitted(org)
    with pytest.raises(ValidationError) as no_comment:
        services.work_report_decide(report=report, user=org["users"]["kabid"], approve=False)
    assert no_comment.value.message_dict == {"comment": ["Say what to correct when returning a report."]}
    returned = services.work_report_decide(
        report=report, user=org["users"]["kabid"], approve=False, comment="Sebutkan nomor berkas."
    )
    assert (returned.status, returned.comment) == ("returned", "Sebutkan nomor berkas.")
    services.work_report_save(
        employee=org["staff"], day=report.date, lines=[{**LINE, "output": "berkas 12-23"}], actor=None
    )
    again = services.work_report_submit(report=report, actor=org["users"]["staff"])
    assert again.status == "submitted"
    assert list(WorkReportLine.objects.filter(report=report).values_list("output", flat=True)) == ["berkas 12-23"]
    final = services.work_report_decide(report=report, user=org["users"]["head"], approve=True)
    assert (final.status, final.decided_by) == ("approved", org["kadis"])


def test_the_head_of_a_unit_reports_to_the_head_above(org):
    kabid_report = services.work_report_save(
        employee=org["kabid"], day=timezone.localdate(), lines=[LINE], actor=org["users"]["kabid"]
    )
    services.work_report_submit(report=kabid_report, actor=org["users"]["kabid"])
    assert inbox(org["users"]["head"])[-1].startswith("Work report to approve: Kepala Bidang")
    with pytest.raises(PermissionDenied) as own:
        services.work_report_decide(report=kabid_report, user=org["users"]["kabid"], approve=True)
    assert str(own.value) == "Nobody decides on their own request; the head above you does."
    assert (
        services.work_report_decide(report=kabid_report, user=org["users"]["head"], approve=True).status == "approved"
    )


def test_people_without_authority_cannot_decide(org):
    report = submitted(org)
    with pytest.raises(PermissionDenied) as other:
        services.work_report_decide(report=report, user=org["users"]["other_staff"], approve=True)
    assert "is neither the head of Bidang Pelayanan nor its acting official" in str(other.value)
    with pytest.raises(PermissionDenied):
        services.work_report_decide(report=report, user=org["users"]["admin"], approve=True)
    report.refresh_from_db()
    assert report.status == "submitted"


def test_a_plh_approves_while_acting_and_not_after(org, plh):
    report = submitted(org)
    decided = services.work_report_decide(report=report, user=plh["user"], approve=True)
    assert (decided.decided_by, decided.decided_basis) == (plh["employee"], "plh")
    later = submitted(org, day=timezone.localdate() - dt.timedelta(days=1))
    plh["delegation"].end = timezone.localdate() - dt.timedelta(days=1)
    plh["delegation"].save()
    with pytest.raises(PermissionDenied):
        services.work_report_decide(report=later, user=plh["user"], approve=True)


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([], "Add at least one activity: what you did, its output, how many and how many minutes."),
        ([{**LINE, "activity": " "}], "Activity 1: describe what you did."),
        ([{**LINE, "output": ""}], "Activity 1: name its output (a letter, a report, a served applicant…)."),
        ([{**LINE, "quantity": 0}], "Activity 1: the quantity must be at least 1."),
        ([{**LINE, "minutes": "abc"}], "Activity 1: quantity and minutes must be whole numbers."),
        ([LINE, {**LINE, "minutes": 1500}], "Activity 2: minutes must be between 1 and 1440; you entered 1500."),
        (
            [{**LINE, "minutes": 800}, {**LINE, "minutes": 700}],
            "The activities add up to 1500 minutes, more than a day (1440).",
        ),
    ],
)
def test_bad_activities_are_refused_with_what_to_fix_and_nothing_is_written(org, lines, message):
    with pytest.raises(ValidationError) as error:
        services.work_report_save(employee=org["staff"], day=timezone.localdate(), lines=lines, actor=None)
    assert error.value.message_dict == {"lines": [message]}
    assert not WorkReport.objects.exists()


def test_a_report_cannot_be_written_ahead_nor_submitted_empty_nor_twice(org):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as ahead:
        services.work_report_save(employee=org["staff"], day=tomorrow, lines=[LINE], actor=None)
    assert ahead.value.message_dict["date"] == [
        "A report is written on or after the day, not before; choose today or an earlier day."
    ]
    report = services.work_report_line_add(employee=org["staff"], day=timezone.localdate(), actor=None, **LINE)
    line = report.lines.get()
    services.work_report_line_delete(line=line, actor=None)
    with pytest.raises(ValidationError) as empty:
        services.work_report_submit(report=report, actor=None)
    assert empty.value.message_dict == {"lines": ["Add at least one activity before submitting."]}
    services.work_report_line_add(employee=org["staff"], day=timezone.localdate(), actor=None, **LINE)
    services.work_report_submit(report=report, actor=None)
    with pytest.raises(ValidationError) as twice:
        services.work_report_submit(report=report, actor=None)
    assert twice.value.messages == ["This report is submitted already."]


@pytest.mark.django_db(transaction=True)
@postgresql_only
def test_two_approvers_at_once_produce_one_decision(org):
    report = submitted(org)
    results = at_once(
        lambda: services.work_report_decide(report=report, user=org["users"]["kabid"], approve=True),
        lambda: services.work_report_decide(
            report=report, user=org["users"]["head"], approve=False, comment="Lengkapi."
        ),
    )
    done = [r for r in results if isinstance(r, WorkReport)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert (len(done), len(refused)) == (1, 1), results
    report.refresh_from_db()
    assert report.status == done[0].status
    assert refused[0].messages[0].startswith(f"This report was already {report.get_status_display().lower()} by ")
    assert AuditEvent.objects.filter(object_type="workday.workreport", changes__has_key="decided_by").count() == 1


def test_the_monthly_recap_and_its_xlsx(org, actor_of):
    today = timezone.localdate()
    first = today.replace(day=1)
    approved = submitted(org, day=first if first <= today else today)
    services.work_report_decide(report=approved, user=org["users"]["kabid"], approve=True)
    if today != first:
        submitted(org, day=today, lines=[{**LINE, "minutes": 60}, {**LINE, "minutes": 30}])
    kabid = services.work_report_save(employee=org["kabid"], day=first, lines=[LINE], actor=None)
    assert kabid.status == "draft"
    head = actor_of(org["users"]["head"])
    rows = selectors.work_report_recap(actor=head, month=today)
    by_name = {r.name: r for r in rows}
    staff = by_name["Staf Pelayanan"]
    if today != first:
        assert (staff.days, staff.approved, staff.submitted, staff.activities, staff.minutes) == (2, 1, 1, 3, 270)
    else:
        assert (staff.days, staff.approved, staff.activities, staff.minutes) == (1, 1, 1, 180)
    assert (by_name["Kepala Bidang"].days, by_name["Kepala Bidang"].draft) == (1, 1)
    # The staff member sees their own row only; another unit's staff sees nothing of DPMPTSP.
    assert [r.name for r in selectors.work_report_recap(actor=actor_of(org["users"]["staff"]), month=today)] == [
        "Staf Pelayanan"
    ]
    assert selectors.work_report_recap(actor=actor_of(org["users"]["other_staff"]), month=today) == []
    book = load_workbook(io.BytesIO(selectors.work_report_recap_xlsx(actor=head, month=today)))
    sheet = book.worksheets[0]
    values = list(sheet.values)
    assert values[0][:4] == ("NIP", "Name", "Unit", "Days reported")
    staff_row = next(v for v in values[1:] if v[1] == "Staf Pelayanan")
    assert staff_row[0] == org["staff"].nip
    assert staff_row[3:] == (
        staff.days,
        staff.approved,
        staff.submitted,
        staff.returned,
        staff.draft,
        staff.activities,
        staff.minutes,
    )
    units = list(book.worksheets[1].values)
    assert units[1] == ("Bidang Pelayanan", 2, staff.days + 1, staff.approved, staff.minutes + 180)


def test_the_recap_page_downloads_xlsx_for_heads_and_refuses_staff(org, login):
    client = login(org["users"]["staff"])
    assert client.get(reverse("workday:report_recap")).status_code == 403
    client = login(org["users"]["head"])
    response = client.get(reverse("workday:report_recap") + "?format=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert next(iter(load_workbook(io.BytesIO(response.content)).worksheets[0].values))[0] == "NIP"


def test_the_evening_reminder_reaches_wfh_people_without_a_report_once(org, publish_days, settings, make_user):
    settings.WORK_REPORT_REMINDER_AT = dt.time(17, 0)
    tz = org["government"].tzinfo
    today = timezone.localdate()
    org["staff_umum"].user = make_user("stafumum")
    org["staff_umum"].save()
    publish_days({(org["staff"], today): "wfh", (org["staff_umum"], today): "wfh", (org["kabid"], today): "wfo"})
    services.work_report_save(employee=org["staff_umum"], day=today, lines=[LINE], actor=None)
    report = WorkReport.objects.get(employee=org["staff_umum"])
    services.work_report_submit(report=report, actor=None)
    afternoon = dt.datetime.combine(today, dt.time(16, 59), tzinfo=tz)
    evening = dt.datetime.combine(today, dt.time(17, 5), tzinfo=tz)
    assert services.work_report_reminders_send(now=afternoon) == 0
    assert services.work_report_reminders_send(now=evening) == 1
    assert services.work_report_reminders_send(now=evening + dt.timedelta(hours=1)) == 0
    assert inbox(org["users"]["staff"]) == [f"Your work report of {today.strftime('%d-%m-%Y')} is missing"]
    assert Notification.objects.filter(recipient=org["users"]["staff"], channel="email").count() == 1
    assert WorkReportReminder.objects.filter(employee=org["staff"], date=today).count() == 1
    assert not inbox(org["users"]["kabid"])  # at the office: no reminder


def test_the_reminder_is_a_periodic_job():
    from siaga.core.schedule import PERIODIC_JOBS

    assert {"work-report-reminders", "recall-escalations"} <= {job.name for job in PERIODIC_JOBS}
