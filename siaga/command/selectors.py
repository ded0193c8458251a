"""Reads of the command center: the government's day in aggregate figures, per agency (OPD).

Everything here is a count over the other apps' tables, filtered to the actor's government through
``access.scope_government``; no name, diagnosis or reason ever leaves this module. Health counts per
agency are suppressed below three ("<3") for everyone but the health task force.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncDate
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from siaga.core import access
from siaga.core.access import Actor, Perm
from siaga.core.background import recount_in_background
from siaga.core.models import Government
from siaga.org.models import Unit

logger = logging.getLogger(__name__)

#: health counts below this are shown as "<3" to the leader and BKPSDM
SUPPRESS_BELOW = 3
TREND_DAYS = 28
SLA_WEEKS = 8

#: statuses after which an application is no longer waiting for a decision
_FINISHED = ("issued", "delivered", "picked_up", "closed", "rejected", "cancelled", "signed")

# dimensions of the SVG bar charts (viewBox units)
CHART_HEIGHT = 120
CHART_TOP = 14
CHART_BOTTOM = 20
BAR_WIDTH = 12
BAR_GAP = 3


def require_viewer(actor: Actor) -> None:
    if not actor.is_authenticated or not actor.has_perm(Perm.VIEW_COMMAND):
        raise PermissionDenied(Perm.VIEW_COMMAND)


def _scoped(actor: Actor, qs: QuerySet[Any]) -> QuerySet[Any]:
    return access.scope_government(actor, qs)


def shown(n: int, *, detail: bool) -> str:
    """A health count as displayed: exact for the task force, "<3" below three for everyone else."""
    return str(n) if detail or n >= SUPPRESS_BELOW else f"<{SUPPRESS_BELOW}"


def today_of(government: Government) -> dt.date:
    return timezone.localtime(timezone.now(), government.tzinfo).date()


@dataclass
class UnitFigures:
    """One agency's (OPD's) day; health counts are raw here and suppressed by ``shown`` for display."""

    unit: Unit
    employees: int = 0
    planned: Counter[str] = field(default_factory=Counter)  # roster mode → people (published plans)
    checked: Counter[str] = field(default_factory=Counter)  # check-in mode → people
    cap: float | None = None  # largest WFO share the policy allows; None: no policy or no situation
    gaps: list[tuple[str, str]] = field(default_factory=list)  # (unit name, shift) with nobody on site
    cases: int = 0
    isolation: int = 0
    quarantine: int = 0
    on_time: int = 0
    late: int = 0
    deliveries: Counter[str] = field(default_factory=Counter)

    @property
    def wfo_share(self) -> float | None:
        """WFO share of those working today: the published roster, else the check-ins."""
        wfo, wfh = self.planned["wfo"], self.planned["wfh"]
        if wfo + wfh == 0:
            wfo, wfh = self.checked["wfo"], self.checked["wfh"]
        return wfo / (wfo + wfh) if wfo + wfh else None

    @property
    def wfo_percent(self) -> int | None:
        share = self.wfo_share
        return round(share * 100) if share is not None else None

    @property
    def cap_percent(self) -> int | None:
        return round(self.cap * 100) if self.cap is not None else None

    @property
    def over_cap(self) -> bool:
        share = self.wfo_share
        return share is not None and self.cap is not None and share > self.cap + 1e-9

    @property
    def sla_percent(self) -> int | None:
        total = self.on_time + self.late
        return round(100 * self.on_time / total) if total else None


@dataclass
class ClusterRow:
    name: str
    size: int
    places: list[str]


@dataclass
class MeasureRow:
    building: str
    floor: str
    kind: str
    end: dt.date


@dataclass
class Bar:
    x: int
    y: int
    h: int
    value: str
    label: str
    title: str


@dataclass
class Chart:
    bars: list[Bar]
    width: int
    height: int = CHART_HEIGHT
    baseline: int = CHART_HEIGHT - CHART_BOTTOM
    empty: bool = True


@dataclass
class Overview:
    government: Government
    day: dt.date
    detail: bool  # exact health counts (task force)
    units: list[UnitFigures]
    clusters: list[ClusterRow]
    measures: list[MeasureRow]
    charts: dict[str, Chart] = field(default_factory=dict)

    def total(self, attr: str) -> int:
        return sum(getattr(u, attr) for u in self.units)

    def total_counter(self, attr: str, key: str) -> int:
        return sum(getattr(u, attr)[key] for u in self.units)

    @property
    def gaps(self) -> list[tuple[str, str]]:
        return [g for u in self.units for g in u.gaps]

    @property
    def over_cap(self) -> list[UnitFigures]:
        return [u for u in self.units if u.over_cap]

    @property
    def deliveries(self) -> Counter[str]:
        out: Counter[str] = Counter()
        for u in self.units:
            out.update(u.deliveries)
        return out

    def health(self, n: int) -> str:
        return shown(n, detail=self.detail)

    # what the page shows (health counts suppressed)
    @property
    def health_rows(self) -> list[dict[str, str]]:
        return [
            {
                "code": u.unit.code,
                "name": u.unit.name,
                "cases": self.health(u.cases),
                "isolation": self.health(u.isolation),
                "quarantine": self.health(u.quarantine),
            }
            for u in self.units
        ]

    @property
    def cases_total(self) -> str:
        return self.health(self.total("cases"))

    @property
    def isolation_total(self) -> str:
        return self.health(self.total("isolation"))

    @property
    def quarantine_total(self) -> str:
        return self.health(self.total("quarantine"))

    @property
    def cluster_rows(self) -> list[dict[str, Any]]:
        return [{"name": c.name, "size": self.health(c.size), "places": c.places} for c in self.clusters]

    @property
    def late_total(self) -> int:
        return self.total("late")

    @property
    def delivery_rows(self) -> list[tuple[str, int]]:
        return [(status_label(s), n) for s, n in sorted(self.deliveries.items())]

    @property
    def deliveries_total(self) -> int:
        return sum(self.deliveries.values())


# ---------------------------------------------------------------------------------------------------
# the unit tree


class _Tree:
    def __init__(self, government: Government) -> None:
        self.units = {u.pk: u for u in Unit.objects.filter(government=government, is_active=True)}
        self.children: dict[int | None, list[int]] = defaultdict(list)
        for u in self.units.values():
            self.children[u.parent_id if u.parent_id in self.units else None].append(u.pk)
        self._top: dict[int, int] = {}
        self._places: dict[int, str] | None = None
        self._buildings: dict[int, str] = {}

    def top(self, unit_id: int) -> int | None:
        """The agency (the unit at the top of the tree) above a unit, or None for an unknown unit."""
        if unit_id in self._top:
            return self._top[unit_id]
        current, seen = unit_id, set()
        while current in self.units and current not in seen:
            seen.add(current)
            parent = self.units[current].parent_id
            if parent is None or parent not in self.units:
                break
            current = parent
        found = current if current in self.units else None
        if found is not None:
            self._top[unit_id] = found
        return found

    def subtree(self, unit_id: int) -> set[int]:
        out, stack = set(), [unit_id]
        while stack:
            uid = stack.pop()
            if uid not in out:
                out.add(uid)
                stack.extend(self.children.get(uid, ()))
        return out

    def place(self, unit_id: int) -> str:
        """Where a unit works: its floor (with the building) or building, else the nearest unit's above."""
        if self._places is None:
            from siaga.org.models import Building, Floor

            gov = next(iter(self.units.values())).government_id if self.units else 0
            self._buildings = dict(Building.objects.filter(government_id=gov).values_list("pk", "name"))
            self._places = {
                pk: (f"{bname} · {name or number}")
                for pk, bname, name, number in Floor.objects.filter(building__government_id=gov).values_list(
                    "pk", "building__name", "name", "number"
                )
            }
        current, seen = unit_id, set()
        while current in self.units and current not in seen:
            seen.add(current)
            unit = self.units[current]
            if unit.floor_id:
                return self._places.get(unit.floor_id, "")
            if unit.building_id:
                return self._buildings.get(unit.building_id, "")
            if unit.parent_id is None:
                break
            current = unit.parent_id
        return ""

    @property
    def agencies(self) -> list[Unit]:
        return sorted((self.units[pk] for pk in self.children[None]), key=lambda u: u.name)


