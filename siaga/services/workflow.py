"""The application state machine (DOMAIN.md §6): which move is allowed from each state, and who makes it.

Every move goes through ``transition``: it locks the application's row, checks the move and the
party, applies the move's effects (the receipt number and the time limit at registration, the decision
and closing times), records the step in the application's history and the audit log, and tells the
applicant. Moves made by other parts of the system after their own checks (signing, delivery) pass
``system=True``.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from siaga.core.access import Actor, Perm
from siaga.core.calendar import add_working_days
from siaga.core.services import audit_record, notify
from siaga.services.models import Application, ApplicationEvent, Status


class Party(StrEnum):
    """Who may make a move."""

    APPLICANT = "applicant"  # the citizen who applied
    OFFICER = "officer"  # a service officer of the providing unit (or its head)
    SIGNER = "signer"  # the signing official or their Plh/Plt (``siaga.services.documents``)
    SYSTEM = "system"  # only other services, after their own checks (signing, delivery, download)


S = Status

#: from-state → {to-state: party}
TRANSITIONS: dict[str, dict[str, Party]] = {
    S.SUBMITTED: {
        S.INCOMPLETE: Party.OFFICER,
        S.REGISTERED: Party.OFFICER,
        S.REJECTED: Party.OFFICER,
        S.CANCELLED: Party.APPLICANT,
    },
    S.INCOMPLETE: {S.RESUBMITTED: Party.APPLICANT, S.CANCELLED: Party.APPLICANT},
    S.RESUBMITTED: {
        S.INCOMPLETE: Party.OFFICER,
        S.REGISTERED: Party.OFFICER,
        S.REJECTED: Party.OFFICER,
        S.CANCELLED: Party.APPLICANT,
    },
    S.REGISTERED: {S.IN_REVIEW: Party.OFFICER, S.CANCELLED: Party.APPLICANT},
    S.IN_REVIEW: {
        S.FIELD_CHECK: Party.OFFICER,
        S.RECOMMENDED: Party.OFFICER,
        S.REJECTED: Party.OFFICER,
        S.CANCELLED: Party.APPLICANT,
    },
    S.FIELD_CHECK: {S.RECOMMENDED: Party.OFFICER, S.REJECTED: Party.OFFICER, S.CANCELLED: Party.APPLICANT},
    S.RECOMMENDED: {
        S.AWAITING_PAYMENT: Party.OFFICER,
        S.AWAITING_SIGNATURE: Party.OFFICER,
        S.IN_REVIEW: Party.OFFICER,
        S.CANCELLED: Party.APPLICANT,
    },
    S.AWAITING_PAYMENT: {S.AWAITING_SIGNATURE: Party.OFFICER, S.CANCELLED: Party.APPLICANT},
    S.AWAITING_SIGNATURE: {S.SIGNED: Party.SIGNER, S.IN_REVIEW: Party.SIGNER, S.REJECTED: Party.SIGNER},
    S.SIGNED: {S.ISSUED: Party.SYSTEM},
    S.ISSUED: {S.DELIVERED: Party.SYSTEM, S.PICKED_UP: Party.OFFICER},
    S.DELIVERED: {S.CLOSED: Party.SYSTEM},
    S.PICKED_UP: {S.CLOSED: Party.SYSTEM},
}

#: states in which the application is with the office (the time limit runs)
OPEN_IN_OFFICE = frozenset(
    {S.REGISTERED, S.IN_REVIEW, S.FIELD_CHECK, S.RECOMMENDED, S.AWAITING_PAYMENT, S.AWAITING_SIGNATURE}
)
#: states the applicant may still withdraw from
WITHDRAWABLE = frozenset(s for s, moves in TRANSITIONS.items() if S.CANCELLED in moves)
FINAL = frozenset({S.CLOSED, S.REJECTED, S.CANCELLED})
#: moves that need a note saying why (shown to the applicant)
NOTE_REQUIRED = frozenset({S.INCOMPLETE, S.REJECTED})


def allowed_moves(application: Application) -> dict[str, Party]:
    return dict(TRANSITIONS.get(application.status, {}))


def is_applicant(actor: Actor | None, application: Application) -> bool:
    return bool(
        actor is not None
        and actor.is_authenticated
        and actor.government_id == application.government_id
        and actor.has_perm(Perm.APPLY)
        and application.citizen.user_id == actor.user_id
    )


def is_officer(actor: Actor | None, application: Application) -> bool:
    """A service officer of the providing unit, or the head (or Plh/Plt) of a unit above it."""
    from siaga.core.access import office_unit_ids

    if actor is None or not actor.is_authenticated or actor.government_id != application.government_id:
        return False
    if application.unit_id in actor.managed_unit_ids:
        return True
    return actor.has_perm(Perm.PROCESS_APPLICATIONS) and application.unit_id in office_unit_ids(actor)


def may_move(actor: Actor | None, application: Application, to: str) -> bool:
    """Whether ``actor`` may make this move now (for showing buttons; ``transition`` checks again)."""
    party = TRANSITIONS.get(application.status, {}).get(to)
    if party == Party.APPLICANT:
        return is_applicant(actor, application)
    if party == Party.OFFICER:
        return is_officer(actor, application)
    return False


def _label(status: str) -> str:
    return str(Status(status).label)


def transition(
    *,
    application: Application,
    to: str,
    actor: Actor | None,
    note: str = "",
    public: bool = True,
    system: bool = False,
    changes: dict[str, Any] | None = None,
) -> Application:
    """Move ``application`` to ``to``. ``system`` is for other services that made their own checks
    (``actor`` is then recorded if given). ``changes`` are further fields to set in the same write.

    Refused (``ValidationError``, nothing written) when the move is not allowed from the current state
    or its conditions do not hold; ``PermissionDenied`` when the actor is not the party of the move."""
    note = (note or "").strip()
    if to not in Status.values:
        raise ValidationError(_("Unknown status: %(status)s.") % {"status": to})
    with transaction.atomic():
        app = Application.objects.select_for_update().select_related("service", "citizen__user").get(pk=application.pk)
        party = TRANSITIONS.get(app.status, {}).get(to)
        if party is None:
            raise ValidationError(
                _("An application that is “%(current)s” cannot become “%(new)s”; reload the page to see its state.")
                % {"current": _label(app.status), "new": _label(to)}
            )
        if not system:
            if party == Party.APPLICANT and not is_applicant(actor, app):
                raise PermissionDenied(_("Only the applicant may do this."))
            if party == Party.OFFICER and not is_officer(actor, app):
                raise PermissionDenied(_("Only an officer of the providing unit may do this."))
            if party in (Party.SIGNER, Party.SYSTEM):
                raise PermissionDenied(_("This step is taken by signing or delivering the document."))
        for field, value in (changes or {}).items():
            setattr(app, field, value)
        _check_conditions(app, to, note)
        before = app.status
        now = timezone.now()
        _apply_effects(app, to, now)
        app.status = to
        if public and note:
            app.status_note = note
        elif to not in NOTE_REQUIRED and public:
            app.status_note = ""
        app.save()
        user = getattr(actor, "user", None) if actor is not None else None
        ApplicationEvent.objects.create(
            government_id=app.government_id,
            application=app,
            from_status=before,
            to_status=to,
            actor=user if getattr(user, "pk", None) else None,
            actor_label=(getattr(user, "get_full_name", lambda: "")() or getattr(user, "username", "") or "")[:150]
            if user
            else _("System"),
            note=note,
            public=public,
        )
        audit_record(
            actor=user,
            government=app.government_id,
            action="update",
            obj=app,
            changes={"status": [before, to], **({"note": note} if note else {})},
        )
        if public:
            notify_applicant(app, note=note)
    application.refresh_from_db()
    return application


def _check_conditions(app: Application, to: str, note: str) -> None:
    if to in NOTE_REQUIRED and not note:
        if to == S.INCOMPLETE:
            raise ValidationError(
                {"note": _("Say which documents are missing or wrong, so the applicant can fix them.")}
            )
        raise ValidationError({"note": _("Give the reason for the rejection; the applicant will read it.")})
    if len(note) > 2000:
        raise ValidationError({"note": _("Keep the note under 2,000 characters.")})
    if app.status == S.RECOMMENDED and to == S.AWAITING_SIGNATURE and app.fee_amount > 0:
        raise ValidationError(_("This service has a fee: issue the bill (SKRD) first."))
    if to == S.AWAITING_PAYMENT and app.fee_amount <= 0:
        raise ValidationError(_("This application has no fee to pay; send it for signature."))
    if app.status == S.AWAITING_PAYMENT and to == S.AWAITING_SIGNATURE and app.paid_at is None:
        raise ValidationError(_("The payment has not been recorded yet."))
    if to == S.FIELD_CHECK and not app.service.field_check:
        raise ValidationError(_("This service has no field check."))


def _apply_effects(app: Application, to: str, now: dt.datetime) -> None:
    if to == S.REGISTERED:
        today = timezone.localdate(now)
        app.registered_at = now
        app.receipt_number = f"{app.service.code.upper()}/{today.year}/{app.pk:06d}"
        app.due_on = add_working_days(app.government, today, app.service.sla_days)
    if to in (S.SIGNED, S.REJECTED):
        app.decided_at = now
    if to in FINAL:
        app.closed_at = now


def notify_applicant(app: Application, *, note: str = "") -> None:
    """Tell the applicant the new state (in-app, e-mail, WhatsApp), in Indonesian."""
    from django.urls import reverse

    with override("id"):
        subject = _("Application %(reference)s: %(status)s") % {
            "reference": app.reference,
            "status": _label(app.status),
        }
        body = _("Your application for %(service)s is now “%(status)s”.") % {
            "service": app.service.name,
            "status": _label(app.status),
        }
        if note:
            body += "\n\n" + note
    notify(
        user=app.citizen.user,
        government=app.government,
        subject=subject,
        body=body,
        link=reverse("portal:application", args=[app.reference]),
    )
