"""Rate limits kept in the database: one budget per key and window, shared by every process."""

from __future__ import annotations

import pytest

from conftest import postgresql_only, race
from siaga.core import ratelimit
from siaga.core.models import RateCounter

NOW = 1_790_000_080.0  # 40 s into a minute


@pytest.mark.django_db
def test_the_budget_of_a_key_in_one_window() -> None:
    over = [ratelimit.hit("verify:10.0.0.1", limit=3, now=NOW + i) for i in range(5)]
    assert over == [False, False, False, True, True]
    assert ratelimit.hit("verify:10.0.0.2", limit=3, now=NOW) is False  # another key, its own budget
    assert ratelimit.hit("verify:10.0.0.1", limit=3, now=NOW + 20) is False  # the next minute starts afresh


@pytest.mark.django_db
def test_old_windows_are_purged() -> None:
    ratelimit.hit("verify:a", limit=3, now=NOW)
    ratelimit.hit("verify:b", limit=3, now=NOW + 3000)
    assert ratelimit.purge(now=NOW + 3700) == 1
    assert list(RateCounter.objects.values_list("key", flat=True)) == ["verify:b"]


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_share_one_budget() -> None:
    """Eight requests at the same moment from separate connections (as from separate web processes)
    against a budget of five: exactly five pass, whatever the interleaving."""
    results, errors = race([lambda: ratelimit.hit("verify:10.0.0.9", limit=5, now=NOW)] * 8)
    assert errors == []
    assert sorted(results) == [False] * 5 + [True] * 3
    assert RateCounter.objects.get(key="verify:10.0.0.9").count == 8
