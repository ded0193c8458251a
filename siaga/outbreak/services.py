"""Writes of the case registry, and the proposals the rule set makes for a case.

The system proposes (isolation end, quarantine end, discarded, isolation finished, confirmed); only the
task force changes a classification, through ``case_classify``. Every write is validated first, then
made atomically and audit-logged."""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from siaga.core.access import Actor, Perm
from siaga.core.services import audit_record, notify
from siaga.org.models import Employee
from siaga.outbreak import rules
from siaga.outbreak.models import (
    CLOSED,
    CONFIRMED,
    ISOLATED,
    Case,
    Classification,
    ClassificationChange,
    ContactProposal,
    LabResult,
    Order,
    Outcome,
    RuleSet,
)
from siaga.outbreak.presets import load_presets
from siaga.rostering import services as rostering


def _require_task_force(actor: Actor) -> None:
    if not actor.is_authenticated or not actor.has_perm(Perm.VIEW_HEALTH):
        raise PermissionDenied(Perm.VIEW_HEALTH)


def _same_government(actor: Actor, case: Case) -> None:
    if case.government_id != actor.government_id:
        raise PermissionDenied("government")


# ---------------------------------------------------------------------------------------------------
# Rule sets


def rule_set_for(*, government_id: int, on: dt.date) -> RuleSet:
    """The rule set in force for a government on a day: its own latest effective one, else the default preset."""
    own = (
        RuleSet.objects.filter(government_id=government_id, effective_from__lte=on)
        .order_by("-effective_from", "-pk")
        .first()
    )
    if own is not None:
        return own
    preset = RuleSet.objects.filter(government__isnull=True, is_default=True).order_by("-effective_from").first()
    if preset is None:  # a database emptied after the migrations (flush): put the national presets back
        load_presets(RuleSet)
        preset = RuleSet.objects.get(government__isnull=True, is_default=True)
    return preset


def rule_set_adopt(*, actor: Actor, preset: RuleSet, effective_from: dt.date) -> RuleSet:
    """Adopt a national preset for the actor's government from a date (a dated copy of its parameters)."""
    _require_task_force(actor)
    if preset.government_id is not None:
        raise ValidationError({"preset": _("Choose a national preset.")})
    code = f"{preset.code}-{effective_from:%Y%m%d}"
    if RuleSet.objects.filter(government_id=actor.government_id, code=code).exists():
        raise ValidationError({"effective_from": _("This preset is already adopted from that date.")})
    fields = {
        f.name: getattr(preset, f.name)
        for f in RuleSet._meta.concrete_fields
        if f.name not in {"id", "government", "code", "effective_from", "is_default"}
    }
    with transaction.atomic():
        adopted = RuleSet.objects.create(
            government_id=actor.government_id, code=code, effective_from=effective_from, **fields
        )
        audit_record(actor=actor.user, government=actor.government_id, action="create", obj=adopted)
    return adopted


# ---------------------------------------------------------------------------------------------------
# Cases


