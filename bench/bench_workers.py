"""Work spread over worker processes: throughput of 1 against 2 ``siaga worker`` processes on PostgreSQL.

- roster: ``BENCH_WORKERS_PLANS`` (default 8) unit-size roster problems (150 employees in 3 units on one
  floor, two weeks, ``BENCH_WORKERS_LIMIT`` s each, default 4), queued at once; plans per minute until
  the last is a draft;
- signing: one batch of ``BENCH_WORKERS_DOCUMENTS`` (default 30) decision documents through
  ``batch_start`` (one task per document), in one unit (every signature takes the unit's numbering lock)
  and spread over two units; documents per second until the batch is finished.

The baseline of each figure is one worker. Workers are started and ready before the work is queued, so
their start-up is not counted; each runs with ``ROSTER_WORKERS=1`` (one CP-SAT thread) and without the
periodic jobs. Each round runs in a fresh child process on a fresh database. PostgreSQL only (SQLite
serialises writers: several worker processes are not a deployment it supports).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.common import ROOT, Row, postgres_available, print_table, temporary_postgres_database

PLANS = int(os.environ.get("BENCH_WORKERS_PLANS") or 8)
LIMIT = int(os.environ.get("BENCH_WORKERS_LIMIT") or 4)
DOCUMENTS = int(os.environ.get("BENCH_WORKERS_DOCUMENTS") or 30)
PASSPHRASE = "bench-passphrase"  # noqa: S105 (a throw-away key made for the run)
NIKS = ("3311010101800001", "3311010202800002")
SIAGA = Path(sys.executable).with_name("siaga")
INTERVAL = ("--interval", "0.05", "-v", "1")


def _start_workers(count: int, var: Path) -> list[subprocess.Popen[bytes]]:
    env = dict(os.environ, ROSTER_WORKERS="1", LOG_LEVEL="INFO")
    processes = []
    for k in range(count):
        log = (var / f"worker-{k}.log").open("wb")
        processes.append(
            subprocess.Popen(
                [SIAGA, "worker", "--worker-id", f"bench-{k}", "--no-startup-delay", "--no-periodic", *INTERVAL],
                env=env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
    deadline = time.monotonic() + 60
    for k in range(count):
        while "worker_id=bench-" + str(k) not in (var / f"worker-{k}.log").read_text(errors="replace"):
            if time.monotonic() > deadline:
                raise RuntimeError(f"worker {k} did not start")
            time.sleep(0.05)
    return processes


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        process.send_signal(signal.SIGTERM)
    for process in processes:
        process.wait(30)


def _world(var: Path) -> dict[str, Any]:
    """One government, two units each with a head holding a certificate, a service per unit."""
    from django.contrib.auth import get_user_model

    from siaga.core.models import Government, Role, RoleAssignment
    from siaga.engines.signing import ca
    from siaga.org.models import Employee, Position, Unit
    from siaga.services.models import Citizen, ProductKind, Service

    government = Government.objects.create(code="33.11", name="Kabupaten Bench", kind="kabupaten")
    users = get_user_model().objects
    ca.ensure_ca(var / "signing", name="Kabupaten Bench Root CA")
    services = []
    heads = []
    for k, (code, nik) in enumerate(zip(("DPMPTSP", "DUKCAPIL"), NIKS, strict=True)):
        unit = Unit.objects.create(government=government, code=code, name=code, kind="dinas")
        position = Position.objects.create(
            government=government, unit=unit, name="Kepala Dinas", kind="struktural", level="jpt_pratama", is_head=True
        )
        user = users.create_user(username=f"kadis{k}", password=None)
        head = Employee.objects.create(
            government=government,
            unit=unit,
            position=position,
            name=f"Kepala {code}",
            nip=f"19800101200501100{k}",
            nik=nik,
            birth_date=dt.date(1980, 1, 1),
            sex="M",
            user=user,
        )
        ca.issue_official(var / "signing", nik, head.name, passphrase=PASSPHRASE)
        services.append(
            Service.objects.create(
                government=government,
                unit=unit,
                code=f"izin-{k}",
                name="Izin Usaha Mikro",
                sla_days=3,
                product="Izin Usaha Mikro",
                product_kind=ProductKind.PERMIT,
                signer_position=position,
                fields=[{"code": "nama_usaha", "name": "Nama usaha"}],
            )
        )
        heads.append(user)
    citizen_user = users.create_user(username="warga", password=None)
    RoleAssignment.objects.create(user=citizen_user, government=government, role=Role.CITIZEN)
    citizen = Citizen.objects.create(government=government, user=citizen_user, nik="3374011205900001", name="Budi")
    return {"government": government, "services": services, "heads": heads, "citizen": citizen}


def _roster(world: dict[str, Any], workers: int, var: Path) -> float:
    from bench.roster_instances import _enough_holders, regency_instance
    from siaga.engines.roster.types import problem_to_dict
    from siaga.rostering.models import RosterPlan
    from siaga.rostering.tasks import solve_plan

    plans = []
    for seed in range(PLANS):
        problem = regency_instance(
            seed=seed, employees=150, units=3, floors=1, service_units=1, end=dt.date(2026, 11, 13)
        )
        problem = dataclasses.replace(problem, employees=tuple(_enough_holders(problem)))
        plans.append(
            RosterPlan.objects.create(
                government=world["government"],
                name=f"Bench {seed}",
                start=problem.start,
                end=problem.end,
                problem=problem_to_dict(problem),
                time_limit=LIMIT,
            )
        )
    processes = _start_workers(workers, var)
    try:
        start = time.perf_counter()
        for plan in plans:
            solve_plan.enqueue(plan.pk)
        ids = [p.pk for p in plans]
        while RosterPlan.objects.filter(pk__in=ids, status__in=["queued", "solving"]).exists():
            time.sleep(0.05)
        seconds = time.perf_counter() - start
    finally:
        _stop(processes)
    bad = RosterPlan.objects.filter(pk__in=ids).exclude(status="draft").count()
    if bad:
        raise RuntimeError(f"{bad} plan(s) did not end as a draft")
    return PLANS * 60 / seconds


def _signing(world: dict[str, Any], workers: int, units: int, var: Path) -> float:
    from siaga.core.access import actor_for_user
    from siaga.services.batch_signing import batch_start
    from siaga.services.models import Application, SigningBatch, Status

    batches = []
    per_unit = DOCUMENTS // units
    pending = []
    for k in range(units):
        service = world["services"][k]
        applications = [
            Application.objects.create(
                government=world["government"],
                service=service,
                unit=service.unit,
                citizen=world["citizen"],
                status=Status.AWAITING_SIGNATURE,
                data={"nama_usaha": f"Warung {i}"},
            )
            for i in range(per_unit)
        ]
        pending.append((actor_for_user(world["heads"][k]), applications))
    processes = _start_workers(workers, var)
    try:
        start = time.perf_counter()
        for actor, applications in pending:
            batches.append(batch_start(actor=actor, applications=applications, passphrase=PASSPHRASE).pk)
        while SigningBatch.objects.filter(pk__in=batches).exclude(status="done").exists():
            time.sleep(0.05)
        seconds = time.perf_counter() - start
    finally:
        _stop(processes)
    signed = Application.objects.filter(status=Status.ISSUED, unit__in=[s.unit for s in world["services"]]).count()
    return signed / seconds


def child(workers: int, var: Path) -> None:
    os.environ["SIGNING_DIR"] = str(var / "signing")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    world = _world(var)
    figures = {
        "roster": _roster(world, workers, var),
        "signing_one_unit": _signing(world, workers, 1, var),
        "signing_two_units": _signing(world, workers, 2, var),
    }
    print(json.dumps(figures))


def main() -> None:
    if not postgres_available():
        print("\nWorkers: skipped (PostgreSQL only: set BENCH_POSTGRES_URL, or run scripts/bench.sh workers)")
        return
    results: dict[int, dict[str, float]] = {}
    for workers in (1, 2):
        with temporary_postgres_database(os.environ["BENCH_POSTGRES_URL"]) as env:
            var = Path(env["SIAGA_VAR_DIR"])
            env = dict(env, SIGNING_DIR=str(var / "signing"))
            out = subprocess.run(
                [sys.executable, "-m", "bench.bench_workers", str(workers), str(var)],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            if out.returncode != 0:
                raise RuntimeError(f"bench_workers {workers} failed:\n{out.stdout}\n{out.stderr}")
            results[workers] = json.loads(out.stdout.strip().splitlines()[-1])
    one, two = results[1], results[2]
    print_table(
        f"Worker processes on PostgreSQL (1 vs 2 on {os.cpu_count()} cores; ratio to 1 worker)",
        [
            Row(f"roster: {PLANS} plans of 150 employees, {LIMIT} s limit, 1 worker", one["roster"], "plan/m"),
            Row("roster: the same, 2 workers", two["roster"], "plan/m", baseline=one["roster"], target="≈ 2×"),
            Row(f"signing: batch of {DOCUMENTS}, one unit, 1 worker", one["signing_one_unit"], "doc/s"),
            Row(
                "signing: the same, 2 workers (numbering lock)",
                two["signing_one_unit"],
                "doc/s",
                baseline=one["signing_one_unit"],
            ),
            Row(f"signing: {DOCUMENTS} over two units, 1 worker", one["signing_two_units"], "doc/s"),
            Row(
                "signing: the same, 2 workers",
                two["signing_two_units"],
                "doc/s",
                baseline=one["signing_two_units"],
                target="≈ 2×",
            ),
        ],
    )


if __name__ == "__main__":
    if len(sys.argv) == 3:
        child(int(sys.argv[1]), Path(sys.argv[2]))
    else:
        main()
