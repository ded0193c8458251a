"""Demo data of the workday app: a month of daily work reports, travel permits and recalls that agree
with the published roster (reports on working days only, permits on days at home, recalls of people
working from home). Written with ``bulk_create`` so that a whole regency takes seconds."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from siaga.core.models import Government
from siaga.org.models import Delegation, Employee, Position, Unit
from siaga.rostering.models import Absence, RosterAssignment, RosterPlan
from siaga.workday.models import Recall, TravelPermit, WorkReport, WorkReportLine

ACTIVITIES = (
    ("Memeriksa kelengkapan berkas permohonan", "berkas"),
    ("Melayani pemohon secara daring", "pemohon"),
    ("Menyusun konsep surat dinas", "konsep surat"),
    ("Mengikuti rapat koordinasi daring", "notulen"),
    ("Memperbarui data pegawai", "data"),
    ("Menyusun laporan harian penanganan", "laporan"),
    ("Memverifikasi dokumen persyaratan", "dokumen"),
    ("Menjawab pengaduan masyarakat", "pengaduan"),
    ("Mengarsipkan dokumen elektronik", "arsip"),
    ("Menginput data ke aplikasi", "entri data"),
)
DESTINATIONS = ("Semarang", "Yogyakarta", "Surabaya", "Jakarta", "Bandung", "Malang", "Solo Baru", "Klaten")
PURPOSES = ("Menjenguk orang tua yang sakit", "Urusan keluarga", "Menghadiri pernikahan saudara", "Mengurus dokumen")
RECALL_REASONS = (
    "Pelayanan tatap muka mendesak",
    "Verifikasi berkas asli",
    "Rapat sangat mendesak di kantor",
    "Penandatanganan dokumen",
)


def _roster_days(government: Government, start: dt.date, end: dt.date) -> dict[tuple[int, dt.date], str]:
    """(employee id, date) → mode from the published plans (the newest plan wins)."""
    days: dict[tuple[int, dt.date], str] = {}
    rows = (
        RosterAssignment.objects.filter(
            plan__government=government, plan__status=RosterPlan.Status.PUBLISHED, date__gte=start, date__lte=end
        )
        .order_by("-plan__published_at")
        .values_list("employee_id", "date", "mode")
    )
    for employee_id, date, mode in rows.iterator(chunk_size=5000):
        days.setdefault((employee_id, date), mode)
    return days


def _deciders(government: Government, day: dt.date) -> dict[int, int]:
    """Employee id → the id of whoever decides for them (the head of their unit, or of the unit above
    when they head it; a Plh/Plt of that unit when the post has one that day)."""
    units = {u.pk: u for u in Unit.objects.filter(government=government)}
    heads: dict[int, int] = {}
    for unit_id, employee_id in Employee.objects.filter(
        government=government, is_active=True, position__is_head=True
    ).values_list("position__unit_id", "pk"):
        heads.setdefault(unit_id, employee_id)
    for unit_id, acting_id in Delegation.objects.filter(
        government=government, start__lte=day, end__gte=day, revoked_at__isnull=True
    ).values_list("unit_id", "acting_id"):
        heads.setdefault(unit_id, acting_id)
    head_positions = set(Position.objects.filter(government=government, is_head=True).values_list("pk", "unit_id"))
    result: dict[int, int] = {}
    for pk, unit_id, position_id in Employee.objects.filter(government=government, is_active=True).values_list(
        "pk", "unit_id", "position_id"
    ):
        unit: Unit | None = units.get(unit_id)
        if (position_id, unit_id) in head_positions and unit is not None:
            unit = units.get(unit.parent_id) if unit.parent_id else None
        while unit is not None:
            head = heads.get(unit.pk)
            if head is not None and head != pk:
                result[pk] = head
                break
            unit = units.get(unit.parent_id) if unit.parent_id else None
    return result


def _insert(model: Any, fields: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """Insert plain rows (values already adapted for the database) into ``model``'s table, many rows per
    statement (one round trip per row would dominate on a PostgreSQL server)."""
    if not rows:
        return
    qn = connection.ops.quote_name
    columns = ", ".join(qn(model._meta.get_field(name).column) for name in fields)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    per_statement = max(1, min(1000, (connection.features.max_query_params or 10**6) // len(fields)))
    with connection.cursor() as cursor:
        for i in range(0, len(rows), per_statement):
            chunk = rows[i : i + per_statement]
            # Table and column names come from the model's metadata; the values are parameters.
            sql = f"INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES {', '.join([row] * len(chunk))}"  # noqa: S608
            cursor.execute(sql, [value for r in chunk for value in r])


def demo_generate(*, government: Government, start: dt.date, end: dt.date, seed: int = 1) -> dict[str, int]:
    """Reports for every working day of ``start``…``end`` up to today (mostly approved, a few returned,
    the last days still submitted), travel permits (approved, refused, pending) on days at home, and a
    few recalls of people working from home. Existing workday rows of the period are replaced."""
    rng = random.Random(seed)
    today = timezone.localdate()
    roster = _roster_days(government, start, end)
    employees = list(
        Employee.objects.filter(government=government, is_active=True).values_list("pk", "unit_id", flat=False)
    )
    if not roster:  # no published roster: every weekday at the office
        day = start
        while day <= end:
            if day.weekday() < 5:
                for pk, _unit in employees:
                    roster[(pk, day)] = RosterAssignment.Mode.WFO
            day += dt.timedelta(days=1)
    deciders = _deciders(government, min(today, end))
    now = timezone.now()
    counts = {"work_reports": 0, "report_lines": 0, "travel_permits": 0, "recalls": 0, "absences": 0}
    with transaction.atomic():
        WorkReport.objects.filter(government=government, date__gte=start, date__lte=end).delete()
        old_permits = TravelPermit.objects.filter(government=government, start__gte=start, start__lte=end)
        Absence.objects.filter(
            source__in=[f"workday.travelpermit:{pk}" for pk in old_permits.values_list("pk", flat=True)]
        ).delete()
        old_permits.delete()
        Recall.objects.filter(government=government, date__gte=start, date__lte=end).delete()

        # Travel permits first: approved ones take the person off those days (no report then).
        at_home: dict[int, list[dt.date]] = {}
        for (pk, day), mode in roster.items():
            if mode == RosterAssignment.Mode.WFH:
                at_home.setdefault(pk, []).append(day)
        permits: list[TravelPermit] = []
        outcomes = ("approved", "refused", "approved", "pending", "approved")
        for pk in sorted(at_home):
            if pk not in deciders or rng.random() > 0.08:
                continue
            outcome = outcomes[len(permits) % len(outcomes)]
            ahead = sorted(d for d in at_home[pk] if d > today)
            if outcome == "pending" and not ahead:
                outcome = "approved"  # a request still waiting is for days to come
            first = rng.choice(ahead if outcome == "pending" else sorted(at_home[pk]))
            length = rng.randint(1, 3)
            permits.append(
                TravelPermit(
                    government=government,
                    employee_id=pk,
                    destination=rng.choice(DESTINATIONS),
                    start=first,
                    end=first + dt.timedelta(days=length - 1),
                    purpose=rng.choice(PURPOSES),
                    status=outcome,
                    decided_by_id=None if outcome == "pending" else deciders[pk],
                    decided_basis="" if outcome == "pending" else "official",
                    decided_at=None if outcome == "pending" else now,
                    note="Ada tugas yang tidak dapat ditinggalkan." if outcome == "refused" else "",
                )
            )
        TravelPermit.objects.bulk_create(permits, batch_size=2000)
        away: set[tuple[int, dt.date]] = set()
        absences = []
        for permit in permits:
            if permit.status == TravelPermit.Status.APPROVED:
                absences.append(
                    Absence(
                        government=government,
                        employee_id=permit.employee_id,
                        start=permit.start,
                        end=permit.end,
                        reason=Absence.Reason.TRAVEL,
                        source=permit.source,
                    )
                )
                day = permit.start
                while day <= permit.end:
                    away.add((permit.employee_id, day))
                    day += dt.timedelta(days=1)
        Absence.objects.bulk_create(absences, batch_size=2000)

        # Daily reports on working days up to today.
        # Reports and their activities go in with executemany: at a regency's size (≈ 150,000 reports,
        # 440,000 activities a month) building model instances costs more than the database does.
        now_db = connection.ops.adapt_datetimefield_value(now)
        report_rows: list[tuple[Any, ...]] = []
        for (pk, day), mode in sorted(roster.items(), key=lambda item: (item[0][1], item[0][0])):
            if mode == RosterAssignment.Mode.OFF or day > today or (pk, day) in away:
                continue
            decider = deciders.get(pk)
            recent = (today - day).days <= 1
            if decider is None or recent:
                status = WorkReport.Status.SUBMITTED if rng.random() < 0.9 else WorkReport.Status.DRAFT
            else:
                status = WorkReport.Status.RETURNED if rng.random() < 0.04 else WorkReport.Status.APPROVED
            decided = status in (WorkReport.Status.APPROVED, WorkReport.Status.RETURNED)
            stamp = dt.datetime.combine(day, dt.time(16, 30), tzinfo=government.tzinfo)
            report_rows.append(
                (
                    government.pk,
                    pk,
                    connection.ops.adapt_datefield_value(day),
                    str(status),
                    connection.ops.adapt_datetimefield_value(stamp) if status != WorkReport.Status.DRAFT else None,
                    decider if decided else None,
                    "official" if decided else "",
                    connection.ops.adapt_datetimefield_value(stamp + dt.timedelta(hours=17)) if decided else None,
                    "Lengkapi jumlah hasil kegiatan." if status == WorkReport.Status.RETURNED else "",
                    now_db,
                    now_db,
                )
            )
        _insert(
            WorkReport,
            (
                "government",
                "employee",
                "date",
                "status",
                "submitted_at",
                "decided_by",
                "decided_basis",
                "decided_at",
                "comment",
                "created_at",
                "updated_at",
            ),
            report_rows,
        )
        report_ids = (
            WorkReport.objects.filter(government=government, date__gte=start, date__lte=end)
            .order_by("date", "employee_id")
            .values_list("pk", flat=True)
        )
        line_rows: list[tuple[Any, ...]] = []
        for report_id in report_ids.iterator(chunk_size=10000):
            left = rng.choice((300, 360, 420))
            for activity, output in rng.sample(ACTIVITIES, rng.randint(2, 4)):
                minutes = min(left, rng.choice((30, 60, 90, 120, 150)))
                if minutes <= 0:
                    break
                left -= minutes
                line_rows.append((report_id, activity, output, rng.randint(1, 15), minutes))
        _insert(WorkReportLine, ("report", "activity", "output", "quantity", "minutes"), line_rows)

        # A few recalls of people at home, by their head; most answered.
        recalls: list[Recall] = []
        unit_of = dict(employees)
        candidates = [(pk, day) for (pk, day), mode in roster.items() if mode == RosterAssignment.Mode.WFH]
        candidates = [c for c in sorted(candidates) if c not in away and c[0] in deciders]
        for pk, day in rng.sample(candidates, min(len(candidates), max(3, len(employees) // 200))):
            answered = day < today or rng.random() < 0.5
            created = dt.datetime.combine(day, dt.time(8, rng.randint(0, 59)), tzinfo=government.tzinfo)
            recalls.append(
                Recall(
                    government=government,
                    employee_id=pk,
                    unit_id=unit_of[pk],
                    date=day,
                    reason=rng.choice(RECALL_REASONS),
                    recalled_by_id=deciders[pk],
                    recalled_basis="official",
                    status=Recall.Status.ACKNOWLEDGED if answered else Recall.Status.SENT,
                    arrival_time=dt.time(rng.randint(9, 11), rng.choice((0, 15, 30, 45))) if answered else None,
                    acknowledged_at=created + dt.timedelta(minutes=rng.randint(2, 25)) if answered else None,
                )
            )
        Recall.objects.bulk_create(recalls, batch_size=2000)
    counts.update(
        work_reports=len(report_rows),
        report_lines=len(line_rows),
        travel_permits=len(permits),
        absences=len(absences),
        recalls=len(recalls),
    )
    return counts
