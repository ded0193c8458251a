"""Writes of the measures app: building measures (and the roster replans they cause) and disinfection
tasks with their photo evidence. Validated first, then written atomically and audit-logged."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import uuid
from collections import Counter
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from siaga.core.access import Actor, Perm
from siaga.core.models import Government, Role, RoleAssignment
from siaga.core.services import audit_record, notify
from siaga.measures import selectors
from siaga.measures.models import BuildingMeasure, DisinfectionTask, MeasureReplan
from siaga.org.models import Building, Employee, Floor, Unit

logger = logging.getLogger(__name__)

#: Longest measure that can be set at once (a longer one is set again when it runs out).
MAX_MEASURE_DAYS = 366
#: Most occurrences a recurring disinfection task may create at once.
MAX_OCCURRENCES = 100
#: Largest evidence photo accepted (bytes).
PHOTO_MAX_BYTES = 8 * 1024 * 1024
PHOTO_TYPES = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png")}


def _user_of(actor: Actor | None) -> Any:
    return actor.user if actor is not None else None


def _require_manage(actor: Actor | None, government: Government) -> None:
    """``actor`` None is the system (demo, jobs): the caller has checked. Otherwise the actor must hold
    MANAGE_MEASURES in ``government``."""
    if actor is None:
        return
    actor.require(Perm.MANAGE_MEASURES)
    if actor.government_id != government.pk:
        raise PermissionDenied


# ---------------------------------------------------------------------------------------------------
# Building measures


def measure_set(
    *,
    government: Government,
    building: Building,
    kind: str,
    start: dt.date,
    end: dt.date,
    reason: str,
    floor: Floor | None = None,
    capacity_people: int | None = None,
    capacity_percent: int | None = None,
    actor: Actor | None = None,
    today: dt.date | None = None,
) -> BuildingMeasure:
    """Restrict (``kind="restrict"`` with ``capacity_people`` on a floor, or ``capacity_percent`` of the
    distancing capacity) or close (``kind="close"``) ``building`` or one ``floor`` of it from ``start`` to
    ``end`` (inclusive). The heads of the units seated there and the employees rostered at the office there
    on those days are told; the published rosters are replanned once the measure is saved."""
    _require_manage(actor, government)
    today = today or timezone.localdate()
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    if building.government_id != government.pk:
        errors["building"] = _("Choose a building of your government.")
    if floor is not None and floor.building_id != building.pk:
        errors["floor"] = _(
            "Floor %(floor)s is not in %(building)s; choose one of its floors or the whole building."
        ) % {
            "floor": floor.number,
            "building": building.name,
        }
    if kind not in BuildingMeasure.Kind.values:
        errors["kind"] = _("Choose restrict or close.")
    if end < start:
        errors["end"] = _("The last day comes before the first day.")
    elif end < today:
        errors["end"] = _("The last day has already passed; a measure is for today or later.")
    elif (end - start).days >= MAX_MEASURE_DAYS:
        errors["end"] = _("A measure can last at most %(days)d days; set it again when it runs out.") % {
            "days": MAX_MEASURE_DAYS
        }
    if not reason:
        errors["reason"] = _("Give the reason for the measure (about the place, e.g. disinfection).")
    elif len(reason) > 300:
        errors["reason"] = _("Keep the reason under 300 characters.")
    if kind == BuildingMeasure.Kind.CLOSE:
        capacity_people = capacity_percent = None
    elif kind == BuildingMeasure.Kind.RESTRICT:
        if (capacity_people is None) == (capacity_percent is None):
            errors["capacity_people"] = _("Give the limit either as a number of people or as a percentage, not both.")
        elif capacity_percent is not None:
            if not 1 <= capacity_percent <= 99:
                errors["capacity_percent"] = _("The percentage must be between 1 and 99.")
        elif floor is None:
            errors["capacity_people"] = _(
                "For a whole building give the limit as a percentage; to limit one floor to a number of "
                "people, choose the floor."
            )
        elif capacity_people is not None and not 1 <= capacity_people < floor.distancing_capacity:
            errors["capacity_people"] = _(
                "The limit must be at least 1 and below the floor's normal capacity (%(capacity)d people); "
                "to allow nobody, close the floor."
            ) % {"capacity": floor.distancing_capacity}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # The building row serialises measures on the same building, so two overlapping ones cannot both pass.
        Building.objects.select_for_update().get(pk=building.pk)
        overlapping = (
            BuildingMeasure.objects.filter(
                government=government,
                building=building,
                status=BuildingMeasure.Status.ACTIVE,
                start__lte=end,
                end__gte=start,
            )
            .filter(Q(floor__isnull=True) if floor is None else Q(floor=floor))
            .first()
        )
        if overlapping is not None:
            raise ValidationError(
                {
                    "start": _(
                        "%(place)s already has a measure from %(start)s to %(end)s; lift it or choose other dates."
                    )
                    % {
                        "place": overlapping.place_label,
                        "start": date_format(overlapping.start, "j M Y"),
                        "end": date_format(overlapping.end, "j M Y"),
                    }
                }
            )
        measure = BuildingMeasure.objects.create(
            government=government,
            building=building,
            floor=floor,
            kind=kind,
            capacity_people=capacity_people,
            capacity_percent=capacity_percent,
            start=start,
            end=end,
            reason=reason,
            created_by=_user_of(actor),
        )
        audit_record(
            actor=_user_of(actor),
            government=government,
            action="create",
            obj=measure,
            changes={
                "kind": kind,
                "building": building.code,
                "floor": floor.number if floor is not None else None,
                "capacity_people": capacity_people,
                "capacity_percent": capacity_percent,
                "days": [start.isoformat(), end.isoformat()],
            },
        )
        _notify_affected(measure=measure, today=today, lifted=False)
        transaction.on_commit(partial(_sync_later, government_id=government.pk, today=today))
    return measure


def measure_lift(
    *, measure: BuildingMeasure, actor: Actor | None = None, note: str = "", today: dt.date | None = None
) -> BuildingMeasure:
    """End a measure early (or withdraw one not yet begun): the space has its normal capacity again from
    today; the same people are told and the published rosters are replanned."""
    government = measure.government
    _require_manage(actor, government)
    today = today or timezone.localdate()
    if len(note) > 300:
        raise ValidationError({"note": _("Keep the note under 300 characters.")})
    with transaction.atomic():
        locked = (
            BuildingMeasure.objects.select_for_update(of=("self",))
            .select_related("building", "floor")
            .get(pk=measure.pk)
        )
        if locked.status != BuildingMeasure.Status.ACTIVE:
            raise ValidationError(_("This measure has already been lifted."))
        if locked.end < today:
            raise ValidationError(_("This measure has already ended."))
        locked.status = BuildingMeasure.Status.LIFTED
        locked.lifted_at = timezone.now()
        locked.lifted_by = _user_of(actor)
        locked.lift_note = note.strip()
        locked.save(update_fields=["status", "lifted_at", "lifted_by", "lift_note"])
        audit_record(
            actor=_user_of(actor),
            government=government,
            action="update",
            obj=locked,
            changes={"status": ["active", "lifted"], "note": locked.lift_note},
        )
        _notify_affected(measure=locked, today=today, lifted=True)
        transaction.on_commit(partial(_sync_later, government_id=government.pk, today=today))
    return locked


def _seated_q(measure: BuildingMeasure) -> Q:
    """Employees seated on the space: their own floor, else their unit's floor, else (whole building) their
    unit's building."""
    if measure.floor_id is not None:
        return Q(floor_id=measure.floor_id) | Q(floor__isnull=True, unit__floor_id=measure.floor_id)
    return (
        Q(floor__building_id=measure.building_id)
        | Q(floor__isnull=True, unit__floor__building_id=measure.building_id)
        | Q(floor__isnull=True, unit__floor__isnull=True, unit__building_id=measure.building_id)
    )


