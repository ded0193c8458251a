"""Counting in a background thread of the web process: in the request's language and time zone, and a
failure logged, never raised into the request that started it."""

from __future__ import annotations

import threading
import zoneinfo

from django.utils import timezone, translation

from siaga.core.background import recount_in_background


def test_the_count_runs_in_another_thread_in_the_requests_language_and_time_zone():
    seen: dict[str, object] = {}
    done = threading.Event()

    def count() -> None:
        seen["thread"] = threading.current_thread().name
        seen["language"] = translation.get_language()
        seen["zone"] = str(timezone.get_current_timezone())
        done.set()

    with translation.override("id"), timezone.override(zoneinfo.ZoneInfo("Asia/Makassar")):
        recount_in_background(count, what="test figures")
    assert done.wait(10)
    assert seen == {"thread": "recount-test figures", "language": "id", "zone": "Asia/Makassar"}


def test_a_failing_count_is_logged(caplog):
    finished = threading.Event()

    def count() -> None:
        try:
            raise RuntimeError("disk full")
        finally:
            finished.set()

    with caplog.at_level("ERROR", logger="siaga.core.background"):
        recount_in_background(count, what="test figures")
        assert finished.wait(10)
        for thread in threading.enumerate():
            if thread.name == "recount-test figures":
                thread.join(10)
    assert "counting the test figures in the background failed" in caplog.text
    assert "disk full" in caplog.text
