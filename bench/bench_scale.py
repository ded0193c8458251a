"""Presence and audit at scale on PostgreSQL: month partitions against one unpartitioned table.

    python -m bench scale                                  (BENCH_POSTGRES_URL set; make bench does it)
    BENCH_SCALE_ROWS=100000000 scripts/bench.sh scale      (the figures of docs/scale.md)
    python -m bench.bench_scale --rows 100000000 --flat-rows 20000000

Fills ``attendance_presence`` (the real table: migrated, partitioned by month on ``start``) in SQL with
``generate_series``, one month per batch, over 24 months: per employee and working day one office
check-in interval on the employee's floor and two room scans on that floor, about 95 % of days present.
The employees are as many as the row count needs at that rate (≈ 3 rows a working day): 2 M rows is a
regency of ≈ 1,300 employees; 100 M rows ≈ 66,000 employees, i.e. ≈ 9 regencies of 7,000 (one government
each, as in a provincial instance). Indexes and foreign keys are those of the migrations, built after
the load. The baseline is a plain table with the same columns, indexes and keys, filled with the same
rows (the newest ``--flat-rows`` of them when the disk does not hold two copies; then it is said).

Measured (p50 / p95 over 90 random parameter sets; the two tables take turns run by run, after 30 warm-up
runs): the contact-tracing window for one person and one week (their floors, then everybody on those
floors), the occupancy of one building on one day, the attendance recap of one unit for one month, and
inserting a check-in's presence row. Also the bytes per row (table and indexes) of presence and of the
audit log, and what a month adds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bench.common import ROOT, Row, postgres_available, print_table, temporary_postgres_database

MONTHS = 24
ROWS_PER_DAY = 3  # one check-in interval and two room scans
PRESENT = 0.95
EMPLOYEES_PER_GOVERNMENT = 7000
EMPLOYEES_PER_UNIT = 50
BUILDINGS = 8  # per government
FLOORS = 5  # per building
ROOMS = 4  # per floor
REPEAT = 90
#: connections filling presence at once, a month each (BENCH_SCALE_LOADERS; default: the cores)
LOADERS = int(os.environ.get("BENCH_SCALE_LOADERS", str(os.cpu_count() or 1)))


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "siaga.settings")
    import django

    django.setup()


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def employees_for(rows: int) -> int:
    per_employee = MONTHS * 21.7 * ROWS_PER_DAY * PRESENT
    return max(100, round(rows / per_employee))


# --- the organisation ------------------------------------------------------------------------------


def seed_org(employees: int) -> None:
    """Governments, units, buildings, floors, rooms and employees (ORM), then a flat map for SQL."""
    from django.db import connection

    from siaga.core.models import Government
    from siaga.org.identifiers import make_nip
    from siaga.org.models import Building, Employee, Floor, Room, Unit

    governments = max(1, round(employees / EMPLOYEES_PER_GOVERNMENT))
    per_gov = -(-employees // governments)
    serial = 0
    for g in range(governments):
        gov = Government.objects.create(
            code=f"9{g // 100}.{g % 100:02d}", name=f"Kabupaten Bench {g}", kind="kabupaten"
        )
        buildings = Building.objects.bulk_create(
            Building(government=gov, code=f"b{b}", name=f"Gedung {b}") for b in range(BUILDINGS)
        )
        floors = Floor.objects.bulk_create(
            Floor(government=gov, building=b, number=f + 1, capacity=120, distancing_capacity=60)
            for b in buildings
            for f in range(FLOORS)
        )
        Room.objects.bulk_create(
            Room(government=gov, floor=f, code=f"r{f.pk}-{r}", name=f"Ruang {r}", capacity=20, distancing_capacity=10)
            for f in floors
            for r in range(ROOMS)
        )
        n_units = max(1, -(-per_gov // EMPLOYEES_PER_UNIT))
        units = Unit.objects.bulk_create(
            Unit(government=gov, code=f"U{u}", name=f"Unit {u}", kind="bidang") for u in range(n_units)
        )
        batch: list[Employee] = []
        for i in range(min(per_gov, employees - g * per_gov)):
            serial += 1
            unit_index = i // EMPLOYEES_PER_UNIT
            floor = floors[unit_index % len(floors)]  # a unit sits on one floor
            birth = dt.date(1970 + serial % 30, 1 + serial % 12, 1 + serial % 28)
            batch.append(
                Employee(
                    government=gov,
                    unit=units[unit_index],
                    name=f"Pegawai {serial}",
                    nip=make_nip(birth=birth, appointed=(birth.year + 25, 3), sex="M", serial=serial % 999 + 1),
                    birth_date=birth,
                    sex="M",
                    status="pns",
                    building_id=floor.building_id,
                    floor=floor,
                )
            )
        Employee.objects.bulk_create(batch, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE UNLOGGED TABLE bench_emp AS SELECT e.id, e.government_id AS gov, e.unit_id AS unit, "
            "e.building_id AS building, e.floor_id AS floor, "
            "(SELECT array_agg(r.id ORDER BY r.id) FROM org_room r WHERE r.floor_id = e.floor_id) AS rooms "
            "FROM org_employee e"
        )
        cursor.execute("ANALYZE bench_emp")


# --- loading -------------------------------------------------------------------------------------


def _definitions(cursor: Any, table: str) -> tuple[list[str], list[tuple[str, str]]]:
    cursor.execute(
        "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i WHERE i.indrelid = %s::regclass AND NOT i.indisprimary",
        [table],
    )
    indexes = [d for (d,) in cursor.fetchall()]
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'",
        [table],
    )
    return indexes, cursor.fetchall()


def month_list(today: dt.date) -> list[dt.date]:
    from siaga.core.partitions import add_months, month_start

    current = month_start(today)
    return [add_months(current, -n) for n in range(MONTHS - 1, -1, -1)]


def _load_months(months: list[dt.date]) -> None:
    """One loader thread: INSERT … SELECT the presence of ``months``, one statement per month."""
    from django.db import connection

    from siaga.core import partitions

    try:
        with connection.cursor() as cursor:
            cursor.execute("SET TIME ZONE 'Asia/Jakarta'")
            for month in months:
                last = partitions.add_months(month, 1) - dt.timedelta(days=1)
                # a check-in interval on the employee's floor, and two room scans on it
                cursor.execute(
                    """
                    INSERT INTO attendance_presence
                        (government_id, employee_id, visitor_name, building_id, floor_id, room_id,
                         start, "end", source, ref)
                    SELECT e.gov, e.id, '', e.building, e.floor,
                           CASE WHEN k = 0 THEN NULL ELSE e.rooms[1 + (random() * 3)::int] END,
                           s, s + CASE WHEN k = 0 THEN interval '8 hours' + random() * interval '1 hour'
                                       ELSE interval '20 minutes' + random() * interval '70 minutes' END,
                           CASE WHEN k = 0 THEN 'check_in' ELSE 'room_scan' END,
                           CASE WHEN k = 0 THEN 'checkin:' || nextval('bench_ref') ELSE 'scan:' || e.id END
                    FROM generate_series(%s::date, %s::date, interval '1 day') AS d
                    CROSS JOIN bench_emp e
                    CROSS JOIN generate_series(0, 2) AS k
                    CROSS JOIN LATERAL (
                        SELECT d + time '07:00' + (k * interval '2 hours 30 minutes')
                               + random() * interval '90 minutes' AS s
                    ) t
                    WHERE extract(isodow FROM d) < 6
                      AND abs(hashint8(e.id * 40000 + (d::date - date '2000-01-01'))) %% 1000 < %s
                    """,
                    [month, last, int(PRESENT * 1000) if PRESENT < 1 else 1000],
                )
                say(f"presence {month:%Y-%m}: {cursor.rowcount:,} rows")
    finally:
        connection.close()


def load_presence(months: list[dt.date]) -> dict[str, float]:
    """Fill the partitioned table month by month; indexes and foreign keys are built after."""
    from django.db import connection

    from siaga.core import partitions

    partitions.ensure_partitions(months_ahead=MONTHS + 1, today=months[0])
    timings: dict[str, float] = {}
    with connection.cursor() as cursor:
        # a bulk load into the benchmark's own temporary server: fewer checkpoints while it writes
        cursor.execute("ALTER SYSTEM SET max_wal_size = '16GB'")
        cursor.execute("ALTER SYSTEM SET checkpoint_timeout = '30min'")
        cursor.execute("SELECT pg_reload_conf()")
        indexes, fks = _definitions(cursor, "attendance_presence")
        for name, _definition in fks:
            cursor.execute(f'ALTER TABLE attendance_presence DROP CONSTRAINT "{name}"')
        cursor.execute(
            "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE i.indrelid = 'attendance_presence'::regclass AND NOT i.indisprimary"
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')
    started = time.perf_counter()
    loaders = max(1, min(LOADERS, len(months)))
    # each loader fills its own months over its own connection (a partition each: no lock is shared)
    with ThreadPoolExecutor(loaders) as pool:
        list(pool.map(_load_months, [months[i::loaders] for i in range(loaders)]))
    timings["load"] = time.perf_counter() - started
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute("SET max_parallel_maintenance_workers = 2")
        for sql in indexes:
            # read from the partitioned table as "ON ONLY" (the parent alone): built for every partition here
            cursor.execute(sql.replace(" ON ONLY ", " ON ", 1))
            say(sql.split(" ON ")[0])
        timings["indexes"] = time.perf_counter() - started
        started = time.perf_counter()
        for name, definition in fks:
            cursor.execute(f'ALTER TABLE attendance_presence ADD CONSTRAINT "{name}" {definition}')
        timings["foreign keys"] = time.perf_counter() - started
        cursor.execute("VACUUM ANALYZE attendance_presence")
    return timings


def make_flat(flat_rows: int, total: int) -> tuple[int, dict[str, float]]:
    """The baseline: one ordinary table with the same columns, indexes and foreign keys, holding the newest
    ``flat_rows`` rows (all of them when ``flat_rows >= total``)."""
    from django.db import connection

    timings: dict[str, float] = {}
    with connection.cursor() as cursor:
        indexes, fks = _definitions(cursor, "attendance_presence")
        cursor.execute("CREATE TABLE presence_flat (LIKE attendance_presence INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
        cursor.execute("ALTER TABLE presence_flat ALTER COLUMN id SET DEFAULT nextval('attendance_presence_id_seq')")
        started = time.perf_counter()
        if flat_rows >= total:
            cursor.execute("INSERT INTO presence_flat SELECT * FROM attendance_presence")
        else:
            cursor.execute(
                "SELECT start FROM attendance_presence ORDER BY start DESC OFFSET %s LIMIT 1", [flat_rows - 1]
            )
            (since,) = cursor.fetchone()
            cursor.execute("INSERT INTO presence_flat SELECT * FROM attendance_presence WHERE start >= %s", [since])
        copied = cursor.rowcount
        timings["load"] = time.perf_counter() - started
        started = time.perf_counter()
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute("ALTER TABLE presence_flat ADD PRIMARY KEY (id)")
        for sql in indexes:
            cursor.execute(
                re.sub(
                    r"^CREATE (UNIQUE )?INDEX (\S+) ON ONLY public\.attendance_presence",
                    r"CREATE \1INDEX flat_\2 ON presence_flat",
                    sql,
                )
            )
        timings["indexes"] = time.perf_counter() - started
        for name, definition in fks:
            cursor.execute(f'ALTER TABLE presence_flat ADD CONSTRAINT "{f"flat_{name}"[:63]}" {definition}')
        cursor.execute("VACUUM ANALYZE presence_flat")
    return copied, timings


def load_audit(rows: int, months: list[dt.date]) -> None:
    """Audit events shaped like the application's (sign-ins, check-in exceptions, health reads)."""
    from django.db import connection

    per_month = max(1, rows // len(months))
    with connection.cursor() as cursor:
        cursor.execute("SET TIME ZONE 'Asia/Jakarta'")
        for month in months:
            cursor.execute(
                """
                INSERT INTO core_auditevent (government_id, actor_id, actor_label, action, object_type, object_id,
                                             object_repr, changes, ip_address, created_at)
                SELECT e.gov, NULL, 'pegawai' || e.id,
                       (ARRAY['login', 'create', 'update', 'read'])[1 + i %% 4],
                       (ARRAY['auth.user', 'attendance.checkin', 'rostering.assignment', 'org.employee'])[1 + i %% 4],
                       (i * 7919)::text, 'Pegawai ' || e.id || ' · ' || to_char(%s::date, 'YYYY-MM'),
                       jsonb_build_object('mode', 'wfo', 'day', to_char(%s::date, 'YYYY-MM-DD')),
                       ('10.20.' || (i %% 250) || '.' || (e.id %% 250))::inet,
                       %s::date + random() * interval '28 days'
                FROM generate_series(1, %s) AS i
                CROSS JOIN (SELECT array_agg(id) AS a FROM bench_emp) ids
                JOIN bench_emp e ON e.id = ids.a[1 + i %% cardinality(ids.a)]
                """,
                [month, month, month, per_month],
            )
        cursor.execute("SET TIME ZONE 'UTC'")
        cursor.execute("VACUUM ANALYZE core_auditevent")


# --- measuring -----------------------------------------------------------------------------------


def sizes(cursor: Any, table: str) -> tuple[int, int, int]:
    """(rows, table bytes, index bytes) over a table and its partitions."""
    cursor.execute(
        "SELECT coalesce(sum(pg_table_size(c.oid)), 0), coalesce(sum(pg_indexes_size(c.oid)), 0) FROM pg_class c "
        "WHERE c.relkind = 'r' AND (c.oid = %s::regclass OR c.oid IN "
        "(SELECT relid FROM pg_partition_tree(%s::regclass) WHERE isleaf))",
        [table, table],
    )
    heap, index = cursor.fetchone()
    cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - our table names
    (rows,) = cursor.fetchone()
    return int(rows), int(heap), int(index)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


QUERIES = {
    "tracing: the person's floors, 1 week": (
        """SELECT DISTINCT floor_id FROM __TABLE__ WHERE government_id = %s AND floor_id IS NOT NULL
            AND start >= %s AND start < %s AND ("end" IS NULL OR "end" > %s) AND employee_id = %s""",
        "person",
    ),
    "tracing: everybody on those floors, 1 week": (
        """SELECT employee_id, visitor_name, building_id, floor_id, room_id, start, "end" FROM __TABLE__
            WHERE government_id = %s AND floor_id IS NOT NULL AND start >= %s AND start < %s
            AND ("end" IS NULL OR "end" > %s) AND floor_id = ANY(%s)""",
        "floors",
    ),
    "occupancy of one building, one day": (
        # siaga.attendance.selectors.overlapping: an open interval lasts PRESENCE_MAX_SPAN (36 h) at most
        """SELECT count(*), count(DISTINCT employee_id) FROM __TABLE__ WHERE building_id = %s
            AND start >= %s AND start < %s AND ("end" IS NULL OR "end" > %s)""",
        "building",
    ),
    "attendance recap of one unit, one month": (
        """SELECT employee_id, (start AT TIME ZONE 'Asia/Jakarta')::date, min(start), max("end"), count(*)
            FROM __TABLE__ WHERE employee_id = ANY(%s) AND start >= %s AND start < %s GROUP BY 1, 2""",
        "unit",
    ),
    "insert a check-in's presence row": (
        """INSERT INTO __TABLE__ (government_id, employee_id, visitor_name, building_id, floor_id, start,
            source, ref) VALUES (%s, %s, '', %s, %s, %s, 'check_in', %s) RETURNING id""",
        "insert",
    ),
}


def explain(table: str, params: dict[str, list[Any]]) -> None:
    """The plan of each query with its first parameters (standard error)."""
    from django.db import connection

    with connection.cursor() as cursor:
        for name, (template, kind) in QUERIES.items():
            if kind == "insert":
                continue
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + template.replace("__TABLE__", table), params[kind][0])
            plan = "\n".join(line for (line,) in cursor.fetchall())
            say(f"{table}: {name}\n{plan}")


