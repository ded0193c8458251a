"""Writes of the daily follow-up: the symptom check of a person under isolation or quarantine and the alerts
it raises, contacts reported by the person, contacts of a contact on request, and the anonymisation of
closed cases after the retention period.

Each write is validated first, then made atomically and audit-logged; alerts go to the health task force
of the case's government through ``siaga.core.services.notify``."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from siaga.core.access import Actor, Perm
from siaga.core.models import Government, Notification, Role
from siaga.core.services import audit_record, notify
from siaga.org.identifiers import clean_digits
from siaga.org.models import Employee
from siaga.outbreak.models import (
    CLOSED,
    Anonymisation,
    Case,
    Classification,
    ClassificationChange,
    ContactProposal,
    FollowUpAlert,
    Order,
    SymptomCheck,
)
from siaga.rostering.models import Absence

#: a temperature from this value (°C) is a fever
FEVER_FROM = Decimal("37.5")
#: how far back a person may report a contact (the longest infectious window: 2 days before onset + 14)
SELF_REPORT_DAYS = 16


def _d(value: dt.date) -> str:
    return date_format(value, "j F Y")


def task_force_users(government_id: int) -> list[Any]:
    """The active users holding the health task force role in a government."""
    return list(
        get_user_model()
        .objects.filter(
            is_active=True, role_assignments__government_id=government_id, role_assignments__role=Role.HEALTH
        )
        .distinct()
        .order_by("pk")
    )


def _alert_task_force(government: Government, *, subject: str, body: str, link: str) -> int:
    users = task_force_users(government.pk)
    for user in users:
        notify(user=user, government=government, subject=subject, body=body, link=link)
    return len(users)


def followed_case(*, employee_id: int | None, on: dt.date) -> Case | None:
    """The person's case under an isolation or quarantine order in force on a day (None: nothing to report)."""
    if not employee_id:
        return None
    return (
        Case.objects.filter(
            employee_id=employee_id,
            orders__status=Order.Status.ACTIVE,
            orders__start__lte=on,
            orders__end__gte=on,
        )
        .select_related("government", "employee")
        .order_by("-pk")
        .first()
    )


# ---------------------------------------------------------------------------------------------------
# Daily symptom check


@dataclass(frozen=True)
class Answers:
    fever: bool = False
    temperature: Decimal | None = None
    cough: bool = False
    sore_throat: bool = False
    short_breath: bool = False
    smell_taste_loss: bool = False
    other: str = ""
    no_symptoms: bool = False


