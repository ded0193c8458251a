"""The rules of a rule set applied to one case: proposed isolation end, quarantine end and discarding.

Day counting: the anchor date (onset, specimen or last exposure) is day 0; an isolation of 10 days
covers days 1–10, so its last day is ``anchor + 10`` and the person is free from day 11. These are
proposals: nothing here changes a case; the task force confirms.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Protocol


class Rules(Protocol):
    isolation_days_asymptomatic: int
    isolation_days_symptomatic: int
    symptom_free_days: int
    quarantine_days: int
    quarantine_test_day: int | None
    discard_negative_pcrs: int
    discard_hours_apart: int


@dataclass(frozen=True)
class Test:
    kind: str  # "rt_pcr" | "antigen"
    specimen_taken_at: dt.datetime
    result_date: dt.date
    positive: bool


@dataclass(frozen=True)
class EndProposal:
    last_day: dt.date
    #: True when the date may still move later (symptoms not yet over)
    provisional: bool = False


def day(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def isolation_last_day(
    rules: Rules, *, symptomatic: bool, onset: dt.date | None, specimen: dt.date | None, symptoms_ended: dt.date | None
) -> EndProposal | None:
    """Without symptoms: ``specimen + N``. With symptoms: ``max(onset + N, last symptom day) + symptom-free days``
    (KMK 413: 10 days from onset plus at least 3 days without symptoms)."""
    if not symptomatic:
        if specimen is None:
            return None
        return EndProposal(specimen + dt.timedelta(days=rules.isolation_days_asymptomatic))
    if onset is None:
        return None
    base = onset + dt.timedelta(days=rules.isolation_days_symptomatic)
    if symptoms_ended is None:
        return EndProposal(base + dt.timedelta(days=rules.symptom_free_days), provisional=True)
    return EndProposal(max(base, symptoms_ended) + dt.timedelta(days=rules.symptom_free_days))


def quarantine_last_day(rules: Rules, *, last_exposure: dt.date | None, tests: list[Test]) -> EndProposal | None:
    """``last exposure + N`` days; where the rule set has a test day, a negative test taken on or after that
    day of quarantine ends it on the result date (never before the test day itself)."""
    if last_exposure is None:
        return None
    full = last_exposure + dt.timedelta(days=rules.quarantine_days)
    if rules.quarantine_test_day:
        test_day = last_exposure + dt.timedelta(days=rules.quarantine_test_day)
        negatives = sorted(
            t.result_date for t in tests if not t.positive and test_day <= day(t.specimen_taken_at) <= full
        )
        if negatives and not any(t.positive for t in tests if day(t.specimen_taken_at) >= last_exposure):
            return EndProposal(min(full, max(test_day, negatives[0])))
    return EndProposal(full)


def negative_pcr_pair(rules: Rules, tests: list[Test]) -> Test | None:
    """The later of the first pair of negative RT-PCRs taken more than the rule's hours apart with no positive
    RT-PCR among the tests; None when there is none."""
    pcrs = sorted((t for t in tests if t.kind == "rt_pcr"), key=lambda t: t.specimen_taken_at)
    if any(t.positive for t in pcrs):
        return None
    negatives = [t for t in pcrs if not t.positive]
    need = max(rules.discard_negative_pcrs, 1)
    gap = dt.timedelta(hours=rules.discard_hours_apart)
    chosen: list[Test] = []
    for test in negatives:
        if not chosen or test.specimen_taken_at - chosen[-1].specimen_taken_at > gap:
            chosen.append(test)
        if len(chosen) >= need:
            return test
    return None


def as_tests(rows: Any) -> list[Test]:
    return [
        Test(
            kind=r.kind,
            specimen_taken_at=r.specimen_taken_at,
            result_date=r.result_date,
            positive=r.result == "positive",
        )
        for r in rows
    ]
