"""Verification of signed PDFs, two independent ways:

- :func:`verify_pdf`: pyHanko's validator against the configured trust roots (integrity, chain of
  trust, signer, signing time, whether the signature covers the whole file);
- :func:`pdfsig_verdict`: poppler's ``pdfsig`` command (with an NSS database holding the trust
  roots, made by :func:`nss_trust_store`), parsed into the same kind of answer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

TrustRoot = bytes | str | os.PathLike[str] | x509.Certificate


@dataclass(frozen=True)
class SignatureInfo:
    """One signature of a document, as a validator saw it."""

    field: str
    intact: bool
    trusted: bool
    whole_document: bool
    signer: str
    signer_nik: str
    signing_time: dt.datetime | None
    problem: str = ""

    @property
    def valid(self) -> bool:
        return self.intact and self.trusted


@dataclass(frozen=True)
class Verdict:
    """The answer about a document: ``valid`` when it is signed, every signature is intact and
    trusted, no later revision changes what an earlier signature approved beyond adding the next
    signature, and the last one covers the whole file (nothing was added after signing)."""

    sha256: str
    signatures: tuple[SignatureInfo, ...]
    problem: str = ""

    @property
    def signed(self) -> bool:
        return bool(self.signatures)

    @property
    def intact(self) -> bool:
        return self.signed and all(s.intact for s in self.signatures)

    @property
    def trusted(self) -> bool:
        return self.signed and all(s.trusted for s in self.signatures)

    @property
    def whole_document(self) -> bool:
        return self.signed and self.signatures[-1].whole_document

    @property
    def valid(self) -> bool:
        clean = all(not s.problem for s in self.signatures)  # e.g. suspicious changes after a signature
        return not self.problem and clean and self.intact and self.trusted and self.whole_document

    @property
    def signer(self) -> str:
        return self.signatures[-1].signer if self.signatures else ""

    @property
    def signing_time(self) -> dt.datetime | None:
        return self.signatures[-1].signing_time if self.signatures else None


def load_trust_roots(roots: Iterable[TrustRoot]) -> list[x509.Certificate]:
    """Certificates from objects, PEM/DER bytes or files (a PEM file may hold several)."""
    out: list[x509.Certificate] = []
    for root in roots:
        if isinstance(root, x509.Certificate):
            out.append(root)
            continue
        data = root if isinstance(root, bytes) else Path(root).read_bytes()
        if b"-----BEGIN CERTIFICATE-----" in data:
            out.extend(x509.load_pem_x509_certificates(data))
        else:
            out.append(x509.load_der_x509_certificate(data))
    return out


def _asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _subject(cert: asn1_x509.Certificate, key: str) -> str:
    value = cert.subject.native.get(key, "")
    return str(value[-1] if isinstance(value, list) else value)


def verify_pdf(pdf_bytes: bytes, trust_roots: Iterable[TrustRoot]) -> Verdict:
    """Validate every signature of the PDF with pyHanko against ``trust_roots`` only (no system
    trust, no network fetching)."""
    digest = hashlib.sha256(pdf_bytes).hexdigest()
    roots = [_asn1(c) for c in load_trust_roots(trust_roots)]
    try:
        reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
        embedded = reader.embedded_signatures
    except (PdfError, ValueError, KeyError, IndexError) as exc:
        return Verdict(digest, (), problem=f"unreadable PDF: {exc}")
    infos = []
    for sig in embedded:
        ctx = ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")
        try:
            status = validate_pdf_signature(sig, ctx)
        except Exception as exc:  # a damaged signature must read as invalid, whatever broke
            infos.append(
                SignatureInfo(sig.field_name, False, False, False, "", "", None, f"{type(exc).__name__}: {exc}")
            )
            continue
        cert = status.signing_cert
        infos.append(
            SignatureInfo(
                field=sig.field_name,
                intact=bool(status.intact and status.valid),
                trusted=bool(status.trusted),
                whole_document=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
                signer=_subject(cert, "common_name"),
                signer_nik=_subject(cert, "serial_number"),
                signing_time=status.signer_reported_dt,
                problem="" if status.bottom_line else status.summary(),
            )
        )
    return Verdict(digest, tuple(infos), problem="" if infos else "no signature")


# -- poppler's pdfsig ------------------------------------------------------------------------


@dataclass(frozen=True)
class PdfsigSignature:
    field: str
    signer: str
    signing_time: str
    signature_valid: bool
    certificate_trusted: bool
    whole_document: bool
    signature_status: str
    certificate_status: str


@dataclass(frozen=True)
class PdfsigVerdict:
    signatures: tuple[PdfsigSignature, ...]
    output: str

    @property
    def signed(self) -> bool:
        return bool(self.signatures)

    @property
    def intact(self) -> bool:
        return self.signed and all(s.signature_valid for s in self.signatures)

    @property
    def trusted(self) -> bool:
        return self.signed and all(s.certificate_trusted for s in self.signatures)

    @property
    def valid(self) -> bool:
        return self.intact and self.trusted and self.signatures[-1].whole_document


def pdfsig_available() -> bool:
    return shutil.which("pdfsig") is not None


def nss_trust_store(directory: str | os.PathLike[str], trust_roots: Iterable[TrustRoot]) -> Path:
    """An NSS database in ``directory`` trusting ``trust_roots`` for signatures (for pdfsig's
    ``-nssdir``); needs ``certutil`` (Debian: libnss3-tools)."""
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    certutil = shutil.which("certutil")
    if certutil is None:
        raise FileNotFoundError("certutil not found: apt-get install libnss3-tools")
    if not (d / "cert9.db").exists():
        subprocess.run([certutil, "-N", "-d", f"sql:{d}", "--empty-password"], check=True, capture_output=True)  # noqa: S603
    for cert in load_trust_roots(trust_roots):
        nickname = "trust-root-" + cert.fingerprint(hashes.SHA256()).hex()[:16]
        with tempfile.NamedTemporaryFile(suffix=".pem") as fh:
            fh.write(cert.public_bytes(serialization.Encoding.PEM))
            fh.flush()
            subprocess.run(  # noqa: S603 (argument list, no shell)
                [certutil, "-A", "-d", f"sql:{d}", "-n", nickname, "-t", "CT,C,C", "-i", fh.name],
                check=True,
                capture_output=True,
            )
    return d


_SIG_HEADER = re.compile(r"^Signature #\d+:", re.M)


def parse_pdfsig(output: str) -> PdfsigVerdict:
    """Parse ``pdfsig`` output (poppler 22 and later) into a verdict."""
    sigs = []
    blocks = _SIG_HEADER.split(output)[1:]
    for block in blocks:
        fields: dict[str, str] = {}
        whole = False
        for line in block.splitlines():
            line = line.strip().removeprefix("- ").strip()
            if line == "Total document signed":
                whole = True
            elif ": " in line:
                k, v = line.split(": ", 1)
                fields[k.strip()] = v.strip()
        sig_status = fields.get("Signature Validation", "")
        cert_status = fields.get("Certificate Validation", "")
        sigs.append(
            PdfsigSignature(
                field=fields.get("Signature Field Name", ""),
                signer=fields.get("Signer Certificate Common Name", ""),
                signing_time=fields.get("Signing Time", ""),
                signature_valid=sig_status == "Signature is Valid.",
                certificate_trusted=cert_status == "Certificate is Trusted.",
                whole_document=whole,
                signature_status=sig_status,
                certificate_status=cert_status,
            )
        )
    return PdfsigVerdict(tuple(sigs), output)


def pdfsig_verdict(path: str | os.PathLike[str], *, nssdir: str | os.PathLike[str] | None = None) -> PdfsigVerdict:
    """Run ``pdfsig`` on the file (trusting the roots in ``nssdir``, see :func:`nss_trust_store`).

    Our certificates carry no OCSP address, so pdfsig makes no network request; its ``-no-ocsp``
    switch is not used because poppler 22 then reports every certificate as an unknown issue.
    """
    exe = shutil.which("pdfsig")
    if exe is None:
        raise FileNotFoundError("pdfsig not found: apt-get install poppler-utils")
    cmd = [exe]
    if nssdir is not None:
        cmd += ["-nssdir", f"sql:{Path(nssdir)}"]
    cmd.append(os.fspath(path))
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)  # noqa: S603
    return parse_pdfsig(proc.stdout + proc.stderr)