def symptom_check_submit(*, actor: Actor, answers: Answers, now: dt.datetime | None = None) -> SymptomCheck:
    """Today's answer of the person (a second answer the same day replaces the first). A new symptom in
    someone who had none, and shortness of breath, alert the task force at once."""
    if not actor.is_authenticated or not actor.employee_id:
        raise PermissionDenied("employee")
    now = now or timezone.now()
    case = followed_case(employee_id=actor.employee_id, on=timezone.localtime(now, actor.tenant.tzinfo).date())
    if case is None or case.government_id != actor.government_id:
        raise ValidationError(
            {"case": _("You have no isolation or quarantine order in force today: there is nothing to report.")}
        )
    today = timezone.localtime(now, case.government.tzinfo).date()
    other = answers.other.strip()
    fever = answers.fever or (answers.temperature is not None and answers.temperature >= FEVER_FROM)
    any_symptom = fever or answers.cough or answers.sore_throat or answers.short_breath or answers.smell_taste_loss
    any_symptom = any_symptom or bool(other)
    errors: dict[str, str] = {}
    if answers.temperature is not None and not Decimal("34") <= answers.temperature <= Decimal("43"):
        errors["temperature"] = _("Enter your temperature in degrees Celsius, between 34 and 43 (e.g. 36.8).")
    if len(other) > 200:
        errors["other"] = _("Describe other complaints in at most 200 characters.")
    if answers.no_symptoms and any_symptom:
        errors["no_symptoms"] = _("You ticked “no symptoms” and a symptom: untick one of them.")
    elif not answers.no_symptoms and not any_symptom:
        errors["no_symptoms"] = _("Tick the symptoms you have today, or “no symptoms”.")
    if errors:
        raise ValidationError(errors)
    values = {
        "fever": fever,
        "temperature": answers.temperature,
        "cough": answers.cough,
        "sore_throat": answers.sore_throat,
        "short_breath": answers.short_breath,
        "smell_taste_loss": answers.smell_taste_loss,
        "other": other,
        "answered_at": now,
    }
    with transaction.atomic():
        # One answer per person and day: the case row serialises two submissions, the unique constraint
        # (case, date) backs it up.
        locked = Case.objects.select_for_update(of=("self",)).select_related("government", "employee").get(pk=case.pk)
        had_symptoms = locked.onset_date is not None or any(
            c.has_symptoms for c in SymptomCheck.objects.filter(case=locked, date__lt=today)
        )
        check, created = SymptomCheck.objects.update_or_create(
            case=locked, date=today, defaults={"government_id": locked.government_id, **values}
        )
        audit_record(
            actor=actor.user,
            government=locked.government_id,
            action="create" if created else "update",
            obj=check,
            object_repr=f"symptom check of case #{locked.pk} on {today.isoformat()}",
        )
        if check.has_symptoms and not had_symptoms:
            _alert_new_symptoms(locked, check)
        if check.short_breath:
            _alert_once(
                locked,
                FollowUpAlert.Kind.SHORT_BREATH,
                today,
                subject=_("URGENT: shortness of breath reported by %(name)s") % {"name": locked.person_name},
                body=_("%(name)s, under follow-up, reports shortness of breath today (%(day)s). Contact them now.")
                % {"name": locked.person_name, "day": _d(today)},
            )
    return check


def _alert_once(case: Case, kind: str, day: dt.date, *, subject: str, body: str) -> bool:
    _alert, created = FollowUpAlert.objects.get_or_create(
        government_id=case.government_id, case=case, kind=kind, date=day
    )
    if created:
        _alert_task_force(
            case.government, subject=subject, body=body, link=reverse("outbreak:case_detail", args=[case.pk])
        )
    return created


def _alert_new_symptoms(case: Case, check: SymptomCheck) -> None:
    symptoms = ", ".join(check.symptom_labels)
    values = {"name": case.person_name, "day": _d(check.date), "symptoms": symptoms}
    if case.classification == Classification.CONFIRMED_ASYMPTOMATIC:
        body = _(
            "%(name)s, confirmed without symptoms, reports symptoms on %(day)s: %(symptoms)s. Proposed: reclassify "
            "as confirmed, symptomatic, with onset on %(day)s."
        )
    elif case.classification == Classification.CLOSE_CONTACT:
        body = _("%(name)s, a close contact in quarantine, reports symptoms on %(day)s: %(symptoms)s. Suspect?")
    else:
        body = _("%(name)s reports new symptoms on %(day)s: %(symptoms)s.")
    _alert_once(
        case,
        FollowUpAlert.Kind.NEW_SYMPTOMS,
        check.date,
        subject=_("New symptoms: %(name)s") % {"name": case.person_name},
        body=body % values,
    )


def first_symptom_day(case: Case) -> dt.date | None:
    """The first day the person reported a symptom in the daily check."""
    for check in SymptomCheck.objects.filter(case=case).order_by("date"):
        if check.has_symptoms:
            return check.date
    return None


