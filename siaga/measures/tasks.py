"""Background work of the measures app."""

from __future__ import annotations

import datetime as dt

from django_tasks import task


@task()
def sync_rosters(government_id: int, today: str | None = None) -> int:
    """After a measure is set or lifted: replan the published rosters that no longer obey the measures
    (``services.roster_sync``). Idempotent. Returns the number of replans queued."""
    from siaga.measures.services import roster_sync

    day = dt.date.fromisoformat(today) if today else None
    return len(roster_sync(government_id=government_id, today=day))
