"""Shared fixtures: a CA with two officials (made once per test session), a second unrelated CA,
and small PDFs built with reportlab (uncompressed, so that a test can change a visible byte)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from reportlab.pdfgen import canvas

from siaga.engines.signing import ca

HEAD_NIK = "3308010101800001"
HEAD_NIP = "198001012005011001"
DEPUTY_NIK = "3308014202850002"
PASSPHRASE = "kunci-rahasia-1"


def make_pdf(*lines: str, pages: int = 1) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pageCompression=0)
    for page in range(pages):
        y = 780
        for line in lines:
            c.drawString(72, y, line)
            y -= 16
        c.drawString(72, 60, f"Halaman {page + 1}")
        c.showPage()
    c.save()
    return buf.getvalue()


@pytest.fixture(scope="session")
def ca_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("ca")
    ca.ensure_ca(d, name="Pemkab Magelang Root CA", organization="Pemerintah Kabupaten Magelang")
    ca.issue_official(d, HEAD_NIK, "Agus Prasetyo", nip=HEAD_NIP, passphrase=PASSPHRASE, unit="DPMPTSP")
    ca.issue_official(d, DEPUTY_NIK, "Sri Wahyuni", passphrase=PASSPHRASE)
    return d


@pytest.fixture(scope="session")
def root_pem(ca_dir: Path) -> bytes:
    return (ca_dir / ca.ROOT_CERT).read_bytes()


@pytest.fixture(scope="session")
def other_root_pem(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return ca.ensure_ca(tmp_path_factory.mktemp("other-ca"), name="Another Root CA").cert_pem


@pytest.fixture
def decision_pdf() -> bytes:
    return make_pdf("SURAT KEPUTUSAN KEPALA DPMPTSP", "Nomor 503/0421/2026", "Izin Usaha Mikro: Warung Sari")
