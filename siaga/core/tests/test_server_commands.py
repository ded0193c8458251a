"""Smoke tests of ``siaga serve`` and ``siaga worker`` as real processes on a temporary SQLite database."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest

from siaga.core.middleware import CONTENT_SECURITY_POLICY

from .conftest import free_port

ROOT = Path(__file__).resolve().parents[3]
SIAGA = Path(sys.executable).with_name("siaga")  # the console script installed with the package


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


fetch = urllib.request.build_opener(NoRedirect()).open


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> dict[str, str]:
    """The environment of a production-like install: its own var dir, a migrated SQLite database."""
    var = tmp_path_factory.mktemp("siaga-var")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "siaga.settings",
        "SECRET_KEY": "serve-test-secret-key-0123456789abcdefghijklmnop",
        "DEBUG": "false",
        "SIAGA_HTTPS": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SIAGA_VAR_DIR": str(var),
        "DATABASE_URL": f"sqlite:///{var / 'siaga.sqlite3'}",
        "EMAIL_URL": "console:",
        "LOG_LEVEL": "WARNING",
    }
    # Reuse the static files scripts/pytest.sh collected (collectstatic takes seconds), else collect.
    collected = Path(os.environ.get("SIAGA_VAR_DIR", "/nonexistent")) / "static"
    if (collected / "staticfiles.json").exists():
        (var / "static").symlink_to(collected)
    else:
        subprocess.run([SIAGA, "collectstatic", "--noinput", "-v0"], env=env, cwd=ROOT, check=True, timeout=120)
    subprocess.run([SIAGA, "migrate", "-v0"], env=env, cwd=ROOT, check=True, timeout=120)
    return env


class Process:
    """A running ``siaga`` command whose output is collected in the background."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.popen = subprocess.Popen(
            [SIAGA, *args], env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        self.output: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.popen.stdout is not None
        for line in self.popen.stdout:
            self.output.append(line)

    def wait_for(self, text: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not any(text in line for line in self.output):
            if self.popen.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"{text!r} never appeared; output:\n{''.join(self.output)}")
            time.sleep(0.02)

    def stop(self) -> int:
        self.popen.send_signal(signal.SIGTERM)
        code = self.popen.wait(30)
        self._reader.join(5)
        return code


@pytest.fixture
def start(site) -> Iterator:
    started: list[Process] = []

    def run(*args: str, **env: str) -> Process:
        process = Process(list(args), {**site, **env})
        started.append(process)
        return process

    yield run
    for process in started:
        if process.popen.poll() is None:
            process.popen.kill()
            process.popen.wait(5)


def test_siaga_serve_answers_the_login_page_with_the_security_headers_and_stops_on_sigterm(start):
    port = free_port()
    server = start("serve", f"127.0.0.1:{port}")
    server.wait_for(f"Siaga is serving on http://127.0.0.1:{port}/")
    answer = _get_when_up(f"http://127.0.0.1:{port}/login/")
    body = answer.read().decode()
    assert answer.status == 200
    assert answer.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert answer.headers["Server"] == "siaga"
    assert 'name="username"' in body
    assert server.stop() == 0


def test_siaga_serve_behind_a_proxy_believes_its_https_and_client_address(start, site):
    port = free_port()
    server = start("serve", f"127.0.0.1:{port}", BEHIND_PROXY="true", SIAGA_HTTPS="true")
    server.wait_for("Siaga is serving")
    url = f"http://127.0.0.1:{port}/login/"

    # Straight to the app without the proxy's word that the client used https: redirected to https.
    with pytest.raises(urllib.error.HTTPError) as redirected:
        _get_when_up(url)
    assert (redirected.value.code, redirected.value.headers["Location"]) == (301, f"https://127.0.0.1:{port}/login/")

    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
    page = fetch(urllib.request.Request(url, headers=forwarded), timeout=5)
    assert page.status == 200
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    cookie = page.headers["Set-Cookie"].split(";")[0]
    token = cookie.split("=", 1)[1]

    # A failed login is audited with the client's address, not the proxy's.
    form = urlencode({"csrfmiddlewaretoken": token, "username": "tidak-ada", "password": "salah-sekali"})
    failed = fetch(
        urllib.request.Request(
            url,
            data=form.encode(),
            headers={**forwarded, "Cookie": cookie, "Origin": f"https://127.0.0.1:{port}", "Referer": url},
        ),
        timeout=5,
    )
    assert failed.status == 200
    assert server.stop() == 0
    database = site["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT ip_address, object_repr FROM core_auditevent WHERE action = 'login_failed'"
        ).fetchall()
    assert rows == [("203.0.113.7", "tidak-ada")]


def test_siaga_serve_ignores_forwarded_headers_from_a_peer_that_is_not_the_trusted_proxy(start):
    port = free_port()
    server = start(
        "serve", f"127.0.0.1:{port}", "--trusted-proxy", "192.0.2.1", BEHIND_PROXY="true", SIAGA_HTTPS="true"
    )
    server.wait_for("Siaga is serving")
    spoofed = urllib.request.Request(f"http://127.0.0.1:{port}/login/", headers={"X-Forwarded-Proto": "https"})
    with pytest.raises(urllib.error.HTTPError) as redirected:
        _get_when_up(spoofed)
    assert redirected.value.code == 301
    assert server.stop() == 0


def test_siaga_serve_refuses_an_address_that_is_not_addr_port(site):
    result = subprocess.run(
        [SIAGA, "serve", "localhost:http"], env=site, cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert (
        result.stderr.strip()
        == "CommandError: 'localhost:http' is not ADDR:PORT (e.g. 127.0.0.1:8000) or a port number."
    )


def test_siaga_worker_starts_runs_its_periodic_jobs_and_stops_cleanly_on_sigterm(start):
    worker = start("worker", "--no-startup-delay", "--interval", "0.1", "-v", "1", LOG_LEVEL="INFO")
    worker.wait_for("Starting worker")
    time.sleep(0.3)  # let the scheduler thread run its first round
    assert worker.stop() == 0
    output = "".join(worker.output)
    assert "Traceback" not in output
    assert "periodic job" not in output  # no job failed


def _get_when_up(url: str | urllib.request.Request, timeout: float = 60):  # type: ignore[no-untyped-def]
    """GET ``url``, retrying while the server is still binding its socket."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return fetch(url, timeout=5)
        except urllib.error.URLError as exc:
            if isinstance(exc, urllib.error.HTTPError) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)
