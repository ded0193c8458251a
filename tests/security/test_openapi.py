"""The committed OpenAPI document matches the code, the API docs page exists, and schemathesis fuzzes
every operation against the live WSGI app with a bounded number of examples: no server errors, and
every documented response conforms to its schema."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from siaga.core.management.commands.openapi import openapi_document
from siaga.core.models import Role
from siaga.core.services import api_token_create

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def test_committed_openapi_document_is_the_one_the_code_serves() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == openapi_document(), (
        "docs/openapi.json is out of date: run `siaga openapi -o docs/openapi.json` and commit it"
    )


def test_openapi_command_writes_the_document(tmp_path: Path) -> None:
    out = tmp_path / "openapi.json"
    call_command("openapi", "-o", str(out))
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["openapi"].startswith("3.") and document["paths"]


@pytest.mark.django_db
def test_served_document_and_docs_page(client: Any, org: dict[str, Any]) -> None:
    served = client.get("/api/openapi.json")
    assert served.status_code == 200
    assert served.json()["paths"].keys() == json.loads(COMMITTED.read_text(encoding="utf-8"))["paths"].keys()
    docs = client.get("/api/docs")
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()


# ---- schemathesis ---------------------------------------------------------------------------------

schema = schemathesis.openapi.from_dict(json.loads(COMMITTED.read_text(encoding="utf-8")))
schema.app = get_wsgi_application()

#: Which fixture user's token fuzzes an operation: the role that may call it, so that the examples
#: reach the operation's logic rather than stopping at 403.
TOKEN_BY_PREFIX = [
    ("/api/v1/cases", "health"),
    ("/api/v1/clusters", "health"),
    ("/api/v1/outbreak", "health"),
    ("/api/v1/follow-up", "health"),
    ("/api/v1/presence", "health"),
    ("/api/v1/measures", "health"),
    ("/api/v1/disinfections", "health"),
    ("/api/v1/me/", "staff"),
    ("/api/v1/attendance", "staff"),
    ("/api/v1/work-reports", "staff"),
    ("/api/v1/travel-permits", "staff"),
    ("/api/v1/recalls", "head"),
    ("/api/v1/portal", "citizen"),
    ("/api/v1/appointments", "citizen"),
    ("/api/v1/survey", "citizen"),
    ("/api/v1/services", "officer"),
    ("/api/v1/delivery", "officer"),
]


def _role_for(path: str) -> str:
    return next((user for prefix, user in TOKEN_BY_PREFIX if path.startswith(prefix)), "admin")


@pytest.fixture
def tokens(org: dict[str, Any], make_user: Any) -> dict[str, str]:
    users = dict(org["users"], citizen=make_user("warga", (org["government"], Role.CITIZEN)))
    return {
        name: api_token_create(government=org["government"], user=user, name=f"fuzz {name}", actor=None)[1]
        for name, user in users.items()
    }


@pytest.fixture
def keep_connection() -> Any:
    """Requests through the WSGI app run inside the test's transaction: as Django's test client does,
    keep the connection open at the end of each request (on PostgreSQL closing it ends the test)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=int(os.environ.get("SIAGA_FUZZ_EXAMPLES", "3")),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_fuzzed(case: Any, tokens: dict[str, str], keep_connection: Any) -> None:
    token = tokens[_role_for(case.path)]
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
    )
