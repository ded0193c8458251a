"""Application submit on the citizens' portal under load, on SQLite and PostgreSQL.

For each database a fresh database is migrated, then a child process (``python -m bench.bench_portal
child``) creates one government with a service that needs two documents, ``BENCH_PORTAL_CLIENTS``
verified citizens (default 8), and runs them concurrently, each in its own thread with its own database
connection and Django test client (the whole middleware stack and the real view):

- *submit*: ``POST /layanan/<gov>/<service>/ajukan/`` with a PDF and a PNG (each checked by content,
  written to private storage, the application, attachments, history, audit and notification written
  in one transaction); ``BENCH_PORTAL_SUBMITS`` in all (default 400);
- *one client alone*: the same with a single client (no queueing), for comparison;
- *baseline*: a bare authenticated ``GET /layanan/permohonan/`` (the citizen's list, one small query)
  by the same clients, interleaved with the submits, so that other load on the machine weighs on both.

All clients run in one Python process, so under load the figures include waiting for the interpreter
lock on top of the database and the disk (each file is fsynced). The table gives p50/p95 of each and
the ratio of submit to baseline. Target: submit p95 ≤ 500 ms.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import threading
import time
from io import BytesIO
from typing import Any

from bench.bench_seed import databases
from bench.common import Row, print_table, run_child

CLIENTS = int(os.environ.get("BENCH_PORTAL_CLIENTS") or 8)
SUBMITS = int(os.environ.get("BENCH_PORTAL_SUBMITS") or 400)
TARGET_P95_MS = 500.0


def _files() -> tuple[bytes, bytes]:
    from PIL import Image

    pdf, png = BytesIO(), BytesIO()
    Image.effect_noise((400, 300), 60).convert("RGB").save(pdf, "PDF")
    Image.effect_noise((400, 300), 60).convert("RGB").save(png, "PNG")
    return pdf.getvalue(), png.getvalue()


def child() -> None:
    import django

    django.setup()
    from django.conf import settings

    # The pages link static files; the benchmark has not collected them (no manifest to look them up in).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from siaga.core.models import Government, Role, RoleAssignment
    from siaga.org.models import Position, Unit
    from siaga.services.models import Application, Citizen, ProductKind, Service

    gov = Government.objects.create(code="33.11", name="Kabupaten Sukoharjo", kind="kabupaten")
    unit = Unit.objects.create(government=gov, code="DPMPTSP", name="DPMPTSP", kind="dinas")
    head = Position.objects.create(
        government=gov, unit=unit, name="Kepala Dinas", kind="struktural", level="jpt_pratama", is_head=True
    )
    service = Service.objects.create(
        government=gov,
        unit=unit,
        code="pbg",
        name="Persetujuan Bangunan Gedung",
        requirements=[
            {"code": "ktp", "name": "KTP-el", "required": True},
            {"code": "gambar", "name": "Gambar rencana", "required": True},
        ],
        fields=[{"code": "lokasi", "name": "Lokasi", "required": True}],
        sla_days=10,
        fee=0,
        product="Surat PBG",
        product_kind=ProductKind.PERMIT,
        signer_position=head,
    )
    User = get_user_model()
    users = []
    for i in range(CLIENTS):
        user = User.objects.create_user(username=f"warga{i}", password=None, email=f"warga{i}@example.com")
        RoleAssignment.objects.create(user=user, government=gov, role=Role.CITIZEN)
        Citizen.objects.create(
            government=gov,
            user=user,
            nik=f"3311010703850{i + 1:03d}",
            name=f"Warga {i}",
            email=user.email,
            verified_at=timezone.now(),
        )
        users.append(user)
    pdf, png = _files()
    url = f"/layanan/{gov.code}/{service.code}/ajukan/"
    submit_ms: list[float] = []
    get_ms: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    per_client = max(1, SUBMITS // CLIENTS)
    barrier = threading.Barrier(CLIENTS)

    def run(user: Any) -> None:
        client = Client(SERVER_NAME="127.0.0.1")
        client.force_login(user)
        mine_submit, mine_get = [], []
        barrier.wait()
        try:
            for n in range(per_client):
                data = {
                    "field_lokasi": f"Jl. Merdeka {n}",
                    "req_ktp": SimpleUploadedFile("ktp.pdf", pdf, "application/pdf"),
                    "req_gambar": SimpleUploadedFile("gambar.png", png, "image/png"),
                    "handover": "download",
                }
                start = time.perf_counter()
                response = client.post(url, data)
                mine_submit.append((time.perf_counter() - start) * 1000)
                if response.status_code != 302:
                    errors.append(f"submit {response.status_code}")
                start = time.perf_counter()
                response = client.get("/layanan/permohonan/")
                mine_get.append((time.perf_counter() - start) * 1000)
                if response.status_code != 200:
                    errors.append(f"get {response.status_code}")
        except Exception as exc:  # reported below; the run then fails
            errors.append(repr(exc))
        finally:
            connection.close()
        with lock:
            submit_ms.extend(mine_submit)
            get_ms.extend(mine_get)

    threads = [threading.Thread(target=run, args=(user,)) for user in users]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    if errors:
        raise SystemExit(f"{len(errors)} failed requests, e.g. {errors[:3]}")
    assert Application.objects.count() == per_client * CLIENTS

    def p(values: list[float], q: int) -> float:
        return statistics.quantiles(values, n=100)[q - 1]

    print(
        json.dumps(
            {
                "submits": len(submit_ms),
                "clients": CLIENTS,
                "submit_p50": p(submit_ms, 50),
                "submit_p95": p(submit_ms, 95),
                "get_p50": p(get_ms, 50),
                "get_p95": p(get_ms, 95),
                "per_second": len(submit_ms) / wall,
                "upload_kb": (len(pdf) + len(png)) / 1024,
            }
        )
    )


def measure(fresh_database: Any, clients: int, submits: int) -> dict[str, Any]:
    with fresh_database() as env:
        env = dict(env, BENCH_PORTAL_CLIENTS=str(clients), BENCH_PORTAL_SUBMITS=str(submits))
        run_child("siaga.cli", ["migrate", "--noinput", "-v0"], env)
        _wall, _rss, out = run_child("bench.bench_portal", ["child"], env)
    figures: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return figures


def main() -> None:
    rows: list[Row] = []
    for label, fresh_database in databases():
        alone = measure(fresh_database, 1, max(20, SUBMITS // 10))
        rows.append(Row(f"{label}: submit p95, one client alone", alone["submit_p95"], "ms", alone["get_p95"]))
        f = measure(fresh_database, CLIENTS, SUBMITS)
        rows += [
            Row(
                f"{label}: submit p95 ({f['clients']} clients, {f['upload_kb']:.0f} kB)",
                f["submit_p95"],
                "ms",
                f["get_p95"],
                f"≤ {TARGET_P95_MS:.0f} ms",
            ),
            Row(f"{label}: submit p50", f["submit_p50"], "ms", f["get_p50"]),
            Row(f"{label}: submits per second ({f['submits']})", f["per_second"], "/s"),
        ]
    print_table("Portal application submit under load; baseline: authenticated GET of the list, same run", rows)


if __name__ == "__main__":
    if len(sys.argv) == 2 and sys.argv[1] == "child":
        child()
    else:
        main()
