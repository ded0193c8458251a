"""Statistics of a retrospective cohort by place: risk ratio with the Katz interval, the one-sided
Fisher exact test and Holm's step-down adjustment."""

from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import NormalDist

Z95 = NormalDist().inv_cdf(0.975)  # 1.959963984540054


def risk_ratio(a: int, b: int, c: int, d: int) -> tuple[float, float, float] | None:
    """Risk ratio [a/(a+b)] / [c/(c+d)] and its 95% Katz (log) interval
    exp(ln RR ± z·√(1/a − 1/(a+b) + 1/c − 1/(c+d))), with 0.5 added to every cell when one is 0;
    ``None`` when nobody is unexposed (c + d = 0)."""
    if c + d == 0 or a + b == 0:
        return None
    fa, fb, fc, fd = (float(x) for x in (a, b, c, d))
    if 0 in (a, b, c, d):
        fa, fb, fc, fd = fa + 0.5, fb + 0.5, fc + 0.5, fd + 0.5
    rr = (fa / (fa + fb)) / (fc / (fc + fd))
    se = math.sqrt(1 / fa - 1 / (fa + fb) + 1 / fc - 1 / (fc + fd))
    return rr, math.exp(math.log(rr) - Z95 * se), math.exp(math.log(rr) + Z95 * se)


def _log_comb(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def fisher_greater(a: int, b: int, c: int, d: int) -> float:
    """One-sided Fisher exact p for higher risk among the exposed: P(X ≥ a) for X hypergeometric with
    the table's margins (N = a+b+c+d people, K = a+c cases, n = a+b exposed), summed from
    log-factorials."""
    n_total, cases, exposed = a + b + c + d, a + c, a + b
    top = min(exposed, cases)
    if a > top:
        return 0.0
    if a <= max(0, exposed - (n_total - cases)):  # a is the smallest count the margins allow
        return 1.0
    log_denominator = _log_comb(n_total, exposed)
    logs = [_log_comb(cases, x) + _log_comb(n_total - cases, exposed - x) - log_denominator for x in range(a, top + 1)]
    peak = max(logs)
    p = math.exp(peak) * math.fsum(math.exp(v - peak) for v in logs)
    return min(1.0, p)


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm's step-down adjusted p-values, in the order given: (m − i + 1)·p_(i) over the ascending
    p-values, made monotone (running maximum) and capped at 1."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted
