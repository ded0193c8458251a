"""PAdES signing with a visible stamp and a verification QR code.

``sign_pdf(pdf, signer, reason=…, location=…, stamp=…)`` adds one PAdES baseline signature
(B-B) to the PDF through a :class:`Signer` backend:

- :class:`LocalPkcs12Signer`: the official's PKCS#12 on this server (the local CA, ``ca.py``);
- :class:`siaga.engines.signing.remote.RemoteSigner`: a BSrE-style signing service over HTTP.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.stamp import QRStampStyle

from siaga.engines.signing import ca
from siaga.engines.signing.errors import BAD_STAMP, NOT_A_PDF, UNKNOWN_NIK, WRONG_PASSPHRASE, SigningError

WIB = ZoneInfo("Asia/Jakarta")
ACTING_TITLES = ("", "Plh.", "Plt.")
LINE_WIDTH = 40  # characters per stamp line before wrapping
MONTHS_ID = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip


@dataclass(frozen=True)
class Stamp:
    """The visible signature: who signs, in which capacity, and where the QR code points.

    ``acting`` is "Plh." or "Plt." when an acting official signs for the absent head: it is
    printed before the position. ``page`` counts from 0; -1 is the last page. ``box`` is
    (x1, y1, x2, y2) in PDF points from the bottom-left corner.
    """

    signer_name: str
    position: str
    verify_url: str
    acting: str = ""
    signed_on: dt.date | None = None
    page: int = -1
    box: tuple[int, int, int, int] = (300, 40, 565, 125)
    heading: str = "Ditandatangani secara elektronik oleh:"

    def __post_init__(self) -> None:
        if self.acting not in ACTING_TITLES:
            raise SigningError(BAD_STAMP, f"acting must be one of {ACTING_TITLES}")
        if not self.signer_name.strip() or not self.position.strip():
            raise SigningError(BAD_STAMP, "signer name and position are required")
        if not self.verify_url.startswith(("https://", "http://")):
            raise SigningError(BAD_STAMP, "verify_url must be an http(s) URL")
        x1, y1, x2, y2 = self.box
        if x2 - x1 < 120 or y2 - y1 < 50:
            raise SigningError(BAD_STAMP, "the stamp box is too small (at least 120 x 50 points)")

    @property
    def capacity(self) -> str:
        return f"{self.acting} {self.position}".strip()

    def date_text(self) -> str:
        day = self.signed_on or dt.datetime.now(WIB).date()
        return f"{day.day} {MONTHS_ID[day.month - 1]} {day.year}"

    def lines(self) -> list[str]:
        """The stamp's text lines; a long name or position wraps so the text stays readable."""
        wrapped = [*textwrap.wrap(self.signer_name, LINE_WIDTH), *textwrap.wrap(self.capacity, LINE_WIDTH)]
        return [self.heading, *wrapped, self.date_text()]


@dataclass(frozen=True)
class SignedPdf:
    pdf: bytes
    sha256: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sha256", sha256_hex(self.pdf))


class Signer(Protocol):
    """A signing backend: returns the PDF with one more signature, or raises SigningError."""

    def sign(self, pdf: bytes, *, reason: str, location: str, stamp: Stamp | None) -> bytes: ...


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sign_pdf(pdf_bytes: bytes, signer: Signer, *, reason: str, location: str, stamp: Stamp | None) -> SignedPdf:
    """Sign ``pdf_bytes`` with ``signer``; ``stamp=None`` makes an invisible signature."""
    if not pdf_bytes.startswith(b"%PDF-"):
        raise SigningError(NOT_A_PDF)
    return SignedPdf(signer.sign(pdf_bytes, reason=reason, location=location, stamp=stamp))


class LocalPkcs12Signer:
    """Signs with an official's PKCS#12 file (key + certificate + CA chain)."""

    def __init__(self, path: str | os.PathLike[str], passphrase: str) -> None:
        self.path = Path(path)
        self.passphrase = passphrase

    def sign(self, pdf: bytes, *, reason: str, location: str, stamp: Stamp | None) -> bytes:
        try:
            p12 = self.path.read_bytes()
        except FileNotFoundError as exc:  # no certificate was issued for this official
            raise SigningError(UNKNOWN_NIK, str(self.path)) from exc
        signer = load_pyhanko_signer(p12, self.passphrase)
        text = "\n".join(stamp.lines()) if stamp else ""
        return pyhanko_sign(
            pdf,
            signer,
            reason=reason,
            location=location,
            stamp_text=text,
            verify_url=stamp.verify_url if stamp else "",
            page=stamp.page if stamp else 0,
            box=stamp.box if stamp else None,
        )


def load_pyhanko_signer(p12: bytes, passphrase: str) -> signers.SimpleSigner:
    """pyHanko's signer from PKCS#12 bytes; SigningError(WRONG_PASSPHRASE) if it does not open."""
    try:
        ca.load_pkcs12(p12, passphrase)
    except ca.CAError as exc:
        raise SigningError(WRONG_PASSPHRASE) from exc
    signer = signers.SimpleSigner.load_pkcs12_data(p12, other_certs=[], passphrase=passphrase.encode())
    if signer is None:  # pragma: no cover - the file opened just above
        raise SigningError(WRONG_PASSPHRASE)
    return signer


def pyhanko_sign(
    pdf: bytes,
    signer: signers.SimpleSigner,
    *,
    reason: str,
    location: str,
    stamp_text: str = "",
    verify_url: str = "",
    page: int = 0,
    box: tuple[int, int, int, int] | None = None,
    background: object = None,
) -> bytes:
    """One PAdES B-B signature; visible with a QR stamp when ``box`` and ``verify_url`` are given."""
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        existing = len(PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures)
    except (PdfError, ValueError) as exc:
        raise SigningError(NOT_A_PDF, str(exc)) from exc
    name = f"Signature{existing + 1}"
    meta = signers.PdfSignatureMetadata(
        field_name=name,
        md_algorithm="sha256",
        subfilter=SigSeedSubFilter.PADES,
        reason=reason or None,
        location=location or None,
    )
    visible = box is not None and bool(verify_url)
    spec = fields.SigFieldSpec(sig_field_name=name, on_page=page, box=box if visible else None)
    style = None
    params = None
    if visible:
        assert box is not None
        style = QRStampStyle(
            stamp_text=stamp_text or " ",
            border_width=1,
            background=background,  # type: ignore[arg-type]
            background_opacity=1.0,
        )
        params = {"url": verify_url}
    pdf_signer = signers.PdfSigner(meta, signer=signer, stamp_style=style, new_field_spec=spec)
    out = pdf_signer.sign_pdf(writer, appearance_text_params=params)
    return bytes(out.getbuffer())
