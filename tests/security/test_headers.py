"""Security headers on every page, CSRF on every form, HSTS and secure cookies in production settings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest
from django.test import Client

from siaga.core.middleware import CONTENT_SECURITY_POLICY
from tests.security.walk import page_routes
from tests.security.world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org: dict[str, Any], other_government: Any, make_user: Any, make_employee: Any) -> dict[str, Any]:
    return build_world(org, other_government, make_user, make_employee)


def test_the_content_security_policy_is_strict() -> None:
    directives = dict(d.split(" ", 1) for d in CONTENT_SECURITY_POLICY.split("; "))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY and "unsafe-eval" not in CONTENT_SECURITY_POLICY
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"


def test_every_page_carries_the_security_headers(world: dict[str, Any]) -> None:
    """Every page an admin or a citizen can open (and the anonymous pages) answers with the strict CSP,
    nosniff, a referrer policy and a frame ban; Swagger UI (/api/docs) and Django's admin keep their own
    inline code and so get no CSP, but still the other headers."""
    problems, checked = [], 0
    for role in ("anonymous", "admin", "citizen", "staff"):
        client = Client()
        if role != "anonymous":
            client.force_login(world["users"][role])
        for route in page_routes(world):
            response = client.get(route.path)
            if response.status_code != 200:
                continue
            checked += 1
            headers = response.headers
            own_inline_code = route.path.startswith(("/api/docs", "/admin/"))
            if not own_inline_code and headers.get("Content-Security-Policy") != CONTENT_SECURITY_POLICY:
                problems.append(f"{route.name} ({role}): CSP {headers.get('Content-Security-Policy')!r}")
            for name, value in (
                ("X-Content-Type-Options", "nosniff"),
                ("Referrer-Policy", "same-origin"),
                ("X-Frame-Options", "DENY"),
            ):
                if headers.get(name) != value:
                    problems.append(f"{route.name} ({role}): {name} {headers.get(name)!r}")
    assert checked > 60, checked
    assert not problems, "\n".join(problems)


def test_every_form_refuses_a_post_without_the_csrf_token(world: dict[str, Any]) -> None:
    """CSRF protection is on for every page (no view is exempt): a POST without the token is 403,
    for a logged-in user and for a visitor (login, citizen registration, public verification)."""
    exempt = []
    for role in ("admin", "anonymous"):
        client = Client(enforce_csrf_checks=True)
        if role != "anonymous":
            client.force_login(world["users"][role])
        for route in page_routes(world):
            response = client.post(route.path, {"x": "1"})
            if response.status_code != 403:
                exempt.append(f"{route.name} ({role}): {response.status_code}")
    assert not exempt, "\n".join(exempt)


def test_the_api_with_a_session_needs_the_csrf_header(world: dict[str, Any]) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["users"]["admin"])
    response = client.post("/api/v1/delegations", data="{}", content_type="application/json")
    assert response.status_code in (401, 403)


def _production_settings() -> dict[str, Any]:
    env = {
        **os.environ,
        "DEBUG": "false",
        "SIAGA_HTTPS": "true",
        "SECRET_KEY": "production-like-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "siaga.example.go.id",
    }
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; print(json.dumps({k: "
        "getattr(s, k) for k in ('SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_SSL_REDIRECT', "
        "'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_CONTENT_TYPE_NOSNIFF', 'X_FRAME_OPTIONS', "
        "'SECURE_REFERRER_POLICY', 'SESSION_COOKIE_HTTPONLY')}))"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, timeout=60)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_production_settings_turn_on_hsts_and_secure_cookies() -> None:
    s = _production_settings()
    assert s["SECURE_HSTS_SECONDS"] >= 31536000 and s["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert s["SECURE_SSL_REDIRECT"] and s["SESSION_COOKIE_SECURE"] and s["CSRF_COOKIE_SECURE"]
    assert s["SESSION_COOKIE_HTTPONLY"] and s["SECURE_CONTENT_TYPE_NOSNIFF"]
    assert (s["X_FRAME_OPTIONS"], s["SECURE_REFERRER_POLICY"]) == ("DENY", "same-origin")
