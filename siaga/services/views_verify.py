"""Public verification of issued documents (no login): by the link in the QR code, or by uploading the
PDF. Shows only the document's public summary; rate-limited per IP address."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from siaga.core import ratelimit
from siaga.core.uploads import check_upload
from siaga.core.views import client_ip
from siaga.engines.signing.verify import verify_pdf
from siaga.services import selectors_documents
from siaga.services.models import IssuedDocument


def rate_limited(request: HttpRequest) -> bool:
    """Count this request against its IP address's budget for the current minute, shared by every web
    process (``siaga.core.ratelimit``)."""
    return ratelimit.hit(f"verify:{client_ip(request) or '-'}", limit=settings.VERIFY_RATE_LIMIT, window=60)


def _too_many(request: HttpRequest) -> HttpResponse:
    response = render(request, "services/verify/limited.html", status=429)
    response["Retry-After"] = "60"
    return response


def _state(document: IssuedDocument | None) -> str:
    if document is None:
        return "unknown"
    return "revoked" if document.revoked_at else "valid"


@require_http_methods(["GET"])
def document(request: HttpRequest, token: str) -> HttpResponse:
    if rate_limited(request):
        return _too_many(request)
    found = selectors_documents.public_document(token)
    return render(
        request,
        "services/verify/document.html",
        {"document": found, "state": _state(found)},
        status=200 if found else 404,
    )


def check_file(data: bytes) -> dict[str, Any]:
    """The verdict on an uploaded PDF: its signatures against the trust roots, and whether it is
    byte for byte an original Siaga issued."""
    verdict = verify_pdf(data, settings.SIGNING_TRUST_ROOTS)
    original = selectors_documents.documents_by_hash(verdict.sha256).first()
    if original is not None and original.revoked_at:
        state = "revoked"
    elif verdict.valid and original is not None:
        state = "valid"
    elif not verdict.signed:
        state = "unsigned"
    elif not verdict.intact:
        state = "altered"
    elif not verdict.trusted:
        state = "untrusted"
    elif original is None:
        state = "not_issued"
    else:
        state = "altered"
    return {"state": state, "verdict": verdict, "document": original}


@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {}
    if request.method == "POST":
        if rate_limited(request):
            return _too_many(request)
        try:
            if "file" not in request.FILES:
                raise ValidationError(_("Choose the PDF file of the document to check."))
            upload = check_upload(
                request.FILES.get("file"), kinds=("pdf",), max_bytes=settings.UPLOAD_MAX_BYTES, field="file"
            )
        except ValidationError as exc:
            context["error"] = " ".join(exc.messages)
        else:
            context.update(check_file(upload.data))
    template = (
        "services/verify/_result.html"
        if request.headers.get("HX-Request") and request.method == "POST"
        else ("services/verify/index.html")
    )
    return render(request, template, context, status=400 if context.get("error") else 200)
