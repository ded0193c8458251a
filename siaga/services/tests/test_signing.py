"""Signing decision documents: the head or their Plh signs, every signed PDF verifies with pyHanko and
pdfsig against the government's root, a changed byte is detected, everyone else is refused, and a
failed signature writes nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from siaga.core.uploads import private_path
from siaga.engines.signing import ca
from siaga.engines.signing.testing_server import SigningServer
from siaga.engines.signing.tests.inspect_pdf import qr_modules, qr_modules_for, stamp_lines
from siaga.engines.signing.verify import pdfsig_verdict, verify_pdf
from siaga.services import signing as signing_service
from siaga.services.models import ApplicationEvent, IssuedDocument, Status
from siaga.services.tests.test_documents_setup import *  # noqa: F403 - the fixtures
from siaga.services.tests.test_documents_setup import PASSPHRASE, UNISSUED_NIK, awaiting, make_plh, pdf_text

pytestmark = pytest.mark.django_db


def stored_files(settings: Any) -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / "documents"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def both_verify(pdf: bytes, signing_ca: Path, nss: Path, tmp_path: Path) -> None:
    verdict = verify_pdf(pdf, [signing_ca / ca.ROOT_CERT])
    assert verdict.valid, verdict
    path = tmp_path / "signed.pdf"
    path.write_bytes(pdf)
    poppler = pdfsig_verdict(path, nssdir=nss)
    assert poppler.valid, poppler


def test_the_head_signs_and_the_document_is_issued(
    signing: dict, actor_of: Any, signing_ca: Path, trust_nss: Path, tmp_path: Path
) -> None:
    application = signing["application"]
    document = signing_service.sign_application(
        application=application, actor=actor_of(signing["users"]["head"]), passphrase=PASSPHRASE
    )
    application.refresh_from_db()
    assert application.status == Status.ISSUED
    assert list(application.events.values_list("to_status", flat=True)) == [Status.SIGNED, Status.ISSUED]
    pdf = private_path(document.path).read_bytes()
    assert document.sha256 == verify_pdf(pdf, []).sha256 and document.size == len(pdf)
    both_verify(pdf, signing_ca, trust_nss, tmp_path)
    assert document.acting == "" and document.delegation is None and document.signer == signing["kadis"]
    year = dt.date.today().year
    assert document.number == f"503/0001/DPMPTSP/{year}"
    lines = stamp_lines(pdf)
    assert lines[1:3] == ["Kepala Dinas", "Kepala Dinas DPMPTSP"]
    assert qr_modules(pdf) == qr_modules_for(f"https://layanan.sukoharjokab.go.id/verifikasi/{document.verify_token}/")
    text = pdf_text(pdf, tmp_path)
    assert "SURAT KEPUTUSAN / IZIN" in text and document.number in text
    assert "Budi Santoso" in text and "************0001" in text and "3374011205900001" not in text
    assert document.summary["applicant"] == "B*** S******" and document.summary["number"] == document.number
    assert "Budi" not in str(document.summary)


def test_the_plh_signs_with_plh_on_the_stamp(
    signing: dict, actor_of: Any, make_application: Any, signing_ca: Path, trust_nss: Path, tmp_path: Path
) -> None:
    delegation = make_plh(signing, signing["kabid"])
    document = signing_service.sign_application(
        application=signing["application"], actor=actor_of(signing["users"]["kabid"]), passphrase=PASSPHRASE
    )
    assert document.acting == "plh" and document.delegation == delegation
    assert document.signer_position == "Plh. Kepala Dinas DPMPTSP"
    assert document.summary["position"] == "Plh. Kepala Dinas DPMPTSP"
    pdf = private_path(document.path).read_bytes()
    assert stamp_lines(pdf)[1:3] == ["Kepala Bidang", "Plh. Kepala Dinas DPMPTSP"]
    both_verify(pdf, signing_ca, trust_nss, tmp_path)
    # numbers run on within the unit and the year
    second = awaiting(make_application, signing["pbg"], signing["siti"], paid_at=document.signed_at)
    other = signing_service.sign_application(
        application=second, actor=actor_of(signing["users"]["kabid"]), passphrase=PASSPHRASE
    )
    assert other.number.split("/")[1] == "0002"


@pytest.mark.parametrize("who", ["plh_elsewhere", "staff", "officer", "citizen", "kabid_without_delegation"])
def test_others_are_refused_and_nothing_is_written(
    signing: dict, actor_of: Any, signing_settings: Any, who: str
) -> None:
    users = signing["users"]
    if who == "plh_elsewhere":
        make_plh(signing, signing["other_staff"], unit=signing["other_unit"])
        user = users["other_staff"]
    elif who == "kabid_without_delegation":
        user = users["kabid"]
    else:
        user = {"staff": users["staff"], "officer": users["officer"], "citizen": signing["budi"].user}[who]
    with pytest.raises(PermissionDenied):
        signing_service.sign_application(
            application=signing["application"], actor=actor_of(user), passphrase=PASSPHRASE
        )
    signing["application"].refresh_from_db()
    assert signing["application"].status == Status.AWAITING_SIGNATURE
    assert not IssuedDocument.objects.exists() and not stored_files(signing_settings)


def test_the_refusal_says_why(signing: dict, actor_of: Any) -> None:
    with pytest.raises(PermissionDenied, match="neither the head of DPMPTSP nor its acting official"):
        signing_service.sign_application(
            application=signing["application"], actor=actor_of(signing["users"]["kabid"]), passphrase=PASSPHRASE
        )


def test_wrong_passphrase_and_unknown_nik_write_nothing(signing: dict, actor_of: Any, signing_settings: Any) -> None:
    head = actor_of(signing["users"]["head"])
    with pytest.raises(ValidationError, match="passphrase is wrong"):
        signing_service.sign_application(application=signing["application"], actor=head, passphrase="salah-sekali")
    signing["kadis"].__class__.objects.filter(pk=signing["kadis"].pk).update(nik=UNISSUED_NIK)
    with pytest.raises(ValidationError, match="No signing certificate was found for your NIK"):
        signing_service.sign_application(application=signing["application"], actor=head, passphrase=PASSPHRASE)
    signing["application"].refresh_from_db()
    assert signing["application"].status == Status.AWAITING_SIGNATURE
    assert not IssuedDocument.objects.exists() and not stored_files(signing_settings)
    assert not ApplicationEvent.objects.exists()


@pytest.mark.indonesian
def test_wrong_passphrase_in_indonesian(signing: dict, actor_of: Any) -> None:
    with pytest.raises(ValidationError) as info:
        signing_service.sign_application(
            application=signing["application"], actor=actor_of(signing["users"]["head"]), passphrase="salah-sekali"
        )
    assert "Passphrase salah" in " ".join(info.value.messages)


def test_only_awaiting_signature_can_be_signed(signing: dict, actor_of: Any) -> None:
    application = signing["application"]
    application.status = Status.IN_REVIEW
    application.save()
    with pytest.raises(ValidationError, match="not awaiting signature"):
        signing_service.sign_application(
            application=application, actor=actor_of(signing["users"]["head"]), passphrase=PASSPHRASE
        )


def test_a_changed_byte_is_detected_by_both_verifiers(
    signing: dict, actor_of: Any, signing_ca: Path, trust_nss: Path, tmp_path: Path
) -> None:
    document = signing_service.sign_application(
        application=signing["application"], actor=actor_of(signing["users"]["head"]), passphrase=PASSPHRASE
    )
    pdf = bytearray(private_path(document.path).read_bytes())
    # a byte inside the signed content (the page stream of the document), not in the signature itself
    at = pdf.index(b"stream") + 40
    pdf[at] ^= 0x01
    tampered = bytes(pdf)
    assert not verify_pdf(tampered, [signing_ca / ca.ROOT_CERT]).valid
    path = tmp_path / "tampered.pdf"
    path.write_bytes(tampered)
    assert not pdfsig_verdict(path, nssdir=trust_nss).valid


def test_remote_backend_signs_through_the_service(
    signing: dict, actor_of: Any, signing_ca: Path, signing_settings: Any, trust_nss: Path, tmp_path: Path
) -> None:
    with SigningServer(signing_ca, {"siaga": "service-secret-1"}) as server:
        signing_settings.DOCUMENT_SIGNING_BACKEND = "remote"
        signing_settings.SIGNING_SERVICE_URL = server.url
        signing_settings.SIGNING_SERVICE_USER = "siaga"
        signing_settings.SIGNING_SERVICE_PASSWORD = "service-secret-1"
        make_plh(signing, signing["kabid"])
        document = signing_service.sign_application(
            application=signing["application"], actor=actor_of(signing["users"]["kabid"]), passphrase=PASSPHRASE
        )
    assert document.backend == "remote" and document.acting == "plh"
    both_verify(private_path(document.path).read_bytes(), signing_ca, trust_nss, tmp_path)


def test_remote_service_down_is_a_clear_message(signing: dict, actor_of: Any, signing_settings: Any) -> None:
    server = SigningServer(signing_settings.SIGNING_DIR, {"siaga": "x"})
    url = server.url
    server.httpd.server_close()  # nothing listens there any more
    signing_settings.DOCUMENT_SIGNING_BACKEND = "remote"
    signing_settings.SIGNING_SERVICE_URL = url
    signing_settings.SIGNING_SERVICE_USER = "siaga"
    signing_settings.SIGNING_SERVICE_PASSWORD = "x"
    with pytest.raises(ValidationError, match="cannot be reached"):
        signing_service.sign_application(
            application=signing["application"], actor=actor_of(signing["users"]["head"]), passphrase=PASSPHRASE
        )
    assert not IssuedDocument.objects.exists() and not stored_files(signing_settings)


def test_return_for_correction_and_reject(signing: dict, actor_of: Any, make_application: Any) -> None:
    head = actor_of(signing["users"]["head"])
    application = signing["application"]
    with pytest.raises(ValidationError):
        signing_service.return_for_correction(application=application, actor=head, note=" ")
    signing_service.return_for_correction(application=application, actor=head, note="Nama usaha salah ketik.")
    application.refresh_from_db()
    assert application.status == Status.IN_REVIEW
    assert application.events.get().public is False
    second = awaiting(make_application, signing["usaha"], signing["siti"])
    with pytest.raises(ValidationError):
        signing_service.reject(application=second, actor=head, note="")
    signing_service.reject(application=second, actor=head, note="Lokasi usaha di kawasan lindung.")
    second.refresh_from_db()
    assert second.status == Status.REJECTED and second.status_note == "Lokasi usaha di kawasan lindung."
    third = awaiting(make_application, signing["usaha"], signing["siti"])
    with pytest.raises(PermissionDenied):
        signing_service.reject(application=third, actor=actor_of(signing["users"]["staff"]), note="Tidak.")


def test_batch_reports_each_document(signing: dict, actor_of: Any, make_application: Any) -> None:
    head = actor_of(signing["users"]["head"])
    second = awaiting(make_application, signing["usaha"], signing["siti"])
    signing_service.sign_application(application=second, actor=head, passphrase=PASSPHRASE)
    results = signing_service.sign_batch(
        applications=[signing["application"], second], actor=head, passphrase=PASSPHRASE
    )
    assert results[0].document is not None and results[0].error == ""
    assert results[1].document is None and "not awaiting signature" in results[1].error


def test_system_signs_as_an_employee(signing: dict) -> None:
    make_plh(signing, signing["kabid"])
    document = signing_service.sign_application(
        application=signing["application"], actor=None, employee=signing["kabid"], passphrase=PASSPHRASE
    )
    assert document.acting == "plh"


# -- the command line ---------------------------------------------------------------------------


def test_export_writes_pdfs_and_a_manifest(signing: dict, actor_of: Any, make_application: Any, tmp_path: Path) -> None:
    import csv
    import hashlib
    import json

    from django.core.management import call_command
    from django.core.management.base import CommandError

    head = actor_of(signing["users"]["head"])
    first = signing_service.sign_application(application=signing["application"], actor=head, passphrase=PASSPHRASE)
    second = signing_service.sign_application(
        application=awaiting(make_application, signing["usaha"], signing["siti"]), actor=head, passphrase=PASSPHRASE
    )
    out = tmp_path / "export"
    call_command("documents", "export", "--government", "33.11", "--status", "issued", "-o", str(out))
    manifest = json.loads((out / "manifest.json").read_text())
    assert {row["number"] for row in manifest} == {first.number, second.number}
    for row in manifest:
        assert hashlib.sha256((out / row["file"]).read_bytes()).hexdigest() == row["sha256"]
    with (out / "manifest.csv").open() as handle:
        assert len(list(csv.DictReader(handle))) == 2
    call_command("documents", "export", "--government", "33.11", "--limit", "1", "-o", str(tmp_path / "one"))
    assert len(json.loads((tmp_path / "one" / "manifest.json").read_text())) == 1
    # a changed stored file is reported, not exported
    path = private_path(first.path)
    path.write_bytes(path.read_bytes() + b"\n%tampered")
    with pytest.raises(CommandError, match="1 document"):
        call_command("documents", "export", "--government", "33.11", "-o", str(tmp_path / "again"))
    assert len(json.loads((tmp_path / "again" / "manifest.json").read_text())) == 1
    with pytest.raises(CommandError, match="No active government"):
        call_command("documents", "export", "--government", "99.99", "-o", str(tmp_path / "x"))


def test_certificate_command_issues_from_the_government_ca(
    signing: dict, signing_settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    signing_settings.SIGNING_DIR = tmp_path / "ca"
    monkeypatch.setenv("SIGNING_PASSPHRASE", "rahasia-kabid-1")
    call_command("documents", "certificate", "--government", "33.11", "--nip", signing["kabid"].nip)
    official = ca.load_official(ca.official_path(tmp_path / "ca", signing["kabid"].nik), "rahasia-kabid-1")
    assert official.nik == signing["kabid"].nik
    assert official.certificate.issuer.rfc4514_string().startswith("CN=Kabupaten Sukoharjo Root CA")
    monkeypatch.setenv("SIGNING_PASSPHRASE", "salah-sekali-1")
    with pytest.raises(CommandError, match="passphrase does not open it"):
        call_command("documents", "certificate", "--government", "33.11", "--nip", signing["kabid"].nip)
