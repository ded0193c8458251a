"""The statistics against values computed here from first principles and against published values."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from siaga.engines.tracing.stats import Z95, fisher_greater, holm, risk_ratio


def exact_upper_tail(a: int, b: int, c: int, d: int) -> Fraction:
    """P(X ≥ a) for the hypergeometric distribution with the table's margins, in exact fractions."""
    n, cases, exposed = a + b + c + d, a + c, a + b
    total = sum(math.comb(cases, x) * math.comb(n - cases, exposed - x) for x in range(a, min(cases, exposed) + 1))
    return Fraction(total, math.comb(n, exposed))


def test_fisher_of_the_tea_tasting_table_is_17_over_70() -> None:
    # Fisher's lady tasting tea: 3 of 4 right; R's fisher.test(alternative = "greater") gives 0.2429.
    assert fisher_greater(3, 1, 1, 3) == pytest.approx(17 / 70, rel=1e-12)
    assert round(fisher_greater(3, 1, 1, 3), 4) == 0.2429


@pytest.mark.parametrize(
    "table",
    [(14, 24, 10, 6890), (1, 0, 0, 1), (0, 5, 3, 7), (2, 8, 2, 88), (30, 0, 0, 6970), (5, 95, 25, 6875), (7, 3, 0, 0)],
)
def test_fisher_matches_the_exact_hypergeometric_sum(table: tuple[int, int, int, int]) -> None:
    expected = float(exact_upper_tail(*table))
    assert fisher_greater(*table) == pytest.approx(expected, rel=1e-9, abs=1e-300)


def test_fisher_is_exactly_1_when_a_is_the_smallest_count_possible() -> None:
    assert fisher_greater(0, 9, 3, 3) == 1.0
    assert fisher_greater(2, 8, 0, 0) == 1.0  # everyone exposed: a = a + c necessarily
    assert fisher_greater(3, 9, 0, 1) < 1.0


def test_fisher_of_a_strong_cluster_is_tiny_and_of_no_difference_is_large() -> None:
    assert fisher_greater(14, 24, 10, 6890) < 1e-20
    assert fisher_greater(1, 99, 10, 890) == pytest.approx(0.688, abs=1e-3)  # 1.1 expected among exposed


def test_risk_ratio_and_the_katz_interval() -> None:
    rr, lo, hi = risk_ratio(14, 24, 10, 6890) or (0.0, 0.0, 0.0)
    expected = (14 / 38) / (10 / 6900)
    se = math.sqrt(1 / 14 - 1 / 38 + 1 / 10 - 1 / 6900)
    assert rr == pytest.approx(expected, rel=1e-12)
    assert rr == pytest.approx(254.2105263, rel=1e-9)
    assert (lo, hi) == pytest.approx((expected * math.exp(-1.959963984540054 * se), expected * math.exp(Z95 * se)))
    assert pytest.approx(1.959963984540054, rel=1e-15) == Z95


def test_a_zero_cell_adds_one_half_to_every_cell() -> None:
    rr, lo, hi = risk_ratio(5, 0, 0, 10) or (0.0, 0.0, 0.0)
    a, b, c, d = 5.5, 0.5, 0.5, 10.5
    expected = (a / (a + b)) / (c / (c + d))
    se = math.sqrt(1 / a - 1 / (a + b) + 1 / c - 1 / (c + d))
    assert rr == pytest.approx(expected)
    assert rr == pytest.approx(121 / 6)  # (5.5/6) / (0.5/11)
    assert lo == pytest.approx(expected * math.exp(-Z95 * se))
    assert hi == pytest.approx(expected * math.exp(Z95 * se))


def test_no_unexposed_people_gives_no_risk_ratio() -> None:
    assert risk_ratio(3, 7, 0, 0) is None


def test_holm_is_step_down_monotone_and_capped() -> None:
    # sorted: 0.005·4 = 0.02, 0.01·3 = 0.03, 0.03·2 = 0.06, 0.04·1 = 0.04 → raised to 0.06
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert holm([0.5, 0.6]) == [1.0, 1.0]
    assert holm([]) == []
