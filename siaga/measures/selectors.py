"""Reads of the measures app: capacity in force on a day, measures and disinfection tasks in scope."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from siaga.core import access
from siaga.core.access import Actor
from siaga.measures.models import BuildingMeasure, DisinfectionTask
from siaga.org.models import Building, Floor, SpaceStatus


def measures_in_force(*, government_id: int, start: dt.date, end: dt.date | None = None) -> list[BuildingMeasure]:
    """Active measures of a government with a day in ``start``…``end`` (one day when ``end`` is omitted)."""
    end = end or start
    return list(
        BuildingMeasure.objects.filter(
            government_id=government_id, status=BuildingMeasure.Status.ACTIVE, start__lte=end, end__gte=start
        ).select_related("building", "floor")
    )


def _applies(measure: BuildingMeasure, floor: Floor, day: dt.date) -> bool:
    return (
        measure.start <= day <= measure.end
        and measure.building_id == floor.building_id
        and measure.floor_id in (None, floor.pk)
    )


def capacity_with(floor: Floor, day: dt.date, measures: Iterable[BuildingMeasure]) -> int:
    """The number of people allowed on ``floor`` on ``day`` given ``measures`` (already loaded): the
    distancing capacity, 0 when the floor or its building is closed (statically or by a measure), else the
    smallest restriction in force."""
    if SpaceStatus.CLOSED in (floor.status, floor.building.status):
        return 0
    capacity = floor.distancing_capacity
    for measure in measures:
        if _applies(measure, floor, day):
            capacity = min(capacity, measure.capacity_for(floor.distancing_capacity))
    return capacity


def capacity_on(floor: Floor, day: dt.date) -> int:
    """People allowed on ``floor`` on ``day`` (0 when closed)."""
    return capacity_with(floor, day, measures_in_force(government_id=floor.government_id, start=day))


def capacities_on(*, government_id: int, day: dt.date) -> dict[int, int]:
    """``capacity_on`` of every floor of a government, by floor id, in two queries."""
    measures = measures_in_force(government_id=government_id, start=day)
    floors = Floor.objects.filter(government_id=government_id).select_related("building")
    return {floor.pk: capacity_with(floor, day, measures) for floor in floors}


def closure_on(floor: Floor, day: dt.date) -> BuildingMeasure | None:
    """The closing measure in force on ``floor`` (or its whole building) on ``day``, if any."""
    for measure in measures_in_force(government_id=floor.government_id, start=day):
        if measure.kind == BuildingMeasure.Kind.CLOSE and _applies(measure, floor, day):
            return measure
    return None


def building_closure_on(building: Building, day: dt.date) -> BuildingMeasure | None:
    """The measure closing the whole of ``building`` on ``day``, if any."""
    for measure in measures_in_force(government_id=building.government_id, start=day):
        if (
            measure.kind == BuildingMeasure.Kind.CLOSE
            and measure.building_id == building.pk
            and measure.floor_id is None
        ):
            return measure
    return None


@dataclass(frozen=True)
class MeasureCheck:
    """What the building measures say about an office check-in: ``refusal`` (a message) when it is
    refused; ``capacity`` when the floor is restricted (the check-in must then take
    ``attendance.services``' floor lock and count again: ``floor_capacity_guard``)."""

    refusal: str | None = None
    capacity: int | None = None


def _full_message(floor: Floor, building: Building, capacity: int) -> str:
    return ngettext(
        "Floor %(floor)s of %(building)s is limited to %(capacity)d person today and is full. Work from home "
        "and check in as WFH, or try again when someone has checked out.",
        "Floor %(floor)s of %(building)s is limited to %(capacity)d people today and is full. Work from home "
        "and check in as WFH, or try again when someone has checked out.",
        capacity,
    ) % {"floor": floor.number, "building": building.name, "capacity": capacity}


def open_office_check_ins(*, floor: Floor, day: dt.date) -> int:
    from siaga.attendance.models import CheckIn, CheckInMode

    return CheckIn.objects.filter(floor=floor, date=day, mode=CheckInMode.WFO, checked_out_at__isnull=True).count()


def measure_check(*, building: Building | None, floor: Floor | None, day: dt.date) -> MeasureCheck:
    """Whether an office check-in at ``building``/``floor`` on ``day`` is allowed by the measures.

    Closed: refused with the reason. Restricted: refused once the open office check-ins on the floor
    reach the restricted capacity. One query when no measure is in force there (the common case)."""
    if building is None:
        return MeasureCheck()
    measures = [
        m
        for m in BuildingMeasure.objects.filter(
            building_id=building.pk, status=BuildingMeasure.Status.ACTIVE, start__lte=day, end__gte=day
        )
        if m.floor_id is None or (floor is not None and m.floor_id == floor.pk)
    ]
    closing = next((m for m in measures if m.kind == BuildingMeasure.Kind.CLOSE), None)
    if closing is not None:
        closing.building = building
        if floor is not None and closing.floor_id is not None:
            closing.floor = floor
        return MeasureCheck(
            refusal=_("%(place)s is closed from %(start)s to %(end)s (%(reason)s). Work from home and check in as WFH.")
            % {
                "place": closing.place_label,
                "start": date_format(closing.start, "j M"),
                "end": date_format(closing.end, "j M"),
                "reason": closing.reason,
            }
        )
    if floor is None or not measures:
        return MeasureCheck()
    capacity = min(m.capacity_for(floor.distancing_capacity) for m in measures)
    if open_office_check_ins(floor=floor, day=day) < capacity:
        return MeasureCheck(capacity=capacity)
    return MeasureCheck(refusal=_full_message(floor, building, capacity), capacity=capacity)


def wfo_refusal(*, building: Building | None, floor: Floor | None, day: dt.date) -> str | None:
    """Why an office check-in at ``building``/``floor`` on ``day`` is refused by a measure, or None."""
    return measure_check(building=building, floor=floor, day=day).refusal


def floor_capacity_guard(*, floor: Floor, day: dt.date, capacity: int) -> None:
    """Inside the check-in's transaction: lock the floor row and count again, so that concurrent check-ins
    on a restricted floor cannot together exceed its capacity."""
    from django.core.exceptions import ValidationError

    Floor.objects.select_for_update().filter(pk=floor.pk).first()
    if open_office_check_ins(floor=floor, day=day) >= capacity:
        raise ValidationError({"__all__": _full_message(floor, floor.building, capacity)})


# ---------------------------------------------------------------------------------------------------
# Lists in scope


def measure_list(
    *, actor: Actor, current_only: bool = False, today: dt.date | None = None
) -> QuerySet[BuildingMeasure]:
    """Measures the actor may see (everyone in the government), newest first; ``current_only``: active
    ones that have not ended."""
    qs = access.scope_measures(actor, BuildingMeasure.objects.select_related("building", "floor", "created_by"))
    if current_only:
        qs = qs.filter(status=BuildingMeasure.Status.ACTIVE, end__gte=today or timezone.localdate())
    return qs.order_by("-start", "-pk")


def measure_get(*, actor: Actor, pk: int) -> BuildingMeasure:
    return measure_list(actor=actor).get(pk=pk)


def disinfection_list(*, actor: Actor, status: str = "") -> QuerySet[DisinfectionTask]:
    qs = access.scope_disinfections(
        actor, DisinfectionTask.objects.select_related("building", "floor").prefetch_related("team")
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("scheduled_date", "pk")


def disinfection_overdue(*, actor: Actor, today: dt.date | None = None) -> QuerySet[DisinfectionTask]:
    """Tasks scheduled before today and not done (nor cancelled)."""
    return disinfection_list(actor=actor, status=DisinfectionTask.Status.SCHEDULED).filter(
        scheduled_date__lt=today or timezone.localdate()
    )


def disinfection_get(*, actor: Actor, pk: int) -> DisinfectionTask:
    return disinfection_list(actor=actor).get(pk=pk)


def is_team_member(*, actor: Actor, task: DisinfectionTask) -> bool:
    return actor.employee_id is not None and task.team.filter(pk=actor.employee_id).exists()


def overdue_by_government(*, today: dt.date) -> QuerySet[DisinfectionTask]:
    """Every government's overdue tasks (for the daily alert; not scoped to a user)."""
    return DisinfectionTask.objects.filter(
        Q(status=DisinfectionTask.Status.SCHEDULED), scheduled_date__lt=today
    ).select_related("building", "floor", "government")
