"""The demo month of the workday app agrees with the published roster."""

import datetime as dt
from collections import Counter

import pytest
from django.utils import timezone

from siaga.demo.services import demo_roster_publish, demo_seed
from siaga.rostering.models import Absence, RosterAssignment
from siaga.rostering.selectors import published_days
from siaga.workday.demo import demo_generate
from siaga.workday.models import Recall, TravelPermit, WorkReport, WorkReportLine


@pytest.mark.django_db(transaction=True)
def test_the_demo_regency_gets_a_month_of_reports_permits_and_recalls_consistent_with_its_roster():
    today = timezone.localdate()
    government = demo_seed(scale="small", seed=2020, today=today).government
    plan = demo_roster_publish(government=government, month=today, time_limit=5)
    counts = demo_generate(government=government, start=plan.start, end=plan.end, seed=7)
    reports = WorkReport.objects.filter(government=government)
    assert counts["work_reports"] == reports.count() > 0
    assert counts["report_lines"] == WorkReportLine.objects.filter(report__government=government).count()
    assert not reports.filter(date__gt=today).exists()
    modes = {
        (e, d): m for e, d, m in RosterAssignment.objects.filter(plan=plan).values_list("employee_id", "date", "mode")
    }
    # Reports only on working days of the roster, never on a day off or while away on a permit.
    assert all(modes[(e, d)] in ("wfo", "wfh") for e, d in reports.values_list("employee_id", "date"))
    statuses = Counter(reports.values_list("status", flat=True))
    assert statuses["approved"] > 10 * statuses["returned"] > 0  # mostly approved, a few returned
    assert all(
        r.decided_by_id and r.decided_by_id != r.employee_id
        for r in reports.filter(status__in=["approved", "returned"])
    )
    approved = reports.filter(status="approved").first()
    assert approved.submitted_at.astimezone(government.tzinfo).date() == approved.date
    assert approved.decided_at > approved.submitted_at
    # Every day's minutes fit in a working day.
    for report in reports.prefetch_related("lines")[:200]:
        assert 0 < sum(line.minutes for line in report.lines.all()) <= 420
    # Permits on days at home; approved ones make the person absent; recalls of people at home.
    for permit in TravelPermit.objects.filter(government=government):
        assert modes[(permit.employee_id, permit.start)] == "wfh"
        absent = Absence.objects.filter(source=permit.source).exists()
        assert absent == (permit.status == "approved")
        assert not reports.filter(employee_id=permit.employee_id, date=permit.start).exists() or not absent
    permit_statuses = set(TravelPermit.objects.filter(government=government).values_list("status", flat=True))
    assert {"approved", "refused"} <= permit_statuses
    recalls = Recall.objects.filter(government=government)
    assert recalls.count() == counts["recalls"] >= 3
    for recall in recalls:
        (day,) = published_days(employee=recall.employee, start=recall.date, end=recall.date)
        assert day.mode == "wfh"
        assert recall.recalled_by_id != recall.employee_id
    # Running it again replaces the month instead of adding to it.
    again = demo_generate(government=government, start=plan.start, end=plan.end, seed=7)
    assert again == counts
    assert WorkReport.objects.filter(government=government).count() == counts["work_reports"]


def test_without_a_roster_reports_fall_on_weekdays(org):
    today = timezone.localdate()
    start = today - dt.timedelta(days=13)
    counts = demo_generate(government=org["government"], start=start, end=today, seed=1)
    days = set(WorkReport.objects.values_list("date", flat=True))
    assert days and all(d.weekday() < 5 for d in days)
    assert counts["work_reports"] == WorkReport.objects.count()