# ---------------------------------------------------------------------------------------------------
# the figures


def _published_plans(actor: Actor, day: dt.date) -> list[int]:
    """Published plans covering the day, the newest first (latest ``published_at``, then the highest id)."""
    from siaga.rostering.models import RosterPlan

    plans = RosterPlan.objects.filter(
        government_id=actor.government_id, status=RosterPlan.Status.PUBLISHED, start__lte=day, end__gte=day
    ).values_list("pk", "published_at")
    epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
    return [pk for pk, _at in sorted(plans, key=lambda p: (p[1] or epoch, p[0]), reverse=True)]


@dataclass
class _Day:
    """The day's roster and check-ins of active employees, read once for the counts and the gaps."""

    roster: dict[int, tuple[int, str, str, int]]  # employee → (unit, mode, shift, plan), newest plan winning
    checked: Counter[tuple[int, str]]  # (unit, mode) → people, each once with their latest check-in
    checked_wfo: dict[int, set[str]]  # employee → shifts checked in at the office


def _day(actor: Actor, day: dt.date) -> _Day:
    from siaga.attendance.models import CheckIn
    from siaga.rostering.models import RosterAssignment

    plans = _published_plans(actor, day)
    rank = {plan: i for i, plan in enumerate(plans)}
    roster: dict[int, tuple[int, str, str, int]] = {}
    rows = (
        RosterAssignment.objects.filter(plan_id__in=plans, date=day, employee__is_active=True)
        .order_by()
        .values_list("employee_id", "employee__unit_id", "mode", "shift", "plan_id")
    )
    for emp, uid, mode, shift, plan in sorted(rows, key=lambda row: rank[row[4]]):
        roster.setdefault(emp, (uid, mode, shift, plan))
    latest: dict[int, tuple[dt.datetime, int, int, str]] = {}
    checked_wfo: dict[int, set[str]] = defaultdict(set)
    check_ins = (
        _scoped(actor, CheckIn.objects.filter(date=day, employee__is_active=True))
        .order_by()
        .values_list("employee_id", "checked_in_at", "pk", "employee__unit_id", "mode", "shift")
    )
    for emp, at, pk, uid, mode, shift in check_ins:
        if emp not in latest or (at, pk) > latest[emp][:2]:
            latest[emp] = (at, pk, uid, mode)
        if mode == "wfo":
            checked_wfo[emp].add(shift)
    checked = Counter((uid, mode) for _at, _pk, uid, mode in latest.values())
    return _Day(roster=roster, checked=checked, checked_wfo=checked_wfo)


