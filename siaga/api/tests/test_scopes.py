"""Token scopes: a token calls only the parts of the API it was given (siaga.core.scopes)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from siaga.api.auth import TokenAuth
from siaga.api.tests.conftest import ApiClient
from siaga.api.urls import ROUTERS, api
from siaga.core import scopes
from siaga.core.models import ApiToken
from siaga.core.services import api_token_create
from siaga.org.models import Employee

pytestmark = pytest.mark.django_db

#: Operations anyone may call without credentials.
PUBLIC = {"/api/v1/verification/{token}"}


def _token(org: dict[str, Any], who: str, *granted: str) -> ApiClient:
    _record, key = api_token_create(
        government=org["government"], user=org["users"][who], name="SIMPEG", actor=None, scopes=granted
    )
    return ApiClient(token=key)


def test_a_read_scope_reads_but_does_not_write_and_the_refusal_names_the_scope(org: dict[str, Any]) -> None:
    api_client = _token(org, "admin", "org:read")
    assert api_client.get("/employees").status_code == 200
    refused = api_client.post("/employees", {"nip": "199005172015032007", "name": "Dewi", "unit": "DPMPTSP-PEL"})
    assert refused.status_code == 403
    assert "org:write" in refused.json()["detail"]
    assert not Employee.objects.filter(name="Dewi").exists()


def test_a_write_scope_includes_read(org: dict[str, Any]) -> None:
    api_client = _token(org, "admin", "org:write")
    assert ApiToken.objects.get().scopes == ["org:read", "org:write"]
    assert api_client.get("/employees").status_code == 200
    created = api_client.post("/employees", {"nip": "199005172015032007", "name": "Dewi", "unit": "DPMPTSP-PEL"})
    assert created.status_code == 201


def test_a_token_is_refused_outside_its_areas_but_may_always_ask_who_it_is(org: dict[str, Any]) -> None:
    api_client = _token(org, "staff", "attendance:write")
    assert api_client.get("/me").json()["username"] == "staf"
    refused = api_client.get("/employees")
    assert refused.status_code == 403
    assert "org:read" in refused.json()["detail"]
    # Inside its area the request reaches the operation (here refused for its data, not its scope).
    check_in = api_client.post("/attendance/check-ins", {})
    assert check_in.status_code == 422


def test_a_scope_never_widens_the_role(org: dict[str, Any]) -> None:
    """A unit head's token with the outbreak scope still sees no cluster: that is the task force's."""
    head = _token(org, "head", "outbreak:read")
    assert head.get("/clusters/proposals").status_code == 403
    health = _token(org, "health", "outbreak:read")
    assert health.get("/clusters/proposals").status_code == 200


def test_a_session_is_not_limited_by_scopes(org: dict[str, Any]) -> None:
    assert ApiClient(user=org["users"]["admin"]).get("/employees").status_code == 200


def test_every_operation_needs_the_scope_of_its_area_and_the_openapi_document_says_which() -> None:
    areas = {area for area, _router in ROUTERS}
    assert areas == set(scopes.AREAS), "every area has a router and every router an area"
    schema = api.get_openapi_schema(path_prefix="/api/")
    checked = 0
    for path, item in schema["paths"].items():
        for method, details in item.items():
            if path in PUBLIC:
                assert "security" not in details, path
                continue
            token_requirements = [r["TokenAuth"] for r in details["security"] if "TokenAuth" in r]
            assert len(token_requirements) == 1, (method, path)
            if path == "/api/v1/me":
                assert token_requirements == [[]]
                continue
            (needed,) = token_requirements[0]
            level = "read" if method == "get" else "write"
            assert needed.endswith(f":{level}") and needed.split(":")[0] in scopes.AREAS, (method, path, needed)
            assert f"Token scope: `{needed}`." in details["description"]
            checked += 1
    assert checked > 100


def test_every_mounted_operation_checks_a_token_scope() -> None:
    """No operation is left reachable by a token of any scope, except /me; none is public but the
    verification of a document (like its public page)."""
    open_to_any, public = [], []
    for bound in api._get_bound_routers():
        for path, path_view in bound.path_operations.items():
            for operation in path_view.operations:
                if not operation.auth_callbacks:
                    public.append(path)
                    continue
                token_auth = [a for a in operation.auth_callbacks if isinstance(a, TokenAuth)]
                assert len(token_auth) == 1, path
                if token_auth[0].area is None:
                    open_to_any.append(path)
    assert open_to_any == ["/me"]
    assert ["/api/v1" + path for path in public] == sorted(PUBLIC)


def test_unknown_or_missing_scopes_are_refused_with_a_message(org: dict[str, Any]) -> None:
    for bad, message in ((["org:admin"], "Unknown scope: org:admin"), ([], "Choose at least one scope")):
        with pytest.raises(ValidationError) as error:
            api_token_create(government=org["government"], user=org["users"]["admin"], name="X", actor=None, scopes=bad)
        assert message in str(error.value)
    assert not ApiToken.objects.exists()


def test_the_command_line_takes_scopes_and_refuses_unknown_ones(org: dict[str, Any]) -> None:
    with pytest.raises(CommandError, match="Unknown scope attendance:delete"):
        call_command(
            "token", "create", "--government", "33.11", "--user", "bkpsdm", "--name", "SIMPEG",
            "--scope", "attendance:delete",
        )  # fmt: skip
    call_command(
        "token", "create", "--government", "33.11", "--user", "bkpsdm", "--name", "SIMPEG",
        "--scope", "attendance:write", "--scope", "org:read",
    )  # fmt: skip
    assert ApiToken.objects.get().scopes == ["org:read", "attendance:read", "attendance:write"]


def test_the_token_page_refuses_a_token_without_scopes(org: dict[str, Any], client: Any) -> None:
    client.force_login(org["users"]["admin"])
    response = client.post(
        reverse("token_list"), {"name": "SIMPEG", "user": org["users"]["admin"].pk, "valid_days": 30}
    )
    assert response.context["new_key"] is None
    assert "Choose at least one part of the API" in response.content.decode()
    assert not ApiToken.objects.exists()


@pytest.mark.indonesian
def test_the_refusal_is_in_indonesian(org: dict[str, Any]) -> None:
    _record, key = api_token_create(
        government=org["government"], user=org["users"]["admin"], name="SIMPEG", actor=None, scopes=["org:read"]
    )
    response = Client().get("/api/v1/cases", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 403
    assert "outbreak:read" in response.json()["detail"] and "Token API ini" in response.json()["detail"]


def test_tokens_made_before_scopes_keep_the_whole_api(org: dict[str, Any], make_token: Callable[..., str]) -> None:
    make_token(org["users"]["admin"], org["government"])
    ApiToken.objects.update(scopes=[])
    migration = importlib.import_module("siaga.core.migrations.0005_api_token_scopes")
    migration.grant_existing_tokens_every_scope(django_apps, None)
    assert ApiToken.objects.get().scopes == list(scopes.ALL_SCOPES)
