"""Reads of the public services, scoped through ``siaga.core.access``."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from siaga.core.access import Actor, scope_applications
from siaga.core.models import Government
from siaga.services.models import Application, FaceToFaceRestriction, Service


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


def restriction_in_force(government: Government | int, day: dt.date | None = None) -> FaceToFaceRestriction | None:
    """The face-to-face restriction of ``government`` that holds on ``day`` (today by default), if any."""
    government_id = government.pk if isinstance(government, Government) else government
    return (
        FaceToFaceRestriction.objects.filter(government_id=government_id, start__lte=day or timezone.localdate())
        .filter(Q(end__isnull=True) | Q(end__gte=day or timezone.localdate()))
        .order_by("-start")
        .first()
    )


def effective_mode(service: Service, day: dt.date | None = None, *, restricted: bool | None = None) -> str:
    """The mode ``service`` runs in on ``day``: its ``restricted_mode`` while a face-to-face restriction
    holds, else its normal ``mode``. ``restricted`` skips the look-up when the caller already knows."""
    if restricted is None:
        restricted = restriction_in_force(service.government_id, day) is not None
    return service.restricted_mode if restricted else service.mode
