"""Back office writes: taking and assigning applications, the officer's moves (bill, payment, field report),
reassignment when an officer becomes unavailable, and the time-limit warnings.

Every status change goes through ``siaga.services.workflow.transition``. Every function accepts
``actor=None`` for the system (periodic jobs, the demo).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from siaga.core.access import Actor, Perm, office_unit_ids
from siaga.core.calendar import add_working_days, working_days
from siaga.core.models import Government, Role, RoleAssignment
from siaga.core.services import audit_record, notify
from siaga.org.models import Employee, Unit
from siaga.services import workflow
from siaga.services.models import Application, ApplicationEvent, Status

logger = logging.getLogger(__name__)

S = Status
#: new applications waiting for an officer to check them
NEW = frozenset({S.SUBMITTED, S.RESUBMITTED})
#: an officer's open work: everything not final, not waiting on the applicant and not yet signed
OPEN_WORK = frozenset(
    {
        S.SUBMITTED,
        S.RESUBMITTED,
        S.REGISTERED,
        S.IN_REVIEW,
        S.FIELD_CHECK,
        S.RECOMMENDED,
        S.AWAITING_PAYMENT,
        S.AWAITING_SIGNATURE,
        S.SIGNED,
        S.ISSUED,
    }
)
#: states in which the time limit runs (registered, not waiting on the applicant, not decided yet)
CLOCK_RUNS = frozenset({S.REGISTERED, S.IN_REVIEW, S.FIELD_CHECK, S.RECOMMENDED, S.AWAITING_SIGNATURE})


# ---------------------------------------------------------------------------------------------------
# Officers and their load


def opd_unit_ids(unit: Unit) -> frozenset[int]:
    """The units of the OPD ``unit`` belongs to (its top-level unit and everything below it)."""
    from siaga.org.selectors import unit_descendant_ids, unit_parent_map

    parents = unit_parent_map(government_id=unit.government_id)
    top, seen = unit.pk, set()
    while (parent := parents.get(top)) is not None and top not in seen:
        seen.add(top)
        top = parent
    return unit_descendant_ids(government_id=unit.government_id, unit_ids=[top])


def officers_for(unit: Unit) -> list[Employee]:
    """The service officers of the OPD that provides services through ``unit`` (active employees whose
    account holds the service officer role in the government)."""
    officer_users = RoleAssignment.objects.filter(
        government_id=unit.government_id, role=Role.SERVICE_OFFICER, user__is_active=True
    ).values("user_id")
    return list(
        Employee.objects.filter(
            government_id=unit.government_id,
            unit_id__in=opd_unit_ids(unit),
            is_active=True,
            user_id__in=officer_users,
        ).order_by("name", "pk")
    )


def is_available(employee: Employee, day: dt.date | None = None) -> bool:
    """Whether the employee can work on ``day`` (no leave, travel, isolation or quarantine)."""
    from siaga.rostering.selectors import unavailability

    return unavailability(employee_id=employee.pk, day=day or timezone.localdate()) is None


def loads(employee_ids: Iterable[int]) -> dict[int, int]:
    """How many open applications each officer holds."""
    ids = list(employee_ids)
    counts = dict(
        Application.objects.filter(assigned_to_id__in=ids, status__in=OPEN_WORK)
        .values_list("assigned_to_id")
        .annotate(n=Count("pk"))
        .values_list("assigned_to_id", "n")
    )
    return {pk: counts.get(pk, 0) for pk in ids}


def least_loaded(candidates: list[Employee], *, extra: dict[int, int] | None = None) -> Employee | None:
    if not candidates:
        return None
    counts = loads(c.pk for c in candidates)
    for pk, n in (extra or {}).items():
        if pk in counts:
            counts[pk] += n
    return min(candidates, key=lambda e: (counts[e.pk], e.name, e.pk))


def _actor_employee(actor: Actor | None) -> Employee | None:
    if actor is None or not actor.employee_id:
        return None
    return Employee.objects.filter(pk=actor.employee_id).first()


def _user(actor: Actor | None) -> Any:
    return getattr(actor, "user", None) if actor is not None else None


def _internal_event(app: Application, *, actor: Actor | None, note: str) -> ApplicationEvent:
    """A step in the history that only the office sees (assignments)."""
    user = _user(actor)
    return ApplicationEvent.objects.create(
        government_id=app.government_id,
        application=app,
        from_status=app.status,
        to_status=app.status,
        actor=user if getattr(user, "pk", None) else None,
        actor_label=((user.get_full_name() or user.username) if user else _("System"))[:150],
        note=note,
        public=False,
    )


def _tell_officer(app: Application, officer: Employee, body: str) -> None:
    if officer.user_id is None:
        return
    with override(settings.LANGUAGE_CODE):
        subject = _("Application %(reference)s assigned to you") % {"reference": app.reference}
    notify(
        user=officer.user,
        government=app.government,
        subject=subject,
        body=body,
        link=reverse("services:application", args=[app.pk]),
    )


def _set_officer(app: Application, officer: Employee, *, actor: Actor | None, note: str) -> None:
    before = app.assigned_to_id
    app.assigned_to = officer
    app.save(update_fields=["assigned_to", "updated_at"])
    _internal_event(app, actor=actor, note=note)
    audit_record(
        actor=_user(actor),
        government=app.government_id,
        action="update",
        obj=app,
        changes={"assigned_to": [before, officer.pk]},
    )


# ---------------------------------------------------------------------------------------------------
# Take, assign


def application_take(*, application: Application, actor: Actor) -> Application:
    """A service officer takes an unassigned application of their OPD. Two officers taking the same one
    at once: the second is told who has it."""
    if not actor.is_authenticated or not actor.has_perm(Perm.PROCESS_APPLICATIONS) or not actor.employee_id:
        raise PermissionDenied(_("Only a service officer may take applications."))
    with transaction.atomic():
        app = Application.objects.select_for_update().get(pk=application.pk)
        if app.unit_id not in office_unit_ids(actor):
            raise PermissionDenied(_("This application belongs to another OPD."))
        if app.status in workflow.FINAL:
            raise ValidationError(_("This application is closed; there is nothing left to take."))
        if app.assigned_to_id == actor.employee_id:
            raise ValidationError(_("You already handle this application."))
        if app.assigned_to_id is not None:
            holder = Employee.objects.get(pk=app.assigned_to_id)
            raise ValidationError(
                _("%(name)s already handles this application; ask the head of the unit to reassign it.")
                % {"name": holder.name}
            )
        officer = Employee.objects.get(pk=actor.employee_id)
        _set_officer(app, officer, actor=actor, note=_("Taken by %(name)s.") % {"name": officer.name})
    application.refresh_from_db()
    return application


def may_assign(actor: Actor | None, application: Application) -> bool:
    """The head of the providing unit (or a unit above it), or their Plh/Plt, assigns and reassigns."""
    return bool(
        actor is not None
        and actor.is_authenticated
        and actor.government_id == application.government_id
        and application.unit_id in actor.managed_unit_ids
    )


def application_assign(
    *, application: Application, officer: Employee, actor: Actor | None, note: str = ""
) -> Application:
    """Assign (or reassign) an application to a service officer of the providing OPD who is available
    today. ``actor=None`` is the system."""
    if actor is not None and not may_assign(actor, application):
        raise PermissionDenied(_("Only the head of the unit (or their Plh/Plt) assigns applications."))
    with transaction.atomic():
        app = Application.objects.select_for_update().select_related("unit").get(pk=application.pk)
        if app.status in workflow.FINAL:
            raise ValidationError(_("This application is closed; it cannot be assigned."))
        if officer.pk not in {o.pk for o in officers_for(app.unit)}:
            raise ValidationError({"officer": _("Choose a service officer of this OPD.")})
        if not is_available(officer):
            raise ValidationError(
                {"officer": _("%(name)s is unavailable today; choose another officer.") % {"name": officer.name}}
            )
        if app.assigned_to_id == officer.pk:
            raise ValidationError({"officer": _("%(name)s already handles this application.") % {"name": officer.name}})
        text = _("Assigned to %(name)s.") % {"name": officer.name}
        if note.strip():
            text += " " + note.strip()
        _set_officer(app, officer, actor=actor, note=text)
        _tell_officer(
            app,
            officer,
            _("The application %(reference)s (%(service)s) was assigned to you.")
            % {"reference": app.reference, "service": app.service.name},
        )
    application.refresh_from_db()
    return application


def auto_assign_new(*, government: Government | None = None, today: dt.date | None = None) -> int:
    """Give every unassigned new application to the least loaded available officer of its OPD.
    Idempotent (a periodic job); returns how many were assigned."""
    today = today or timezone.localdate()
    pending = Application.objects.filter(assigned_to__isnull=True, status__in=NEW).select_related("unit", "service")
    if government is not None:
        pending = pending.filter(government=government)
    assigned = 0
    officers_by_opd: dict[int, list[Employee]] = {}
    for app in pending.order_by("submitted_at", "pk")[:500]:
        if app.unit_id not in officers_by_opd:
            officers_by_opd[app.unit_id] = [o for o in officers_for(app.unit) if is_available(o, today)]
        officer = least_loaded(officers_by_opd[app.unit_id])
        if officer is None:
            continue
        with transaction.atomic():
            locked = Application.objects.select_for_update().get(pk=app.pk)
            if locked.assigned_to_id is not None or locked.status not in NEW:
                continue
            _set_officer(locked, officer, actor=None, note=_("Assigned to %(name)s.") % {"name": officer.name})
            _tell_officer(
                locked,
                officer,
                _("The application %(reference)s (%(service)s) was assigned to you.")
                % {"reference": locked.reference, "service": app.service.name},
            )
        assigned += 1
    return assigned


def reassign_unavailable(*, employee: Employee, today: dt.date | None = None) -> int:
    """Hand the open applications of an officer who is unavailable today to the available officers of the
    same unit (least loaded first), recorded as internal steps that say only "unavailable", never why.
    Does nothing while the officer is available. Returns how many were moved."""
    today = today or timezone.localdate()
    if is_available(employee, today):
        return 0
    held = list(
        Application.objects.filter(assigned_to=employee, status__in=OPEN_WORK)
        .select_related("unit", "service")
        .order_by("due_on", "submitted_at", "pk")
    )
    if not held:
        return 0
    moved = 0
    extra: dict[int, int] = {}
    pools: dict[int, list[Employee]] = {}
    for app in held:
        if app.unit_id not in pools:
            pools[app.unit_id] = [o for o in officers_for(app.unit) if o.pk != employee.pk and is_available(o, today)]
        officer = least_loaded(pools[app.unit_id], extra=extra)
        if officer is None:
            logger.warning("no available officer to take over application %s", app.pk)
            continue
        with transaction.atomic():
            locked = Application.objects.select_for_update().get(pk=app.pk)
            if locked.assigned_to_id != employee.pk or locked.status not in OPEN_WORK:
                continue
            _set_officer(
                locked,
                officer,
                actor=None,
                note=_("Reassigned to %(name)s: %(previous)s is unavailable.")
                % {"name": officer.name, "previous": employee.name},
            )
            _tell_officer(
                locked,
                officer,
                _("The application %(reference)s (%(service)s) was handed to you because its officer is unavailable.")
                % {"reference": locked.reference, "service": app.service.name},
            )
        extra[officer.pk] = extra.get(officer.pk, 0) + 1
        moved += 1
    return moved


def reassign_unavailable_all(*, today: dt.date | None = None) -> int:
    """The safety net of ``reassign_unavailable``: every officer holding open applications who is
    unavailable today (periodic job, idempotent)."""
    today = today or timezone.localdate()
    holders = Employee.objects.filter(
        pk__in=Application.objects.filter(status__in=OPEN_WORK, assigned_to__isnull=False).values("assigned_to_id")
    )
    return sum(reassign_unavailable(employee=e, today=today) for e in holders if not is_available(e, today))


def on_absence_recorded(*, employee_id: int) -> None:
    """Called once an absence commits (``siaga.rostering.services.absence_set``): reassign today's work of
    an officer who is now unavailable. Never fails the caller."""
    try:
        employee = Employee.objects.filter(pk=employee_id).first()
        if employee is not None:
            reassign_unavailable(employee=employee)
    except Exception:
        logger.exception("reassigning the applications of employee %s failed", employee_id)


# ---------------------------------------------------------------------------------------------------
# The officer's moves


def _require_officer(actor: Actor | None, app: Application) -> None:
    if actor is not None and not workflow.is_officer(actor, app):
        raise PermissionDenied(_("Only an officer of the providing unit may do this."))


def application_mark_incomplete(
    *, application: Application, actor: Actor | None, missing: list[str], note: str = ""
) -> Application:
    """Return the application to the applicant, naming the missing or wrong requirements."""
    _require_officer(actor, application)
    names = {r.get("code"): r.get("name", r.get("code")) for r in application.service.requirements or []}
    unknown = [code for code in missing if code not in names]
    if unknown:
        raise ValidationError({"missing": _("Choose requirements of this service.")})
    if not missing and not note.strip():
        raise ValidationError({"missing": _("Say which requirement is missing or wrong.")})
    parts = []
    if missing:
        parts.append(_("Missing or wrong: %(names)s.") % {"names": ", ".join(names[c] for c in missing)})
    if note.strip():
        parts.append(note.strip())
    return workflow.transition(application=application, to=S.INCOMPLETE, actor=actor, note=" ".join(parts))


def application_record_field_report(*, application: Application, actor: Actor | None, report: str) -> Application:
    """Finish the field check with the officer's report (internal) and recommend the application."""
    _require_officer(actor, application)
    if application.status != S.FIELD_CHECK:
        raise ValidationError(_("The application is not in the field check."))
    if not report.strip():
        raise ValidationError({"note": _("Write what the field check found.")})
    return workflow.transition(
        application=application,
        to=S.RECOMMENDED,
        actor=actor,
        note=_("Field report: %(report)s") % {"report": report.strip()},
        public=False,
    )


