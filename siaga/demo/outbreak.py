"""The demo regency's office cluster (``siaga demo outbreak``): the seeds' 24 confirmed ASN, most of them
without symptoms, arising on one floor of Gedung Menara Wijaya (floor 5 at the regency scale; a smaller
cluster on the tower's fullest floor at the small scale).

Everything goes through the outbreak services, as the task force (``satgas``) would do it: the cases are
recorded with their RT-PCR results, isolated, their close contacts are found in the stored presence,
confirmed (a few dismissed) and quarantined, so that attendance refuses their office check-ins and the
published roster is replanned. The step runs in one transaction and does nothing when the government
already has cases.

Dates are relative to ``today``: the first case fell ill twelve days ago; screening of the floor found the
others over the following week."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from siaga.attendance.models import CheckIn, Presence
from siaga.attendance.services import workplace_of
from siaga.core.access import Actor, actor_for_user
from siaga.core.models import Government
from siaga.demo import data
from siaga.org.models import Employee, Floor
from siaga.outbreak import services as outbreak
from siaga.outbreak.models import Case, Classification, ContactProposal, Order
from siaga.rostering import services as rostering

CASES = 24
SYMPTOMATIC = 5  # the first case and four others: 24 confirmed, 19 without symptoms
#: a floor with this many staff holds the whole cluster (24 of ≈ 60 infected); on a smaller floor (the
#: small scale) the cluster is scaled down to 40% of its staff, at least 6
FULL_FLOOR = 40
INDEX_ONSET_DAYS_AGO = 12
#: the first case's colleagues were tested over these days (days ago)
SCREENING_DAYS_AGO = (9, 8, 7, 6, 5)
DISMISS_SHARE = 0.1  # proposed contacts the task force dismisses (not in the office at that hour, say)
#: simulated office presence before the month that ``demo workday`` fills (days ago)
LOOKBACK_DAYS = 28
#: ``ref`` of the presence this step writes
PRESENCE_REF = "demo:outbreak"


@dataclass
class OutbreakResult:
    created: bool
    floor: Floor | None = None
    cases: list[Case] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def _aware(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)), timezone.get_current_timezone())


def task_force_actor(government: Government) -> Actor:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="satgas")
    return actor_for_user(user, government_id=government.pk)


def cluster_floor(government: Government) -> Floor:
    """Floor 5 of Menara Wijaya (Bapenda) when it has staff enough for the whole cluster, else the tower's
    floor with the most staff (at the small scale)."""
    floors = {f.pk: f for f in Floor.objects.filter(government=government, building__code=data.MW)}
    staffed = Counter(
        workplace_of(e)[1].pk  # type: ignore[union-attr]
        for e in _workplaces(government)
        if workplace_of(e)[1] is not None and workplace_of(e)[1].pk in floors  # type: ignore[union-attr]
    )
    fifth = next((f for f in floors.values() if f.number == 5), None)
    if fifth is not None and staffed[fifth.pk] >= FULL_FLOOR:
        return fifth
    return floors[max(staffed, key=lambda pk: (staffed[pk], -floors[pk].number))]


def _workplaces(government: Government) -> list[Employee]:
    return list(
        Employee.objects.filter(government=government, is_active=True).select_related(
            "unit__floor__building", "unit__building", "floor__building", "building", "position"
        )
    )


def floor_staff(government: Government, floor: Floor) -> list[Employee]:
    return [e for e in _workplaces(government) if workplace_of(e)[1] == floor]


def _simulate_presence(government: Government, today: dt.date) -> int:
    """Office days in Menara Wijaya for the weeks that no published roster plans (before the month that
    ``demo roster`` and ``demo workday`` fill): everyone working in the tower, in one of two cohorts, at
    the office every other weekday, 07:30–16:00 give or take."""
    from siaga.rostering.models import RosterPlan

    rng = random.Random(government.pk)
    planned = list(
        RosterPlan.objects.filter(government=government, status=RosterPlan.Status.PUBLISHED).values_list("start", "end")
    )
    staff = [
        (e, floor)
        for e in _workplaces(government)
        for floor in [workplace_of(e)[1]]
        if floor is not None and floor.building.code == data.MW
    ]
    rows = []
    day = today - dt.timedelta(days=LOOKBACK_DAYS)
    while day < today:
        if day.weekday() < 5 and not any(start <= day <= end for start, end in planned):
            for person, floor in staff:
                if (day.toordinal() + person.pk) % 2 == 0:
                    start = _aware(day, 7, rng.randint(5, 45))
                    rows.append(
                        Presence(
                            government=government,
                            employee=person,
                            building_id=floor.building_id,
                            floor=floor,
                            start=start,
                            end=start + dt.timedelta(hours=8, minutes=rng.randint(15, 50)),
                            source=Presence.Source.MANUAL,
                            ref=PRESENCE_REF,
                        )
                    )
        day += dt.timedelta(days=1)
    Presence.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _days_on_floor(floor: Floor, people: list[Employee], first: dt.date, last: dt.date) -> dict[int, set[dt.date]]:
    days: dict[int, set[dt.date]] = {p.pk: set() for p in people}
    rows = Presence.objects.filter(
        floor=floor, employee_id__in=days, start__gte=_aware(first, 0, 0), start__lt=_aware(last, 23, 59)
    ).values_list("employee_id", "start")
    for employee_id, start in rows:
        days[employee_id].add(timezone.localtime(start).date())
    return days


def _lab(actor: Actor, case: Case, specimen: dt.date) -> None:
    outbreak.lab_result_add(
        actor=actor,
        case=case,
        kind="rt_pcr",
        specimen_taken_at=_aware(specimen, 9, 0),
        result_date=specimen + dt.timedelta(days=1),
        result="positive",
    )


def _clear_office_days(government: Government, order: Order, today: dt.date) -> None:
    """The person stayed home from the first day of the order: drop the demo's office presence of those days
    (the simulated month of work was written before anybody was ordered to stay home)."""
    employee_id = order.case.employee_id
    if employee_id is None or order.start >= today:
        return
    last = min(order.end, today - dt.timedelta(days=1))
    check_ins = CheckIn.objects.filter(
        government=government,
        employee_id=employee_id,
        date__gte=order.start,
        date__lte=last,
        mode="wfo",
        idempotency_key__startswith="demo:",
    )
    refs = [f"checkin:{pk}" for pk in check_ins.values_list("pk", flat=True)]
    Presence.objects.filter(government=government, employee_id=employee_id, ref__in=refs).delete()
    Presence.objects.filter(
        government=government,
        employee_id=employee_id,
        ref__startswith="demo:",
        start__gte=_aware(order.start, 0, 0),
        start__lt=_aware(last + dt.timedelta(days=1), 0, 0),
    ).delete()
    check_ins.delete()


def after_outbreak(result: OutbreakResult, *, government: Government, actor: Actor, today: dt.date) -> None:
    """The rest of the seed's story: the cases become "Klaster Menara Wijaya", source finding runs on the
    stored presence (the floor ranks first), and the tower is restricted to half its distancing capacity
    for two weeks and disinfected: the whole tower done with a photo, the cluster's floor every three days
    and a market to come. Called inside the
    step's transaction."""
    import io

    from PIL import Image

    from siaga.measures import services as measures
    from siaga.outbreak import clusters

    floor = result.floor
    if floor is None or not result.cases:
        return
    cluster = clusters.cluster_create(
        actor=actor,
        name=f"Klaster {floor.building.name.removeprefix('Gedung ')}",
        cases=result.cases,
        note="Kasus pertama bergejala; skrining menemukan kasus lain di lantai yang sama.",
    )
    clusters.source_finding_start(actor=actor, cluster=cluster, run_now=True)
    result.counts["clusters"] = 1
    tower = floor.building
    measures.measure_set(
        government=government,
        building=tower,
        kind="restrict",
        capacity_percent=50,
        start=today + dt.timedelta(days=1),
        end=today + dt.timedelta(days=14),
        reason=f"Klaster kasus di lantai {floor.number}; separuh kapasitas selama disinfeksi dan pelacakan.",
        today=today,
    )
    done = measures.disinfection_create(
        government=government, scheduled_date=today, building=tower, team_name="Tim Satgas BPBD", today=today
    )
    photo = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 120, 180)).save(photo, format="PNG")
    photo.seek(0)
    measures.disinfection_complete(task=done[0], photo=photo, actor=None, note="Semua lantai disemprot.")
    measures.disinfection_create(
        government=government,
        scheduled_date=today + dt.timedelta(days=1),
        building=tower,
        floor=floor,
        team_name="Tim Satgas BPBD",
        repeat_every_days=3,
        repeat_until=today + dt.timedelta(days=13),
        today=today,
    )
    measures.disinfection_create(
        government=government,
        scheduled_date=today + dt.timedelta(days=2),
        place_name="Pasar Kota",
        place_kind="market",
        address="Jl. Pasar No. 1",
        team_name="Tim Satgas BPBD",
        today=today,
    )
    result.counts["measures"] = 1


