"""Authentication and the envelope of the API: tokens, sessions and CSRF, who is refused how,
tenancy of tokens, the /me endpoint, errors, the OpenAPI document and the docs page."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.middleware.csrf import _get_new_csrf_string
from django.utils import timezone

from siaga.api.auth import LastUsed, last_used
from siaga.api.tests.conftest import ApiClient
from siaga.core.models import ApiToken, Role, RoleAssignment
from siaga.core.services import api_token_revoke

# Every operation with an example request; the path parameters point at rows that exist in `org`.
ENDPOINTS = [
    ("get", "/me"),
    ("get", "/units"),
    ("get", "/units/DPMPTSP"),
    ("get", "/positions"),
    ("get", "/employees"),
    ("get", "/employees/{staff}"),
    ("post", "/employees"),
    ("patch", "/employees/{staff}"),
    ("get", "/buildings"),
    ("get", "/buildings/GEDUNG-A"),
    ("get", "/delegations"),
    ("get", "/delegations/1"),
    ("post", "/delegations"),
    ("post", "/delegations/1/revoke"),
    ("get", "/authority?nip={staff}&unit=DPMPTSP-PEL&action=approve_leave"),
]


def call(api: ApiClient, method: str, path: str, org: dict[str, Any]) -> Any:
    """Send a well-formed request (bodies are parsed before the view checks the role)."""
    url = path.format(staff=org["staff"].nip)
    if method == "get":
        return api.get(url)
    if method == "patch":
        return api.patch(url, {"phone": "0811"})
    bodies = {
        "/employees": {"nip": "199005172015032007", "name": "Dewi Lestari", "unit": "DPMPTSP-PEL"},
        "/delegations": {
            "kind": "plh",
            "unit": "DPMPTSP-PEL",
            "official": org["kabid"].nip,
            "acting": org["staff"].nip,
            "start": "2026-01-05",
            "end": "2026-01-09",
        },
    }
    return api.post(url, bodies.get(path, {}))


UNAUTHORIZED = {"detail": "Authentication required: send a valid API token or log in."}
FORBIDDEN = {"detail": "Your role does not allow this."}


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_every_endpoint_refuses_an_anonymous_caller_with_401(org: dict[str, Any], method: str, path: str) -> None:
    response = call(ApiClient(), method, path, org)
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED
    assert response["WWW-Authenticate"] == 'Bearer realm="siaga"'


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_every_endpoint_refuses_a_user_without_a_government_with_403(
    as_user: Callable[..., ApiClient], org: dict[str, Any], method: str, path: str
) -> None:
    response = call(as_user("nobody"), method, path, org)
    assert response.status_code == 403
    assert response.json() == FORBIDDEN


@pytest.mark.parametrize(("method", "path"), ENDPOINTS[1:])
def test_every_endpoint_but_me_refuses_a_citizen_with_403(
    as_user: Callable[..., ApiClient], org: dict[str, Any], method: str, path: str
) -> None:
    response = call(as_user("citizen"), method, path, org)
    assert response.status_code == 403
    assert response.json() == FORBIDDEN


@pytest.mark.parametrize(
    ("role", "username", "roles", "nip_of", "unit"),
    [
        ("admin", "bkpsdm", ["admin"], None, None),
        ("health", "satgas", ["health"], None, None),
        ("officer", "petugas", ["service_officer"], None, None),
        ("head", "kadis", ["employee", "unit_head"], "kadis", "DPMPTSP"),
        ("kabid", "kabid", ["employee", "unit_head"], "kabid", "DPMPTSP-PEL"),
        ("staff", "staf", ["employee"], "staff", "DPMPTSP-PEL"),
        ("citizen", "warga", ["citizen"], None, None),
    ],
)
def test_me_tells_the_government_and_roles_of_each_role(
    as_user: Callable[..., ApiClient],
    org: dict[str, Any],
    role: str,
    username: str,
    roles: list[str],
    nip_of: str | None,
    unit: str | None,
) -> None:
    response = as_user(role).get("/me")
    assert response.status_code == 200
    assert response.json() == {
        "username": username,
        "government": {"code": "33.11", "name": "Kabupaten Sukoharjo", "kind": "kabupaten", "zone": "WIB"},
        "roles": roles,
        "employee_nip": org[nip_of].nip if nip_of else None,
        "unit": unit,
    }


# ---------------------------------------------------------------------------------------------------
# Tokens


def test_a_token_authenticates_without_csrf_and_records_its_last_use(
    org: dict[str, Any], make_token: Callable[..., str]
) -> None:
    key = make_token(org["users"]["admin"], org["government"])
    api = ApiClient(token=key, enforce_csrf=True)
    response = api.get("/me")
    assert response.status_code == 200
    assert response.json()["username"] == "bkpsdm"
    created = api.post("/employees", {"nip": "199005172015032007", "name": "Dewi Lestari", "unit": "DPMPTSP-PEL"})
    assert created.status_code == 201
    last_used.flush()
    assert ApiToken.objects.get().last_used_at is not None


def test_last_use_is_written_behind_in_one_update(
    org: dict[str, Any], make_token: Callable[..., str], django_assert_max_num_queries: Any
) -> None:
    for _ in range(3):
        make_token(org["users"]["admin"], org["government"])
    recorder = LastUsed(every=dt.timedelta(hours=1))
    now = timezone.now()
    ids = list(ApiToken.objects.order_by("pk").values_list("pk", flat=True))
    with django_assert_max_num_queries(0):  # uses within the window cost no write
        for pk in ids:
            recorder.touch(pk, now)
    assert not ApiToken.objects.filter(last_used_at__isnull=False).exists()
    with django_assert_max_num_queries(1):
        recorder.flush()
    assert set(ApiToken.objects.values_list("last_used_at", flat=True)) == {now.replace(microsecond=0)}
    # An older use never moves the time back.
    recorder.touch(ids[0], now - dt.timedelta(hours=2))
    recorder.flush()
    assert ApiToken.objects.get(pk=ids[0]).last_used_at == now.replace(microsecond=0)
    # Once the window has passed, the next use writes at once.
    eager = LastUsed(every=dt.timedelta(0))
    later = now + dt.timedelta(minutes=10)
    eager.touch(ids[1], later)
    assert ApiToken.objects.get(pk=ids[1]).last_used_at == later.replace(microsecond=0)


@pytest.mark.parametrize(
    "spoil",
    ["revoke", "expire", "deactivate_user", "drop_role", "garbage"],
)
def test_a_token_that_is_revoked_expired_or_orphaned_gets_401(
    org: dict[str, Any], make_token: Callable[..., str], spoil: str
) -> None:
    admin = org["users"]["admin"]
    key = make_token(admin, org["government"])
    token = ApiToken.objects.get()
    if spoil == "revoke":
        api_token_revoke(token=token, actor=None)
    elif spoil == "expire":
        ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    elif spoil == "deactivate_user":
        type(admin).objects.filter(pk=admin.pk).update(is_active=False)
    elif spoil == "drop_role":
        RoleAssignment.objects.filter(user=admin).delete()
    else:
        key = key[:-4] + "xxxx"
    response = ApiClient(token=key).get("/units")
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


def test_a_token_that_has_not_expired_yet_works(org: dict[str, Any], make_token: Callable[..., str]) -> None:
    key = make_token(org["users"]["officer"], org["government"], expires_at=timezone.now() + dt.timedelta(days=1))
    response = ApiClient(token=key).get("/units")
    assert response.status_code == 200
    assert response.json()["count"] == 4


def test_a_token_acts_in_its_own_government_only(
    org: dict[str, Any], other_org: dict[str, Any], make_token: Callable[..., str]
) -> None:
    """The same user is admin in A and B; a token made for B sees B's rows and none of A's."""
    admin = org["users"]["admin"]
    RoleAssignment.objects.create(user=admin, government=other_org["government"], role=Role.ADMIN)
    api = ApiClient(token=make_token(admin, other_org["government"]))
    assert api.get("/me").json()["government"]["code"] == "33.13"
    units = api.get("/units").json()
    assert [u["code"] for u in units["items"]] == ["BAPPEDA", "DPMPTSP", "DPMPTSP-PEL"]
    assert api.get("/units/DPMPTSP").json()["name"] == "DPMPTSP Karanganyar"
    assert api.get("/units/DINKES").status_code == 404
    assert api.get(f"/employees/{org['staff'].nip}").status_code == 404
    employees = api.get("/employees").json()
    assert [e["name"] for e in employees["items"]] == ["Kabid Karanganyar", "Staf Karanganyar"]
    # and a token for A sees A's
    api_a = ApiClient(token=make_token(admin, org["government"]))
    assert api_a.get("/units/DPMPTSP").json()["name"] == "DPMPTSP"
    assert api_a.get("/units/BAPPEDA").status_code == 404


def test_a_bearer_token_wins_over_the_session(
    org: dict[str, Any], other_org: dict[str, Any], make_token: Callable[..., str]
) -> None:
    api = ApiClient(user=org["users"]["staff"], token=make_token(other_org["admin"], other_org["government"]))
    assert api.get("/me").json()["username"] == "admin_b"


# ---------------------------------------------------------------------------------------------------
# Sessions and CSRF


def test_a_session_reads_without_csrf(as_user: Callable[..., ApiClient]) -> None:
    response = as_user("admin", enforce_csrf=True).get("/units")
    assert response.status_code == 200


def test_a_session_write_without_the_csrf_token_is_refused(as_user: Callable[..., ApiClient]) -> None:
    api = as_user("admin", enforce_csrf=True)
    response = api.post("/employees", {"nip": "199005172015032007", "name": "Dewi Lestari", "unit": "DPMPTSP-PEL"})
    assert response.status_code == 403
    assert response.json() == {
        "detail": "CSRF check failed: send the X-CSRFToken header with the value of the csrftoken cookie."
    }


def test_a_session_write_with_the_csrf_token_passes(as_user: Callable[..., ApiClient]) -> None:
    api = as_user("admin", enforce_csrf=True)
    secret = _get_new_csrf_string()
    api.client.cookies["csrftoken"] = secret
    response = api.post(
        "/employees",
        {"nip": "199005172015032007", "name": "Dewi Lestari", "unit": "DPMPTSP-PEL"},
        headers={"X-CSRFToken": secret},
    )
    assert response.status_code == 201
    assert response.json()["nip"] == "199005172015032007"


def test_an_anonymous_write_gets_401_not_a_csrf_failure(org: dict[str, Any]) -> None:
    response = ApiClient(enforce_csrf=True).post("/delegations", {})
    assert response.status_code == 401


# ---------------------------------------------------------------------------------------------------
# Errors, OpenAPI, docs


def test_an_invalid_query_parameter_is_a_422_with_field_errors(as_user: Callable[..., ApiClient]) -> None:
    response = as_user("admin").get("/employees", limit=0, status="honorer")
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "The data is not valid."
    assert sorted(body["errors"]) == ["limit", "status"]
    assert body["errors"]["limit"] == ["Input should be greater than or equal to 1"]


@pytest.mark.indonesian
def test_messages_are_in_indonesian_unless_the_language_cookie_says_otherwise(org: dict[str, Any]) -> None:
    from django.test import Client

    response = Client().get("/api/v1/units")
    assert response.status_code == 401
    assert response["Content-Language"] == "id"
    assert ApiClient().get("/units")["Content-Language"] == "en"


EXPECTED_PATHS = [
    "/api/v1/appointments/{reference}",
    "/api/v1/appointments/{reference}/cancel",
    "/api/v1/appointments/{reference}/slots",
    "/api/v1/attendance/check-ins",
    "/api/v1/attendance/check-ins/{pk}",
    "/api/v1/attendance/check-ins/{pk}/check-out",
    "/api/v1/attendance/exceptions",
    "/api/v1/authority",
    "/api/v1/buildings",
    "/api/v1/buildings/{code}",
    "/api/v1/cases",
    "/api/v1/cases/{case_id}",
    "/api/v1/cases/{case_id}/classify",
    "/api/v1/cases/{case_id}/contacts",
    "/api/v1/cases/{case_id}/contacts/second-generation",
    "/api/v1/cases/{case_id}/contacts/trace",
    "/api/v1/cases/{case_id}/contacts/{contact_id}/decision",
    "/api/v1/cases/{case_id}/follow-up",
    "/api/v1/cases/{case_id}/graph",
    "/api/v1/cases/{case_id}/lab-results",
    "/api/v1/cases/{case_id}/orders",
    "/api/v1/cases/{case_id}/orders/{order_id}/end",
    "/api/v1/cases/{case_id}/proposals",
    "/api/v1/clusters",
    "/api/v1/clusters/proposals",
    "/api/v1/clusters/{cluster_id}",
    "/api/v1/clusters/{cluster_id}/cases",
    "/api/v1/clusters/{cluster_id}/cases/{case_id}/remove",
    "/api/v1/clusters/{cluster_id}/close",
    "/api/v1/clusters/{cluster_id}/graph",
    "/api/v1/clusters/{cluster_id}/source-findings",
    "/api/v1/clusters/{cluster_id}/source-findings/{finding_id}",
    "/api/v1/clusters/{cluster_id}/source-findings/{finding_id}/verdicts",
    "/api/v1/command/situation",
    "/api/v1/delegations",
    "/api/v1/delegations/{delegation_id}",
    "/api/v1/delegations/{delegation_id}/revoke",
    "/api/v1/delivery/orders",
    "/api/v1/delivery/orders/{order_id}",
    "/api/v1/delivery/orders/{order_id}/delivered",
    "/api/v1/delivery/orders/{order_id}/depart",
    "/api/v1/delivery/orders/{order_id}/failed",
    "/api/v1/delivery/orders/{order_id}/reschedule",
    "/api/v1/delivery/today",
    "/api/v1/disinfections",
    "/api/v1/disinfections/overdue",
    "/api/v1/disinfections/{task_id}/complete",
    "/api/v1/documents/{token}.pdf",
    "/api/v1/employees",
    "/api/v1/employees/{nip}",
    "/api/v1/events",
    "/api/v1/events/{event_id}",
    "/api/v1/events/{event_id}/cancel",
    "/api/v1/events/{event_id}/reschedule",
    "/api/v1/follow-up/missing",
    "/api/v1/me",
    "/api/v1/me/contacts",
    "/api/v1/me/symptom-checks",
    "/api/v1/me/symptom-checks/today",
    "/api/v1/measures",
    "/api/v1/measures/{measure_id}/lift",
    "/api/v1/meetings",
    "/api/v1/meetings/rooms",
    "/api/v1/meetings/{meeting_id}",
    "/api/v1/meetings/{meeting_id}/attendance",
    "/api/v1/meetings/{meeting_id}/cancel",
    "/api/v1/meetings/{meeting_id}/decision",
    "/api/v1/meetings/{meeting_id}/reschedule",
    "/api/v1/outbreak/dashboard",
    "/api/v1/portal/applications",
    "/api/v1/portal/applications/{reference}",
    "/api/v1/portal/services",
    "/api/v1/positions",
    "/api/v1/presence",
    "/api/v1/recalls",
    "/api/v1/recalls/check",
    "/api/v1/recalls/{recall_id}",
    "/api/v1/recalls/{recall_id}/acknowledge",
    "/api/v1/recalls/{recall_id}/cancel",
    "/api/v1/roster/leave",
    "/api/v1/roster/leave/{leave_id}/decision",
    "/api/v1/roster/me",
    "/api/v1/roster/plans",
    "/api/v1/roster/plans/{plan_id}",
    "/api/v1/roster/plans/{plan_id}/cancel",
    "/api/v1/roster/plans/{plan_id}/days",
    "/api/v1/roster/plans/{plan_id}/publish",
    "/api/v1/services/office/applications/{application_id}",
    "/api/v1/services/office/applications/{application_id}/assign",
    "/api/v1/services/office/applications/{application_id}/move",
    "/api/v1/services/office/applications/{application_id}/take",
    "/api/v1/services/office/queue",
    "/api/v1/survey/ikm",
    "/api/v1/survey/{reference}/answer",
    "/api/v1/travel-permits",
    "/api/v1/travel-permits/{permit_id}",
    "/api/v1/travel-permits/{permit_id}/cancel",
    "/api/v1/travel-permits/{permit_id}/decision",
    "/api/v1/units",
    "/api/v1/units/{code}",
    "/api/v1/verification/{token}",
    "/api/v1/work-reports",
    "/api/v1/work-reports/recap",
    "/api/v1/work-reports/recap.xlsx",
    "/api/v1/work-reports/{report_id}",
    "/api/v1/work-reports/{report_id}/decision",
    "/api/v1/work-reports/{report_id}/submit",
]


def test_the_openapi_document_is_valid_json_listing_every_path(db: Any) -> None:
    from django.test import Client

    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    document = json.loads(response.content)
    assert document["openapi"].startswith("3.")
    assert sorted(document["paths"]) == EXPECTED_PATHS
    assert sorted(document["paths"]["/api/v1/employees"]) == ["get", "post"]
    assert sorted(document["paths"]["/api/v1/employees/{nip}"]) == ["get", "patch"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert operation["summary"], (method, path)
            public = path == "/api/v1/verification/{token}"  # the QR code's check: no credentials
            assert ("401" in operation["responses"]) != public, (method, path)
    schemes = document["components"]["securitySchemes"]
    assert schemes["TokenAuth"] == {"type": "http", "scheme": "bearer"}
    assert schemes["SessionAuth"] == {"type": "apiKey", "in": "cookie", "name": "sessionid"}
    employee = document["components"]["schemas"]["EmployeeOut"]["properties"]
    assert "risk_profile" not in employee
    assert "comorbidity" not in employee


def test_the_docs_page_loads_swagger_from_this_site_only(db: Any) -> None:
    from django.test import Client

    response = Client().get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'src="/static/ninja/swagger-ui-bundle\.[0-9a-f]+\.js"', html)
    assert re.search(r'href="/static/ninja/swagger-ui\.[0-9a-f]+\.css"', html)
    assert re.search(r"https?://", html) is None
    assert '"validatorUrl": null' in html
