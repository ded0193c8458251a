"""Enumerate every URL of the site and every API operation, with path parameters filled."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver, reverse

OPENAPI = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
MISSING_ID = 999999
MISSING_REF = "NOPE-0000"


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name" (pages) or the operationId prefixed with "api." (API)
    method: str
    path: str
    api: bool = False


def url_patterns() -> Iterator[tuple[str, str, list[str]]]:
    """(full name, route text, parameter names) of every named page pattern outside the API."""

    def walk(resolver: URLResolver, prefix: str, namespace: str) -> Iterator[tuple[str, str, list[str]]]:
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                ns = namespace
                if pattern.namespace:
                    ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                yield from walk(pattern, prefix + str(pattern.pattern), ns)
            elif isinstance(pattern, URLPattern):
                name = f"{namespace}:{pattern.name}" if namespace else (pattern.name or "")
                params = list(pattern.pattern.regex.groupindex)
                yield name, prefix + str(pattern.pattern), params

    yield from walk(get_resolver(), "", "")


def _page_kwargs(name: str, params: list[str], world: dict[str, Any]) -> dict[str, Any]:
    other = world["other"]
    kwargs: dict[str, Any] = {}
    for param in params:
        if param in ("pk", "order_pk", "contact_pk", "case_pk", "finding_pk", "assignment_pk"):
            value: Any = MISSING_ID
            if param == "pk" and name.startswith("org:unit_"):
                value = other["unit"].pk
            elif param == "pk" and name.startswith("org:employee_"):
                value = other["employee"].pk
            elif param == "pk" and name in ("org:building_detail", "org:space_status"):
                value = other["building"].pk
            kwargs[param] = value
        elif param == "kind":
            kwargs[param] = {"org:import_template": "employees", "outbreak:export": "cases"}.get(name, "building")
        elif param == "fmt":
            kwargs[param] = {"org:import_template": "xlsx"}.get(name, "csv")
        elif param == "code":
            kwargs[param] = world["government"].code if name.startswith("portal:") else "NOPE"
        elif param == "service":
            kwargs[param] = "tidak-ada"
        elif param == "purpose":
            kwargs[param] = "register"
        elif param in ("reference", "token", "secret", "uidb64"):
            kwargs[param] = MISSING_REF
        else:
            raise AssertionError(f"the walk does not know how to fill <{param}> of {name}: teach walk.py")
    return kwargs


# ---- routes aimed at real objects ---------------------------------------------------------------------
# Which object each path parameter of these routes names, by the keys of ``objects_of`` (world.py). The
# walk with real objects requests only these routes, with the objects of one government.
_CASE = {"pk": "case"}
_CLUSTER = {"pk": "cluster"}
_MEETING = {"pk": "meeting"}
_EVENT = {"pk": "event"}
_APPLICATION = {"pk": "application"}
_DELIVERY = {"pk": "delivery"}
_DISINFECTION = {"pk": "disinfection"}
OBJECT_PAGES: dict[str, dict[str, str]] = {
    **{
        f"outbreak:{n}": _CASE
        for n in (
            "case_detail",
            "case_classify",
            "case_dates",
            "lab_result_add",
            "order_issue",
            "contact_add",
            "contact_trace",
            "second_generation",
            "reclassify_symptomatic",
            "case_graph",
        )
    },
    "outbreak:order_end": {"pk": "case", "order_pk": "order"},
    "outbreak:contact_decide": {"pk": "case", "contact_pk": "contact"},
    **{f"outbreak:{n}": _CLUSTER for n in ("cluster_detail", "cluster_member_add", "cluster_close", "finding_start")},
    "outbreak:cluster_member_remove": {"pk": "cluster", "case_pk": "cluster_case"},
    **{f"meetings:{n}": _MEETING for n in ("detail", "decide", "cancel", "move", "attend")},
    **{f"meetings:{n}": _EVENT for n in ("event_detail", "event_reschedule")},
    "measures:measure_lift": {"pk": "measure"},
    **{
        f"measures:{n}": _DISINFECTION
        for n in (
            "disinfection_detail",
            "disinfection_complete",
            "disinfection_cancel",
            "disinfection_photo",
        )
    },
    **{
        f"services:{n}": _APPLICATION
        for n in (
            "application",
            "application_take",
            "application_assign",
            "application_move",
        )
    },
    **{f"services:{n}": {"pk": "signing"} for n in ("signing_preview", "sign", "sign_return", "sign_reject")},
    "services:attachment": {"pk": "attachment"},
    "services:document_download": {"token": "document"},
    "verify:document": {"token": "document"},
    **{f"portal:{n}": {"reference": "citizen_application"} for n in ("application", "resubmit", "withdraw")},
    "portal:attachment": {"pk": "citizen_attachment"},
    "delivery:order_create": {"reference": "ready_application"},
    **{
        f"delivery:{n}": _DELIVERY
        for n in (
            "order",
            "order_reschedule",
            "order_depart",
            "order_delivered",
            "order_failed",
            "order_photo",
        )
    },
    "delivery:slot": {"pk": "slot"},
    "delivery:appointment": {"reference": "appointment_application"},
    "delivery:appointment_mark": {"pk": "appointment"},
    "survey:answer": {"reference": "survey_application"},
}
OBJECT_API: dict[str, dict[str, str]] = {
    **{
        f"/api/v1/cases/{{case_id}}{tail}": {"case_id": "case"}
        for tail in (
            "",
            "/proposals",
            "/classify",
            "/lab-results",
            "/orders",
            "/contacts",
            "/contacts/trace",
            "/follow-up",
            "/contacts/second-generation",
            "/graph",
        )
    },
    "/api/v1/cases/{case_id}/orders/{order_id}/end": {"case_id": "case", "order_id": "order"},
    "/api/v1/cases/{case_id}/contacts/{contact_id}/decision": {"case_id": "case", "contact_id": "contact"},
    **{
        f"/api/v1/clusters/{{cluster_id}}{tail}": {"cluster_id": "cluster"}
        for tail in (
            "",
            "/cases",
            "/close",
            "/graph",
            "/source-findings",
        )
    },
    "/api/v1/clusters/{cluster_id}/cases/{case_id}/remove": {"cluster_id": "cluster", "case_id": "cluster_case"},
    **{
        f"/api/v1/meetings/{{meeting_id}}{tail}": {"meeting_id": "meeting"}
        for tail in (
            "",
            "/decision",
            "/reschedule",
            "/cancel",
            "/attendance",
        )
    },
    **{f"/api/v1/events/{{event_id}}{tail}": {"event_id": "event"} for tail in ("", "/reschedule", "/cancel")},
    "/api/v1/measures/{measure_id}/lift": {"measure_id": "measure"},
    "/api/v1/disinfections/{task_id}/complete": {"task_id": "disinfection"},
    "/api/v1/portal/applications/{reference}": {"reference": "citizen_application"},
    **{
        f"/api/v1/services/office/applications/{{application_id}}{tail}": {"application_id": "application"}
        for tail in ("", "/move", "/take", "/assign")
    },
    **{
        f"/api/v1/delivery/orders/{{order_id}}{tail}": {"order_id": "delivery"}
        for tail in (
            "",
            "/reschedule",
            "/depart",
            "/delivered",
            "/failed",
        )
    },
    **{
        f"/api/v1/appointments/{{reference}}{tail}": {"reference": "appointment_application"}
        for tail in (
            "/slots",
            "",
            "/cancel",
        )
    },
    "/api/v1/survey/{reference}/answer": {"reference": "survey_application"},
}


def _object_value(param: str, obj: Any) -> Any:
    """What a path parameter names an object by: its tracking code, its verification token, or its id."""
    if param == "reference":
        return obj.reference
    if param == "token":
        return obj.verify_token
    return obj.pk


def object_page_routes(objects: dict[str, Any]) -> list[Route]:
    """The pages of OBJECT_PAGES, their parameters naming ``objects`` (see world.objects_of)."""
    routes = []
    for name, params in sorted(OBJECT_PAGES.items()):
        kwargs = {param: _object_value(param, objects[key]) for param, key in params.items()}
        routes.append(Route(name=name, method="GET", path=reverse(name, kwargs=kwargs)))
    return routes


def object_api_routes(objects: dict[str, Any]) -> list[Route]:
    """The API operations of OBJECT_API, their parameters naming ``objects``."""
    document = json.loads(OPENAPI.read_text(encoding="utf-8"))
    routes = []
    for path, operations in document["paths"].items():
        if path not in OBJECT_API:
            continue
        for method, operation in operations.items():
            filled = path
            for param, key in OBJECT_API[path].items():
                filled = filled.replace("{" + param + "}", str(_object_value(param, objects[key])))
            routes.append(Route(name=f"api.{operation['operationId']}", method=method.upper(), path=filled, api=True))
    return routes


def page_routes(world: dict[str, Any]) -> list[Route]:
    routes = []
    for name, route, params in url_patterns():
        if name.startswith("api:") or route.startswith("api/"):
            continue  # the API is walked from its OpenAPI document
        if name.startswith("admin:") and params:
            continue  # Django's admin pages with objects: no application user is staff (checked on the index)
        if not name or name == "?":
            routes.append(Route(name=f"/{route}", method="GET", path=f"/{route}"))
            continue
        routes.append(Route(name=name, method="GET", path=reverse(name, kwargs=_page_kwargs(name, params, world))))
    return routes


def _api_value(param: str, path: str, world: dict[str, Any]) -> str:
    other = world["other"]
    if param == "code":
        return other["building"].code if "/buildings/" in path else other["unit"].code
    if param == "nip":
        return other["employee"].nip
    if param == "reference":
        return MISSING_REF
    return str(MISSING_ID)


def api_routes(world: dict[str, Any]) -> list[Route]:
    document = json.loads(OPENAPI.read_text(encoding="utf-8"))
    routes = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            filled = path
            for param in [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"]:
                filled = filled.replace("{" + param + "}", _api_value(param, path, world))
            routes.append(Route(name=f"api.{operation['operationId']}", method=method.upper(), path=filled, api=True))
    return routes


def matrix_problems(observed: dict[str, dict[str, int]], matrix: dict[str, frozenset[str]], label: str) -> list[str]:
    """What the walk's answers (route → role → status) break of ``matrix`` (route → roles that may
    succeed): server errors, routes without an entry, roles that succeed without being listed and listed
    roles that do not succeed. ``SIAGA_WALK_PRINT=FILE`` writes the observed successes for editing."""
    import os

    if os.environ.get("SIAGA_WALK_PRINT"):
        with open(os.environ["SIAGA_WALK_PRINT"], "w", encoding="utf-8") as out:
            for name in sorted(observed):
                ok = sorted(r for r, s in observed[name].items() if 200 <= s < 300)
                out.write(f"{name!r}: {ok!r},  # {dict(sorted(observed[name].items()))}\n")
    problems = []
    for name, statuses in sorted(observed.items()):
        if errors := sorted(role for role, status in statuses.items() if status >= 500):
            problems.append(f"{name}: server error for {errors}")
        if name not in matrix:
            problems.append(f"{name}: no {label} entry (add the intended roles to {label})")
            continue
        succeeded = {role for role, status in statuses.items() if 200 <= status < 300}
        if extra := succeeded - matrix[name]:
            problems.append(f"{name}: succeeds for roles not in {label}: {sorted(extra)} ({statuses})")
        if missing := matrix[name] - succeeded:
            problems.append(f"{name}: intended roles do not succeed: {sorted(missing)} ({statuses})")
    return problems
