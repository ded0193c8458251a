"""Citizens' portal: applying with uploads, tracking, resubmitting, withdrawing, and the refusals that
keep one citizen out of another's applications."""

from __future__ import annotations

import datetime as dt
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from siaga.services import services_portal, workflow
from siaga.services.models import Application, Attachment, FaceToFaceRestriction, Mode, Status

pytestmark = pytest.mark.django_db


def pdf_bytes(text: str = "KTP") -> bytes:
    out = BytesIO()
    Image.new("RGB", (60, 40), (240, 240, 240)).save(out, "PDF")
    return out.getvalue()


def png_bytes(colour: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    out = BytesIO()
    Image.new("RGB", (40, 40), colour).save(out, "PNG")
    return out.getvalue()


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def pbg_post(**extra: Any) -> dict[str, Any]:
    return {
        "field_lokasi": "Jl. Merdeka 10, Sukoharjo",
        "req_ktp": upload("ktp.pdf", pdf_bytes()),
        "req_gambar": upload("gambar.png", png_bytes()),
        "handover": "download",
        **extra,
    }


@pytest.fixture
def verified(desk: dict) -> dict:
    for key in ("budi", "siti"):
        desk[key].verified_at = timezone.now()
        desk[key].save()
    return desk


def apply_url(desk: dict, service: str = "pbg") -> str:
    return reverse("portal:apply", args=[desk["government"].code, service])


def files_under(reference: str, government_id: int) -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / "applications" / str(government_id) / reference
    return sorted(folder.glob("*")) if folder.exists() else []


# ---------------------------------------------------------------------------------------------------
# Applying


def test_apply_with_two_uploads_creates_a_submitted_application(login: Any, verified: dict) -> None:
    client = login(verified["budi"].user)
    response = client.post(apply_url(verified), pbg_post())
    assert response.status_code == 302, response.content.decode()
    application = Application.objects.get()
    assert response["Location"] == reverse("portal:application", args=[application.reference])
    assert application.status == Status.SUBMITTED and application.fee_amount == 1500000
    assert application.data == {"lokasi": "Jl. Merdeka 10, Sukoharjo"}
    attachments = {a.requirement: a for a in application.attachments.all()}
    assert set(attachments) == {"ktp", "gambar"}
    assert attachments["ktp"].mime == "application/pdf" and attachments["gambar"].mime == "image/png"
    for attachment in attachments.values():
        stored = Path(settings.MEDIA_ROOT) / attachment.path
        assert stored.is_file() and attachment.path.startswith(
            f"applications/{verified['government'].pk}/{application.reference}/"
        )
    assert application.events.get().to_status == Status.SUBMITTED
    page = client.get(response["Location"]).content.decode()
    assert "Submitted" in page and application.reference in page


@pytest.mark.indonesian
def test_the_application_page_is_in_indonesian(login: Any, verified: dict) -> None:
    client = login(verified["budi"].user)
    response = client.post(apply_url(verified), pbg_post(), follow=True)
    page = response.content.decode()
    assert "Diajukan" in page and "Kode lacak" in page and "Riwayat" in page


def test_missing_fields_and_files_are_reported_and_nothing_is_written(login: Any, verified: dict) -> None:
    client = login(verified["budi"].user)
    data = pbg_post(field_lokasi="")
    del data["req_gambar"]
    page = client.post(apply_url(verified), data).content.decode()
    assert "Fill in “Lokasi bangunan”." in page and "Upload “Gambar rencana”" in page
    assert not Application.objects.exists() and not Attachment.objects.exists()


def test_a_file_that_is_not_a_pdf_or_image_is_refused_by_content(login: Any, verified: dict) -> None:
    client = login(verified["budi"].user)
    page = client.post(
        apply_url(verified), pbg_post(req_ktp=upload("ktp.pdf", b"MZ\x90\x00 not a pdf", "application/pdf"))
    ).content.decode()
    assert "not a readable PDF, JPEG or PNG file" in page
    assert not Application.objects.exists()


def test_a_file_over_the_size_limit_is_refused(login: Any, verified: dict, settings: Any) -> None:
    settings.UPLOAD_MAX_BYTES = 1024
    client = login(verified["budi"].user)
    big = BytesIO()
    Image.effect_noise((200, 200), 80).convert("RGB").save(big, "PNG")
    page = client.post(apply_url(verified), pbg_post(req_gambar=upload("big.png", big.getvalue()))).content.decode()
    assert "larger than" in page and not Application.objects.exists()


def test_delivery_only_when_the_service_is_deliverable(login: Any, verified: dict) -> None:
    client = login(verified["budi"].user)
    page = client.post(apply_url(verified), pbg_post(handover="delivery", delivery_address="Jl. A")).content.decode()
    assert "handover" in page and not Application.objects.exists()
    pbg = verified["pbg"]
    pbg.deliverable = True
    pbg.save()
    page = client.post(apply_url(verified), pbg_post(handover="delivery", delivery_address="")).content.decode()
    assert "Write the address" in page
    response = client.post(apply_url(verified), pbg_post(handover="delivery", delivery_address="Jl. Mawar 3"))
    assert response.status_code == 302
    assert Application.objects.get().delivery_address == "Jl. Mawar 3"


def test_an_in_person_service_is_refused_and_says_where_to_go(login: Any, verified: dict) -> None:
    usaha = verified["usaha"]
    usaha.mode, usaha.restricted_mode = Mode.ONLINE, Mode.IN_PERSON
    usaha.save()
    FaceToFaceRestriction.objects.create(
        government=verified["government"], start=timezone.localdate() - dt.timedelta(days=1), reason="x"
    )
    client = login(verified["budi"].user)
    response = client.post(
        apply_url(verified, "izin-usaha-mikro"), {"req_ktp": upload("k.pdf", pdf_bytes()), "handover": "download"}
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "served in person at DPMPTSP" in page
    assert not Application.objects.exists()
    with pytest.raises(ValidationError):
        services_portal.application_submit(
            service=usaha, citizen=verified["budi"], data={}, files={"ktp": upload("k.pdf", pdf_bytes())}
        )


def test_files_written_before_a_failed_transaction_are_removed(verified: dict, monkeypatch: Any) -> None:
    from siaga.services import services_portal as module

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(module, "audit_record", broken)
    folder = Path(settings.MEDIA_ROOT) / "applications" / str(verified["government"].pk)
    before = set(folder.rglob("*.*")) if folder.exists() else set()
    with pytest.raises(RuntimeError):
        services_portal.application_submit(
            service=verified["pbg"],
            citizen=verified["budi"],
            data={"lokasi": "x"},
            files={"ktp": upload("k.pdf", pdf_bytes()), "gambar": upload("g.png", png_bytes())},
        )
    after = set(folder.rglob("*.*")) if folder.exists() else set()
    assert after == before
    assert not Application.objects.exists()


def test_the_system_may_submit_for_the_demo(verified: dict) -> None:
    application = services_portal.application_submit(
        service=verified["usaha"], citizen=verified["siti"], data={}, files={"ktp": upload("k.png", png_bytes())}
    )
    assert application.status == Status.SUBMITTED and application.fee_amount == 0


def test_staff_and_officers_cannot_apply(login: Any, verified: dict, actor_of: Any) -> None:
    client = login(verified["users"]["officer"])
    response = client.post(apply_url(verified), pbg_post())
    assert response.status_code == 302 and not Application.objects.exists()
    with pytest.raises(PermissionDenied):
        services_portal.application_submit(
            service=verified["usaha"],
            citizen=verified["siti"],
            data={},
            files={"ktp": upload("k.png", png_bytes())},
            actor=actor_of(verified["budi"].user),
        )


def test_an_unconfirmed_citizen_cannot_apply(desk: dict) -> None:
    with pytest.raises(ValidationError):
        services_portal.application_submit(
            service=desk["usaha"], citizen=desk["budi"], data={}, files={"ktp": upload("k.png", png_bytes())}
        )


# ---------------------------------------------------------------------------------------------------
# Tracking, resubmitting, withdrawing


@pytest.fixture
def submitted(login: Any, verified: dict) -> Application:
    client = login(verified["budi"].user)
    client.post(apply_url(verified), pbg_post())
    return Application.objects.get()


def test_my_applications_lists_only_mine(
    login: Any, verified: dict, submitted: Application, make_application: Any
) -> None:
    other = make_application(verified["usaha"], verified["siti"])
    page = login(verified["budi"].user).get(reverse("portal:my_applications")).content.decode()
    assert submitted.reference in page and other.reference not in page


def test_incomplete_then_resubmit_one_file(login: Any, verified: dict, submitted: Application, actor_of: Any) -> None:
    workflow.transition(
        application=submitted,
        to=Status.INCOMPLETE,
        actor=actor_of(verified["users"]["officer"]),
        note="Gambar rencana tidak terbaca.",
    )
    client = login(verified["budi"].user)
    url = reverse("portal:application", args=[submitted.reference])
    page = client.get(url).content.decode()
    assert "Gambar rencana tidak terbaca." in page and reverse("portal:resubmit", args=[submitted.reference]) in page
    old = Attachment.objects.get(requirement="gambar")
    empty = client.post(reverse("portal:resubmit", args=[submitted.reference]), {"note": ""}).content.decode()
    assert "Upload at least one corrected document" in empty
    response = client.post(
        reverse("portal:resubmit", args=[submitted.reference]),
        {"req_gambar": upload("gambar2.png", png_bytes((10, 10, 200))), "note": "Sudah saya ganti."},
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Status.RESUBMITTED
    old.refresh_from_db()
    assert old.superseded
    current = Attachment.objects.filter(superseded=False)
    assert {a.requirement for a in current} == {"ktp", "gambar"} and current.count() == 2
    assert Attachment.objects.get(superseded=False, requirement="gambar").original_name == "gambar2.png"
    page = client.get(url).content.decode()
    assert [s in page for s in ("Submitted", "Incomplete, returned to the applicant", "Resubmitted")] == [True] * 3
    assert "gambar2.png" in page and "gambar.png<" not in page
    # not again while the office has it
    again = client.post(
        reverse("portal:resubmit", args=[submitted.reference]), {"req_gambar": upload("g3.png", png_bytes())}
    )
    assert "Only an application returned as incomplete" in again.content.decode()


def test_withdraw_needs_confirmation(login: Any, verified: dict, submitted: Application) -> None:
    client = login(verified["budi"].user)
    url = reverse("portal:withdraw", args=[submitted.reference])
    assert client.post(url, {"reason": "salah pilih"}).status_code == 200
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED
    assert client.post(url, {"reason": "salah pilih", "confirm": "on"}).status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Status.CANCELLED and submitted.status_note == "salah pilih"
    page = client.get(reverse("portal:application", args=[submitted.reference])).content.decode()
    assert url not in page


def test_internal_events_are_not_shown(login: Any, verified: dict, submitted: Application, actor_of: Any) -> None:
    workflow.transition(
        application=submitted,
        to=Status.REGISTERED,
        actor=actor_of(verified["users"]["officer"]),
        note="cek arsip",
        public=False,
    )
    page = login(verified["budi"].user).get(reverse("portal:application", args=[submitted.reference])).content
    assert b"cek arsip" not in page


def test_attachment_is_served_to_the_applicant_and_the_office(
    login: Any, verified: dict, submitted: Application
) -> None:
    attachment = Attachment.objects.get(requirement="ktp")
    url = reverse("portal:attachment", args=[attachment.pk])
    response = login(verified["budi"].user).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert login(verified["users"]["officer"]).get(url).status_code == 200
    assert login(verified["users"]["admin"]).get(url).status_code == 200


def test_the_document_link_appears_only_when_a_document_exists(
    login: Any, verified: dict, submitted: Application
) -> None:
    page = login(verified["budi"].user).get(reverse("portal:application", args=[submitted.reference])).content
    assert b"Download the document" not in page


# ---------------------------------------------------------------------------------------------------
# ID guessing: another citizen's application is a 404 whichever way it is asked for


def test_another_citizen_cannot_see_download_resubmit_or_withdraw(
    login: Any, verified: dict, submitted: Application, actor_of: Any
) -> None:
    workflow.transition(
        application=submitted, to=Status.INCOMPLETE, actor=actor_of(verified["users"]["officer"]), note="kurang"
    )
    client = login(verified["siti"].user)
    ref = submitted.reference
    attachment = Attachment.objects.first()
    assert attachment is not None
    assert client.get(reverse("portal:application", args=[ref])).status_code == 404
    assert client.get(reverse("portal:application", args=[ref.lower()])).status_code == 404
    assert client.get(reverse("portal:attachment", args=[attachment.pk])).status_code == 404
    assert client.get(reverse("portal:resubmit", args=[ref])).status_code == 404
    response = client.post(reverse("portal:resubmit", args=[ref]), {"req_ktp": upload("k.pdf", pdf_bytes())})
    assert response.status_code == 404
    assert client.post(reverse("portal:withdraw", args=[ref]), {"confirm": "on"}).status_code == 404
    submitted.refresh_from_db()
    assert submitted.status == Status.INCOMPLETE and Attachment.objects.count() == 2
    with pytest.raises(PermissionDenied):
        services_portal.application_withdraw(application=submitted, actor=actor_of(verified["siti"].user))
    # staff who are not of the office do not get the files either
    assert (
        login(verified["users"]["other_staff"]).get(reverse("portal:attachment", args=[attachment.pk])).status_code
        == 404
    )
    assert login(verified["users"]["health"]).get(reverse("portal:attachment", args=[attachment.pk])).status_code == 404


def test_a_citizen_of_another_government_gets_404(
    login: Any, verified: dict, submitted: Application, other_government: Any, make_citizen: Any
) -> None:
    from siaga.services.tests.conftest import NIK_BUDI

    stranger = make_citizen(other_government, "budi2", NIK_BUDI, "Budi Santoso", verified_at=timezone.now())
    client = login(stranger.user)
    attachment = Attachment.objects.first()
    assert attachment is not None
    assert client.get(reverse("portal:application", args=[submitted.reference])).status_code == 404
    assert client.get(reverse("portal:attachment", args=[attachment.pk])).status_code == 404
    assert client.post(reverse("portal:withdraw", args=[submitted.reference]), {"confirm": "on"}).status_code == 404
    # nor can they apply through the other government's portal
    assert client.post(apply_url(verified), pbg_post()).status_code == 404
    assert Application.objects.count() == 1


def test_anonymous_visitors_are_sent_to_sign_in(client: Any, verified: dict, submitted: Application) -> None:
    client.logout()
    for url in (
        reverse("portal:application", args=[submitted.reference]),
        reverse("portal:my_applications"),
        reverse("portal:attachment", args=[Attachment.objects.first().pk]),  # type: ignore[union-attr]
        apply_url(verified),
    ):
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_page_keeps_working_when_a_document_exists(login: Any, verified: dict, submitted: Application) -> None:
    from siaga.services.models import IssuedDocument
    from siaga.services.views_portal import safe_reverse

    document = IssuedDocument.objects.create(
        government=verified["government"],
        application=submitted,
        number="503/PBG/2026/1",
        path="documents/x.pdf",
        sha256="0" * 64,
        signer=verified["kadis"],
        signer_name="Kepala Dinas",
        signer_position="Kepala DPMPTSP",
        backend="local",
        signed_at=timezone.now(),
    )
    response = login(verified["budi"].user).get(reverse("portal:application", args=[submitted.reference]))
    assert response.status_code == 200
    link = safe_reverse("services:document_download", document.verify_token)
    assert (b"Download the document" in response.content) == bool(link)
    if link:
        assert link.encode() in response.content
    assert safe_reverse("portal:application", submitted.reference) == f"/layanan/permohonan/{submitted.reference}/"
    assert safe_reverse("services:no_such_view") == ""


def test_the_home_page_works_for_a_citizen(login: Any, verified: dict) -> None:
    response = login(verified["budi"].user).get(reverse("home"), follow=True)
    assert response.status_code == 200 and response.redirect_chain == [(reverse("portal:my_applications"), 302)]
