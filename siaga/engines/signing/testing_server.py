"""A small local server speaking the BSrE-style signing protocol (``protocol.py``), signing with
the local CA's PKCS#12 files (``CA_DIR/officials/NIK.p12``, opened with the passphrase sent).

For tests (on loopback) and the demo; not a production signing service. Run it with::

    SIGNING_SERVICE_PASSWORD=… python -m siaga.engines.signing.testing_server --ca var/ca --user siaga --port 8085
"""

from __future__ import annotations

import base64
import hmac
import io
import json
import os
import secrets
import sys
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from PIL import Image
from pyhanko.pdf_utils.images import PdfImage

from siaga.engines.signing import ca, protocol
from siaga.engines.signing.errors import SigningError
from siaga.engines.signing.sign import load_pyhanko_signer, pyhanko_sign
from siaga.engines.signing.verify import verify_pdf

MAX_BODY = 25 * 1024 * 1024


class SigningServer:
    """``with SigningServer(ca_dir, {"user": "password"}) as server: server.url``"""

    def __init__(self, ca_dir: str | os.PathLike[str], users: dict[str, str], host: str = "127.0.0.1", port: int = 0):
        self.ca_dir = Path(ca_dir)
        self.users = dict(users)
        self.documents: dict[str, bytes] = {}
        self._lock = threading.Lock()
        handler = type("Handler", (_Handler,), {"service": self})
        self.httpd = ThreadingHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> SigningServer:
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="signing-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> SigningServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def authorized(self, header: str | None) -> bool:
        if not header or not header.startswith("Basic "):
            return False
        try:
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return False
        expected = self.users.get(user)
        return expected is not None and hmac.compare_digest(expected.encode(), password.encode())

    def keep(self, pdf: bytes) -> str:
        doc_id = secrets.token_hex(8)
        with self._lock:
            self.documents[doc_id] = pdf
        return doc_id


class _Handler(BaseHTTPRequestHandler):
    service: SigningServer
    server_version = "SiagaTestingSigner/1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet in tests
        pass

    # -- answers -----------------------------------------------------------------------------
    def _json(self, status: int, payload: dict[str, Any]) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _error(self, status: int, code: int, text: str) -> None:
        self._json(status, {"error": text, "status_code": code})

    def _pdf(self, pdf: bytes, doc_id: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/pdf")
        self.send_header("Content-Length", str(len(pdf)))
        self.send_header("id_dokumen", doc_id)
        self.end_headers()
        self.wfile.write(pdf)

    def _auth(self) -> bool:
        if self.service.authorized(self.headers.get("Authorization")):
            return True
        self.send_response(HTTPStatus.UNAUTHORIZED)
        self.send_header("WWW-Authenticate", 'Basic realm="sign"')
        body = json.dumps({"error": "Unauthorized", "status_code": protocol.CODE_AUTH}).encode()
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        return False

    # -- routes ------------------------------------------------------------------------------
    def do_GET(self) -> None:
        if not self._auth():
            return
        prefix = "/api/sign/download/"
        if self.path.startswith(prefix):
            doc_id = self.path[len(prefix) :]
            pdf = self.service.documents.get(doc_id)
            if pdf is not None:
                self._pdf(pdf, doc_id)
                return
        self._error(404, protocol.CODE_BAD_REQUEST, "Dokumen tidak ditemukan")

    def do_POST(self) -> None:
        if not self._auth():
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length <= 0 or length > MAX_BODY:
            self._error(413 if length > MAX_BODY else 400, protocol.CODE_BAD_REQUEST, "Ukuran berkas tidak sah")
            return
        try:
            form = protocol.decode_multipart(self.rfile.read(length), self.headers.get("Content-Type", ""))
        except ValueError as exc:
            self._error(400, protocol.CODE_BAD_REQUEST, str(exc))
            return
        if self.path == "/api/sign/pdf":
            self._sign(form)
        elif self.path == "/api/sign/verify":
            self._verify(form)
        else:
            self._error(404, protocol.CODE_BAD_REQUEST, "Not found")

    def _sign(self, form: protocol.Form) -> None:
        f = form.fields
        nik, pdf = f.get("nik", ""), form.files.get("file", ("", b""))[1]
        if not pdf.startswith(b"%PDF-"):
            self._error(400, protocol.CODE_BAD_REQUEST, "Berkas bukan PDF")
            return
        if not ca.NIK_RE.match(nik) or not ca.official_path(self.service.ca_dir, nik).exists():
            self._error(400, protocol.CODE_UNKNOWN_NIK, "NIK tidak terdaftar")
            return
        try:
            signer = load_pyhanko_signer(
                ca.official_path(self.service.ca_dir, nik).read_bytes(), f.get("passphrase", "")
            )
        except SigningError:
            self._error(400, protocol.CODE_WRONG_PASSPHRASE, "Passphrase anda salah")
            return
        visible = f.get("tampilan") == "visible"
        try:
            box = None
            page = 0
            background = None
            if visible:
                x, y = int(f["xAxis"]), int(f["yAxis"])
                box = (x, y, x + int(f["width"]), y + int(f["height"]))
                p = int(f.get("page", "1"))
                page = p - 1 if p > 0 else p
                if "image" in form.files:
                    background = PdfImage(Image.open(io.BytesIO(form.files["image"][1])).convert("RGB"))
            signed = pyhanko_sign(
                pdf,
                signer,
                reason=f.get("reason", ""),
                location=f.get("location", ""),
                stamp_text=" ",
                verify_url=f.get("linkQR", "") if visible else "",
                page=page,
                box=box,
                background=background,
            )
        except (KeyError, ValueError) as exc:
            self._error(400, protocol.CODE_BAD_REQUEST, f"Parameter tidak sah: {exc}")
            return
        except SigningError as exc:
            self._error(400, protocol.CODE_BAD_REQUEST, exc.msg)
            return
        self._pdf(signed, self.service.keep(signed))

    def _verify(self, form: protocol.Form) -> None:
        pdf = form.files.get("signed_file", ("", b""))[1]
        verdict = verify_pdf(pdf, [self.service.ca_dir / ca.ROOT_CERT])
        self._json(
            200,
            {
                "nama_dokumen": form.files.get("signed_file", ("", b""))[0],
                "jumlah_signature": len(verdict.signatures),
                "summary": "VALID" if verdict.valid else "INVALID",
                "details": [
                    {
                        "info_signer": {"signer_name": s.signer, "nik": s.signer_nik},
                        "signature_document": {
                            "signed_in": s.signing_time.isoformat() if s.signing_time else None,
                            "document_integrity": s.intact,
                            "certificate_trusted": s.trusted,
                            "whole_document": s.whole_document,
                        },
                    }
                    for s in verdict.signatures
                ],
            },
        )


def main(argv: list[str] | None = None) -> int:
    from siaga.engines.signing.cli import main as cli_main

    return cli_main(["serve", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    raise SystemExit(main())
