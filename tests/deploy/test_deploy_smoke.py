"""scripts/deploy-smoke.sh: the production install of docs/deploy.md (configuration from the example,
migrate, collectstatic, check --deploy, gunicorn with deploy/gunicorn.conf.py, a worker run) answers
/healthz, the login page, the https redirect and /metrics as it should. Runs on the PostgreSQL server of
`make test`, with this checkout's virtualenv (--reuse-venv); the script without it also builds a fresh
virtualenv from requirements.lock."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="production runs on PostgreSQL: make test runs this in its PostgreSQL pass",
)
def test_install_guide_gives_a_working_server() -> None:
    result = subprocess.run(
        [str(ROOT / "scripts" / "deploy-smoke.sh"), "--reuse-venv"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "deploy-smoke: OK" in result.stdout
    assert "System check identified no issues" in result.stdout
