"""The HTTP API: every app's ``api.py`` router assembled under /api/v1/, OpenAPI at /api/openapi.json.

Errors share one shape, ``{"detail": "…", "errors": {"field": ["…"]}}`` (``errors`` only on 422):
401 without valid credentials, 403 when the role does not allow the request, 404 for what does not
exist *or belongs to another government*, 422 when a service or the request parser refuses the data.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as RequestValidationError

from siaga.api.auth import SessionAuth, TokenAuth
from siaga.attendance.api import router as attendance_router
from siaga.delivery.api import router as delivery_router
from siaga.measures.api import router as measures_router
from siaga.meetings.api import router as meetings_router
from siaga.org.api import router as org_router
from siaga.outbreak.api import router as outbreak_router
from siaga.outbreak.api_clusters import router as outbreak_clusters_router
from siaga.outbreak.api_followup import router as outbreak_followup_router
from siaga.services.api_office import office_router
from siaga.services.api_portal import portal_router
from siaga.survey.api import router as survey_router
from siaga.workday.api import router as workday_router

api = NinjaAPI(
    title="Siaga API",
    version="1",
    description=(
        "Organisation data of a regional government: units (OPD tree), positions, employees (ASN), "
        "buildings, floors and rooms, acting officials (Plh/Plt) and the authority check.\n\n"
        "Authenticate with `Authorization: Bearer <token>` (tokens are created at /tokens/ or with "
        "`siaga token create`), or with the session of a logged-in user (unsafe methods then need the "
        "`X-CSRFToken` header). Every answer is limited to the caller's government and role."
    ),
    auth=[TokenAuth(), SessionAuth()],
    openapi_url="/openapi.json",
    # Swagger UI from ninja's own static files ("ninja" is in INSTALLED_APPS); no online validator.
    docs=Swagger(settings={"validatorUrl": None}),
    docs_url="/docs",
    urls_namespace="api",
)


def _error(request: HttpRequest, status: int, detail: str, errors: dict[str, list[str]] | None = None) -> HttpResponse:
    body: dict[str, Any] = {"detail": detail}
    if errors is not None:
        body["errors"] = errors
    return api.create_response(request, body, status=status)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = _error(request, 401, _("Authentication required: send a valid API token or log in."))
    response["WWW-Authenticate"] = 'Bearer realm="siaga"'
    return response


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _error(request, 403, _("Your role does not allow this."))


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, _("Not found."))


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return _error(request, 422, _("The data is not valid."), errors)


def _field_name(location: list[Any]) -> str:
    """``["body", "payload", "nip"]`` → ``nip``; ``["query", "on"]`` → ``on``."""
    parts = [str(part) for part in location[1:]]
    if location and location[0] == "body" and parts:
        parts = parts[1:]  # the name of the view's body parameter
    return ".".join(parts) or "__all__"


@api.exception_handler(RequestValidationError)
def on_request_invalid(request: HttpRequest, exc: RequestValidationError) -> HttpResponse:
    """Query, path and body errors found by the parser, in the same shape as the services' errors."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        errors.setdefault(_field_name(list(error.get("loc", ()))), []).append(str(error.get("msg", "")))
    return _error(request, 422, _("The data is not valid."), errors)


api.add_router("/v1/", org_router)
api.add_router("/v1/", attendance_router)
api.add_router("/v1/", workday_router)
api.add_router("/v1/", meetings_router)
api.add_router("/v1/", outbreak_router)
api.add_router("/v1/", outbreak_followup_router)
api.add_router("/v1/", outbreak_clusters_router)
api.add_router("/v1/", measures_router)
api.add_router("/v1/", portal_router)
api.add_router("/v1/", office_router)
api.add_router("/v1/", delivery_router)
api.add_router("/v1/", survey_router)
