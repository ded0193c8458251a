"""Work a web process does in a thread of its own after answering: counting figures afresh for the next
viewers while the current one is served the kept ones."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from django.utils import timezone, translation

logger = logging.getLogger(__name__)


def recount_in_background(count: Callable[[], Any], *, what: str = "figures") -> None:
    """Run ``count`` in a thread of this web process, with its own database connection, in the request's
    language and time zone. A failure is logged; whoever asks next tries again."""
    language, zone = translation.get_language(), timezone.get_current_timezone()

    def run() -> None:
        from django.db import connection

        try:
            with translation.override(language), timezone.override(zone):
                count()
        except Exception:
            logger.exception("counting the %s in the background failed", what)
        finally:
            connection.close()

    threading.Thread(target=run, name=f"recount-{what}", daemon=True).start()
