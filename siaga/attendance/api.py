"""API of the attendance app (mounted at /api/v1/)."""

from ninja import Router

router = Router(tags=["attendance"])