def next_bill_number(unit: Unit, year: int) -> str:
    """The next SKRD number of ``unit`` in ``year``; call inside a transaction that locked the unit row."""
    prefix = f"SKRD/{unit.code}/{year}/"
    last = (
        Application.objects.filter(government_id=unit.government_id, bill_number__startswith=prefix)
        .order_by("-bill_number")
        .values_list("bill_number", flat=True)
        .first()
    )
    serial = int(last.rsplit("/", 1)[1]) + 1 if last else 1
    return f"{prefix}{serial:05d}"


def application_issue_bill(*, application: Application, actor: Actor | None) -> Application:
    """Issue the bill (SKRD) for the service's fee: a number per unit and year; the application then
    waits for the payment (the time limit stops meanwhile)."""
    _require_officer(actor, application)
    with transaction.atomic():
        app = Application.objects.select_for_update().select_related("service").get(pk=application.pk)
        if app.fee_amount <= 0:
            raise ValidationError(_("This application has no fee to pay; send it for signature."))
        unit = Unit.objects.select_for_update().get(pk=app.unit_id)
        number = next_bill_number(unit, timezone.localdate().year)
        note = _("Bill %(number)s issued: Rp %(amount)s.") % {
            "number": number,
            "amount": f"{app.fee_amount:,.0f}".replace(",", "."),
        }
        workflow.transition(
            application=app, to=S.AWAITING_PAYMENT, actor=actor, note=note, changes={"bill_number": number}
        )
    application.refresh_from_db()
    return application


