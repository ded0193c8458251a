"""Browser test fixtures, loaded for the whole suite from the root conftest: Playwright drives Debian's
chromium against the live test server. One browser serves the session (two Playwright instances cannot
run in one process), whether the test lives in tests/browser/ or in an app's ``test_browser*.py``."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the browser tests and run them last: once Playwright's event loop runs in this thread,
    context-local state such as the active translation no longer behaves as the other tests expect."""
    browser_items = []
    for item in items:
        path = str(item.fspath)
        # Any test that takes the browser counts, whatever its file is called: once Playwright runs, no
        # other test may follow it in this thread.
        uses_browser = bool({"page", "browser"} & set(getattr(item, "fixturenames", ())))
        if "tests/browser/" in path or Path(path).name.startswith("test_browser") or uses_browser:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.indonesian)
            browser_items.append(item)
    if browser_items:
        chosen = set(map(id, browser_items))
        items[:] = [item for item in items if id(item) not in chosen] + browser_items


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make test does it)")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls in the test body are
    # still synchronous and safe. Only the browser tests get this exemption.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
            ],
        )
        yield browser
        browser.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class ConsoleWatch:
    def __init__(self) -> None:
        self.errors: list[str] = []

    def on_console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text}")

    def on_page_error(self, error: Any) -> None:
        self.errors.append(f"page error: {error}")


@pytest.fixture
def page(browser: Any, live_server: Any, settings: Any) -> Iterator[Any]:
    """A phone-sized page; the test fails if the browser logs any JavaScript error."""
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    # The live server serves static files from the finders, which know the plain names only.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US", base_url=live_server.url)
    page = context.new_page()
    watch = ConsoleWatch()
    page.on("console", watch.on_console)
    page.on("pageerror", watch.on_page_error)
    page.set_default_timeout(10_000)
    yield page
    context.close()
    assert watch.errors == [], watch.errors


def log_in(page: Any, username: str, password: str) -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/")
