"""Reads of the task force's dashboard: counts among ASN by classification and symptom status, the
epidemic curve, counts by unit and building, and the people under isolation or quarantine today.

Task force only (403 for anyone else), scoped to the actor's government by ``access.scope_cases``; every
read is written to the audit log with its filters.

The figures, the clusters' graphs and the page drawn from them are the same for every member of a
government's task force, so a web process keeps them (``counted``) while nothing that they show has been
saved or deleted since (``changed``, called on every save and delete of the outbreak's, the organisation's
and the building measures' models): a task force member sees their own change at once, and the morning's
viewers do not count the same figures over and over. Every ``COMMAND_CACHE_SECONDS`` a background thread
counts them afresh for the next viewer, for what changed without the models' signals.
They are kept in the process's memory only, never in the shared cache on disk (they name people and their
diagnoses); the shared cache holds one version token per government, so a change made through one process
is seen by all."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation

from siaga.core import access
from siaga.core.access import Actor, Perm
from siaga.core.background import recount_in_background
from siaga.core.services import audit_record
from siaga.org.models import Building, Unit
from siaga.outbreak.models import CONFIRMED, Case, Classification, ClassificationChange, Order

#: the dimensions of the SVG epidemic curve (viewBox units)
CURVE_HEIGHT = 160
CURVE_TOP = 14  # room for the value above the highest bar
CURVE_BOTTOM = 22  # room for the date labels
BAR_WIDTH = 14
BAR_GAP = 3


@dataclass(frozen=True)
class DashboardFilters:
    unit: Unit | None = None  # the unit and every unit below it
    building: Building | None = None

    @property
    def building_pk(self) -> int | None:
        return self.building.pk if self.building else None

    def describe(self) -> str:
        return f"unit={self.unit.pk if self.unit else '*'} building={self.building_pk or '*'}"


@dataclass(frozen=True)
class CurveDay:
    date: dt.date
    symptomatic: int
    asymptomatic: int

    @property
    def total(self) -> int:
        return self.symptomatic + self.asymptomatic


@dataclass(frozen=True)
class CurveBar:
    day: CurveDay
    x: int
    y_sym: int
    h_sym: int
    y_asym: int
    h_asym: int
    label: str  # the date under the bar, on the first day and every seventh


@dataclass
class Curve:
    days: list[CurveDay]
    width: int = 0
    height: int = CURVE_HEIGHT
    baseline: int = CURVE_HEIGHT - CURVE_BOTTOM
    bars: list[CurveBar] = field(default_factory=list)
    peak: int = 0


@dataclass
class Dashboard:
    today: dt.date
    filters: DashboardFilters
    #: ever confirmed (cumulative), with and without symptoms
    confirmed: int
    confirmed_symptomatic: int
    confirmed_asymptomatic: int
    #: confirmed today (not yet finished isolation, not dead)
    active: int
    active_symptomatic: int
    active_asymptomatic: int
    recovered: int
    died: int
    #: current classification → number of ASN
    by_classification: list[tuple[str, str, int]]
    curve: Curve
    by_unit: list[tuple[str, int]]
    #: by OPD (the unit at the top of the tree above the employee's unit)
    by_opd: list[tuple[str, int]]
    by_building: list[tuple[str, int]]
    isolation: list[Order]
    quarantine: list[Order]


logger = logging.getLogger(__name__)
T = TypeVar("T")

_VERSION_KEY = "outbreak:dashboard:version:{}"
#: (what, government, …) → (version, counted at (monotonic), value); at most _KEPT entries
_kept: dict[tuple[Any, ...], tuple[str, float, Any]] = {}
_kept_lock = threading.Lock()
_KEPT = 64
#: the keys being counted afresh in a background thread of this process
_counting: set[tuple[Any, ...]] = set()
#: kept figures older than this many COMMAND_CACHE_SECONDS are counted in the request, not served
STALE_PERIODS = 10


def changed(government_id: int | None) -> None:
    """Something the government's dashboard shows was saved or deleted: the next view counts afresh. Once
    now, and once more when the transaction commits: a view counted in between, by another process that
    could not see the change yet, is not kept past the commit."""
    if government_id is None:
        return
    key = _VERSION_KEY.format(government_id)
    _renew(key)
    transaction.on_commit(lambda: _renew(key))


def _renew(key: str) -> None:
    try:
        cache.set(key, uuid.uuid4().hex, None)
    except Exception:  # a full disk must not fail the save; kept figures still expire after the period
        logger.warning("outbreak dashboard: the version %s could not be renewed", key, exc_info=True)


def _version(government_id: int) -> str:
    """The government's version token; a new one each time when the cache cannot be read or written (then
    nothing kept ever matches it, and every view counts afresh)."""
    key = _VERSION_KEY.format(government_id)
    try:
        version = cache.get(key)
        if version is None:
            cache.add(key, uuid.uuid4().hex, None)
            version = cache.get(key)
    except Exception:
        logger.warning("outbreak dashboard: the version %s could not be read", key, exc_info=True)
        version = None
    return str(version) if version else uuid.uuid4().hex


def counted(key: tuple[Any, ...], government_id: int, count: Callable[[], T]) -> T:
    """``count()``, or what it gave for ``key`` in this process when nothing of the government has changed
    since (the version is read before counting, so a change made while counting makes the next view count
    again).

    Kept figures younger than ``COMMAND_CACHE_SECONDS`` are served as they are. Older ones, up to
    ``STALE_PERIODS`` periods, are served once more while one thread of the process counts afresh for the
    next view: the version already shows every change saved through the models at once, and the recount
    catches what bypassed them (bulk updates) without a viewer waiting for it. Older still, or after a
    change, the view counts in the request."""
    seconds = settings.COMMAND_CACHE_SECONDS
    if seconds <= 0:
        return count()
    version, now = _version(government_id), time.monotonic()
    with _kept_lock:
        entry = _kept.get(key)
    if entry is not None and entry[0] == version:
        age = now - entry[1]
        if age < seconds:
            return entry[2]
        if age < STALE_PERIODS * seconds:
            _recount(key, government_id, count)
            return entry[2]
    value = count()
    _keep(key, version, now, value)
    return value


def _keep(key: tuple[Any, ...], version: str, counted_at: float, value: Any) -> None:
    with _kept_lock:
        _kept.pop(key, None)
        while len(_kept) >= _KEPT:
            _kept.pop(next(iter(_kept)))  # the oldest
        _kept[key] = (version, counted_at, value)


def _recount(key: tuple[Any, ...], government_id: int, count: Callable[[], Any]) -> None:
    """Count ``key`` afresh in a background thread, unless one is at it already."""
    with _kept_lock:
        if key in _counting:
            return
        _counting.add(key)

    def run() -> None:
        try:
            version, now = _version(government_id), time.monotonic()
            _keep(key, version, now, count())
        finally:
            with _kept_lock:
                _counting.discard(key)

    try:
        recount_in_background(run, what="outbreak dashboard")
    except Exception:  # no thread to be had: this view is served the kept figures, the next one tries again
        logger.warning("outbreak dashboard: no thread to count %s afresh", key[0], exc_info=True)
        with _kept_lock:
            _counting.discard(key)


def _require(actor: Actor) -> None:
    if not actor.is_authenticated or not actor.has_perm(Perm.VIEW_HEALTH):
        raise PermissionDenied(Perm.VIEW_HEALTH)


def log_read(actor: Actor, *, object_id: str, object_repr: str, ip_address: str | None) -> None:
    audit_record(
        actor=actor.user,
        government=actor.government_id,
        action="read",
        object_type="outbreak.case",
        object_id=object_id,
        object_repr=object_repr[:200],
        ip_address=ip_address,
    )


def log_view(actor: Actor, filters: DashboardFilters, *, ip_address: str | None) -> None:
    """The audit records of one view of the dashboard page: the dashboard with its filters and the cluster
    list it shows (written for every view, also when the page is kept)."""
    from siaga.outbreak.selectors_clusters import log_list_read

    _require(actor)
    log_read(actor, object_id="dashboard", object_repr=f"dashboard {filters.describe()}", ip_address=ip_address)
    log_list_read(actor, ip_address=ip_address)


def forget() -> None:
    """Drop everything this process keeps (tests: each starts with nothing kept)."""
    with _kept_lock:
        _kept.clear()
        _counting.clear()


def unit_subtree_ids(unit: Unit) -> set[int]:
    """The unit and every unit below it (one query per level)."""
    ids = {unit.pk}
    frontier = {unit.pk}
    while frontier:
        frontier = set(Unit.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)) - ids
        ids |= frontier
    return ids


def asn_cases(actor: Actor, filters: DashboardFilters) -> QuerySet[Case]:
    """The government's cases of employees (ASN), filtered by unit (with its sub-units) and building."""
    _require(actor)
    qs = access.scope_cases(actor, Case.objects.filter(employee__isnull=False)).select_related(
        "employee__unit__building", "employee__unit__floor__building", "employee__building", "employee__floor__building"
    )
    if filters.unit is not None:
        qs = qs.filter(employee__unit_id__in=unit_subtree_ids(filters.unit))
    if filters.building is not None:
        b = filters.building.pk
        qs = qs.filter(
            Q(employee__floor__building_id=b)
            | Q(employee__floor__isnull=True, employee__building_id=b)
            | Q(employee__floor__isnull=True, employee__building__isnull=True, employee__unit__floor__building_id=b)
            | Q(
                employee__floor__isnull=True,
                employee__building__isnull=True,
                employee__unit__floor__isnull=True,
                employee__unit__building_id=b,
            )
        )
    return qs


