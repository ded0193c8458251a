"""Uploads are checked by content and stored atomically outside the web root."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from siaga.core.uploads import check_upload, private_path, store_private


def _png() -> bytes:
    out = BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, "PNG")
    return out.getvalue()


def _pdf() -> bytes:
    from reportlab.pdfgen import canvas

    out = BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, "Surat")
    page.save()
    return out.getvalue()


def test_real_files_pass_whatever_their_name() -> None:
    assert check_upload(SimpleUploadedFile("scan.exe", _pdf())).kind == "pdf"
    checked = check_upload(SimpleUploadedFile("foto.pdf", _png(), content_type="application/pdf"))
    assert (checked.kind, checked.mime, checked.extension) == ("png", "image/png", "png")


@pytest.mark.parametrize(
    "data",
    [b"%PDF-1.7\nnot really a pdf", b"MZ\x90\x00 a program", b"<html><script>alert(1)</script>", _png()[:20]],
)
def test_fakes_and_broken_files_are_refused(data: bytes) -> None:
    with pytest.raises(ValidationError) as err:
        check_upload(SimpleUploadedFile("ktp.pdf", data), field="ktp")
    assert "not a readable PDF, JPEG or PNG" in str(err.value.message_dict["ktp"])


def test_kinds_and_size_are_enforced() -> None:
    with pytest.raises(ValidationError, match="not a readable PDF file"):
        check_upload(SimpleUploadedFile("a.png", _png()), kinds=("pdf",))
    with pytest.raises(ValidationError, match="larger than"):
        check_upload(SimpleUploadedFile("a.pdf", _pdf()), max_bytes=100)
    with pytest.raises(ValidationError, match="empty"):
        check_upload(SimpleUploadedFile("a.pdf", b""))


def test_store_private_writes_under_media_root_only(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "private"
    relative = store_private(b"data", folder="applications/1", extension="pdf")
    assert private_path(relative).read_bytes() == b"data"
    assert not [p for p in private_path(relative).parent.iterdir() if p.name.startswith(".upload-")]
    with pytest.raises(ValueError, match="outside"):
        private_path("../../etc/passwd")
