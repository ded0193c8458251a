"""Rate limits that hold across processes and hosts: counters per key and fixed time window in the
database (``RateCounter``), so two gunicorn workers or two web hosts share one budget.

A fixed window is enough for what is limited here (public verification per IP address): at most twice
the budget can pass around a window's edge, and the count is exact within a window.
"""

from __future__ import annotations

import time

from django.db import IntegrityError, transaction
from django.db.models import F

from siaga.core.models import RateCounter

#: Counters are kept this long after their window ends, then deleted by ``purge``.
KEEP_SECONDS = 3600


def hit(key: str, *, limit: int, window: int = 60, now: float | None = None) -> bool:
    """Count one request against ``key``'s budget for the current window of ``window`` seconds.
    True when the budget is exceeded (this request is over the limit)."""
    start = int((time.time() if now is None else now) // window) * window
    key = key[:150]
    with transaction.atomic():
        if not RateCounter.objects.filter(key=key, window=start).update(count=F("count") + 1):
            try:
                with transaction.atomic():
                    RateCounter.objects.create(key=key, window=start, count=1)
            except IntegrityError:  # another process created it first: count on it
                RateCounter.objects.filter(key=key, window=start).update(count=F("count") + 1)
        count = RateCounter.objects.filter(key=key, window=start).values_list("count", flat=True).first() or 0
    return count > limit


def purge(now: float | None = None) -> int:
    """Delete the counters of windows that ended more than an hour ago; returns how many."""
    cutoff = int(time.time() if now is None else now) - KEEP_SECONDS
    deleted, _ = RateCounter.objects.filter(window__lt=cutoff).delete()
    return deleted
