"""Reading a signed PDF back: the signature widget's visible text and the QR code it draws."""

from __future__ import annotations

import io
import re

import qrcode
from pyhanko.pdf_utils.reader import PdfFileReader

_TJ = re.compile(rb"\(((?:[^()\\]|\\.)*)\)\s*Tj")
_ESC = re.compile(rb"\\([0-7]{1,3}|.)")
_MODULE = re.compile(rb"^(\d+) (\d+) 1 1 re$", re.M)


def _unescape(raw: bytes) -> str:
    def sub(m: re.Match[bytes]) -> bytes:
        s = m.group(1)
        if s.isdigit():
            return bytes([int(s, 8)])
        return {b"n": b"\n", b"r": b"\r", b"t": b"\t"}.get(s, s)

    return _ESC.sub(sub, raw).decode("latin-1")


def _streams(xobj: object, out: list[bytes]) -> None:
    obj = xobj.get_object()  # type: ignore[attr-defined]
    out.append(obj.data)
    res = obj.get("/Resources")
    if res is not None and "/XObject" in res:
        for ref in res["/XObject"].values():
            _streams(ref, out)


def widget_streams(pdf: bytes, index: int = -1) -> list[bytes]:
    """The content streams of a signature's appearance (its own and every nested form)."""
    sig = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures[index]
    field = sig.sig_field
    out: list[bytes] = []
    if "/AP" in field:
        _streams(field["/AP"]["/N"], out)
    return out


def widget_rect(pdf: bytes, index: int = -1) -> list[float]:
    sig = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures[index]
    return [float(v) for v in sig.sig_field["/Rect"]]


def stamp_lines(pdf: bytes, index: int = -1) -> list[str]:
    return [_unescape(m.group(1)) for s in widget_streams(pdf, index) for m in _TJ.finditer(s)]


def qr_modules(pdf: bytes, index: int = -1) -> set[tuple[int, int]]:
    """The dark modules the stamp's QR drawing paints, as (column, row)."""
    return {(int(x), int(y)) for s in widget_streams(pdf, index) for x, y in _MODULE.findall(s)}


def qr_modules_for(url: str) -> set[tuple[int, int]]:
    """The dark modules of the QR code (error correction M) encoding ``url``."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    qr.add_data(url)
    qr.make()
    return {(x, y) for y, row in enumerate(qr.get_matrix()) for x, dark in enumerate(row) if dark}
