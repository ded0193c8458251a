"""Reads of the citizens' portal: the public catalogue, the mode each service runs in today, and a
citizen's own applications and attachments (scoped through ``siaga.services.selectors``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from itertools import groupby

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from siaga.core.access import Actor, Perm
from siaga.core.models import Government
from siaga.services import selectors
from siaga.services.models import Application, Attachment, Citizen, FaceToFaceRestriction, Mode, Service


def governments() -> QuerySet[Government]:
    """The governments whose portal is open on this instance."""
    return Government.objects.filter(is_active=True).order_by("name")


def government_by_code(code: str) -> Government:
    try:
        return governments().get(code=code)
    except Government.DoesNotExist:
        raise Http404 from None


def is_online(mode: str) -> bool:
    """Whether applications can be submitted on the portal in this mode."""
    return mode in (Mode.ONLINE, Mode.APPOINTMENT)


@dataclass
class CatalogueEntry:
    service: Service
    mode: str

    @property
    def mode_label(self) -> str:
        return str(Mode(self.mode).label)

    @property
    def online(self) -> bool:
        return is_online(self.mode)


@dataclass
class CatalogueUnit:
    name: str
    entries: list[CatalogueEntry] = field(default_factory=list)


def active_services(government: Government) -> QuerySet[Service]:
    return Service.objects.filter(government=government, is_active=True).select_related("unit")


def catalogue(
    government: Government, day: dt.date | None = None
) -> tuple[list[CatalogueUnit], FaceToFaceRestriction | None]:
    """Active services grouped by providing unit, each with its mode on ``day``; and the restriction in force."""
    day = day or timezone.localdate()
    restriction = selectors.restriction_in_force(government, day)
    services = active_services(government).order_by("unit__name", "name")
    units = [
        CatalogueUnit(
            name=name,
            entries=[
                CatalogueEntry(s, selectors.effective_mode(s, day, restricted=restriction is not None)) for s in group
            ],
        )
        for name, group in groupby(services, key=lambda s: s.unit.name)
    ]
    return units, restriction


def service_public(government: Government, code: str) -> Service:
    try:
        return active_services(government).select_related("signer_position").get(code=code)
    except Service.DoesNotExist:
        raise Http404 from None


def citizen_of(actor: Actor) -> Citizen | None:
    """The actor's citizen record in their government (None for anyone else)."""
    if not actor.is_authenticated or not actor.has_perm(Perm.APPLY):
        return None
    return Citizen.objects.filter(user_id=actor.user_id or 0, government_id=actor.government_id).first()


def my_applications(actor: Actor) -> QuerySet[Application]:
    """The actor's own applications (as applicant), newest first."""
    return selectors.applications(actor).filter(citizen__user_id=actor.user_id or 0)


def my_application(actor: Actor, reference: str) -> Application:
    """One of the actor's own applications by tracking code (404 otherwise, also for officers)."""
    try:
        return my_applications(actor).get(reference=reference.strip().upper())
    except Application.DoesNotExist:
        raise Http404 from None


def current_attachments(application: Application) -> QuerySet[Attachment]:
    return application.attachments.filter(superseded=False).order_by("requirement", "-uploaded_at")


def attachment_get(actor: Actor, pk: int) -> Attachment:
    """An attachment of an application the actor may see (the applicant, the office), else 404."""
    try:
        return Attachment.objects.select_related("application").get(
            pk=pk, application__in=selectors.applications(actor)
        )
    except Attachment.DoesNotExist:
        raise Http404 from None
