"""API of the organisation app (mounted at /api/v1/)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from siaga.core.access import Perm

router = Router(tags=["organisation"])


class GovernmentOut(Schema):
    code: str
    name: str
    kind: str
    zone: str
    roles: list[str]


@router.get("/me", response=GovernmentOut, summary="The caller's government and roles")
def me(request: HttpRequest) -> GovernmentOut:
    actor = request.actor  # type: ignore[attr-defined]
    actor.require(Perm.VIEW_ORG) if not actor.roles else None
    government = actor.government
    return GovernmentOut(
        code=government.code,
        name=government.name,
        kind=government.kind,
        zone=government.zone,
        roles=sorted(actor.roles),
    )
