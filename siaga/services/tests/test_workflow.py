"""The application state machine: who may make each move, its conditions and its effects."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from siaga.core.calendar import add_working_days
from siaga.core.models import AuditEvent, Notification
from siaga.services import selectors
from siaga.services.models import Application, Status
from siaga.services.workflow import TRANSITIONS, WITHDRAWABLE, Party, may_move, transition

pytestmark = pytest.mark.django_db


def test_every_state_but_the_final_ones_has_a_way_out() -> None:
    final = {Status.CLOSED, Status.REJECTED, Status.CANCELLED}
    assert set(TRANSITIONS) == set(Status.values) - final
    reachable = {Status.SUBMITTED} | {to for moves in TRANSITIONS.values() for to in moves}
    assert reachable == set(Status.values)
    assert Status.SIGNED not in WITHDRAWABLE and Status.SUBMITTED in WITHDRAWABLE


def test_registration_gives_a_receipt_and_a_due_date_in_working_days(
    desk: dict, make_application: Any, actor_of: Any, settings: Any
) -> None:
    settings.WHATSAPP_TOKEN, settings.WHATSAPP_PHONE_NUMBER_ID = "token", "123"
    app = make_application(desk["pbg"], desk["budi"])
    officer = actor_of(desk["users"]["officer"])
    transition(application=app, to=Status.REGISTERED, actor=officer)
    app.refresh_from_db()
    today = timezone.localdate()
    assert app.receipt_number == f"PBG/{today.year}/{app.pk:06d}"
    assert app.due_on == add_working_days(desk["government"], today, 10)
    assert app.due_on >= today + dt.timedelta(days=14)  # ten working days span two weekends at least
    event = app.events.get()
    assert (event.from_status, event.to_status, event.actor_id) == (
        Status.SUBMITTED,
        Status.REGISTERED,
        officer.user_id,
    )
    assert AuditEvent.objects.filter(object_type="services.application", object_id=str(app.pk)).exists()
    # the applicant is told, in Indonesian, in the app and by e-mail
    notice = Notification.objects.get(recipient=desk["budi"].user, channel=Notification.Channel.IN_APP)
    assert app.reference in notice.subject
    email = Notification.objects.get(recipient=desk["budi"].user, channel=Notification.Channel.EMAIL)
    assert email.address == desk["budi"].user.email
    whatsapp = Notification.objects.get(recipient=desk["budi"].user, channel=Notification.Channel.WHATSAPP)
    assert whatsapp.address == "6281300000001"  # from the citizen record


def test_incomplete_needs_a_note_and_the_applicant_resubmits(desk: dict, make_application: Any, actor_of: Any) -> None:
    app = make_application(desk["pbg"], desk["budi"])
    officer, budi = actor_of(desk["users"]["officer"]), actor_of(desk["budi"].user)
    with pytest.raises(ValidationError) as err:
        transition(application=app, to=Status.INCOMPLETE, actor=officer)
    assert "missing" in str(err.value)
    transition(application=app, to=Status.INCOMPLETE, actor=officer, note="Gambar rencana tidak terbaca.")
    assert app.status_note == "Gambar rencana tidak terbaca."
    with pytest.raises(PermissionDenied):  # only the applicant resubmits
        transition(application=app, to=Status.RESUBMITTED, actor=officer)
    with pytest.raises(PermissionDenied):  # and only their own application
        transition(application=app, to=Status.RESUBMITTED, actor=actor_of(desk["siti"].user))
    transition(application=app, to=Status.RESUBMITTED, actor=budi)
    assert app.status == Status.RESUBMITTED and app.status_note == ""


def test_officers_of_another_opd_and_plain_staff_are_refused(
    desk: dict, make_application: Any, make_user: Any, actor_of: Any
) -> None:
    app = make_application(desk["pbg"], desk["budi"])
    for user in (desk["users"]["staff"], desk["users"]["health"], desk["users"]["other_staff"], desk["siti"].user):
        with pytest.raises(PermissionDenied):
            transition(application=app, to=Status.REGISTERED, actor=actor_of(user))
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED and not app.events.exists()


def test_a_fee_must_be_billed_and_paid_before_signature(desk: dict, make_application: Any, actor_of: Any) -> None:
    officer = actor_of(desk["users"]["officer"])
    app = make_application(desk["pbg"], desk["budi"], status=Status.RECOMMENDED)
    with pytest.raises(ValidationError, match="bill"):
        transition(application=app, to=Status.AWAITING_SIGNATURE, actor=officer)
    transition(application=app, to=Status.AWAITING_PAYMENT, actor=officer, changes={"bill_number": "SKRD-1"})
    with pytest.raises(ValidationError, match="payment"):
        transition(application=app, to=Status.AWAITING_SIGNATURE, actor=officer)
    transition(
        application=app,
        to=Status.AWAITING_SIGNATURE,
        actor=officer,
        changes={"paid_at": timezone.now(), "payment_reference": "BPD-9"},
    )
    assert app.status == Status.AWAITING_SIGNATURE and app.payment_reference == "BPD-9"
    free = make_application(desk["usaha"], desk["budi"], status=Status.RECOMMENDED)
    with pytest.raises(ValidationError, match="no fee"):
        transition(application=free, to=Status.AWAITING_PAYMENT, actor=officer)


def test_signing_and_delivery_steps_are_not_open_to_people(desk: dict, make_application: Any, actor_of: Any) -> None:
    app = make_application(desk["usaha"], desk["budi"], status=Status.AWAITING_SIGNATURE)
    head = actor_of(desk["users"]["head"])
    assert TRANSITIONS[Status.AWAITING_SIGNATURE][Status.SIGNED] == Party.SIGNER
    with pytest.raises(PermissionDenied):
        transition(application=app, to=Status.SIGNED, actor=head)
    transition(application=app, to=Status.SIGNED, actor=head, system=True)
    assert app.status == Status.SIGNED and app.decided_at is not None


def test_a_move_from_a_stale_state_is_refused(desk: dict, make_application: Any, actor_of: Any) -> None:
    app = make_application(desk["usaha"], desk["budi"])
    stale = Application.objects.get(pk=app.pk)
    officer = actor_of(desk["users"]["officer"])
    transition(application=app, to=Status.REGISTERED, actor=officer)
    with pytest.raises(ValidationError, match="cannot become"):
        transition(application=stale, to=Status.INCOMPLETE, actor=officer, note="x")
    assert Application.objects.get(pk=app.pk).status == Status.REGISTERED


def test_withdrawal_closes_the_application(desk: dict, make_application: Any, actor_of: Any) -> None:
    app = make_application(desk["usaha"], desk["budi"], status=Status.IN_REVIEW)
    budi = actor_of(desk["budi"].user)
    assert may_move(budi, app, Status.CANCELLED) and not may_move(budi, app, Status.REJECTED)
    transition(application=app, to=Status.CANCELLED, actor=budi, note="Tidak jadi membangun.")
    assert app.status == Status.CANCELLED and app.closed_at is not None


def test_scope_citizen_officer_head_admin(
    desk: dict, make_application: Any, actor_of: Any, make_unit: Any, make_employee: Any, make_user: Any
) -> None:
    mine = make_application(desk["usaha"], desk["budi"])
    theirs = make_application(desk["usaha"], desk["siti"])
    users = desk["users"]
    assert set(selectors.applications(actor_of(desk["budi"].user))) == {mine}
    assert set(selectors.applications(actor_of(users["officer"]))) == {mine, theirs}
    assert set(selectors.applications(actor_of(users["head"]))) == {mine, theirs}
    assert set(selectors.applications(actor_of(users["admin"]))) == {mine, theirs}
    for name in ("staff", "health", "other_staff"):
        assert not selectors.applications(actor_of(users[name])).exists(), name
    # an officer of another OPD sees none of DPMPTSP's
    capil = make_unit(desk["government"], "DISDUKCAPIL", "dinas", name="Dispendukcapil")
    from siaga.core.models import Role

    other_officer = make_user("petugascapil", (desk["government"], Role.SERVICE_OFFICER))
    make_employee(capil, "Petugas Capil", user=other_officer)
    assert not selectors.applications(actor_of(other_officer)).exists()
