"""Policy copies, selections by date and the dated situation."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from siaga.core.models import AuditEvent, Government
from siaga.rostering import services
from siaga.rostering.models import WorkPolicy
from siaga.rostering.problem import policy_in_effect, situations_in_period

pytestmark = pytest.mark.django_db


def preset(code):
    return WorkPolicy.objects.get(government=None, code=code)


def test_a_copy_keeps_the_presets_rules_and_a_second_copy_gets_its_own_code(government):
    first = services.policy_copy_for_government(government=government, preset=preset("se-menpanrb-65-2020"), actor=None)
    second = services.policy_copy_for_government(
        government=government, preset=preset("se-menpanrb-65-2020"), actor=None
    )
    assert (first.code, second.code) == ("se-menpanrb-65-2020", "se-menpanrb-65-2020-2")
    assert (first.cap_rows, first.shifts, first.min_shift_gap_minutes) == (
        [{"level": "*", "sector": "*", "region": "*", "cap": 0.5}],
        [{"id": "pagi", "start": "07:30", "end": "11:30"}, {"id": "siang", "start": "14:30", "end": "18:00"}],
        180,
    )
    assert first.copied_from == preset("se-menpanrb-65-2020")
    assert AuditEvent.objects.filter(object_type="rostering.workpolicy", action="create").count() == 2


def test_a_preset_is_never_changed_and_a_copy_is_never_copied(government):
    with pytest.raises(ValidationError) as exc:
        services.policy_update(policy=preset("se-menpanrb-67-2020"), actor=None, cohorts_default=3)
    assert exc.value.messages == ["A national preset cannot be changed; copy it first."]
    copy = services.policy_copy_for_government(government=government, preset=preset("se-menpanrb-67-2020"), actor=None)
    with pytest.raises(ValidationError):
        services.policy_copy_for_government(government=government, preset=copy, actor=None)


def test_a_cap_outside_zero_and_one_is_refused(government):
    copy = services.policy_copy_for_government(government=government, preset=preset("se-menpanrb-67-2020"), actor=None)
    rows = [dict(row) for row in copy.cap_rows]
    rows[0]["cap"] = 1.2
    with pytest.raises(ValidationError) as exc:
        services.policy_update(policy=copy, actor=None, cap_rows=rows)
    assert exc.value.message_dict == {"cap_rows": ["Row 1: the cap must be from 0 to 1, not 1.2."]}


def test_meeting_and_lateness_rules_are_edited_on_the_copy_and_checked(government):
    copy = services.policy_copy_for_government(government=government, preset=preset("se-menpanrb-67-2020"), actor=None)
    assert (copy.in_person_meeting_priorities, copy.late_tolerance_minutes) == (["sangat_mendesak"], 15)
    with pytest.raises(ValidationError) as exc:
        services.policy_update(policy=copy, actor=None, in_person_meeting_priorities=["urgent"])
    assert exc.value.message_dict == {
        "in_person_meeting_priorities": ["Choose among routine, important and very urgent."]
    }
    copy.refresh_from_db()
    assert copy.in_person_meeting_priorities == ["sangat_mendesak"]
    services.policy_update(
        policy=copy, actor=None, in_person_meeting_priorities=["penting", "sangat_mendesak"], late_tolerance_minutes=0
    )
    copy.refresh_from_db()
    assert (copy.in_person_meeting_priorities, copy.late_tolerance_minutes) == (["penting", "sangat_mendesak"], 0)


def test_the_policy_in_effect_follows_the_selection_dates(government, other_government):
    zone = services.policy_copy_for_government(
        government=government, preset=preset("se-menpanrb-67-2020"), actor=None, select_from=dt.date(2026, 1, 1)
    )
    ppkm = services.policy_copy_for_government(
        government=government, preset=preset("se-menpanrb-06-2022"), actor=None, select_from=dt.date(2026, 7, 1)
    )
    assert policy_in_effect(government=government, on=dt.date(2025, 12, 31)) is None
    assert policy_in_effect(government=government, on=dt.date(2026, 6, 30)) == zone
    assert policy_in_effect(government=government, on=dt.date(2026, 7, 1)) == ppkm
    with pytest.raises(ValidationError):
        services.policy_select(government=other_government, policy=zone, effective_from=dt.date(2026, 1, 1), actor=None)


def test_java_bali_defaults_from_the_region_code_and_can_be_overridden(government):
    solok = Government.objects.create(code="13.11", name="Kabupaten Solok Selatan", kind="kabupaten")
    assert (
        services.situation_set(government=solok, effective_from=dt.date(2026, 1, 1), ppkm_level=3, actor=None).java_bali
        is False
    )
    assert (
        services.situation_set(
            government=government, effective_from=dt.date(2026, 1, 1), ppkm_level=3, actor=None
        ).java_bali
        is True
    )
    moved = services.situation_set(
        government=government, effective_from=dt.date(2026, 1, 1), ppkm_level=2, java_bali=False, actor=None
    )
    assert (moved.ppkm_level, moved.java_bali) == (2, False)
    with pytest.raises(ValidationError) as exc:
        services.situation_set(government=government, effective_from=dt.date(2026, 2, 1), actor=None)
    assert exc.value.messages == ["Give the risk zone, the PPKM level or both."]


def test_the_situations_of_a_period_are_the_one_in_force_and_the_later_ones(government):
    for day, zone in [(dt.date(2026, 1, 1), "low"), (dt.date(2026, 12, 1), "medium"), (dt.date(2026, 12, 15), "high")]:
        services.situation_set(government=government, effective_from=day, risk_zone=zone, actor=None)
    found = situations_in_period(government=government, start=dt.date(2026, 12, 10), end=dt.date(2026, 12, 31))
    assert [(s.effective_from, s.risk_zone) for s in found] == [
        (dt.date(2026, 12, 1), "medium"),
        (dt.date(2026, 12, 15), "high"),
    ]
