"""The load test's pieces: the locustfile imports, and the accounts bench.load.seed prepares in bulk
(sessions and API tokens) are real sign-ins. The figures themselves come from ``python -m bench load``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_the_locustfile_imports_without_accounts():
    env = {k: v for k, v in os.environ.items() if k != "LOAD_ACCOUNTS"}
    code = "import bench.load.locustfile as f; print(sorted(c.__name__ for c in f.HttpUser.__subclasses__()))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert "Baseline" in out.stdout and "Employee" in out.stdout and "Citizen" in out.stdout


@pytest.mark.django_db
def test_the_prepared_sessions_and_tokens_are_real_sign_ins(org, client):
    """What bench.load.seed prepares in bulk lets each person in: the session opens Jadwal saya, the
    token the API; a made-up session key does not."""
    from bench.load.seed import _sessions, _tokens

    staff = org["staff"].user
    (session,) = _sessions([staff])
    (token,) = _tokens(org["government"], [staff])
    client.cookies["sessionid"] = session
    assert client.get("/roster/me/").status_code == 200
    client.cookies["sessionid"] = "0" * 32
    assert client.get("/roster/me/").status_code == 302  # to the sign-in page
    client.cookies.clear()
    response = client.get("/api/v1/attendance/check-ins", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    response = client.get("/api/v1/attendance/check-ins", headers={"Authorization": "Bearer sga_loadwrong"})
    assert response.status_code == 401
