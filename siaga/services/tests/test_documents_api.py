"""The documents API: the signed PDF for its applicant and the office, and the public verification."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from siaga.api.tests.conftest import ApiClient
from siaga.core.uploads import private_path
from siaga.services import signing as signing_service
from siaga.services.models import Application, IssuedDocument, Status
from siaga.services.tests.test_documents_setup import *  # noqa: F403 - the fixtures
from siaga.services.tests.test_documents_setup import PASSPHRASE


@pytest.fixture
def issued(signing: dict, actor_of: Any) -> IssuedDocument:
    return signing_service.sign_application(
        application=signing["application"], actor=actor_of(signing["users"]["head"]), passphrase=PASSPHRASE
    )


def test_the_applicant_downloads_the_signed_pdf_which_closes_the_application(signing: dict, issued: Any) -> None:
    response = ApiClient(user=signing["budi"].user).get(f"/documents/{issued.verify_token}.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == private_path(issued.path).read_bytes()
    assert Application.objects.get(pk=issued.application_id).status == Status.CLOSED


def test_the_office_downloads_and_others_get_404(
    signing: dict, issued: Any, other_government: Any, make_citizen: Any
) -> None:
    for user in (signing["users"]["officer"], signing["users"]["admin"]):
        assert ApiClient(user=user).get(f"/documents/{issued.verify_token}.pdf").status_code == 200
    assert Application.objects.get(pk=issued.application_id).status == Status.ISSUED
    stranger = make_citizen(other_government, "warga-lain", "3374016308920002", "Warga Lain")
    for user in (signing["siti"].user, signing["users"]["staff"], stranger.user):
        assert ApiClient(user=user).get(f"/documents/{issued.verify_token}.pdf").status_code == 404
    guess = secrets.token_urlsafe(18)
    assert ApiClient(user=signing["budi"].user).get(f"/documents/{guess}.pdf").status_code == 404
    assert ApiClient().get(f"/documents/{issued.verify_token}.pdf").status_code == 401


def test_anyone_verifies_a_document_without_credentials(signing: dict, issued: Any) -> None:
    response = Client().get(f"/api/v1/verification/{issued.verify_token}")
    assert response.status_code == 200
    body = response.json()
    assert (body["state"], body["number"], body["sha256"]) == ("valid", issued.number, issued.sha256)
    assert body["signer_name"] == issued.signer_name
    assert body["summary"]["applicant"] == issued.summary["applicant"]
    assert signing["budi"].nik not in response.content.decode()  # the summary masks it
    IssuedDocument.objects.filter(pk=issued.pk).update(revoked_at=issued.signed_at, revoke_reason="Salah ketik")
    revoked = Client().get(f"/api/v1/verification/{issued.verify_token}").json()
    assert (revoked["state"], revoked["revoke_reason"]) == ("revoked", "Salah ketik")
    assert Client().get(f"/api/v1/verification/{secrets.token_urlsafe(18)}").status_code == 404


def test_verification_is_rate_limited(signing: dict, issued: Any, signing_settings: Any) -> None:
    signing_settings.VERIFY_RATE_LIMIT = 3
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    statuses = [client.get(f"/api/v1/verification/{issued.verify_token}").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.get(f"/api/v1/verification/{issued.verify_token}")
    assert limited["Retry-After"] == "60" and "Wait a minute" in limited.json()["detail"]
