"""Background task of source finding (the space-time scan's 999 replicates take seconds on a large
cluster); the finding's ``progress`` counts the replicates done for the live bar."""

from __future__ import annotations

from django_tasks import task


@task()
def run_source_finding(finding_id: int) -> str:
    from siaga.outbreak.clusters import source_finding_run

    finding = source_finding_run(finding_id=finding_id)
    return finding.status if finding is not None else "skipped"
