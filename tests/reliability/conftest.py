"""Helpers of the reliability drills: real gunicorn processes (deploy/gunicorn.conf.py) on loopback
against the test database, a plain HTTP client, and control of the PostgreSQL server the tests run on."""

from __future__ import annotations

import http.client
import json
import os
import re
import shlex
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import connection

from conftest import needs_postgresql

ROOT = Path(__file__).resolve().parents[2]

#: Drills of the production database: they run in the PostgreSQL pass of ``make test``.
postgresql_only = needs_postgresql(
    "a drill of the production database (PostgreSQL server, processes sharing it): make test runs it there"
)
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def database_url() -> str:
    """The URL of the database the tests use (the test database), for processes started by a test."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(s['NAME']).resolve()}"
    password = f":{s['PASSWORD']}" if s["PASSWORD"] else ""
    return f"postgres://{s['USER']}{password}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


@dataclass
class Answer:
    status: int  # 0: no answer (connection refused or reset)
    headers: dict[str, str]
    body: bytes
    started: float
    finished: float
    set_cookies: list[str] = field(default_factory=list)

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


@dataclass
class Web:
    """A gunicorn master (``deploy/gunicorn.conf.py``) serving Siaga on 127.0.0.1:``port``."""

    port: int
    process: subprocess.Popen[bytes]
    log: Path

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 30,
    ) -> Answer:
        started = time.monotonic()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers={"Host": "127.0.0.1", **(headers or {})})
            response = conn.getresponse()
            data = response.read()
            headers = {k.lower(): v for k, v in response.getheaders()}
            cookies = [v for k, v in response.getheaders() if k.lower() == "set-cookie"]
            return Answer(response.status, headers, data, started, time.monotonic(), cookies)
        except (ConnectionError, http.client.HTTPException, TimeoutError, OSError):
            return Answer(0, {}, b"", started, time.monotonic())
        finally:
            conn.close()

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


def launch_web(directory: Path, *, workers: int = 2, threads: int = 2, env: dict[str, str] | None = None) -> Web:
    """A gunicorn with deploy/gunicorn.conf.py on a free loopback port, the same settings as the tests
    (SECRET_KEY, var dir, compiled messages) and the test database; its log in ``directory``."""
    port = free_port()
    log = directory / f"web-{port}.log"
    environment = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "WEB_BIND": f"127.0.0.1:{port}",
        "WEB_WORKERS": str(workers),
        "WEB_THREADS": str(threads),
        "WEB_TIMEOUT": "60",
        "SIAGA_VAR_DIR": str(settings.VAR_DIR),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LANGUAGE_CODE": "id",
        **(env or {}),
    }
    environment.pop("PROMETHEUS_MULTIPROC_DIR", None)
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [str(BIN / "gunicorn"), "--config", str(ROOT / "deploy" / "gunicorn.conf.py")],
            cwd=ROOT,
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    web = Web(port, process, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if web.request("GET", "/healthz", timeout=5).status:
            return web
        if not web.alive():
            break
        time.sleep(0.2)
    web.stop()
    raise AssertionError(f"gunicorn did not start: {log.read_text()[-3000:]}")


@pytest.fixture
def start_web(tmp_path: Path) -> Iterator[Callable[..., Web]]:
    """``start_web(workers=2, threads=2, env={})``: ``launch_web`` for this test; stopped after it."""
    started: list[Web] = []

    def start(**options: Any) -> Web:
        web = launch_web(tmp_path, **options)
        started.append(web)
        return web

    yield start
    for web in started:
        web.stop()


@dataclass
class PostgresServer:
    """The PostgreSQL server the tests run on (scripts/with-postgres.sh started it): stopped and started
    again with its own pg_ctl, data directory and options (postmaster.opts)."""

    data_dir: Path
    postgres: Path
    options: list[str]
    as_user: list[str] = field(default_factory=list)

    @classmethod
    def of_test_database(cls) -> PostgresServer:
        with connection.cursor() as cursor:
            cursor.execute("SHOW data_directory")
            data_dir = Path(cursor.fetchone()[0])
        words = shlex.split((data_dir / "postmaster.opts").read_text())
        postgres, options = Path(words[0]), words[1:]
        # pg_ctl passes -D itself
        cleaned: list[str] = []
        skip = False
        for word in options:
            if skip:
                skip = False
                continue
            if word == "-D":
                skip = True
                continue
            cleaned.append(word)
        as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        return cls(data_dir, postgres, cleaned, as_user)

    def pg_ctl(self, *args: str) -> None:
        command = [*self.as_user, str(self.postgres.parent / "pg_ctl"), "-D", str(self.data_dir), *args]
        subprocess.run(command, check=True, capture_output=True, timeout=60)

    def stop(self) -> None:
        self.pg_ctl("-m", "fast", "-w", "stop")

    def start(self) -> None:
        log = self.data_dir.parent / "server.log"
        self.pg_ctl("-l", str(log), "-w", "-t", "60", "-o", shlex.join(self.options), "start")


@pytest.fixture
def postgres_server() -> Iterator[PostgresServer]:
    """Control of the test PostgreSQL server; it is running again after the test whatever happened."""
    server = PostgresServer.of_test_database()
    yield server
    connection.close()
    for _ in range(2):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            return
        except Exception:
            connection.close()
            try:
                server.start()
            except subprocess.CalledProcessError:
                time.sleep(1)


class Browser:
    """One person's browser: keeps its cookies, whichever web process it talks to."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def request(self, web: Web, method: str, path: str, form: dict[str, str] | None = None, **headers: str) -> Answer:
        sent = dict(headers)
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        answer = web.request(method, path, body, sent)
        for header in answer.set_cookies:
            name, _sep, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if value in ("", '""'):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return answer

    def csrf_token(self, web: Web, path: str) -> str:
        """Open the form at ``path`` and return its CSRF token."""
        page = self.request(web, "GET", path)
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert found, f"no CSRF token on {path}: {page.status}"
        return found.group(1)
