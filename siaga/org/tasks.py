"""Background tasks of the organisation app. Every task is idempotent: running it twice does no harm."""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from siaga.org.imports import ImportReport, run_import
from siaga.org.models import ImportJob

logger = logging.getLogger(__name__)


@task()
def run_import_job(job_id: int, language: str = "") -> str:
    """Run a queued import. Only a queued job is claimed (one conditional UPDATE), so a second run of
    the same job, or a run by a second worker, does nothing; progress is written as it goes so the
    import page can show it."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, progress=0, total=0
    )
    if not claimed:
        return "skipped"
    job = ImportJob.objects.select_related("government", "created_by").get(pk=job_id)
    jobs = ImportJob.objects.filter(pk=job_id)

    def progress(done: int, total: int) -> None:
        jobs.update(progress=done, total=total)

    with translation.override(language or settings.LANGUAGE_CODE):
        try:
            report = run_import(
                government=job.government,
                kind=job.kind,
                file_name=job.file_name,
                content=bytes(job.content),
                actor=job.created_by,
                progress=progress,
            )
        except Exception:
            logger.exception("import job %s stopped", job_id)
            report = ImportReport(
                kind=job.kind,
                message=_(
                    "The import stopped because of an unexpected error, and nothing was saved. Try again; "
                    "if it happens again, tell the administrator (import %(id)d)."
                )
                % {"id": job_id},
            )
            jobs.update(status=ImportJob.Status.FAILED, report=report.to_dict(), finished_at=timezone.now())
            raise
    status = ImportJob.Status.DONE if report.ok else ImportJob.Status.FAILED
    jobs.update(
        status=status, report=report.to_dict(), progress=report.rows, total=report.rows, finished_at=timezone.now()
    )
    return str(status)
