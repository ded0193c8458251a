"""Reads of the public services, scoped through ``siaga.core.access``."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from siaga.core.access import Actor, scope_applications
from siaga.services.models import Application


def applications(actor: Actor) -> QuerySet[Application]:
    """The applications ``actor`` may see (their own, their OPD's, their managed units' or the government's)."""
    return scope_applications(actor, Application.objects.select_related("service", "citizen", "unit", "assigned_to"))


def application_by_reference(actor: Actor, reference: str) -> Application:
    """One application by its tracking code, or 404 when it is not the actor's to see."""
    try:
        return applications(actor).get(reference=reference.strip().upper())
    except Application.DoesNotExist:
        raise Http404 from None


def application_get(actor: Actor, pk: int) -> Application:
    """One application by id, or 404 when it is not the actor's to see."""
    try:
        return applications(actor).get(pk=pk)
    except Application.DoesNotExist:
        raise Http404 from None