def _notify_affected(*, measure: BuildingMeasure, today: dt.date, lifted: bool) -> int:
    """Tell the heads of the units seated on the space and the employees rostered at the office there on
    the affected days (from today) that their place changed. Returns how many people were told."""
    from siaga.org.selectors import unit_head
    from siaga.rostering.models import RosterAssignment, RosterPlan

    first = max(measure.start, today)
    if measure.floor_id is not None:
        units = Unit.objects.filter(government_id=measure.government_id, is_active=True, floor_id=measure.floor_id)
    else:
        units = Unit.objects.filter(government_id=measure.government_id, is_active=True).filter(
            Q(floor__building_id=measure.building_id) | Q(floor__isnull=True, building_id=measure.building_id)
        )
    users: dict[int, Any] = {}
    for unit in units:
        head = unit_head(unit=unit)
        if head is not None and head.user is not None and head.user.is_active:
            users.setdefault(head.user.pk, head.user)
    rostered = (
        Employee.objects.filter(government_id=measure.government_id, is_active=True, user__isnull=False)
        .filter(_seated_q(measure))
        .filter(
            pk__in=RosterAssignment.objects.filter(
                plan__government_id=measure.government_id,
                plan__status=RosterPlan.Status.PUBLISHED,
                mode=RosterAssignment.Mode.WFO,
                date__gte=first,
                date__lte=measure.end,
            ).values("employee_id")
        )
        .select_related("user")
    )
    for employee in rostered:
        if employee.user is not None and employee.user.is_active:
            users.setdefault(employee.user.pk, employee.user)
    values = {
        "place": measure.place_label,
        "start": date_format(measure.start, "j M Y"),
        "end": date_format(measure.end, "j M Y"),
        "reason": measure.reason,
    }
    if lifted:
        subject = _("Measure lifted: %(place)s") % values
        body = (
            _(
                "The measure on %(place)s (%(start)s to %(end)s) was lifted; the place is open as usual again. "
                "The roster will be adjusted; check your schedule."
            )
            % values
        )
    elif measure.kind == BuildingMeasure.Kind.CLOSE:
        subject = _("Your workplace changed: %(place)s is closed") % values
        body = (
            _(
                "%(place)s is closed from %(start)s to %(end)s (%(reason)s). Do not come to the office there on "
                "those days; the roster will be adjusted and office check-ins there are refused."
            )
            % values
        )
    else:
        values["limit"] = (
            _("%(n)d people per floor") % {"n": measure.capacity_people}
            if measure.capacity_people is not None
            else _("%(n)d%% of the capacity") % {"n": measure.capacity_percent}
        )
        subject = _("Your workplace changed: %(place)s is restricted") % values
        body = (
            _(
                "%(place)s is limited to %(limit)s from %(start)s to %(end)s (%(reason)s). The roster will be "
                "adjusted to keep within the limit; check your schedule."
            )
            % values
        )
    link = f"{settings.BASE_URL}{reverse('measures:measure_list')}"
    government = measure.government
    for user in users.values():
        notify(user=user, government=government, subject=subject, body=body, link=link)
    return len(users)