def reclassify_symptomatic(*, actor: Actor, case: Case) -> Case:
    """The task force accepts the follow-up's proposal: an asymptomatic confirmed case reported symptoms, so
    it becomes symptomatic with the onset on the first day a symptom was reported."""
    from siaga.outbreak import services

    if not actor.is_authenticated or not actor.has_perm(Perm.VIEW_HEALTH):
        raise PermissionDenied(Perm.VIEW_HEALTH)
    if case.government_id != actor.government_id:
        raise PermissionDenied("government")
    onset = first_symptom_day(case)
    if case.classification != Classification.CONFIRMED_ASYMPTOMATIC or onset is None:
        raise ValidationError(
            {"case": _("Only a confirmed case without symptoms who reported symptoms can be reclassified so.")}
        )
    with transaction.atomic():
        case = services.case_update_dates(
            actor=actor,
            case=case,
            onset_date=onset,
            symptoms_ended=None,
            specimen_date=case.specimen_date,
            last_exposure=case.last_exposure,
        )
        return services.case_classify(
            actor=actor,
            case=case,
            to=Classification.CONFIRMED_SYMPTOMATIC,
            note=_("Symptoms reported in the daily check from %(day)s.") % {"day": _d(onset)},
        )


def _deadline() -> dt.time:
    value: dt.time = settings.SYMPTOM_CHECK_DEADLINE
    return value


def missing_cases(government_id: int, on: dt.date) -> list[Case]:
    """The employees under an order in force on a day who have not answered that day's check (visitors have
    no account to answer with: the task force follows them up by phone)."""
    return list(
        Case.objects.filter(
            government_id=government_id,
            employee__isnull=False,
            orders__status=Order.Status.ACTIVE,
            orders__start__lte=on,
            orders__end__gte=on,
        )
        .exclude(symptom_checks__date=on)
        .select_related("employee__unit")
        .distinct()
        .order_by("employee__name", "visitor_name", "pk")
    )


def missed_checks_alert(*, now: dt.datetime | None = None) -> int:
    """After ``SYMPTOM_CHECK_DEADLINE`` (each government's local time), tell the task force once a day who has
    not answered today's check. Returns the number of governments alerted (idempotent)."""
    now = now or timezone.now()
    at = _deadline()
    alerted = 0
    for government in Government.objects.filter(is_active=True):
        local = now.astimezone(government.tzinfo)
        if local.time() < at:
            continue
        today = local.date()
        if FollowUpAlert.objects.filter(
            government=government, case__isnull=True, kind=FollowUpAlert.Kind.MISSED, date=today
        ).exists():
            continue
        missing = missing_cases(government.pk, today)
        if not missing:
            continue
        with transaction.atomic():
            _alert, created = FollowUpAlert.objects.get_or_create(
                government=government, case=None, kind=FollowUpAlert.Kind.MISSED, date=today
            )
            if not created:  # another worker got there first
                continue
            names = "\n".join(f"- {c.person_name}" for c in missing)
            _alert_task_force(
                government,
                subject=_("%(n)s people have not answered today's symptom check") % {"n": len(missing)},
                body=_("Not answered by %(time)s on %(day)s:\n%(names)s")
                % {"time": at.strftime("%H:%M"), "day": _d(today), "names": names},
                link=reverse("outbreak:followup_missing"),
            )
            alerted += 1
    return alerted


# ---------------------------------------------------------------------------------------------------
# Contacts reported by the person


PHONE = re.compile(r"\+?[0-9]{8,15}")


