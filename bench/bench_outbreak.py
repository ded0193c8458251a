"""Outbreak tracing at regency scale, on SQLite and on PostgreSQL, against naive scans in the same run.

In a fresh database a child process creates the regency of ``bench_attendance`` (its ``child_setup``:
one government, 40 units, 11,000 employees by default), gives each unit an office building of 4 floors
(about 70 people a floor), and bulk loads one year of presence (``BENCH_OUTBREAK_PRESENCE`` intervals,
default 4,000,000: COPY on PostgreSQL, batched ``executemany`` with the indexes built afterwards on
SQLite) shaped like ``bench_attendance``'s (every day, about everybody, arriving from 07:00 to 08:30 and
staying 4 to 9 hours), each interval on the person's floor, as a WFO check-in records it. Then:

- *close contacts of one case*: ``siaga.outbreak.services.contacts_trace`` — the query and engine path of
  ``contacts_propose`` without its writes — for ``BENCH_OUTBREAK_CASES`` (default 50) confirmed cases
  spread over the year, each isolated 1 to 3 days after onset; target p95 ≤ 50 ms. Baseline: a naive
  pairwise scan (``naive_close_contacts``: every interval of the case against every interval of the
  government's presence in the window, read from the database into Python) for the first
  ``BENCH_OUTBREAK_NAIVE`` cases (default 10), checked to find the same contacts;
- *source ranking*: a 30-case cluster on one floor within 8 days; the cases and the presence of the
  exposure period are read from the database and ranked with ``rank_places`` (floor level); target ≤ 1 s.
  The engine reads who was on which floor in the period (DISTINCT in SQL: all that ranking at floor level
  counts). Baseline: every interval of the period read into Python and a naive place-by-place count (one
  pass over every interval per floor of the government), checked to rank the same place first.

In the parent, the CLI (``python -m siaga.engines.tracing contacts`` and ``sources``) runs in a fresh
process on ``bench_tracing``'s generated file (about 1 million rows, 30-case cluster); target ≤ 10 s.
Baseline: the naive pairwise scan of one case of the cluster (every interval of the case against every
interval of its window) on the same records, already parsed.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.common import Row, postgres_available, print_table, run_child, sqlite_env, temporary_postgres_database


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


PRESENCE = _int("BENCH_OUTBREAK_PRESENCE", 4_000_000)
CASES = _int("BENCH_OUTBREAK_CASES", 50)
NAIVE = _int("BENCH_OUTBREAK_NAIVE", 10)
RANKINGS = _int("BENCH_OUTBREAK_RANKINGS", 5)
CLUSTER = 30
FLOORS = 4  # floors of each unit's office
SEED = 2020
TARGET_CONTACTS_MS = 50.0
TARGET_RANKING_S = 1.0
TARGET_CLI_S = 10.0


def _p95(values: list[float]) -> float:
    values = sorted(values)
    return values[int(0.95 * (len(values) - 1))]


# ---------------------------------------------------------------------------------------------------
# Child: set up a database, load the presence, measure


def _presence_rows(
    gov_id: int, building_of: dict[int, int], floor_of: dict[int, int], first_day: dt.date, tz: dt.tzinfo
) -> Iterator[tuple[Any, ...]]:
    """``PRESENCE`` check-in intervals over 365 days (``bench_attendance``'s shape), each on the floor of
    the person's unit: (government, employee, visitor, building, floor, room, start, end, source, ref)."""
    rng = random.Random(SEED)
    employee_ids = sorted(floor_of)
    per_day = max(1, PRESENCE // 365)
    written = 0
    for d in range(365):
        day = first_day + dt.timedelta(days=d)
        base = dt.datetime.combine(day, dt.time(7, 0), tzinfo=tz)
        for k in range(per_day):
            if written >= PRESENCE:
                return
            emp = employee_ids[(d * per_day + k) % len(employee_ids)]
            start = base + dt.timedelta(minutes=rng.randint(0, 90))
            end = start + dt.timedelta(minutes=rng.randint(240, 540))
            floor = floor_of[emp]
            yield (gov_id, emp, "", building_of[floor], floor, None, start, end, "check_in", "")
            written += 1


def _load_presence(rows: Iterator[tuple[Any, ...]]) -> None:
    from django.db import connection, transaction

    columns = 'government_id, employee_id, visitor_name, building_id, floor_id, room_id, "start", "end", source, ref'
    if connection.vendor == "postgresql":
        # COPY into the table without its secondary indexes, built once afterwards (autocommit: the deferred
        # foreign-key checks of the COPY are done before the indexes are built).
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = 'attendance_presence' "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"
            )
            indexes = cursor.fetchall()
            for name, _sql in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
            with cursor.copy(f"COPY attendance_presence ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            for _name, sql in indexes:
                cursor.execute(sql)
        return
    # SQLite: Django stores aware datetimes as naive UTC text. One transaction, large batches, and the
    # table's indexes built once after the load rather than row by row.
    utc = dt.UTC
    insert = (
        "INSERT INTO attendance_presence (government_id, employee_id, visitor_name, building_id, floor_id, "
        'room_id, "start", "end", source, ref) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'attendance_presence' "
            "AND sql IS NOT NULL"
        )
        indexes = cursor.fetchall()
        for name, _sql in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        batch: list[tuple[Any, ...]] = []
        for g, e, v, b, f, r, start, end, source, ref in rows:
            batch.append(
                (g, e, v, b, f, r, str(start.astimezone(utc).replace(tzinfo=None)),
                 str(end.astimezone(utc).replace(tzinfo=None)), source, ref)
            )  # fmt: skip
            if len(batch) >= 50_000:
                cursor.executemany(insert, batch)
                batch.clear()
        if batch:
            cursor.executemany(insert, batch)
        for _name, sql in indexes:
            cursor.execute(sql)


def _in_window(gov_id: int, w_start: dt.datetime, w_end: dt.datetime) -> Any:
    """The government's intervals overlapping [w_start, w_end), by the same bounded range on ``start``
    as ``contacts_trace``, in the government's buildings."""
    from django.db.models import Q

    from siaga.attendance.models import Presence as StoredPresence
    from siaga.attendance.selectors import PRESENCE_MAX_SPAN
    from siaga.org.models import Building

    # By the government's buildings: the (building, start) index serves the range (no index leads with
    # ``start`` alone).
    buildings = list(Building.objects.filter(government_id=gov_id).values_list("pk", flat=True))
    return (
        StoredPresence.objects.filter(
            government_id=gov_id,
            building_id__in=buildings,
            floor__isnull=False,
            start__gte=w_start - PRESENCE_MAX_SPAN,
            start__lt=w_end,
        )
        .filter(Q(end__isnull=True) | Q(end__gt=w_start))
        .order_by()
    )


def _read_window(gov_id: int, w_start: dt.datetime, w_end: dt.datetime) -> list[Any]:
    """Every interval of the government overlapping [w_start, w_end) as engine records (the naive scans'
    input)."""
    from django.utils import timezone

    from siaga.attendance.selectors import PRESENCE_MAX_SPAN
    from siaga.engines.tracing.data import Presence, micros
    from siaga.outbreak.services import _person_key

    now = timezone.now()
    rows = _in_window(gov_id, w_start, w_end).values_list(
        "employee_id", "visitor_name", "building_id", "floor_id", "room_id", "start", "end"
    )
    records = []
    for emp, visitor, building, floor, room, start, end in rows.iterator(chunk_size=20_000):
        end = end or min(now, start + PRESENCE_MAX_SPAN)
        if end <= start:
            continue
        place = f"{building}/{floor}" + (f"/{room}" if room else "")
        records.append(Presence(_person_key(emp, visitor), place, micros(start), micros(end)))
    return records


def _read_floor_pairs(gov_id: int, w_start: dt.datetime, w_end: dt.datetime) -> list[Any]:
    """Who was on which floor in [w_start, w_end), one engine record per (person, floor) spanning the
    period: all that ``rank_places`` at floor level counts (its population is everybody in the records,
    a place's exposed are the people with a record there in the period), with the DISTINCT in SQL."""
    from siaga.engines.tracing.data import Presence, micros
    from siaga.outbreak.services import _person_key

    t0, t1 = micros(w_start), micros(w_end)
    pairs = (
        _in_window(gov_id, w_start, w_end)
        .values_list("employee_id", "visitor_name", "building_id", "floor_id")
        .distinct()
    )
    return [Presence(_person_key(e, v), f"{b}/{f}", t0, t1) for e, v, b, f in pairs]


def _instant(micros: int) -> dt.datetime:
    return dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=micros)


def _naive_ranking(records: list[Any], cases: list[Any], places: list[str], tz: str) -> list[tuple[str, float]]:
    """Place by place: one pass over every interval for each place, counting the exposed people and the
    exposed cases; then the same Fisher test and Holm adjustment as the engine. (place, p_holm) sorted."""
    from siaga.engines.tracing.data import Clock
    from siaga.engines.tracing.sources import exposure_period
    from siaga.engines.tracing.stats import fisher_greater, holm

    clock = Clock(tz)
    first, last = exposure_period(cases)
    t0, t1 = clock.midnight(first), clock.midnight(last + dt.timedelta(days=1))
    cluster_all = {c.person for c in cases if c.is_index}
    population = {r.person for r in records}
    cluster = cluster_all & population
    n, k = len(population), len(cluster)
    counts = []
    for place in places:
        people: set[str] = set()
        for r in records:
            if r.start < t1 and r.end > t0 and "/".join(r.place.split("/")[:2]) == place:
                people.add(r.person)
        if people:
            a = len(people & cluster)
            b = len(people) - a
            counts.append((place, a, b, k - a, n - k - b))
    p_values = [fisher_greater(a, b, c, d) for _, a, b, c, d in counts]
    adjusted = holm(p_values)
    return sorted(((c[0], p) for c, p in zip(counts, adjusted, strict=True)), key=lambda x: (x[1], x[0]))


def child_measure(directory: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "siaga.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from bench.bench_attendance import LAT, LON, child_setup
    from siaga.attendance.models import Presence as StoredPresence
    from siaga.core.models import Government
    from siaga.engines.tracing.contacts import infectious_window, naive_close_contacts
    from siaga.engines.tracing.data import Clock
    from siaga.engines.tracing.sources import exposure_period, rank_places
    from siaga.org.models import Building, Employee, Floor, Unit
    from siaga.outbreak.models import Case, Classification, Order
    from siaga.outbreak.services import _engine_case, contacts_trace, rule_set_for

    started = time.perf_counter()
    child_setup(directory)  # migrate, and bench_attendance's regency
    setup_s = time.perf_counter() - started
    gov = Government.objects.get()
    # bench_attendance's single tower puts 1,375 people on a floor (the check-in peak's worst case, no
    # office floor): here each of its 40 units has an office building of its own, 4 floors (about 70
    # people a floor), and a person's check-ins are on one floor of it.
    floors_of_unit: dict[int, list[int]] = {}
    for unit in Unit.objects.order_by("pk"):
        office = Building.objects.create(
            government=gov,
            code=f"kantor-{unit.code.lower()}",
            name=f"Kantor {unit.name}",
            latitude=LAT,
            longitude=LON,
            geofence_radius_m=150,
        )
        floors_of_unit[unit.pk] = [
            Floor.objects.create(government=gov, building=office, number=n, capacity=100, distancing_capacity=50).pk
            for n in range(1, FLOORS + 1)
        ]
    building_of = dict(Floor.objects.values_list("pk", "building_id"))
    floor_of: dict[int, int] = {}
    seen: dict[int, int] = {}
    for emp, unit in Employee.objects.order_by("pk").values_list("pk", "unit_id"):
        seen[unit] = seen.get(unit, -1) + 1
        floor_of[emp] = floors_of_unit[unit][seen[unit] % FLOORS]
    tz = timezone.get_current_timezone()
    first_day = timezone.localdate() - dt.timedelta(days=365)
    started = time.perf_counter()
    _load_presence(_presence_rows(gov.pk, building_of, floor_of, first_day, tz))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if connection.vendor == "sqlite" else "ANALYZE attendance_presence")
    load_s = time.perf_counter() - started
    total = StoredPresence.objects.count()

    rng = random.Random(SEED)
    rule_set = rule_set_for(government_id=gov.pk, on=timezone.localdate())
    employee_ids = sorted(floor_of)

    def make_case(employee_id: int, onset: dt.date, isolated_after: int) -> Case:
        case = Case.objects.create(
            government=gov,
            employee_id=employee_id,
            classification=Classification.CONFIRMED_SYMPTOMATIC,
            onset_date=onset,
        )
        start = onset + dt.timedelta(days=isolated_after)
        Order.objects.create(
            government=gov,
            case=case,
            kind=Order.Kind.ISOLATION,
            start=start,
            end=start + dt.timedelta(days=9),
            rule_set=rule_set,
        )
        return case

    singles = [
        make_case(emp, first_day + dt.timedelta(days=rng.randrange(20, 345)), rng.randint(1, 3))
        for emp in rng.sample(employee_ids, CASES + 1)
    ]
    clock = Clock(tz)
    zone = settings.TIME_ZONE

    # Close contacts of one case: the app's read path, then the naive scan for the first few cases.
    contacts_trace(singles[-1])  # warm up (imports, caches, statistics)
    trace_ms: list[float] = []
    found_counts: list[int] = []
    found_by_case: dict[int, set[tuple[str, dt.date]]] = {}
    for case in singles[:CASES]:
        case = Case.objects.get(pk=case.pk)
        t = time.perf_counter()
        found, _labels = contacts_trace(case)
        trace_ms.append((time.perf_counter() - t) * 1000)
        found_counts.append(len(found))
        found_by_case[case.pk] = {(c.contact, c.date) for c in found}
    naive_ms: list[float] = []
    same = True
    for case in singles[:NAIVE]:
        case = Case.objects.get(pk=case.pk)
        t = time.perf_counter()
        engine_case = _engine_case(case)
        window = infectious_window(engine_case, clock, 2, 14)
        assert window is not None
        records = _read_window(gov.pk, _instant(window[0]), _instant(window[1]))
        naive = naive_close_contacts(records, [engine_case], tz=zone)
        naive_ms.append((time.perf_counter() - t) * 1000)
        same = same and {(c.contact, c.date) for c in naive} == found_by_case[case.pk]

    # Source ranking of a 30-case cluster on one floor within 8 days.
    floor_id = floor_of[employee_ids[0]]
    on_floor = [e for e in employee_ids if floor_of[e] == floor_id]
    onset = first_day + dt.timedelta(days=200)
    cluster_pks = [
        make_case(emp, onset + dt.timedelta(days=rng.randrange(8)), 1).pk for emp in rng.sample(on_floor, CLUSTER)
    ]
    expected_top = f"{building_of[floor_id]}/{floor_id}"

    def read_cluster(read: Any) -> tuple[list[Any], list[Any]]:
        cases = [_engine_case(c) for c in Case.objects.filter(pk__in=cluster_pks)]
        first, last = exposure_period(cases)
        t0, t1 = clock.midnight(first), clock.midnight(last + dt.timedelta(days=1))
        return cases, read(gov.pk, _instant(t0), _instant(t1))

    rank_total_s: list[float] = []
    rank_read_s: list[float] = []
    ranked_rows = 0
    top_ok = True
    for _ in range(RANKINGS):
        t = time.perf_counter()
        cases, records = read_cluster(_read_floor_pairs)
        read_s = time.perf_counter() - t
        ranking = rank_places(records, cases, level="floor", tz=zone)
        rank_total_s.append(time.perf_counter() - t)
        rank_read_s.append(read_s)
        ranked_rows = len(records)
        top_ok = top_ok and ranking.places[0].place == expected_top
    floors = [f"{building_of[f]}/{f}" for f in sorted(set(floor_of.values()))]
    naive_rank_s: list[float] = []
    for _ in range(1):
        t = time.perf_counter()
        cases, records = read_cluster(_read_window)
        naive_ranked = _naive_ranking(records, cases, floors, zone)
        naive_rank_s.append(time.perf_counter() - t)
        top_ok = top_ok and naive_ranked[0][0] == expected_top

    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                "rows": total,
                "setup_s": setup_s,
                "load_s": load_s,
                "trace_ms": trace_ms,
                "found": found_counts,
                "naive_ms": naive_ms,
                "same_contacts": same,
                "rank_total_s": rank_total_s,
                "rank_read_s": rank_read_s,
                "ranked_rows": ranked_rows,
                "naive_rank_s": naive_rank_s,
                "top_ok": top_ok,
            }
        )
    )