# ---------------------------------------------------------------------------------------------------
# The roster obeys the measures


def _sync_later(*, government_id: int, today: dt.date) -> None:
    """Queue the roster check (building roster problems takes a while at regency scale)."""
    from siaga.measures.tasks import sync_rosters

    sync_rosters.enqueue(government_id, today.isoformat())


def _floor_keys(problem: dict[str, Any]) -> dict[str, str]:
    """Employee id (NIP) → floor id in a stored roster problem."""
    unit_floor = {u["id"]: u["floor"] for u in problem.get("units", [])}
    return {e["id"]: e.get("floor") or unit_floor.get(e["unit"], "") for e in problem.get("employees", [])}


def _chain(plan: Any, limit: int = 30) -> list[tuple[Any, dt.date | None, dict[str, int]]]:
    """The plan and the plans it replaced, newest first: (plan, frozen_until, floor capacities)."""
    chain: list[tuple[Any, dt.date | None, dict[str, int]]] = []
    current, seen = plan, set()
    while current is not None and current.pk not in seen and len(chain) < limit:
        seen.add(current.pk)
        problem = current.problem or {}
        frozen = problem.get("frozen_until")
        caps = {f["id"]: int(f["capacity"]) for f in problem.get("floors", [])}
        chain.append((current, dt.date.fromisoformat(frozen) if frozen else None, caps))
        current = current.replaces
    return chain


def _planned_capacity(chain: list[tuple[Any, dt.date | None, dict[str, int]]], day: dt.date, key: str) -> int | None:
    """The capacity of floor ``key`` under which ``day`` was planned: the newest problem in the chain that
    did not freeze that day."""
    for _plan, frozen, caps in chain:
        if frozen is None or day > frozen:
            return caps.get(key)
    return chain[-1][2].get(key) if chain else None


