"""The signing engine: documents signed per second and verification latency, against pyHanko
signing the same fixed PDF alone (invisible signature, key already loaded: the library's own limit).

Measured in the same run, on a two-page decision PDF made with reportlab:
- baseline: pyHanko ``PdfSigner`` with a preloaded key, no stamp;
- ``sign_pdf`` with the local PKCS#12 backend and the QR stamp (opens the PKCS#12 each time, as the
  web app does: the passphrase is typed per signing);
- ``sign_pdf`` through the BSrE-style client and the testing server on loopback;
- ``verify_pdf`` (pyHanko's validator) and ``pdfsig_verdict`` (poppler, a process per call) latency.
"""

from __future__ import annotations

import io
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter
from reportlab.pdfgen import canvas

from bench.common import Row, print_table
from siaga.engines.signing import ca
from siaga.engines.signing.remote import RemoteSigner
from siaga.engines.signing.sign import LocalPkcs12Signer, Stamp, load_pyhanko_signer, sign_pdf
from siaga.engines.signing.testing_server import SigningServer
from siaga.engines.signing.verify import nss_trust_store, pdfsig_available, pdfsig_verdict, verify_pdf

ROUNDS = 20
NIK = "3308010101800001"
PASSPHRASE = "bench-passphrase"  # noqa: S105 (a throw-away key made for the run)
URL = "https://siaga.example.go.id/verifikasi/bench"


def decision_pdf() -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    for page in range(2):
        for i in range(40):
            c.drawString(72, 780 - i * 18, f"Pasal {page * 40 + i + 1}. Ketentuan izin usaha nomor 503/{i:04d}/2026.")
        c.showPage()
    c.save()
    return buf.getvalue()


def per_second(fn: Callable[[], object]) -> float:
    fn()  # warm-up
    start = time.perf_counter()
    for _ in range(ROUNDS):
        fn()
    return ROUNDS / (time.perf_counter() - start)


def latency_ms(fn: Callable[[], object]) -> float:
    fn()
    start = time.perf_counter()
    for _ in range(ROUNDS):
        fn()
    return (time.perf_counter() - start) / ROUNDS * 1000


def main() -> None:
    pdf = decision_pdf()
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        ca.ensure_ca(d)
        p12 = ca.issue_official(d, NIK, "Agus Prasetyo", passphrase=PASSPHRASE).path
        preloaded = load_pyhanko_signer(p12.read_bytes(), PASSPHRASE)

        def baseline() -> bytes:
            meta = signers.PdfSignatureMetadata(field_name="Signature1", subfilter=SigSeedSubFilter.PADES)
            out = signers.PdfSigner(meta, signer=preloaded).sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)))
            return bytes(out.getbuffer())

        stamp = Stamp("Agus Prasetyo", "Kepala DPMPTSP", URL, acting="Plh.")
        local = LocalPkcs12Signer(p12, PASSPHRASE)
        base_rate = per_second(baseline)
        local_rate = per_second(lambda: sign_pdf(pdf, local, reason="Izin", location="Kota Mungkid", stamp=stamp))
        with SigningServer(d, {"bench": "bench-password"}) as server:
            remote = RemoteSigner(server.url, "bench", "bench-password", nik=NIK, passphrase=PASSPHRASE)
            remote_rate = per_second(lambda: sign_pdf(pdf, remote, reason="Izin", location="Kota Mungkid", stamp=stamp))
        signed = sign_pdf(pdf, local, reason="Izin", location="Kota Mungkid", stamp=stamp).pdf
        roots = [d / ca.ROOT_CERT]
        verify = latency_ms(lambda: verify_pdf(signed, roots))
        rows = [
            Row("pyHanko alone: sign, key preloaded, no stamp", base_rate, "doc/s"),
            Row("sign_pdf local PKCS#12 + QR stamp", local_rate, "doc/s", baseline=base_rate),
            Row("sign_pdf remote (testing server, loopback)", remote_rate, "doc/s", baseline=base_rate),
            Row("verify_pdf (pyHanko validator)", verify, "ms"),
        ]
        if pdfsig_available():
            path = d / "signed.pdf"
            path.write_bytes(signed)
            nss = nss_trust_store(d / "nss", roots)
            rows.append(
                Row(
                    "pdfsig_verdict (poppler, one process)",
                    latency_ms(lambda: pdfsig_verdict(path, nssdir=nss)),
                    "ms",
                    baseline=verify,
                )
            )
        print_table(f"Signing engine ({ROUNDS} rounds each, {len(pdf):,}-byte PDF)", rows)
