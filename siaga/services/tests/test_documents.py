"""Rendering of each document kind, the signing pages of heads and Plh/Plt, and downloads of the signed
PDF (the applicant and the office only; a guessed token is 404)."""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from siaga.core.uploads import private_path
from siaga.services import documents
from siaga.services import signing as signing_service
from siaga.services.models import Application, IssuedDocument, ProductKind, Service, Status
from siaga.services.tests.test_documents_setup import *  # noqa: F403 - the fixtures
from siaga.services.tests.test_documents_setup import PASSPHRASE, awaiting, make_plh, pdf_text

pytestmark = pytest.mark.django_db


def kind_service(desk: dict, kind: str, code: str, fields: list[dict[str, str]]) -> Service:
    return Service.objects.create(
        government=desk["government"],
        unit=desk["dinas"],
        code=code,
        name=f"Layanan {code}",
        sla_days=5,
        product="Dokumen",
        product_kind=kind,
        signer_position=desk["usaha"].signer_position,
        fields=fields,
        legal_basis="Perpres 96/2018",
    )


def test_masks() -> None:
    assert documents.mask_nik("3374011205900001") == "************0001"
    assert documents.mask_name("Budi Santoso") == "B*** S******"
    assert documents.date_id(dt.date(2026, 11, 23)) == "23 November 2026"


@pytest.mark.parametrize(
    ("kind", "data", "expected"),
    [
        (
            ProductKind.PERMIT,
            {"lokasi": "Jl. Merapi 12"},
            ["SURAT KEPUTUSAN / IZIN", "Lokasi bangunan", "Jl. Merapi 12"],
        ),
        (ProductKind.FAMILY_CARD, {"nomor_kk": "3311010101010001"}, ["KARTU KELUARGA", "3311010101010001"]),
        (
            ProductKind.BIRTH_CERTIFICATE,
            {
                "nama_anak": "Dewi Lestari",
                "tempat_lahir": "Sukoharjo",
                "tanggal_lahir": "2 November 2026",
                "nama_ayah": "Budi Santoso",
                "nama_ibu": "Siti Aminah",
            },
            ["KUTIPAN AKTA KELAHIRAN", "Dewi Lestari", "Sukoharjo", "2 November 2026", "Nama ayah", "Siti Aminah"],
        ),
        (
            ProductKind.ID_CARD,
            {"alamat": "Jl. Slamet Riyadi 1"},
            ["BERITA ACARA PENERBITAN KTP-EL", "Jl. Slamet Riyadi 1"],
        ),
    ],
)
def test_each_kind_renders_its_template(
    signing: dict, make_application: Any, tmp_path: Path, kind: str, data: dict, expected: list[str]
) -> None:
    service = kind_service(
        signing, kind, f"k-{kind}".replace("_", "-"), [{"code": "lokasi", "name": "Lokasi bangunan"}]
    )
    application = make_application(service, signing["budi"], data=data)
    text = pdf_text(
        documents.render(application, number="503/0009/DPMPTSP/2026", issued_on=dt.date(2026, 11, 23)), tmp_path
    )
    assert "PEMERINTAH KABUPATEN SUKOHARJO" in text and "DPMPTSP" in text
    assert "Nomor: 503/0009/DPMPTSP/2026" in text and "23 November 2026" in text
    for part in expected:
        assert part in text
    assert "3374011205900001" not in text


def test_numbers_are_per_unit_and_year(signing: dict, actor_of: Any, make_application: Any, make_unit: Any) -> None:
    head = actor_of(signing["users"]["head"])
    first = signing_service.sign_application(application=signing["application"], actor=head, passphrase=PASSPHRASE)
    IssuedDocument.objects.filter(pk=first.pk).update(number=first.number.replace(str(dt.date.today().year), "2020"))
    second = signing_service.sign_application(
        application=awaiting(make_application, signing["usaha"], signing["siti"]), actor=head, passphrase=PASSPHRASE
    )
    assert second.number.split("/")[1] == "0001"  # the 2020 one does not count


# -- pages ----------------------------------------------------------------------------------------


def test_queue_lists_what_the_head_may_sign(signing: dict, login: Any) -> None:
    response = login(signing["users"]["head"]).get(reverse("services:signing_queue"))
    assert response.status_code == 200
    assert "Izin Usaha Mikro" in response.text and "Budi Santoso" in response.text


def test_queue_for_the_plh_and_not_for_others(signing: dict, client: Any) -> None:
    make_plh(signing, signing["kabid"])
    client.force_login(signing["users"]["kabid"])
    assert "Budi Santoso" in client.get(reverse("services:signing_queue")).text
    for user in (signing["users"]["staff"], signing["users"]["officer"], signing["budi"].user):
        client.force_login(user)
        assert client.get(reverse("services:signing_queue")).status_code == 403
        assert (
            client.post(
                reverse("services:sign", args=[signing["application"].pk]), {"passphrase": PASSPHRASE}
            ).status_code
            == 403
        )


def test_head_of_another_unit_sees_nothing_and_gets_404(signing: dict, client: Any) -> None:
    # the Kepala Bidang heads a unit, but not the signing unit: the queue is empty and the item is 404
    client.force_login(signing["users"]["kabid"])
    assert "Budi Santoso" not in client.get(reverse("services:signing_queue")).text
    pk = signing["application"].pk
    assert client.get(reverse("services:signing_preview", args=[pk])).status_code == 404
    assert client.post(reverse("services:sign", args=[pk]), {"passphrase": PASSPHRASE}).status_code == 404
    assert not IssuedDocument.objects.exists()


