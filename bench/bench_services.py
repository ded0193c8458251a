"""Decision documents end to end: ``sign_application`` (render + sign + store + record + two
transitions) in documents per second, against pyHanko signing a fixed PDF alone in the same run
(invisible signature, key preloaded: the library's own limit); and the latency (p50/p95) of the public
verification page (``/verifikasi/<token>/``) and of the PDF upload check, through Django's test client.

Each database runs in a fresh child process that migrates, creates one government with a head, a Plh,
a service and ``BENCH_SERVICES_DOCUMENTS`` applications awaiting signature (default 30), and a local CA
under a temporary SIGNING_DIR. SQLite always; PostgreSQL when ``BENCH_POSTGRES_URL`` is set.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import Row, postgres_available, print_table, run_child, sqlite_env, temporary_postgres_database

DOCUMENTS = int(os.environ.get("BENCH_SERVICES_DOCUMENTS") or 30)
CHECKS = int(os.environ.get("BENCH_SERVICES_CHECKS") or 40)
NIK = "3311010101800001"
PASSPHRASE = "bench-passphrase"  # noqa: S105 (a throw-away key made for the run)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def child(directory: Path) -> None:
    os.environ["SIGNING_DIR"] = str(directory / "signing")
    os.environ["VERIFY_RATE_LIMIT"] = str(10 * CHECKS + 100)
    import django

    django.setup()
    from django.conf import settings

    # pages render without a collected static manifest (no collectstatic in a benchmark)
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.test import Client
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigSeedSubFilter

    from siaga.core.access import actor_for_user
    from siaga.core.models import Government, Role, RoleAssignment
    from siaga.core.uploads import private_path
    from siaga.engines.signing import ca
    from siaga.engines.signing.sign import load_pyhanko_signer
    from siaga.org.models import Employee, Position, Unit
    from siaga.services import documents
    from siaga.services.models import Application, Citizen, ProductKind, Service, Status
    from siaga.services.signing import sign_application

    call_command("migrate", verbosity=0)
    government = Government.objects.create(code="33.11", name="Kabupaten Bench", kind="kabupaten")
    unit = Unit.objects.create(government=government, code="DPMPTSP", name="DPMPTSP", kind="dinas")
    position = Position.objects.create(
        government=government, unit=unit, name="Kepala Dinas", kind="struktural", level="jpt_pratama", is_head=True
    )
    users = get_user_model().objects
    head_user = users.create_user(username="kadis", password=None)
    head = Employee.objects.create(
        government=government,
        unit=unit,
        position=position,
        name="Agus Prasetyo",
        nip="198001012005011001",
        nik=NIK,
        birth_date=dt.date(1980, 1, 1),
        sex="M",
        user=head_user,
    )
    ca.ensure_ca(directory / "signing", name="Kabupaten Bench Root CA")
    ca.issue_official(directory / "signing", NIK, head.name, passphrase=PASSPHRASE)
    service = Service.objects.create(
        government=government,
        unit=unit,
        code="izin-usaha",
        name="Izin Usaha Mikro",
        sla_days=3,
        product="Izin Usaha Mikro",
        product_kind=ProductKind.PERMIT,
        signer_position=position,
        fields=[{"code": "nama_usaha", "name": "Nama usaha"}],
    )
    citizen_user = users.create_user(username="warga", password=None)
    RoleAssignment.objects.create(user=citizen_user, government=government, role=Role.CITIZEN)
    citizen = Citizen.objects.create(government=government, user=citizen_user, nik="3374011205900001", name="Budi")
    applications = [
        Application.objects.create(
            government=government,
            service=service,
            unit=unit,
            citizen=citizen,
            status=Status.AWAITING_SIGNATURE,
            data={"nama_usaha": f"Warung {i}"},
        )
        for i in range(DOCUMENTS + 1)
    ]
    actor = actor_for_user(head_user)
    sign_application(application=applications[0], actor=actor, passphrase=PASSPHRASE)  # warm-up
    start = time.perf_counter()
    issued = [sign_application(application=a, actor=actor, passphrase=PASSPHRASE) for a in applications[1:]]
    service_rate = DOCUMENTS / (time.perf_counter() - start)

    pdf = documents.render(applications[1], number="503/0001/DPMPTSP/2026")
    preloaded = load_pyhanko_signer(ca.official_path(directory / "signing", NIK).read_bytes(), PASSPHRASE)

    def baseline() -> None:
        meta = signers.PdfSignatureMetadata(field_name="Signature1", subfilter=SigSeedSubFilter.PADES)
        signers.PdfSigner(meta, signer=preloaded).sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)))

    baseline()
    start = time.perf_counter()
    for _ in range(DOCUMENTS):
        baseline()
    baseline_rate = DOCUMENTS / (time.perf_counter() - start)

    client = Client(HTTP_HOST="127.0.0.1")
    page, upload = [], []
    signed = private_path(issued[0].path).read_bytes()
    for i in range(CHECKS):
        token = issued[i % len(issued)].verify_token
        t0 = time.perf_counter()
        assert client.get(f"/verifikasi/{token}/").status_code == 200
        page.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        response = client.post("/verifikasi/", {"file": SimpleUploadedFile("d.pdf", signed)})
        upload.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200
    print(
        json.dumps(
            {
                "service_rate": service_rate,
                "baseline_rate": baseline_rate,
                "page_p50": statistics.median(page),
                "page_p95": _percentile(page, 0.95),
                "upload_p50": statistics.median(upload),
                "upload_p95": _percentile(upload, 0.95),
            }
        )
    )


def _rows(database: str, f: dict[str, Any]) -> list[Row]:
    return [
        Row(f"{database}: pyHanko alone, key preloaded, no stamp", f["baseline_rate"], "doc/s"),
        Row(
            f"{database}: sign_application (render+sign+store+issue)",
            f["service_rate"],
            "doc/s",
            baseline=f["baseline_rate"],
        ),
        Row(f"{database}: verification page p50", f["page_p50"], "ms"),
        Row(f"{database}: verification page p95", f["page_p95"], "ms"),
        Row(f"{database}: upload check p50", f["upload_p50"], "ms", baseline=f["page_p50"]),
        Row(f"{database}: upload check p95", f["upload_p95"], "ms", baseline=f["page_p95"]),
    ]


def main() -> None:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="siaga-bench-") as tmp, sqlite_env() as env:
        _s, _rss, out = run_child("bench.bench_services", ["child", tmp], env)
        rows += _rows("SQLite", json.loads(out.strip().splitlines()[-1]))
    if postgres_available():
        with (
            tempfile.TemporaryDirectory(prefix="siaga-bench-") as tmp,
            temporary_postgres_database(os.environ["BENCH_POSTGRES_URL"]) as env,
        ):
            _s, _rss, out = run_child("bench.bench_services", ["child", tmp], env)
            rows += _rows("PostgreSQL", json.loads(out.strip().splitlines()[-1]))
    print_table(
        f"Decision documents ({DOCUMENTS} signed, {CHECKS} checks each); baseline = pyHanko alone / the page",
        rows,
    )
    if not postgres_available():
        print("PostgreSQL: skipped (set BENCH_POSTGRES_URL, or run scripts/bench.sh services)")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "child":
        child(Path(sys.argv[2]))
    else:
        main()
