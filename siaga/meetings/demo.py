"""Demo data of the meetings app: a month of meetings (mostly online, some very urgent ones in person
with their attendance recorded as presence) and mass events postponed under the demo policy.

The demo works under SE MenPAN-RB 67/2020 (medium zone). That circular does not ban mass gatherings,
so the demo government's copy of it does, as Solok Selatan's Instruksi Bupati of 23 March 2020 did.
Everything goes through the services, so the invitations, approvals, presence and history are the
real ones.
"""

from __future__ import annotations

import datetime as dt
import importlib
import random
from typing import Any

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from siaga.core.calendar import WorkingCalendar
from siaga.core.models import Government
from siaga.meetings import services
from siaga.meetings.models import EventKind, MassEvent, MassEventChange, Meeting, MeetingMode
from siaga.org.models import Employee, Room, SpaceStatus, Unit
from siaga.rostering import services as rostering
from siaga.rostering.models import MeetingPriority, WorkPolicy
from siaga.rostering.problem import policy_in_effect

SLOTS = ((dt.time(9, 0), dt.time(10, 0)), (dt.time(10, 30), dt.time(11, 30)), (dt.time(13, 30), dt.time(14, 30)))
TOPICS = (
    "Koordinasi layanan daring",
    "Evaluasi kinerja mingguan",
    "Pembahasan anggaran refocusing",
    "Tindak lanjut klaster kantor",
    "Penyusunan laporan harian",
    "Pemutakhiran data ASN WFH",
)
URGENT_TOPICS = ("Rapat darurat penanganan klaster", "Penutupan sementara layanan tatap muka", "Disinfeksi gedung")
EVENTS = (
    (EventKind.APEL, "Apel pagi gabungan", "Halaman Kantor Bupati", 0, dt.time(7, 30), dt.time(8, 30)),
    (EventKind.BIMTEK, "Bimtek aplikasi e-Kinerja", "Aula BKPSDM", 7, dt.time(8, 0), dt.time(15, 0)),
    (EventKind.DIKLAT, "Diklat kepemimpinan pengawas", "Gedung Diklat", 12, dt.time(8, 0), dt.time(16, 0)),
    (EventKind.UPACARA, "Upacara hari kesadaran nasional", "Alun-alun Satya Negara", 16, dt.time(7, 0), dt.time(8, 30)),
)


def _demo_policy(government: Government, start: dt.date) -> WorkPolicy:
    """The policy in effect at ``start``, made to ban mass gatherings (the demo's Instruksi Bupati)."""
    policy = policy_in_effect(government=government, on=start)
    if policy is None:
        if not WorkPolicy.objects.filter(government=None, code="se-menpanrb-67-2020").exists():
            importlib.import_module("siaga.rostering.migrations.0002_work_policy_presets").load_presets(apps, None)
        preset = WorkPolicy.objects.get(government=None, code="se-menpanrb-67-2020")
        policy = rostering.policy_copy_for_government(
            government=government, preset=preset, actor=None, select_from=start
        )
    return policy


def _heads(government: Government) -> list[Employee]:
    return list(
        Employee.objects.filter(
            government=government, is_active=True, position__is_head=True, position__unit__is_active=True
        )
        .select_related("position__unit", "user")
        .order_by("position__unit__code")
    )


