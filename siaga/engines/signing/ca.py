"""A local certificate authority: the government's root and one PKCS#12 per signing official.

Files in the CA directory::

    ca.crt.pem            the root certificate (the trust root to configure for verification)
    ca.key.pem            the root's private key (mode 0600)
    officials/NIK.p12     one official's key and certificate chain, protected by a passphrase

Every helper is idempotent: the demo calls them at each setup and gets the same files back.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

ROOT_CERT = "ca.crt.pem"
ROOT_KEY = "ca.key.pem"
OFFICIALS = "officials"
NIK_RE = re.compile(r"^\d{16}$")
NIP_RE = re.compile(r"^\d{18}$")
KEY_BITS = 2048


class CAError(ValueError):
    """A CA request that cannot be honoured; ``msg`` is an English message key."""

    def __init__(self, msg: str) -> None:
        super().__init__(msg)
        self.msg = msg


@dataclass(frozen=True)
class CA:
    directory: Path
    certificate: x509.Certificate
    key: rsa.RSAPrivateKey

    @property
    def cert_path(self) -> Path:
        return self.directory / ROOT_CERT

    @property
    def cert_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)


@dataclass(frozen=True)
class Official:
    """An official's signing identity as stored in their PKCS#12."""

    path: Path
    nik: str
    name: str
    nip: str
    certificate: x509.Certificate


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


def ensure_ca(
    directory: str | os.PathLike[str],
    *,
    name: str = "Siaga Government Root CA",
    organization: str = "Pemerintah Daerah",
    years: int = 10,
) -> CA:
    """Load the root CA from ``directory``, creating it (key, self-signed certificate) if absent."""
    d = Path(directory)
    cert_path, key_path = d / ROOT_CERT, d / ROOT_KEY
    if cert_path.exists() and key_path.exists():
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        assert isinstance(key, rsa.RSAPrivateKey)
        return CA(d, cert, key)
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
            x509.NameAttribute(NameOID.COMMON_NAME, name),
        ]
    )
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write_private(
        key_path,
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()),
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return CA(d, cert, key)


def official_path(directory: str | os.PathLike[str], nik: str) -> Path:
    return Path(directory) / OFFICIALS / f"{nik}.p12"


def issue_official(
    directory: str | os.PathLike[str],
    nik: str,
    name: str,
    *,
    nip: str = "",
    passphrase: str,
    unit: str = "",
    years: int = 2,
) -> Official:
    """Return the official's PKCS#12 under ``directory``, issuing it from the root CA if absent.

    The subject names the official (CN), their NIK (serialNumber) and NIP (UID); the key usage
    allows signatures with non-repudiation. An existing file is kept as long as it opens with
    ``passphrase``; otherwise ``CAError("wrong passphrase")``.
    """
    if not NIK_RE.match(nik):
        raise CAError("NIK must be 16 digits")
    if nip and not NIP_RE.match(nip):
        raise CAError("NIP must be 18 digits")
    if not name.strip():
        raise CAError("name is required")
    if len(passphrase) < 8:
        raise CAError("passphrase must be at least 8 characters")
    path = official_path(directory, nik)
    if path.exists():
        return load_official(path, passphrase)
    ca = ensure_ca(directory)
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    attrs = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, subject_value(ca.certificate, NameOID.ORGANIZATION_NAME)),
    ]
    if unit:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, name.strip()))
    attrs.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, nik))
    if nip:
        attrs.append(x509.NameAttribute(NameOID.USER_ID, nip))
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name(attrs))
        .issuer_name(ca.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(min(now + dt.timedelta(days=365 * years), ca.certificate.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), critical=False)
        .sign(ca.key, hashes.SHA256())
    )
    data = pkcs12.serialize_key_and_certificates(
        name=nik.encode(),
        key=key,
        cert=cert,
        cas=[ca.certificate],
        encryption_algorithm=serialization.BestAvailableEncryption(passphrase.encode()),
    )
    _write_private(path, data)
    return Official(path, nik, name.strip(), nip, cert)


def load_official(path: str | os.PathLike[str], passphrase: str) -> Official:
    """Open an official's PKCS#12; ``CAError("wrong passphrase")`` when it does not open."""
    p = Path(path)
    _key, cert, _chain = load_pkcs12(p.read_bytes(), passphrase)
    return Official(
        p,
        subject_value(cert, NameOID.SERIAL_NUMBER),
        subject_value(cert, NameOID.COMMON_NAME),
        subject_value(cert, NameOID.USER_ID),
        cert,
    )


def load_pkcs12(data: bytes, passphrase: str) -> tuple[PrivateKeyTypes, x509.Certificate, list[x509.Certificate]]:
    try:
        key, cert, chain = pkcs12.load_key_and_certificates(data, passphrase.encode())
    except ValueError as exc:
        raise CAError("wrong passphrase") from exc
    if key is None or cert is None:
        raise CAError("the PKCS#12 file holds no key and certificate")
    return key, cert, list(chain)


def subject_value(cert: x509.Certificate, oid: x509.ObjectIdentifier) -> str:
    values = cert.subject.get_attributes_for_oid(oid)
    return str(values[0].value) if values else ""


def subject_text(cert: x509.Certificate) -> str:
    """The subject as text, naming NIK (serialNumber) and NIP (UID) attributes."""
    return cert.subject.rfc4514_string({NameOID.SERIAL_NUMBER: "serialNumber", NameOID.USER_ID: "UID"})
