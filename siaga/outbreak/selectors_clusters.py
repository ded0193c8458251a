"""Reads of clusters, source findings and transmission graphs: the health task force only (403 for other
roles, 404 for another government's), every read written to the audit log."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from siaga.core import access
from siaga.core.access import Actor, Perm
from siaga.core.services import audit_record
from siaga.outbreak import graph
from siaga.outbreak.clusters import CLUSTER_CLASSES, engine_class, person_key
from siaga.outbreak.models import Case, Cluster, ClusterMember, ContactProposal, SourceFinding

LOOKBACK_DAYS = 14  # a case's own exposure window: its case date and the 14 days before
MAX_GRAPH_NODES = 300


def _require(actor: Actor) -> None:
    if not actor.is_authenticated or not actor.has_perm(Perm.VIEW_HEALTH):
        raise PermissionDenied(Perm.VIEW_HEALTH)


def _log_read(actor: Actor, *, object_type: str, object_id: str, object_repr: str, ip_address: str | None) -> None:
    audit_record(
        actor=actor.user,
        government=actor.government_id,
        action="read",
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        ip_address=ip_address,
    )


def cluster_list(*, actor: Actor, ip_address: str | None = None, log: bool = True) -> QuerySet[Cluster]:
    _require(actor)
    qs = access.scope_clusters(actor, Cluster.objects.all()).annotate(
        size=Count("members", filter=Q(members__removed_at__isnull=True))
    )
    if log:
        log_list_read(actor, ip_address=ip_address)
    return qs


def log_list_read(actor: Actor, *, ip_address: str | None) -> None:
    """The audit record of a read of the cluster list (also when a kept page shows it)."""
    _log_read(
        actor, object_type="outbreak.cluster", object_id="list", object_repr="cluster list", ip_address=ip_address
    )


def cluster_get(*, actor: Actor, pk: int, ip_address: str | None = None, log: bool = True) -> Cluster:
    _require(actor)
    cluster = access.scope_clusters(actor, Cluster.objects.all()).filter(pk=pk).first()
    if cluster is None:
        raise Http404
    if log:
        _log_read(
            actor,
            object_type="outbreak.cluster",
            object_id=str(cluster.pk),
            object_repr=cluster.name,
            ip_address=ip_address,
        )
    return cluster


def cluster_members(*, cluster: Cluster, history: bool = False) -> QuerySet[ClusterMember]:
    """The current members (``history``: every membership row, removed ones too)."""
    qs = cluster.members.select_related("case__employee__unit", "added_by", "removed_by").order_by(
        "added_at", "case_id"
    )
    return qs if history else qs.filter(removed_at__isnull=True)


def finding_get(*, actor: Actor, cluster: Cluster, pk: int) -> SourceFinding:
    _require(actor)
    finding = access.scope_clusters(actor, SourceFinding.objects.filter(cluster=cluster)).filter(pk=pk).first()
    if finding is None:
        raise Http404
    return finding


def case_for_cluster(*, actor: Actor, pk: int) -> Case:
    """A case of the actor's government to add to a cluster (404 otherwise)."""
    _require(actor)
    case = access.scope_cases(actor, Case.objects.all()).filter(pk=pk).first()
    if case is None:
        raise Http404
    return case


# ---------------------------------------------------------------------------------------------------
# Proposed clusters


@dataclass
class ProposedCluster:
    cases: list[Case]
    contact_links: int = 0
    places: list[str] = field(default_factory=list)  # shared floors, most shared first
    suggested_name: str = ""

    @property
    def case_ids(self) -> list[int]:
        return [c.pk for c in self.cases]


def _case_date(case: Case) -> dt.date | None:
    klass = engine_class(case)
    if klass == "konfirmasi-asimptomatik":
        return case.specimen_date or case.onset_date
    return case.onset_date or case.specimen_date


