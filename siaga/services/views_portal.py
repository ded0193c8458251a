"""The citizens' portal: catalogue, registration, applying, tracking, downloads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from siaga.core.access import Perm, request_actor
from siaga.core.middleware import SESSION_GOVERNMENT_KEY
from siaga.core.models import Government
from siaga.core.uploads import private_path
from siaga.services import selectors, selectors_portal, services_portal, workflow
from siaga.services.forms_portal import (
    ApplicationForm,
    CodeForm,
    IdentifierForm,
    RegistrationForm,
    ResubmitForm,
    WithdrawForm,
    add_errors,
)
from siaga.services.models import Citizen, Mode, OneTimeCode, Status

BACKEND = "siaga.services.auth.CitizenBackend"


def safe_reverse(name: str, *args: object) -> str:
    """The URL of ``name``, or "" when that view does not exist (yet)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _code_key(government: Government, purpose: str) -> str:
    return f"portal_code_{purpose}_{government.pk}"


# ---------------------------------------------------------------------------------------------------
# Catalogue (public)


def index(request: HttpRequest) -> HttpResponse:
    governments = list(selectors_portal.governments())
    if len(governments) == 1:
        return redirect("portal:catalogue", code=governments[0].code)
    return render(request, "services/portal/index.html", {"governments": governments})


def catalogue(request: HttpRequest, code: str) -> HttpResponse:
    government = selectors_portal.government_by_code(code)
    units, restriction = selectors_portal.catalogue(government)
    return render(
        request,
        "services/portal/catalogue.html",
        {"government": government, "units": units, "restriction": restriction},
    )


def service_detail(request: HttpRequest, code: str, service: str) -> HttpResponse:
    government = selectors_portal.government_by_code(code)
    item = selectors_portal.service_public(government, service)
    mode = selectors.effective_mode(item, timezone.localdate())
    return render(
        request,
        "services/portal/service.html",
        {
            "government": government,
            "service": item,
            "mode": mode,
            "mode_label": Mode(mode).label,
            "online": selectors_portal.is_online(mode),
        },
    )


# ---------------------------------------------------------------------------------------------------
# Registration and sign-in by code


