"""API of clusters, source finding and transmission graphs (mounted at /api/v1/): the health task force
only (403 for other roles, 404 for another government's); every read is audit-logged."""

# No ``from __future__ import annotations``: ninja resolves the annotations at import.
import datetime as dt
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from siaga.api.schemas import ERRORS_ONE, ERRORS_WRITE
from siaga.core import access
from siaga.core.access import Actor, Perm
from siaga.core.views import client_ip
from siaga.outbreak import clusters as services
from siaga.outbreak import selectors
from siaga.outbreak import selectors_clusters as reads
from siaga.outbreak.models import Case, Cluster, ClusterMember, SourceFinding, SourceVerdict

router = Router(tags=["outbreak clusters"])


def _actor(request: HttpRequest) -> Actor:
    actor: Actor = request.actor  # type: ignore[attr-defined]
    actor.require(Perm.VIEW_HEALTH)
    return actor


class MemberOut(Schema):
    case_id: int
    person_name: str
    classification: str
    added_at: dt.datetime
    added_by: str | None
    removed_at: dt.datetime | None

    @staticmethod
    def resolve_person_name(obj: ClusterMember) -> str:
        return obj.case.person_name

    @staticmethod
    def resolve_classification(obj: ClusterMember) -> str:
        return obj.case.classification

    @staticmethod
    def resolve_added_by(obj: ClusterMember) -> str | None:
        return obj.added_by.username if obj.added_by_id and obj.added_by else None


class ClusterOut(Schema):
    id: int
    name: str
    status: str = Field(description="active or closed")
    note: str
    created_at: dt.datetime
    closed_at: dt.datetime | None
    cases: list[MemberOut]

    @staticmethod
    def resolve_cases(obj: Cluster) -> list[Any]:
        return list(reads.cluster_members(cluster=obj))


class ClusterSummaryOut(Schema):
    id: int
    name: str
    status: str
    size: int = Field(description="Current number of cases.")
    created_at: dt.datetime


class ClusterIn(Schema):
    name: str
    case_ids: list[int]
    note: str = ""


class MemberIn(Schema):
    case_id: int


class ProposalOut(Schema):
    case_ids: list[int]
    contact_links: int
    places: list[str]
    suggested_name: str


class VerdictOut(Schema):
    level: str
    place: str
    label: str
    verdict: str
    note: str
    decided_at: dt.datetime
    decided_by: str | None

    @staticmethod
    def resolve_decided_by(obj: SourceVerdict) -> str | None:
        return obj.decided_by.username if obj.decided_by_id and obj.decided_by else None


class FindingOut(Schema):
    id: int
    status: str = Field(description="queued, running, done or failed")
    period_start: dt.date | None = Field(description="Exposure period: 14 days before the earliest case date.")
    period_end: dt.date | None = Field(description="Exposure period: 2 days before the latest case date.")
    population: int
    cases: int
    cases_without_presence: list[int] = Field(description="Cases with no presence in the period (not counted).")
    rankings: dict[str, Any] = Field(description="Per level (room, floor, building): places ranked by Holm p.")
    scan: dict[str, Any] | None
    conclusion: dict[str, Any] | None
    sentence: str = Field(description="The finding in plain words, in the request's language.")
    scan_sentence: str
    replicates: int
    seed: int
    progress: int = Field(description="Replicates of the scan done.")
    error: str
    verdicts: list[VerdictOut]

    @staticmethod
    def resolve_sentence(obj: SourceFinding) -> str:
        return services.source_sentence(obj)

    @staticmethod
    def resolve_scan_sentence(obj: SourceFinding) -> str:
        return services.scan_sentence(obj)

    @staticmethod
    def resolve_verdicts(obj: SourceFinding) -> list[Any]:
        return list(obj.verdicts.select_related("decided_by"))


class FindingIn(Schema):
    replicates: int = Field(999, description="Monte-Carlo replicates of the space-time scan.")
    seed: int = 0
    wait: bool = Field(False, description="Compute now and answer with the result (else queued: poll the finding).")


class VerdictIn(Schema):
    level: Literal["room", "floor", "building"]
    place: str
    verdict: Literal["confirmed", "rejected"]
    note: str = ""


class GraphNodeOut(Schema):
    case_id: int
    classification: str
    initials: str
    unit: str
    generation: int
    x: float
    y: float


class GraphEdgeOut(Schema):
    source: int = Field(description="The case who exposed.")
    target: int = Field(description="The case exposed.")


class GraphOut(Schema):
    width: float
    height: float
    nodes: list[GraphNodeOut]
    edges: list[GraphEdgeOut]


def _cluster(request: HttpRequest, cluster_id: int, *, log: bool = True) -> Cluster:
    return reads.cluster_get(actor=_actor(request), pk=cluster_id, ip_address=client_ip(request), log=log)


def _cases(actor: Actor, pks: list[int]) -> list[Case]:
    found = {c.pk: c for c in access.scope_cases(actor, Case.objects.filter(pk__in=pks))}
    missing = [pk for pk in pks if pk not in found]
    if missing:
        raise ValidationError(
            {
                "case_ids": [
                    _("No case of your government has the number(s) %(n)s.") % {"n": ", ".join(map(str, missing))}
                ]
            }
        )
    return list(found.values())