def self_contact_report(
    *,
    actor: Actor,
    day: dt.date,
    place: str,
    colleague: str = "",
    name: str = "",
    phone: str = "",
) -> ContactProposal:
    """A person with an isolation order names someone they were close to: a colleague of their government
    (by NIP, or by a name that only one employee has) or anyone else by name and phone. The task force
    decides it like any proposal; the person learns nothing about the other's health (a person already
    listed is accepted silently)."""
    if not actor.is_authenticated or not actor.employee_id:
        raise PermissionDenied("employee")
    today = timezone.localdate()
    case = (
        Case.objects.filter(
            government_id=actor.government_id,
            employee_id=actor.employee_id,
            orders__kind=Order.Kind.ISOLATION,
            orders__status=Order.Status.ACTIVE,
            orders__end__gte=today,
        )
        .order_by("-pk")
        .first()
    )
    if case is None:
        raise ValidationError({"case": _("Only a person under an isolation order reports their contacts here.")})
    errors: dict[str, str] = {}
    colleague, name, phone, place = colleague.strip(), name.strip(), clean_digits(phone), place.strip()
    employee: Employee | None = None
    if colleague and name:
        errors["name"] = _("Choose a colleague, or enter someone else's name and phone, not both.")
    elif colleague:
        digits = clean_digits(colleague)
        qs = Employee.objects.filter(government_id=actor.government_id, is_active=True)
        matches = list(qs.filter(nip=digits)[:2]) if digits.isdigit() else list(qs.filter(name__iexact=colleague)[:2])
        if not matches and not digits.isdigit():
            matches = list(qs.filter(name__icontains=colleague)[:2])
        if not matches:
            errors["colleague"] = _("No colleague has this NIP or name; check it, or enter their name and phone.")
        elif len(matches) > 1:
            errors["colleague"] = _("Several colleagues match this name: enter their NIP.")
        elif matches[0].pk == actor.employee_id:
            errors["colleague"] = _("Enter someone else, not yourself.")
        else:
            employee = matches[0]
    elif not name:
        errors["colleague"] = _("Choose a colleague by NIP or name, or enter someone else's name and phone.")
    elif not PHONE.fullmatch(phone):
        errors["phone"] = _("Enter the phone number with 8 to 15 digits, e.g. 081234567890.")
    if day > today:
        errors["day"] = _("This date is in the future.")
    elif day < today - dt.timedelta(days=SELF_REPORT_DAYS):
        errors["day"] = _("Report contacts of the last %(n)s days only.") % {"n": SELF_REPORT_DAYS}
    if not place:
        errors["place"] = _("Say where you were together (e.g. room, canteen, vehicle).")
    elif len(place) > 200:
        errors["place"] = _("Describe the place in at most 200 characters.")
    if errors:
        raise ValidationError(errors)
    key: dict[str, Any] = {"employee": employee} if employee else {"employee": None, "visitor_name": name[:150]}
    with transaction.atomic():
        Case.objects.select_for_update().filter(pk=case.pk).first()
        existing = ContactProposal.objects.filter(case=case, **key).first()
        if existing is not None:
            return existing
        proposal = ContactProposal.objects.create(
            government_id=case.government_id,
            case=case,
            **key,
            visitor_phone="" if employee else phone,
            origin=ContactProposal.Origin.SELF,
            last_exposure=day,
            evidence=[{"date": day.isoformat(), "minutes": 0, "places": [place]}],
        )
        audit_record(
            actor=actor.user,
            government=case.government_id,
            action="create",
            obj=proposal,
            object_repr=f"self-reported contact of case #{case.pk}",
        )
    return proposal


# ---------------------------------------------------------------------------------------------------
# Contacts of a contact


def second_generation_window(case: Case) -> tuple[dt.date, dt.date]:
    """The days on which a close contact may have passed the infection on: from the day of their last
    exposure (the earliest they can have been infected) up to and including the day they were told to stay
    home (the earliest quarantine order issued, else the day they were confirmed as a contact), at most 14
    days (the longest incubation) when they have not been told yet."""
    assert case.last_exposure is not None
    start = case.last_exposure
    told = [
        timezone.localtime(moment).date()
        for moment in (
            case.orders.filter(kind=Order.Kind.QUARANTINE).order_by("issued_at").values_list("issued_at", flat=True)[:1]
        )
    ]
    told += [
        timezone.localtime(moment).date()
        for moment in ContactProposal.objects.filter(contact_case=case, decided_at__isnull=False)
        .order_by("decided_at")
        .values_list("decided_at", flat=True)[:1]
    ]
    last = min([start + dt.timedelta(days=14), *told])
    return start, max(last, start)