def measure(tables: tuple[str, ...], params: dict[str, list[Any]]) -> dict[str, dict[str, list[float]]]:
    """Milliseconds per run of each query on each table. The tables take turns run by run (the first one
    first on even runs, last on odd ones), so other load on the machine and the cache weigh on both
    alike; a third of the runs first warm both up."""
    from django.db import connection

    times: dict[str, dict[str, list[float]]] = {table: {} for table in tables}
    with connection.cursor() as cursor:
        for name, (template, kind) in QUERIES.items():
            values = params[kind]
            for warm in (True, False):
                spent: dict[str, list[float]] = {table: [] for table in tables}
                for i, args in enumerate(values[: len(values) // 3] if warm else values):
                    for table in tables if i % 2 == 0 else tables[::-1]:
                        started = time.perf_counter()
                        cursor.execute(template.replace("__TABLE__", table), args)
                        cursor.fetchall()
                        spent[table].append((time.perf_counter() - started) * 1000)
                for table in tables:
                    times[table][name] = spent[table]
    return times


def parameters(months: list[dt.date], flat_since: dt.datetime | None) -> dict[str, list[Any]]:
    """Random parameters within the months both tables hold."""
    from zoneinfo import ZoneInfo

    from django.db import connection

    rng = random.Random(7)
    tz = ZoneInfo("Asia/Jakarta")
    first = flat_since.astimezone(tz).date() + dt.timedelta(days=2) if flat_since else months[0]
    last = months[-1] + dt.timedelta(days=20)
    span = (last - first).days - 8
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, gov, unit, building, floor FROM bench_emp")
        people = cursor.fetchall()
        cursor.execute("SELECT unit, array_agg(id) FROM bench_emp GROUP BY unit")
        units = cursor.fetchall()
    floors = sorted({person[4] for person in people})
    params: dict[str, list[Any]] = {k: [] for k in ("person", "floors", "building", "unit", "insert")}
    for i in range(REPEAT):
        pid, gov, _unit, building, floor = rng.choice(people)
        day = first + dt.timedelta(days=rng.randrange(span))
        w0 = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
        w1 = w0 + dt.timedelta(days=7)
        params["person"].append([gov, w0 - dt.timedelta(hours=36), w1, w0, pid])
        params["floors"].append([gov, w0 - dt.timedelta(hours=36), w1, w0, [floor, rng.choice(floors)]])
        d1 = w0 + dt.timedelta(days=1)
        params["building"].append([building, w0 - dt.timedelta(hours=36), d1, w0])
        _unit, members = rng.choice(units)
        m0 = dt.datetime.combine(rng.choice(months[-(span // 30 or 1) :]), dt.time.min, tzinfo=tz)
        m1 = dt.datetime.combine((m0 + dt.timedelta(days=32)).date().replace(day=1), dt.time.min, tzinfo=tz)
        params["unit"].append([members, m0, m1])
        now = dt.datetime.combine(months[-1] + dt.timedelta(days=25), dt.time(7, 30), tzinfo=tz)
        params["insert"].append([gov, pid, building, floor, now + dt.timedelta(seconds=i), f"checkin:bench{i}"])
    return params


def child(rows: int, flat_rows: int, audit_rows: int, explain_plans: bool = False) -> None:
    _setup_django()
    from django.core.management import call_command
    from django.db import connection

    from siaga.core import partitions

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    employees = employees_for(rows)
    say(f"seeding {employees:,} employees")
    seed_org(employees)
    with connection.cursor() as cursor:
        cursor.execute("CREATE SEQUENCE bench_ref")
    months = month_list(partitions.local_today())
    say(f"loading presence ≈ {rows:,} rows over {len(months)} months")
    load_times = load_presence(months)
    with connection.cursor() as cursor:
        total, p_heap, p_index = sizes(cursor, "attendance_presence")
    say(f"presence: {total:,} rows; copying the baseline")
    copied, flat_times = make_flat(flat_rows, total)
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(start) FROM presence_flat")
        (flat_since,) = cursor.fetchone()
        _r, f_heap, f_index = sizes(cursor, "presence_flat")
    say("loading audit events")
    load_audit(audit_rows, months)
    with connection.cursor() as cursor:
        a_rows, a_heap, a_index = sizes(cursor, "core_auditevent")
    generated = time.perf_counter() - started
    say("measuring")
    params = parameters(months, flat_since if copied < total else None)
    measured = measure(("attendance_presence", "presence_flat"), params)
    parted, flat = measured["attendance_presence"], measured["presence_flat"]
    if explain_plans:
        explain("attendance_presence", params)
        explain("presence_flat", params)

    print(f"\nscale: presence {total:,} rows partitioned by month ({MONTHS} months, {employees:,} employees, ")
    print(
        f"{len(months) and total // len(months):,} rows a month); baseline: one plain table of {copied:,} rows"
        + ("" if copied >= total else " (the newest; the disk does not hold two full copies)")
    )
    print(
        f"generation: presence load {load_times['load']:.0f} s, indexes {load_times['indexes']:.0f} s, "
        f"foreign keys {load_times['foreign keys']:.0f} s; baseline copy {flat_times['load']:.0f} s + "
        f"indexes {flat_times['indexes']:.0f} s; everything {generated / 60:.1f} min"
    )
    table: list[Row] = []
    for name in parted:
        for q in (0.5, 0.95):
            table.append(
                Row(
                    f"{name} p{int(q * 100)}",
                    percentile(parted[name], q),
                    "ms",
                    percentile(flat[name], q),
                    "p95 < 300 ms" if q == 0.95 else "",
                )
            )
    print_table("Queries: partitioned (value) against the plain table (baseline)", table)
    per_month_regency = EMPLOYEES_PER_GOVERNMENT * 21.7 * ROWS_PER_DAY * PRESENT
    size_rows = [
        Row("presence bytes/row, table", p_heap / total, "B", f_heap / max(copied, 1)),
        Row("presence bytes/row, indexes", p_index / total, "B", f_index / max(copied, 1)),
        Row("presence total", (p_heap + p_index) / 2**30, "GiB", (f_heap + f_index) / 2**30),
        Row(
            "presence a month, one regency of 7,000",
            (p_heap + p_index) / total * per_month_regency / 2**20,
            "MiB",
            None,
            f"{per_month_regency:,.0f} rows",
        ),
        Row("audit bytes/row, table", a_heap / max(a_rows, 1), "B"),
        Row("audit bytes/row, indexes", a_index / max(a_rows, 1), "B"),
        Row("audit rows measured", a_rows, "rows"),
    ]
    print_table("Sizes: partitioned (value) against the plain table (baseline)", size_rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_scale")
    parser.add_argument("--rows", type=int, default=int(os.environ.get("BENCH_SCALE_ROWS", "2000000")))
    parser.add_argument("--flat-rows", type=int, default=None, help="rows of the baseline copy (default: all)")
    parser.add_argument("--explain", action="store_true", help="print each query's plan on both tables")
    parser.add_argument("--audit-rows", type=int, default=None, help="audit events (default: rows / 20)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv if argv is not None else [])
    flat_rows = args.flat_rows or int(os.environ.get("BENCH_SCALE_FLAT_ROWS", "0")) or 2**62
    audit_rows = args.audit_rows or max(10_000, args.rows // 20)
    if args.child:
        child(args.rows, flat_rows, audit_rows, args.explain)
        return
    if not postgres_available():
        print("\nscale: skipped (needs PostgreSQL: set BENCH_POSTGRES_URL, or run make bench)")
        return
    with temporary_postgres_database(os.environ["BENCH_POSTGRES_URL"]) as env:
        env = dict(env, DJANGO_SETTINGS_MODULE="siaga.settings")
        command = [sys.executable, "-m", "bench.bench_scale", "--child", "--rows", str(args.rows)]
        command += ["--flat-rows", str(flat_rows), "--audit-rows", str(audit_rows)]
        command += ["--explain"] if args.explain else []
        subprocess.run(command, cwd=ROOT, env=env, check=True)


if __name__ == "__main__":
    main(sys.argv[1:])
