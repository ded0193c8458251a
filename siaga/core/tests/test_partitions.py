"""Month partitions of presence and the audit log on PostgreSQL (siaga/core/partitions.py): created by the
migrations, kept ahead and pruned by the daily job, and what still holds on them (the append-only trigger,
partition pruning of the contact-tracing query)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from conftest import postgresql_only, race
from siaga.attendance.models import Presence
from siaga.core import partitions
from siaga.core.models import AuditEvent
from siaga.core.partitions import AUDIT, PRESENCE, add_months, month_bounds, month_start, partition_name
from siaga.org.models import Building, Floor

pytestmark = pytest.mark.django_db

needs_postgres = postgresql_only


@pytest.fixture
def place(government: Any) -> Floor:
    building = Building.objects.create(government=government, code="menara", name="Menara Wijaya")
    return Floor.objects.create(government=government, building=building, number=2, capacity=40, distancing_capacity=20)


def presence_at(floor: Floor, start: dt.datetime, *, hours: int = 8, employee: Any = None) -> Presence:
    return Presence.objects.create(
        government=floor.government,
        employee=employee,
        visitor_name="" if employee else "Tamu",
        building=floor.building,
        floor=floor,
        start=start,
        end=start + dt.timedelta(hours=hours),
        source=Presence.Source.MANUAL,
    )


def where(table: str, pk: int) -> str:
    """The partition that holds row ``pk`` of ``table``."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def children(table: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass",
            [table],
        )
        return {name for (name,) in cursor.fetchall()}


