"""API of the workday app (mounted at /api/v1/)."""

from ninja import Router

router = Router(tags=["workday"])
