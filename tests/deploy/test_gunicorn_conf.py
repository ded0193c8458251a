"""deploy/gunicorn.conf.py reads its sizes from the environment (siaga.env); docs/configuration.md."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

CONF = Path(__file__).resolve().parents[2] / "deploy" / "gunicorn.conf.py"


def load(monkeypatch: pytest.MonkeyPatch, **env: str) -> dict[str, object]:
    for name in ("WEB_BIND", "WEB_WORKERS", "WEB_THREADS", "WEB_TIMEOUT", "WEB_MAX_REQUESTS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONF))


def test_workers_are_not_recycled_unless_the_environment_asks(monkeypatch: pytest.MonkeyPatch) -> None:
    # a recycled gthread worker drops the connections it accepted and had not read yet
    conf = load(monkeypatch)
    assert conf["max_requests"] == 0
    assert conf["max_requests_jitter"] == 0
    assert conf["keepalive"] == 0
    assert conf["bind"] == "127.0.0.1:8000"


def test_the_environment_sizes_the_server(monkeypatch: pytest.MonkeyPatch) -> None:
    conf = load(
        monkeypatch,
        WEB_MAX_REQUESTS="5000",
        WEB_WORKERS="6",
        WEB_THREADS="8",
        WEB_TIMEOUT="60",
        WEB_BIND="127.0.0.1:9000",
    )
    assert (conf["max_requests"], conf["max_requests_jitter"]) == (5000, 500)
    assert (conf["workers"], conf["threads"], conf["timeout"]) == (6, 8, 60)
    assert conf["bind"] == "127.0.0.1:9000"
