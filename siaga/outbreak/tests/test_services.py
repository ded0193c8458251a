"""Case registry services: history, lab results, proposals the task force confirms, orders and their effects."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from siaga.core.models import AuditEvent, Notification
from siaga.outbreak import services
from siaga.outbreak.models import Case, ClassificationChange, Order, RuleSet
from siaga.outbreak.tests.conftest import days_ago
from siaga.rostering.models import Absence

pytestmark = pytest.mark.django_db


def at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def test_creating_and_classifying_keep_the_full_history(org, task_force):
    case = services.case_create(
        actor=task_force, employee=org["staff"], classification="suspect", onset_date=days_ago(4)
    )
    services.case_classify(actor=task_force, case=case, to="probable", note="pneumonia")
    case.refresh_from_db()
    rows = list(ClassificationChange.objects.filter(case=case).order_by("pk"))
    assert [(r.from_value, r.to_value) for r in rows] == [("", "suspect"), ("suspect", "probable")]
    assert rows[1].changed_by == org["users"]["health"] and rows[1].note == "pneumonia"
    assert case.classification == "probable"
    assert AuditEvent.objects.filter(object_type="outbreak.case", object_id=str(case.pk), action="update").exists()


def test_outcome_is_kept_apart_from_classification(org, task_force, staff_case):
    assert staff_case.outcome == "ongoing"
    services.case_classify(actor=task_force, case=staff_case, to="isolation_finished")
    staff_case.refresh_from_db()
    assert (staff_case.classification, staff_case.outcome) == ("isolation_finished", "recovered")


def test_bad_input_is_refused_with_what_to_fix_and_nothing_is_written(org, task_force):
    with pytest.raises(ValidationError) as exc:
        services.case_create(actor=task_force, classification="confirmed_symptomatic", employee=org["staff"])
    assert exc.value.message_dict == {"onset_date": ["A symptomatic case needs the date of symptom onset."]}
    with pytest.raises(ValidationError) as exc:
        services.case_create(actor=task_force, classification="suspect")
    assert "employee" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.case_create(
            actor=task_force, classification="close_contact", visitor_name="Budi", last_exposure=days_ago(-1)
        )
    assert exc.value.message_dict == {"last_exposure": ["This date is in the future."]}
    assert not Case.objects.exists()


def test_a_second_open_case_for_the_same_person_is_refused(org, task_force, staff_case):
    with pytest.raises(ValidationError) as exc:
        services.case_create(actor=task_force, employee=org["staff"], classification="suspect")
    assert exc.value.message_dict["employee"] == ["This person already has an open case; update that one."]


def test_visitors_are_recorded_by_name(task_force):
    case = services.case_create(
        actor=task_force, classification="close_contact", visitor_name="Ibu Sari", last_exposure=days_ago(2)
    )
    assert case.person_name == "Ibu Sari" and case.employee is None


def test_only_the_task_force_writes(org, actor_of, staff_case):
    for who in ("admin", "head", "kabid", "staff", "officer"):
        actor = actor_of(org["users"][who])
        with pytest.raises(PermissionDenied):
            services.case_classify(actor=actor, case=staff_case, to="isolation_finished")
        with pytest.raises(PermissionDenied):
            services.case_create(actor=actor, classification="suspect", visitor_name="X")


def test_a_positive_pcr_is_proposed_but_only_the_task_force_confirms(org, task_force):
    case = services.case_create(actor=task_force, employee=org["staff"], classification="suspect")
    services.lab_result_add(
        actor=task_force,
        case=case,
        kind="rt_pcr",
        specimen_taken_at=at(days_ago(2), 9),
        result_date=days_ago(1),
        result="positive",
    )
    case.refresh_from_db()
    assert case.classification == "suspect"
    proposals = services.case_proposals(case=case)
    assert [(p.kind, p.to) for p in proposals] == [("classification", "confirmed_asymptomatic")]
    services.case_classify(actor=task_force, case=case, to=proposals[0].to, note=proposals[0].reason)
    case.refresh_from_db()
    assert (case.classification, case.specimen_date) == ("confirmed_asymptomatic", days_ago(2))


def test_two_negative_pcrs_propose_discarding_a_suspect(org, task_force):
    case = services.case_create(actor=task_force, employee=org["staff"], classification="suspect")
    for taken, result in ((at(days_ago(4), 8), days_ago(3)), (at(days_ago(3), 10), days_ago(2))):
        services.lab_result_add(
            actor=task_force, case=case, kind="rt_pcr", specimen_taken_at=taken, result_date=result, result="negative"
        )
    assert [p.to for p in services.case_proposals(case=case)] == ["discarded"]


def test_a_confirmed_case_gets_its_isolation_end_then_the_finished_proposal(org, task_force, staff_case):
    proposals = services.case_proposals(case=staff_case)
    assert [(p.kind, p.last_day) for p in proposals] == [("isolation_end", days_ago(3) + dt.timedelta(days=10))]
    later = services.case_proposals(case=staff_case, on=days_ago(3) + dt.timedelta(days=11))
    assert [p.to for p in later if p.kind == "classification"] == ["isolation_finished"]


def test_a_contact_who_completed_quarantine_is_proposed_discarded(task_force):
    case = services.case_create(
        actor=task_force, classification="close_contact", visitor_name="Pak Joko", last_exposure=days_ago(15)
    )
    proposals = services.case_proposals(case=case)
    assert [(p.kind, p.last_day) for p in proposals if p.kind == "quarantine_end"] == [("quarantine_end", days_ago(1))]
    assert [p.to for p in proposals if p.kind == "classification"] == ["discarded"]


def test_a_government_may_adopt_the_later_rules_from_a_date(task_force):
    preset = RuleSet.objects.get(code="kmk-4641-2021", government=None)
    adopted = services.rule_set_adopt(actor=task_force, preset=preset, effective_from=days_ago(30))
    assert services.rule_set_for(government_id=task_force.government_id, on=days_ago(1)) == adopted
    assert services.rule_set_for(government_id=task_force.government_id, on=days_ago(31)).code == "kmk-413-2020"
    case = services.case_create(
        actor=task_force, classification="close_contact", visitor_name="Pak Joko", last_exposure=days_ago(5)
    )
    end = [p.last_day for p in services.case_proposals(case=case) if p.kind == "quarantine_end"]
    assert end == [days_ago(5) + dt.timedelta(days=10)]


def test_an_isolation_order_makes_the_person_absent_and_tells_the_head_only_unavailable(org, task_force, staff_case):
    order = services.order_issue(actor=task_force, case=staff_case, kind="isolation", start=days_ago(3))
    assert order.end == days_ago(3) + dt.timedelta(days=10)
    absence = Absence.objects.get(source=f"outbreak.order:{order.pk}")
    assert (absence.employee, absence.start, absence.end, absence.reason) == (
        org["staff"],
        order.start,
        order.end,
        "isolation",
    )
    own = Notification.objects.filter(recipient=org["users"]["staff"], channel="in_app").get()
    assert "isolation" in own.body and order.end.strftime("%Y") in own.body
    to_head = Notification.objects.filter(recipient=org["users"]["kabid"], channel="in_app").get()
    assert "Staf Pelayanan is unavailable from" in to_head.body
    for word in ("isolation", "quarantine", "case", "covid", "positive"):
        assert word not in (to_head.subject + to_head.body).lower()


def test_an_acting_plh_is_told_too_and_a_head_in_isolation_is_reported_to_the_unit_above(
    org, task_force, staff_case, make_employee, make_user
):
    from siaga.org.models import Delegation

    today = timezone.localdate()
    plh_user = make_user("plh.pelayanan")
    plh = make_employee(org["pelayanan"], "Plh Pelayanan", user=plh_user)
    Delegation.objects.create(
        government=org["government"],
        kind=Delegation.Kind.PLH,
        unit=org["pelayanan"],
        official=org["kabid"],
        acting=plh,
        start=today,
        end=today + dt.timedelta(days=10),
    )
    services.order_issue(actor=task_force, case=staff_case, kind="isolation", start=days_ago(3))
    told = {n.recipient for n in Notification.objects.filter(channel="in_app", subject="Staff availability")}
    assert told == {org["users"]["kabid"], plh_user}
    Notification.objects.all().delete()
    head_case = services.case_create(
        actor=task_force, employee=org["kabid"], classification="confirmed_asymptomatic", specimen_date=days_ago(2)
    )
    services.order_issue(actor=task_force, case=head_case, kind="isolation", start=days_ago(2))
    told = {n.recipient for n in Notification.objects.filter(channel="in_app", subject="Staff availability")}
    # The Plh still answers for the bidang; the head's own head is not needed then.
    assert told == {plh_user}
    # Without an acting official, the head's availability goes to the head of the unit above.
    Notification.objects.all().delete()
    Delegation.objects.all().delete()
    services.order_end(actor=task_force, order=head_case.orders.get(), last_day=today)
    notes = Notification.objects.filter(channel="in_app", subject="Staff availability")
    assert [n.recipient for n in notes] == [org["users"]["head"]]
    assert notes.get().body.startswith("Kepala Bidang is unavailable from")  # the moved last day


def test_an_order_that_overlaps_one_in_force_is_refused(task_force, staff_case):
    services.order_issue(actor=task_force, case=staff_case, kind="isolation", start=days_ago(3))
    with pytest.raises(ValidationError) as exc:
        services.order_issue(actor=task_force, case=staff_case, kind="isolation", start=days_ago(1))
    assert "start" in exc.value.message_dict
    assert Order.objects.count() == 1


def test_quarantine_is_for_close_contacts_only(task_force, staff_case):
    with pytest.raises(ValidationError) as exc:
        services.order_issue(actor=task_force, case=staff_case, kind="quarantine", start=days_ago(1))
    assert exc.value.message_dict == {"kind": ["Quarantine is ordered for close contacts."]}


def test_ending_an_order_early_moves_the_absence_and_lifting_clears_it(org, task_force, staff_case):
    order = services.order_issue(actor=task_force, case=staff_case, kind="isolation", start=days_ago(3))
    services.order_end(actor=task_force, order=order, last_day=days_ago(1))
    assert Absence.objects.get(source=order.source).end == days_ago(1)
    services.order_end(actor=task_force, order=Order.objects.get(pk=order.pk), last_day=None)
    assert not Absence.objects.filter(source=order.source).exists()
    order.refresh_from_db()
    assert order.status == "lifted" and order.lifted_at is not None
    with pytest.raises(ValidationError):
        services.order_end(actor=task_force, order=order, last_day=None)
    head_notes = Notification.objects.filter(recipient=org["users"]["kabid"], channel="in_app").order_by("pk")
    assert head_notes.last().body == "Staf Pelayanan is available again."


def test_under_an_isolation_order_attendance_refuses_an_office_check_in(org, task_force, staff_case):
    from decimal import Decimal

    from siaga.attendance.services import check_in
    from siaga.org.models import Building

    building = Building.objects.create(
        government=org["government"],
        code="mw",
        name="Menara Wijaya",
        latitude=Decimal("-7.68"),
        longitude=Decimal("110.84"),
    )
    staff = org["staff"]
    staff.building = building
    staff.save(update_fields=["building"])
    services.order_issue(actor=task_force, case=staff_case, kind="isolation", start=days_ago(3))
    with pytest.raises(ValidationError) as exc:
        check_in(employee=staff, mode="wfo", latitude=-7.68, longitude=110.84)
    assert "You are in isolation today" in " ".join(exc.value.messages)
    assert check_in(employee=staff, mode="wfh").mode == "wfh"


def test_the_national_presets_come_back_when_the_database_lost_them(task_force):
    RuleSet.objects.all().delete()
    rule_set = services.rule_set_for(government_id=task_force.government_id, on=days_ago(0))
    assert (rule_set.code, rule_set.quarantine_days) == ("kmk-413-2020", 14)
    assert set(RuleSet.objects.values_list("code", flat=True)) == {"kmk-413-2020", "kmk-4641-2021"}