def _measured_floors(government_id: int, start: dt.date, end: dt.date) -> dict[str, Floor]:
    """Floors (by roster floor id) of the buildings with a measure (active or lifted) touching the period."""
    from siaga.rostering.problem import floor_id

    buildings = BuildingMeasure.objects.filter(government_id=government_id, start__lte=end, end__gte=start).values(
        "building_id"
    )
    floors = Floor.objects.filter(government_id=government_id, building_id__in=buildings).select_related("building")
    return {floor_id(f): f for f in floors}


def _first_out_of_step(plan: Any, *, today: dt.date) -> dt.date | None:
    """The first day from today on where the plan puts more people on a floor than a measure allows, or was
    planned under a lower capacity than the floor now has (a measure ended or was lifted)."""
    from siaga.rostering.models import RosterAssignment

    start = max(today, plan.start)
    if start > plan.end:
        return None
    floors = _measured_floors(plan.government_id, start, plan.end)
    problem = plan.problem or {}
    keys = {f["id"] for f in problem.get("floors", [])} & set(floors)
    if not keys:
        return None
    measures = selectors.measures_in_force(government_id=plan.government_id, start=start, end=plan.end)
    floor_of = _floor_keys(problem)
    counts: Counter[tuple[str, dt.date, str]] = Counter()
    days: set[dt.date] = set()
    for nip, day, mode, shift in RosterAssignment.objects.filter(plan=plan, date__gte=start).values_list(
        "employee__nip", "date", "mode", "shift"
    ):
        days.add(day)
        if mode == RosterAssignment.Mode.WFO and floor_of.get(nip) in keys:
            counts[floor_of[nip], day, shift] += 1
    chain = _chain(plan)
    for day in sorted(days):
        for key in sorted(keys):
            allowed = selectors.capacity_with(floors[key], day, measures)
            if any(n > allowed for (k, d, _s), n in counts.items() if k == key and d == day):
                return day
            planned = _planned_capacity(chain, day, key)
            if planned is not None and planned < allowed:
                return day
    return None


def _previous_for(plan: Any, *, first_day: dt.date, measures: list[BuildingMeasure], floors: dict[str, Floor]) -> Any:
    """The plan to stay close to from ``first_day`` on: for each day, the newest plan in the chain that was
    planned with at least the room each floor has now (so the days after a measure go back to what they
    were before it), else the current one."""
    from siaga.engines.roster import types as rt
    from siaga.rostering.selectors import plan_as_engine_plan

    current = plan_as_engine_plan(plan=plan)
    chain = _chain(plan)
    keys = set(floors) & set(chain[0][2])
    loaded: dict[int, dict[tuple[str, dt.date], Any]] = {}

    def source_for(day: dt.date) -> int:
        for index in range(len(chain)):
            if all(
                (_planned_capacity(chain[index:], day, key) or 0) >= selectors.capacity_with(floors[key], day, measures)
                for key in keys
            ):
                return index
        return 0

    sources: dict[dt.date, int] = {}
    assignments = []
    for a in current.assignments:
        if a.date < first_day:
            continue
        index = sources.setdefault(a.date, source_for(a.date))
        if index:
            older = chain[index][0]
            if older.pk not in loaded:
                loaded[older.pk] = {(b.employee, b.date): b for b in plan_as_engine_plan(plan=older).assignments}
            a = loaded[older.pk].get((a.employee, a.date), a)
        assignments.append(rt.Assignment(a.employee, a.date, a.mode, a.shift))
    return dataclasses.replace(current, assignments=assignments)


