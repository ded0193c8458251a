"""The import pages: upload, background job, status, templates, and who may use them."""

from __future__ import annotations

import html
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from siaga.core.models import AuditEvent, Government, Role
from siaga.org import services
from siaga.org.imports import UNIT_COLUMNS, run_import
from siaga.org.models import Employee, ImportJob, Unit
from siaga.org.tasks import run_import_job
from siaga.org.tests.importfiles import NIP1, NIP2, csv_bytes, employee, unit, xlsx_bytes


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def admin_client(client: Any, org: dict[str, Any]) -> Any:
    client.force_login(org["users"]["admin"])
    client.cookies["siaga_language"] = "en"
    return client


def upload(client: Any, content: bytes, name: str = "pegawai.csv", kind: str = "employees") -> Any:
    return client.post(reverse("org:import"), {"kind": kind, "file": SimpleUploadedFile(name, content)})


def page_text(response: Any) -> str:
    return html.unescape(response.content.decode())


@pytest.mark.django_db(transaction=True)
def test_an_admin_uploads_a_file_and_sees_the_counts_once_the_worker_has_run(
    admin_client: Any, org: dict[str, Any]
) -> None:
    content = csv_bytes([employee(NIP1), employee(NIP2)])

    response = upload(admin_client, content)

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("org:import_detail", args=[job.pk])
    assert (job.government, job.kind, job.file_name, bytes(job.content), job.created_by, job.status) == (
        org["government"],
        "employees",
        "pegawai.csv",
        content,
        org["users"]["admin"],
        "queued",
    )
    waiting = admin_client.get(reverse("org:import_detail", args=[job.pk]))
    assert 'data-status="queued"' in page_text(waiting)
    assert f'hx-get="{reverse("org:import_detail", args=[job.pk])}"' in page_text(waiting)
    assert not Employee.objects.filter(nip__in=[NIP1, NIP2]).exists()

    call_command("db_worker", batch=True, reload=False, startup_delay=False)

    job.refresh_from_db()
    assert (job.status, job.progress, job.total) == ("done", 2, 2)
    assert job.finished_at is not None
    assert job.report["created"] == 2
    status = admin_client.get(reverse("org:import_detail", args=[job.pk]), HTTP_HX_REQUEST="true")
    text = page_text(status)
    assert text.startswith('<section id="import-status" data-status="done"')
    assert "hx-get" not in text
    assert "2 created, 0 updated, 0 unchanged." in text
    assert Employee.objects.filter(government=org["government"], nip__in=[NIP1, NIP2]).count() == 2
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_uploading_queues_the_import_job_with_the_uploaders_language(
    admin_client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        upload(admin_client, csv_bytes([employee(NIP1)]))

    job = ImportJob.objects.get()
    queued = DBTaskResult.objects.get()
    assert (queued.task_path, queued.args_kwargs) == (
        "siaga.org.tasks.run_import_job",
        {"args": [job.pk], "kwargs": {"language": "en"}},
    )


def test_a_file_with_errors_shows_every_error_and_saves_nothing(admin_client: Any, org: dict[str, Any]) -> None:
    upload(admin_client, csv_bytes([employee(NIP1), employee("12345", status="honorer")]))
    job = ImportJob.objects.get()

    assert run_import_job.call(job.pk, language="en") == "failed"

    job.refresh_from_db()
    assert job.status == "failed"
    assert job.report["errors"] == [
        {"row": 3, "column": "nip", "value": "12345", "message": "NIP must be 18 digits; 5 digits were entered."},
        {"row": 3, "column": "status", "value": "honorer", "message": "Write pns or pppk in status."},
    ]
    text = page_text(admin_client.get(reverse("org:import_detail", args=[job.pk])))
    assert "Refused: errors in the file" in text
    assert "Nothing was saved. Fix these rows and upload the file again." in text
    assert "<td>3</td><td>nip</td><td>12345</td><td>NIP must be 18 digits; 5 digits were entered.</td>" in text
    assert not Employee.objects.filter(nip=NIP1).exists()


def test_a_file_level_problem_is_shown_as_the_reports_message(admin_client: Any) -> None:
    upload(admin_client, csv_bytes([unit("DINSOS")], header=UNIT_COLUMNS))
    job = ImportJob.objects.get()

    run_import_job.call(job.pk, language="en")

    text = page_text(admin_client.get(reverse("org:import_detail", args=[job.pk])))
    assert (
        '<p role="alert">This file has the columns of a units file. Choose “units” as what to import, or pick the '
        "employees file.</p>"
    ) in text


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "foto.csv",
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            "“foto.csv” is not a CSV text file. Save the spreadsheet as CSV UTF-8 (comma delimited) and upload "
            "that file.",
        ),
        (
            "foto.xlsx",
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            "“foto.xlsx” is not an Excel workbook, although its name ends in .xlsx. Open it in Excel or "
            "LibreOffice and save it as Excel Workbook (.xlsx).",
        ),
    ],
)
def test_the_upload_page_refuses_a_file_that_is_not_a_spreadsheet(
    admin_client: Any, name: str, content: bytes, message: str
) -> None:
    response = upload(admin_client, content, name)

    assert response.status_code == 200
    assert message in page_text(response)
    assert not ImportJob.objects.exists()