def contacts_of_contact_propose(*, actor: Actor, case: Case) -> list[ContactProposal]:
    """Trace the contacts of a confirmed close contact as if they were an index case over
    ``second_generation_window``; the proposals are marked one generation further. Idempotent like
    ``services.contacts_propose``: undecided proposals get fresh evidence, decided ones are left alone."""
    from siaga.attendance.models import Presence as StoredPresence
    from siaga.attendance.selectors import overlapping, presence_end
    from siaga.engines.tracing.contacts import PresenceIndex, contacts_of
    from siaga.engines.tracing.data import Case as EngineCase
    from siaga.engines.tracing.data import Clock, Presence, micros

    if not actor.is_authenticated or not actor.has_perm(Perm.VIEW_HEALTH):
        raise PermissionDenied(Perm.VIEW_HEALTH)
    if case.government_id != actor.government_id:
        raise PermissionDenied("government")
    sources = ContactProposal.objects.filter(contact_case=case, status=ContactProposal.Status.CONFIRMED)
    if case.classification != Classification.CLOSE_CONTACT or not sources.exists():
        raise ValidationError({"case": _("Contacts of a contact are traced for a confirmed close contact only.")})
    if case.last_exposure is None:
        raise ValidationError({"case": _("Enter the date of the last exposure first.")})
    generation = (sources.aggregate(g=Max("generation"))["g"] or 1) + 1
    # the people this contact caught it from are not their contacts
    excluded = {p.case.employee_id for p in sources.select_related("case") if p.case.employee_id}
    excluded_visitors = {p.case.visitor_name for p in sources.select_related("case") if not p.case.employee_id}
    first, last = second_generation_window(case)
    person = f"e:{case.employee_id}" if case.employee_id else f"v:{case.visitor_name}"
    # the engine's window is [00:00 of the case date − before, 00:00 of isolation_start): the same days
    engine_case = EngineCase(
        person=person,
        classification="konfirmasi-asimptomatik",
        onset=None,
        specimen=first,
        isolation_start=last + dt.timedelta(days=1),
    )
    clock = Clock(timezone.get_current_timezone())
    w_start, w_end = clock.midnight(first), clock.midnight(last + dt.timedelta(days=1))
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    start_at, end_at = (epoch + dt.timedelta(microseconds=m) for m in (w_start, w_end))
    now = timezone.now()
    in_window = overlapping(
        StoredPresence.objects.filter(government_id=case.government_id, floor__isnull=False), start_at, end_at
    )
    own = (
        in_window.filter(employee_id=case.employee_id)
        if case.employee_id
        else in_window.filter(employee__isnull=True, visitor_name=case.visitor_name)
    )
    rows = in_window.filter(floor_id__in=set(own.values_list("floor_id", flat=True))).select_related(
        "building", "floor", "room"
    )
    records: list[Presence] = []
    labels: dict[str, str] = {}
    for row in rows:
        end = presence_end(row.start, row.end, now)
        if end <= row.start:
            continue
        place = f"{row.building_id}/{row.floor_id}" + (f"/{row.room_id}" if row.room_id else "")
        assert row.floor is not None
        label = f"{row.building.name} · {_('floor')} {row.floor.number}"
        labels[place] = f"{label} · {row.room.name}" if row.room is not None else label
        key = f"e:{row.employee_id}" if row.employee_id else f"v:{row.visitor_name}"
        records.append(Presence(key, place, micros(row.start), micros(end)))
    found = contacts_of(engine_case, PresenceIndex(records, "room"), clock, before_days=0, after_days=14)
    by_person: dict[str, list[Any]] = {}
    for contact in found:
        if contact.contact.startswith("e:") and int(contact.contact[2:]) in excluded:
            continue
        if contact.contact.startswith("v:") and contact.contact[2:] in excluded_visitors:
            continue
        by_person.setdefault(contact.contact, []).append(contact)
    out: list[ContactProposal] = []
    with transaction.atomic():
        Case.objects.select_for_update().filter(pk=case.pk).first()
        for key_person, days in by_person.items():
            fields = {
                "evidence": [
                    {"date": c.date.isoformat(), "minutes": c.minutes, "places": [labels.get(p, p) for p in c.places]}
                    for c in days
                ],
                "minutes": sum(c.minutes for c in days),
                "last_exposure": max(c.date for c in days),
            }
            lookup: dict[str, Any] = (
                {"employee_id": int(key_person[2:])}
                if key_person.startswith("e:")
                else {"employee": None, "visitor_name": key_person[2:]}
            )
            proposal = ContactProposal.objects.filter(case=case, **lookup).first()
            if proposal is None:
                proposal = ContactProposal.objects.create(
                    government_id=case.government_id, case=case, generation=generation, **lookup, **fields
                )
            elif (
                proposal.status == ContactProposal.Status.PROPOSED
                and proposal.origin == ContactProposal.Origin.LOCATION
            ):
                for name, value in fields.items():
                    setattr(proposal, name, value)
                proposal.generation = generation
                proposal.save(update_fields=[*fields, "generation"])
            out.append(proposal)
        audit_record(
            actor=actor.user,
            government=case.government_id,
            action="update",
            obj=case,
            object_repr=f"contacts of contact case #{case.pk}",
            changes={"second_generation_proposed": [None, len(out)], "window": [first.isoformat(), last.isoformat()]},
        )
    return out


