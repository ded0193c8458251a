"""Errors the web app shows: ``msg`` is a short English message key to translate."""

from __future__ import annotations

WRONG_PASSPHRASE = "wrong passphrase"  # noqa: S105 (a message key)
UNKNOWN_NIK = "unknown NIK"
SERVICE_DOWN = "signing service unavailable"
SERVICE_AUTH = "signing service refused the application credentials"
SERVICE_ERROR = "signing service error"
NOT_A_PDF = "not a PDF document"
BAD_STAMP = "invalid stamp"


class SigningError(Exception):
    """Signing failed; ``msg`` is one of the message keys above, ``detail`` is for the logs."""

    def __init__(self, msg: str, detail: str = "") -> None:
        super().__init__(f"{msg}: {detail}" if detail else msg)
        self.msg = msg
        self.detail = detail
