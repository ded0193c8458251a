"""What every API router shares: the error body, the error responses to declare, and the caller."""

from typing import Any

from django.http import HttpRequest
from ninja import Field, Schema

from siaga.core.access import Actor


class ErrorOut(Schema):
    detail: str = Field(description="What went wrong, in the caller's language.")
    errors: dict[str, list[str]] | None = Field(
        None, description="Only on 422: messages per field (`__all__` for the whole request)."
    )


ERRORS_READ: dict[int, Any] = {401: ErrorOut, 403: ErrorOut}
ERRORS_ONE: dict[int, Any] = {**ERRORS_READ, 404: ErrorOut}
ERRORS_WRITE: dict[int, Any] = {**ERRORS_ONE, 422: ErrorOut}


def api_actor(request: HttpRequest) -> Actor:
    """The caller (set by the API's authentication; anonymous callers are refused before a view runs)."""
    actor: Actor = request.actor  # type: ignore[attr-defined]
    return actor
