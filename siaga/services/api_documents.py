"""API of issued documents (mounted at /api/v1/): the signed PDF for its applicant and the office, and
the public verification of a document by the token in its QR code.

The verification answers anyone (no token, like the public page) with only the document's public
summary, and is rate-limited per IP address like the page (429 with Retry-After).
"""

# No ``from __future__ import annotations`` here: ninja resolves the schema annotations at import.
import datetime as dt
from typing import Any, Literal

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from siaga.api.schemas import ERRORS_ONE, ErrorOut
from siaga.api.schemas import api_actor as _actor
from siaga.services import selectors_documents, services_portal
from siaga.services.models import IssuedDocument
from siaga.services.views_verify import rate_limited

documents_router = Router(tags=["documents"])


class SummaryOut(Schema):
    title: str = ""
    number: str = ""
    service: str = ""
    unit: str = ""
    applicant: str = Field("", description="Masked, as printed on the verification page.")


class VerificationOut(Schema):
    state: Literal["valid", "revoked"]
    number: str
    summary: SummaryOut
    signer_name: str
    signer_position: str = Field(description='With "Plh." or "Plt." when an acting official signed.')
    signed_at: dt.datetime
    revoked_at: dt.datetime | None
    revoke_reason: str
    sha256: str = Field(description="Of the signed PDF: a file with another hash is not this document.")

    @staticmethod
    def resolve_state(obj: IssuedDocument) -> str:
        return "revoked" if obj.revoked_at else "valid"


@documents_router.get(
    "/verification/{token}",
    response={200: VerificationOut, 404: ErrorOut, 429: ErrorOut},
    summary="Verify a document (public)",
    auth=None,
)
def verification(request: HttpRequest, token: str, response: HttpResponse) -> Any:
    """What the QR code's page says: valid or revoked, who signed and when, the public summary and the
    file's SHA-256. 404 when no document was issued with this token. Needs no token; rate-limited per
    IP address (429 with Retry-After)."""
    if rate_limited(request):
        response["Retry-After"] = "60"
        return Status(429, {"detail": _("Too many checks from your address. Wait a minute and try again.")})
    document = selectors_documents.public_document(token)
    if document is None:
        raise Http404
    return document


@documents_router.get(
    "/documents/{token}.pdf", response={200: None, **ERRORS_ONE}, summary="Download a signed document"
)
def document_pdf(request: HttpRequest, token: str) -> Any:
    """The signed PDF, for its applicant and the office that may see the application (404 for anyone
    else). The applicant's first download of a document chosen for download closes the application."""
    actor = _actor(request)
    document = selectors_documents.document_by_token(actor, token)
    try:
        handle = services_portal.document_open(actor=actor, document=document)
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(
        handle, content_type="application/pdf", as_attachment=True, filename=services_portal.document_filename(document)
    )
