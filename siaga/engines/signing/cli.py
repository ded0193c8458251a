"""The signing engine's command line (``python -m siaga.engines.signing``), for operators and the demo.

    ca DIR [--name NAME] [--organization ORG]             create (or show) the root CA
    issue DIR --nik NIK --name NAME [--nip NIP] [--unit UNIT]   issue an official's PKCS#12
    sign IN.pdf OUT.pdf (--p12 FILE | --service URL --user USER --nik NIK) --signer-name … --position …
         --url URL [--acting Plh.|Plt.] [--invisible] [--reason …] [--location …]
    verify FILE.pdf --trust ROOT.pem [--trust …] [--nssdir DIR]
    serve --ca DIR --user USER [--port 8085]              the testing signing service

Passphrases and passwords come from the environment (SIGNING_PASSPHRASE, SIGNING_SERVICE_PASSWORD)
or are asked for on the terminal, never from the command line.

Exit codes: 0 success (``verify``: the document is valid); 1 refused (wrong passphrase, unknown NIK,
service unavailable, an invalid signature); 2 wrong usage or a file that cannot be read.
"""

from __future__ import annotations

import argparse
import getpass
import hashlib
import os
import sys
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from siaga.engines.signing import ca, testing_server
from siaga.engines.signing.errors import SigningError
from siaga.engines.signing.remote import RemoteSigner
from siaga.engines.signing.sign import LocalPkcs12Signer, Signer, Stamp, sign_pdf
from siaga.engines.signing.verify import pdfsig_verdict, verify_pdf


def _secret(env: str, prompt: str) -> str:
    value = os.environ.get(env)
    if value:
        return value
    if not sys.stdin.isatty():
        raise SystemExit(f"error: set {env} (no terminal to ask on)")
    return getpass.getpass(prompt)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m siaga.engines.signing", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="command", required=True)

    c = sub.add_parser("ca", help="create (or show) the root CA in DIR")
    c.add_argument("dir")
    c.add_argument("--name", default="Siaga Government Root CA")
    c.add_argument("--organization", default="Pemerintah Daerah")

    i = sub.add_parser("issue", help="issue an official's PKCS#12 (passphrase: SIGNING_PASSPHRASE)")
    i.add_argument("dir")
    i.add_argument("--nik", required=True)
    i.add_argument("--name", required=True)
    i.add_argument("--nip", default="")
    i.add_argument("--unit", default="")

    s = sub.add_parser("sign", help="sign a PDF (passphrase: SIGNING_PASSPHRASE)")
    s.add_argument("input")
    s.add_argument("output")
    backend = s.add_mutually_exclusive_group(required=True)
    backend.add_argument("--p12", help="the official's PKCS#12 file (local backend)")
    backend.add_argument("--service", help="base URL of the remote signing service")
    s.add_argument("--user", help="service account (password: SIGNING_SERVICE_PASSWORD)")
    s.add_argument("--nik", help="the official's NIK at the service")
    s.add_argument("--signer-name", required=True)
    s.add_argument("--position", required=True)
    s.add_argument("--acting", default="", choices=["", "Plh.", "Plt."])
    s.add_argument("--url", required=True, help="verification URL for the QR code")
    s.add_argument("--invisible", action="store_true")
    s.add_argument("--reason", default="")
    s.add_argument("--location", default="")
    s.add_argument("--page", type=int, default=-1, help="0 = first page, -1 = last (default)")

    v = sub.add_parser("verify", help="verify a signed PDF against trust roots")
    v.add_argument("file")
    v.add_argument("--trust", action="append", required=True, help="a trust root file (PEM or DER)")
    v.add_argument("--nssdir", help="also run pdfsig with this NSS database (see docs/signing.md)")

    sv = sub.add_parser("serve", help="run the testing signing service")
    sv.add_argument("--ca", required=True)
    sv.add_argument("--user", required=True)
    sv.add_argument("--host", default="127.0.0.1")
    sv.add_argument("--port", type=int, default=8085)
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except (ca.CAError, SigningError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"error: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    if args.command == "ca":
        root = ca.ensure_ca(args.dir, name=args.name, organization=args.organization)
        fp = hashlib.sha256(root.certificate.public_bytes(serialization.Encoding.DER)).hexdigest()
        print(f"{root.cert_path}  {ca.subject_text(root.certificate)}  SHA-256 {fp}")
        return 0
    if args.command == "issue":
        passphrase = _secret("SIGNING_PASSPHRASE", "Passphrase for the official's key: ")
        official = ca.issue_official(args.dir, args.nik, args.name, nip=args.nip, unit=args.unit, passphrase=passphrase)
        print(f"{official.path}  {ca.subject_text(official.certificate)}")
        return 0
    if args.command == "sign":
        signer: Signer
        if args.p12:
            signer = LocalPkcs12Signer(args.p12, _secret("SIGNING_PASSPHRASE", "Passphrase: "))
        else:
            if not args.user or not args.nik:
                print("error: --service needs --user and --nik", file=sys.stderr)
                return 2
            password = _secret("SIGNING_SERVICE_PASSWORD", "Service password: ")
            passphrase = _secret("SIGNING_PASSPHRASE", "Passphrase: ")
            signer = RemoteSigner(args.service, args.user, password, nik=args.nik, passphrase=passphrase)
        stamp = None
        if not args.invisible:
            stamp = Stamp(args.signer_name, args.position, args.url, acting=args.acting, page=args.page)
        signed = sign_pdf(
            Path(args.input).read_bytes(), signer, reason=args.reason, location=args.location, stamp=stamp
        )
        Path(args.output).write_bytes(signed.pdf)
        print(f"{args.output}  SHA-256 {signed.sha256}")
        return 0
    if args.command == "verify":
        verdict = verify_pdf(Path(args.file).read_bytes(), args.trust)
        for s in verdict.signatures:
            print(
                f"{s.field}: {s.signer} (NIK {s.signer_nik or '-'}) at {s.signing_time}: "
                f"intact={s.intact} trusted={s.trusted} whole_document={s.whole_document}"
                + (f" problem={s.problem}" if s.problem else "")
            )
        ok = verdict.valid
        print(f"pyHanko: {'VALID' if ok else 'INVALID'}{' (' + verdict.problem + ')' if verdict.problem else ''}")
        if args.nssdir:
            poppler = pdfsig_verdict(args.file, nssdir=args.nssdir)
            print(f"pdfsig: {'VALID' if poppler.valid else 'INVALID'}")
            ok = ok and poppler.valid
        print(f"SHA-256 {verdict.sha256}")
        return 0 if ok else 1
    # serve
    password = _secret("SIGNING_SERVICE_PASSWORD", "Service password: ")
    server = testing_server.SigningServer(args.ca, {args.user: password}, args.host, args.port)
    print(f"Signing service on {server.url} (CA {args.ca})", flush=True)
    try:
        server.httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.httpd.server_close()
    return 0
