"""The local CA: a root, officials' PKCS#12 files with the right subject and key usage, idempotent."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID

from siaga.engines.signing import ca
from siaga.engines.signing.tests.conftest import HEAD_NIK, HEAD_NIP, PASSPHRASE


def test_root_is_a_ca_and_ensure_ca_is_idempotent(ca_dir: Path) -> None:
    first = ca.ensure_ca(ca_dir)
    again = ca.ensure_ca(ca_dir)
    assert first.certificate == again.certificate
    assert first.certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert ca.subject_value(first.certificate, NameOID.ORGANIZATION_NAME) == "Pemerintah Kabupaten Magelang"
    assert stat.S_IMODE((ca_dir / ca.ROOT_KEY).stat().st_mode) == 0o600


def test_official_certificate_names_the_official_and_allows_signing(ca_dir: Path) -> None:
    official = ca.load_official(ca.official_path(ca_dir, HEAD_NIK), PASSPHRASE)
    cert = official.certificate
    assert (official.name, official.nik, official.nip) == ("Agus Prasetyo", HEAD_NIK, HEAD_NIP)
    assert ca.subject_value(cert, NameOID.ORGANIZATIONAL_UNIT_NAME) == "DPMPTSP"
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    cert.verify_directly_issued_by(ca.ensure_ca(ca_dir).certificate)  # raises if not
    assert stat.S_IMODE(official.path.stat().st_mode) == 0o600


def test_issue_official_is_idempotent_and_checks_the_passphrase(ca_dir: Path) -> None:
    before = ca.load_official(ca.official_path(ca_dir, HEAD_NIK), PASSPHRASE).certificate
    again = ca.issue_official(ca_dir, HEAD_NIK, "Agus Prasetyo", nip=HEAD_NIP, passphrase=PASSPHRASE)
    assert again.certificate.serial_number == before.serial_number
    with pytest.raises(ca.CAError) as err:
        ca.issue_official(ca_dir, HEAD_NIK, "Agus Prasetyo", passphrase="not-the-passphrase")
    assert err.value.msg == "wrong passphrase"


@pytest.mark.parametrize(
    ("nik", "nip", "name", "passphrase", "msg"),
    [
        ("33080101018000", "", "Ani", PASSPHRASE, "NIK must be 16 digits"),
        ("3308010101800009", "1980", "Ani", PASSPHRASE, "NIP must be 18 digits"),
        ("3308010101800009", "", "  ", PASSPHRASE, "name is required"),
        ("3308010101800009", "", "Ani", "short", "passphrase must be at least 8 characters"),
    ],
)
def test_bad_requests_are_refused_before_anything_is_written(
    tmp_path: Path, nik: str, nip: str, name: str, passphrase: str, msg: str
) -> None:
    with pytest.raises(ca.CAError) as err:
        ca.issue_official(tmp_path, nik, name, nip=nip, passphrase=passphrase)
    assert err.value.msg == msg
    assert list(tmp_path.iterdir()) == []
