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
