"""Real ``siaga worker`` processes against the test database, for the killed-worker drills (PostgreSQL).

The drills run in ``transaction=True`` tests, so what the test writes is committed and the workers (other
processes, other connections) see it. Each worker's output goes to a file that a failed drill prints.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.db import connection

from conftest import needs_postgresql

#: the drills need worker processes that share the database with the test over their own connections
postgresql_processes = needs_postgresql(
    "several worker processes on one queue: SQLite serialises writers and is no multi-worker "
    "deployment; the drill runs on PostgreSQL (make test)"
)

ROOT = Path(__file__).resolve().parents[3]
SIAGA = Path(sys.executable).with_name("siaga")  # the console script installed with the package


def database_url() -> str:
    """The URL of the database the tests run on (pytest-django's test database)."""
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


class Workers:
    """Start, kill and stop ``siaga worker`` processes named by their worker id."""

    def __init__(self, var_dir: Path, **env: str) -> None:
        self.var_dir = var_dir
        self.env = {
            **{k: v for k, v in os.environ.items() if k in ("PATH", "SECRET_KEY", "EMAIL_URL", "LANG", "HOME")},
            "DJANGO_SETTINGS_MODULE": "siaga.settings",
            "DEBUG": "false",
            "SIAGA_HTTPS": "false",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SIAGA_VAR_DIR": str(var_dir),
            "DATABASE_URL": database_url(),
            "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
            "LOG_LEVEL": "INFO",
            "ROSTER_WORKERS": "1",
            # a short lease, so that the drill's recovery takes seconds rather than a minute
            "TASK_HEARTBEAT_SECONDS": "1",
            "TASK_HEARTBEAT_TIMEOUT": "3",
            **env,
        }
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, worker_id: str) -> subprocess.Popen[bytes]:
        log = (self.var_dir / f"{worker_id}.log").open("wb")
        process = subprocess.Popen(
            [SIAGA, "worker", "--worker-id", worker_id, "--no-startup-delay", "--interval", "0.1", "-v", "1"],
            env=self.env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.processes[worker_id] = process
        return process

    def wait_started(self, timeout: float = 60) -> None:
        for worker_id in self.processes:
            wait_for(
                lambda w=worker_id: f"worker_id={w}" in self.output(w), timeout, f"worker {worker_id} to start", self
            )

    def by_pid(self, pid: int) -> str:
        return next(w for w, p in self.processes.items() if p.pid == pid)

    def kill(self, worker_id: str) -> None:
        """SIGKILL: no handler runs, no transaction is finished, nothing is released by the worker."""
        process = self.processes[worker_id]
        process.send_signal(signal.SIGKILL)
        process.wait(10)

    def output(self, worker_id: str) -> str:
        path = self.var_dir / f"{worker_id}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def outputs(self) -> str:
        return "\n".join(f"--- {w} ---\n{self.output(w)[-4000:]}" for w in self.processes)

    def stop_all(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)


def wait_for(condition: Callable[[], Any], timeout: float, what: str, workers: Workers | None = None) -> float:
    """Poll ``condition`` until it is true; return the seconds it took, or fail after ``timeout``."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            raise AssertionError(
                f"timed out after {timeout} s waiting for {what}\n{workers.outputs() if workers else ''}"
            )
        time.sleep(0.01)
    return time.monotonic() - start
