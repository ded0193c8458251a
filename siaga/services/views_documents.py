"""Back office: the signing queue of heads and their Plh/Plt, previews, signing (one or several with
one passphrase), returning or rejecting, and downloads of signed documents."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from siaga.core import access
from siaga.services import batch_signing, documents, selectors_documents, services_portal, signing


def _signer_actor(request: HttpRequest) -> access.Actor:
    actor = access.request_actor(request)
    if selectors_documents.signer_employee(actor) is None or not actor.headed_unit_ids:
        raise PermissionDenied
    return actor


@login_required
@require_GET
def signing_queue(request: HttpRequest) -> HttpResponse:
    actor = _signer_actor(request)
    return render(
        request,
        "services/documents/queue.html",
        {"applications": selectors_documents.awaiting_signature(actor)},
    )


@login_required
@require_GET
def signing_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The unsigned document as it will be signed (the number is provisional)."""
    actor = _signer_actor(request)
    application = selectors_documents.signable_get(actor, pk)
    year = timezone.localdate().year
    pdf = documents.render(
        application,
        number=f"{documents.PREFIXES.get(application.service.product_kind, '000')}/…/{application.unit.code}/{year}",
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="draf-{application.reference}.pdf"'
    return response


def _result(request: HttpRequest, results: list[signing.BatchResult]) -> HttpResponse:
    template = (
        "services/documents/_results.html" if request.headers.get("HX-Request") else "services/documents/results.html"
    )
    return render(request, template, {"results": results})


@login_required
@require_POST
def sign(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _signer_actor(request)
    application = selectors_documents.signable_get(actor, pk)
    results = signing.sign_batch(applications=[application], actor=actor, passphrase=request.POST.get("passphrase", ""))
    return _result(request, results)


@login_required
@require_POST
def sign_batch(request: HttpRequest) -> HttpResponse:
    """Queue the chosen documents for signing by the background workers; the page then follows the
    batch's progress. A wrong passphrase queues nothing and says so at once."""
    actor = _signer_actor(request)
    ids = {int(v) for v in request.POST.getlist("application") if v.isdigit()}
    if not ids:
        return _result(request, [])
    chosen = [a for a in selectors_documents.awaiting_signature(actor) if a.pk in ids]
    if len(chosen) != len(ids):
        raise Http404
    try:
        batch = batch_signing.batch_start(
            actor=actor, applications=chosen, passphrase=request.POST.get("passphrase", "")
        )
    except ValidationError as exc:
        if not request.headers.get("HX-Request"):
            messages.error(request, " ".join(exc.messages))
            return redirect("services:signing_queue")
        return render(request, "services/documents/_batch_refused.html", {"error": " ".join(exc.messages)})
    if not request.headers.get("HX-Request"):
        return redirect("services:sign_batch_detail", batch.pk)
    return _batch(request, batch.pk, actor)


def _batch(request: HttpRequest, pk: int, actor: access.Actor) -> HttpResponse:
    batch = selectors_documents.batch_get(actor, pk)
    items = list(batch.items.all())
    done = sum(1 for item in items if item.status in (item.Status.SIGNED, item.Status.FAILED))
    context = {
        "batch": batch,
        "items": items,
        "done": done,
        "signed": sum(1 for item in items if item.status == item.Status.SIGNED),
        "resumed": batch.running and any(item.attempts > 1 for item in items),
    }
    template = (
        "services/documents/_batch.html" if request.headers.get("HX-Request") else "services/documents/batch.html"
    )
    return render(request, template, context)


@login_required
@require_GET
def sign_batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A batch's live progress (polled by htmx every second while it runs), then each document's result."""
    return _batch(request, pk, _signer_actor(request))


@login_required
@require_POST
def decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    """Return for correction or reject."""
    actor = _signer_actor(request)
    application = selectors_documents.signable_get(actor, pk)
    note = request.POST.get("note", "")
    try:
        if decision == "return":
            signing.return_for_correction(application=application, actor=actor, note=note)
            message = _("Returned to the officers for correction.")
        else:
            signing.reject(application=application, actor=actor, note=note)
            message = _("The application was rejected; the applicant has been told.")
    except ValidationError as exc:
        if not request.headers.get("HX-Request"):
            messages.error(request, " ".join(exc.messages))
            return redirect("services:signing_queue")
        return render(
            request,
            "services/documents/_decision.html",
            {"application": application, "error": " ".join(exc.messages)},
            status=400,
        )
    if not request.headers.get("HX-Request"):
        messages.success(request, message)
        return redirect("services:signing_queue")
    return render(request, "services/documents/_decision.html", {"application": application, "message": message})


@login_required
@require_GET
def document_download(request: HttpRequest, token: str) -> FileResponse:
    """The signed PDF, for the applicant and the office; 404 for anyone else. The applicant's first
    download of a document they chose to download closes the application."""
    actor = access.request_actor(request)
    document = selectors_documents.document_by_token(actor, token)
    try:
        handle = services_portal.document_open(actor=actor, document=document)
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(
        handle, content_type="application/pdf", as_attachment=True, filename=services_portal.document_filename(document)
    )
