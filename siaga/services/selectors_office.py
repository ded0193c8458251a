"""Back office reads: the officer's queues, the unit head's view of the unit, counts per state. Every read
starts from ``siaga.services.selectors.applications(actor)``, so it is scoped by ``siaga.core.access``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, F, QuerySet
from django.utils import timezone

from siaga.core.access import Actor, Perm
from siaga.core.calendar import add_working_days
from siaga.org.models import Employee
from siaga.services import selectors, workflow
from siaga.services.models import Application, ApplicationEvent, Attachment, Service
from siaga.services.services_office import CLOCK_RUNS, NEW, OPEN_WORK, officers_for

QUEUES = ("mine", "unassigned", "overdue", "due_soon", "unit")


def is_office(actor: Actor) -> bool:
    """Whether the actor has a back office at all: a service officer, a unit head (or Plh/Plt), BKPSDM."""
    return actor.is_authenticated and (
        actor.has_perm(Perm.PROCESS_APPLICATIONS) or actor.has_perm(Perm.VIEW_APPLICATIONS)
    )


def is_supervisor(actor: Actor) -> bool:
    """Sees every application of the units they head (or of the government, for BKPSDM)."""
    return actor.is_authenticated and actor.has_perm(Perm.VIEW_APPLICATIONS)


def _ordered(qs: QuerySet[Application]) -> QuerySet[Application]:
    return qs.select_related("government").order_by(F("due_on").asc(nulls_last=True), "submitted_at", "pk")


def office_applications(actor: Actor) -> QuerySet[Application]:
    """Applications of the actor's office: their OPD's (officer), their units' (head), the government's
    (admin); never the actor's own as a citizen."""
    qs = selectors.applications(actor)
    if actor.has_perm(Perm.APPLY) and actor.user_id is not None:
        qs = qs.exclude(citizen__user_id=actor.user_id)
    return qs


def _warn_limit(actor: Actor, today: dt.date) -> dt.date:
    return add_working_days(actor.tenant, today, settings.SERVICE_SLA_WARNING_DAYS)


def queue(actor: Actor, name: str, *, today: dt.date | None = None) -> QuerySet[Application]:
    """One of the officer's queues, soonest due first: ``mine`` (assigned to me, open), ``unassigned``
    (new applications of my OPD nobody has taken), ``overdue`` and ``due_soon`` (mine; for a head, the
    unit's), ``unit`` (the head's whole unit, open)."""
    today = today or timezone.localdate()
    qs = office_applications(actor)
    mine = qs.filter(assigned_to_id=actor.employee_id) if actor.employee_id else qs.none()
    scope = qs if is_supervisor(actor) else mine
    if name == "mine":
        result = mine.filter(status__in=OPEN_WORK)
    elif name == "unassigned":
        result = qs.filter(assigned_to__isnull=True, status__in=NEW)  # ``qs`` is already the actor's scope
    elif name == "overdue":
        result = scope.filter(status__in=CLOCK_RUNS, due_on__lt=today)
    elif name == "due_soon":
        result = scope.filter(status__in=CLOCK_RUNS, due_on__gte=today, due_on__lte=_warn_limit(actor, today))
    elif name == "unit":
        result = qs if is_supervisor(actor) else qs.none()
    else:
        result = qs.none()
    return _ordered(result)


@dataclass
class UnitFilters:
    status: str = ""
    service: int | None = None
    officer: int | None = None
    overdue: bool = False


def unit_applications(actor: Actor, filters: UnitFilters, *, today: dt.date | None = None) -> QuerySet[Application]:
    """The head's (or BKPSDM's) view: every application in scope, filtered."""
    today = today or timezone.localdate()
    qs = queue(actor, "unit", today=today)
    qs = qs.filter(status=filters.status) if filters.status else qs.exclude(status__in=workflow.FINAL)
    if filters.service:
        qs = qs.filter(service_id=filters.service)
    if filters.officer:
        qs = qs.filter(assigned_to_id=filters.officer)
    if filters.overdue:
        qs = qs.filter(status__in=CLOCK_RUNS, due_on__lt=today)
    return qs


def counts_by_status(qs: QuerySet[Application]) -> dict[str, int]:
    return dict(qs.order_by().values_list("status").annotate(n=Count("pk")).values_list("status", "n"))


def queue_counts(actor: Actor, *, today: dt.date | None = None) -> dict[str, int]:
    names = ["mine", "unassigned", "overdue", "due_soon"] + (["unit"] if is_supervisor(actor) else [])
    counts = {name: queue(actor, name, today=today).count() for name in names}
    if "unit" in counts:
        counts["unit"] = queue(actor, "unit", today=today).exclude(status__in=workflow.FINAL).count()
    return counts


def office_application_get(actor: Actor, pk: int) -> Application:
    """One application of the actor's office, or 404."""
    from django.http import Http404

    app = office_applications(actor).filter(pk=pk).first()
    if app is None:
        raise Http404
    return app


def history(application: Application) -> QuerySet[ApplicationEvent]:
    """Every step, internal notes included (the office sees them all)."""
    return application.events.select_related("actor").order_by("at", "pk")


def attachments(application: Application) -> QuerySet[Attachment]:
    return application.attachments.filter(superseded=False).order_by("requirement", "-uploaded_at")


def attachment_get(actor: Actor, pk: int) -> Attachment:
    """One attachment of an application the actor may see, or 404."""
    from django.http import Http404

    attachment = (
        Attachment.objects.filter(pk=pk, application__in=selectors.applications(actor))
        .select_related("application")
        .first()
    )
    if attachment is None:
        raise Http404
    return attachment


def assignable_officers(application: Application) -> list[Employee]:
    return officers_for(application.unit)


def services_in_scope(actor: Actor) -> QuerySet[Service]:
    return Service.objects.filter(pk__in=office_applications(actor).values("service_id")).order_by("name")
