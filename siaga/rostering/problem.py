"""Build the roster engine's ``Problem`` (``siaga-roster-problem/1``) from a government's organisation.

Decisions the builder takes (see docs/policies.md):

- **Policy**: the ``policy`` argument, else the government's selection in effect on ``on`` (the period
  start by default). A policy change inside the period is not split: the planner plans per policy.
- **Caps**: if the situation (zone / PPKM level) changes inside the period, every unit gets the
  *strictest* cap of the situations in force during the period; the planner splits periods later.
  Units of a health unit under a policy that exempts health units get cap 1.0 (their staff are on site).
- **Sector**: the nearest ``UnitRosterSettings.sector`` on the unit or above it; else ``essential``
  when ``Unit.essential`` is set, otherwise ``non_essential``.
- **Floors**: every floor a unit or employee of the problem sits on, as ``<building code>-<number>``
  with its capacity in force on ``capacity_day`` (the first day being planned; the period start by
  default): the distancing capacity, 0 when the floor or its building is closed, less under a building
  measure (``siaga.measures.selectors.capacity_on``). A unit without a floor
  gets a virtual floor ``unit-<unit code>`` (building ``unit-<unit code>``) with capacity = its number
  of employees in the problem, so it never binds.
- **Modes**: ``always_wfh`` when a policy exemption applies (age ≥ N on ``on``, pregnancy or
  breastfeeding, comorbidity); ``always_wfo`` for holders of the two highest structural levels present
  in the government when the policy keeps them on site, and for staff of health units when the policy
  exempts health units. An exemption wins over ``always_wfo``: a vulnerable official's on-site duties go
  to a Plh. The file only says ``always_wfh``, never why.
  Risk profiles are read only when the policy has a health exemption, and the read is audit-logged.
- **Unavailable**: approved leave overlapping the period (reason ``leave``) and absences set by other
  workflows (``Absence``: travel permits as ``travel``; isolation and quarantine only as ``unavailable``).
- **Days**: workdays from ``Government.workweek``; holidays are the workdays the working calendar
  (national holidays, cuti bersama and the government's overrides) marks as non-working. An override
  that makes a weekend day a working day cannot be expressed in the format and is ignored.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from siaga.core.calendar import WorkingCalendar
from siaga.core.models import Government
from siaga.core.services import audit_record
from siaga.engines.roster import types as rt
from siaga.org.models import Employee, Floor, Position, RiskProfile, Unit
from siaga.rostering import caps
from siaga.rostering.models import (
    Absence,
    CapBasis,
    CoverageRule,
    GovernmentPolicy,
    GovernmentSituation,
    Leave,
    Sector,
    UnitRosterSettings,
    WorkPolicy,
    default_weights,
)

SIX_DAYS = rt.WEEKDAYS[:6]
FIVE_DAYS = rt.WEEKDAYS[:5]


def policy_in_effect(*, government: Government, on: dt.date) -> WorkPolicy | None:
    """The policy the government selected with the latest date on or before ``on``."""
    selection = (
        GovernmentPolicy.objects.filter(government=government, effective_from__lte=on)
        .select_related("policy")
        .order_by("-effective_from")
        .first()
    )
    return selection.policy if selection else None


def situations_in_period(*, government: Government, start: dt.date, end: dt.date) -> list[GovernmentSituation]:
    """The situation in force on ``start`` and every one that starts later in the period, oldest first."""
    current = (
        GovernmentSituation.objects.filter(government=government, effective_from__lte=start)
        .order_by("-effective_from")
        .first()
    )
    later = GovernmentSituation.objects.filter(
        government=government, effective_from__gt=start, effective_from__lte=end
    ).order_by("effective_from")
    return ([current] if current else []) + list(later)


def unit_sector_and_health(*, government: Government) -> dict[int, tuple[str, bool]]:
    """Every unit's sector and health-unit flag, inherited from the nearest unit above that sets one."""
    units = {u.pk: u for u in Unit.objects.filter(government=government)}
    own = {s.unit_id: s for s in UnitRosterSettings.objects.filter(government=government)}
    out: dict[int, tuple[str, bool]] = {}
    for unit in units.values():
        sector, health = "", False
        current: Unit | None = unit
        seen: set[int] = set()
        while current is not None and current.pk not in seen:
            seen.add(current.pk)
            row = own.get(current.pk)
            if row is not None:
                sector = sector or row.sector
                health = health or row.health_unit
            current = units.get(current.parent_id) if current.parent_id else None
        if not sector:
            sector = Sector.ESSENTIAL if unit.essential else Sector.NON_ESSENTIAL
        out[unit.pk] = (sector, health)
    return out