def _caps(government: Government, day: dt.date, agencies: list[Unit]) -> dict[int, float | None]:
    """The policy's WFO cap for each agency on the day (None where no policy or no situation says one)."""
    from siaga.rostering import caps
    from siaga.rostering.problem import policy_in_effect, situations_in_period, unit_cap, unit_sector_and_health

    policy = policy_in_effect(government=government, on=day)
    if policy is None:
        return {u.pk: None for u in agencies}
    situations = situations_in_period(government=government, start=day, end=day)
    sectors = unit_sector_and_health(government=government)
    out: dict[int, float | None] = {}
    for u in agencies:
        sector, health = sectors.get(u.pk, ("non_essential", False))
        try:
            out[u.pk] = unit_cap(
                policy=policy,
                situations=situations,
                sector=sector,
                health_unit=health,
                java_bali=caps.is_java_bali(government.code),
            )
        except ValidationError:
            out[u.pk] = None
    return out


def _coverage_gaps(
    actor: Actor, tree: _Tree, day: dt.date, government: Government, today: _Day
) -> dict[int, list[tuple[str, str]]]:
    """agency → [(public-service unit, shift)] where nobody is rostered WFO nor checked in WFO for that shift.

    Only the people of public-service units (and the units below them) are looked at."""
    from siaga.org.models import Employee
    from siaga.rostering.selectors import plan_shift_times

    if day.weekday() not in government.workday_numbers:
        return {}
    serving = [u for u in tree.units.values() if u.public_service]
    if not serving:
        return {}
    covered = set().union(*(tree.subtree(u.pk) for u in serving))
    by_unit_people: dict[int, list[int]] = defaultdict(list)
    for emp, uid in _scoped(actor, Employee.objects.filter(is_active=True, unit_id__in=covered)).values_list(
        "pk", "unit_id"
    ):
        by_unit_people[uid].append(emp)
    roster = {emp: (mode, shift, plan) for emp, (uid, mode, shift, plan) in today.roster.items() if uid in covered}
    checked_wfo = today.checked_wfo
    used = {plan for _mode, _shift, plan in roster.values()}
    shift_times = plan_shift_times(plan_ids=used) if used else {}
    out: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for unit in sorted(serving, key=lambda u: u.name):
        people = [e for uid in tree.subtree(unit.pk) for e in by_unit_people.get(uid, ())]
        unit_plans = {roster[e][2] for e in people if e in roster}
        shifts = sorted({s for plan in unit_plans for s in shift_times.get(plan, {})})
        agency = tree.top(unit.pk)
        if agency is None:
            continue
        if not shifts:
            if not any(checked_wfo.get(e) for e in people):
                out[agency].append((unit.name, "—"))
            continue
        for shift in shifts:
            on_site = any(
                (e in roster and roster[e][0] == "wfo" and roster[e][1] == shift) or shift in checked_wfo.get(e, ())
                for e in people
            )
            if not on_site:
                out[agency].append((unit.name, shift))
    return out


