"""The rule sets against worked examples of KMK 413/2020 and the 2021 quarantine rules."""

from __future__ import annotations

import datetime as dt

import pytest

from siaga.outbreak import rules
from siaga.outbreak.models import RuleSet

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def kmk413() -> RuleSet:
    return RuleSet.objects.get(government=None, code="kmk-413-2020")


@pytest.fixture
def later() -> RuleSet:
    return RuleSet.objects.get(government=None, code="kmk-4641-2021")


def pcr(taken: str, result: str, positive: bool = False, kind: str = "rt_pcr") -> rules.Test:
    return rules.Test(
        kind=kind,
        specimen_taken_at=dt.datetime.fromisoformat(taken),
        result_date=D.fromisoformat(result),
        positive=positive,
    )


def test_the_migration_loads_kmk_413_as_the_default_and_the_2021_rules_beside_it(kmk413, later):
    assert kmk413.is_default and not later.is_default
    assert (kmk413.isolation_days_asymptomatic, kmk413.isolation_days_symptomatic, kmk413.symptom_free_days) == (
        10,
        10,
        3,
    )
    assert (kmk413.quarantine_days, kmk413.quarantine_test_day) == (14, None)
    assert (later.quarantine_days, later.quarantine_test_day) == (10, 5)
    assert kmk413.effective_from == D(2020, 7, 13)


def test_asymptomatic_isolation_is_ten_days_from_the_specimen(kmk413):
    end = rules.isolation_last_day(kmk413, symptomatic=False, onset=None, specimen=D(2020, 8, 1), symptoms_ended=None)
    assert end == rules.EndProposal(D(2020, 8, 11))
    assert rules.isolation_last_day(kmk413, symptomatic=False, onset=None, specimen=None, symptoms_ended=None) is None


def test_symptomatic_isolation_short_illness_is_ten_days_plus_three_without_symptoms(kmk413):
    # KMK 413 example: symptoms for 5 days -> 10 + 3 = 13 days from onset.
    end = rules.isolation_last_day(
        kmk413, symptomatic=True, onset=D(2020, 8, 1), specimen=D(2020, 8, 2), symptoms_ended=D(2020, 8, 5)
    )
    assert end == rules.EndProposal(D(2020, 8, 14))


def test_symptomatic_isolation_long_illness_is_the_symptom_days_plus_three(kmk413):
    # KMK 413 example: symptoms for 14 days -> 14 + 3 = 17 days from onset.
    end = rules.isolation_last_day(
        kmk413, symptomatic=True, onset=D(2020, 8, 1), specimen=D(2020, 8, 2), symptoms_ended=D(2020, 8, 15)
    )
    assert end == rules.EndProposal(D(2020, 8, 18))


def test_symptomatic_isolation_while_symptoms_last_is_only_an_earliest_date(kmk413):
    end = rules.isolation_last_day(kmk413, symptomatic=True, onset=D(2020, 8, 1), specimen=None, symptoms_ended=None)
    assert end == rules.EndProposal(D(2020, 8, 14), provisional=True)


def test_quarantine_is_fourteen_days_from_the_last_exposure_under_kmk_413(kmk413):
    negative_day_5 = pcr("2020-08-06T09:00", "2020-08-07")
    assert rules.quarantine_last_day(kmk413, last_exposure=D(2020, 8, 1), tests=[negative_day_5]) == rules.EndProposal(
        D(2020, 8, 15)
    )


def test_later_rules_quarantine_ten_days_or_until_a_negative_test_from_day_five(later):
    exposure = D(2021, 7, 1)
    assert rules.quarantine_last_day(later, last_exposure=exposure, tests=[]).last_day == D(2021, 7, 11)
    day_5 = pcr("2021-07-06T08:00", "2021-07-07", kind="antigen")
    assert rules.quarantine_last_day(later, last_exposure=exposure, tests=[day_5]).last_day == D(2021, 7, 7)
    day_3 = pcr("2021-07-04T08:00", "2021-07-04")
    assert rules.quarantine_last_day(later, last_exposure=exposure, tests=[day_3]).last_day == D(2021, 7, 11)
    positive = pcr("2021-07-07T08:00", "2021-07-08", positive=True)
    assert rules.quarantine_last_day(later, last_exposure=exposure, tests=[day_5, positive]).last_day == D(2021, 7, 11)


def test_a_suspect_is_discarded_after_two_negative_pcrs_more_than_24_hours_apart(kmk413):
    first = pcr("2020-08-01T08:00", "2020-08-02")
    second = pcr("2020-08-02T09:00", "2020-08-03")
    assert rules.negative_pcr_pair(kmk413, [second, first]) == second


def test_two_negative_pcrs_within_24_hours_or_antigen_tests_do_not_discard(kmk413):
    first = pcr("2020-08-01T08:00", "2020-08-02")
    same_day = pcr("2020-08-02T07:00", "2020-08-02")  # 23 h later
    exactly = pcr("2020-08-02T08:00", "2020-08-03")  # 24 h: not more than 24 h
    antigen = pcr("2020-08-03T08:00", "2020-08-03", kind="antigen")
    assert rules.negative_pcr_pair(kmk413, [first, same_day, exactly, antigen]) is None
    later_pcr = pcr("2020-08-03T08:00", "2020-08-04")
    assert rules.negative_pcr_pair(kmk413, [first, same_day, later_pcr]) == later_pcr


def test_a_positive_pcr_prevents_discarding(kmk413):
    tests = [
        pcr("2020-08-01T08:00", "2020-08-02"),
        pcr("2020-08-03T08:00", "2020-08-04"),
        pcr("2020-08-05T08:00", "2020-08-06", True),
    ]
    assert rules.negative_pcr_pair(kmk413, tests) is None
