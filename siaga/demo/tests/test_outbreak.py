"""The demo's office cluster: 24 confirmed ASN (19 without symptoms) on one floor of Menara Wijaya, arising
from the simulated presence; contacts found there, confirmed and quarantined; the roster replanned once;
source finding on the demo presence ranks that floor first."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from siaga.attendance.models import CheckIn, Presence
from siaga.demo.outbreak import demo_outbreak, engine_inputs, task_force_actor
from siaga.demo.services import demo_roster_publish, demo_seed, demo_workday_generate
from siaga.engines.roster.types import parse_problem
from siaga.engines.tracing.sources import exposure_period, rank_places
from siaga.outbreak import dashboard
from siaga.outbreak.models import Case, ContactProposal, LabResult, Order
from siaga.rostering.models import Absence, RosterAssignment, RosterPlan

# The roster solver reports progress from its own threads, which use their own database connections.
pytestmark = pytest.mark.django_db(transaction=True)


def test_the_demo_cluster_on_one_floor_of_menara_wijaya():
    today = timezone.localdate()
    government = demo_seed(scale="small", seed=2020, today=today).government
    plan = demo_roster_publish(government=government, month=today, time_limit=5)
    demo_workday_generate(government=government, month=today, seed=2020)

    result = demo_outbreak(government=government, today=today)
    assert result.created and result.floor is not None
    floor = result.floor
    assert floor.building.code == "menara-wijaya"

    # 24 confirmed ASN, 19 without symptoms, all working on that floor, each with a positive RT-PCR and
    # an isolation order from the specimen date
    confirmed = list(
        Case.objects.filter(government=government, classification__startswith="confirmed").select_related(
            "employee__unit"
        )
    )
    # the small scale's fullest floor has 16 people: 6 cases (40%), 5 without symptoms
    assert len(confirmed) == 6 == result.counts["cases"]
    assert sum(c.classification == "confirmed_asymptomatic" for c in confirmed) == 5
    assert {c.employee.unit.floor_id or c.employee.floor_id for c in confirmed} == {floor.pk}  # type: ignore[union-attr]
    for case in confirmed:
        assert case.specimen_date is not None and case.specimen_date < today
        assert case.onset_date is None or case.onset_date <= case.specimen_date
        assert LabResult.objects.filter(case=case, result="positive", kind="rt_pcr").count() == 1
        assert Order.objects.filter(case=case, kind="isolation", start=case.specimen_date).count() == 1
    dates = sorted(c.onset_date or c.specimen_date for c in confirmed)  # type: ignore[type-var]
    assert dates[0] == today - dt.timedelta(days=12) and dates[-1] <= today - dt.timedelta(days=5)

    # contacts came from the presence; most were confirmed, a few dismissed; every close contact is
    # quarantined from the day after the last exposure, and no contact is also a case
    proposals = ContactProposal.objects.filter(government=government)
    assert proposals.exists() and not proposals.filter(status="proposed").exists()
    assert set(proposals.values_list("origin", flat=True)) == {"location"}
    assert proposals.filter(status="dismissed").exists()
    contacts = list(Case.objects.filter(government=government, classification="close_contact"))
    assert contacts
    assert not {c.employee_id for c in contacts} & {c.employee_id for c in confirmed}
    for contact in contacts:
        order = Order.objects.get(case=contact)
        assert order.kind == "quarantine" and order.start == contact.last_exposure + dt.timedelta(days=1)  # type: ignore[operator]
    orders = list(Order.objects.filter(government=government).select_related("case__employee"))
    assert (
        len(orders)
        == len(confirmed) + len(contacts)
        == result.counts["isolation_orders"] + result.counts["quarantine_orders"]
    )
    assert Absence.objects.filter(source__startswith="outbreak.order:").count() == len(orders)

    # nobody was at the office on a day of their order
    for order in orders:
        assert not CheckIn.objects.filter(
            employee=order.case.employee, mode="wfo", date__gte=order.start, date__lte=order.end
        ).exists()

    # one replan of the published roster, with every ordered person unavailable on their days
    replans = list(RosterPlan.objects.filter(replaces=plan))
    assert len(replans) == 1
    problem = parse_problem(replans[0].problem)
    by_nip = {e.id: e for e in problem.employees}
    for order in orders:
        person = by_nip.get(order.case.employee.nip)  # type: ignore[union-attr]
        if person is None:
            continue
        day = max(order.start, problem.days[0])
        while day <= min(order.end, problem.days[-1]):
            assert person.is_unavailable(day), (order, day)
            day += dt.timedelta(days=1)
    # solved (as the worker does), the new roster keeps them off the office on their future days
    from siaga.rostering.tasks import replan_finish, solve_plan

    solve_plan.call(replans[0].pk)
    assert replan_finish.call(replans[0].pk) == "published"
    replans[0].refresh_from_db()
    assert replans[0].status == "published"
    for order in orders:
        assert not RosterAssignment.objects.filter(
            plan=replans[0], employee=order.case.employee, mode="wfo", date__gt=today, date__lte=order.end
        ).exists()

    # source finding on the demo presence ranks the cluster's floor first
    presence, cases = engine_inputs(
        government=government, start=today - dt.timedelta(days=40), end=today - dt.timedelta(days=1)
    )
    first, _last = exposure_period(cases)
    ranking = rank_places(presence, cases, level="floor", tz="Asia/Jakarta")
    top = ranking.places[0]
    assert top.place == f"{floor.building_id}/{floor.pk}"
    assert top.a == 6 and top.p_holm < 0.05
    assert all(p.a < top.a for p in ranking.places[1:])
    assert Presence.objects.filter(ref="demo:outbreak").exists() or first >= today.replace(day=1)

    # the task force's dashboard tells the seed's story
    board = dashboard.dashboard(actor=task_force_actor(government))
    assert (board.confirmed, board.confirmed_asymptomatic) == (6, 5)
    assert dict(board.by_building) == {"Gedung Menara Wijaya": 6}

    # the cluster is named after the tower, its source finding names the floor, and the tower is
    # restricted, one disinfection done with a photo, more to come
    from siaga.measures.models import BuildingMeasure, DisinfectionTask
    from siaga.outbreak.models import Cluster, SourceFinding

    cluster = Cluster.objects.get(government=government)
    assert cluster.name == "Klaster Menara Wijaya"
    assert cluster.members.filter(removed_at__isnull=True).count() == 6
    finding = SourceFinding.objects.get(cluster=cluster)
    assert finding.status == "done"
    top_floor = finding.rankings["floor"][0]
    assert (top_floor["building"], top_floor["floor"]) == ("Gedung Menara Wijaya", floor.number)
    measures = {(m.kind, m.floor_id) for m in BuildingMeasure.objects.filter(government=government, status="active")}
    assert measures == {("restrict", None)}
    done = DisinfectionTask.objects.get(government=government, status="done")
    assert done.building_id == floor.building_id and done.photo
    assert DisinfectionTask.objects.filter(government=government, place_kind="market", status="scheduled").exists()

    # running it again adds nothing
    before = (Case.objects.count(), Order.objects.count(), ContactProposal.objects.count(), Presence.objects.count())
    assert not demo_outbreak(government=government, today=today).created
    call_command("demo", "outbreak")
    after = (Case.objects.count(), Order.objects.count(), ContactProposal.objects.count(), Presence.objects.count())
    assert after == before


@pytest.mark.django_db
def test_at_regency_scale_24_confirmed_19_without_symptoms_on_floor_5_which_ranks_first():
    """Without a roster the step simulates the tower's office days itself (every floor)."""
    today = timezone.localdate()
    government = demo_seed(scale="regency", seed=2020, today=today).government
    result = demo_outbreak(government=government, today=today)
    assert result.floor is not None and result.floor.number == 5 and result.floor.building.code == "menara-wijaya"
    confirmed = Case.objects.filter(government=government, classification__startswith="confirmed")
    assert confirmed.count() == 24
    assert confirmed.filter(classification="confirmed_asymptomatic").count() == 19
    assert (
        Case.objects.filter(government=government, classification="close_contact").count()
        == result.counts["quarantine_orders"]
        > 0
    )
    presence, cases = engine_inputs(
        government=government, start=today - dt.timedelta(days=40), end=today - dt.timedelta(days=1)
    )
    ranking = rank_places(presence, cases, level="floor", tz="Asia/Jakarta")
    assert len({p.place for p in ranking.places}) >= 9  # every floor of the tower was in the running
    top = ranking.places[0]
    assert top.place == f"{result.floor.building_id}/{result.floor.pk}"
    assert top.a == 24 and top.p_holm < 0.001