def _applications(actor: Actor, day: dt.date, tz: Any) -> list[tuple[int, int, int]]:
    """(unit, on time, late), counted in the database, over every application waiting for a decision and
    every one decided in the last 28 days: on time while the due date has not passed, or when decided by
    it (the decision's date in the government's time zone)."""
    from siaga.services.models import Application

    since = timezone.make_aware(dt.datetime.combine(day - dt.timedelta(days=TREND_DAYS), dt.time()), tz)
    base = _scoped(actor, Application.objects.filter(due_on__isnull=False))
    waiting = (
        base.filter(decided_at__isnull=True)
        .exclude(status__in=_FINISHED)
        .values("unit_id")
        .annotate(on_time=Count("pk", filter=Q(due_on__gte=day)), late=Count("pk", filter=Q(due_on__lt=day)))
        .order_by()
    )
    decided = (
        base.filter(decided_at__gte=since)
        .annotate(decided_on=TruncDate("decided_at", tzinfo=tz))
        .values("unit_id")
        .annotate(
            on_time=Count("pk", filter=Q(decided_on__lte=F("due_on"))),
            late=Count("pk", filter=Q(decided_on__gt=F("due_on"))),
        )
        .order_by()
    )
    return [(row["unit_id"], row["on_time"], row["late"]) for rows in (waiting, decided) for row in rows]


