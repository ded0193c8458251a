"""Clusters and source finding: proposals from linked cases, the task force's cluster, source finding on a
hand-built presence scenario whose answer is known, verdicts, and who may see any of it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult

from siaga.api.tests.conftest import ApiClient
from siaga.attendance.models import Presence
from siaga.core.models import AuditEvent
from siaga.org.models import Building, Floor, Room
from siaga.outbreak import clusters, services
from siaga.outbreak import selectors_clusters as reads
from siaga.outbreak.models import Case, Cluster, ClusterMember, SourceFinding, SourceVerdict
from siaga.outbreak.tasks_clusters import run_source_finding
from siaga.outbreak.tests.conftest import days_ago

pytestmark = pytest.mark.django_db


def at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def present(government: Any, place: Floor | Room, day: dt.date, *, visitor: str = "", employee: Any = None) -> Presence:
    room = place if isinstance(place, Room) else None
    floor = room.floor if room else place
    return Presence(
        government=government,
        employee=employee,
        visitor_name=visitor,
        building=floor.building,
        floor=floor,
        room=room,
        start=at(day, 8),
        end=at(day, 16),
        source=Presence.Source.CHECK_IN,
    )


@pytest.fixture
def places(org: dict[str, Any]) -> dict[str, Any]:
    government = org["government"]
    tower = Building.objects.create(government=government, code="menara", name="Menara Wijaya")
    f5 = Floor.objects.create(government=government, building=tower, number=5, capacity=60, distancing_capacity=30)
    f2 = Floor.objects.create(government=government, building=tower, number=2, capacity=60, distancing_capacity=30)
    r501 = Room.objects.create(
        government=government, floor=f5, code="r501", name="Ruang 501", capacity=20, distancing_capacity=10
    )
    r502 = Room.objects.create(
        government=government, floor=f5, code="r502", name="Ruang 502", capacity=20, distancing_capacity=10
    )
    office = Building.objects.create(government=government, code="kantor", name="Kantor Bupati")
    f1 = Floor.objects.create(government=government, building=office, number=1, capacity=200, distancing_capacity=120)
    return {"tower": tower, "f5": f5, "f2": f2, "r501": r501, "r502": r502, "office": office, "f1": f1}


def _visitor_case(task_force: Any, name: str, specimen: dt.date) -> Case:
    return services.case_create(
        actor=task_force, classification="confirmed_asymptomatic", visitor_name=name, specimen_date=specimen
    )


@pytest.fixture
def outbreak(org: dict[str, Any], task_force: Any, places: dict[str, Any]) -> dict[str, Any]:
    """Seven confirmed visitors-by-name (specimens 1–3 days ago): six worked on floor 5 of Menara Wijaya
    on two days together (three in Ruang 501, three in Ruang 502), one at Kantor Bupati every day.
    Floor 5 also held 14 people who stayed healthy (5 in Ruang 501, 9 in Ruang 502), floor 2 held 40
    and Kantor Bupati 99 more.

    Exposure period: 17 days ago to 3 days ago. At floor level, floor 5: 6 of 20 present infected against
    1 of 140 not present; RR = 0.3 / (1/140) = 42."""
    government = org["government"]
    work_day = days_ago(8)
    rows: list[Presence] = []
    cases = []
    for i in range(6):
        case = _visitor_case(task_force, f"Kasus Menara {i}", days_ago(1 + i % 3))
        cases.append(case)
        for day in (work_day - dt.timedelta(days=1), work_day):
            rows.append(
                present(government, places["r501"] if i < 3 else places["r502"], day, visitor=case.visitor_name)
            )
    office_case = _visitor_case(task_force, "Kasus Kantor", days_ago(2))
    for n in range(3, 18):  # the office case's habit: floor 1 every day of the exposure period
        rows.append(present(government, places["f1"], days_ago(n), visitor=office_case.visitor_name))
    for i in range(14):
        rows.append(
            present(government, places["r501"] if i < 5 else places["r502"], work_day, visitor=f"Sehat Lima {i}")
        )
    for i in range(40):
        rows.append(present(government, places["f2"], work_day, visitor=f"Sehat Dua {i}"))
    for i in range(99):
        rows.append(present(government, places["f1"], work_day, visitor=f"Sehat Kantor {i}"))
    # Building-only presence (no floor) is not part of the population.
    rows.append(
        Presence(
            government=government,
            visitor_name="Tanpa Lantai",
            building=places["office"],
            start=at(work_day, 8),
            end=at(work_day, 9),
            source=Presence.Source.MANUAL,
        )
    )
    # Outside the exposure period: not counted.
    rows.append(present(government, places["f2"], days_ago(30), visitor="Kasus Menara 0"))
    Presence.objects.bulk_create(rows)
    return {"tower_cases": cases, "office_case": office_case, "all": [*cases, office_case], "day": work_day}


def test_source_finding_ranks_the_known_floor_first_with_the_exact_figures(task_force, outbreak):
    cluster = clusters.cluster_create(actor=task_force, name="Klaster Menara Wijaya", cases=outbreak["all"])
    finding = clusters.source_finding_start(actor=task_force, cluster=cluster, replicates=199, run_now=True)
    assert finding.status == SourceFinding.Status.DONE
    assert finding.period_start == days_ago(3 + 14) and finding.period_end == days_ago(1 + 2)
    assert (finding.population, finding.cases) == (160, 7)
    top = finding.rankings["floor"][0]
    assert (top["building"], top["floor"]) == ("Menara Wijaya", 5)
    assert (top["a"], top["b"], top["c"], top["d"]) == (6, 14, 1, 139)
    assert top["risk_ratio"] == pytest.approx(42.0)
    assert top["p_holm"] < 0.001
    assert finding.rankings["building"][0]["building"] == "Menara Wijaya"
    assert {r["room"] for r in finding.rankings["room"][:2]} == {"Ruang 501", "Ruang 502"}
    # floor 5 holds 6 of the 7 cases: the sentence names it, not a room (3 cases each) nor the whole tower
    assert finding.conclusion["level"] == "floor"
    assert clusters.source_sentence(finding) == (
        "Suspected source of transmission: Menara Wijaya floor 5: 6 of the 20 people present were infected, "
        "against 1 of the 140 who were not; RR 42, p < 0.001"
    )
    # the scan: the six cases' twelve case-days on two days in the tower, against 12 × 14 / 27 expected (the
    # office case's fifteen case-days, one a day, make the days' totals)
    scan = finding.scan
    assert scan is not None and scan["replicates"] == 199 and scan["building"] == "Menara Wijaya"
    assert (scan["case_days_observed"], scan["case_days_expected"]) == (12, pytest.approx(12 * 14 / 27))
    assert scan["p"] < 0.05
    assert "Menara Wijaya" in clusters.scan_sentence(finding) and "12 case-days against 6.2 expected" in (
        clusters.scan_sentence(finding)
    )
    assert finding.progress == 199
    again = clusters.source_finding_start(actor=task_force, cluster=cluster, replicates=199, run_now=True)
    assert again.rankings == finding.rankings and again.scan == finding.scan  # seeded: the same result


@pytest.mark.indonesian
def test_the_sentence_reads_in_indonesian_with_indonesian_numbers(task_force, outbreak):
    cluster = clusters.cluster_create(actor=task_force, name="Klaster Menara Wijaya", cases=outbreak["all"])
    finding = clusters.source_finding_start(actor=task_force, cluster=cluster, replicates=0, run_now=True)
    with translation.override("id"):
        assert clusters.source_sentence(finding) == (
            "Sumber penularan diduga Menara Wijaya lantai 5: 6 dari 20 orang yang hadir tertular, "
            "dibanding 1 dari 140 yang tidak; RR 42, p < 0,001"
        )
        assert clusters.fmt_int(6900) == "6.900"
        assert clusters.fmt_ratio(2.54) == "2,5"
        assert clusters.fmt_p(0.0123) == "= 0,012"
        assert (clusters.fmt_percent(0.3), clusters.fmt_percent(1 / 140), clusters.fmt_percent(0.0)) == (
            "30%",
            "0,7%",
            "0%",
        )


def test_nothing_stands_out_when_the_cases_are_spread_like_everyone_else(org, task_force, places):
    government = org["government"]
    day = days_ago(8)
    rows = []
    cases = []
    for floor_key in ("f5", "f2", "f1"):
        case = _visitor_case(task_force, f"Kasus {floor_key}", days_ago(2))
        cases.append(case)
        rows.append(present(government, places[floor_key], day, visitor=case.visitor_name))
        for i in range(30):
            rows.append(present(government, places[floor_key], day, visitor=f"Sehat {floor_key} {i}"))
    Presence.objects.bulk_create(rows)
    cluster = clusters.cluster_create(actor=task_force, name="Klaster Acak", cases=cases)
    finding = clusters.source_finding_start(actor=task_force, cluster=cluster, replicates=99, run_now=True)
    assert finding.conclusion == {"significant": False}
    assert clusters.source_sentence(finding).startswith("No place stands out")


def test_the_page_runs_source_finding_in_the_background_with_progress(
    org, task_force, outbreak, django_capture_on_commit_callbacks
):
    cluster = clusters.cluster_create(actor=task_force, name="Klaster Menara Wijaya", cases=outbreak["all"])
    client = Client()
    client.force_login(org["users"]["health"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/outbreak/clusters/{cluster.pk}/findings/")
    assert response.status_code == 302
    finding = SourceFinding.objects.get(cluster=cluster)
    assert finding.status == SourceFinding.Status.QUEUED
    assert DBTaskResult.objects.filter(task_path="siaga.outbreak.tasks_clusters.run_source_finding").exists()
    html = client.get(f"/outbreak/clusters/{cluster.pk}/").content.decode()
    assert 'id="finding-progress"' in html and "0 of 999 replicates" in html
    progress = client.get(f"/outbreak/clusters/{cluster.pk}/findings/{finding.pk}/", headers={"HX-Request": "true"})
    assert progress.status_code == 200 and "hx-trigger" in progress.content.decode()
    assert run_source_finding.call(finding.pk) == "done"
    assert run_source_finding.call(finding.pk) == "done"  # idempotent: nothing computed twice
    finished = client.get(f"/outbreak/clusters/{cluster.pk}/findings/{finding.pk}/", headers={"HX-Request": "true"})
    assert finished["HX-Refresh"] == "true"
    html = client.get(f"/outbreak/clusters/{cluster.pk}/").content.decode()
    assert "Suspected source of transmission: Menara Wijaya floor 5" in html
    assert 'data-testid="ranking-floor"' in html and "The space-time scan" in html


def test_verdicts_keep_their_history_and_refuse_unknown_places(org, task_force, outbreak):
    cluster = clusters.cluster_create(actor=task_force, name="Klaster Menara Wijaya", cases=outbreak["all"])
    finding = clusters.source_finding_start(actor=task_force, cluster=cluster, replicates=0, run_now=True)
    top = finding.rankings["floor"][0]
    clusters.source_verdict_record(
        actor=task_force, finding=finding, level="floor", place=top["place"], verdict="rejected"
    )
    clusters.source_verdict_record(
        actor=task_force, finding=finding, level="floor", place=top["place"], verdict="confirmed", note="CCTV"
    )
    history = list(SourceVerdict.objects.filter(finding=finding).values_list("verdict", "label"))
    assert history == [("rejected", "Menara Wijaya floor 5"), ("confirmed", "Menara Wijaya floor 5")]
    with pytest.raises(ValidationError) as exc:
        clusters.source_verdict_record(
            actor=task_force, finding=finding, level="floor", place="999/999", verdict="confirmed"
        )
    assert "place" in exc.value.message_dict
    client = Client()
    client.force_login(org["users"]["health"])
    html = client.get(f"/outbreak/clusters/{cluster.pk}/").content.decode()
    assert "Confirmed as the source" in html and "CCTV" in html


def test_source_finding_needs_a_case_date(org, task_force):
    case = services.case_create(actor=task_force, classification="probable", visitor_name="Tanpa Tanggal")
    cluster = clusters.cluster_create(actor=task_force, name="Klaster Kosong", cases=[case])
    with pytest.raises(ValidationError) as exc:
        clusters.source_finding_start(actor=task_force, cluster=cluster)
    assert "onset date" in exc.value.messages[0]
    assert not SourceFinding.objects.exists()


# ---------------------------------------------------------------------------------------------------
# Clusters


@pytest.fixture
def office_second_case(org, task_force, outbreak, places):
    case = _visitor_case(task_force, "Kasus Kantor Dua", days_ago(2))
    present(org["government"], places["f1"], outbreak["day"], visitor=case.visitor_name).save()
    return case


def test_proposals_join_cases_sharing_a_floor_day_or_a_confirmed_contact(task_force, outbreak, office_second_case):
    proposals = reads.cluster_proposals(actor=task_force)
    assert len(proposals) == 2
    tower, office = proposals
    assert tower.case_ids == sorted(c.pk for c in outbreak["tower_cases"])
    assert tower.places[0] == "Menara Wijaya floor 5" and tower.suggested_name == "Klaster Menara Wijaya"
    # The two office cases shared floor 1 on the same day, within both their windows.
    assert office.case_ids == sorted([outbreak["office_case"].pk, office_second_case.pk])
    clusters.cluster_create(actor=task_force, name="Klaster Menara Wijaya", cases=outbreak["tower_cases"])
    assert [p.case_ids for p in reads.cluster_proposals(actor=task_force)] == [office.case_ids]


def test_a_confirmed_contact_links_two_cases_without_presence(org, task_force, staff_case):
    from siaga.outbreak.models import ContactProposal

    other = services.case_create(
        actor=task_force, employee=org["staff_umum"], classification="confirmed_symptomatic", onset_date=days_ago(1)
    )
    ContactProposal.objects.create(
        government=org["government"],
        case=staff_case,
        employee=org["staff_umum"],
        status=ContactProposal.Status.CONFIRMED,
        last_exposure=days_ago(4),
        contact_case=other,
    )
    proposals = reads.cluster_proposals(actor=task_force)
    assert [(p.case_ids, p.contact_links) for p in proposals] == [(sorted([staff_case.pk, other.pk]), 1)]


def test_cluster_membership_keeps_who_and_when_and_refuses_what_cannot_be(org, task_force, staff_case, outbreak):
    a, b = outbreak["tower_cases"][:2]
    cluster = clusters.cluster_create(actor=task_force, name="Klaster Menara Wijaya", cases=[a])
    clusters.cluster_add_case(actor=task_force, cluster=cluster, case=b)
    with pytest.raises(ValidationError, match="already in this cluster"):
        clusters.cluster_add_case(actor=task_force, cluster=cluster, case=b)
    with pytest.raises(ValidationError) as exc:
        clusters.cluster_create(actor=task_force, name="klaster menara wijaya", cases=[outbreak["office_case"]])
    assert "name" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        clusters.cluster_create(actor=task_force, name="Klaster Lain", cases=[b])
    assert "already in the cluster “Klaster Menara Wijaya”" in exc.value.messages[0]
    contact = services.case_create(
        actor=task_force, classification="close_contact", visitor_name="Kontak Saja", last_exposure=days_ago(2)
    )
    with pytest.raises(ValidationError, match="not probable or confirmed"):
        clusters.cluster_add_case(actor=task_force, cluster=cluster, case=contact)
    clusters.cluster_remove_case(actor=task_force, cluster=cluster, case=b)
    rows = list(ClusterMember.objects.filter(cluster=cluster).order_by("pk"))
    assert [(m.case_id, m.removed_at is None) for m in rows] == [(a.pk, True), (b.pk, False)]
    assert rows[1].added_by == org["users"]["health"] and rows[1].removed_by == org["users"]["health"]
    clusters.cluster_add_case(actor=task_force, cluster=cluster, case=b)  # back again: a new row
    assert cluster.members.filter(case=b).count() == 2
    closed = clusters.cluster_close(actor=task_force, cluster=cluster)
    assert closed.status == Cluster.Status.CLOSED
    with pytest.raises(ValidationError, match="closed"):
        clusters.cluster_add_case(actor=task_force, cluster=closed, case=outbreak["office_case"])
    # A closed cluster frees its cases for a new one.
    assert clusters.cluster_create(actor=task_force, name="Klaster Baru", cases=[b]).members.count() == 1


def test_the_task_force_creates_a_cluster_from_a_proposal_in_the_browser(org, outbreak):
    client = Client()
    client.force_login(org["users"]["health"])
    html = client.get("/outbreak/clusters/").content.decode()
    assert 'data-testid="proposal"' in html and 'value="Klaster Menara Wijaya"' in html
    ids = ",".join(str(c.pk) for c in outbreak["tower_cases"])
    response = client.post("/outbreak/clusters/", {"name": "Klaster Menara Wijaya", "cases": ids})
    cluster = Cluster.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/outbreak/clusters/{cluster.pk}/"
    assert cluster.members.count() == 6
    bad = client.post("/outbreak/clusters/", {"name": "Klaster X", "cases": "12, dua"})
    assert bad.status_code == 422 and "separated by commas" in bad.content.decode()
    missing = client.post("/outbreak/clusters/", {"name": "Klaster X", "cases": "999999"})
    assert missing.status_code == 422 and "999999" in missing.content.decode()
    page = client.get(f"/outbreak/clusters/{cluster.pk}/")
    assert page.status_code == 200 and 'data-testid="cluster-graph"' in page.content.decode()
    reads_logged = AuditEvent.objects.filter(
        actor=org["users"]["health"], action="read", object_type="outbreak.cluster"
    )
    assert reads_logged.filter(object_id=str(cluster.pk)).exists() and reads_logged.filter(object_id="list").exists()


# ---------------------------------------------------------------------------------------------------
# Refusals


@pytest.fixture
def cluster(task_force, outbreak) -> Cluster:
    return clusters.cluster_create(actor=task_force, name="Klaster Menara Wijaya", cases=outbreak["all"])


@pytest.mark.parametrize("who", ["kabid", "head", "admin", "officer", "staff"])
def test_other_roles_are_refused_every_page(org, cluster, who):
    client = Client()
    client.force_login(org["users"][who])
    case_pk = cluster.members.first().case_id
    for url in (
        "/outbreak/clusters/",
        f"/outbreak/clusters/{cluster.pk}/",
        f"/outbreak/cases/{case_pk}/graph/",
    ):
        assert client.get(url).status_code == 403, url
    for url in (f"/outbreak/clusters/{cluster.pk}/findings/", f"/outbreak/clusters/{cluster.pk}/close/"):
        assert client.post(url).status_code == 403, url
    assert client.post("/outbreak/clusters/", {"name": "X", "cases": str(case_pk)}).status_code == 403
    assert Cluster.objects.count() == 1 and not SourceFinding.objects.exists()


def test_the_service_refuses_other_roles(org, actor_of, cluster, outbreak):
    for who in ("kabid", "admin", "staff"):
        actor = actor_of(org["users"][who])
        with pytest.raises(PermissionDenied):
            clusters.cluster_create(actor=actor, name="X", cases=outbreak["all"][:1])
        with pytest.raises(PermissionDenied):
            clusters.source_finding_start(actor=actor, cluster=cluster)
        with pytest.raises(PermissionDenied):
            reads.cluster_list(actor=actor)


def test_another_governments_task_force_gets_404(cluster, outsider_health):
    client = Client()
    client.force_login(outsider_health)
    case_pk = cluster.members.first().case_id
    assert client.get(f"/outbreak/clusters/{cluster.pk}/").status_code == 404
    assert client.post(f"/outbreak/clusters/{cluster.pk}/findings/").status_code == 404
    assert client.get(f"/outbreak/cases/{case_pk}/graph/").status_code == 404
    assert "Klaster Menara Wijaya" not in client.get("/outbreak/clusters/").content.decode()
    api = ApiClient(user=outsider_health)
    assert api.get(f"/clusters/{cluster.pk}").status_code == 404
    assert api.post(f"/clusters/{cluster.pk}/source-findings", {"wait": True}).status_code == 404
    assert api.get(f"/cases/{case_pk}/graph").status_code == 404
    assert api.get("/clusters").json() == []


@pytest.mark.parametrize("who", ["kabid", "head", "admin", "officer", "staff"])
def test_api_other_roles_are_refused(org, cluster, who):
    api = ApiClient(user=org["users"][who])
    case_pk = cluster.members.first().case_id
    assert api.get("/clusters").status_code == 403
    assert api.get("/clusters/proposals").status_code == 403
    assert api.get(f"/clusters/{cluster.pk}").status_code == 403
    assert api.get(f"/clusters/{cluster.pk}/graph").status_code == 403
    assert api.get(f"/cases/{case_pk}/graph").status_code == 403
    assert api.post("/clusters", {"name": "X", "case_ids": [case_pk]}).status_code == 403
    assert api.post(f"/clusters/{cluster.pk}/source-findings", {"wait": True}).status_code == 403
    assert api.post(f"/clusters/{cluster.pk}/close").status_code == 403
    assert Cluster.objects.count() == 1 and not SourceFinding.objects.exists()


def test_api_task_force_runs_the_whole_flow(org, outbreak):
    api = ApiClient(user=org["users"]["health"])
    proposals = api.get("/clusters/proposals").json()
    assert proposals[0]["suggested_name"] == "Klaster Menara Wijaya"
    created = api.post("/clusters", {"name": "Klaster Menara Wijaya", "case_ids": proposals[0]["case_ids"]})
    assert created.status_code == 201, created.content
    cluster_id = created.json()["id"]
    assert len(created.json()["cases"]) == 6
    added = api.post(f"/clusters/{cluster_id}/cases", {"case_id": outbreak["office_case"].pk})
    assert added.status_code == 200 and len(added.json()["cases"]) == 7
    bad = api.post("/clusters", {"name": "", "case_ids": [999999]})
    assert bad.status_code == 422 and "case_ids" in bad.json()["errors"]
    queued = api.post(f"/clusters/{cluster_id}/source-findings", {"replicates": 99})
    assert queued.status_code == 202 and queued.json()["status"] == "queued"
    done = api.post(f"/clusters/{cluster_id}/source-findings", {"replicates": 99, "wait": True})
    assert done.status_code == 201
    body = done.json()
    assert body["status"] == "done" and body["rankings"]["floor"][0]["a"] == 6
    assert body["sentence"].startswith("Suspected source of transmission: Menara Wijaya floor 5")
    place = body["rankings"]["floor"][0]["place"]
    verdict = api.post(
        f"/clusters/{cluster_id}/source-findings/{body['id']}/verdicts",
        {"level": "floor", "place": place, "verdict": "confirmed"},
    )
    assert verdict.status_code == 201 and verdict.json()["label"] == "Menara Wijaya floor 5"
    fetched = api.get(f"/clusters/{cluster_id}/source-findings/{body['id']}").json()
    assert [v["verdict"] for v in fetched["verdicts"]] == ["confirmed"]
    graph = api.get(f"/clusters/{cluster_id}/graph").json()
    assert {n["case_id"] for n in graph["nodes"]} == {c.pk for c in outbreak["all"]} and graph["edges"] == []
    removed = api.post(f"/clusters/{cluster_id}/cases/{outbreak['office_case'].pk}/remove")
    assert removed.status_code == 200 and len(removed.json()["cases"]) == 6
    closed = api.post(f"/clusters/{cluster_id}/close")
    assert closed.json()["status"] == "closed"
    assert api.post(f"/clusters/{cluster_id}/close").status_code == 422
