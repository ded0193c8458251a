"""API token scopes: what another system may do with its token, per area of the API.

A token acts as one user within one government (its roles decide *what data*); its scopes narrow
*which parts of the API* it may call at all. Each area has two scopes: ``AREA:read`` for the safe
methods (GET, HEAD, OPTIONS) and ``AREA:write`` for the others. A scope never widens a role: a token
with ``outbreak:read`` acting as a unit head still sees no health data.

Sessions of logged-in users are not limited by scopes (their roles alone apply).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

#: The API's areas, in the order the token page lists them. Each router is mounted with one area
#: (siaga/api/urls.py), so every operation has exactly one.
AREAS: dict[str, StrPromise] = {
    "org": _("Organisation: units, positions, employees, buildings, acting officials"),
    "roster": _("Roster plans, own schedules and leave"),
    "attendance": _("Attendance, presence and check-ins"),
    "workday": _("Work reports (e-Kinerja), travel permits and recalls"),
    "meetings": _("Meetings and mass events"),
    "outbreak": _("Outbreak response: cases, contacts, quarantine and isolation, clusters"),
    "measures": _("Building restrictions and disinfection"),
    "services": _("Public service applications: the back office"),
    "portal": _("Public service applications: the citizen's own"),
    "delivery": _("Deliveries and appointments"),
    "survey": _("Satisfaction survey (SKM)"),
    "command": _("Command center: the day's situation"),
}
READ, WRITE = "read", "write"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
ALL_SCOPES: tuple[str, ...] = tuple(f"{area}:{level}" for area in AREAS for level in (READ, WRITE))


def required_scope(area: str, method: str) -> str:
    """The scope a request with this method needs in this area."""
    return f"{area}:{READ if method.upper() in SAFE_METHODS else WRITE}"


def normalise(scopes: Iterable[str]) -> list[str]:
    """Scopes in catalogue order, without repeats; ``AREA:write`` brings ``AREA:read`` with it (a
    system that may change records may read them). Raises ValueError naming an unknown scope."""
    wanted = {scope.strip() for scope in scopes if scope.strip()}
    unknown = sorted(wanted - set(ALL_SCOPES))
    if unknown:
        raise ValueError(", ".join(unknown))
    for scope in list(wanted):
        area, level = scope.split(":")
        if level == WRITE:
            wanted.add(f"{area}:{READ}")
    return [scope for scope in ALL_SCOPES if scope in wanted]


def summary(scopes: Iterable[str]) -> str:
    """A short label for lists: ``org:read, attendance:write`` (a write scope hides its read)."""
    granted = set(scopes)
    if set(ALL_SCOPES) <= granted:
        return "*"
    shown = [s for s in ALL_SCOPES if s in granted and not (s.endswith(":read") and s[:-5] + ":write" in granted)]
    return ", ".join(shown)