def case_create(
    *,
    actor: Actor,
    classification: str,
    employee: Employee | None = None,
    visitor_name: str = "",
    visitor_phone: str = "",
    onset_date: dt.date | None = None,
    specimen_date: dt.date | None = None,
    last_exposure: dt.date | None = None,
    note: str = "",
) -> Case:
    _require_task_force(actor)
    errors: dict[str, str] = {}
    visitor_name = visitor_name.strip()
    if classification not in Classification.values:
        errors["classification"] = _("Choose one of the classifications.")
    if employee is None and not visitor_name:
        errors["employee"] = _("Choose an employee, or enter the visitor's name.")
    if employee is not None and visitor_name:
        errors["visitor_name"] = _("A case is an employee or a visitor, not both: clear the visitor's name.")
    if employee is not None and employee.government_id != actor.government_id:
        errors["employee"] = _("This employee is not in your government.")
    today = timezone.localdate()
    for name, value in (("onset_date", onset_date), ("specimen_date", specimen_date), ("last_exposure", last_exposure)):
        if value is not None and value > today:
            errors[name] = _("This date is in the future.")
    if classification == Classification.CONFIRMED_SYMPTOMATIC and onset_date is None:
        errors["onset_date"] = _("A symptomatic case needs the date of symptom onset.")
    if classification == Classification.CONFIRMED_ASYMPTOMATIC and specimen_date is None:
        errors["specimen_date"] = _("An asymptomatic confirmed case needs the diagnostic specimen date.")
    if classification == Classification.CLOSE_CONTACT and last_exposure is None:
        errors["last_exposure"] = _("A close contact needs the date of the last exposure.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if employee is not None:
            # Lock the person so that two task-force members cannot open two cases for them at once.
            Employee.objects.select_for_update().filter(pk=employee.pk).first()
            if Case.objects.filter(employee=employee).exclude(classification__in=CLOSED).exists():
                raise ValidationError({"employee": _("This person already has an open case; update that one.")})
        case = Case.objects.create(
            government_id=actor.government_id,
            employee=employee,
            visitor_name=visitor_name,
            visitor_phone=visitor_phone.strip(),
            classification=classification,
            onset_date=onset_date,
            specimen_date=specimen_date,
            last_exposure=last_exposure,
            note=note,
            created_by=actor.user,
        )
        ClassificationChange.objects.create(
            government_id=case.government_id,
            case=case,
            to_value=classification,
            changed_at=timezone.now(),
            changed_by=actor.user,
            note=note,
        )
        audit_record(actor=actor.user, government=case.government_id, action="create", obj=case)
        contacts_propose_later(case)
    return case


def case_update_dates(
    *,
    actor: Actor,
    case: Case,
    onset_date: dt.date | None,
    symptoms_ended: dt.date | None,
    specimen_date: dt.date | None,
    last_exposure: dt.date | None,
) -> Case:
    _require_task_force(actor)
    _same_government(actor, case)
    errors: dict[str, str] = {}
    today = timezone.localdate()
    values = {
        "onset_date": onset_date,
        "symptoms_ended": symptoms_ended,
        "specimen_date": specimen_date,
        "last_exposure": last_exposure,
    }
    for name, value in values.items():
        if value is not None and value > today:
            errors[name] = _("This date is in the future.")
    if symptoms_ended is not None and (onset_date is None or symptoms_ended < onset_date):
        errors["symptoms_ended"] = _("The last day with symptoms must be on or after the onset date.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        before = {k: str(getattr(locked, k) or "") for k in values}
        for name, value in values.items():
            setattr(locked, name, value)
        locked.save(update_fields=list(values))
        after = {k: str(v or "") for k, v in values.items()}
        changes = {k: [before[k], after[k]] for k in values if before[k] != after[k]}
        audit_record(actor=actor.user, government=locked.government_id, action="update", obj=locked, changes=changes)
        if {"onset_date", "specimen_date"} & set(changes):  # the infectious window moved
            contacts_propose_later(locked)
    return locked


def case_classify(*, actor: Actor, case: Case, to: str, note: str = "") -> Case:
    """The task force's confirmation of a classification; each change is one history row."""
    _require_task_force(actor)
    _same_government(actor, case)
    errors: dict[str, str] = {}
    if to not in Classification.values:
        errors["to"] = _("Choose one of the classifications.")
    elif to == case.classification:
        errors["to"] = _("The case already has this classification.")
    elif case.classification == Classification.DIED:
        errors["to"] = _("The case is closed as died; its classification cannot change.")
    if to == Classification.CONFIRMED_SYMPTOMATIC and case.onset_date is None:
        errors["onset_date"] = _("A symptomatic case needs the date of symptom onset.")
    # The diagnostic specimen is the first positive RT-PCR unless the task force entered it.
    first_positive = (
        case.lab_results.filter(kind=LabResult.Kind.RT_PCR, result=LabResult.Result.POSITIVE)
        .order_by("specimen_taken_at")
        .first()
    )
    specimen_date = case.specimen_date or (
        timezone.localtime(first_positive.specimen_taken_at).date() if first_positive else None
    )
    if to == Classification.CONFIRMED_ASYMPTOMATIC and specimen_date is None:
        errors["specimen_date"] = _("An asymptomatic confirmed case needs the diagnostic specimen date.")
    if to == Classification.CLOSE_CONTACT and case.last_exposure is None:
        errors["last_exposure"] = _("A close contact needs the date of the last exposure.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        before = locked.classification
        locked.classification = to
        fields = ["classification"]
        if to in CONFIRMED and locked.specimen_date is None and specimen_date is not None:
            locked.specimen_date = specimen_date
            fields.append("specimen_date")
        if to == Classification.DIED:
            locked.outcome = Outcome.DIED
            fields.append("outcome")
        elif to in {Classification.ISOLATION_FINISHED, Classification.DISCARDED} and locked.outcome == Outcome.ONGOING:
            locked.outcome = Outcome.RECOVERED if to == Classification.ISOLATION_FINISHED else Outcome.ONGOING
            fields.append("outcome")
        locked.save(update_fields=fields)
        ClassificationChange.objects.create(
            government_id=locked.government_id,
            case=locked,
            from_value=before,
            to_value=to,
            changed_at=timezone.now(),
            changed_by=actor.user,
            note=note[:250],
        )
        audit_record(
            actor=actor.user,
            government=locked.government_id,
            action="update",
            obj=locked,
            changes={"classification": [before, to]},
        )
        if to in INDEX and before not in INDEX:
            contacts_propose_later(locked)
    return locked


def lab_result_add(
    *, actor: Actor, case: Case, kind: str, specimen_taken_at: dt.datetime, result_date: dt.date, result: str
) -> LabResult:
    """Record a test; it never changes the classification (the rules propose, the task force confirms)."""
    _require_task_force(actor)
    _same_government(actor, case)
    errors: dict[str, str] = {}
    if kind not in LabResult.Kind.values:
        errors["kind"] = _("Choose RT-PCR or rapid antigen.")
    if result not in LabResult.Result.values:
        errors["result"] = _("Choose positive or negative.")
    if specimen_taken_at > timezone.now():
        errors["specimen_taken_at"] = _("This date is in the future.")
    if result_date > timezone.localdate():
        errors["result_date"] = _("This date is in the future.")
    elif result_date < timezone.localtime(specimen_taken_at).date():
        errors["result_date"] = _("The result cannot come before the specimen was taken.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        lab = LabResult.objects.create(
            government_id=case.government_id,
            case=case,
            kind=kind,
            specimen_taken_at=specimen_taken_at,
            result_date=result_date,
            result=result,
            recorded_by=actor.user,
        )
        audit_record(
            actor=actor.user,
            government=case.government_id,
            action="create",
            obj=lab,
            object_repr=f"lab result of case #{case.pk}",
        )
    return lab


# ---------------------------------------------------------------------------------------------------
# Proposals


@dataclass(frozen=True)
class Proposal:
    #: "classification", "isolation_end" or "quarantine_end"
    kind: str
    reason: str
    to: str = ""  # the proposed classification
    last_day: dt.date | None = None
    provisional: bool = False

    @property
    def to_label(self) -> str:
        return str(Classification(self.to).label) if self.to else ""


def isolation_end(case: Case, rule_set: RuleSet) -> rules.EndProposal | None:
    return rules.isolation_last_day(
        rule_set,
        symptomatic=case.classification != Classification.CONFIRMED_ASYMPTOMATIC and case.onset_date is not None,
        onset=case.onset_date,
        specimen=case.specimen_date,
        symptoms_ended=case.symptoms_ended,
    )


def quarantine_end(case: Case, rule_set: RuleSet) -> rules.EndProposal | None:
    return rules.quarantine_last_day(
        rule_set, last_exposure=case.last_exposure, tests=rules.as_tests(case.lab_results.all())
    )


def _d(value: dt.date) -> str:
    return date_format(value, "j F Y")


def case_proposals(*, case: Case, on: dt.date | None = None) -> list[Proposal]:
    """What the rule set in force proposes for the case on a day; nothing is changed."""
    on = on or timezone.localdate()
    rule_set = rule_set_for(government_id=case.government_id, on=on)
    tests = rules.as_tests(case.lab_results.all())
    proposals: list[Proposal] = []
    c = case.classification
    if c in ISOLATED - CONFIRMED or c == Classification.CLOSE_CONTACT:
        positive = next((t for t in tests if t.kind == "rt_pcr" and t.positive), None)
        if positive is not None:
            to = Classification.CONFIRMED_SYMPTOMATIC if case.onset_date else Classification.CONFIRMED_ASYMPTOMATIC
            proposals.append(
                Proposal(
                    kind="classification",
                    to=to,
                    reason=_("RT-PCR positive (specimen of %(day)s).")
                    % {"day": _d(rules.day(positive.specimen_taken_at))},
                )
            )
    if c in {Classification.SUSPECT, Classification.PROBABLE}:
        second = rules.negative_pcr_pair(rule_set, tests)
        if second is not None:
            proposals.append(
                Proposal(
                    kind="classification",
                    to=Classification.DISCARDED,
                    reason=_("%(n)s negative RT-PCRs taken more than %(hours)s hours apart (last result %(day)s).")
                    % {
                        "n": rule_set.discard_negative_pcrs,
                        "hours": rule_set.discard_hours_apart,
                        "day": _d(second.result_date),
                    },
                )
            )
    if c in CONFIRMED:
        end = isolation_end(case, rule_set)
        if end is not None:
            proposals.append(
                Proposal(
                    kind="isolation_end",
                    last_day=end.last_day,
                    provisional=end.provisional,
                    reason=_("Last day of isolation under %(rules)s.") % {"rules": rule_set.name},
                )
            )
            if on > end.last_day and not end.provisional:
                proposals.append(
                    Proposal(
                        kind="classification",
                        to=Classification.ISOLATION_FINISHED,
                        reason=_("Isolation ended on %(day)s.") % {"day": _d(end.last_day)},
                    )
                )
    if c == Classification.CLOSE_CONTACT:
        end = quarantine_end(case, rule_set)
        if end is not None:
            proposals.append(
                Proposal(
                    kind="quarantine_end",
                    last_day=end.last_day,
                    reason=_("Last day of quarantine under %(rules)s.") % {"rules": rule_set.name},
                )
            )
            if on > end.last_day and not any(t.positive for t in tests):
                proposals.append(
                    Proposal(
                        kind="classification",
                        to=Classification.DISCARDED,
                        reason=_("Quarantine completed on %(day)s without a positive test.")
                        % {"day": _d(end.last_day)},
                    )
                )
    return proposals


# ---------------------------------------------------------------------------------------------------
# Orders


def _notify_order(order: Order, *, ended: bool = False) -> None:
    """The person gets their own dates; whoever answers for the unit today (head in post, Plh/Plt; the unit
    above when the person is the head) only that the person is unavailable (never why)."""
    from siaga.org.selectors import unit_authorities

    case = order.case
    employee = case.employee
    if employee is None:
        return
    government = order.government
    dates = {"start": _d(order.start), "end": _d(order.end)}
    if employee.user_id:
        if ended:
            subject = _("Your %(kind)s order has ended") % {"kind": order.get_kind_display().lower()}
            body = _("Your %(kind)s order has been lifted.") % {"kind": order.get_kind_display().lower()}
        else:
            subject = _("Your %(kind)s order") % {"kind": order.get_kind_display().lower()}
            body = _("You are under %(kind)s from %(start)s to %(end)s. Do not come to the office on these days.") % {
                "kind": order.get_kind_display().lower(),
                **dates,
            }
        notify(user=employee.user, government=government, subject=subject, body=body, link="/outbreak/mine/")
    if ended:
        body = _("%(name)s is available again.") % {"name": employee.name}
    else:
        body = _("%(name)s is unavailable from %(start)s to %(end)s.") % {"name": employee.name, **dates}
    for head in unit_authorities(unit=employee.unit, on=timezone.localdate(), excluding=employee):
        if head.user is not None and head.user.is_active:
            notify(user=head.user, government=government, subject=_("Staff availability"), body=body)


def order_issue(
    *, actor: Actor, case: Case, kind: str, start: dt.date, end: dt.date | None = None, note: str = ""
) -> Order:
    """Issue an isolation (case) or quarantine (close contact) order; the last day defaults to the rule
    set's proposal. The person is made absent (no WFO check-in, roster replanned) and notified."""
    _require_task_force(actor)
    _same_government(actor, case)
    errors: dict[str, str] = {}
    rule_set = rule_set_for(government_id=case.government_id, on=start)
    if kind == Order.Kind.ISOLATION:
        if case.classification not in ISOLATED:
            errors["kind"] = _("Isolation is ordered for suspect, probable and confirmed cases.")
        elif end is None:
            proposal = isolation_end(case, rule_set)
            if proposal is None:
                errors["end"] = _("Enter the last day: the case lacks the dates the rule set needs.")
            else:
                end = proposal.last_day
    elif kind == Order.Kind.QUARANTINE:
        if case.classification != Classification.CLOSE_CONTACT:
            errors["kind"] = _("Quarantine is ordered for close contacts.")
        elif end is None:
            proposal = quarantine_end(case, rule_set)
            if proposal is None:
                errors["end"] = _("Enter the last day: the case lacks the date of the last exposure.")
            else:
                end = proposal.last_day
    else:
        errors["kind"] = _("Choose isolation or quarantine.")
    if end is not None and end < start and "end" not in errors:
        errors["end"] = _("The last day comes before the first day.")
    if errors:
        raise ValidationError(errors)
    assert end is not None
    with transaction.atomic():
        # Lock the case so that two task-force members cannot issue overlapping orders at once.
        Case.objects.select_for_update().filter(pk=case.pk).first()
        if Order.objects.filter(case=case, status=Order.Status.ACTIVE, start__lte=end, end__gte=start).exists():
            raise ValidationError(
                {"start": _("The person already has an order in force on these days; end or move that one.")}
            )
        order = Order.objects.create(
            government_id=case.government_id,
            case=case,
            kind=kind,
            start=start,
            end=end,
            rule_set=rule_set,
            note=note[:250],
            issued_by=actor.user,
        )
        audit_record(actor=actor.user, government=case.government_id, action="create", obj=order)
        if case.employee is not None:
            rostering.absence_set(
                employee=case.employee, start=start, end=end, reason=kind, source=order.source, actor=actor.user
            )
        _notify_order(order)
    return order


def order_end(*, actor: Actor, order: Order, last_day: dt.date | None = None) -> Order:
    """Lift an order (``last_day`` None: entirely) or move its last day; the absence follows."""
    _require_task_force(actor)
    if order.government_id != actor.government_id:
        raise PermissionDenied("government")
    if order.status != Order.Status.ACTIVE:
        raise ValidationError({"order": _("This order has already been lifted.")})
    if last_day is not None and last_day < order.start:
        raise ValidationError({"last_day": _("The last day comes before the first day; lift the order instead.")})
    with transaction.atomic():
        locked = (
            Order.objects.select_for_update(of=("self",))
            .select_related("case__employee__unit", "government")
            .get(pk=order.pk)
        )
        before = [locked.start.isoformat(), locked.end.isoformat(), locked.status]
        if last_day is None:
            locked.status = Order.Status.LIFTED
            locked.lifted_at = timezone.now()
            if locked.case.employee is not None:
                rostering.absence_clear(source=locked.source, actor=actor.user)
        else:
            locked.end = last_day
            if locked.case.employee is not None:
                rostering.absence_set(
                    employee=locked.case.employee,
                    start=locked.start,
                    end=last_day,
                    reason=locked.kind,
                    source=locked.source,
                    actor=actor.user,
                )
        locked.save()
        audit_record(
            actor=actor.user,
            government=locked.government_id,
            action="update",
            obj=locked,
            changes={"order": [before, [locked.start.isoformat(), locked.end.isoformat(), locked.status]]},
        )
        _notify_order(locked, ended=last_day is None)
    return locked


def active_orders_q(on: dt.date) -> Q:
    return Q(status=Order.Status.ACTIVE, start__lte=on, end__gte=on)


# ---------------------------------------------------------------------------------------------------
# Close contacts from stored presence

#: classifications of the engine's case records
_ENGINE_CLASSES: dict[str, str] = {
    Classification.PROBABLE: "probable",
    Classification.CONFIRMED_SYMPTOMATIC: "konfirmasi-simptomatik",
    Classification.CONFIRMED_ASYMPTOMATIC: "konfirmasi-asimptomatik",
}
INDEX = frozenset(_ENGINE_CLASSES)


def _person_key(employee_id: int | None, visitor_name: str) -> str:
    return f"e:{employee_id}" if employee_id else f"v:{visitor_name}"


def _engine_case(case: Case) -> Any:
    from siaga.engines.tracing.data import Case as EngineCase

    isolation = case.orders.filter(kind=Order.Kind.ISOLATION).order_by("start").first()
    return EngineCase(
        person=_person_key(case.employee_id, case.visitor_name),
        classification=_ENGINE_CLASSES[case.classification],
        onset=case.onset_date,
        specimen=case.specimen_date,
        isolation_start=isolation.start if isolation else None,
    )


def contacts_trace(case: Case) -> tuple[list[Any], dict[str, str]]:
    """The read part of ``contacts_propose`` (no permission check, nothing written): the engine's close
    contacts of a probable or confirmed case from the stored presence of its government in the case's
    infectious window, at room level (a stay known only to the floor meets the whole floor), and the
    label of each place they name."""
    from siaga.attendance.models import Presence as StoredPresence
    from siaga.attendance.selectors import overlapping, presence_end
    from siaga.engines.tracing.contacts import PresenceIndex, contacts_of, infectious_window
    from siaga.engines.tracing.data import Clock, Presence, micros

    if case.classification not in INDEX:
        raise ValidationError({"case": _("Contacts are traced for probable and confirmed cases only.")})
    engine_case = _engine_case(case)
    clock = Clock(timezone.get_current_timezone())
    window = infectious_window(engine_case, clock, 2, 14)
    if window is None:
        raise ValidationError({"case": _("Enter the onset or specimen date first: it starts the infectious window.")})
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    w_start, w_end = (epoch + dt.timedelta(microseconds=m) for m in window)
    now = timezone.now()
    # One bounded index range on ``start`` (PRESENCE_MAX_SPAN): an interval still open counts until now
    # but for that long at most, so a forgotten check-out does not make a contact of everybody who comes
    # to the floor afterwards.
    in_window = overlapping(
        StoredPresence.objects.filter(government_id=case.government_id, floor__isnull=False), w_start, w_end
    ).order_by()
    own = (
        in_window.filter(employee_id=case.employee_id)
        if case.employee_id
        else in_window.filter(employee__isnull=True, visitor_name=case.visitor_name)
    )
    # Only the floors the case was on can hold a contact: read nothing else, and only the columns needed.
    rows = in_window.filter(floor_id__in=set(own.values_list("floor_id", flat=True))).values_list(
        "employee_id", "visitor_name", "building_id", "floor_id", "room_id", "start", "end"
    )
    records: list[Presence] = []
    for employee_id, visitor_name, building_id, floor_id, room_id, start, end in rows:
        end = presence_end(start, end, now)
        if end <= start:
            continue
        place = f"{building_id}/{floor_id}" + (f"/{room_id}" if room_id else "")
        records.append(Presence(_person_key(employee_id, visitor_name), place, micros(start), micros(end)))
    found = contacts_of(engine_case, PresenceIndex(records, "room"), clock) if records else []
    return found, _place_labels({place for contact in found for place in contact.places})


def _place_labels(places: set[str]) -> dict[str, str]:
    """The label ("Building · floor N[ · room]") of each ``building/floor[/room]`` key of the engine."""
    from siaga.org.models import Floor, Room

    parts = [place.split("/") for place in places]
    floors = Floor.objects.select_related("building").in_bulk({int(p[1]) for p in parts})
    rooms = Room.objects.in_bulk({int(p[2]) for p in parts if len(p) == 3})
    labels: dict[str, str] = {}
    for place, p in zip(places, parts, strict=True):
        floor = floors[int(p[1])]
        label = f"{floor.building.name} · {_('floor')} {floor.number}"
        labels[place] = f"{label} · {rooms[int(p[2])].name}" if len(p) == 3 else label
    return labels


def contacts_propose(*, actor: Actor | None, case: Case) -> list[ContactProposal]:
    """Run the tracing engine on the case's government's stored presence for the infectious window of a
    probable or confirmed case (``contacts_trace``) and store each close contact as a proposal.
    Idempotent: a proposal still undecided gets fresh evidence, a decided one is left alone. ``actor``
    None: the automatic run after a classification."""
    if actor is not None:
        _require_task_force(actor)
        _same_government(actor, case)
    found, labels = contacts_trace(case)
    by_person: dict[str, list[Any]] = {}
    for contact in found:
        by_person.setdefault(contact.contact, []).append(contact)
    out: list[ContactProposal] = []
    with transaction.atomic():
        Case.objects.select_for_update().filter(pk=case.pk).first()
        for person, days in by_person.items():
            evidence = [
                {"date": c.date.isoformat(), "minutes": c.minutes, "places": [labels.get(p, p) for p in c.places]}
                for c in days
            ]
            fields = {
                "evidence": evidence,
                "minutes": sum(c.minutes for c in days),
                "last_exposure": max(c.date for c in days),
            }
            key: dict[str, Any]
            if person.startswith("e:"):
                key = {"employee_id": int(person[2:])}
            else:
                key = {"employee": None, "visitor_name": person[2:]}
            proposal = ContactProposal.objects.filter(case=case, **key).first()
            if proposal is None:
                proposal = ContactProposal.objects.create(government_id=case.government_id, case=case, **key, **fields)
            elif (
                proposal.status == ContactProposal.Status.PROPOSED
                and proposal.origin == ContactProposal.Origin.LOCATION
            ):
                for name, value in fields.items():
                    setattr(proposal, name, value)
                proposal.save(update_fields=list(fields))
            out.append(proposal)
        audit_record(
            actor=actor.user if actor else None,
            government=case.government_id,
            action="update",
            obj=case,
            object_repr=f"contacts of case #{case.pk}",
            changes={"contacts_proposed": [None, len(out)]},
        )
    return out


def contacts_propose_later(case: Case) -> None:
    """Trace the contacts once the transaction that made the case probable or confirmed commits."""
    if case.classification not in INDEX or (case.onset_date is None and case.specimen_date is None):
        return
    pk = case.pk

    def run() -> None:
        fresh = Case.objects.filter(pk=pk).first()
        if fresh is not None and fresh.classification in INDEX:
            with contextlib.suppress(ValidationError):  # dates removed since: nothing to trace
                contacts_propose(actor=None, case=fresh)

    transaction.on_commit(run)


def contact_add(
    *, actor: Actor, case: Case, employee: Employee, last_exposure: dt.date, note: str = ""
) -> ContactProposal:
    """A contact the task force knows of without presence (told by the case, self-reported)."""
    _require_task_force(actor)
    _same_government(actor, case)
    errors: dict[str, str] = {}
    if employee.government_id != actor.government_id:
        errors["employee"] = _("This employee is not in your government.")
    elif employee.pk == case.employee_id:
        errors["employee"] = _("The case cannot be their own contact.")
    elif ContactProposal.objects.filter(case=case, employee=employee).exists():
        errors["employee"] = _("This person is already listed as a contact of the case.")
    if last_exposure > timezone.localdate():
        errors["last_exposure"] = _("This date is in the future.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        proposal = ContactProposal.objects.create(
            government_id=case.government_id,
            case=case,
            employee=employee,
            origin=ContactProposal.Origin.MANUAL,
            last_exposure=last_exposure,
            evidence=[{"date": last_exposure.isoformat(), "minutes": 0, "places": [note[:200]] if note else []}],
        )
        audit_record(
            actor=actor.user,
            government=case.government_id,
            action="create",
            obj=proposal,
            object_repr=f"contact of case #{case.pk}",
        )
    return proposal


def contact_decide(*, actor: Actor, proposal: ContactProposal, confirm: bool) -> ContactProposal:
    """Confirm (the person becomes a close contact under surveillance, with quarantine dates proposed by the
    rule set, and is told so without learning who the case is) or dismiss a proposal."""
    _require_task_force(actor)
    if proposal.government_id != actor.government_id:
        raise PermissionDenied("government")
    if proposal.status != ContactProposal.Status.PROPOSED:
        raise ValidationError({"decision": _("This contact has already been decided.")})
    with transaction.atomic():
        locked = ContactProposal.objects.select_for_update(of=("self",)).select_related("employee").get(pk=proposal.pk)
        if locked.status != ContactProposal.Status.PROPOSED:
            raise ValidationError({"decision": _("This contact has already been decided.")})
        locked.decided_by = actor.user
        locked.decided_at = timezone.now()
        if not confirm:
            locked.status = ContactProposal.Status.DISMISSED
        else:
            locked.status = ContactProposal.Status.CONFIRMED
            employee = locked.employee
            contact_case = None
            if employee is not None:
                contact_case = Case.objects.filter(employee=employee).exclude(classification__in=CLOSED).first()
            if contact_case is None:
                contact_case = case_create(
                    actor=actor,
                    classification=Classification.CLOSE_CONTACT,
                    employee=employee,
                    visitor_name="" if employee else locked.visitor_name,
                    visitor_phone="" if employee else locked.visitor_phone,
                    last_exposure=locked.last_exposure,
                )
            elif contact_case.classification == Classification.CLOSE_CONTACT and (
                contact_case.last_exposure is None or contact_case.last_exposure < locked.last_exposure
            ):
                contact_case.last_exposure = locked.last_exposure
                contact_case.save(update_fields=["last_exposure"])
            locked.contact_case = contact_case
            if contact_case.classification == Classification.CLOSE_CONTACT:
                rule_set = rule_set_for(government_id=locked.government_id, on=timezone.localdate())
                end = quarantine_end(contact_case, rule_set)
                if end is not None and contact_case.last_exposure is not None:
                    first_day = contact_case.last_exposure + dt.timedelta(days=1)
                    locked.quarantine_start, locked.quarantine_end = first_day, end.last_day
                    if employee is not None and employee.user_id:
                        notify(
                            user=employee.user,
                            government=locked.government,
                            subject=_("You are a close contact"),
                            body=_(
                                "You were in close contact with a person with COVID-19 on %(day)s. The health "
                                "task force proposes quarantine from %(start)s to %(end)s and will confirm it."
                            )
                            % {
                                "day": _d(contact_case.last_exposure),
                                "start": _d(first_day),
                                "end": _d(end.last_day),
                            },
                            link="/outbreak/mine/",
                        )
        locked.save()
        audit_record(
            actor=actor.user,
            government=locked.government_id,
            action="update",
            obj=locked,
            object_repr=f"contact of case #{locked.case_id}",
            changes={"status": [ContactProposal.Status.PROPOSED, locked.status]},
        )
    return locked