def unit_cap(
    *,
    policy: WorkPolicy,
    situations: list[GovernmentSituation],
    sector: str,
    health_unit: bool,
    java_bali: bool = True,
) -> float:
    """The strictest cap over the situations of the period for one unit (``java_bali`` serves policies
    with one cap for every situation, where no dated situation says it)."""
    if health_unit and policy.health_units_exempt:
        return 1.0
    if policy.cap_basis == CapBasis.NONE:
        return 1.0
    if policy.cap_basis == CapBasis.FLAT:
        return caps.cap_for(policy.cap_rows, caps.ANY, sector, java_bali)
    found = []
    for situation in situations:
        level = situation.level_for(policy.cap_basis)
        if level is not None:
            found.append(caps.cap_for(policy.cap_rows, level, sector, situation.java_bali))
    if not found:
        what = _("risk zone") if policy.cap_basis == CapBasis.ZONE else _("PPKM level")
        raise ValidationError(
            _("The policy sets caps by %(what)s, but none is set for this period; set the situation first.")
            % {"what": what}
        )
    return min(found)


def top_levels(*, government: Government) -> frozenset[str]:
    """The two highest structural levels held by active employees of the government."""
    present = set(
        Employee.objects.filter(government=government, is_active=True, position__kind=Position.Kind.STRUKTURAL)
        .values_list("position__level", flat=True)
        .distinct()
    )
    ranked = sorted((lvl for lvl in present if lvl in Position.RANK), key=Position.RANK.__getitem__)
    return frozenset(ranked[:2])


def floor_id(floor: Floor) -> str:
    return f"{floor.building.code}-{floor.number}"


