"""API of building measures and disinfection tasks (mounted at /api/v1/).

Everyone in the government sees which buildings are under measures (places, never health data); the
health task force and BKPSDM (MANAGE_MEASURES) set and lift them and schedule disinfection; a member of a
disinfection team completes their own task with a photo."""

# No ``from __future__ import annotations``: ninja resolves the annotations of paginated views.
import datetime as dt
from typing import Any, Literal

from django.http import Http404, HttpRequest
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from siaga.api.pagination import Pagination
from siaga.api.schemas import ERRORS_ONE, ERRORS_WRITE
from siaga.api.schemas import api_actor as _actor
from siaga.core.access import Actor, Perm
from siaga.measures import selectors, services
from siaga.measures.models import BuildingMeasure, DisinfectionTask
from siaga.org.models import Building, Employee, Floor

router = Router(tags=["measures"])


class MeasureOut(Schema):
    id: int
    building: str
    floor: int | None
    place: str
    kind: str
    capacity_people: int | None
    capacity_percent: int | None
    start: dt.date
    end: dt.date
    reason: str
    status: str

    @staticmethod
    def resolve_building(obj: BuildingMeasure) -> str:
        return obj.building.code

    @staticmethod
    def resolve_floor(obj: BuildingMeasure) -> int | None:
        return obj.floor.number if obj.floor is not None else None

    @staticmethod
    def resolve_place(obj: BuildingMeasure) -> str:
        return str(obj.place_label)


class MeasureIn(Schema):
    building: str
    floor: int | None = None
    kind: Literal["restrict", "close"]
    capacity_people: int | None = None
    capacity_percent: int | None = None
    start: dt.date
    end: dt.date
    reason: str


class LiftIn(Schema):
    note: str = ""


def _building(actor: Actor, code: str) -> Building:
    building = Building.objects.filter(government_id=actor.government_id, code=code).first()
    if building is None:
        from django.core.exceptions import ValidationError
        from django.utils.translation import gettext as _

        raise ValidationError({"building": _("No building of your government has this code.")})
    return building


def _floor(building: Building, number: int | None) -> Floor | None:
    if number is None:
        return None
    floor = Floor.objects.filter(building=building, number=number).first()
    if floor is None:
        from django.core.exceptions import ValidationError
        from django.utils.translation import gettext as _

        raise ValidationError(
            {"floor": _("%(building)s has no floor %(floor)s.") % {"building": building.name, "floor": number}}
        )
    return floor


@router.get("/measures", response={200: list[MeasureOut], **ERRORS_ONE}, summary="Building measures")
@paginate(Pagination)
def measure_list(request: HttpRequest, current: bool = False) -> Any:
    """Measures of the government, newest first; ``current``: those in force or coming."""
    actor = _actor(request)
    if not actor.has_perm(Perm.VIEW_ORG) and not actor.has_perm(Perm.ATTEND):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    return selectors.measure_list(actor=actor, current_only=current)


@router.post("/measures", response={201: MeasureOut, **ERRORS_WRITE}, summary="Restrict or close a building or floor")
def measure_create(request: HttpRequest, payload: MeasureIn) -> Any:
    actor = _actor(request)
    actor.require(Perm.MANAGE_MEASURES)
    building = _building(actor, payload.building)
    measure = services.measure_set(
        government=actor.tenant,
        building=building,
        floor=_floor(building, payload.floor),
        kind=payload.kind,
        capacity_people=payload.capacity_people,
        capacity_percent=payload.capacity_percent,
        start=payload.start,
        end=payload.end,
        reason=payload.reason,
        actor=actor,
    )
    return Status(201, measure)


@router.post("/measures/{measure_id}/lift", response={200: MeasureOut, **ERRORS_WRITE}, summary="Lift a measure")
def measure_lift(request: HttpRequest, measure_id: int, payload: LiftIn) -> Any:
    actor = _actor(request)
    actor.require(Perm.MANAGE_MEASURES)
    try:
        measure = selectors.measure_get(actor=actor, pk=measure_id)
    except BuildingMeasure.DoesNotExist:
        raise Http404 from None
    return services.measure_lift(measure=measure, actor=actor, note=payload.note)


# ---------------------------------------------------------------------------------------------------
# Disinfection