def register(request: HttpRequest, code: str) -> HttpResponse:
    government = selectors_portal.government_by_code(code)
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _citizen, otc = services_portal.registration_start(government=government, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            request.session[_code_key(government, OneTimeCode.Purpose.REGISTER)] = otc.pk
            return redirect("portal:register_confirm", code=government.code)
    return render(request, "services/portal/register.html", {"government": government, "form": form})


def _code_confirm(
    request: HttpRequest, government: Government, purpose: str, check: Callable[..., Citizen]
) -> Citizen | HttpResponse:
    """The code page of registration and of sign-in by code: on a right code the citizen is signed in and
    returned; otherwise the page (with what is wrong) is."""
    key = _code_key(government, purpose)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            citizen = check(government=government, code_id=request.session.get(key), code=form.cleaned_data["code"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            request.session.pop(key, None)
            login(request, citizen.user, backend=BACKEND)
            request.session[SESSION_GOVERNMENT_KEY] = government.pk
            return citizen
    return render(
        request,
        "services/portal/code.html",
        {"government": government, "form": form, "purpose": purpose, "has_code": key in request.session},
    )


def register_confirm(request: HttpRequest, code: str) -> HttpResponse:
    government = selectors_portal.government_by_code(code)
    result = _code_confirm(request, government, OneTimeCode.Purpose.REGISTER, services_portal.registration_confirm)
    if isinstance(result, HttpResponse):
        return result
    messages.success(request, _("Your account is active. You can now apply for services."))
    return redirect("portal:catalogue", code=government.code)


@require_POST
def code_resend(request: HttpRequest, code: str, purpose: str) -> HttpResponse:
    government = selectors_portal.government_by_code(code)
    if purpose not in OneTimeCode.Purpose.values:
        raise Http404
    try:
        otc = services_portal.registration_resend(
            government=government, code_id=request.session.get(_code_key(government, purpose))
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        request.session[_code_key(government, purpose)] = otc.pk
        messages.success(request, _("A new code has been sent."))
    target = "portal:register_confirm" if purpose == OneTimeCode.Purpose.REGISTER else "portal:code_login_confirm"
    return redirect(target, code=government.code)


def code_login(request: HttpRequest, code: str) -> HttpResponse:
    government = selectors_portal.government_by_code(code)
    form = IdentifierForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            otc = services_portal.login_code_request(government=government, identifier=form.cleaned_data["identifier"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            request.session[_code_key(government, OneTimeCode.Purpose.LOGIN)] = otc.pk if otc else 0
            return redirect("portal:code_login_confirm", code=government.code)
    return render(request, "services/portal/code_login.html", {"government": government, "form": form})


def code_login_confirm(request: HttpRequest, code: str) -> HttpResponse:
    government = selectors_portal.government_by_code(code)
    result = _code_confirm(request, government, OneTimeCode.Purpose.LOGIN, services_portal.login_code_check)
    if isinstance(result, HttpResponse):
        return result
    messages.success(request, _("You are signed in. Change your password on the account page if you forgot it."))
    return redirect("portal:my_applications")


# ---------------------------------------------------------------------------------------------------
# Applying and tracking (signed-in citizens)


@login_required
def apply(request: HttpRequest, code: str, service: str) -> HttpResponse:
    actor = request_actor(request)
    government = selectors_portal.government_by_code(code)
    item = selectors_portal.service_public(government, service)
    citizen = selectors_portal.citizen_of(actor)
    if citizen is None or citizen.government_id != government.pk:
        if actor.has_perm(Perm.APPLY):
            raise Http404
        messages.error(request, _("Applications are made with a citizen account; register on the portal."))
        return redirect("portal:service", code=government.code, service=item.code)
    mode = selectors.effective_mode(item, timezone.localdate())
    if mode == Mode.IN_PERSON:
        messages.error(request, services_portal.in_person_message(item, mode))
        return redirect("portal:service", code=government.code, service=item.code)
    form = ApplicationForm(request.POST or None, request.FILES or None, service=item)
    if request.method == "POST" and form.is_valid():
        try:
            application = services_portal.application_submit(
                service=item,
                citizen=citizen,
                data=form.answers(),
                files=form.uploads(),
                handover=form.cleaned_data["handover"],
                delivery_address=form.cleaned_data.get("delivery_address", ""),
                actor=actor,
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request,
                _("Your application has been submitted. Your tracking code is %(reference)s.")
                % {"reference": application.reference},
            )
            return redirect("portal:application", reference=application.reference)
    return render(
        request, "services/portal/apply.html", {"government": government, "service": item, "form": form, "mode": mode}
    )


@login_required
def my_applications(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    if not actor.has_perm(Perm.APPLY):
        raise Http404
    page = Paginator(selectors_portal.my_applications(actor), 20).get_page(request.GET.get("page"))
    return render(request, "services/portal/my_applications.html", {"page": page})


@login_required
def application_detail(request: HttpRequest, reference: str) -> HttpResponse:
    actor = request_actor(request)
    application = selectors_portal.my_application(actor, reference)
    document = getattr(application, "document", None) if hasattr(application, "document") else None
    document_url = safe_reverse("services:document_download", document.verify_token) if document else ""
    return render(
        request,
        "services/portal/application.html",
        {
            "application": application,
            "events": application.events.filter(public=True),
            "attachments": selectors_portal.current_attachments(application),
            "may_resubmit": workflow.may_move(actor, application, Status.RESUBMITTED),
            "may_withdraw": workflow.may_move(actor, application, Status.CANCELLED),
            "document_url": document_url,
            **_delivery_and_appointment(application),
        },
    )


def _delivery_and_appointment(application: Any) -> dict[str, object]:
    """The delivery status, and the appointment link of a service by appointment while it is open."""
    from siaga.delivery import selectors as delivery_selectors
    from siaga.delivery.models import Appointment

    open_ = application.status not in (Status.CLOSED, Status.CANCELLED, Status.REJECTED)
    attended = application.appointments.filter(status=Appointment.Status.ATTENDED).exists()
    return {
        "delivery": delivery_selectors.delivery_for(application),
        "by_appointment": open_
        and not attended
        and delivery_selectors.needs_appointment(application, timezone.localdate()),
        "appointment": delivery_selectors.current_appointment(application) if open_ else None,
    }


@login_required
def application_resubmit(request: HttpRequest, reference: str) -> HttpResponse:
    actor = request_actor(request)
    application = selectors_portal.my_application(actor, reference)
    form = ResubmitForm(request.POST or None, request.FILES or None, service=application.service)
    if request.method == "POST" and form.is_valid():
        try:
            services_portal.application_resubmit(
                application=application, files=form.uploads(), note=form.cleaned_data["note"], actor=actor
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Your corrected documents have been sent to the office."))
            return redirect("portal:application", reference=application.reference)
    return render(request, "services/portal/resubmit.html", {"application": application, "form": form})


@login_required
def application_withdraw(request: HttpRequest, reference: str) -> HttpResponse:
    actor = request_actor(request)
    application = selectors_portal.my_application(actor, reference)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services_portal.application_withdraw(
                application=application, reason=form.cleaned_data["reason"], actor=actor
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Your application has been withdrawn."))
            return redirect("portal:application", reference=application.reference)
    return render(request, "services/portal/withdraw.html", {"application": application, "form": form})


@login_required
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    """An uploaded file, for the applicant and the office only (404 for anyone else)."""
    actor = request_actor(request)
    attachment = selectors_portal.attachment_get(actor, pk)
    path = private_path(attachment.path)
    if not path.is_file():
        raise Http404
    response = FileResponse(path.open("rb"), content_type=attachment.mime, as_attachment=False)
    response["Content-Disposition"] = f'inline; filename="{attachment.pk}.{path.suffix.lstrip(".")}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
