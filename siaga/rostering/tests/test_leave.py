"""Leave (cuti): requests, and decisions by the head or an acting official only."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from siaga.core.models import AuditEvent
from siaga.org.models import Delegation
from siaga.rostering import services
from siaga.rostering.models import Leave

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 12, 1)


def request_leave(employee, start=dt.date(2026, 12, 7), end=dt.date(2026, 12, 9)):
    return services.leave_request(employee=employee, start=start, end=end, kind="annual", actor=None)


def test_the_head_of_the_unit_approves_leave_and_the_decision_is_logged(org):
    leave = request_leave(org["staff"])
    services.leave_decide(leave=leave, approver=org["kabid"], approve=True, actor=org["users"]["kabid"], on=DAY)
    leave.refresh_from_db()
    assert (leave.status, leave.decided_by, leave.days()) == ("approved", org["kabid"], 3)
    event = AuditEvent.objects.get(object_type="rostering.leave", action="update")
    assert event.changes == {"status": ["requested", "approved"], "basis": "official", "decided_by": org["kabid"].nip}


def test_the_head_of_the_unit_above_may_decide_too(org):
    leave = request_leave(org["staff"])
    services.leave_decide(leave=leave, approver=org["kadis"], approve=False, note="Pelayanan ramai", actor=None, on=DAY)
    leave.refresh_from_db()
    assert (leave.status, leave.decision_note) == ("refused", "Pelayanan ramai")


def test_a_plh_may_approve_leave(org):
    Delegation.objects.create(
        government=org["government"],
        kind="plh",
        unit=org["pelayanan"],
        official=org["kabid"],
        acting=org["staff"],
        start=DAY,
        end=dt.date(2026, 12, 31),
    )
    leave = request_leave(org["staff_umum"])
    with pytest.raises(ValidationError):
        services.leave_decide(leave=leave, approver=org["staff"], approve=True, actor=None, on=DAY)
    colleague = request_leave(org["kabid"])
    services.leave_decide(leave=colleague, approver=org["staff"], approve=True, actor=None, on=DAY)
    assert Leave.objects.get(pk=colleague.pk).status == "approved"


def test_a_peer_is_refused_with_the_authority_reason(org):
    leave = request_leave(org["staff"])
    with pytest.raises(ValidationError) as exc:
        services.leave_decide(leave=leave, approver=org["staff_umum"], approve=True, actor=None, on=DAY)
    assert exc.value.messages == [
        f"{org['staff_umum'].name} is neither the head of Bidang Pelayanan nor its acting official on 01-12-2026."
    ]
    assert Leave.objects.get(pk=leave.pk).status == "requested"


def test_nobody_decides_on_their_own_leave_and_a_decision_is_final(org):
    own = request_leave(org["kabid"])
    with pytest.raises(ValidationError) as exc:
        services.leave_decide(leave=own, approver=org["kabid"], approve=True, actor=None, on=DAY)
    assert exc.value.messages == ["Nobody decides on their own leave; ask the head above you."]
    services.leave_decide(leave=own, approver=org["kadis"], approve=True, actor=None, on=DAY)
    with pytest.raises(ValidationError) as again:
        services.leave_decide(leave=own, approver=org["kadis"], approve=False, actor=None, on=DAY)
    assert again.value.messages == ["This leave was already approved."]


def test_overlapping_leave_is_refused_and_a_refused_one_frees_the_days(org):
    first = request_leave(org["staff"])
    with pytest.raises(ValidationError) as exc:
        request_leave(org["staff"], start=dt.date(2026, 12, 9), end=dt.date(2026, 12, 10))
    assert exc.value.message_dict == {
        "start": ["These days overlap leave from 07-12-2026 to 09-12-2026; change or withdraw it first."]
    }
    services.leave_decide(leave=first, approver=org["kabid"], approve=False, actor=None, on=DAY)
    second = request_leave(org["staff"], start=dt.date(2026, 12, 9), end=dt.date(2026, 12, 10))
    assert second.status == "requested"


def test_a_leave_ending_before_it_starts_is_refused(org):
    with pytest.raises(ValidationError) as exc:
        request_leave(org["staff"], start=dt.date(2026, 12, 9), end=dt.date(2026, 12, 8))
    assert exc.value.message_dict == {"end": ["The end date comes before the start date."]}