def audit_row_at(moment: dt.datetime, label: str = "test") -> int:
    """An audit event at ``moment`` (the model stamps ``created_at`` itself, so by SQL)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO core_auditevent (actor_label, action, object_type, object_id, object_repr, changes, "
            "created_at) VALUES (%s, 'read', '', '', '', '{}', %s) RETURNING id",
            [label, moment],
        )
        return cursor.fetchone()[0]


def middle_of(month: dt.date) -> dt.datetime:
    return month_bounds(month)[0] + dt.timedelta(days=14, hours=9)


@needs_postgres
def test_migrations_leave_both_tables_partitioned_by_month_with_their_keys_and_indexes() -> None:
    current = month_start(partitions.local_today())
    for spec in partitions.SPECS:
        assert partitions.is_partitioned(spec.table)
        names = children(spec.table)
        assert f"{spec.table}_default" in names
        for n in range(partitions.MONTHS_AHEAD + 1):
            assert partition_name(spec.table, add_months(current, n)) in names
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'p'",
                [spec.table],
            )
            assert cursor.fetchone()[0] == f"PRIMARY KEY (id, {spec.column})"
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [spec.table])
            assert cursor.fetchone()[0] == f"public.{spec.table}_id_seq"
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'attendance_presence'")
        presence_indexes = {name for (name,) in cursor.fetchall()}
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'core_auditevent'")
        audit_indexes = {name for (name,) in cursor.fetchall()}
        # every month partition carries the indexes too
        cursor.execute(
            "SELECT count(*) FROM pg_indexes WHERE tablename = %s",
            [partition_name(PRESENCE.table, current)],
        )
        per_partition = cursor.fetchone()[0]
    assert {
        "presence_building_start",
        "presence_employee_start",
        "presence_floor_start",
        "presence_room_start",
        "presence_ref",
        "presence_open",
    } <= presence_indexes
    assert per_partition == len(presence_indexes)
    assert {"audit_gov_time", "audit_object"} <= audit_indexes


@needs_postgres
def test_ids_stay_unique_and_django_reads_rows_by_id(place: Floor) -> None:
    current = month_start(partitions.local_today())
    a = presence_at(place, middle_of(current))
    b = presence_at(place, middle_of(add_months(current, -30)))  # the default partition
    assert a.pk != b.pk and b.pk == a.pk + 1
    assert Presence.objects.get(pk=b.pk).start == b.start
    b.end = b.start + dt.timedelta(hours=1)
    b.save(update_fields=["end"])
    assert Presence.objects.get(pk=b.pk).end == b.end


@needs_postgres
def test_a_row_two_years_ahead_waits_in_the_default_partition_and_moves_into_its_month(place: Floor) -> None:
    today = partitions.local_today()
    later = add_months(month_start(today), 24)
    row = presence_at(place, middle_of(later))
    audit_id = audit_row_at(middle_of(later), "two years ahead")
    assert where("attendance_presence", row.pk) == "attendance_presence_default"
    assert where("core_auditevent", audit_id) == "core_auditevent_default"

    changes = partitions.ensure_partitions(months_ahead=24, today=today)

    created = {c.partition: c.rows for c in changes}
    assert created[partition_name(PRESENCE.table, later)] == 1
    assert created[partition_name(AUDIT.table, later)] == 1
    assert where("attendance_presence", row.pk) == partition_name(PRESENCE.table, later)
    assert where("core_auditevent", audit_id) == partition_name(AUDIT.table, later)
    # the same rows, same ids, and the default partition still catches what lies further ahead
    assert Presence.objects.get(pk=row.pk).start == row.start
    assert AuditEvent.objects.get(pk=audit_id).actor_label == "two years ahead"
    assert "attendance_presence_default" in children("attendance_presence")
    further = presence_at(place, middle_of(add_months(later, 12)))
    assert where("attendance_presence", further.pk) == "attendance_presence_default"
    # a second run has nothing left to do
    assert partitions.ensure_partitions(months_ahead=24, today=today) == []


@needs_postgres
def test_dry_run_creates_nothing(place: Floor) -> None:
    today = partitions.local_today()
    later = add_months(month_start(today), 12)
    presence_at(place, middle_of(later))
    changes = partitions.ensure_partitions(months_ahead=12, today=today, dry_run=True)
    assert {c.partition: c.rows for c in changes}[partition_name(PRESENCE.table, later)] == 1
    assert partition_name(PRESENCE.table, later) not in children(PRESENCE.table)


@needs_postgres
def test_retention_drops_only_the_expired_months(place: Floor, caplog: pytest.LogCaptureFixture) -> None:
    today = dt.date(2031, 5, 20)
    months = [add_months(dt.date(2031, 5, 1), -n) for n in range(6)]  # 2031-05 back to 2030-12
    partitions.ensure_partitions(months_ahead=5, today=months[-1])
    kept, dropped = months[:4], months[4:]  # retention 3: May and the three months before it
    rows = {m: presence_at(place, middle_of(m)) for m in months}
    old_audit = audit_row_at(middle_of(dropped[0]), "old")
    young_audit = audit_row_at(middle_of(kept[-1]), "young")
    old_default = presence_at(place, middle_of(dt.date(2020, 1, 1)))  # in the default partition

    with caplog.at_level(logging.WARNING, logger="siaga.core.partitions"):
        changes = partitions.drop_expired({"presence": 3, "audit": 3}, today=today)

    # these months, and the months the migrations created (years before "today" here); nothing younger
    dropped_names = {c.partition for c in changes}
    assert {partition_name(spec.table, m) for spec in partitions.SPECS for m in dropped} <= dropped_names
    assert all(partitions._month_of(c.table, c.partition) < kept[-1] for c in changes)
    names = children(PRESENCE.table)
    for m in kept:
        assert partition_name(PRESENCE.table, m) in names
        assert Presence.objects.filter(pk=rows[m].pk).exists()
    for m in dropped:
        assert partition_name(PRESENCE.table, m) not in names
        assert not Presence.objects.filter(pk=rows[m].pk).exists()
    assert Presence.objects.filter(pk=old_default.pk).exists()  # the default partition is never dropped
    assert not AuditEvent.objects.filter(pk=old_audit).exists()
    assert AuditEvent.objects.filter(pk=young_audit).exists()
    # the drop of audit rows is itself recorded, and logged
    record = AuditEvent.objects.get(object_id=partition_name(AUDIT.table, dropped[0]))
    assert record.action == "delete" and record.changes["rows"] == 1 and record.changes["retention_months"] == 3
    assert f"audit partition {partition_name(AUDIT.table, dropped[0])} dropped" in caplog.text
    # nothing left to drop
    assert partitions.drop_expired({"presence": 3, "audit": 3}, today=today) == []


@needs_postgres
def test_retention_comes_from_the_settings(place: Floor, settings: Any) -> None:
    settings.PRESENCE_RETENTION_MONTHS = 2
    settings.AUDIT_RETENTION_MONTHS = 5
    today = dt.date(2032, 8, 3)
    partitions.ensure_partitions(months_ahead=7, today=dt.date(2032, 1, 1))
    changes = partitions.drop_expired(today=today, dry_run=True)
    presence = sorted(c.partition for c in changes if c.table == PRESENCE.table and "_p2032_" in c.partition)
    audit = sorted(c.partition for c in changes if c.table == AUDIT.table and "_p2032_" in c.partition)
    # presence keeps 2032-06.., the audit log 2032-03..
    assert presence == [partition_name(PRESENCE.table, dt.date(2032, m, 1)) for m in range(1, 6)]
    assert audit == [partition_name(AUDIT.table, dt.date(2032, m, 1)) for m in range(1, 3)]
    assert partition_name(PRESENCE.table, dt.date(2032, 1, 1)) in children(PRESENCE.table)  # a dry run


@needs_postgres
def test_the_audit_log_stays_append_only_on_the_parent_and_on_every_partition() -> None:
    current = month_start(partitions.local_today())
    this_month = audit_row_at(middle_of(current), "now")
    in_default = audit_row_at(middle_of(add_months(current, -200)), "long ago")
    for table, pk in [
        ("core_auditevent", this_month),
        (partition_name(AUDIT.table, current), this_month),
        ("core_auditevent", in_default),
        ("core_auditevent_default", in_default),
    ]:
        update = f"UPDATE {table} SET action = 'update' WHERE id = %s"  # noqa: S608 - our names
        delete = f"DELETE FROM {table} WHERE id = %s"  # noqa: S608 - our names
        for sql in (update, delete):
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as c:
                c.execute(sql, [pk])
    assert AuditEvent.objects.filter(pk__in=[this_month, in_default]).count() == 2


@needs_postgres
def test_the_presence_overlap_query_of_one_week_reads_only_that_weeks_partition(place: Floor) -> None:
    """``overlapping`` is the one query of presence by time: contact tracing, second-generation tracing,
    cluster source finding and the task force's presence view all use it."""
    from siaga.attendance.selectors import overlapping

    current = month_start(partitions.local_today())
    month = add_months(current, 1)
    partitions.ensure_partitions(months_ahead=3)
    w_start = month_bounds(month)[0] + dt.timedelta(days=10)
    w_end = w_start + dt.timedelta(days=7)
    in_window = overlapping(
        Presence.objects.filter(government_id=place.government_id, floor__isnull=False), w_start, w_end
    )
    plan = in_window.explain()
    assert partition_name(PRESENCE.table, month) in plan
    others = [partition_name(PRESENCE.table, add_months(current, n)) for n in (0, 2, 3)]
    assert not [name for name in others if name in plan], plan
    assert "attendance_presence_default" not in plan, plan