@router.get("/clusters", response={200: list[ClusterSummaryOut], **ERRORS_ONE}, summary="Clusters")
def cluster_list(request: HttpRequest) -> Any:
    return list(reads.cluster_list(actor=_actor(request), ip_address=client_ip(request)))


@router.post("/clusters", response={201: ClusterOut, **ERRORS_WRITE}, summary="Create a cluster")
def cluster_create(request: HttpRequest, payload: ClusterIn) -> Any:
    actor = _actor(request)
    cluster = services.cluster_create(
        actor=actor, name=payload.name, cases=_cases(actor, payload.case_ids), note=payload.note
    )
    return Status(201, cluster)


@router.get("/clusters/proposals", response={200: list[ProposalOut], **ERRORS_ONE}, summary="Proposed clusters")
def cluster_proposals(request: HttpRequest) -> Any:
    """Linked cases outside the active clusters: joined by confirmed contacts or by the same floor on the
    same day in the 14 days before their case dates."""
    return reads.cluster_proposals(actor=_actor(request), ip_address=client_ip(request))


@router.get("/clusters/{cluster_id}", response={200: ClusterOut, **ERRORS_ONE}, summary="One cluster")
def cluster_detail(request: HttpRequest, cluster_id: int) -> Any:
    return _cluster(request, cluster_id)


@router.post("/clusters/{cluster_id}/cases", response={200: ClusterOut, **ERRORS_WRITE}, summary="Add a case")
def cluster_add(request: HttpRequest, cluster_id: int, payload: MemberIn) -> Any:
    actor = _actor(request)
    cluster = _cluster(request, cluster_id, log=False)
    case = reads.case_for_cluster(actor=actor, pk=payload.case_id)
    services.cluster_add_case(actor=actor, cluster=cluster, case=case)
    return cluster


@router.post(
    "/clusters/{cluster_id}/cases/{case_id}/remove", response={200: ClusterOut, **ERRORS_WRITE}, summary="Remove a case"
)
def cluster_remove(request: HttpRequest, cluster_id: int, case_id: int) -> Any:
    actor = _actor(request)
    cluster = _cluster(request, cluster_id, log=False)
    services.cluster_remove_case(actor=actor, cluster=cluster, case=reads.case_for_cluster(actor=actor, pk=case_id))
    return cluster


@router.post("/clusters/{cluster_id}/close", response={200: ClusterOut, **ERRORS_WRITE}, summary="Close a cluster")
def cluster_close(request: HttpRequest, cluster_id: int) -> Any:
    actor = _actor(request)
    return services.cluster_close(actor=actor, cluster=_cluster(request, cluster_id, log=False))


@router.get("/clusters/{cluster_id}/graph", response={200: GraphOut, **ERRORS_ONE}, summary="Transmission graph")
def cluster_graph(request: HttpRequest, cluster_id: int) -> Any:
    actor = _actor(request)
    cluster = _cluster(request, cluster_id, log=False)
    return reads.graph_json(reads.cluster_graph(actor=actor, cluster=cluster, ip_address=client_ip(request)))


@router.post(
    "/clusters/{cluster_id}/source-findings",
    response={201: FindingOut, 202: FindingOut, **ERRORS_WRITE},
    summary="Find the source",
)
def finding_start(request: HttpRequest, cluster_id: int, payload: FindingIn) -> Any:
    """Rank the places (room, floor, building) and run the space-time scan on the stored presence of the
    cluster's exposure period. 202 while queued (poll `GET …/source-findings/{finding_id}`), 201 with
    `wait`."""
    actor = _actor(request)
    finding = services.source_finding_start(
        actor=actor,
        cluster=_cluster(request, cluster_id, log=False),
        replicates=payload.replicates,
        seed=payload.seed,
        run_now=payload.wait,
    )
    return Status(201 if payload.wait else 202, finding)


@router.get(
    "/clusters/{cluster_id}/source-findings/{finding_id}",
    response={200: FindingOut, **ERRORS_ONE},
    summary="One source finding",
)
def finding_detail(request: HttpRequest, cluster_id: int, finding_id: int) -> Any:
    actor = _actor(request)
    return reads.finding_get(actor=actor, cluster=_cluster(request, cluster_id), pk=finding_id)


@router.post(
    "/clusters/{cluster_id}/source-findings/{finding_id}/verdicts",
    response={201: VerdictOut, **ERRORS_WRITE},
    summary="Confirm or reject a source",
)
def finding_verdict(request: HttpRequest, cluster_id: int, finding_id: int, payload: VerdictIn) -> Any:
    actor = _actor(request)
    finding = reads.finding_get(actor=actor, cluster=_cluster(request, cluster_id, log=False), pk=finding_id)
    return Status(201, services.source_verdict_record(actor=actor, finding=finding, **payload.dict()))


@router.get("/cases/{case_id}/graph", response={200: GraphOut, **ERRORS_ONE}, summary="Transmission chain of a case")
def case_graph(request: HttpRequest, case_id: int) -> Any:
    actor = _actor(request)
    case = selectors.case_get(actor=actor, pk=case_id, ip_address=client_ip(request))
    return reads.graph_json(reads.case_graph(actor=actor, case=case, ip_address=client_ip(request)))
