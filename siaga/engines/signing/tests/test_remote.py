"""The BSrE-style client against the shipped testing server on loopback: signed PDFs verify with
both verifiers, the stamp carries the QR code and the stamp image, and every failure is a clear
message key (wrong passphrase, unknown NIK, bad application credentials, service down)."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from siaga.engines.signing import protocol
from siaga.engines.signing.errors import SERVICE_AUTH, SERVICE_DOWN, UNKNOWN_NIK, WRONG_PASSPHRASE, SigningError
from siaga.engines.signing.remote import STAMP_DPI_SCALE, RemoteSigner, stamp_image
from siaga.engines.signing.sign import Stamp, sign_pdf
from siaga.engines.signing.testing_server import SigningServer
from siaga.engines.signing.tests.conftest import DEPUTY_NIK, HEAD_NIK, PASSPHRASE, make_pdf
from siaga.engines.signing.tests.inspect_pdf import qr_modules, qr_modules_for, widget_rect, widget_streams
from siaga.engines.signing.verify import nss_trust_store, pdfsig_verdict, verify_pdf

URL = "https://siaga.magelangkab.go.id/verifikasi/R3m0te"
USER, PASSWORD = "siaga-app", "service-secret-1"


@pytest.fixture(scope="module")
def server(ca_dir: Path) -> Iterator[SigningServer]:
    with SigningServer(ca_dir, {USER: PASSWORD}) as srv:
        yield srv


@pytest.fixture
def client(server: SigningServer) -> RemoteSigner:
    return RemoteSigner(server.url, USER, PASSWORD, nik=HEAD_NIK, passphrase=PASSPHRASE, timeout=30)


def plh_stamp() -> Stamp:
    return Stamp("Sri Wahyuni", "Kepala DPMPTSP", URL, acting="Plh.", signed_on=dt.date(2026, 11, 2), page=0)


def test_remote_signature_verifies_with_pyhanko_and_pdfsig(
    client: RemoteSigner, root_pem: bytes, tmp_path: Path
) -> None:
    pdf = make_pdf("SURAT KETERANGAN", "Nomor 470/88/2026", pages=2)
    signed = sign_pdf(pdf, client, reason="Surat keterangan", location="Kota Mungkid", stamp=plh_stamp())
    verdict = verify_pdf(signed.pdf, [root_pem])
    assert verdict.valid, verdict
    assert verdict.signatures[0].signer_nik == HEAD_NIK
    path = tmp_path / "remote.pdf"
    path.write_bytes(signed.pdf)
    poppler = pdfsig_verdict(path, nssdir=nss_trust_store(tmp_path / "nss", [root_pem]))
    assert poppler.valid, poppler.output
    assert b"(Surat keterangan)" in signed.pdf


def test_remote_stamp_has_the_qr_code_and_the_stamp_image_in_the_box(client: RemoteSigner) -> None:
    stamp = plh_stamp()
    signed = sign_pdf(make_pdf("x"), client, reason="r", location="l", stamp=stamp)
    assert widget_rect(signed.pdf) == list(stamp.box)
    assert qr_modules(signed.pdf) == qr_modules_for(URL)
    assert any(b"/Im" in s or b"Do" in s for s in widget_streams(signed.pdf))


def test_stamp_image_leaves_the_qr_square_free_and_writes_the_text() -> None:
    stamp = plh_stamp()
    img = Image.open(io.BytesIO(stamp_image(stamp))).convert("L")
    x1, y1, x2, y2 = stamp.box
    assert img.size == ((x2 - x1) * STAMP_DPI_SCALE, (y2 - y1) * STAMP_DPI_SCALE)
    h = img.size[1]
    assert img.crop((0, 0, h, h)).getextrema() == (255, 255)  # the QR square stays blank
    assert img.crop((h, 0, img.size[0], h)).getextrema()[0] < 128  # text is drawn
    # "Plh." makes the capacity line longer than the plain one: the image differs
    assert stamp_image(stamp) != stamp_image(Stamp(**{**stamp.__dict__, "acting": ""}))


def test_invisible_remote_signature(client: RemoteSigner, root_pem: bytes) -> None:
    signed = sign_pdf(make_pdf("x"), client, reason="r", location="l", stamp=None)
    assert verify_pdf(signed.pdf, [root_pem]).valid
    assert widget_rect(signed.pdf) == [0, 0, 0, 0]


def test_the_service_verifies_and_keeps_signed_documents(client: RemoteSigner, server: SigningServer) -> None:
    signed = sign_pdf(make_pdf("x"), client, reason="r", location="l", stamp=None).pdf
    report = client.verify(signed)
    assert report["jumlah_signature"] == 1 and report["summary"] == "VALID"
    assert report["details"][0]["info_signer"]["nik"] == HEAD_NIK
    tampered = signed.replace(b"Halaman 1", b"Halaman 2")
    assert client.verify(tampered)["summary"] == "INVALID"
    [doc_id] = [k for k, v in server.documents.items() if v == signed]
    req = urllib.request.Request(  # noqa: S310 (loopback test server)
        f"{server.url}/api/sign/download/{doc_id}",
        headers={"Authorization": "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()},
    )
    with urllib.request.urlopen(req, timeout=10) as resp:  # noqa: S310
        assert resp.read() == signed


@pytest.mark.parametrize(
    ("change", "msg"),
    [
        ({"passphrase": "bukan-passphrase"}, WRONG_PASSPHRASE),
        ({"nik": "3308010101809999"}, UNKNOWN_NIK),
        ({"nik": "not-a-nik"}, UNKNOWN_NIK),
    ],
)
def test_official_errors_are_message_keys(client: RemoteSigner, change: dict[str, str], msg: str) -> None:
    official = client.as_official(change.get("nik", client.nik), change.get("passphrase", client.passphrase))
    with pytest.raises(SigningError) as err:
        sign_pdf(make_pdf("x"), official, reason="r", location="l", stamp=None)
    assert err.value.msg == msg


def test_wrong_application_credentials(server: SigningServer) -> None:
    bad = RemoteSigner(server.url, USER, "wrong", nik=HEAD_NIK, passphrase=PASSPHRASE)
    with pytest.raises(SigningError) as err:
        sign_pdf(make_pdf("x"), bad, reason="r", location="l", stamp=None)
    assert err.value.msg == SERVICE_AUTH


def test_service_down() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once the socket is closed
    down = RemoteSigner(f"http://127.0.0.1:{port}", USER, PASSWORD, nik=HEAD_NIK, passphrase=PASSPHRASE, timeout=5)
    with pytest.raises(SigningError) as err:
        sign_pdf(make_pdf("x"), down, reason="r", location="l", stamp=None)
    assert err.value.msg == SERVICE_DOWN


def test_bad_requests_get_json_errors(server: SigningServer) -> None:
    body, ctype = protocol.encode_multipart({"nik": HEAD_NIK, "passphrase": PASSPHRASE}, {})
    req = urllib.request.Request(  # noqa: S310 (loopback test server)
        f"{server.url}/api/sign/pdf",
        data=body,
        method="POST",
        headers={
            "Content-Type": ctype,
            "Authorization": "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode(),
        },
    )
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=10)  # noqa: S310
    assert err.value.code == 400
    assert json.loads(err.value.read())["status_code"] == protocol.CODE_BAD_REQUEST


def test_parallel_signings_by_two_officials(server: SigningServer, root_pem: bytes) -> None:
    results: dict[str, bytes] = {}
    errors: list[BaseException] = []

    def run(nik: str) -> None:
        try:
            signer = RemoteSigner(server.url, USER, PASSWORD, nik=nik, passphrase=PASSPHRASE)
            results[nik] = sign_pdf(make_pdf(nik), signer, reason="r", location="l", stamp=None).pdf
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(nik,)) for nik in (HEAD_NIK, DEPUTY_NIK)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert {verify_pdf(pdf, [root_pem]).signatures[0].signer_nik for pdf in results.values()} == {HEAD_NIK, DEPUTY_NIK}
