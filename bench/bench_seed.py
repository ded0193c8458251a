"""Seeding the demo regency (``siaga demo seed``), on SQLite and PostgreSQL.

For each database and scale, a fresh empty database is migrated by one child process
(``python -m siaga.cli migrate``), then a second fresh child process
(``python -m bench.bench_seed child SCALE``) runs ``siaga demo seed --scale SCALE --seed 2020`` and
prints the seconds the command took, its peak resident memory and how many employees it made.

Baselines, both measured in the same run:

- *linear*: the small scale's seconds per employee times the regency's employees, i.e. what the regency
  would cost if seeding were linear in the staff. A ratio below 1 means the fixed costs (one password
  hash, the acting officials, the start of the command) are amortised; above 1, that something grows
  faster than the staff.
- *per-row services*: after the small seed, the same child process creates 200 more employees of the
  regency plan one by one with ``siaga.org.services.employee_create`` (validation, audit, skills), and
  that time per employee is extrapolated to the regency: what seeding would cost without bulk writes.

Target: the regency (≈ 7,000 ASN) in ≤ 60 s, start-up of the process included.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

from bench.common import Row, postgres_available, print_table, run_child, sqlite_env, temporary_postgres_database

SEED = 2020
TARGET_SECONDS = 60.0
#: Employees created one by one through the service for the per-row baseline.
N_SERVICE_ROWS = 200


def child(scale: str) -> None:
    """In a fresh process on a migrated, empty database: seed, print the figures as one JSON line."""
    import django

    django.setup()
    from io import StringIO

    from django.core.management import call_command

    from siaga.org.models import Employee

    out = StringIO()
    start = time.perf_counter()
    call_command("demo", "seed", f"--scale={scale}", f"--seed={SEED}", stdout=out)
    seconds = time.perf_counter() - start
    figures: dict[str, Any] = {
        "seconds": seconds,
        "employees": Employee.objects.count(),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "summary": out.getvalue().splitlines()[0],
    }
    if scale == "small":
        figures["service_seconds_per_employee"] = per_row_service_seconds()
    print(json.dumps(figures))


def per_row_service_seconds() -> float:
    """Seconds per employee of ``employee_create`` for people of the regency plan not yet seeded."""
    from siaga.core.models import Government
    from siaga.demo.generator import build_plan
    from siaga.org.models import Employee, Unit
    from siaga.org.services import employee_create

    government = Government.objects.get(code="33.11")
    unit = Unit.objects.get(government=government, code="DPMPTSP-UMPEG")
    taken = set(Employee.objects.values_list("nip", flat=True))
    people = [e for e in build_plan(scale="regency", seed=SEED).employees if e.nip not in taken][:N_SERVICE_ROWS]
    start = time.perf_counter()
    for e in people:
        employee_create(
            government=government,
            nip=e.nip,
            name=e.name,
            unit=unit,
            status=e.status,
            nik=e.nik,
            email=e.email,
            phone=e.phone,
            skills=list(e.skills),
        )
    return (time.perf_counter() - start) / len(people)


def measure(fresh_database: Callable[[], AbstractContextManager[dict[str, str]]], scale: str) -> dict[str, Any]:
    with fresh_database() as env:
        run_child("siaga.cli", ["migrate", "--noinput", "-v0"], env)
        wall, _rss, out = run_child("bench.bench_seed", ["child", scale], env)
    figures: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    figures["wall"] = wall
    return figures


def rows_for(label: str, small: dict[str, Any], regency: dict[str, Any]) -> list[Row]:
    per_employee = small["seconds"] / small["employees"]
    linear = per_employee * regency["employees"]
    target = f"≤ {TARGET_SECONDS:.0f} s"
    return [
        Row(f"{label}: small seed, {small['employees']:,} ASN", small["seconds"], "s"),
        Row(f"{label}: regency seed, {regency['employees']:,} ASN", regency["seconds"], "s", linear, target),
        Row(f"{label}: regency, process start included", regency["wall"], "s", linear, target),
        Row(
            f"{label}: regency vs per-row services",
            regency["seconds"],
            "s",
            small["service_seconds_per_employee"] * regency["employees"],
            target,
        ),
        Row(f"{label}: regency, ASN per second", regency["employees"] / regency["seconds"], "ASN/s", 1 / per_employee),
        Row(f"{label}: regency peak RSS (baseline: small)", regency["peak_mb"], "MB", small["peak_mb"]),
    ]


def databases() -> Iterator[tuple[str, Callable[[], AbstractContextManager[dict[str, str]]]]]:
    yield "SQLite", sqlite_env
    if postgres_available():
        server = os.environ["BENCH_POSTGRES_URL"]
        yield "PostgreSQL", lambda: temporary_postgres_database(server)


def main() -> None:
    rows: list[Row] = []
    for label, fresh_database in databases():
        small = measure(fresh_database, "small")
        regency = measure(fresh_database, "regency")
        rows += rows_for(label, small, regency)
    print_table(
        f"Demo regency seed (seed {SEED}); baseline: small-scale s/ASN × regency ASN, or per-row services",
        rows,
    )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "child":
        child(sys.argv[2])
    else:
        main()
