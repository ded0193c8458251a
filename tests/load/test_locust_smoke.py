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
    code = (
        "import inspect, bench.load.locustfile as f; "
        "print(sorted(n for n, c in vars(f).items() if inspect.isclass(c) and issubclass(c, f.HttpUser) "
        "and not c.__dict__.get('abstract')))"
    )
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


RECONNECT_CHECK = """
from bench.load import locustfile  # first: locust patches the standard library with gevent
import socket, threading
from types import SimpleNamespace
import requests

listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(8)
port = listener.getsockname()[1]
ok = b"HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\nConnection: keep-alive\\r\\n\\r\\nok"

def serve():
    # the first connection answers one request and drops the next one, as a worker that exits does;
    # the second answers two and drops the third
    for answered in (1, 2, 10**6):
        conn, _ = listener.accept()
        with conn:
            for _ in range(answered):
                if not conn.recv(65536):
                    break
                conn.sendall(ok)
            else:
                conn.recv(65536)

threading.Thread(target=serve, daemon=True).start()
user = SimpleNamespace(client=requests.Session())
locustfile._reconnecting(user)
url = f"http://127.0.0.1:{port}/"
assert user.client.get(url).text == "ok"
assert user.client.get(url).text == "ok"  # met the dropped connection, then a new one
assert locustfile.RECONNECTS == 1, locustfile.RECONNECTS
user.client.post(url, data=b"x")  # a new connection: answered
try:
    user.client.post(url, data=b"x")  # the same connection, dropped: not sent again
except requests.ConnectionError:
    pass
else:
    raise AssertionError("a POST was sent twice")
assert locustfile.RECONNECTS == 1, locustfile.RECONNECTS
print("checked")
"""


def test_a_get_on_a_keep_alive_connection_the_server_closed_is_sent_again_once_and_counted() -> None:
    """A gunicorn worker that restarts (max_requests) closes its idle keep-alive connections; the load
    test's client then sends a GET again on a new connection, as browsers do, and counts it. A POST is
    never sent twice. (In a process of its own: locust patches the standard library with gevent.)"""
    env = {k: v for k, v in os.environ.items() if k != "LOAD_ACCOUNTS"}
    out = subprocess.run(
        [sys.executable, "-c", RECONNECT_CHECK], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0 and out.stdout.strip().endswith("checked"), out.stderr[-3000:]