def _billed_on(app: Application) -> dt.date | None:
    event = (
        app.events.filter(to_status=S.AWAITING_PAYMENT).exclude(from_status=S.AWAITING_PAYMENT).order_by("-at").first()
    )
    return timezone.localdate(event.at) if event else None


def application_record_payment(
    *, application: Application, actor: Actor | None, reference: str, paid_on: dt.date
) -> Application:
    """Record the payment of the bill; the application goes for signature. The working days spent waiting
    for the payment are added back to the due date."""
    _require_officer(actor, application)
    reference = (reference or "").strip()
    errors = {}
    if not reference:
        errors["reference"] = _("Enter the payment reference from the bank or the cashier's receipt.")
    elif len(reference) > 100:
        errors["reference"] = _("Keep the payment reference under 100 characters.")
    today = timezone.localdate()
    if paid_on is None:
        errors["paid_on"] = _("Enter the date of the payment.")
    elif paid_on > today:
        errors["paid_on"] = _("The payment date cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        app = Application.objects.select_for_update().get(pk=application.pk)
        billed = _billed_on(app)
        if billed is not None and paid_on < billed:
            raise ValidationError({"paid_on": _("The payment date comes before the bill was issued.")})
        changes: dict[str, Any] = {
            "payment_reference": reference,
            "paid_at": timezone.make_aware(dt.datetime.combine(paid_on, dt.time(12, 0))),
        }
        if app.due_on and billed is not None:
            waited = len(list(working_days(app.government, billed + dt.timedelta(days=1), today)))
            if waited:
                changes["due_on"] = add_working_days(app.government, app.due_on, waited)
                changes["sla_warned_on"] = None
        workflow.transition(
            application=app,
            to=S.AWAITING_SIGNATURE,
            actor=actor,
            note=_("Payment received (reference %(reference)s).") % {"reference": reference},
            changes=changes,
        )
    application.refresh_from_db()
    return application


def application_move(*, application: Application, to: str, actor: Actor | None, note: str = "") -> Application:
    """The officer's plain moves (register, start review, field check, recommend, reject, send for
    signature without a fee, hand over at the counter). Moves with their own data have their own functions."""
    if to == S.AWAITING_PAYMENT:
        return application_issue_bill(application=application, actor=actor)
    if to == S.RECOMMENDED and application.status == S.FIELD_CHECK:
        return application_record_field_report(application=application, actor=actor, report=note)
    if to == S.AWAITING_SIGNATURE and application.status == S.AWAITING_PAYMENT:
        raise ValidationError(_("Record the payment to send the application for signature."))
    if to == S.PICKED_UP:
        # the counter hand-over closes the application at once
        with transaction.atomic():
            workflow.transition(application=application, to=S.PICKED_UP, actor=actor, note=note)
            return workflow.transition(application=application, to=S.CLOSED, actor=actor, system=True)
    with transaction.atomic():
        workflow.transition(application=application, to=to, actor=actor, note=note, system=actor is None)
        if to == S.REGISTERED and actor is not None and actor.employee_id and actor.has_perm(Perm.PROCESS_APPLICATIONS):
            # registering an unassigned application makes the officer its handler
            Application.objects.filter(pk=application.pk, assigned_to__isnull=True).update(
                assigned_to_id=actor.employee_id
            )
    application.refresh_from_db()
    return application


# ---------------------------------------------------------------------------------------------------
# Time limit


def working_days_left(government: Government, due_on: dt.date | None, today: dt.date | None = None) -> int | None:
    """Working days from today to the due date (0 on the due date; negative when overdue)."""
    if due_on is None:
        return None
    today = today or timezone.localdate()
    if due_on >= today:
        return len(list(working_days(government, today + dt.timedelta(days=1), due_on)))
    return -len(list(working_days(government, due_on + dt.timedelta(days=1), today)))


def sla_warnings_send(*, today: dt.date | None = None) -> int:
    """Warn the assigned officer and the unit's head ``SERVICE_SLA_WARNING_DAYS`` working days before the
    due date, and again when it has passed; once each (``sla_warned_on``). Idempotent; returns how many
    warnings went out."""
    from siaga.org.selectors import unit_authorities

    today = today or timezone.localdate()
    days = settings.SERVICE_SLA_WARNING_DAYS
    sent = 0
    candidates = (
        Application.objects.filter(status__in=CLOCK_RUNS, due_on__isnull=False)
        .filter(Q(sla_warned_on__isnull=True) | Q(sla_warned_on__lte=F("due_on")))
        .select_related("government", "unit", "service", "assigned_to__user")
    )
    for app in candidates.order_by("due_on", "pk")[:2000]:
        due = app.due_on
        left = working_days_left(app.government, due, today)
        if due is None or left is None:
            continue
        breached = today > due
        if breached:
            if app.sla_warned_on is not None and app.sla_warned_on > due:
                continue
        elif left > days or app.sla_warned_on is not None:
            continue
        with transaction.atomic():
            locked = Application.objects.select_for_update().get(pk=app.pk)
            if locked.sla_warned_on == today or locked.due_on != due:
                continue
            locked.sla_warned_on = today
            locked.save(update_fields=["sla_warned_on", "updated_at"])
            people = {e.user_id: e.user for e in unit_authorities(unit=app.unit, on=today) if e.user_id}
            if app.assigned_to is not None and app.assigned_to.user_id:
                people[app.assigned_to.user_id] = app.assigned_to.user
            with override(settings.LANGUAGE_CODE):
                if breached:
                    subject = _("Application %(reference)s is past its time limit") % {"reference": app.reference}
                else:
                    subject = _("Application %(reference)s is due in %(days)s working days") % {
                        "reference": app.reference,
                        "days": left,
                    }
                body = _("%(service)s, due %(due)s.") % {"service": app.service.name, "due": due.isoformat()}
            for user in people.values():
                notify(
                    user=user,
                    government=app.government,
                    subject=subject,
                    body=body,
                    link=reverse("services:application", args=[app.pk]),
                )
        sent += 1
    return sent