def test_the_upload_page_refuses_a_file_over_10_mb(admin_client: Any, settings: Any) -> None:
    settings.UPLOAD_MAX_BYTES = 10 * 1024 * 1024
    content = csv_bytes([employee(NIP1)])
    content += b"#" * (settings.UPLOAD_MAX_BYTES + 1 - len(content))

    response = upload(admin_client, content)

    assert "The file is 10.0 MB; the limit is 10 MB. Split it into smaller files." in page_text(response)
    assert not ImportJob.objects.exists()


def test_the_service_refuses_a_wrong_file_or_kind_before_storing_a_job(org: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as caught:
        services.import_job_create(
            government=org["government"], kind="employees", file_name="x.xlsx", content=b"PK\x03\x04", actor=None
        )
    assert caught.value.message_dict == {
        "file": [
            "“x.xlsx” is not an Excel workbook, although its name ends in .xlsx. Open it in Excel or LibreOffice "
            "and save it as Excel Workbook (.xlsx)."
        ]
    }
    with pytest.raises(ValidationError) as caught:
        services.import_job_create(
            government=org["government"], kind="buildings", file_name="x.csv", content=b"a\n", actor=None
        )
    assert caught.value.message_dict == {"kind": ["Choose what to import: units or employees."]}
    assert not ImportJob.objects.exists()


def test_running_a_job_again_does_nothing(org: dict[str, Any]) -> None:
    job = services.import_job_create(
        government=org["government"],
        kind="employees",
        file_name="pegawai.csv",
        content=csv_bytes([employee(NIP1)]),
        actor=org["users"]["admin"],
    )

    assert run_import_job.call(job.pk) == "done"
    job.refresh_from_db()
    report, finished_at = job.report, job.finished_at
    assert run_import_job.call(job.pk) == "skipped"

    job.refresh_from_db()
    assert (job.status, job.report, job.finished_at) == ("done", report, finished_at)
    assert Employee.objects.filter(nip=NIP1).count() == 1
    assert AuditEvent.objects.filter(action="import").count() == 1


def test_a_running_job_is_not_started_a_second_time(org: dict[str, Any]) -> None:
    job = services.import_job_create(
        government=org["government"],
        kind="employees",
        file_name="p.csv",
        content=csv_bytes([employee(NIP1)]),
        actor=None,
    )
    ImportJob.objects.filter(pk=job.pk).update(status="running")

    assert run_import_job.call(job.pk) == "skipped"
    assert not Employee.objects.filter(nip=NIP1).exists()


def test_the_job_stores_its_progress_for_the_status_page(org: dict[str, Any]) -> None:
    rows = [employee(NIP1)] + [employee(NIP2, nama=f"Dup {i}") for i in range(3)]
    job = services.import_job_create(
        government=org["government"], kind="employees", file_name="p.csv", content=csv_bytes(rows), actor=None
    )

    run_import_job.call(job.pk, language="en")

    job.refresh_from_db()
    assert (job.status, job.progress, job.total, len(job.report["errors"])) == ("failed", 4, 4, 2)


# ---------------------------------------------------------------------------------------------------
# Templates


@pytest.mark.parametrize(
    ("kind", "fmt", "content_type", "file_name"),
    [
        ("units", "csv", "text/csv; charset=utf-8", "siaga-unit.csv"),
        ("units", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "siaga-unit.xlsx"),
        ("employees", "csv", "text/csv; charset=utf-8", "siaga-pegawai.csv"),
        (
            "employees",
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "siaga-pegawai.xlsx",
        ),
    ],
)
def test_a_downloaded_template_imports_cleanly(
    admin_client: Any,
    org: dict[str, Any],
    other_government: Government,
    kind: str,
    fmt: str,
    content_type: str,
    file_name: str,
) -> None:
    response = admin_client.get(reverse("org:import_template", args=[kind, fmt]))

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="{file_name}"'
    # Units go into a government that has none yet; employees into one that has the template's units.
    government = other_government if kind == "units" else org["government"]
    report = run_import(government=government, kind=kind, file_name=file_name, content=response.content)
    assert (report.ok, report.created, report.updated, report.unchanged, report.errors) == (True, 2, 0, 0, [])


def test_the_employee_template_uploaded_through_the_page_creates_two_employees(
    admin_client: Any, org: dict[str, Any]
) -> None:
    template = admin_client.get(reverse("org:import_template", args=["employees", "xlsx"])).content
    upload(admin_client, template, "siaga-pegawai.xlsx")
    job = ImportJob.objects.get()

    run_import_job.call(job.pk, language="en")

    text = page_text(admin_client.get(reverse("org:import_detail", args=[job.pk])))
    assert "2 created, 0 updated, 0 unchanged." in text
    assert set(
        Employee.objects.filter(nip__in=["198003152005011002", "199105202019032005"]).values_list("name", flat=True)
    ) == {
        "Budi Santoso",
        "Siti Aminah",
    }


def test_the_unit_template_creates_the_units_it_shows(admin_client: Any, other_government: Government) -> None:
    content = admin_client.get(reverse("org:import_template", args=["units", "csv"])).content

    run_import(government=other_government, kind="units", file_name="siaga-unit.csv", content=content)

    units = Unit.objects.filter(government=other_government).order_by("code")
    assert [(u.code, u.kind, u.parent.code if u.parent else "", u.public_service) for u in units] == [
        ("DPMPTSP", "dinas", "", True),
        ("DPMPTSP-PEL", "bidang", "DPMPTSP", True),
    ]


def test_an_unknown_template_is_not_found(admin_client: Any) -> None:
    assert admin_client.get(reverse("org:import_template", args=["buildings", "csv"])).status_code == 404
    assert admin_client.get(reverse("org:import_template", args=["units", "ods"])).status_code == 404


# ---------------------------------------------------------------------------------------------------
# Access


@pytest.mark.parametrize("role", ["staff", "head", "health", "officer"])
def test_only_the_government_admin_may_import(client: Any, org: dict[str, Any], role: str) -> None:
    job = services.import_job_create(
        government=org["government"],
        kind="employees",
        file_name="p.csv",
        content=csv_bytes([employee(NIP1)]),
        actor=None,
    )
    client.force_login(org["users"][role])

    assert client.get(reverse("org:import")).status_code == 403
    assert upload(client, csv_bytes([employee(NIP2)])).status_code == 403
    assert client.get(reverse("org:import_template", args=["employees", "xlsx"])).status_code == 403
    assert client.get(reverse("org:import_detail", args=[job.pk])).status_code == 403
    assert ImportJob.objects.count() == 1


def test_an_admin_of_another_government_cannot_see_the_job(
    client: Any, org: dict[str, Any], other_government: Government, make_user: Any
) -> None:
    job = services.import_job_create(
        government=org["government"],
        kind="employees",
        file_name="pegawai-sukoharjo.csv",
        content=csv_bytes([employee(NIP1)]),
        actor=org["users"]["admin"],
    )
    client.force_login(make_user("bkpsdm-kra", (other_government, Role.ADMIN)))

    assert client.get(reverse("org:import_detail", args=[job.pk])).status_code == 404
    listing = client.get(reverse("org:import"))
    assert listing.status_code == 200
    assert "pegawai-sukoharjo.csv" not in page_text(listing)


def test_the_import_page_lists_earlier_imports_of_the_government(admin_client: Any, org: dict[str, Any]) -> None:
    services.import_job_create(
        government=org["government"], kind="units", file_name="unit-2024.xlsx", content=xlsx_bytes([]), actor=None
    )

    text = page_text(admin_client.get(reverse("org:import")))

    assert "unit-2024.xlsx" in text
