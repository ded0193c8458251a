"""``siaga documents``: export issued decision documents, and issue officials' signing certificates.

    siaga documents export --government 33.11 [--status issued] [--limit N] -o DIR
    siaga documents certificate --government 33.11 --nip 198001012005011001

``export`` copies the signed PDFs into DIR and writes ``manifest.csv`` and ``manifest.json`` (number,
file, SHA-256, signer, position, signed_at, status); each file's hash is checked against the one stored
when it was signed, and a mismatch or a missing file stops the export with exit code 1 (after listing
every problem). ``certificate`` issues the official a certificate from the government CA under
SIGNING_DIR (the local backend); the passphrase comes from SIGNING_PASSPHRASE or is asked for.
"""

from __future__ import annotations

import csv
import getpass
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from siaga.core.models import Government
from siaga.core.uploads import private_path
from siaga.org.models import Employee
from siaga.services import signing
from siaga.services.models import IssuedDocument, Status

FIELDS = ["number", "file", "sha256", "size", "signer", "position", "acting", "signed_at", "status", "revoked"]


class Command(BaseCommand):
    help = "Export issued documents with a manifest, or issue an official's signing certificate."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{export,certificate}")
        export = sub.add_parser("export", help="Copy the signed PDFs and write a manifest (CSV and JSON).")
        export.add_argument("--government", required=True, help="Region code of the government, e.g. 33.11.")
        export.add_argument(
            "--status",
            choices=[s.value for s in Status],
            help="Only documents whose application has this status (e.g. issued).",
        )
        export.add_argument("--limit", type=int, help="At most this many documents, the newest first.")
        export.add_argument("-o", "--output", required=True, help="Directory to write into (created if absent).")
        cert = sub.add_parser("certificate", help="Issue an official's signing certificate (local backend).")
        cert.add_argument("--government", required=True, help="Region code of the government, e.g. 33.11.")
        cert.add_argument("--nip", required=True, help="The official's NIP.")

    def handle(self, *args: Any, **options: Any) -> None:
        government = Government.objects.filter(code=options["government"], is_active=True).first()
        if government is None:
            raise CommandError(f"No active government with region code {options['government']}.")
        if options["action"] == "export":
            self._export(government, options)
        else:
            self._certificate(government, options)

    def _export(self, government: Government, options: dict[str, Any]) -> None:
        limit = options.get("limit")
        if limit is not None and limit < 1:
            raise CommandError("--limit must be at least 1.")
        out = Path(options["output"])
        if out.exists() and not out.is_dir():
            raise CommandError(f"{out} exists and is not a directory.")
        out.mkdir(parents=True, exist_ok=True)
        documents = IssuedDocument.objects.filter(government=government).select_related("application")
        if options.get("status"):
            documents = documents.filter(application__status=options["status"])
        documents = documents.order_by("-signed_at", "-pk")
        if limit:
            documents = documents[:limit]
        rows, problems = [], []
        for document in documents:
            try:
                data = private_path(document.path).read_bytes()
            except (FileNotFoundError, ValueError):
                problems.append(f"{document.number}: the stored file {document.path} is missing.")
                continue
            digest = hashlib.sha256(data).hexdigest()
            if digest != document.sha256:
                problems.append(
                    f"{document.number}: the file's SHA-256 {digest} is not the one recorded ({document.sha256})."
                )
                continue
            name = "".join(ch if ch.isalnum() else "-" for ch in document.number).strip("-") + ".pdf"
            (out / name).write_bytes(data)
            rows.append(
                {
                    "number": document.number,
                    "file": name,
                    "sha256": document.sha256,
                    "size": len(data),
                    "signer": document.signer_name,
                    "position": document.signer_position,
                    "acting": document.acting,
                    "signed_at": document.signed_at.isoformat(),
                    "status": document.application.status,
                    "revoked": document.revoked_at.isoformat() if document.revoked_at else "",
                }
            )
        with (out / "manifest.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=FIELDS)
            writer.writeheader()
            writer.writerows(rows)
        (out / "manifest.json").write_text(json.dumps(rows, indent=2, ensure_ascii=False), encoding="utf-8")
        self.stdout.write(f"Exported {len(rows)} document(s) to {out}.")
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"{len(problems)} document(s) could not be exported; see above.")

    def _certificate(self, government: Government, options: dict[str, Any]) -> None:
        employee = Employee.objects.filter(government=government, nip=options["nip"], is_active=True).first()
        if employee is None:
            raise CommandError(f"No active employee with NIP {options['nip']} in {government.code}.")
        passphrase = os.environ.get("SIGNING_PASSPHRASE") or getpass.getpass(f"Passphrase for {employee.name}: ")
        try:
            path = signing.issue_certificate(employee=employee, passphrase=passphrase)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(f"Certificate of {employee.name} (NIK {employee.nik}): {path}")