def roster_replan_from(*, plan: Any, first_day: dt.date, actor: Actor | None = None) -> Any:
    """Replan a published roster from ``first_day`` on under the floor capacities in force on that day,
    staying as close as possible to the roster before the measures. The roster problem has one capacity
    per floor for its whole period, so the days before ``first_day`` are not planned again: the new plan
    covers ``first_day``…the end, and once it is solved ``measure_replans_finish`` publishes it in place of
    the old one, whose earlier days stay published as a plan of their own. Returns the queued plan."""
    from siaga.engines.roster.types import problem_to_dict
    from siaga.org.selectors import unit_descendant_ids
    from siaga.rostering.models import RosterPlan
    from siaga.rostering.problem import problem_build
    from siaga.rostering.tasks import solve_plan

    first_day = max(first_day, plan.start)
    units = None
    if plan.unit_id is not None:
        ids = unit_descendant_ids(government_id=plan.government_id, unit_ids=[plan.unit_id])
        units = list(Unit.objects.filter(pk__in=ids))
    problem = problem_build(
        government=plan.government, start=first_day, end=plan.end, units=units, capacity_day=first_day
    )
    measures = selectors.measures_in_force(government_id=plan.government_id, start=first_day, end=plan.end)
    # Floors of the buildings with a measure while the plans of the chain were made (which may have ended).
    floors = _measured_floors(plan.government_id, min(p.start for p, _z, _c in _chain(plan)), plan.end)
    problem = dataclasses.replace(
        problem, previous_plan=_previous_for(plan, first_day=first_day, measures=measures, floors=floors)
    )
    user = _user_of(actor)
    with transaction.atomic():
        new = RosterPlan.objects.create(
            government_id=plan.government_id,
            name=plan.name,
            start=first_day,
            end=plan.end,
            unit=plan.unit,
            time_limit=plan.time_limit,
            problem=problem_to_dict(problem),
            created_by=user if getattr(user, "pk", None) else None,
        )
        MeasureReplan.objects.create(government_id=plan.government_id, plan=new, old=plan, first_day=first_day)
        audit_record(
            actor=user,
            government=plan.government_id,
            action="create",
            obj=new,
            changes={"replaces": plan.pk, "cause": "building measures", "from": first_day.isoformat()},
        )
        transaction.on_commit(partial(solve_plan.enqueue, new.pk))
    return new


def _keep_head(*, old: Any, first_day: dt.date) -> Any:
    """A published copy of ``old`` for its days before ``first_day`` (rows, problem and result cut there)."""
    from siaga.rostering.models import RosterAssignment, RosterPlan

    last = first_day - dt.timedelta(days=1)
    problem = dict(old.problem)
    problem["period"] = {**problem.get("period", {}), "end": last.isoformat()}
    problem["holidays"] = [d for d in problem.get("holidays", []) if d <= last.isoformat()]
    if problem.get("previous_plan"):
        previous = dict(problem["previous_plan"])
        previous["assignments"] = [a for a in previous.get("assignments", []) if a["date"] <= last.isoformat()]
        problem["previous_plan"] = previous
    result = dict(old.result or {})
    result["assignments"] = [a for a in result.get("assignments", []) if a["date"] <= last.isoformat()]
    head = RosterPlan.objects.create(
        government_id=old.government_id,
        name=old.name,
        start=old.start,
        end=last,
        unit=old.unit,
        status=RosterPlan.Status.PUBLISHED,
        time_limit=old.time_limit,
        problem=problem,
        result=result,
        replaces=old,
        created_by=old.created_by,
        finished_at=old.finished_at,
        published_at=old.published_at,
    )
    RosterAssignment.objects.bulk_create(
        [
            RosterAssignment(
                plan=head,
                employee_id=row.employee_id,
                date=row.date,
                mode=row.mode,
                shift=row.shift,
                cohort=row.cohort,
                pinned_by_id=row.pinned_by_id,
            )
            for row in RosterAssignment.objects.filter(plan=old, date__lte=last)
        ],
        batch_size=2000,
    )
    return head


def measure_replans_finish() -> list[str]:
    """Publish the solved measure replans: each replaces its old plan from its first day on (people whose
    days changed and their heads are told by ``rostering.services.replan_publish``), and the old plan's
    earlier days stay published. An infeasible replan leaves the old plan published and tells the heads.
    Idempotent; then checks the government's rosters again (the days after a measure get their room back)."""
    from siaga.rostering.models import RosterPlan
    from siaga.rostering.services import replan_publish

    outcomes, governments = [], set()
    pending = MeasureReplan.objects.filter(
        finished=False, plan__status__in=(RosterPlan.Status.DRAFT, RosterPlan.Status.INFEASIBLE)
    ).select_related("plan", "old")
    for record in pending:
        with transaction.atomic():
            locked = MeasureReplan.objects.select_for_update().get(pk=record.pk)
            if locked.finished:
                continue
            new = RosterPlan.objects.select_for_update().get(pk=locked.plan_id)
            old = RosterPlan.objects.select_for_update().get(pk=locked.old_id)
            new.replaces = old
            new.save(update_fields=["replaces"])
            outcome = replan_publish(plan=new)
            if outcome == "published" and locked.first_day > old.start:
                _keep_head(old=old, first_day=locked.first_day)
            locked.finished, locked.outcome = True, outcome
            locked.save(update_fields=["finished", "outcome"])
        outcomes.append(outcome)
        governments.add(record.government_id)
    for government_id in governments:
        roster_sync(government_id=government_id)
    return outcomes