# ---------------------------------------------------------------------------------------------------
# Parent


def _database_rows(label: str, r: dict[str, Any]) -> list[Row]:
    trace, naive = r["trace_ms"], r["naive_ms"]
    p95 = _p95(trace)
    rank = max(r["rank_total_s"])
    return [
        Row(f"{label}: presence rows (bulk load {r['load_s']:.0f} s)", r["rows"], "rows", None, f"≥ {4_000_000:,}"),
        Row(
            f"{label}: contacts of one case ({len(trace)} cases), p95",
            p95,
            "ms",
            _p95(naive),
            f"≤ {TARGET_CONTACTS_MS:.0f} ms ({'met' if p95 <= TARGET_CONTACTS_MS else 'MISSED'})",
        ),
        Row(f"{label}: contacts of one case, median", statistics.median(trace), "ms", statistics.median(naive)),
        Row(f"{label}:   naive pairwise scan ({len(naive)} cases), median", statistics.median(naive), "ms"),
        Row(
            f"{label}:   close contacts found per case, median",
            statistics.median(r["found"]),
            "",
            target=f"same as naive: {'yes' if r['same_contacts'] else 'NO'}",
        ),
        Row(
            f"{label}: source ranking, {CLUSTER}-case cluster, worst of {len(r['rank_total_s'])}",
            rank,
            "s",
            max(r["naive_rank_s"]),
            f"≤ {TARGET_RANKING_S:.0f} s ({'met' if rank <= TARGET_RANKING_S else 'MISSED'})",
        ),
        Row(
            f"{label}:   of which the read ({r['ranked_rows']:,} person-floor pairs)",
            max(r["rank_read_s"]),
            "s",
            target=f"top place as expected (engine and naive): {'yes' if r['top_ok'] else 'NO'}",
        ),
        Row(f"{label}:   naive place-by-place count (with the same reads)", max(r["naive_rank_s"]), "s"),
    ]


