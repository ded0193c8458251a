"""Public verification: the page behind the QR code (valid, revoked, unknown), the PDF upload (valid,
changed byte, unsigned, another root, not a PDF), the rate limit, and no personal data beyond the summary."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from reportlab.pdfgen import canvas

from siaga.core.uploads import private_path
from siaga.engines.signing import ca
from siaga.engines.signing.sign import LocalPkcs12Signer, Stamp, sign_pdf
from siaga.services import signing as signing_service
from siaga.services.models import IssuedDocument
from siaga.services.tests.test_documents_setup import *  # noqa: F403 - the fixtures
from siaga.services.tests.test_documents_setup import PASSPHRASE, make_plh

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(signing: dict, actor_of: Any) -> IssuedDocument:
    make_plh(signing, signing["kabid"])
    return signing_service.sign_application(
        application=signing["application"], actor=actor_of(signing["users"]["kabid"]), passphrase=PASSPHRASE
    )


def upload(client: Any, data: bytes, name: str = "surat.pdf", **headers: Any) -> Any:
    return client.post(reverse("verify:index"), {"file": SimpleUploadedFile(name, data)}, **headers)


def test_the_qr_page_shows_the_summary_without_login(issued: IssuedDocument, client: Any) -> None:
    response = client.get(reverse("verify:document", args=[issued.verify_token]))
    assert response.status_code == 200
    text = response.text
    assert "VALID" in text and issued.number in text and issued.sha256 in text
    assert "Plh. Kepala Dinas DPMPTSP" in text and "Kepala Bidang" in text
    assert "B*** S******" in text
    # nothing personal beyond the summary: no name, NIK, address or form data of the applicant
    for private in ("Budi Santoso", "3374011205900001", "Warung Sari", "Jl. Merapi"):
        assert private not in text


def test_revoked_and_unknown(issued: IssuedDocument, client: Any) -> None:
    IssuedDocument.objects.filter(pk=issued.pk).update(revoked_at=timezone.now(), revoke_reason="Salah data")
    response = client.get(reverse("verify:document", args=[issued.verify_token]))
    assert "REVOKED" in response.text and "Salah data" in response.text
    unknown = client.get(reverse("verify:document", args=["tidak-ada-dokumen-ini"]))
    assert unknown.status_code == 404 and "UNKNOWN" in unknown.text


def test_upload_of_the_original_is_valid(issued: IssuedDocument, client: Any) -> None:
    response = upload(client, private_path(issued.path).read_bytes())
    assert response.status_code == 200
    assert "VALID" in response.text and "NOT VALID" not in response.text and issued.number in response.text


def test_upload_with_a_changed_byte_is_altered(issued: IssuedDocument, client: Any) -> None:
    pdf = bytearray(private_path(issued.path).read_bytes())
    at = pdf.index(b"stream") + 40
    pdf[at] ^= 0x01
    response = upload(client, bytes(pdf), HTTP_HX_REQUEST="true")
    assert "NOT VALID / ALTERED" in response.text
    assert issued.number not in response.text


def test_upload_of_an_unsigned_or_foreign_pdf(
    issued: IssuedDocument, client: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(72, 720, "SURAT KEPUTUSAN PALSU")
    c.showPage()
    c.save()
    assert "the file has no electronic signature" in upload(client, buf.getvalue()).text
    other = tmp_path_factory.mktemp("other-ca")
    ca.ensure_ca(other, name="Another Root CA")
    official = ca.issue_official(other, "3311010505860005", "Pemalsu", passphrase=PASSPHRASE)
    forged = sign_pdf(
        buf.getvalue(),
        LocalPkcs12Signer(official.path, PASSPHRASE),
        reason="x",
        location="y",
        stamp=Stamp("Pemalsu", "Kepala", "https://example.com/v"),
    ).pdf
    assert "not made with a certificate this government trusts" in upload(client, forged).text


def test_upload_of_something_else_says_what_to_do(signing_settings: Any, client: Any) -> None:
    response = upload(client, b"GIF89a not a pdf", name="foto.gif")
    assert response.status_code == 400 and "PDF" in response.text
    assert client.post(reverse("verify:index"), {}).status_code == 400


def test_rate_limit_per_ip(issued: IssuedDocument, signing_settings: Any, client: Any) -> None:
    signing_settings.VERIFY_RATE_LIMIT = 3
    url = reverse("verify:document", args=[issued.verify_token])
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 200]
    limited = client.get(url)
    assert limited.status_code == 429 and limited["Retry-After"] == "60"
    assert "Wait one minute" in limited.text
    assert upload(client, b"%PDF-1.4").status_code == 429
    # another address has its own budget
    assert client.get(url, REMOTE_ADDR="10.0.0.9").status_code == 200


@pytest.mark.indonesian
def test_the_page_in_indonesian(issued: IssuedDocument, client: Any) -> None:
    text = client.get(reverse("verify:document", args=[issued.verify_token])).text
    assert "SAH" in text and "Ditandatangani oleh" in text


def test_no_login_needed_for_the_form(client: Any, signing_settings: Any, tmp_path: Path) -> None:
    assert client.get(reverse("verify:index")).status_code == 200