def demo_generate(*, government: Government, start: dt.date, end: dt.date, seed: int) -> dict[str, Any]:
    """Meetings on every working day of ``[start, end]`` and the month's mass events; a second run
    over the same period adds nothing."""
    rng = random.Random(seed)
    counts = {"meetings": 0, "in_person": 0, "attended": 0, "events": 0, "postponed": 0}
    policy = _demo_policy(government, start)
    zone = government.tzinfo
    window = (dt.datetime.combine(start, dt.time(), tzinfo=zone), dt.datetime.combine(end, dt.time.max, tzinfo=zone))
    if not MassEvent.objects.filter(government=government, start__range=window).exists():
        counts["events"] = _events(government, start, end)
    if not policy.mass_gathering_ban:
        rostering.policy_update(policy=policy, actor=None, mass_gathering_ban=True)
    counts["postponed"] = len(services.events_apply_policy(government, now=window[0]))
    if Meeting.objects.filter(government=government, start__range=window).exists():
        return counts
    heads = _heads(government)
    rooms = list(
        Room.objects.filter(
            government=government,
            status=SpaceStatus.OPEN,
            floor__status=SpaceStatus.OPEN,
            floor__building__status=SpaceStatus.OPEN,
            distancing_capacity__gte=3,
        ).select_related("floor__building")
    )
    if not heads:
        return counts
    urgent_ok = MeetingPriority.URGENT in (policy.in_person_meeting_priorities or [])
    calendar = WorkingCalendar(government, start, end)
    now = timezone.now()
    day = start
    while day <= end:
        if calendar.is_working_day(day):
            for slot_start, slot_end in rng.sample(SLOTS, k=rng.randint(1, len(SLOTS))):
                head = rng.choice(heads)
                unit = head.position.unit  # type: ignore[union-attr]
                counts["meetings"] += 1
                meeting_start = dt.datetime.combine(day, slot_start, tzinfo=zone)
                meeting_end = dt.datetime.combine(day, slot_end, tzinfo=zone)
                in_person = urgent_ok and rooms and rng.random() < 0.2
                meeting = _meeting(rng, government, head, unit, meeting_start, meeting_end, rooms if in_person else [])
                if meeting is None:
                    counts["meetings"] -= 1
                    continue
                if meeting.room_id:
                    counts["in_person"] += 1
                    if meeting.start <= now:
                        counts["attended"] += _attend(rng, meeting)
        day += dt.timedelta(days=1)
    return counts


def _meeting(
    rng: random.Random,
    government: Government,
    head: Employee,
    unit: Unit,
    start: dt.datetime,
    end: dt.datetime,
    rooms: list[Room],
) -> Meeting | None:
    staff = list(Employee.objects.filter(unit=unit, is_active=True).exclude(pk=head.pk).order_by("pk")[:40])
    if rooms:
        room = rng.choice(rooms)
        seats = max(
            0, min(room.distancing_capacity - services.room_seats_taken(room=room, start=start, end=end), 6) - 1
        )
        if seats < 1:
            return None
        attendees = [head, *rng.sample(staff, k=min(len(staff), rng.randint(1, seats)))]
        priority, mode, link = MeetingPriority.URGENT, MeetingMode.IN_PERSON, ""
        title = rng.choice(URGENT_TOPICS)
    else:
        room = None
        attendees = [head, *rng.sample(staff, k=min(len(staff), rng.randint(2, 8)))]
        priority = rng.choice([MeetingPriority.ROUTINE, MeetingPriority.ROUTINE, MeetingPriority.IMPORTANT])
        mode, link = MeetingMode.ONLINE, f"https://vicon.sukoharjokab.go.id/rapat-{rng.randrange(10**6):06d}"
        title = rng.choice(TOPICS)
    return services.meeting_request(
        government=government,
        user=head.user,
        requester=head,
        title=f"{title} — {unit.name}",
        agenda="1. Laporan situasi\n2. Tindak lanjut\n3. Lain-lain",
        priority=priority,
        mode=mode,
        start=start,
        end=end,
        organiser_unit=unit,
        attendees=attendees,
        room=room,
        video_link=link,
    )


def _attend(rng: random.Random, meeting: Meeting) -> int:
    """Most invitees of a past in-person meeting came; their attendance becomes presence."""
    marked = 0
    for row in meeting.attendees.select_related("employee").filter(in_person=True):
        if rng.random() < 0.9:
            services.meeting_attendance_mark(
                meeting=meeting,
                employee=row.employee,
                user=None,
                now=meeting.start + dt.timedelta(minutes=rng.randint(0, 10)),
            )
            marked += 1
    return marked


def _events(government: Government, start: dt.date, end: dt.date) -> int:
    """The month's mass events as BKPSDM had planned them before the ban (kept in their history)."""
    units = list(Unit.objects.filter(government=government, parent__isnull=True, is_active=True))
    zone = government.tzinfo
    created = 0
    for kind, title, place, offset, begin, finish in EVENTS:
        day = start + dt.timedelta(days=offset)
        if day > end:
            continue
        with transaction.atomic():
            event = MassEvent.objects.create(
                government=government,
                kind=kind,
                title=title,
                place=place,
                start=dt.datetime.combine(day, begin, tzinfo=zone),
                end=dt.datetime.combine(day, finish, tzinfo=zone),
            )
            event.units.set(units)
            MassEventChange.objects.create(
                government=government,
                event=event,
                action=MassEventChange.Action.SCHEDULED,
                start=event.start,
                end=event.end,
            )
        created += 1
    return created