def overview(*, actor: Actor, day: dt.date | None = None, agency: Unit | None = None) -> Overview:
    """The government's figures for the day, per agency (or for one agency when given)."""
    from siaga.delivery.models import DeliveryOrder
    from siaga.measures.models import BuildingMeasure
    from siaga.org.models import Employee
    from siaga.outbreak.models import CONFIRMED, Case, Order

    require_viewer(actor)
    government = actor.tenant
    tz = government.tzinfo
    day = day or today_of(government)
    tree = _Tree(government)
    agencies = [agency] if agency is not None else tree.agencies
    figures = {u.pk: UnitFigures(unit=u) for u in agencies}

    inside = tree.subtree(agency.pk) if agency is not None else set()

    def fig(unit_id: int | None) -> UnitFigures | None:
        """The row a unit counts in: its agency's, or the drilled-down unit's for the units below it."""
        if unit_id is None:
            return None
        if agency is not None:
            return figures[agency.pk] if unit_id in inside else None
        top = tree.top(unit_id)
        return figures.get(top) if top is not None else None

    # every figure below is counted in the database, grouped by unit, and added up per agency here
    for row in (
        _scoped(actor, Employee.objects.filter(is_active=True)).values("unit_id").annotate(n=Count("pk")).order_by()
    ):
        if (f := fig(row["unit_id"])) is not None:
            f.employees += row["n"]
    today = _day(actor, day)
    planned: Counter[tuple[int, str]] = Counter((uid, mode) for uid, mode, _shift, _plan in today.roster.values())
    for (uid, mode), n in planned.items():
        if (f := fig(uid)) is not None:
            f.planned[mode] += n
    for (uid, mode), n in today.checked.items():
        if (f := fig(uid)) is not None:
            f.checked[mode] += n
    for pk, cap in _caps(government, day, agencies).items():
        figures[pk].cap = cap
    for pk, gaps in _coverage_gaps(actor, tree, day, government, today).items():
        if pk in figures:
            figures[pk].gaps = gaps

    # health: counts only
    for row in (
        _scoped(actor, Case.objects.filter(employee__isnull=False, classification__in=CONFIRMED))
        .values("employee__unit_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        if (f := fig(row["employee__unit_id"])) is not None:
            f.cases += row["n"]
    orders = _scoped(actor, Order.objects.filter(status=Order.Status.ACTIVE, start__lte=day, end__gte=day)).filter(
        case__employee__isnull=False
    )
    for row in orders.values("case__employee__unit_id", "kind").annotate(n=Count("pk")).order_by():
        if (f := fig(row["case__employee__unit_id"])) is not None:
            if row["kind"] == Order.Kind.ISOLATION:
                f.isolation += row["n"]
            else:
                f.quarantine += row["n"]

    for uid, on_time, late in _applications(actor, day, tz):
        if (f := fig(uid)) is not None:
            f.on_time += on_time
            f.late += late
    for row in (
        _scoped(actor, DeliveryOrder.objects.filter(scheduled_on=day))
        .values("unit_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        if (f := fig(row["unit_id"])) is not None:
            f.deliveries[row["status"]] += row["n"]

    detail = access.sees_health_detail(actor)
    measures = [
        MeasureRow(
            building=m.building.name,
            floor=(m.floor.name or str(m.floor.number)) if m.floor else "",
            kind=m.get_kind_display(),
            end=m.end,
        )
        for m in _scoped(
            actor,
            BuildingMeasure.objects.filter(status=BuildingMeasure.Status.ACTIVE, start__lte=day, end__gte=day),
        )
        .select_related("building", "floor")
        .order_by("building__name", "floor__number")
    ]
    if agency is not None:
        from siaga.org.models import Floor

        own = [tree.units[pk] for pk in inside if pk in tree.units]
        buildings = {u.building_id for u in own if u.building_id}
        buildings |= set(
            Floor.objects.filter(pk__in=[u.floor_id for u in own if u.floor_id]).values_list("building_id", flat=True)
        )
        names = set(
            _scoped(actor, BuildingMeasure.objects.filter(building_id__in=buildings)).values_list(
                "building__name", flat=True
            )
        )
        measures = [m for m in measures if m.building in names]
    return Overview(
        government=government,
        day=day,
        detail=detail,
        units=list(figures.values()),
        clusters=_clusters(actor, tree, inside if agency is not None else None),
        measures=measures,
    )


def board(*, actor: Actor, day: dt.date | None = None, agency: Unit | None = None, charts: bool = True) -> Overview:
    """``overview`` (with the trend charts unless ``charts`` is false) through a short cache.

    The figures are the same for every viewer of a government (they are counted over the whole
    government, never per viewer), so they are computed once per ``COMMAND_CACHE_SECONDS`` (default 30)
    per government, day and agency in Django's cache; what differs per viewer (the "<3" suppression of
    health counts) is applied on each request. When the figures are older than that but younger than
    twice that, the request is answered with them at once and one background thread counts afresh for
    the next viewers, so no viewer of a busy command center waits for the count (the page refreshes
    every 60 seconds: a figure is at most about that much older than the database)."""
    require_viewer(actor)
    government = actor.tenant
    day = day or today_of(government)
    seconds = settings.COMMAND_CACHE_SECONDS
    key = f"command:board:v2:{government.pk}:{day.isoformat()}:{agency.pk if agency else '-'}:{int(charts)}"

    def count() -> Overview:
        fresh = overview(actor=actor, day=day, agency=agency)
        if charts:
            with_charts(fresh, actor)
        if seconds > 0:
            cache.set(key, (time.time(), fresh), 2 * seconds)
        return fresh

    entry: tuple[float, Overview] | None = cache.get(key) if seconds > 0 else None
    if entry is None:
        figures = count()
    else:
        counted_at, figures = entry
        # stale: one request (the one that takes the flag) starts the recount; the others keep serving
        if time.time() - counted_at > seconds and cache.add(f"{key}:counting", 1, timeout=max(seconds, 10)):
            recount_in_background(count, what="command center figures")
    return replace(figures, detail=access.sees_health_detail(actor))


def _clusters(actor: Actor, tree: _Tree, inside: set[int] | None) -> list[ClusterRow]:
    """Active clusters with their size and where their members work (building · floor), no names."""
    from siaga.outbreak.models import Cluster, ClusterMember

    members = (
        _scoped(actor, ClusterMember.objects.filter(removed_at__isnull=True, cluster__status=Cluster.Status.ACTIVE))
        .filter(cluster__government_id=actor.government_id)
        .values_list(
            "cluster_id",
            "cluster__name",
            "case__employee__unit_id",
            "case__employee__floor__building__name",
            "case__employee__floor__name",
            "case__employee__building__name",
        )
    )
    names: dict[int, str] = {}
    sizes: Counter[int] = Counter()
    places: dict[int, set[str]] = defaultdict(set)
    touches: dict[int, bool] = defaultdict(bool)
    for cid, name, uid, fb, fl, b in members:
        names[cid] = name
        sizes[cid] += 1
        if inside is not None and uid in inside:
            touches[cid] = True
        place = (f"{fb} · {fl}" if fl else fb) if fb else b or (tree.place(uid) if uid is not None else "")
        if place:
            places[cid].add(place)
    ids = [cid for cid in names if inside is None or touches[cid]]
    for cid in _scoped(actor, Cluster.objects.filter(status=Cluster.Status.ACTIVE)).values_list("pk", flat=True):
        if cid not in names and inside is None:
            ids.append(cid)
            names[cid] = ""
    return sorted(
        (ClusterRow(name=names[cid], size=sizes[cid], places=sorted(places[cid])) for cid in ids),
        key=lambda r: (-r.size, r.name),
    )


def agency_get(*, actor: Actor, code: str) -> Unit:
    """An agency (a top-level unit) of the actor's government by its code; 404 otherwise."""
    require_viewer(actor)
    unit = _scoped(actor, Unit.objects.filter(code=code, is_active=True)).first()
    if unit is None:
        raise Http404
    return unit


# ---------------------------------------------------------------------------------------------------
# charts (server-rendered SVG)


def bar_chart(points: list[tuple[dt.date, float | None]], *, percent: bool, label_every: int = 7) -> Chart:
    """Bars for a series of (date, value); values are counts, or shares 0–1 shown as percentages."""
    peak = max((v for _d, v in points if v is not None), default=0) or 0
    if percent:
        peak = 1.0
    chart = Chart(bars=[], width=max(len(points) * (BAR_WIDTH + BAR_GAP) + BAR_GAP + 24, 120))
    plot = chart.baseline - CHART_TOP
    for i, (day, value) in enumerate(points):
        v = value or 0
        h = round(plot * v / peak) if peak else 0
        x = BAR_GAP + i * (BAR_WIDTH + BAR_GAP)
        text = "" if value is None else (f"{round(v * 100)}%" if percent else str(int(v)))
        chart.bars.append(
            Bar(
                x=x,
                y=chart.baseline - h,
                h=h,
                value=text,
                label=day.strftime("%d/%m") if i % label_every == 0 else "",
                title=f"{day:%d/%m/%Y}: {text or '—'}",
            )
        )
        if value:
            chart.empty = False
    return chart


def cases_trend(actor: Actor, day: dt.date) -> list[tuple[dt.date, float | None]]:
    """Confirmed cases per day (onset, else specimen date) over the last 28 days."""
    from siaga.outbreak.dashboard import case_date, confirmed_status
    from siaga.outbreak.models import Case

    start = day - dt.timedelta(days=TREND_DAYS - 1)
    cases = list(
        _scoped(
            actor,
            Case.objects.filter(
                Q(onset_date__gte=start, onset_date__lte=day)
                | Q(onset_date__isnull=True, specimen_date__gte=start, specimen_date__lte=day)
            ),
        ).only("pk", "classification", "onset_date", "specimen_date")
    )
    status = confirmed_status(cases)
    counts: Counter[dt.date] = Counter()
    for case in cases:
        d = case_date(case)
        if case.pk in status and d is not None:
            counts[d] += 1
    return [(start + dt.timedelta(days=i), counts[start + dt.timedelta(days=i)]) for i in range(TREND_DAYS)]


def wfo_trend(actor: Actor, day: dt.date) -> list[tuple[dt.date, float | None]]:
    """Share of the day's check-ins made at the office, over the last 28 days."""
    from siaga.attendance.models import CheckIn

    start = day - dt.timedelta(days=TREND_DAYS - 1)
    per_day: dict[dt.date, Counter[str]] = defaultdict(Counter)
    rows = (
        _scoped(actor, CheckIn.objects.filter(date__gte=start, date__lte=day))
        .values("date", "mode")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:  # counted in the database: a month of a regency is ~150,000 check-ins
        per_day[row["date"]][row["mode"]] += row["n"]
    out: list[tuple[dt.date, float | None]] = []
    for i in range(TREND_DAYS):
        d = start + dt.timedelta(days=i)
        total = sum(per_day[d].values())
        out.append((d, per_day[d]["wfo"] / total if total else None))
    return out


def sla_trend(actor: Actor, day: dt.date) -> list[tuple[dt.date, float | None]]:
    """Share of applications decided by their due date, per week (Monday) over the last eight weeks."""
    from siaga.services.models import Application

    tz = actor.tenant.tzinfo
    monday = day - dt.timedelta(days=day.weekday())
    first = monday - dt.timedelta(weeks=SLA_WEEKS - 1)
    since = timezone.make_aware(dt.datetime.combine(first, dt.time()), tz)
    weeks: dict[dt.date, list[int]] = defaultdict(lambda: [0, 0])
    rows = _scoped(actor, Application.objects.filter(due_on__isnull=False, decided_at__gte=since)).values_list(
        "due_on", "decided_at"
    )
    for due, decided in rows:
        d = timezone.localtime(decided, tz).date()
        week = d - dt.timedelta(days=d.weekday())
        weeks[week][1] += 1
        if d <= due:
            weeks[week][0] += 1
    out: list[tuple[dt.date, float | None]] = []
    for i in range(SLA_WEEKS):
        w = first + dt.timedelta(weeks=i)
        on_time, total = weeks.get(w, [0, 0])
        out.append((w, on_time / total if total else None))
    return out


def with_charts(board: Overview, actor: Actor) -> Overview:
    board.charts = {
        "cases": bar_chart(cases_trend(actor, board.day), percent=False),
        "wfo": bar_chart(wfo_trend(actor, board.day), percent=True),
        "sla": bar_chart(sla_trend(actor, board.day), percent=True, label_every=1),
    }
    return board


# ---------------------------------------------------------------------------------------------------
# subscriptions


def subscription_of(*, actor: Actor) -> Any:
    from siaga.command.models import ReportSubscription

    require_viewer(actor)
    return _scoped(actor, ReportSubscription.objects.filter(user_id=actor.user_id or 0)).first()


def status_label(status: str) -> str:
    from siaga.delivery.models import DeliveryStatus

    return str(dict(DeliveryStatus.choices).get(status, status))


def no_data() -> str:
    return _("No data")