def _cli_rows() -> list[Row]:
    from bench.bench_tracing import generate
    from siaga.engines.tracing.contacts import infectious_window, naive_close_contacts
    from siaga.engines.tracing.data import Clock, parse_cases, parse_presence

    folder = Path(tempfile.mkdtemp(prefix="siaga-bench-outbreak-"))
    try:
        presence_path, cases_path, rows_count = generate(folder)
        env = dict(os.environ)
        seconds = {}
        for command, out in (("contacts", "c.csv"), ("sources", "s.json")):
            seconds[command], _rss, _out = run_child(
                "siaga.engines.tracing",
                [command, "--presence", str(presence_path), "--cases", str(cases_path), "-o", str(folder / out)],
                env,
            )
        presence = parse_presence(presence_path.read_text(encoding="utf-8"))
        cases = [c for c in parse_cases(cases_path.read_text(encoding="utf-8")) if c.is_index]
        case = min(cases, key=lambda c: c.person)
        start = time.perf_counter()
        window = infectious_window(case, Clock("Asia/Jakarta"), 2, 14)
        assert window is not None
        in_window = [r for r in presence if r.start < window[1] and r.end > window[0]]
        naive_close_contacts(in_window, [case])
        naive_s = time.perf_counter() - start
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return [
        Row(
            f"CLI contacts, {rows_count:,}-row file, {CLUSTER} cases (fresh process)",
            seconds["contacts"],
            "s",
            naive_s,
            f"≤ {TARGET_CLI_S:.0f} s ({'met' if seconds['contacts'] <= TARGET_CLI_S else 'MISSED'})",
        ),
        Row(
            "CLI sources, same file (floor level, scan 999 replicates)",
            seconds["sources"],
            "s",
            naive_s,
            f"≤ {TARGET_CLI_S:.0f} s ({'met' if seconds['sources'] <= TARGET_CLI_S else 'MISSED'})",
        ),
        Row("  naive pairwise scan of 1 case: its window's rows of the parsed file", naive_s, "s"),
    ]


def main() -> None:
    rows: list[Row] = []
    notes = []
    with tempfile.TemporaryDirectory(prefix="siaga-bench-") as tmp, sqlite_env() as env:
        _s, _rss, out = run_child("bench.bench_outbreak", ["measure", tmp], env)
        rows += _database_rows("SQLite", json.loads(out.strip().splitlines()[-1]))
    if postgres_available():
        with (
            tempfile.TemporaryDirectory(prefix="siaga-bench-") as tmp,
            temporary_postgres_database(os.environ["BENCH_POSTGRES_URL"]) as env,
        ):
            _s, _rss, out = run_child("bench.bench_outbreak", ["measure", tmp], env)
            rows += _database_rows("PostgreSQL", json.loads(out.strip().splitlines()[-1]))
    else:
        notes.append("PostgreSQL: skipped (set BENCH_POSTGRES_URL, or run scripts/bench.sh outbreak)")
    rows += _cli_rows()
    print_table(
        "Outbreak at regency scale (one year of presence); baseline = naive scans in the same run "
        "(ratio = value ÷ baseline)",
        rows,
    )
    for note in notes:
        print(note)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "measure":
        child_measure(Path(sys.argv[2]))
    else:
        main()