@needs_postgres
def test_the_command_lists_partitions_with_row_counts(place: Floor) -> None:
    from io import StringIO

    current = month_start(partitions.local_today())
    presence_at(place, middle_of(current))
    presence_at(place, middle_of(current) + dt.timedelta(days=1))
    out = StringIO()
    call_command("partitions", stdout=out)
    lines = out.getvalue().splitlines()
    line = next(x for x in lines if partition_name(PRESENCE.table, current) in x)
    assert line.split()[-2:] == ["2", "rows"]
    assert any("attendance_presence_default" in x for x in lines)
    assert any(x.startswith("core_auditevent (by created_at") for x in lines)

    out = StringIO()
    call_command("partitions", "--ensure", "--months-ahead", "5", "--dry-run", stdout=out)
    assert f"would create {partition_name(PRESENCE.table, add_months(current, 5))}" in out.getvalue()
    assert partition_name(PRESENCE.table, add_months(current, 5)) not in children(PRESENCE.table)


def _drop(names: list[str]) -> None:
    with connection.cursor() as cursor:
        for name in names:
            cursor.execute(f'DROP TABLE IF EXISTS "{name}"')


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_ensuring_partitions_at_once_create_each_month_once() -> None:
    current = month_start(partitions.local_today())
    new = [partition_name(spec.table, add_months(current, n)) for spec in partitions.SPECS for n in range(4, 9)]
    try:
        results, errors = race([lambda: partitions.ensure_partitions(months_ahead=8)] * 2)
        assert errors == []
        created = [c.partition for changes in results for c in changes]
        assert sorted(created) == sorted(new)  # each once, by whichever came first
        for spec in partitions.SPECS:
            assert {n for n in new if n.startswith(spec.table)} <= children(spec.table)
    finally:
        _drop(new)


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_partition_change_gives_up_rather_than_wait_behind_a_long_reader(monkeypatch: Any) -> None:
    import threading

    from django.db import OperationalError

    monkeypatch.setattr(partitions, "LOCK_TIMEOUT_SECONDS", 1)
    current = month_start(partitions.local_today())
    new = [partition_name(spec.table, add_months(current, 9)) for spec in partitions.SPECS]
    reading, release = threading.Event(), threading.Event()

    def long_report() -> None:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM attendance_presence")
                reading.set()
                release.wait(30)
        finally:
            connection.close()

    reader = threading.Thread(target=long_report)
    reader.start()
    try:
        assert reading.wait(30)
        with pytest.raises(OperationalError, match="lock timeout"):
            partitions.ensure_partitions(months_ahead=9)
        assert not set(new) & (children(PRESENCE.table) | children(AUDIT.table))  # nothing half-made
        release.set()
        reader.join()
        assert {c.partition for c in partitions.ensure_partitions(months_ahead=9)} >= set(new)
    finally:
        release.set()
        reader.join()
        _drop([partition_name(s.table, add_months(current, n)) for s in partitions.SPECS for n in range(4, 10)])


def test_the_daily_job_is_scheduled() -> None:
    from siaga.core.schedule import PERIODIC_JOBS

    job = next(j for j in PERIODIC_JOBS if j.name == "partitions")
    assert job.interval == dt.timedelta(days=1)
    assert job.run() == [] or connection.vendor == "postgresql"


@pytest.mark.skipif(connection.vendor == "postgresql", reason="checks the SQLite behaviour: no partitions there")
def test_on_sqlite_partitions_are_a_no_op() -> None:
    assert partitions.ensure_partitions() == []
    assert partitions.drop_expired() == []
    assert partitions.partitions(PRESENCE) == []