def test_preview_is_the_unsigned_pdf(signing: dict, login: Any, tmp_path: Path) -> None:
    response = login(signing["users"]["head"]).get(
        reverse("services:signing_preview", args=[signing["application"].pk])
    )
    assert response["Content-Type"] == "application/pdf"
    assert "SURAT KEPUTUSAN / IZIN" in pdf_text(response.content, tmp_path)


def test_sign_through_the_page_with_htmx(signing: dict, login: Any) -> None:
    client = login(signing["users"]["head"])
    url = reverse("services:sign", args=[signing["application"].pk])
    wrong = client.post(url, {"passphrase": "salah"}, HTTP_HX_REQUEST="true")
    assert "passphrase is wrong" in wrong.text and not IssuedDocument.objects.exists()
    ok = client.post(url, {"passphrase": PASSPHRASE}, HTTP_HX_REQUEST="true")
    document = IssuedDocument.objects.get()
    assert document.number in ok.text
    assert reverse("services:document_download", args=[document.verify_token]) in ok.text


def test_batch_signing_reports_per_document(
    signing: dict, login: Any, make_application: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """The batch is signed by the background worker; its page then lists each document."""
    from siaga.services.models import SigningBatch
    from siaga.services.tasks import sign_batch_item

    second = awaiting(make_application, signing["usaha"], signing["siti"])
    client = login(signing["users"]["head"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("services:sign_batch"),
            {"application": [signing["application"].pk, second.pk], "passphrase": PASSPHRASE},
            follow=True,
        )
    assert response.status_code == 200
    batch = SigningBatch.objects.get()
    for item in batch.items.all():
        assert sign_batch_item.call(item.pk) == "signed"
    response = client.get(reverse("services:sign_batch_detail", args=[batch.pk]))
    assert IssuedDocument.objects.count() == 2
    for document in IssuedDocument.objects.all():
        assert document.number in response.text
    assert Application.objects.filter(status=Status.ISSUED).count() == 2


def test_return_and_reject_from_the_page(signing: dict, login: Any, make_application: Any) -> None:
    client = login(signing["users"]["head"])
    pk = signing["application"].pk
    hx = {"HTTP_HX_REQUEST": "true"}
    refused = client.post(reverse("services:sign_return", args=[pk]), {"note": ""}, **hx)
    assert refused.status_code == 400 and "Say what must be corrected" in refused.text
    done = client.post(reverse("services:sign_return", args=[pk]), {"note": "Perbaiki alamat."}, **hx)
    assert done.status_code == 200 and "Returned to the officers" in done.text
    assert Application.objects.get(pk=pk).status == Status.IN_REVIEW
    second = awaiting(make_application, signing["usaha"], signing["siti"])
    response = client.post(reverse("services:sign_reject", args=[second.pk]), {"note": "Bukan usaha mikro."})
    assert response.status_code == 302 and response["Location"] == reverse("services:signing_queue")
    assert Application.objects.get(pk=second.pk).status == Status.REJECTED


# -- downloads ------------------------------------------------------------------------------------


@pytest.fixture
def issued(signing: dict, actor_of: Any) -> IssuedDocument:
    return signing_service.sign_application(
        application=signing["application"], actor=actor_of(signing["users"]["head"]), passphrase=PASSPHRASE
    )


def test_the_applicants_first_download_closes_the_application(
    signing: dict, issued: IssuedDocument, client: Any
) -> None:
    client.force_login(signing["budi"].user)
    url = reverse("services:document_download", args=[issued.verify_token])
    response = client.get(url)
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body == private_path(issued.path).read_bytes()
    application = Application.objects.get(pk=issued.application_id)
    assert application.status == Status.CLOSED
    assert list(application.events.values_list("to_status", flat=True))[-2:] == [Status.PICKED_UP, Status.CLOSED]
    assert client.get(url).status_code == 200  # again, without another move
    assert application.events.count() == 4


def test_pickup_handover_is_not_closed_by_a_download(signing: dict, actor_of: Any, client: Any) -> None:
    Application.objects.filter(pk=signing["application"].pk).update(handover=Application.Handover.PICKUP)
    document = signing_service.sign_application(
        application=signing["application"], actor=actor_of(signing["users"]["head"]), passphrase=PASSPHRASE
    )
    client.force_login(signing["budi"].user)
    assert client.get(reverse("services:document_download", args=[document.verify_token])).status_code == 200
    assert Application.objects.get(pk=document.application_id).status == Status.ISSUED


def test_office_downloads_without_moving_the_application(signing: dict, issued: IssuedDocument, client: Any) -> None:
    for user in (signing["users"]["officer"], signing["users"]["head"], signing["users"]["admin"]):
        client.force_login(user)
        assert client.get(reverse("services:document_download", args=[issued.verify_token])).status_code == 200
    assert Application.objects.get(pk=issued.application_id).status == Status.ISSUED


def test_others_and_guessed_tokens_get_404(
    signing: dict, issued: IssuedDocument, client: Any, other_government: Any, make_citizen: Any, make_user: Any
) -> None:
    url = reverse("services:document_download", args=[issued.verify_token])
    assert client.get(url).status_code == 302  # anonymous: to the sign-in page
    stranger = make_citizen(other_government, "warga-lain", "3374016308920002", "Warga Lain")
    for user in (signing["siti"].user, signing["users"]["staff"], signing["users"]["other_staff"], stranger.user):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.force_login(signing["budi"].user)
    for _ in range(5):
        guess = secrets.token_urlsafe(18)
        assert client.get(reverse("services:document_download", args=[guess])).status_code == 404
    assert Application.objects.get(pk=issued.application_id).status == Status.ISSUED
