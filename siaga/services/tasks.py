"""Background tasks of the public services: one item of a signing batch (docs/signing.md)."""

from __future__ import annotations

from django_tasks import task


@task()
def sign_batch_item(item_id: int) -> str:
    """Sign one application of a batch; idempotent (a finished or live-claimed item is skipped)."""
    from siaga.services.batch_signing import sign_item

    return sign_item(item_id)
