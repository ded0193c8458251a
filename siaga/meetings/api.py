"""API of the meetings app (mounted at /api/v1/)."""

from ninja import Router

router = Router(tags=["meetings"])
