"""Template helpers: permission checks and small formatting."""

from __future__ import annotations

from typing import Any

from django import template
from django.http import QueryDict

from siaga.core.access import Perm

register = template.Library()


@register.filter
def can(actor: Any, perm: str) -> bool:
    """``{% if actor|can:"manage_org" %}``"""
    return bool(actor) and getattr(actor, "is_authenticated", False) and actor.has_perm(Perm(perm))


@register.filter
def has_role(actor: Any, role: str) -> bool:
    return bool(actor) and getattr(actor, "is_authenticated", False) and actor.has_role(role)


@register.simple_tag(takes_context=True)
def query_with(context: dict[str, Any], **changes: Any) -> str:
    """The current query string with some parameters replaced (for pagination links)."""
    request = context["request"]
    params: QueryDict = request.GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"