def roster_sync(*, government_id: int, actor: Actor | None = None, today: dt.date | None = None) -> list[Any]:
    """Replan every published roster of the government that does not obey the building measures from today
    on, or was planned under a measure that has ended or been lifted. Idempotent: a plan with a replan
    under way, or whose replan was impossible since the last change of a measure, is left alone."""
    from django.db.models import Max

    from siaga.rostering.models import RosterPlan

    today = today or timezone.localdate()
    changed = BuildingMeasure.objects.filter(government_id=government_id).aggregate(
        created=Max("created_at"), lifted=Max("lifted_at")
    )
    last_change = max((t for t in changed.values() if t is not None), default=None)
    if last_change is None:
        return []
    created = []
    plans = RosterPlan.objects.filter(
        government_id=government_id, status=RosterPlan.Status.PUBLISHED, end__gte=today
    ).select_related("government", "unit", "replaces")
    for plan in plans.order_by("start", "pk"):
        pending = RosterPlan.objects.filter(
            replaces=plan, status__in=(RosterPlan.Status.QUEUED, RosterPlan.Status.SOLVING, RosterPlan.Status.DRAFT)
        ).exists()
        tried = MeasureReplan.objects.filter(old=plan).filter(
            Q(finished=False) | Q(outcome="infeasible", created_at__gte=last_change)
        )
        if pending or tried.exists():
            continue
        first_day = _first_out_of_step(plan, today=today)
        if first_day is not None:
            created.append(roster_replan_from(plan=plan, first_day=first_day, actor=actor))
    return created


def roster_sync_all(*, today: dt.date | None = None) -> int:
    """The periodic job: ``roster_sync`` for every government with a measure that is in force, starts or
    ends around today (the day a measure starts or ends, the rosters follow)."""
    today = today or timezone.localdate()
    governments = (
        BuildingMeasure.objects.filter(end__gte=today - dt.timedelta(days=1))
        .values_list("government_id", flat=True)
        .distinct()
    )
    count = 0
    for government_id in governments:
        try:
            count += len(roster_sync(government_id=government_id, today=today))
        except Exception:
            logger.exception("building-measure roster sync failed for government %s", government_id)
    return count


# ---------------------------------------------------------------------------------------------------
# Disinfection tasks