def building_of(case: Case) -> Building | None:
    """Where the case's employee works: their floor's building, their building, else their unit's."""
    e = case.employee
    if e is None:
        return None
    if e.floor is not None:
        return e.floor.building
    if e.building is not None:
        return e.building
    if e.unit.floor is not None:
        return e.unit.floor.building
    return e.unit.building


def confirmed_status(cases: list[Case]) -> dict[int, str]:
    """Case pk → its latest confirmed classification, for every case that was ever confirmed (a case now
    "isolation finished" or "died" still counts, with the symptom status it had)."""
    status: dict[int, str] = {}
    for case in cases:
        if case.classification in CONFIRMED:
            status[case.pk] = case.classification
    rows = (
        ClassificationChange.objects.filter(case_id__in=[c.pk for c in cases], to_value__in=CONFIRMED)
        .order_by("changed_at", "pk")
        .values_list("case_id", "to_value")
    )
    by_case = {c.pk: c for c in cases}
    for case_id, value in rows:
        if by_case[case_id].classification not in CONFIRMED:
            status[case_id] = value
    return status


def case_date(case: Case) -> dt.date | None:
    """The date a case stands at on the epidemic curve: onset, else the specimen date."""
    return case.onset_date or case.specimen_date


def curve_of(cases: list[Case], status: dict[int, str]) -> Curve:
    """Confirmed cases per day of onset (specimen date without onset), every day from the first to the last."""
    counts: dict[dt.date, Counter[str]] = {}
    for case in cases:
        day = case_date(case)
        if case.pk not in status or day is None:
            continue
        counts.setdefault(day, Counter())[status[case.pk]] += 1
    curve = Curve(days=[])
    if not counts:
        return curve
    first, last = min(counts), max(counts)
    day = first
    while day <= last:
        c = counts.get(day, Counter())
        curve.days.append(
            CurveDay(day, c[Classification.CONFIRMED_SYMPTOMATIC], c[Classification.CONFIRMED_ASYMPTOMATIC])
        )
        day += dt.timedelta(days=1)
    curve.peak = max(d.total for d in curve.days)
    plot = curve.baseline - CURVE_TOP
    # room on the right for the last date label
    curve.width = max(len(curve.days) * (BAR_WIDTH + BAR_GAP) + BAR_GAP + 16, 120)
    for i, d in enumerate(curve.days):
        h_asym = round(plot * d.asymptomatic / curve.peak)
        h_sym = round(plot * d.total / curve.peak) - h_asym
        x = BAR_GAP + i * (BAR_WIDTH + BAR_GAP)
        y_asym = curve.baseline - h_asym
        curve.bars.append(
            CurveBar(
                day=d,
                x=x,
                y_asym=y_asym,
                h_asym=h_asym,
                y_sym=y_asym - h_sym,
                h_sym=h_sym,
                label=d.date.strftime("%d/%m") if i % 7 == 0 else "",
            )
        )
    return curve


