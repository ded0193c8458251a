"""Attendance under load, on PostgreSQL behind a real WSGI server (gunicorn), from a bounded load
generator on loopback (threads with ``http.client``, a fixed number of requests).

In a fresh database a child process creates one government with an office building (geofence), N
employees with API tokens and a published roster (WFO today for everyone), and loads the presence table
with COPY. Then, against gunicorn serving Siaga:

- *bare Django endpoint*: ``GET /bench/bare/`` through the whole middleware stack, no database work —
  a reference row only (what the server and middleware cost);
- *bare Django check-in*: ``POST /bench/bare-check-in/``, a plain Django view behind the same server and
  middleware that finds the employee of the same bearer token with one query and inserts the same
  ``CheckIn`` and ``Presence`` rows with the ORM, without Siaga's rules (no roster, geofence, absence,
  exception, policy, audit) — the like-for-like baseline of a check-in;
- *check-in throughput*: ``POST /api/v1/attendance/check-ins`` (WFO inside the geofence, each request a
  different employee) at the same concurrency — target ≥ 70 % of the *bare check-in*'s throughput (the
  ratio against the no-database endpoint is reported too). The two run in alternating slices
  (``BENCH_ATTENDANCE_ROUNDS``, default 5), so that other load on the machine weighs on both alike;
- *morning peak*: every remaining employee checks in at a paced arrival rate (7,000 in 15 minutes by
  default; ``BENCH_ATTENDANCE_SPEEDUP`` compresses the quarter hour) — target p95 < 200 ms;
- *presence overlap*: one person-day of intervals from a table of ≥ 4 million (one year of a regency)
  — target ≤ 20 ms, against a primary-key lookup in the same table as the baseline.

Sizes: ``BENCH_ATTENDANCE_EMPLOYEES`` (default 7,000 for the peak), ``BENCH_ATTENDANCE_THROUGHPUT``
(check-ins of the throughput phase and of the bare check-in, each with its own people, default 2,000),
``BENCH_ATTENDANCE_PRESENCE`` (rows, default 4,000,000), ``BENCH_ATTENDANCE_CLIENTS`` (concurrent
clients, default 8), ``BENCH_ATTENDANCE_WORKERS`` (gunicorn processes, default 2).
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import queue
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench.common import ROOT, Row, postgres_available, print_table, run_child, temporary_postgres_database

LAT, LON = -7.682000, 110.838000
INSIDE = (-7.68230, 110.83810)
PEAK_WINDOW_S = 15 * 60


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


EMPLOYEES = _int("BENCH_ATTENDANCE_EMPLOYEES", 7_000)
THROUGHPUT = _int("BENCH_ATTENDANCE_THROUGHPUT", 2_000)
PRESENCE = _int("BENCH_ATTENDANCE_PRESENCE", 4_000_000)
CLIENTS = _int("BENCH_ATTENDANCE_CLIENTS", 8)
WORKERS = _int("BENCH_ATTENDANCE_WORKERS", 2)
SPEEDUP = float(os.environ.get("BENCH_ATTENDANCE_SPEEDUP") or 1)
ROUNDS = _int("BENCH_ATTENDANCE_ROUNDS", 5)


# ---------------------------------------------------------------------------------------------------
# The WSGI application gunicorn serves: Siaga plus a bare endpoint (``bench.bench_attendance:application``)


def bare(request: Any) -> Any:
    from django.http import HttpResponse

    return HttpResponse(b"ok", content_type="text/plain")


def bare_check_in(request: Any) -> Any:
    """The like-for-like baseline of a check-in: a plain Django view (no ninja, no Siaga rules) that finds
    the employee behind the same bearer token in one query and inserts the same ``CheckIn`` and open
    ``Presence`` rows with the ORM in one transaction."""
    from django.db import transaction
    from django.http import HttpResponse, JsonResponse
    from django.utils import timezone

    from siaga.attendance.models import CheckIn, Presence
    from siaga.core.services import hash_token
    from siaga.org.models import Employee

    if request.method != "POST":
        return HttpResponse(status=405)
    token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    now = timezone.now()
    employee = (
        Employee.objects.filter(
            user__api_tokens__key_hash=hash_token(token),
            user__api_tokens__revoked_at__isnull=True,
            user__is_active=True,
            is_active=True,
        )
        .values("pk", "government_id", "unit__building_id", "unit__floor_id")
        .first()
    )
    if employee is None:
        return JsonResponse({"detail": "Unauthorized"}, status=401)
    body = json.loads(request.body)
    with transaction.atomic():
        record = CheckIn.objects.create(
            government_id=employee["government_id"],
            employee_id=employee["pk"],
            date=timezone.localdate(now),
            mode=body["mode"],
            checked_in_at=now,
            latitude=round(body["latitude"], 6),
            longitude=round(body["longitude"], 6),
            accuracy_m=round(body["accuracy_m"]),
            building_id=employee["unit__building_id"],
            floor_id=employee["unit__floor_id"],
            idempotency_key=body["idempotency_key"],
        )
        Presence.objects.create(
            government_id=employee["government_id"],
            employee_id=employee["pk"],
            building_id=employee["unit__building_id"],
            floor_id=employee["unit__floor_id"],
            start=now,
            source=Presence.Source.CHECK_IN,
            ref=f"checkin:{record.pk}",
        )
    return JsonResponse({"id": record.pk, "mode": record.mode}, status=201)


def _urlpatterns() -> list[Any]:
    from django.urls import path
    from django.views.decorators.csrf import csrf_exempt

    import siaga.urls

    return [
        path("bench/bare/", bare),
        path("bench/bare-check-in/", csrf_exempt(bare_check_in)),  # bearer tokens need no CSRF token
        *siaga.urls.urlpatterns,
    ]


def __getattr__(name: str) -> Any:
    # Lazily, so that importing this module (``python -m bench``) does not set Django up.
    if name == "urlpatterns":
        return _urlpatterns()
    if name == "application":
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "siaga.settings")
        import django
        from django.conf import settings

        django.setup(set_prefix=False)
        settings.ROOT_URLCONF = "bench.bench_attendance"
        from django.core.wsgi import get_wsgi_application

        return get_wsgi_application()
    raise AttributeError(name)


# ---------------------------------------------------------------------------------------------------
# Child: set up the database, and time the presence queries


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "siaga.settings")
    import django

    django.setup()


def child_setup(directory: Path) -> None:
    """Migrate, create the organisation, tokens and the roster; write the tokens to ``tokens.json``."""
    _setup_django()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.utils import timezone

    from siaga.core.models import ApiToken, Government
    from siaga.core.services import hash_token
    from siaga.org.models import Building, Employee, Floor, Unit
    from siaga.rostering.models import RosterAssignment, RosterPlan

    call_command("migrate", verbosity=0)
    gov = Government.objects.create(code="33.11", name="Kabupaten Sukoharjo", kind="kabupaten")
    building = Building.objects.create(
        government=gov, code="menara", name="Gedung Menara Wijaya", latitude=LAT, longitude=LON, geofence_radius_m=150
    )
    floors = [
        Floor.objects.create(government=gov, building=building, number=n, capacity=2000, distancing_capacity=1000)
        for n in range(1, 9)
    ]
    units = [
        Unit.objects.create(
            government=gov, code=f"U{u:02d}", name=f"Unit {u}", kind="dinas", building=building, floor=floors[u % 8]
        )
        for u in range(40)
    ]
    User = get_user_model()
    password = make_password(None)
    users = User.objects.bulk_create(
        [User(username=f"asn{i:05d}", password=password) for i in range(EMPLOYEES + 2 * THROUGHPUT)],
        batch_size=2000,
    )
    employees = Employee.objects.bulk_create(
        [
            Employee(
                government=gov,
                unit=units[i % 40],
                name=f"ASN {i}",
                nip=str(198001012005011000 + i),
                birth_date=dt.date(1980, 1, 1),
                sex="M",
                user=user,
            )
            for i, user in enumerate(users)
        ],
        batch_size=2000,
    )
    keys = [f"sga_bench{i:06d}{random.Random(i).getrandbits(64):016x}" for i in range(len(users))]
    ApiToken.objects.bulk_create(
        [
            ApiToken(government=gov, user=user, name="bench", prefix=key[:10], key_hash=hash_token(key))
            for user, key in zip(users, keys, strict=True)
        ],
        batch_size=2000,
    )
    today = timezone.localdate()
    plan = RosterPlan.objects.create(
        government=gov,
        name="Roster",
        start=today,
        end=today,
        status=RosterPlan.Status.PUBLISHED,
        problem={"shifts": [{"id": "pagi", "start": "07:30", "end": "16:00"}]},
        published_at=timezone.now(),
    )
    RosterAssignment.objects.bulk_create(
        [RosterAssignment(plan=plan, employee=e, date=today, mode="wfo", shift="pagi") for e in employees],
        batch_size=2000,
    )
    (directory / "tokens.json").write_text(json.dumps(keys))
    print(json.dumps({"employees": len(employees)}))


def child_presence(directory: Path) -> None:
    """COPY ``PRESENCE`` intervals (a year, every employee, mostly floor intervals with some room scans)
    into the presence table, then time one person-day and one floor-hour of overlap."""
    _setup_django()
    from django.db import connection
    from django.utils import timezone

    from siaga.attendance.models import Presence
    from siaga.attendance.selectors import _overlap
    from siaga.core.models import Government
    from siaga.org.models import Building, Employee, Floor

    gov = Government.objects.get()
    building = Building.objects.get()
    floor_ids = list(Floor.objects.values_list("pk", flat=True))
    employee_ids = list(Employee.objects.values_list("pk", flat=True))
    rng = random.Random(2020)
    tz = timezone.get_current_timezone()
    first_day = timezone.localdate() - dt.timedelta(days=365)
    per_day = max(1, PRESENCE // 365)
    started = time.perf_counter()
    with (
        connection.cursor() as cursor,
        cursor.copy(
            "COPY attendance_presence (government_id, employee_id, visitor_name, building_id, floor_id, room_id, "
            '"start", "end", source, ref) FROM STDIN'
        ) as copy,
    ):
        written = 0
        for d in range(365):
            day = first_day + dt.timedelta(days=d)
            base = dt.datetime.combine(day, dt.time(7, 0), tzinfo=tz)
            for k in range(per_day):
                if written >= PRESENCE:
                    break
                emp = employee_ids[(d * per_day + k) % len(employee_ids)]
                start = base + dt.timedelta(minutes=rng.randint(0, 90))
                end = start + dt.timedelta(minutes=rng.randint(240, 540))
                copy.write_row((gov.pk, emp, "", building.pk, rng.choice(floor_ids), None, start, end, "check_in", ""))
                written += 1
    load_s = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE attendance_presence")
    total = Presence.objects.count()

    def timed(fn: Any, repeat: int = 60) -> list[float]:
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            fn()
            times.append((time.perf_counter() - t) * 1000)
        return times

    picks = [(rng.choice(employee_ids), first_day + dt.timedelta(days=rng.randrange(365))) for _ in range(60)]
    it = iter(picks * 2)

    def person_day() -> None:
        emp, day = next(it)
        start = dt.datetime.combine(day, dt.time(0, 0), tzinfo=tz)
        list(_overlap(Presence.objects.filter(employee_id=emp), start, start + dt.timedelta(days=1)))

    def floor_hour() -> None:
        day = first_day + dt.timedelta(days=rng.randrange(365))
        start = dt.datetime.combine(day, dt.time(10, 0), tzinfo=tz)
        list(_overlap(Presence.objects.filter(floor_id=rng.choice(floor_ids)), start, start + dt.timedelta(hours=1)))

    some_ids = list(Presence.objects.values_list("pk", flat=True)[:: max(1, total // 100)][:60])
    ids = iter(some_ids * 3)

    def by_pk() -> None:
        list(Presence.objects.filter(pk=next(ids)))

    for fn in (person_day, by_pk):  # warm the cache
        fn()
    result = {
        "rows": total,
        "load_s": load_s,
        "person_day_ms": timed(person_day),
        "floor_hour_ms": timed(floor_hour, 20),
        "by_pk_ms": timed(by_pk),
    }
    print(json.dumps(result))


# ---------------------------------------------------------------------------------------------------
# The load generator


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _request(
    conn: http.client.HTTPConnection, method: str, path: str, body: bytes | None, headers: dict[str, str]
) -> tuple[int, float]:
    started = time.perf_counter()
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    response.read()
    return response.status, (time.perf_counter() - started) * 1000


def run_load(
    port: int, jobs: list[tuple[str, str, bytes | None, dict[str, str]]], clients: int, rate: float | None = None
) -> dict[str, Any]:
    """Send ``jobs`` from ``clients`` threads (keep-alive connections). Without ``rate`` as fast as the
    server answers (closed loop); with ``rate`` each job starts at its scheduled time (open loop)."""
    todo: queue.Queue[tuple[int, tuple[str, str, bytes | None, dict[str, str]]]] = queue.Queue()
    for index, job in enumerate(jobs):
        todo.put((index, job))
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    begin = time.perf_counter()

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            try:
                index, (method, path, body, headers) = todo.get_nowait()
            except queue.Empty:
                break
            if rate:
                delay = begin + index / rate - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
            try:
                status, ms = _request(conn, method, path, body, headers)
            except (http.client.HTTPException, OSError):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                status, ms = _request(conn, method, path, body, headers)
            with lock:
                latencies.append(ms)
                statuses[status] = statuses.get(status, 0) + 1
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - begin
    latencies.sort()
    return {
        "seconds": elapsed,
        "rps": len(jobs) / elapsed,
        "p50": statistics.median(latencies),
        "p95": latencies[int(0.95 * (len(latencies) - 1))],
        "statuses": statuses,
        "latencies": latencies,
    }


def run_alternating(port: int, a: list[Any], b: list[Any], clients: int, rounds: int) -> tuple[dict[str, Any], ...]:
    """Run the jobs of ``a`` and ``b`` in ``rounds`` alternating slices (a, b, a, b, …) and sum each side:
    a like-for-like ratio that a neighbour's load on a shared machine shifts for both sides alike."""
    totals: list[dict[str, Any]] = [{"seconds": 0.0, "latencies": [], "statuses": {}} for _ in range(2)]
    for r in range(rounds):
        for side, jobs in enumerate((a, b)):
            part = jobs[r * len(jobs) // rounds : (r + 1) * len(jobs) // rounds]
            result = run_load(port, part, clients)
            total = totals[side]
            total["seconds"] += result["seconds"]
            total["latencies"] += result["latencies"]
            for status, n in result["statuses"].items():
                total["statuses"][status] = total["statuses"].get(status, 0) + n
    for total, jobs in zip(totals, (a, b), strict=True):
        latencies = sorted(total["latencies"])
        total.update(
            rps=len(jobs) / total["seconds"],
            p50=statistics.median(latencies),
            p95=latencies[int(0.95 * (len(latencies) - 1))],
        )
    return totals[0], totals[1]


def _check_in_jobs(
    keys: list[str], path: str = "/api/v1/attendance/check-ins"
) -> list[tuple[str, str, bytes | None, dict[str, str]]]:
    jobs = []
    for i, key in enumerate(keys):
        body = {
            "mode": "wfo",
            "latitude": INSIDE[0],
            "longitude": INSIDE[1],
            "accuracy_m": 10,
            "idempotency_key": f"b{i}",
        }
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json", "Host": "127.0.0.1"}
        jobs.append(("POST", path, json.dumps(body).encode(), headers))
    return jobs


def _serve(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "bench.bench_attendance:application",
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(WORKERS),
        "--worker-class", "gthread",
        "--threads", "4",
        "--keep-alive", "30",
        "--log-level", "warning",
    ]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            if _request(conn, "GET", "/bench/bare/", None, {"Host": "127.0.0.1"})[0] == 200:
                return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise RuntimeError("gunicorn did not start")


def main() -> None:
    if not postgres_available():
        print("\nattendance: skipped (needs PostgreSQL: set BENCH_POSTGRES_URL, or run make bench)")
        return
    with (
        tempfile.TemporaryDirectory(prefix="siaga-bench-") as tmp,
        temporary_postgres_database(os.environ["BENCH_POSTGRES_URL"]) as env,
    ):
        directory = Path(tmp)
        env = {
            **env,
            "DEBUG": "false",
            "SIAGA_HTTPS": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECRET_KEY": env.get("SECRET_KEY") or "bench-only-secret-key-0123456789abcdefghijklmnop",
            "LOG_LEVEL": "WARNING",
        }
        (Path(env["SIAGA_VAR_DIR"]) / "static").mkdir(exist_ok=True)  # whitenoise's root (no files needed)
        run_child("bench.bench_attendance", ["setup", str(directory)], env)
        keys = json.loads((directory / "tokens.json").read_text())
        port = _free_port()
        server = _serve(env, port)
        try:
            bare_jobs = [("GET", "/bench/bare/", None, {"Host": "127.0.0.1"})] * max(THROUGHPUT, 500)
            run_load(port, bare_jobs[:200], CLIENTS)  # warm up the workers
            base = run_load(port, bare_jobs, CLIENTS)
            bare_keys, real_keys, peak_keys = (
                keys[:THROUGHPUT],
                keys[THROUGHPUT : 2 * THROUGHPUT],
                keys[2 * THROUGHPUT :],
            )
            bare_in, through = run_alternating(
                port, _check_in_jobs(bare_keys, "/bench/bare-check-in/"), _check_in_jobs(real_keys), CLIENTS, ROUNDS
            )
            rate = EMPLOYEES / PEAK_WINDOW_S * SPEEDUP
            peak = run_load(port, _check_in_jobs(peak_keys), max(CLIENTS, 16), rate=rate)
        finally:
            server.terminate()
            server.wait(timeout=30)
        _s, _rss, out = run_child("bench.bench_attendance", ["presence", str(directory)], env)
        presence = json.loads(out.strip().splitlines()[-1])

    def p95(values: list[float]) -> float:
        values = sorted(values)
        return values[int(0.95 * (len(values) - 1))]

    created = through["statuses"].get(201, 0) + peak["statuses"].get(201, 0)
    rows = [
        Row("bare Django endpoint (no database): throughput", base["rps"], "req/s"),
        Row("bare Django endpoint (no database): p95", base["p95"], "ms"),
        Row(f"bare Django check-in ({THROUGHPUT:,} people): throughput", bare_in["rps"], "req/s", base["rps"]),
        Row("bare Django check-in: p95", bare_in["p95"], "ms", base["p95"]),
        Row(
            f"check-in (WFO, {THROUGHPUT:,} people): throughput vs bare check-in",
            through["rps"],
            "req/s",
            bare_in["rps"],
            "≥ 0.70×",
        ),
        Row("check-in: throughput vs bare endpoint", through["rps"], "req/s", base["rps"]),
        Row("check-in: p95 vs bare check-in", through["p95"], "ms", bare_in["p95"]),
        Row(
            f"morning peak: {EMPLOYEES:,} check-ins at {rate:.1f}/s: p95",
            peak["p95"],
            "ms",
            through["p95"],
            "< 200 ms",
        ),
        Row("morning peak: p50", peak["p50"], "ms"),
        Row("morning peak: duration", peak["seconds"], "s", PEAK_WINDOW_S / SPEEDUP),
        Row(
            f"presence table: rows (COPY in {presence['load_s']:.0f} s)", presence["rows"], "rows", None, "≥ 4,000,000"
        ),
        Row(
            "presence: one person-day overlap, median",
            statistics.median(presence["person_day_ms"]),
            "ms",
            statistics.median(presence["by_pk_ms"]),
        ),
        Row(
            "presence: one person-day overlap, p95",
            p95(presence["person_day_ms"]),
            "ms",
            p95(presence["by_pk_ms"]),
            "≤ 20 ms",
        ),
        Row("presence: one floor-hour overlap, median", statistics.median(presence["floor_hour_ms"]), "ms"),
    ]
    print_table(
        f"Attendance on PostgreSQL behind gunicorn ({WORKERS} workers × 4 threads, {CLIENTS} clients; "
        f"baseline of the presence rows: a primary-key lookup)",
        rows,
    )
    errors = {s: n for s, n in {**through["statuses"], **peak["statuses"]}.items() if s not in (200, 201)}
    print(f"check-ins created: {created:,} of {THROUGHPUT + EMPLOYEES:,}; other answers: {errors or 'none'}")
    bare_errors = {s: n for s, n in bare_in["statuses"].items() if s != 201}
    print(
        f"bare check-ins created: {bare_in['statuses'].get(201, 0):,} of {THROUGHPUT:,}; other answers: "
        f"{bare_errors or 'none'}"
    )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "setup":
        child_setup(Path(sys.argv[2]))
    elif len(sys.argv) == 3 and sys.argv[1] == "presence":
        child_presence(Path(sys.argv[2]))
    else:
        main()