# ---------------------------------------------------------------------------------------------------
# Anonymisation


ANONYMOUS = "anonim"


def anonymise_closed_cases(*, now: dt.datetime | None = None, days: int | None = None) -> int:
    """Clear the personal data of cases closed (discarded, isolation finished, died) more than
    ``HEALTH_DATA_RETENTION_DAYS`` ago: visitor names and phones, notes, symptom answers, contacts' names and
    evidence, the text of the task force's alerts about the case, the health reason of the absences its
    orders caused; the employee link becomes an anonymous marker. Classification, its history, dates, lab results
    and orders stay for the statistics. Idempotent; each case is audit-logged."""
    now = now or timezone.now()
    keep = days if days is not None else settings.HEALTH_DATA_RETENTION_DAYS
    cutoff = now - dt.timedelta(days=keep)
    due = (
        Case.objects.filter(classification__in=CLOSED, anonymisation__isnull=True)
        .annotate(closed_at=Max("history__changed_at"))
        .filter(closed_at__lt=cutoff)
        .values_list("pk", flat=True)
    )
    done = 0
    for pk in list(due):
        with transaction.atomic():
            case = Case.objects.select_for_update(of=("self",)).select_related("employee").filter(pk=pk).first()
            if case is None or Anonymisation.objects.filter(case=case).exists():
                continue
            Anonymisation.objects.create(
                government_id=case.government_id,
                case=case,
                was_employee=case.employee_id is not None,
                unit_id=case.employee.unit_id if case.employee else None,
                anonymised_at=now,
            )
            case.employee = None
            case.visitor_name = f"{ANONYMOUS}-{case.pk}"
            case.visitor_phone = ""
            case.note = ""
            case.save(update_fields=["employee", "visitor_name", "visitor_phone", "note"])
            ClassificationChange.objects.filter(case=case).update(note="")
            # The absences the orders caused stay (the days were not worked) but lose the health reason and
            # the link to the order, which would lead back to the case; alerts about the case lose their text.
            for source in [o.source for o in Order.objects.filter(case=case)]:
                Absence.objects.filter(source=source).update(
                    reason=Absence.Reason.OTHER, source=f"anonymised:{uuid.uuid4().hex}"
                )
            Order.objects.filter(case=case).update(note="")
            Notification.objects.filter(link=reverse("outbreak:case_detail", args=[case.pk])).update(
                subject=ANONYMOUS, body=""
            )
            SymptomCheck.objects.filter(case=case).delete()
            for proposal in ContactProposal.objects.filter(case=case):
                proposal.employee = None
                proposal.visitor_name = f"{ANONYMOUS}-{proposal.pk}"
                proposal.visitor_phone = ""
                proposal.evidence = []
                proposal.save(update_fields=["employee", "visitor_name", "visitor_phone", "evidence"])
            audit_record(
                actor=None,
                government=case.government_id,
                action="update",
                obj=case,
                object_repr=f"case #{case.pk} anonymised",
                changes={"anonymised": [None, now.isoformat()]},
            )
            done += 1
    return done