def cluster_proposals(*, actor: Actor, ip_address: str | None = None) -> list[ProposedCluster]:
    """Linked cases not yet in an active cluster, as connected components of two or more cases.

    Two probable or confirmed cases are linked when a confirmed close-contact relation joins them (either
    way), or when both were present on the same floor on the same day within their own exposure windows
    (the case date and the 14 days before it)."""
    from siaga.attendance.models import Presence
    from siaga.org.models import Floor

    _require(actor)
    clustered = ClusterMember.objects.filter(
        government_id=actor.government_id, removed_at__isnull=True, cluster__status=Cluster.Status.ACTIVE
    ).values_list("case_id", flat=True)
    cases = list(
        access.scope_cases(actor, Case.objects.filter(classification__in=CLUSTER_CLASSES))
        .exclude(pk__in=clustered)
        .select_related("employee__unit")
        .prefetch_related("history")
    )
    by_id = {c.pk: c for c in cases}
    parent = {pk: pk for pk in by_id}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    contact_edges: list[tuple[int, int]] = []
    for a, b in ContactProposal.objects.filter(
        government_id=actor.government_id,
        status=ContactProposal.Status.CONFIRMED,
        case_id__in=by_id,
        contact_case_id__in=by_id,
    ).values_list("case_id", "contact_case_id"):
        if a != b:
            contact_edges.append((a, b))
            union(a, b)

    # Shared floor-days within each case's own exposure window.
    windows: dict[str, tuple[int, dt.date, dt.date]] = {}
    for case in cases:
        day = _case_date(case)
        if day is not None:
            windows[person_key(case.employee_id, case.visitor_name)] = (
                case.pk,
                day - dt.timedelta(days=LOOKBACK_DAYS),
                day,
            )
    floor_days: dict[tuple[int, dt.date], set[int]] = defaultdict(set)
    if windows:
        tz = timezone.get_current_timezone()
        first = min(w[1] for w in windows.values())
        last = max(w[2] for w in windows.values())
        employee_ids = [int(k[2:]) for k in windows if k.startswith("e:")]
        visitors = [k[2:] for k in windows if k.startswith("v:")]
        start = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
        end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        rows = Presence.objects.filter(
            Q(employee_id__in=employee_ids) | Q(employee__isnull=True, visitor_name__in=visitors),
            government_id=actor.government_id,
            floor__isnull=False,
            start__lt=end,
            start__gte=start - dt.timedelta(days=1),
        ).values_list("employee_id", "visitor_name", "floor_id", "start", "end")
        for employee_id, visitor_name, floor_id, r_start, r_end in rows:
            window = windows.get(person_key(employee_id, visitor_name))
            if window is None:
                continue
            pk, lo, hi = window
            d0 = timezone.localtime(r_start, tz).date()
            d1 = timezone.localtime(r_end, tz).date() if r_end else d0
            day = d0
            while day <= d1:
                if lo <= day <= hi:
                    floor_days[(floor_id, day)].add(pk)
                day += dt.timedelta(days=1)
    shared_floors: dict[int, Counter[int]] = defaultdict(Counter)  # component root → floor → shared days
    for (floor_id, _day), pks in floor_days.items():
        if len(pks) < 2:
            continue
        ordered = sorted(pks)
        for other in ordered[1:]:
            union(ordered[0], other)
        shared_floors[ordered[0]][floor_id] += 1
    components: dict[int, list[Case]] = defaultdict(list)
    for pk, case in by_id.items():
        components[find(pk)].append(case)
    floor_ids = {f for counter in shared_floors.values() for f in counter}
    floors = {f.pk: f for f in Floor.objects.filter(pk__in=floor_ids).select_related("building")}
    out: list[ProposedCluster] = []
    for root, members in components.items():
        if len(members) < 2:
            continue
        counter: Counter[int] = Counter()
        for key, floor_counts in shared_floors.items():
            if find(key) == root:
                counter.update(floor_counts)
        from siaga.outbreak.clusters import place_label

        places = [
            place_label({"building": floors[f].building.name, "floor": floors[f].number})
            for f, _n in counter.most_common(3)
            if f in floors
        ]
        building = floors[counter.most_common(1)[0][0]].building.name if counter else ""
        out.append(
            ProposedCluster(
                cases=sorted(members, key=lambda c: c.pk),
                contact_links=sum(1 for a, _b in contact_edges if find(a) == root),
                places=places,
                suggested_name=f"Klaster {building}" if building else "",
            )
        )
    out.sort(key=lambda p: (-len(p.cases), p.case_ids))
    _log_read(
        actor,
        object_type="outbreak.case",
        object_id="cluster-proposals",
        object_repr=f"proposed clusters ({len(out)})",
        ip_address=ip_address,
    )
    return out


