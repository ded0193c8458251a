"""Fixtures shared by the documents, signing and verification tests (imported by those modules): a
government CA with certificates for the head of DPMPTSP, the head of Bidang Pelayanan (who acts as Plh)
and a head of another unit; settings pointing signing and storage at temporary directories; an
application awaiting signature."""

from __future__ import annotations

import datetime as dt
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from siaga.engines.signing import ca
from siaga.engines.signing.verify import nss_trust_store
from siaga.org.models import Delegation, Employee
from siaga.services.models import Application, Status

HEAD_NIK = "3311010101800001"
KABID_NIK = "3311014202850002"
OTHER_NIK = "3311010303820003"
UNISSUED_NIK = "3311010404840004"
PASSPHRASE = "kunci-rahasia-1"

#: what ``import *`` brings into a test module: the fixtures
__all__ = ["signing", "signing_ca", "signing_settings", "trust_nss"]


@pytest.fixture(scope="session")
def signing_ca(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("signing")
    ca.ensure_ca(directory, name="Kabupaten Sukoharjo Root CA", organization="Pemerintah Kabupaten Sukoharjo")
    for nik, name in ((HEAD_NIK, "Kepala Dinas"), (KABID_NIK, "Kepala Bidang"), (OTHER_NIK, "Staf Dinkes")):
        ca.issue_official(directory, nik, name, passphrase=PASSPHRASE)
    return directory


@pytest.fixture(scope="session")
def trust_nss(signing_ca: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return nss_trust_store(tmp_path_factory.mktemp("nss"), [signing_ca / ca.ROOT_CERT])


@pytest.fixture
def signing_settings(settings: Any, signing_ca: Path, tmp_path: Path) -> Any:
    settings.DOCUMENT_SIGNING_BACKEND = "local"
    settings.SIGNING_DIR = signing_ca
    settings.SIGNING_TRUST_ROOTS = [str(signing_ca / ca.ROOT_CERT)]
    settings.MEDIA_ROOT = tmp_path / "private"
    settings.BASE_URL = "https://layanan.sukoharjokab.go.id"
    settings.VERIFY_RATE_LIMIT = 1000
    return settings


@pytest.fixture
def signing(desk: dict, signing_settings: Any, make_application: Callable[..., Application]) -> dict:
    """``desk`` with NIKs on the heads, an application of Budi awaiting the head's signature."""
    Employee.objects.filter(pk=desk["kadis"].pk).update(nik=HEAD_NIK)
    Employee.objects.filter(pk=desk["kabid"].pk).update(nik=KABID_NIK)
    Employee.objects.filter(pk=desk["other_staff"].pk).update(nik=OTHER_NIK)
    for key in ("kadis", "kabid", "other_staff"):
        desk[key].refresh_from_db()
    application = awaiting(make_application, desk["usaha"], desk["budi"])
    return {**desk, "application": application}


def awaiting(make_application: Callable[..., Application], service: Any, citizen: Any, **extra: Any) -> Application:
    extra.setdefault("data", {"nama_usaha": "Warung Sari", "alamat_usaha": "Jl. Merapi 12"})
    application = make_application(service, citizen, status=Status.AWAITING_SIGNATURE, **extra)
    application.receipt_number = f"{service.code.upper()}/2026/{application.pk:06d}"
    application.save(update_fields=["receipt_number"])
    return application


def make_plh(desk: dict, acting: Employee, unit: Any = None) -> Delegation:
    today = timezone.localdate()
    return Delegation.objects.create(
        government=desk["government"],
        kind="plh",
        unit=unit or desk["dinas"],
        official=desk["kadis"],
        acting=acting,
        start=today - dt.timedelta(days=1),
        end=today + dt.timedelta(days=5),
        letter_number="800/12/2026",
        reason="Dinas luar",
    )


def pdf_text(data: bytes, tmp_path: Path) -> str:
    """The text of a PDF as poppler's pdftotext reads it (stamps included)."""
    path = tmp_path / "text.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout
