"""API of the task force's dashboard (mounted at /api/v1/outbreak/): the same figures as the page, as JSON.

Task force only (403 for anyone else); a unit or building of another government answers 404; every read is
audit-logged."""

# No ``from __future__ import annotations``: ninja resolves the annotations of the views.
import datetime as dt

from django.http import Http404, HttpRequest
from ninja import Router, Schema

from siaga.api.schemas import ErrorOut
from siaga.core.access import Actor, Perm
from siaga.core.views import client_ip
from siaga.org.models import Building, Unit
from siaga.outbreak import dashboard
from siaga.outbreak.models import Order

router = Router(tags=["outbreak"])


class CurveDayOut(Schema):
    date: dt.date
    symptomatic: int
    asymptomatic: int
    total: int


class CountOut(Schema):
    name: str
    confirmed: int


class ClassificationCountOut(Schema):
    classification: str
    label: str
    count: int


class OrderInForceOut(Schema):
    case_id: int
    person: str
    unit: str | None
    kind: str
    start: dt.date
    end: dt.date


class DashboardOut(Schema):
    today: dt.date
    confirmed: int
    confirmed_symptomatic: int
    confirmed_asymptomatic: int
    active: int
    active_symptomatic: int
    active_asymptomatic: int
    recovered: int
    died: int
    by_classification: list[ClassificationCountOut]
    curve: list[CurveDayOut]
    by_opd: list[CountOut]
    by_unit: list[CountOut]
    by_building: list[CountOut]
    in_isolation: list[OrderInForceOut]
    in_quarantine: list[OrderInForceOut]


def _orders(orders: list[Order]) -> list[OrderInForceOut]:
    return [
        OrderInForceOut(
            case_id=o.case_id,
            person=o.case.person_name,
            unit=o.case.employee.unit.name if o.case.employee else None,
            kind=o.kind,
            start=o.start,
            end=o.end,
        )
        for o in orders
    ]


@router.get(
    "/dashboard",
    response={200: DashboardOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="The task force's dashboard: counts among ASN, epidemic curve, units, buildings, orders in force",
)
def dashboard_get(request: HttpRequest, unit: int | None = None, building: int | None = None) -> DashboardOut:
    actor: Actor = request.actor  # type: ignore[attr-defined]
    actor.require(Perm.VIEW_HEALTH)
    filters = dashboard.DashboardFilters(
        unit=_unit(actor, unit) if unit is not None else None,
        building=_building(actor, building) if building is not None else None,
    )
    d = dashboard.dashboard(actor=actor, filters=filters, ip_address=client_ip(request))
    return DashboardOut(
        today=d.today,
        confirmed=d.confirmed,
        confirmed_symptomatic=d.confirmed_symptomatic,
        confirmed_asymptomatic=d.confirmed_asymptomatic,
        active=d.active,
        active_symptomatic=d.active_symptomatic,
        active_asymptomatic=d.active_asymptomatic,
        recovered=d.recovered,
        died=d.died,
        by_classification=[
            ClassificationCountOut(classification=value, label=label, count=n)
            for value, label, n in d.by_classification
        ],
        curve=[
            CurveDayOut(date=c.date, symptomatic=c.symptomatic, asymptomatic=c.asymptomatic, total=c.total)
            for c in d.curve.days
        ],
        by_opd=[CountOut(name=name, confirmed=n) for name, n in d.by_opd],
        by_unit=[CountOut(name=name, confirmed=n) for name, n in d.by_unit],
        by_building=[CountOut(name=name, confirmed=n) for name, n in d.by_building],
        in_isolation=_orders(d.isolation),
        in_quarantine=_orders(d.quarantine),
    )


def _unit(actor: Actor, pk: int) -> Unit:
    unit = Unit.objects.filter(government_id=actor.government_id, pk=pk).first()
    if unit is None:
        raise Http404
    return unit


def _building(actor: Actor, pk: int) -> Building:
    building = Building.objects.filter(government_id=actor.government_id, pk=pk).first()
    if building is None:
        raise Http404
    return building
