"""``python -m siaga.engines.signing``: the operator's commands, run as real processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from siaga.engines.signing.remote import RemoteSigner
from siaga.engines.signing.sign import sign_pdf
from siaga.engines.signing.tests.conftest import HEAD_NIK, PASSPHRASE, make_pdf
from siaga.engines.signing.verify import nss_trust_store, verify_pdf

NIK = "3308016505900003"
SECRET = "passphrase-cli-1"


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "siaga.engines.signing", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )


def test_ca_issue_sign_verify(tmp_path: Path, other_root_pem: bytes) -> None:
    d = tmp_path / "ca"
    made = run("ca", str(d), "--name", "Pemkot Test Root CA")
    assert made.returncode == 0, made.stderr
    assert "CN=Pemkot Test Root CA" in made.stdout and (d / "ca.crt.pem").exists()
    assert run("issue", str(d), "--nik", NIK, "--name", "Dewi Lestari").returncode != 0  # no passphrase
    issued = run("issue", str(d), "--nik", NIK, "--name", "Dewi Lestari", env={"SIGNING_PASSPHRASE": SECRET})
    assert issued.returncode == 0, issued.stderr
    assert f"serialNumber={NIK}" in issued.stdout
    src, out = tmp_path / "in.pdf", tmp_path / "out.pdf"
    src.write_bytes(make_pdf("Akta Kelahiran"))
    common = ["--signer-name", "Dewi Lestari", "--position", "Kepala Disdukcapil", "--url", "https://x.example/v/1"]
    signed = run("sign", str(src), str(out), "--p12", str(d / "officials" / f"{NIK}.p12"), *common,
                 "--acting", "Plt.", env={"SIGNING_PASSPHRASE": SECRET})  # fmt: skip
    assert signed.returncode == 0, signed.stderr
    assert verify_pdf(out.read_bytes(), [d / "ca.crt.pem"]).valid
    wrong = run("sign", str(src), str(tmp_path / "no.pdf"), "--p12", str(d / "officials" / f"{NIK}.p12"), *common,
                env={"SIGNING_PASSPHRASE": "not-it-at-all"})  # fmt: skip
    assert wrong.returncode == 1 and "wrong passphrase" in wrong.stderr
    assert not (tmp_path / "no.pdf").exists()

    ok = run("verify", str(out), "--trust", str(d / "ca.crt.pem"), "--nssdir", str(tmp_path / "nss-unused"))
    assert ok.returncode == 1  # the NSS database does not exist: pdfsig cannot trust anything
    nss_trust_store(tmp_path / "nss", [d / "ca.crt.pem"])
    ok = run("verify", str(out), "--trust", str(d / "ca.crt.pem"), "--nssdir", str(tmp_path / "nss"))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "Dewi Lestari" in ok.stdout and "pyHanko: VALID" in ok.stdout and "pdfsig: VALID" in ok.stdout
    other = tmp_path / "other.pem"
    other.write_bytes(other_root_pem)
    untrusted = run("verify", str(out), "--trust", str(other))
    assert untrusted.returncode == 1 and "trusted=False" in untrusted.stdout
    assert run("verify", str(tmp_path / "missing.pdf"), "--trust", str(other)).returncode == 2


def test_serve_runs_the_testing_service(tmp_path: Path, ca_dir: Path, root_pem: bytes) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "siaga.engines.signing", "serve", "--ca", str(ca_dir), "--user", "app", "--port", "0"],
        stdout=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "SIGNING_SERVICE_PASSWORD": "svc-pass-123"},
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("Signing service on http://127.0.0.1:"), line
        url = line.split()[3]
        client = RemoteSigner(url, "app", "svc-pass-123", nik=HEAD_NIK, passphrase=PASSPHRASE, timeout=30)
        signed = sign_pdf(make_pdf("x"), client, reason="r", location="l", stamp=None)
        assert verify_pdf(signed.pdf, [root_pem]).valid
    finally:
        proc.terminate()
        proc.wait(10)
