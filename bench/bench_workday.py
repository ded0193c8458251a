"""A month of the working day for the demo regency (``siaga.workday.demo.demo_generate``) and the
monthly recap read over it, on SQLite and PostgreSQL.

For each database a fresh empty database is migrated by one child process, then a second child
(``python -m bench.bench_workday child``) seeds the regency (``demo_seed``, scale *regency*), publishes
a roster for last month made from rows (every weekday, half at home, so that no solver time is in the
figures), and times:

- ``demo_generate`` for that month (reports with their activities, travel permits, recalls);
- the monthly recap of the whole government (BKPSDM's view) and its XLSX export.

Baseline, measured in the same child: the same work through the services one report at a time
(``work_report_save`` + ``work_report_submit`` + ``work_report_decide``, each validated, locked and
audit-logged) for 100 reports, extrapolated to the month's reports: what the demo would cost without
bulk writes. Target: the regency month in ≤ 60 s.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from bench.bench_seed import databases
from bench.common import Row, print_table, run_child

TARGET_SECONDS = 60.0
N_SERVICE_REPORTS = 100


def child() -> None:
    import datetime as dt

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from siaga.core.access import actor_for_user
    from siaga.demo.services import demo_seed
    from siaga.org.models import Employee
    from siaga.rostering.models import RosterAssignment, RosterPlan
    from siaga.workday import selectors, services
    from siaga.workday.demo import _deciders, demo_generate

    government = demo_seed(scale="regency", seed=2020).government
    first = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    last = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    plan = RosterPlan.objects.create(
        government=government,
        name="bench",
        start=first,
        end=last,
        status=RosterPlan.Status.PUBLISHED,
        published_at=timezone.now(),
        problem={"shifts": [{"id": "hari", "start": "07:30", "end": "16:00"}]},
    )
    people = list(Employee.objects.filter(government=government, is_active=True).values_list("pk", flat=True))
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    rows = [
        RosterAssignment(
            plan=plan,
            employee_id=pk,
            date=day,
            mode="wfo" if (pk + day.toordinal()) % 2 else "wfh",
            shift="hari" if (pk + day.toordinal()) % 2 else "",
        )
        for pk in people
        for day in days
        if day.weekday() < 5
    ]
    RosterAssignment.objects.bulk_create(rows, batch_size=5000)

    start = time.perf_counter()
    counts = demo_generate(government=government, start=first, end=last, seed=1)
    generate = time.perf_counter() - start

    actor = actor_for_user(get_user_model().objects.get(username="bkpsdm"), government_id=government.pk)
    start = time.perf_counter()
    recap = selectors.work_report_recap(actor=actor, month=first)
    recap_seconds = time.perf_counter() - start
    start = time.perf_counter()
    xlsx = selectors.work_report_recap_xlsx(actor=actor, month=first)
    xlsx_seconds = time.perf_counter() - start

    # Baseline: the services, one report at a time, on days of the month before.
    deciders = _deciders(government, timezone.localdate())
    users = dict(Employee.objects.filter(pk__in=set(deciders.values())).values_list("pk", "user_id"))
    model = get_user_model()
    sample = [
        e
        for e in Employee.objects.filter(pk__in=list(deciders)).select_related("unit", "position")[:2000]
        if users.get(deciders[e.pk])
    ][:N_SERVICE_REPORTS]
    day = timezone.localdate() - dt.timedelta(days=1)
    line = {"activity": "Memeriksa berkas", "output": "berkas", "quantity": 3, "minutes": 120}
    start = time.perf_counter()
    for employee in sample:
        report = services.work_report_save(employee=employee, day=day, lines=[line, line], actor=None)
        services.work_report_submit(report=report, actor=None)
        approver = model.objects.get(pk=users[deciders[employee.pk]])
        services.work_report_decide(report=report, user=approver, approve=True)
    per_report = (time.perf_counter() - start) / max(len(sample), 1)
    print(
        json.dumps(
            {
                **counts,
                "employees": len(people),
                "generate_seconds": generate,
                "recap_rows": len(recap),
                "recap_seconds": recap_seconds,
                "xlsx_seconds": xlsx_seconds,
                "xlsx_kb": len(xlsx) / 1024,
                "service_seconds_per_report": per_report,
                "service_reports": len(sample),
            }
        )
    )


def measure(fresh_database: Any) -> dict[str, Any]:
    with fresh_database() as env:
        run_child("siaga.cli", ["migrate", "--noinput", "-v0"], env)
        _wall, _rss, out = run_child("bench.bench_workday", ["child"], env)
    figures: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return figures


def main() -> None:
    rows: list[Row] = []
    for label, fresh_database in databases():
        f = measure(fresh_database)
        target = f"≤ {TARGET_SECONDS:.0f} s"
        rows += [
            Row(
                f"{label}: month for {f['employees']:,} ASN ({f['work_reports']:,} reports)",
                f["generate_seconds"],
                "s",
                f["service_seconds_per_report"] * f["work_reports"],
                target,
            ),
            Row(f"{label}: activities written", f["report_lines"], "rows"),
            Row(f"{label}: permits / recalls", f["travel_permits"], "rows", f["recalls"]),
            Row(f"{label}: monthly recap, {f['recap_rows']:,} people", f["recap_seconds"], "s"),
            Row(f"{label}: recap as XLSX ({f['xlsx_kb']:,.0f} kB)", f["xlsx_seconds"], "s", f["recap_seconds"]),
        ]
    print_table("Workday demo month; baseline: per-report services × reports (or the recap read)", rows)


if __name__ == "__main__":
    if len(sys.argv) == 2 and sys.argv[1] == "child":
        child()
    else:
        main()
