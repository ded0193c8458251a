"""One government's pages with many governments in the same instance, on SQLite and PostgreSQL.

``python -m bench.bench_tenants [N]`` (or ``python -m bench tenants`` with ``BENCH_TENANTS=N``; default 3).
For each database a fresh database is migrated, then one child process (``python -m bench.bench_tenants
child N``):

1. seeds government A (33.11) through the whole demo pipeline (staff, published roster of the month, the
   month's check-ins and presence, e-Kinerja, meetings, the office cluster, public services with signed
   documents, deliveries and survey answers: tests/security/world.py ``seed_government``), at
   ``BENCH_TENANTS_SCALE`` (``small`` ≤ 200 ASN by default, ``regency`` ≈ 7,000);
2. measures A's representative pages and one API call, each by the role that uses it, with Django's test
   client (the whole middleware stack and the real views), ``BENCH_TENANTS_REQUESTS`` times each
   (default 30), after one warm-up request: **the baseline, one government loaded**;
3. seeds N − 1 more governments (other codes, other random seeds: other people), the same way
   (``BENCH_TENANTS_OTHERS=full``, the default) or regency-size staff without activity (``staff``);
4. measures the same requests again: **N governments loaded**.

The table gives p50 and p95 of each request with N governments against the baseline (ratio), and the
number of SQL queries of each (which must not change with N). A ratio well above 1 marks a query that
reads other governments' rows: a missing ``government_id`` filter or index.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from bench.bench_seed import databases
from bench.common import Row, print_table, run_child

TENANTS = int(os.environ.get("BENCH_TENANTS") or 3)
SCALE = os.environ.get("BENCH_TENANTS_SCALE") or "small"
#: "full": the other governments go through the whole pipeline at SCALE, like A; "staff": they are
#: regency-size (≈ 7,000 ASN, units, buildings, accounts, Plh/Plt) without a month of activity, which
#: seeds in seconds and so loads many more governments in the same time.
OTHERS = os.environ.get("BENCH_TENANTS_OTHERS") or "full"
REQUESTS = int(os.environ.get("BENCH_TENANTS_REQUESTS") or 30)
#: Seconds the roster solver may search per government (the minimum the service accepts).
ROSTER_SECONDS = 5
OWN = ("33.11", "Kabupaten Sukoharjo")


def _p95(values: list[float]) -> float:
    values = sorted(values)
    return values[int(0.95 * (len(values) - 1))]


def _other(i: int) -> tuple[str, str, str]:
    """The i-th other government: the province first, then regencies 33.01, 33.02, … (skipping A's code)."""
    if i == 0:
        return "33", "Provinsi Jawa Tengah", "provinsi"
    number = i if i < 11 else i + 1
    return f"33.{number:02d}", f"Kabupaten Uji {number:02d}", "kabupaten"


def _requests(government: Any) -> dict[str, tuple[Any, str, dict[str, str]]]:
    """name → (client, path, headers), each as the role that uses the page."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from siaga.core.services import api_token_create
    from tests.security.world import TENANT_ACCOUNTS, tenant_username

    users = {
        role: get_user_model().objects.get(username=tenant_username(name, government))
        for role, name in TENANT_ACCOUNTS.items()
    }
    clients: dict[str, Client] = {}
    for role, user in users.items():
        clients[role] = Client(HTTP_HOST="127.0.0.1")
        clients[role].force_login(user)
    head_unit = users["head"].employee.unit
    token = api_token_create(government=government, user=users["admin"], name="bench", actor=None)[1]
    api = Client(HTTP_HOST="127.0.0.1")
    return {
        "home (staff)": (clients["staff"], reverse("home"), {}),
        "Jadwal saya (staff)": (clients["staff"], reverse("rostering:my_schedule"), {}),
        "check-in page (staff)": (clients["staff"], reverse("attendance:home"), {}),
        "attendance recap (head)": (clients["head"], reverse("attendance:unit_recap", kwargs={"pk": head_unit.pk}), {}),
        "outbreak dashboard (task force)": (clients["health"], reverse("outbreak:dashboard"), {}),
        "command center (leader)": (clients["leader"], reverse("command:index"), {}),
        "application list (officer)": (clients["officer"], reverse("services:queue"), {}),
        "API employee list (admin token)": (api, "/api/v1/employees?limit=50", {"Authorization": f"Bearer {token}"}),
    }


def _measure(requests: dict[str, tuple[Any, str, dict[str, str]]]) -> dict[str, dict[str, float]]:
    from django.db import connection

    figures: dict[str, dict[str, float]] = {}
    for name, (client, path, headers) in requests.items():
        response = client.get(path, headers=headers)  # warm-up
        assert response.status_code == 200, (name, path, response.status_code)
        queries: list[str] = []

        def count(execute: Any, sql: str, params: Any, many: bool, context: Any, seen: list[str] = queries) -> Any:
            seen.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            client.get(path, headers=headers)
        timings = []
        for _ in range(REQUESTS):
            start = time.perf_counter()
            response = client.get(path, headers=headers)
            timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (name, path, response.status_code)
        figures[name] = {"p50": statistics.median(timings), "p95": _p95(timings), "queries": len(queries)}
    return figures


def child(n: int) -> None:
    import tempfile

    import django

    django.setup()
    from django.conf import settings

    # pages render without a collected static manifest (no collectstatic in a benchmark)
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    tmp = Path(tempfile.mkdtemp(prefix="siaga-bench-tenants-"))
    settings.DOCUMENT_SIGNING_BACKEND = "local"
    settings.SIGNING_DIR = tmp / "signing"
    settings.SIGNING_TRUST_ROOTS = [str(tmp / "signing" / "ca.crt.pem")]
    settings.MEDIA_ROOT = tmp / "private"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # the seed's one hash each

    from siaga.attendance.models import Presence
    from siaga.core.models import Government
    from siaga.org.models import Employee
    from tests.security.world import seed_government

    def seed(code: str, name: str, kind: str, seed: int, *, own: bool = False) -> float:
        start = time.perf_counter()
        if own or OTHERS == "full":
            seed_government(code=code, name=name, kind=kind, scale=SCALE, seed=seed, roster_seconds=ROSTER_SECONDS)
        else:
            seed_government(code=code, name=name, kind=kind, scale="regency", seed=seed, steps=())
        return time.perf_counter() - start

    seconds = [seed(*OWN, "kabupaten", 2020, own=True)]
    own = Government.objects.get(code=OWN[0])
    requests = _requests(own)
    baseline = _measure(requests)
    for i in range(n - 1):
        seconds.append(seed(*_other(i), 2021 + i))
        print(f"seeded {i + 2}/{n} in {seconds[-1]:.1f} s", file=sys.stderr, flush=True)
    loaded = _measure(requests)
    print(
        json.dumps(
            {
                "n": n,
                "seed_seconds": seconds,
                "employees": Employee.objects.count(),
                "own_employees": Employee.objects.filter(government=own).count(),
                "presence": Presence.objects.count(),
                "baseline": baseline,
                "loaded": loaded,
            }
        )
    )


def _rows(label: str, f: dict[str, Any]) -> list[Row]:
    n = f["n"]
    rows = []
    for name, base in f["baseline"].items():
        now = f["loaded"][name]
        rows.append(Row(f"{label}: {name} p50", now["p50"], "ms", base["p50"]))
        rows.append(Row(f"{label}: {name} p95", now["p95"], "ms", base["p95"]))
        rows.append(Row(f"{label}: {name} queries", now["queries"], "", base["queries"], "same as 1"))
    rows.append(
        Row(
            f"{label}: governments / employees / presence rows",
            n,
            "",
            None,
            f"{f['employees']:,} ASN ({f['own_employees']:,} in A), {f['presence']:,} presence",
        )
    )
    rows.append(Row(f"{label}: seeding A", f["seed_seconds"][0], "s"))
    if n > 1:
        rows.append(Row(f"{label}: seeding one other government (mean)", statistics.mean(f["seed_seconds"][1:]), "s"))
    return rows


def main(argv: list[str] | None = None) -> None:
    n = int(argv[0]) if argv else TENANTS
    rows: list[Row] = []
    for label, fresh_database in databases():
        with fresh_database() as env:
            run_child("siaga.cli", ["migrate", "--noinput", "-v0"], env)
            _wall, _rss, out = run_child("bench.bench_tenants", ["child", str(n)], env)
        rows += _rows(label, json.loads(out.strip().splitlines()[-1]))
    print_table(
        f"One government's requests with {n} governments loaded (A: {SCALE} scale, whole pipeline; others: "
        f"{OTHERS}); "
        "baseline: the same requests with 1 government loaded, same run",
        rows,
    )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "child":
        child(int(sys.argv[2]))
    else:
        main(sys.argv[1:])