def disinfection_create(
    *,
    government: Government,
    scheduled_date: dt.date,
    building: Building | None = None,
    floor: Floor | None = None,
    place_name: str = "",
    place_kind: str = DisinfectionTask.PlaceKind.OFFICE,
    address: str = "",
    team: Iterable[Employee] = (),
    team_name: str = "",
    repeat_every_days: int | None = None,
    repeat_until: dt.date | None = None,
    note: str = "",
    actor: Actor | None = None,
    today: dt.date | None = None,
) -> list[DisinfectionTask]:
    """Schedule the disinfection of a building (or one floor) or of a public place, done by ``team``
    (employees of the government) and/or a team named in ``team_name``. With ``repeat_every_days`` and
    ``repeat_until`` one task is created per occurrence. Returns the tasks, first one first."""
    _require_manage(actor, government)
    today = today or timezone.localdate()
    team = list(team)
    place_name, address, team_name, note = place_name.strip(), address.strip(), team_name.strip(), note.strip()
    errors: dict[str, str] = {}
    if building is not None and building.government_id != government.pk:
        errors["building"] = _("Choose a building of your government.")
    if floor is not None and (building is None or floor.building_id != building.pk):
        errors["floor"] = _("Choose the building first, then one of its floors.")
    if building is None and not place_name:
        errors["place_name"] = _("Choose a building or name the public place to disinfect.")
    if place_kind not in DisinfectionTask.PlaceKind.values:
        errors["place_kind"] = _("Choose the kind of place.")
    if scheduled_date < today:
        errors["scheduled_date"] = _("The date has already passed; choose today or a later day.")
    if any(e.government_id != government.pk or not e.is_active for e in team):
        errors["team"] = _("Team members must be active employees of your government.")
    if not team and not team_name:
        errors["team"] = _("Choose the team members or name the team.")
    dates = [scheduled_date]
    if (repeat_every_days is None) != (repeat_until is None):
        errors["repeat_until"] = _("To repeat the task give both the interval in days and the last date.")
    elif repeat_every_days is not None and repeat_until is not None:
        if not 1 <= repeat_every_days <= 90:
            errors["repeat_every_days"] = _("Repeat every 1 to 90 days.")
        elif repeat_until < scheduled_date:
            errors["repeat_until"] = _("The last date of the repetition comes before the first one.")
        else:
            day = scheduled_date + dt.timedelta(days=repeat_every_days)
            while day <= repeat_until:
                dates.append(day)
                day += dt.timedelta(days=repeat_every_days)
            if len(dates) > MAX_OCCURRENCES:
                errors["repeat_until"] = _("That makes %(n)d tasks; at most %(max)d at once.") % {
                    "n": len(dates),
                    "max": MAX_OCCURRENCES,
                }
    for field, value, limit in (
        ("place_name", place_name, 200),
        ("address", address, 300),
        ("team_name", team_name, 200),
        ("note", note, 300),
    ):
        if len(value) > limit:
            errors[field] = _("Keep this under %(n)d characters.") % {"n": limit}
    if errors:
        raise ValidationError(errors)
    tasks: list[DisinfectionTask] = []
    with transaction.atomic():
        for day in dates:
            task = DisinfectionTask.objects.create(
                government=government,
                building=building,
                floor=floor,
                place_name=place_name,
                place_kind=place_kind if building is None else DisinfectionTask.PlaceKind.OFFICE,
                address=address,
                scheduled_date=day,
                series=tasks[0] if tasks else None,
                repeat_every_days=repeat_every_days,
                repeat_until=repeat_until,
                team_name=team_name,
                note=note,
                created_by=_user_of(actor),
            )
            if len(dates) > 1 and not tasks:
                task.series = task
                task.save(update_fields=["series"])
            task.team.set(team)
            tasks.append(task)
        audit_record(
            actor=_user_of(actor),
            government=government,
            action="create",
            obj=tasks[0],
            changes={
                "place": tasks[0].place_label,
                "dates": [d.isoformat() for d in dates],
                "team": sorted(e.nip for e in team),
                "team_name": team_name,
            },
        )
    return tasks


def _read_photo(photo: Any) -> tuple[bytes, str, str]:
    """Check an uploaded photo by its content (not its name or declared type): JPEG or PNG, not too big.
    Returns (bytes, extension, MIME type)."""
    from io import BytesIO

    from PIL import Image, UnidentifiedImageError

    size = getattr(photo, "size", None)
    if size is not None and size > PHOTO_MAX_BYTES:
        raise ValidationError({"photo": _too_big()})
    data = photo.read(PHOTO_MAX_BYTES + 1)
    if len(data) > PHOTO_MAX_BYTES:
        raise ValidationError({"photo": _too_big()})
    if not data:
        raise ValidationError({"photo": _("Take or choose a photo of the finished work.")})
    try:
        with Image.open(BytesIO(data)) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError({"photo": _("The file is not a JPEG or PNG photo; take the photo again.")}) from None
    if kind not in PHOTO_TYPES:
        raise ValidationError({"photo": _("The file is not a JPEG or PNG photo; take the photo again.")})
    extension, mime = PHOTO_TYPES[kind]
    return data, extension, mime


def _too_big() -> str:
    return _("The photo is larger than %(mb)d MB; take it at a lower resolution.") % {
        "mb": PHOTO_MAX_BYTES // (1024 * 1024)
    }


def photo_path(task: DisinfectionTask) -> Path:
    return Path(settings.MEDIA_ROOT) / task.photo


