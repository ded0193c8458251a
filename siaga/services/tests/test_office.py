"""Back office services: take and assign, automatic assignment, hand-over when an officer becomes
unavailable, the bill and the payment, the field report, the time limit and its warnings."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from siaga.core.calendar import add_working_days
from siaga.core.models import Notification
from siaga.core.schedule import PERIODIC_JOBS
from siaga.services import services_office as svc
from siaga.services.models import Application, Status
from siaga.services.tests.test_office_fixtures import office  # noqa: F401
from siaga.services.workflow import transition

pytestmark = pytest.mark.django_db
S = Status


@pytest.fixture
def o(office: dict) -> dict:  # noqa: F811
    return office


def _assigned_to(app: Application) -> int | None:
    app.refresh_from_db()
    return app.assigned_to_id


def test_an_officer_takes_an_unassigned_application_and_a_second_taker_is_told_who_has_it(
    o: dict, make_application: Any, actor_of: Any
) -> None:
    app = make_application(o["pbg"], o["budi"])
    svc.application_take(application=app, actor=actor_of(o["users"]["officer"]))
    assert _assigned_to(app) == o["officer"].pk
    with pytest.raises(ValidationError) as err:
        svc.application_take(application=app, actor=actor_of(o["officer2"].user))
    assert "Petugas Front Office already handles this application" in err.value.messages[0]
    event = app.events.get()
    assert not event.public and "Taken by Petugas Front Office" in event.note
    with pytest.raises(PermissionDenied):
        svc.application_take(application=app, actor=actor_of(o["users"]["head"]))  # not a service officer
    other = make_application(o["pbg"], o["siti"])
    with pytest.raises(PermissionDenied):
        svc.application_take(application=other, actor=actor_of(o["other_officer"].user))  # another OPD


def test_the_head_and_their_plh_assign_only_available_officers_of_the_opd(
    o: dict, make_application: Any, actor_of: Any
) -> None:
    app = make_application(o["pbg"], o["budi"])
    head, plh = actor_of(o["users"]["head"]), actor_of(o["plh"].user)
    svc.application_assign(application=app, officer=o["officer2"], actor=head)
    assert _assigned_to(app) == o["officer2"].pk
    svc.application_assign(application=app, officer=o["officer"], actor=plh, note="Beban dibagi.")
    assert _assigned_to(app) == o["officer"].pk
    assert Notification.objects.filter(recipient=o["officer"].user, subject__contains=app.reference).exists()
    with pytest.raises(ValidationError) as err:
        svc.application_assign(application=app, officer=o["other_officer"], actor=head)
    assert err.value.message_dict["officer"] == ["Choose a service officer of this OPD."]
    with pytest.raises(PermissionDenied):
        svc.application_assign(application=app, officer=o["officer2"], actor=actor_of(o["users"]["officer"]))
    with pytest.raises(PermissionDenied):
        svc.application_assign(application=app, officer=o["officer2"], actor=actor_of(o["users"]["kabid"]))


def _isolate(employee: Any, django_capture_on_commit_callbacks: Any, days: int = 7) -> None:
    from siaga.rostering.services import absence_set

    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        absence_set(
            employee=employee,
            start=today,
            end=today + dt.timedelta(days=days),
            reason="isolation",
            source=f"outbreak.isolationorder:{employee.pk}",
        )


def test_new_applications_go_to_the_least_loaded_available_officer(
    o: dict, make_application: Any, actor_of: Any, django_capture_on_commit_callbacks: Any
) -> None:
    busy = make_application(o["usaha"], o["siti"], status=S.IN_REVIEW, assigned_to=o["officer"])
    first, second = make_application(o["pbg"], o["budi"]), make_application(o["usaha"], o["budi"])
    assert svc.auto_assign_new() == 2
    # officer2 held nothing; after the first they hold one each, so the tie goes by name
    assert _assigned_to(first) == o["officer2"].pk
    assert _assigned_to(second) == o["officer"].pk  # "Petugas Front Office" < "Petugas Kedua"
    assert svc.auto_assign_new() == 0  # idempotent
    # an unavailable officer gets nothing new
    _isolate(o["officer2"], django_capture_on_commit_callbacks)
    third = make_application(o["pbg"], o["siti"])
    svc.auto_assign_new()
    assert _assigned_to(third) == o["officer"].pk
    assert busy.pk


def test_an_isolated_officers_open_work_is_handed_over_without_saying_why(
    o: dict, make_application: Any, django_capture_on_commit_callbacks: Any
) -> None:
    held = [
        make_application(o["pbg"], o["budi"], status=S.IN_REVIEW, assigned_to=o["officer"]),
        make_application(o["usaha"], o["siti"], status=S.SUBMITTED, assigned_to=o["officer"]),
    ]
    closed = make_application(o["usaha"], o["budi"], status=S.CLOSED, assigned_to=o["officer"])
    _isolate(o["officer"], django_capture_on_commit_callbacks)
    for app in held:
        assert _assigned_to(app) == o["officer2"].pk
        event = app.events.get()
        assert not event.public
        assert "Petugas Front Office is unavailable" in event.note
        assert "isolation" not in event.note.lower() and "isolasi" not in event.note.lower()
    assert _assigned_to(closed) == o["officer"].pk
    told = Notification.objects.filter(recipient=o["officer2"].user, channel=Notification.Channel.IN_APP)
    assert told.count() == 2
    assert all("isolation" not in (n.body + n.subject).lower() for n in told)
    # the periodic safety net finds nothing left to move
    assert svc.reassign_unavailable_all() == 0


def test_the_safety_net_hands_over_work_of_an_officer_on_leave(o: dict, make_application: Any) -> None:
    from siaga.rostering.models import Leave

    app = make_application(o["pbg"], o["budi"], status=S.REGISTERED, assigned_to=o["officer2"])
    today = timezone.localdate()
    Leave.objects.create(
        government=o["government"],
        employee=o["officer2"],
        kind=Leave.Kind.ANNUAL if hasattr(Leave, "Kind") else "annual",
        start=today,
        end=today + dt.timedelta(days=2),
        status=Leave.Status.APPROVED,
    )
    assert svc.reassign_unavailable_all() == 1
    assert _assigned_to(app) == o["officer"].pk
    names = [job.name for job in PERIODIC_JOBS]
    assert {"services-auto-assign", "services-reassign-unavailable", "services-sla-warnings"} <= set(names)


def test_mark_incomplete_names_the_missing_requirement(o: dict, make_application: Any, actor_of: Any) -> None:
    app = make_application(o["pbg"], o["budi"])
    officer = actor_of(o["users"]["officer"])
    with pytest.raises(ValidationError) as err:
        svc.application_mark_incomplete(application=app, actor=officer, missing=[])
    assert err.value.message_dict["missing"] == ["Say which requirement is missing or wrong."]
    svc.application_mark_incomplete(application=app, actor=officer, missing=["gambar"], note="Skala tidak terbaca.")
    app.refresh_from_db()
    assert app.status == S.INCOMPLETE
    assert app.status_note == "Missing or wrong: Gambar rencana. Skala tidak terbaca."


def _to_recommended(app: Application, officer: Any) -> None:
    for to in (S.REGISTERED, S.IN_REVIEW):
        svc.application_move(application=app, to=to, actor=officer)


def test_the_bill_is_numbered_per_unit_and_year_and_payment_sends_it_for_signature(
    o: dict, make_application: Any, actor_of: Any
) -> None:
    officer = actor_of(o["users"]["officer"])
    year = timezone.localdate().year
    apps = [make_application(o["pbg"], o["budi"]), make_application(o["pbg"], o["siti"])]
    for app in apps:
        _to_recommended(app, officer)
        svc.application_move(application=app, to=S.FIELD_CHECK, actor=officer)
        with pytest.raises(ValidationError) as err:
            svc.application_move(application=app, to=S.RECOMMENDED, actor=officer, note=" ")
        assert err.value.message_dict["note"] == ["Write what the field check found."]
        svc.application_move(application=app, to=S.RECOMMENDED, actor=officer, note="Sesuai gambar.")
        svc.application_issue_bill(application=app, actor=officer)
    assert [a.bill_number for a in apps] == [f"SKRD/DPMPTSP/{year}/00001", f"SKRD/DPMPTSP/{year}/00002"]
    report = apps[0].events.get(to_status=S.RECOMMENDED)
    assert not report.public and "Sesuai gambar." in report.note
    app = apps[0]
    assert app.status == S.AWAITING_PAYMENT and app.fee_amount == 1500000
    assert app.registered_at is not None  # registering made the officer its handler
    assert app.assigned_to_id == o["officer"].pk
    with pytest.raises(ValidationError) as err:
        svc.application_move(application=app, to=S.AWAITING_SIGNATURE, actor=officer)
    assert "Record the payment" in err.value.messages[0]
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as err:
        svc.application_record_payment(application=app, actor=officer, reference="", paid_on=tomorrow)
    assert set(err.value.message_dict) == {"reference", "paid_on"}
    svc.application_record_payment(application=app, actor=officer, reference="BANK-0042", paid_on=timezone.localdate())
    assert app.status == S.AWAITING_SIGNATURE and app.payment_reference == "BANK-0042"
    with pytest.raises(ValidationError):  # a free service has no bill
        free = make_application(o["usaha"], o["budi"])
        _to_recommended(free, officer)
        svc.application_move(application=free, to=S.RECOMMENDED, actor=officer)
        svc.application_issue_bill(application=free, actor=officer)


def test_the_days_waiting_for_the_payment_are_added_to_the_due_date(
    o: dict, make_application: Any, actor_of: Any
) -> None:
    officer = actor_of(o["users"]["officer"])
    app = make_application(o["pbg"], o["budi"])
    _to_recommended(app, officer)
    svc.application_move(application=app, to=S.FIELD_CHECK, actor=officer)
    svc.application_move(application=app, to=S.RECOMMENDED, actor=officer, note="Sesuai.")
    svc.application_issue_bill(application=app, actor=officer)
    due = app.due_on
    # the bill went out ten calendar days ago
    event = app.events.get(to_status=S.AWAITING_PAYMENT)
    billed = timezone.localdate() - dt.timedelta(days=10)
    type(event).objects.filter(pk=event.pk).update(at=event.at - dt.timedelta(days=10))
    svc.application_record_payment(application=app, actor=officer, reference="BANK-7", paid_on=timezone.localdate())
    from siaga.core.calendar import working_days

    waited = len(list(working_days(o["government"], billed + dt.timedelta(days=1), timezone.localdate())))
    assert waited >= 6
    assert app.due_on == add_working_days(o["government"], due, waited)


def test_counter_handover_closes_the_application(o: dict, make_application: Any, actor_of: Any) -> None:
    app = make_application(o["usaha"], o["budi"], status=S.ISSUED, handover=Application.Handover.PICKUP)
    svc.application_move(application=app, to=S.PICKED_UP, actor=actor_of(o["users"]["officer"]))
    assert app.status == S.CLOSED and app.closed_at is not None
    assert list(app.events.values_list("to_status", flat=True)) == [S.PICKED_UP, S.CLOSED]


def test_sla_warnings_go_once_before_the_due_date_and_once_on_breach(
    o: dict, make_application: Any, actor_of: Any, settings: Any
) -> None:
    settings.SERVICE_SLA_WARNING_DAYS = 2
    app = make_application(o["usaha"], o["budi"], assigned_to=o["officer"])
    transition(application=app, to=S.REGISTERED, actor=actor_of(o["users"]["officer"]))
    gov = o["government"]
    due = app.due_on
    early = due - dt.timedelta(days=30)
    assert svc.sla_warnings_send(today=early) == 0
    # two working days before the due date
    warn_day = early
    while add_working_days(gov, warn_day, 2) < due:
        warn_day += dt.timedelta(days=1)
    assert svc.sla_warnings_send(today=warn_day) == 1
    assert svc.sla_warnings_send(today=warn_day) == 0
    officer_notes = Notification.objects.filter(recipient=o["officer"].user, channel=Notification.Channel.IN_APP)
    head_notes = Notification.objects.filter(recipient=o["users"]["head"], channel=Notification.Channel.IN_APP)
    plh_notes = Notification.objects.filter(recipient=o["plh"].user, channel=Notification.Channel.IN_APP)
    assert officer_notes.filter(subject__contains="is due in").count() == 1
    assert head_notes.count() == 1 and plh_notes.count() == 1
    late = due + dt.timedelta(days=1)
    assert svc.sla_warnings_send(today=late) == 1
    assert svc.sla_warnings_send(today=late + dt.timedelta(days=1)) == 0
    assert officer_notes.filter(subject__contains="past its time limit").count() == 1
    assert svc.working_days_left(gov, due, today=due) == 0
    assert svc.working_days_left(gov, due, today=late) <= 0


def test_an_isolation_order_from_the_task_force_hands_the_officers_work_over(
    o: dict, make_application: Any, actor_of: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from siaga.outbreak import services as outbreak

    app = make_application(o["pbg"], o["budi"], status=S.IN_REVIEW, assigned_to=o["officer"])
    task_force = actor_of(o["users"]["health"])
    case = outbreak.case_create(
        actor=task_force,
        employee=o["officer"],
        classification="confirmed_asymptomatic",
        specimen_date=timezone.localdate() - dt.timedelta(days=1),
    )
    with django_capture_on_commit_callbacks(execute=True):
        outbreak.order_issue(
            actor=task_force, case=case, kind="isolation", start=timezone.localdate() - dt.timedelta(days=1)
        )
    assert _assigned_to(app) == o["officer2"].pk
    event = app.events.get()
    assert event.note == "Reassigned to Petugas Kedua: Petugas Front Office is unavailable."
    # the head sees the hand-over on the application page without the reason
    from django.test import Client

    client = Client()
    client.force_login(o["users"]["head"])
    body = client.get(f"/services/permohonan/{app.pk}/").content.decode().lower()
    assert "is unavailable" in body and "isolation" not in body and "confirmed" not in body
    assert "petugas front office (not available)" in body  # the assignment list says so, and no more
