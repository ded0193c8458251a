"""Reads of the case registry, scoped by ``siaga.core.access.scope_cases``; every read is audit-logged."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from siaga.core import access
from siaga.core.access import Actor, Perm
from siaga.core.services import audit_record
from siaga.outbreak.models import CLOSED, Case, ContactProposal, Order, RuleSet


@dataclass(frozen=True)
class CaseFilters:
    classification: str = ""
    open_only: bool = False
    under_order: str = ""  # "", "isolation" or "quarantine": an order in force today
    q: str = ""


def _log_read(actor: Actor, *, object_id: str, object_repr: str, ip_address: str | None) -> None:
    audit_record(
        actor=actor.user,
        government=actor.government_id,
        action="read",
        object_type="outbreak.case",
        object_id=object_id,
        object_repr=object_repr,
        ip_address=ip_address,
    )


def case_list(*, actor: Actor, filters: CaseFilters | None = None, ip_address: str | None = None) -> QuerySet[Case]:
    """The task force's case list (403 for anyone else); the read is logged with its filters."""
    if not actor.is_authenticated or not actor.has_perm(Perm.VIEW_HEALTH):
        raise PermissionDenied(Perm.VIEW_HEALTH)
    filters = filters or CaseFilters()
    qs = access.scope_cases(actor, Case.objects.all()).select_related("employee__unit")
    if filters.classification:
        qs = qs.filter(classification=filters.classification)
    if filters.open_only:
        qs = qs.exclude(classification__in=CLOSED)
    if filters.under_order:
        today = timezone.localdate()
        qs = qs.filter(
            Exists(
                Order.objects.filter(
                    case=OuterRef("pk"),
                    kind=filters.under_order,
                    status=Order.Status.ACTIVE,
                    start__lte=today,
                    end__gte=today,
                )
            )
        )
    if filters.q:
        term = filters.q.strip()
        qs = qs.filter(Q(employee__name__icontains=term) | Q(employee__nip=term) | Q(visitor_name__icontains=term))
    _log_read(
        actor,
        object_id="list",
        object_repr=(
            f"case list {filters.classification or '*'} open={filters.open_only}"
            f" order={filters.under_order or '*'} q={filters.q[:40]}"
        ),
        ip_address=ip_address,
    )
    return qs


def my_cases(*, actor: Actor, ip_address: str | None = None) -> QuerySet[Case]:
    """The person's own cases ("Kasus saya"); logged like any health read."""
    if not actor.is_authenticated or not actor.employee_id:
        raise PermissionDenied("employee")
    qs = Case.objects.filter(government_id=actor.government_id, employee_id=actor.employee_id).prefetch_related(
        "orders"
    )
    _log_read(actor, object_id="mine", object_repr=f"own cases of employee {actor.employee_id}", ip_address=ip_address)
    return qs


def case_get(*, actor: Actor, pk: int, ip_address: str | None = None) -> Case:
    """One case with its history, lab results and orders: the task force or the person (else 404)."""
    case = (
        access.scope_cases(actor, Case.objects.all())
        .select_related("employee__unit")
        .prefetch_related("history__changed_by", "lab_results", "orders")
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise Http404
    _log_read(actor, object_id=str(case.pk), object_repr=f"case #{case.pk}", ip_address=ip_address)
    return case


def order_get(*, actor: Actor, case: Case, pk: int) -> Order:
    order = case.orders.filter(pk=pk).first()
    if order is None:
        raise Http404
    return order


def rule_set_list(*, actor: Actor) -> QuerySet[RuleSet]:
    """The national presets and the actor's government's own rule sets (task force only)."""
    if not actor.is_authenticated or not actor.has_perm(Perm.VIEW_HEALTH):
        raise PermissionDenied(Perm.VIEW_HEALTH)
    return RuleSet.objects.filter(Q(government__isnull=True) | Q(government_id=actor.government_id)).order_by(
        "government_id", "-effective_from"
    )


def contact_list(
    *, actor: Actor, case: Case, ip_address: str | None = None, log: bool = True
) -> QuerySet[ContactProposal]:
    """The proposed, confirmed and dismissed contacts of a case: the task force only; the read is logged
    (``log`` False: part of the case page, whose read ``case_get`` has logged already)."""
    if not actor.is_authenticated or not actor.has_perm(Perm.VIEW_HEALTH):
        raise PermissionDenied(Perm.VIEW_HEALTH)
    if case.government_id != actor.government_id:
        raise Http404
    if log:
        _log_read(actor, object_id=str(case.pk), object_repr=f"contacts of case #{case.pk}", ip_address=ip_address)
    return ContactProposal.objects.filter(case=case).select_related("employee__unit", "decided_by")


def contact_get(*, actor: Actor, case: Case, pk: int) -> ContactProposal:
    if not actor.is_authenticated or not actor.has_perm(Perm.VIEW_HEALTH):
        raise PermissionDenied(Perm.VIEW_HEALTH)
    proposal = ContactProposal.objects.filter(case=case, government_id=actor.government_id, pk=pk).first()
    if proposal is None:
        raise Http404
    return proposal
