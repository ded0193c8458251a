"""The one authority check (can_act) and the rules for appointing Plh/Plt."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from siaga.core.models import AuditEvent
from siaga.org import services
from siaga.org.authority import STRATEGIC_ACTIONS, Action, can_act
from siaga.org.models import Delegation

TODAY = dt.date(2020, 10, 5)


@pytest.fixture
def plh(org):
    """The head of DPMPTSP is isolated; the head of Bidang Pelayanan stands in as Plh."""
    return services.delegation_create(
        government=org["government"],
        kind="plh",
        unit=org["dinas"],
        official=org["kadis"],
        acting=org["kabid"],
        start=TODAY - dt.timedelta(days=2),
        end=TODAY + dt.timedelta(days=11),
        letter_number="800/123/2020",
        reason="Kepala dinas menjalani isolasi",
        actor=org["users"]["admin"],
    )


def test_the_head_of_a_unit_may_take_any_decision_for_it_and_the_units_below(org):
    for action in Action:
        assert can_act(org["kadis"], action, org["dinas"], on=TODAY)
        assert can_act(org["kadis"], action, org["pelayanan"], on=TODAY)
    answer = can_act(org["kadis"], Action.APPOINT_STAFF, org["pelayanan"], on=TODAY)
    assert answer.basis == "official"
    assert answer.reason == "Kepala Dinas heads DPMPTSP."


def test_the_head_of_a_bidang_has_no_authority_over_the_dinas_or_another_bidang(org):
    refused = can_act(org["kabid"], Action.APPROVE_LEAVE, org["dinas"], on=TODAY)
    assert not refused
    assert refused.reason == "Kepala Bidang is neither the head of DPMPTSP nor its acting official on 05-10-2020."
    assert not can_act(org["kabid"], Action.APPROVE_LEAVE, org["umum"], on=TODAY)
    assert can_act(org["kabid"], Action.APPROVE_LEAVE, org["pelayanan"], on=TODAY)


def test_a_plain_employee_may_not_act(org):
    assert not can_act(org["staff"], Action.APPROVE_TRAVEL, org["pelayanan"], on=TODAY)


def test_a_plh_may_take_routine_decisions_but_not_strategic_ones(org, plh):
    routine = set(Action) - STRATEGIC_ACTIONS
    for action in routine:
        answer = can_act(org["kabid"], action, org["dinas"], on=TODAY)
        assert answer.allowed, action
        assert answer.basis == "plh"
        assert answer.delegation_id == plh.pk
    for action in STRATEGIC_ACTIONS:
        answer = can_act(org["kabid"], action, org["dinas"], on=TODAY)
        assert not answer.allowed, action
        assert "SE BKN 1/SE/I/2021" in answer.reason
    # The Plh's authority reaches the units below the post too.
    assert can_act(org["kabid"], Action.SIGN_SERVICE_DECISION, org["umum"], on=TODAY)


def test_a_plh_has_no_authority_outside_the_appointment_period(org, plh):
    assert not can_act(org["kabid"], Action.APPROVE_LEAVE, org["dinas"], on=plh.start - dt.timedelta(days=1))
    assert not can_act(org["kabid"], Action.APPROVE_LEAVE, org["dinas"], on=plh.end + dt.timedelta(days=1))
    assert can_act(org["kabid"], Action.APPROVE_LEAVE, org["dinas"], on=plh.end)


def test_a_revoked_appointment_gives_no_authority(org, plh):
    services.delegation_revoke(delegation=plh, actor=org["users"]["admin"])
    assert not can_act(org["kabid"], Action.APPROVE_LEAVE, org["dinas"], on=TODAY)
    with pytest.raises(ValidationError):
        services.delegation_revoke(delegation=plh, actor=org["users"]["admin"])


def test_no_authority_across_governments(org, other_government, make_unit):
    foreign = make_unit(other_government, "DPMPTSP", "dinas")
    answer = can_act(org["kadis"], Action.APPROVE_LEAVE, foreign, on=TODAY)
    assert not answer
    assert answer.reason == "Kepala Dinas does not work for this government."


def test_appointing_a_plh_is_audit_logged(org, plh):
    event = AuditEvent.objects.get(object_type="org.delegation", object_id=str(plh.pk))
    assert event.action == "create"
    assert event.actor == org["users"]["admin"]
    assert event.changes["kind"] == "plh"
    assert event.changes["acting"] == org["kabid"].nip


def _create(org, **overrides):
    params = dict(
        government=org["government"],
        kind="plh",
        unit=org["dinas"],
        official=org["kadis"],
        acting=org["kabid"],
        start=TODAY,
        end=TODAY + dt.timedelta(days=30),
    )
    params.update(overrides)
    return services.delegation_create(**params)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"end": TODAY - dt.timedelta(days=1)}, "end", "The end date comes before the start date."),
        (
            {"end": TODAY + dt.timedelta(days=95)},
            "end",
            "An appointment lasts at most 3 months (until 04-01-2021); extend it afterwards if needed.",
        ),
        ({"official": None}, "official", "A Plh stands in for an official: choose the official who is absent."),
        (
            {"kind": "plt", "official": None},
            "kind",
            "The post is held by Kepala Dinas; a Plt is for a vacant post. Appoint a Plh while the official is absent.",
        ),
    ],
)
def test_it_refuses_an_appointment_that_breaks_the_rules(org, overrides, field, message):
    with pytest.raises(ValidationError) as excinfo:
        _create(org, **overrides)
    assert excinfo.value.message_dict[field] == [message]
    assert Delegation.objects.count() == 0


def test_a_plh_must_replace_the_actual_head(org):
    with pytest.raises(ValidationError) as excinfo:
        _create(org, official=org["staff"], acting=org["kabid"])
    assert excinfo.value.message_dict["official"] == ["Staf Pelayanan does not head DPMPTSP; the head is Kepala Dinas."]


def test_the_acting_official_cannot_be_the_absent_official(org):
    with pytest.raises(ValidationError) as excinfo:
        _create(org, acting=org["kadis"])
    assert excinfo.value.message_dict["acting"] == ["The acting official cannot be the absent official."]


def test_a_plt_fills_a_vacant_post(org):
    org["kadis"].position = None
    org["kadis"].save()
    delegation = _create(org, kind="plt", official=None)
    assert delegation.official is None
    assert can_act(org["kabid"], Action.APPROVE_TRAVEL, org["dinas"], on=TODAY).basis == "plt"
    assert not can_act(org["kabid"], Action.APPROVE_BUDGET, org["dinas"], on=TODAY)


def test_two_acting_officials_for_one_post_cannot_overlap(org):
    _create(org)
    with pytest.raises(ValidationError) as excinfo:
        _create(org, acting=org["staff"], start=TODAY + dt.timedelta(days=10), end=TODAY + dt.timedelta(days=40))
    assert excinfo.value.message_dict["start"] == [
        "Kepala Bidang already acts for DPMPTSP from 05-10-2020 to 04-11-2020."
    ]


def test_an_appointment_may_be_extended_once_by_another_term(org):
    first = _create(org, end=TODAY + dt.timedelta(days=60))
    second_start = first.end + dt.timedelta(days=1)
    second = _create(org, start=second_start, end=second_start + dt.timedelta(days=60), extends=first)
    assert second.extends == first
    third_start = second.end + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as excinfo:
        _create(org, start=third_start, end=third_start + dt.timedelta(days=10), extends=second)
    assert excinfo.value.message_dict["extends"] == [
        "The term has already been extended once; appoint a definitive official."
    ]


def test_an_extension_must_follow_the_previous_term_directly(org):
    first = _create(org)
    with pytest.raises(ValidationError) as excinfo:
        _create(org, start=first.end + dt.timedelta(days=3), end=first.end + dt.timedelta(days=20), extends=first)
    assert excinfo.value.message_dict["start"] == [
        "An extension starts the day after the previous term ends (05-11-2020)."
    ]