class TaskOut(Schema):
    id: int
    place: str
    building: str | None
    floor: int | None
    place_kind: str
    address: str
    scheduled_date: dt.date
    team: list[str]
    team_name: str
    status: str
    overdue: bool
    completed_at: dt.datetime | None
    has_photo: bool

    @staticmethod
    def resolve_place(obj: DisinfectionTask) -> str:
        return str(obj.place_label)

    @staticmethod
    def resolve_building(obj: DisinfectionTask) -> str | None:
        return obj.building.code if obj.building is not None else None

    @staticmethod
    def resolve_floor(obj: DisinfectionTask) -> int | None:
        return obj.floor.number if obj.floor is not None else None

    @staticmethod
    def resolve_team(obj: DisinfectionTask) -> list[str]:
        return [e.nip for e in obj.team.all()]

    @staticmethod
    def resolve_overdue(obj: DisinfectionTask) -> bool:
        from django.utils import timezone

        return obj.status == DisinfectionTask.Status.SCHEDULED and obj.scheduled_date < timezone.localdate()

    @staticmethod
    def resolve_has_photo(obj: DisinfectionTask) -> bool:
        return bool(obj.photo)


class TaskIn(Schema):
    building: str | None = None
    floor: int | None = None
    place_name: str = ""
    place_kind: Literal["office", "kpu", "school", "mosque", "market", "other"] = "office"
    address: str = ""
    scheduled_date: dt.date
    repeat_every_days: int | None = None
    repeat_until: dt.date | None = None
    team: list[str] = []
    team_name: str = ""
    note: str = ""


@router.get("/disinfections", response={200: list[TaskOut], **ERRORS_ONE}, summary="Disinfection tasks")
@paginate(Pagination)
def disinfection_list(request: HttpRequest, status: Literal["", "scheduled", "done", "cancelled"] = "") -> Any:
    """The task force: every task of the government. A team member: their own tasks."""
    return selectors.disinfection_list(actor=_actor(request), status=status)


@router.get("/disinfections/overdue", response={200: list[TaskOut], **ERRORS_ONE}, summary="Overdue disinfection")
@paginate(Pagination)
def disinfection_overdue(request: HttpRequest) -> Any:
    actor = _actor(request)
    actor.require(Perm.MANAGE_MEASURES)
    return selectors.disinfection_overdue(actor=actor)


@router.post("/disinfections", response={201: list[TaskOut], **ERRORS_WRITE}, summary="Schedule disinfection")
def disinfection_create(request: HttpRequest, payload: TaskIn) -> Any:
    actor = _actor(request)
    actor.require(Perm.MANAGE_MEASURES)
    building = _building(actor, payload.building) if payload.building else None
    team = list(Employee.objects.filter(government_id=actor.government_id, nip__in=payload.team))
    if len(team) != len(set(payload.team)):
        from django.core.exceptions import ValidationError
        from django.utils.translation import gettext as _

        missing = sorted(set(payload.team) - {e.nip for e in team})
        raise ValidationError(
            {"team": _("No active employee with NIP %(nips)s; check the numbers.") % {"nips": ", ".join(missing)}}
        )
    tasks = services.disinfection_create(
        government=actor.tenant,
        building=building,
        floor=_floor(building, payload.floor) if building is not None else None,
        place_name=payload.place_name,
        place_kind=payload.place_kind,
        address=payload.address,
        scheduled_date=payload.scheduled_date,
        repeat_every_days=payload.repeat_every_days,
        repeat_until=payload.repeat_until,
        team=team,
        team_name=payload.team_name,
        note=payload.note,
        actor=actor,
    )
    return Status(201, tasks)


@router.post(
    "/disinfections/{task_id}/complete", response={200: TaskOut, **ERRORS_WRITE}, summary="Complete a task with a photo"
)
def disinfection_complete(request: HttpRequest, task_id: int, photo: File[UploadedFile], note: Form[str] = "") -> Any:
    """Multipart: ``photo`` (JPEG or PNG) and an optional ``note``. The task's team or the task force."""
    actor = _actor(request)
    try:
        task = selectors.disinfection_get(actor=actor, pk=task_id)
    except DisinfectionTask.DoesNotExist:
        raise Http404 from None
    return services.disinfection_complete(task=task, photo=photo, actor=actor, note=note)