def demo_outbreak(*, government: Government, today: dt.date | None = None, seed: int = 2020) -> OutbreakResult:
    """The cluster of 24 confirmed ASN on one floor of Menara Wijaya, their contacts, isolation and
    quarantine orders. Does nothing (``created`` False) when the government already has cases."""
    today = today or timezone.localdate()
    if Case.objects.filter(government=government).exists():
        return OutbreakResult(created=False)
    rng = random.Random(seed)
    actor = task_force_actor(government)
    floor = cluster_floor(government)
    staff = floor_staff(government, floor)
    counts: Counter[str] = Counter()
    # One transaction; the orders' absences replan the published roster once, after it commits.
    with transaction.atomic(), rostering.replans_batched(actor=actor.user):
        counts["simulated_presence"] = _simulate_presence(government, today)
        size = CASES if len(staff) >= FULL_FLOOR else max(6, round(len(staff) * 0.4))
        symptomatic_count = SYMPTOMATIC if size == CASES else max(1, round(size * SYMPTOMATIC / CASES))
        onset = today - dt.timedelta(days=INDEX_ONSET_DAYS_AGO)
        # The first case: at the office in the days before falling ill.
        seen = _days_on_floor(floor, staff, onset - dt.timedelta(days=4), onset + dt.timedelta(days=1))
        first = max(staff, key=lambda e: (len(seen[e.pk]), rng.random()), default=None)
        if first is None or len(staff) < size + 3:
            raise ValidationError(f"{floor} has too few staff for the demo cluster ({len(staff)}).")
        # The others: colleagues of the floor who were at the office in the weeks before they were tested.
        exposure = _days_on_floor(floor, staff, onset - dt.timedelta(days=14), today - dt.timedelta(days=5))
        others = [e for e in staff if e.pk != first.pk and exposure[e.pk]]
        rng.shuffle(others)
        chosen = others[: size - 1]
        cases: list[Case] = []
        specimen = onset + dt.timedelta(days=1)
        case = outbreak.case_create(
            actor=actor,
            employee=first,
            classification=Classification.CONFIRMED_SYMPTOMATIC,
            onset_date=onset,
            specimen_date=specimen,
            note="Kasus pertama klaster (data demo)",
        )
        _lab(actor, case, specimen)
        cases.append(case)
        for i, person in enumerate(chosen):
            specimen = today - dt.timedelta(days=SCREENING_DAYS_AGO[i % len(SCREENING_DAYS_AGO)])
            symptomatic = i < symptomatic_count - 1
            case = outbreak.case_create(
                actor=actor,
                employee=person,
                classification=(
                    Classification.CONFIRMED_SYMPTOMATIC if symptomatic else Classification.CONFIRMED_ASYMPTOMATIC
                ),
                onset_date=specimen - dt.timedelta(days=rng.randint(1, 2)) if symptomatic else None,
                specimen_date=specimen,
                note="Skrining RT-PCR satu lantai (data demo)",
            )
            _lab(actor, case, specimen)
            cases.append(case)
        for case in cases:
            assert case.specimen_date is not None
            outbreak.order_issue(actor=actor, case=case, kind=Order.Kind.ISOLATION, start=case.specimen_date)
        counts["cases"] = len(cases)
        counts["isolation_orders"] = len(cases)
        # Close contacts from the presence, then the task force's decisions.
        for case in cases:
            fresh = Case.objects.get(pk=case.pk)
            counts["proposals"] += len(outbreak.contacts_propose(actor=actor, case=fresh))
        for proposal in ContactProposal.objects.filter(case__in=cases, status=ContactProposal.Status.PROPOSED).order_by(
            "case_id", "pk"
        ):
            confirm = rng.random() >= DISMISS_SHARE
            outbreak.contact_decide(actor=actor, proposal=proposal, confirm=confirm)
            counts["contacts_confirmed" if confirm else "contacts_dismissed"] += 1
        for contact in Case.objects.filter(government=government, classification=Classification.CLOSE_CONTACT):
            assert contact.last_exposure is not None
            outbreak.order_issue(
                actor=actor,
                case=contact,
                kind=Order.Kind.QUARANTINE,
                start=contact.last_exposure + dt.timedelta(days=1),
            )
            counts["quarantine_orders"] += 1
        for order in Order.objects.filter(government=government).select_related("case"):
            _clear_office_days(government, order, today)
        result = OutbreakResult(created=True, floor=floor, cases=cases, counts=dict(counts))
        after_outbreak(result, government=government, actor=actor, today=today)
    return result


def engine_inputs(*, government: Government, start: dt.date, end: dt.date) -> tuple[list[Any], list[Any]]:
    """The government's stored presence of [start, end] (places ``building/floor[/room]``) and its probable
    and confirmed cases, as the tracing engine's records (what source finding reads)."""
    from siaga.engines.tracing.data import Presence as EnginePresence
    from siaga.engines.tracing.data import micros

    rows = Presence.objects.filter(
        government=government, floor__isnull=False, start__lt=_aware(end + dt.timedelta(days=1), 0, 0)
    ).filter(end__gt=_aware(start, 0, 0))
    presence = [
        EnginePresence(
            f"e:{r.employee_id}" if r.employee_id else f"v:{r.visitor_name}",
            f"{r.building_id}/{r.floor_id}" + (f"/{r.room_id}" if r.room_id else ""),
            micros(r.start),
            micros(r.end),
        )
        for r in rows.only("employee_id", "visitor_name", "building_id", "floor_id", "room_id", "start", "end")
        if r.end is not None and r.end > r.start
    ]
    index = Case.objects.filter(government=government, classification__in=outbreak.INDEX)
    cases = [outbreak._engine_case(c) for c in index.prefetch_related("orders")]
    return presence, cases
