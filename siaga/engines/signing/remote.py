"""Client of a BSrE-style remote signing service (see ``protocol.py`` for the HTTP protocol).

The service holds the officials' keys; Siaga sends the PDF with the official's NIK and the
passphrase they type, and gets the signed PDF back. Errors become :class:`SigningError` with a
message key the web app translates: wrong passphrase, unknown NIK, service unavailable, the
service refusing the application's credentials.
"""

from __future__ import annotations

import base64
import io
import json
import urllib.error
import urllib.request
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from siaga.engines.signing import protocol
from siaga.engines.signing.errors import (
    SERVICE_AUTH,
    SERVICE_DOWN,
    SERVICE_ERROR,
    UNKNOWN_NIK,
    WRONG_PASSPHRASE,
    SigningError,
)
from siaga.engines.signing.sign import Stamp

STAMP_DPI_SCALE = 4  # image pixels per PDF point


def stamp_image(stamp: Stamp) -> bytes:
    """The stamp's text as a PNG the size of the stamp box, leaving a square on the left free for
    the QR code the service draws there."""
    x1, y1, x2, y2 = stamp.box
    w, h = (x2 - x1) * STAMP_DPI_SCALE, (y2 - y1) * STAMP_DPI_SCALE
    img = Image.new("RGB", (w, h), "white")
    draw = ImageDraw.Draw(img)
    lines = stamp.lines()
    x = h + 4 * STAMP_DPI_SCALE
    room = w - x - 4 * STAMP_DPI_SCALE
    size = max(8, min(h // (len(lines) + 1), 11 * STAMP_DPI_SCALE))
    font = ImageFont.load_default(size=size)
    while size > 8 and max(draw.textlength(line, font=font) for line in lines) > room:
        size -= 1
        font = ImageFont.load_default(size=size)
    y = (h - size * len(lines) * 1.2) / 2
    for line in lines:
        draw.text((x, y), line, fill="black", font=font)
        y += size * 1.2
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


class RemoteSigner:
    """Signs through the service as the official with ``nik``, using their ``passphrase``."""

    def __init__(
        self,
        base_url: str,
        user: str,
        password: str,
        *,
        nik: str = "",
        passphrase: str = "",
        timeout: float = 60.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.nik = nik
        self.passphrase = passphrase
        self.timeout = timeout
        self._auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()

    def as_official(self, nik: str, passphrase: str) -> RemoteSigner:
        other = RemoteSigner.__new__(RemoteSigner)
        other.__dict__.update(self.__dict__, nik=nik, passphrase=passphrase)
        return other

    def sign(self, pdf: bytes, *, reason: str, location: str, stamp: Stamp | None) -> bytes:
        fields = {
            "nik": self.nik,
            "passphrase": self.passphrase,
            "tampilan": "visible" if stamp else "invisible",
            "reason": reason,
            "location": location,
        }
        files = {"file": ("document.pdf", pdf, "application/pdf")}
        if stamp is not None:
            x1, y1, x2, y2 = stamp.box
            fields |= {
                "linkQR": stamp.verify_url,
                "page": str(stamp.page + 1 if stamp.page >= 0 else stamp.page),
                "xAxis": str(x1),
                "yAxis": str(y1),
                "width": str(x2 - x1),
                "height": str(y2 - y1),
            }
            files["image"] = ("stamp.png", stamp_image(stamp), "image/png")
        body, ctype = self._call("/api/sign/pdf", fields, files)
        if not body.startswith(b"%PDF-"):
            raise SigningError(SERVICE_ERROR, f"expected a PDF, got {ctype or 'no content type'}")
        return body

    def verify(self, pdf: bytes) -> dict[str, Any]:
        """The service's own verification report (JSON) of a signed PDF."""
        body, _ = self._call("/api/sign/verify", {}, {"signed_file": ("document.pdf", pdf, "application/pdf")})
        try:
            return dict(json.loads(body))
        except ValueError as exc:
            raise SigningError(SERVICE_ERROR, "the verification answer is not JSON") from exc

    def _call(self, path: str, fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]) -> tuple[bytes, str]:
        data, ctype = protocol.encode_multipart(fields, files)
        url = self.base_url + path
        if not url.startswith(("https://", "http://")):
            raise SigningError(SERVICE_DOWN, f"not an http(s) URL: {url}")
        req = urllib.request.Request(  # noqa: S310 (scheme checked above)
            url, data=data, method="POST", headers={"Content-Type": ctype, "Authorization": self._auth}
        )
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:  # noqa: S310
                return resp.read(), resp.headers.get("Content-Type", "")
        except urllib.error.HTTPError as exc:
            raise _error_from(exc) from exc
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            raise SigningError(SERVICE_DOWN, str(exc)) from exc


def _error_from(exc: urllib.error.HTTPError) -> SigningError:
    raw = exc.read()
    try:
        payload = json.loads(raw)
    except ValueError:
        payload = {}
    code = payload.get("status_code") if isinstance(payload, dict) else None
    text = str(payload.get("error", "")) if isinstance(payload, dict) else ""
    if exc.code == 401:
        return SigningError(SERVICE_AUTH, text)
    if code == protocol.CODE_WRONG_PASSPHRASE:
        return SigningError(WRONG_PASSPHRASE, text)
    if code == protocol.CODE_UNKNOWN_NIK:
        return SigningError(UNKNOWN_NIK, text)
    if exc.code in (502, 503, 504):
        return SigningError(SERVICE_DOWN, f"HTTP {exc.code} {text}")
    return SigningError(SERVICE_ERROR, f"HTTP {exc.code} {text or raw[:200]!r}")