def problem_build(
    *,
    government: Government,
    start: dt.date,
    end: dt.date,
    units: Iterable[Unit] | None = None,
    policy: WorkPolicy | None = None,
    on: dt.date | None = None,
    capacity_day: dt.date | None = None,
) -> rt.Problem:
    """The roster problem of ``government`` for ``start``…``end`` (see the module docstring).

    ``units`` limits it to those units (exactly, not their sub-units); ``policy`` overrides the
    selection; ``on`` (default ``start``) is the day the selection is read and ages are counted;
    ``capacity_day`` (default ``start``) the day whose floor capacities (building measures) apply.
    """
    from siaga.measures.selectors import capacities_on

    if end < start:
        raise ValidationError({"end": _("The end date comes before the start date.")})
    on = on or start
    policy = policy or policy_in_effect(government=government, on=on)
    if policy is None:
        raise ValidationError(_("Choose a work policy for the government first."))
    situations = situations_in_period(government=government, start=start, end=end)

    unit_qs = Unit.objects.filter(government=government, is_active=True).select_related("floor__building", "building")
    if units is not None:
        unit_qs = unit_qs.filter(pk__in=[u.pk for u in units])
    employees = list(
        Employee.objects.filter(government=government, is_active=True, unit__in=unit_qs)
        .select_related("position", "floor__building", "unit")
        .prefetch_related("skills")
        .order_by("unit__code", "nip")
    )
    size: dict[int, int] = defaultdict(int)
    for employee in employees:
        size[employee.unit_id] += 1
    chosen_units = [u for u in unit_qs.order_by("code") if size[u.pk]]

    floors: dict[str, rt.Floor] = {}
    capacities = capacities_on(government_id=government.pk, day=capacity_day or start)

    def add_floor(floor: Floor) -> str:
        key = floor_id(floor)
        floors[key] = rt.Floor(key, floor.building.code, capacities.get(floor.pk, 0))
        return key

    sector_health = unit_sector_and_health(government=government)
    settings = {s.unit_id: s for s in UnitRosterSettings.objects.filter(government=government)}
    coverage: dict[int, list[rt.Coverage]] = defaultdict(list)
    for rule in CoverageRule.objects.filter(government=government).select_related("skill").order_by("skill__code"):
        coverage[rule.unit_id].append(rt.Coverage(rule.skill.code, rule.min))
    problem_units = []
    for unit in chosen_units:
        if unit.floor is not None:
            unit_floor = add_floor(unit.floor)
        else:
            unit_floor = f"unit-{unit.code}"
            floors[unit_floor] = rt.Floor(unit_floor, unit_floor, size[unit.pk])
        sector, health = sector_health[unit.pk]
        cap = unit_cap(
            policy=policy,
            situations=situations,
            sector=sector,
            health_unit=health,
            java_bali=caps.is_java_bali(government.code),
        )
        own = settings.get(unit.pk)
        cohorts = own.cohorts if own is not None and own.cohorts else policy.cohorts_default
        problem_units.append(rt.Unit(unit.code, unit_floor, cap, cap, cohorts, tuple(coverage[unit.pk])))

    top = top_levels(government=government) if policy.top_levels_on_site else frozenset()
    risks: dict[int, RiskProfile] = {}
    if policy.pregnancy_wfh or policy.comorbidity_wfh:
        risks = {r.employee_id: r for r in RiskProfile.objects.filter(employee__in=employees)}
        # Health data: the read is logged (how many profiles, never whose flags were set).
        audit_record(
            actor=None,
            government=government,
            action="read",
            object_type="org.riskprofile",
            object_repr=f"risk flags of {len(risks)} employees for the roster problem {start}–{end}",
            changes={"profiles": len(risks)},
        )
    leaves: dict[int, list[rt.Unavailable]] = defaultdict(list)
    for leave in Leave.objects.filter(
        employee__in=employees, status=Leave.Status.APPROVED, start__lte=end, end__gte=start
    ).order_by("start"):
        leaves[leave.employee_id].append(rt.Unavailable(max(leave.start, start), min(leave.end, end), "leave"))
    for absence in Absence.objects.filter(employee__in=employees, start__lte=end, end__gte=start).order_by("start"):
        leaves[absence.employee_id].append(
            rt.Unavailable(max(absence.start, start), min(absence.end, end), absence.problem_reason)
        )
    problem_employees = []
    for employee in employees:
        own_floor = add_floor(employee.floor) if employee.floor is not None else None
        mode = "flexible"
        if (employee.position is not None and employee.position.level in top) or (
            sector_health[employee.unit_id][1] and policy.health_units_exempt
        ):
            mode = "always_wfo"
        risk = risks.get(employee.pk)
        if (
            (policy.age_wfh_from is not None and employee.age_on(on) >= policy.age_wfh_from)
            or (risk is not None and policy.pregnancy_wfh and risk.pregnant_or_breastfeeding)
            or (risk is not None and policy.comorbidity_wfh and risk.comorbidity)
        ):
            mode = "always_wfh"
        problem_employees.append(
            rt.Employee(
                employee.nip,
                employee.unit.code,
                frozenset(s.code for s in employee.skills.all()),
                own_floor,
                mode,
                tuple(leaves[employee.pk]),
            )
        )

    calendar = WorkingCalendar(government, start, end)
    workdays = SIX_DAYS if government.workweek == Government.Workweek.SIX else FIVE_DAYS
    holidays, day = set(), start
    while day <= end:
        if day.weekday() in government.workday_numbers and not calendar.is_working_day(day):
            holidays.add(day)
        day += dt.timedelta(days=1)
    shifts = tuple(
        rt.Shift(s["id"], dt.time.fromisoformat(s["start"]), dt.time.fromisoformat(s["end"])) for s in policy.shifts
    )
    return rt.Problem(
        name=f"{government.name}, {start.isoformat()}–{end.isoformat()}",
        start=start,
        end=end,
        shifts=shifts,
        floors=tuple(sorted(floors.values(), key=lambda f: f.id)),
        units=tuple(problem_units),
        employees=tuple(problem_employees),
        workdays=workdays,
        holidays=frozenset(holidays),
        weights={**default_weights(), **(policy.weights or {})},
    )
