"""Shared helpers: a fresh database per run, timing, peak memory, and the result table."""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Row:
    name: str
    value: float
    unit: str
    baseline: float | None = None
    target: str = ""

    @property
    def ratio(self) -> str:
        if self.baseline is None or self.baseline == 0:
            return "—"
        return f"{self.value / self.baseline:.2f}×"


def print_table(title: str, rows: list[Row]) -> None:
    print(f"\n{title}")
    width = max([44, *(len(row.name) for row in rows)])
    header = f"{'measure':<{width}} {'value':>12} {'unit':<6} {'baseline':>12} {'ratio':>8}  target"
    print(header)
    print("-" * len(header))
    for row in rows:
        baseline = "—" if row.baseline is None else f"{row.baseline:,.2f}"
        print(f"{row.name:<{width}} {row.value:>12,.2f} {row.unit:<6} {baseline:>12} {row.ratio:>8}  {row.target}")


@contextmanager
def timer() -> Iterator[Callable[[], float]]:
    start = time.perf_counter()
    elapsed: list[float] = []
    yield lambda: elapsed[0] if elapsed else time.perf_counter() - start
    elapsed.append(time.perf_counter() - start)


def run_child(module: str, args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Run ``python -m module args`` in a fresh process; return (seconds, peak RSS MB, stdout)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", module, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - start
    if out.returncode != 0:
        raise RuntimeError(f"{module} {' '.join(args)} failed:\n{out.stdout}\n{out.stderr}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of children is the maximum over all children so far; callers run the heaviest last or
    # read the figure the child prints itself.
    return seconds, max(peak, before) / 1024, out.stdout


@contextmanager
def sqlite_env() -> Iterator[dict[str, str]]:
    tmp = tempfile.mkdtemp(prefix="siaga-bench-")
    try:
        env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp}/bench.sqlite3", SIAGA_VAR_DIR=tmp)
        yield env
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def postgres_available() -> bool:
    return bool(os.environ.get("BENCH_POSTGRES_URL"))


@contextmanager
def temporary_postgres_database(server_url: str) -> Iterator[dict[str, str]]:
    """A fresh, empty database on the benchmark's PostgreSQL server, dropped afterwards; yields the
    environment for a child process (``DATABASE_URL`` points to it)."""
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    name = f"siaga_bench_{os.getpid()}_{int(time.time() * 1000) % 10**8}"
    parts = urlsplit(server_url)
    url = urlunsplit(parts._replace(path=f"/{name}"))
    tmp = tempfile.mkdtemp(prefix="siaga-bench-")
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield dict(os.environ, DATABASE_URL=url, SIAGA_VAR_DIR=tmp)
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(tmp, ignore_errors=True)
