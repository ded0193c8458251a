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
from siaga.command.api import router as command_router
from siaga.delivery.api import router as delivery_router
from siaga.measures.api import router as measures_router
from siaga.meetings.api import router as meetings_router
from siaga.org.api import router as org_router
from siaga.outbreak.api import router as outbreak_router
from siaga.outbreak.api_clusters import router as outbreak_clusters_router
from siaga.outbreak.api_followup import router as outbreak_followup_router
from siaga.rostering.api import router as roster_router
from siaga.services.api_documents import documents_router
from siaga.services.api_office import office_router
from siaga.services.api_portal import portal_router
from siaga.survey.api import router as survey_router
from siaga.workday.api import router as workday_router


class SiagaAPI(NinjaAPI):
    """The API, whose OpenAPI document also names the token scope each operation needs: OpenAPI 3.1
    lists it in the operation's ``security`` requirement for the bearer scheme (as a role name)."""

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: Any = None) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        needed: dict[str, str] = {}
        for bound in self._get_bound_routers():
            for path_view in bound.path_operations.values():
                for operation in path_view.operations:
                    token_auth = next((a for a in operation.auth_callbacks if isinstance(a, TokenAuth)), None)
                    scope = token_auth.scope_for(operation.methods[0]) if token_auth else None
                    if scope:
                        needed[operation.operation_id or self.get_openapi_operation_id(operation)] = scope
        for path_item in schema["paths"].values():
            for details in path_item.values():
                scope = needed.get(details.get("operationId", ""))
                if scope is None:
                    continue
                details["security"] = [
                    {name: [scope] if name == TokenAuth.__name__ else roles for name, roles in requirement.items()}
                    for requirement in details.get("security", [])
                ]
                details["description"] = (details.get("description", "") + f"\n\nToken scope: `{scope}`.").strip()
        return schema


api = SiagaAPI(
    title="Siaga API",
    version="1",
    description=(
        "Organisation data of a regional government: units (OPD tree), positions, employees (ASN), "
        "buildings, floors and rooms, acting officials (Plh/Plt) and the authority check.\n\n"
        "Authenticate with `Authorization: Bearer <token>` (tokens are created at /tokens/ or with "
        "`siaga token create`), or with the session of a logged-in user (unsafe methods then need the "
        "`X-CSRFToken` header). Every answer is limited to the caller's government and role.\n\n"
        "A token may call only the parts of the API it was given: each operation names its scope "
        "(`AREA:read` for GET, `AREA:write` for changes, which includes read); a token without it gets 403."
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


#: Every router with its area of token scopes (siaga.core.scopes): a token needs AREA:read for GET and
#: AREA:write for the other methods there.
ROUTERS = (
    ("org", org_router),
    ("roster", roster_router),
    ("attendance", attendance_router),
    ("workday", workday_router),
    ("meetings", meetings_router),
    ("outbreak", outbreak_router),
    ("outbreak", outbreak_followup_router),
    ("outbreak", outbreak_clusters_router),
    ("measures", measures_router),
    ("portal", portal_router),
    ("services", office_router),
    ("services", documents_router),
    ("delivery", delivery_router),
    ("survey", survey_router),
    ("command", command_router),
)
for _area, _router in ROUTERS:
    api.add_router("/v1/", _router, auth=[TokenAuth(_area), SessionAuth()])