def orders_in_force(cases: QuerySet[Case], on: dt.date) -> list[Order]:
    return list(
        Order.objects.filter(case__in=cases, status=Order.Status.ACTIVE, start__lte=on, end__gte=on)
        .select_related("case__employee__unit")
        .order_by("end", "case__employee__name")
    )


def dashboard(
    *,
    actor: Actor,
    filters: DashboardFilters | None = None,
    ip_address: str | None = None,
    log: bool = True,
    kept: bool = True,
) -> Dashboard:
    """Everything the dashboard shows, for the actor's government and the filters (``counted`` unless
    ``kept`` is false: the exports count afresh); the read is logged."""
    _require(actor)
    filters = filters or DashboardFilters()
    today = timezone.localdate()
    unit = filters.unit.pk if filters.unit else None
    key = ("board", actor.government_id, today, unit, filters.building_pk, translation.get_language())
    if kept:
        board = counted(key, actor.government_id, lambda: _count(actor, filters, today))
    else:
        board = _count(actor, filters, today)
    if log:
        log_read(actor, object_id="dashboard", object_repr=f"dashboard {filters.describe()}", ip_address=ip_address)
    return board


def _count(actor: Actor, filters: DashboardFilters, today: dt.date) -> Dashboard:
    qs = asn_cases(actor, filters)
    cases = list(qs)
    status = confirmed_status(cases)
    by_case = {c.pk: c for c in cases}
    confirmed_sym = sum(1 for v in status.values() if v == Classification.CONFIRMED_SYMPTOMATIC)
    active = [c for c in cases if c.classification in CONFIRMED]
    labels = dict(Classification.choices)
    current = Counter(c.classification for c in cases)
    by_unit: Counter[str] = Counter()
    by_opd: Counter[str] = Counter()
    by_building: Counter[str] = Counter()
    tree = {
        pk: (parent, name)
        for pk, parent, name in Unit.objects.filter(government_id=actor.government_id).values_list(
            "pk", "parent_id", "name"
        )
    }
    for pk in status:
        case = by_case[pk]
        assert case.employee is not None
        by_unit[case.employee.unit.name] += 1
        top = case.employee.unit_id
        for _depth in range(len(tree)):
            parent = tree[top][0]
            if parent is None:
                break
            top = parent
        by_opd[tree[top][1]] += 1
        building = building_of(case)
        by_building[building.name if building else "—"] += 1
    orders = orders_in_force(qs, today)
    board = Dashboard(
        today=today,
        filters=filters,
        confirmed=len(status),
        confirmed_symptomatic=confirmed_sym,
        confirmed_asymptomatic=len(status) - confirmed_sym,
        active=len(active),
        active_symptomatic=sum(1 for c in active if c.classification == Classification.CONFIRMED_SYMPTOMATIC),
        active_asymptomatic=sum(1 for c in active if c.classification == Classification.CONFIRMED_ASYMPTOMATIC),
        recovered=sum(1 for pk in status if by_case[pk].classification == Classification.ISOLATION_FINISHED),
        died=sum(1 for pk in status if by_case[pk].classification == Classification.DIED),
        by_classification=[(value, str(labels[value]), current[value]) for value in Classification.values],
        curve=curve_of(cases, status),
        by_unit=sorted(by_unit.items(), key=lambda item: (-item[1], item[0])),
        by_opd=sorted(by_opd.items(), key=lambda item: (-item[1], item[0])),
        by_building=sorted(by_building.items(), key=lambda item: (-item[1], item[0])),
        isolation=[o for o in orders if o.kind == Order.Kind.ISOLATION],
        quarantine=[o for o in orders if o.kind == Order.Kind.QUARANTINE],
    )
    return board


@dataclass(frozen=True)
class ClusterPanel:
    """An active cluster on the dashboard: its size, its transmission graph and what source finding said."""

    cluster: Any
    size: int
    layout: Any
    sentence: str


def dashboard_clusters(*, actor: Actor) -> list[ClusterPanel]:
    """The active clusters with their graph and the latest finished source finding's sentence. Not logged
    here: ``log_view`` records the page's reads."""
    from siaga.outbreak.clusters import source_sentence
    from siaga.outbreak.models import Cluster, SourceFinding
    from siaga.outbreak.selectors_clusters import cluster_graph, cluster_list

    panels = []
    for cluster in cluster_list(actor=actor, log=False).filter(status=Cluster.Status.ACTIVE):
        finding = cluster.findings.filter(status=SourceFinding.Status.DONE).order_by("-pk").first()
        panels.append(
            ClusterPanel(
                cluster=cluster,
                size=getattr(cluster, "size", 0),  # annotated by cluster_list
                layout=cluster_graph(actor=actor, cluster=cluster, log=False),
                sentence=source_sentence(finding) if finding is not None else "",
            )
        )
    return panels