# ---------------------------------------------------------------------------------------------------
# Transmission graph


def _node(case: Case) -> graph.Node:
    unit = case.employee.unit.name if case.employee_id and case.employee and case.employee.unit_id else ""
    return graph.Node(
        id=str(case.pk),
        kind=case.classification,
        label=graph.initials(case.person_name),
        sub=unit,
        href=reverse("outbreak:case_detail", args=[case.pk]),
    )


def _edges_touching(government_id: int, case_ids: set[int]) -> list[tuple[int, int]]:
    return list(
        ContactProposal.objects.filter(
            Q(case_id__in=case_ids) | Q(contact_case_id__in=case_ids),
            government_id=government_id,
            status=ContactProposal.Status.CONFIRMED,
            contact_case__isnull=False,
        ).values_list("case_id", "contact_case_id")
    )


def _build(government_id: int, case_ids: set[int], edges: set[tuple[int, int]]) -> graph.Layout:
    cases = Case.objects.filter(government_id=government_id, pk__in=case_ids).select_related("employee__unit")
    nodes = [_node(c) for c in cases]
    return graph.layout(nodes, [graph.Edge(str(a), str(b)) for a, b in sorted(edges)])


def case_graph(*, actor: Actor, case: Case, ip_address: str | None = None) -> graph.Layout:
    """The chain the case belongs to: every case reachable through confirmed contact relations (either
    way), at most ``MAX_GRAPH_NODES``."""
    _require(actor)
    if case.government_id != actor.government_id:
        raise Http404
    seen = {case.pk}
    frontier = {case.pk}
    edges: set[tuple[int, int]] = set()
    while frontier and len(seen) < MAX_GRAPH_NODES:
        found = _edges_touching(actor.government_id, frontier)
        edges.update(found)
        frontier = {x for pair in found for x in pair} - seen
        seen |= frontier
    seen = set(sorted(seen)[:MAX_GRAPH_NODES]) | {case.pk}
    edges = {(a, b) for a, b in edges if a in seen and b in seen}
    _log_read(
        actor,
        object_type="outbreak.case",
        object_id=str(case.pk),
        object_repr=f"graph of case #{case.pk}",
        ip_address=ip_address,
    )
    return _build(actor.government_id, seen, edges)


def cluster_graph(*, actor: Actor, cluster: Cluster, ip_address: str | None = None, log: bool = True) -> graph.Layout:
    """The cluster's cases, the cases that exposed them and their confirmed contacts."""
    _require(actor)
    if cluster.government_id != actor.government_id:
        raise Http404
    members = set(cluster.members.filter(removed_at__isnull=True).values_list("case_id", flat=True))
    edges = set(_edges_touching(actor.government_id, members))
    ids = members | {x for pair in edges for x in pair}
    if len(ids) > MAX_GRAPH_NODES:
        ids = members | set(sorted(ids - members)[: max(0, MAX_GRAPH_NODES - len(members))])
        edges = {(a, b) for a, b in edges if a in ids and b in ids}
    if log:
        _log_read(
            actor,
            object_type="outbreak.cluster",
            object_id=str(cluster.pk),
            object_repr=f"graph of {cluster.name}",
            ip_address=ip_address,
        )
    return _build(actor.government_id, ids, edges)


def graph_json(layout: graph.Layout) -> dict[str, Any]:
    """The layout as plain data (the API)."""
    return {
        "width": layout.width,
        "height": layout.height,
        "nodes": [
            {
                "case_id": int(p.node.id),
                "classification": p.node.kind,
                "initials": p.node.label,
                "unit": p.node.sub,
                "generation": p.generation,
                "x": p.x,
                "y": p.y,
            }
            for p in layout.nodes
        ],
        "edges": [{"source": int(e.source), "target": int(e.target)} for e in layout.edges],
    }
