"""The command center page at regency scale, on SQLite and PostgreSQL, against a bare page in the same run.

For each database a fresh database is migrated, then a child process (``python -m bench.bench_command
child``) seeds the demo regency (``siaga demo seed``, ≈ 7,000 ASN), publishes its roster of the month
(``demo roster``), fills the month's attendance (``demo workday``) and adds the office cluster (``demo
outbreak``), creates a regional leader (``Role.LEADER``) and, with Django's test client (the whole
middleware stack and the real views), requests in turn, ``BENCH_COMMAND_REQUESTS`` times each (default 40):

- ``GET /command/``: today's figures per agency, the coverage gaps, the health counts, the clusters, the
  measures, the applications and the deliveries, and the three trend charts — as the viewers get it, the
  figures kept for ``COMMAND_CACHE_SECONDS`` (30 s) per government;
- the same page with the figures counted afresh on every request (``COMMAND_CACHE_SECONDS=0``): what the
  first viewer after the cache expires waits for;
- ``GET /command/`` as the htmx refresh (``HX-Request``), which the page sends every minute;
- ``GET /command/report.pdf``: the daily situation report;
- baseline: ``GET /inbox/`` by the same leader (a bare authenticated page, one small query).

The table gives p95 (and p50) of each with the ratio to the baseline. Target: the page p95 ≤ 300 ms.
Set ``BENCH_COMMAND_WORKDAY=0`` to skip the month's attendance (faster, fewer check-ins).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from typing import Any

from bench.bench_seed import databases
from bench.common import Row, print_table, run_child

REQUESTS = int(os.environ.get("BENCH_COMMAND_REQUESTS") or 40)
WORKDAY = os.environ.get("BENCH_COMMAND_WORKDAY", "1") != "0"
TARGET_P95_MS = 300.0


def _p95(values: list[float]) -> float:
    values = sorted(values)
    return values[int(0.95 * (len(values) - 1))]


def child() -> None:
    import django

    django.setup()
    from django.conf import settings

    # pages render without a collected static manifest (no collectstatic in a benchmark)
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from io import StringIO

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from siaga.core.models import Government, Role, RoleAssignment
    from siaga.demo.data import GOVERNMENT_CODE
    from siaga.org.models import Employee

    out = StringIO()
    setup = time.perf_counter()
    call_command("demo", "seed", "--scale=regency", "--seed=2020", stdout=out)
    call_command("demo", "roster", "--time-limit=10", stdout=out)
    if WORKDAY:
        call_command("demo", "workday", "--seed=2020", stdout=out)
    call_command("demo", "outbreak", "--seed=2020", stdout=out)
    setup = time.perf_counter() - setup
    gov = Government.objects.get(code=GOVERNMENT_CODE)
    user = get_user_model().objects.create_user("bench-bupati", email="bupati@example.go.id")
    RoleAssignment.objects.create(user=user, government=gov, role=Role.LEADER)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    from django.test import override_settings

    def uncached(path: str) -> Any:
        with override_settings(COMMAND_CACHE_SECONDS=0):
            return client.get(path)

    timings: dict[str, list[float]] = {"page": [], "cold": [], "refresh": [], "pdf": [], "bare": []}
    requests = {
        "page": lambda: client.get("/command/"),
        "cold": lambda: uncached("/command/"),
        "refresh": lambda: client.get("/command/", headers={"HX-Request": "true"}),
        "pdf": lambda: client.get("/command/report.pdf"),
        "bare": lambda: client.get("/inbox/"),
    }
    for name, request in requests.items():  # warm up: templates, prepared queries
        assert request().status_code == 200, name
    for _ in range(REQUESTS):
        for name, request in requests.items():
            start = time.perf_counter()
            response = request()
            timings[name].append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, name
    figures: dict[str, Any] = {"setup_s": setup, "employees": Employee.objects.filter(government=gov).count()}
    for name, values in timings.items():
        figures[f"{name}_p95"] = _p95(values)
        figures[f"{name}_p50"] = statistics.median(values)
    print(json.dumps(figures))


def main() -> None:
    rows: list[Row] = []
    for label, fresh_database in databases():
        with fresh_database() as env:
            run_child("siaga.cli", ["migrate", "--noinput", "-v0"], env)
            _wall, _rss, out = run_child("bench.bench_command", ["child"], env)
        f = json.loads(out.strip().splitlines()[-1])
        rows += [
            Row(
                f"{label}: /command/ p95 ({f['employees']} ASN)",
                f["page_p95"],
                "ms",
                f["bare_p95"],
                f"≤ {TARGET_P95_MS:.0f} ms",
            ),
            Row(f"{label}: /command/ p50", f["page_p50"], "ms", f["bare_p50"]),
            Row(f"{label}: /command/ p95, figures counted afresh", f["cold_p95"], "ms", f["bare_p95"], "(no cache)"),
            Row(f"{label}: /command/ p50, figures counted afresh", f["cold_p50"], "ms", f["bare_p50"]),
            Row(f"{label}: htmx refresh p95", f["refresh_p95"], "ms", f["bare_p95"]),
            Row(f"{label}: report.pdf p95", f["pdf_p95"], "ms", f["bare_p95"]),
            Row(f"{label}: demo data set-up", f["setup_s"], "s"),
        ]
    print_table("Command center at regency scale; baseline: GET /inbox/ (a bare page), same run", rows)


if __name__ == "__main__":
    if len(sys.argv) == 2 and sys.argv[1] == "child":
        child()
    else:
        main()