def disinfection_complete(
    *,
    task: DisinfectionTask,
    photo: Any,
    actor: Actor | None,
    completed_at: dt.datetime | None = None,
    note: str = "",
) -> DisinfectionTask:
    """Mark a task done with its evidence: the time it was finished (now by default) and a photo (JPEG or
    PNG, checked by content). A member of the task's team or the task force (MANAGE_MEASURES) may do it;
    ``actor`` None is the system (the demo), whose caller has checked."""
    if actor is not None:
        if not actor.is_authenticated or actor.government_id != task.government_id:
            raise PermissionDenied
        if not actor.has_perm(Perm.MANAGE_MEASURES) and not selectors.is_team_member(actor=actor, task=task):
            raise PermissionDenied(_("Only the team of this task or the task force may complete it."))
    now = timezone.now()
    completed_at = completed_at or now
    errors: dict[str, str] = {}
    if completed_at > now + dt.timedelta(minutes=5):
        errors["completed_at"] = _("The time of completion is in the future; correct it.")
    if len(note.strip()) > 300:
        errors["note"] = _("Keep the note under 300 characters.")
    if errors:
        raise ValidationError(errors)
    data, extension, mime = _read_photo(photo)
    relative = f"disinfection/{task.government_id}/{uuid.uuid4().hex}.{extension}"
    target = Path(settings.MEDIA_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    try:
        with transaction.atomic():
            locked = DisinfectionTask.objects.select_for_update().get(pk=task.pk)
            if locked.status != DisinfectionTask.Status.SCHEDULED:
                raise ValidationError(_("This task is no longer open (it is done or cancelled)."))
            locked.status = DisinfectionTask.Status.DONE
            locked.completed_at = completed_at
            locked.completed_by = _user_of(actor)
            locked.photo = relative
            locked.photo_type = mime
            locked.completion_note = note.strip()
            locked.save(
                update_fields=["status", "completed_at", "completed_by", "photo", "photo_type", "completion_note"]
            )
            audit_record(
                actor=_user_of(actor),
                government=locked.government_id,
                action="update",
                obj=locked,
                changes={"status": ["scheduled", "done"], "completed_at": completed_at.isoformat(), "photo": mime},
            )
    except Exception:
        target.unlink(missing_ok=True)
        raise
    return locked


def disinfection_cancel(*, task: DisinfectionTask, actor: Actor | None, note: str = "") -> DisinfectionTask:
    """Cancel an open task (task force only)."""
    _require_manage(actor, task.government)
    with transaction.atomic():
        locked = DisinfectionTask.objects.select_for_update().get(pk=task.pk)
        if locked.status != DisinfectionTask.Status.SCHEDULED:
            raise ValidationError(_("This task is no longer open (it is done or cancelled)."))
        locked.status = DisinfectionTask.Status.CANCELLED
        locked.completion_note = note.strip()[:300]
        locked.save(update_fields=["status", "completion_note"])
        audit_record(
            actor=_user_of(actor),
            government=locked.government_id,
            action="update",
            obj=locked,
            changes={"status": ["scheduled", "cancelled"]},
        )
    return locked


def disinfection_overdue_alert(*, today: dt.date | None = None) -> int:
    """Tell each government's health task force of its overdue disinfection tasks, once a day (a task is
    alerted at most once per day). Returns the number of notifications' recipients."""
    today = today or timezone.localdate()
    due = list(
        selectors.overdue_by_government(today=today).exclude(overdue_alerted_on=today).order_by("scheduled_date", "pk")
    )
    by_government: dict[int, list[DisinfectionTask]] = {}
    for task in due:
        by_government.setdefault(task.government_id, []).append(task)
    told = 0
    link = f"{settings.BASE_URL}{reverse('measures:disinfection_overdue')}"
    for government_id, tasks in by_government.items():
        government = tasks[0].government
        with transaction.atomic():
            recipients = [
                a.user
                for a in RoleAssignment.objects.filter(
                    government_id=government_id, role=Role.HEALTH, user__is_active=True
                ).select_related("user")
            ]
            lines = "; ".join(f"{t.place_label} ({date_format(t.scheduled_date, 'j M')})" for t in tasks[:20])
            if len(tasks) > 20:
                lines += "; …"
            for user in recipients:
                notify(
                    user=user,
                    government=government,
                    subject=ngettext(
                        "%(n)d disinfection task is overdue", "%(n)d disinfection tasks are overdue", len(tasks)
                    )
                    % {"n": len(tasks)},
                    body=_("These disinfection tasks were not done on their date: %(tasks)s.") % {"tasks": lines},
                    link=link,
                )
            DisinfectionTask.objects.filter(pk__in=[t.pk for t in tasks]).update(overdue_alerted_on=today)
        told += len(recipients)
    return told
