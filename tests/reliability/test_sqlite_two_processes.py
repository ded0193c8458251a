"""Drill: two web processes on one SQLite file (the small-install database). Two gunicorn masters
(deploy/gunicorn.conf.py, one worker each) serve a copy of the test database in a file; employees check
in through both at once; then another writer holds SQLite's write lock for longer than the busy timeout
(30 s, ``siaga.env.parse_database_url``).

What must hold (docs/reliability.md): concurrent check-ins through both processes all succeed, once each
(SQLite serialises the writers; WAL lets readers go on); a write that cannot get the lock in time answers
503 "busy, try again" with Retry-After, never a 500, while reads still work; after the lock is released
the same request succeeds. SQLite stays for one web process (docs/deploy.md): a writer waiting up to
30 s is no way to serve many people.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from siaga.core.services import api_token_create
from tests.reliability.conftest import Answer, Web

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "sqlite", reason="the SQLite drill: it runs in the SQLite pass of make test"
    ),
    pytest.mark.django_db(transaction=True),
]

EMPLOYEES = 24


def test_two_processes_on_one_sqlite_file(
    government: Any, make_unit: Any, make_employee: Any, start_web: Any, tmp_path: Path
) -> None:
    unit = make_unit(government, "DISKOMINFO", "dinas", name="Dinas Kominfo")
    User = get_user_model()
    tokens: list[str] = []
    for i in range(EMPLOYEES + 1):
        user = User.objects.create_user(username=f"asn{i:03d}", password=None)
        make_employee(unit, f"ASN {i}", user=user)
        tokens.append(api_token_create(government=government, user=user, name="drill", actor=None)[1])
    # the test database, committed, copied into a file both processes open
    database = tmp_path / "siaga.sqlite3"
    connection.ensure_connection()
    with sqlite3.connect(database) as target:
        connection.connection.backup(target)
    target.close()
    env = {"DATABASE_URL": f"sqlite:///{database}"}
    webs: list[Web] = [start_web(workers=1, threads=4, env=env), start_web(workers=1, threads=4, env=env)]

    def check_in(web: Web, token: str, key: str) -> Answer:
        body = json.dumps({"mode": "wfh", "idempotency_key": key}).encode()
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        return web.request("POST", "/api/v1/attendance/check-ins", body, headers, timeout=60)

    # 1. check-ins through both processes at once
    answers: list[Answer] = []
    lock = threading.Lock()

    def employee(i: int) -> None:
        key = uuid.uuid4().hex
        for _ in range(20):
            answer = check_in(webs[i % 2], tokens[i], key)
            with lock:
                answers.append(answer)
            if answer.status != 503:
                return
            time.sleep(float(answer.headers.get("retry-after", "1")))

    threads = [threading.Thread(target=employee, args=(i,)) for i in range(EMPLOYEES)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    took = time.monotonic() - began
    statuses = [a.status for a in answers]
    assert set(statuses) <= {201, 503}, statuses
    assert statuses.count(201) == EMPLOYEES
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT employee_id, count(*) FROM attendance_checkin GROUP BY employee_id").fetchall()
    assert len(rows) == EMPLOYEES and {n for _e, n in rows} == {1}

    # 2. another writer holds the write lock longer than the busy timeout
    holder = sqlite3.connect(database, timeout=1, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("UPDATE core_government SET name = name")
    waited = time.monotonic()
    result: dict[str, Answer] = {}
    writer = threading.Thread(target=lambda: result.setdefault("write", check_in(webs[0], tokens[-1], "locked")))
    writer.start()
    time.sleep(1)
    read = webs[1].request("GET", "/api/v1/attendance/check-ins", None, {"Authorization": f"Bearer {tokens[0]}"})
    writer.join(60)
    waited = time.monotonic() - waited
    holder.execute("ROLLBACK")
    holder.close()
    busy = result["write"]
    assert read.status == 200 and len(read.json()["items"]) == 1  # readers are not blocked (WAL)
    assert busy.status == 503 and busy.headers["retry-after"] == "2"
    assert "coba lagi dalam beberapa detik" in busy.json()["detail"]
    again = check_in(webs[0], tokens[-1], "locked")
    assert again.status == 201
    print(
        "\nsqlite two-process drill:",
        json.dumps(
            {
                "check_ins": EMPLOYEES,
                "requests": len(answers),
                "busy_503": statuses.count(503),
                "seconds": round(took, 1),
                "locked_write_answered_after_s": round(waited, 1),
            }
        ),
    )
