"""Drill: PostgreSQL restarts during load. A real gunicorn (deploy/gunicorn.conf.py, 2 processes × 2
threads) serves employees checking in through the API (bearer tokens, one idempotency key per tap,
retried on 503) and signed-in people reading pages, while the PostgreSQL server is stopped (``pg_ctl
stop -m fast``) for a few seconds and started again.

What must hold (docs/reliability.md): meanwhile every request gets a clear 503 with Retry-After (JSON
for the API, a small page for people), never a 500 or a trace; once the server is back every request
succeeds without restarting gunicorn (``CONN_HEALTH_CHECKS`` drops the dead connections); every
check-in acknowledged with 2xx exists and none is duplicated (the retries with the same key found it).
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

from siaga.attendance.models import CheckIn
from siaga.core.services import api_token_create
from siaga.org.models import Employee
from tests.reliability.conftest import Answer, PostgresServer, Web, postgresql_only

pytestmark = [postgresql_only, pytest.mark.django_db(transaction=True)]

EMPLOYEES = 48
WRITERS = 4
READERS = 2
PACE = 0.15  # seconds between one employee's check-in and the next one's, per writer
OUTAGE = 3.0  # seconds the server stays down


def test_postgres_restart_during_check_ins(
    government: Any, make_unit: Any, make_employee: Any, start_web: Any, postgres_server: PostgresServer
) -> None:
    unit = make_unit(government, "DISKOMINFO", "dinas", name="Dinas Kominfo")
    User = get_user_model()
    keys: dict[int, str] = {}
    for i in range(EMPLOYEES):
        user = User.objects.create_user(username=f"asn{i:03d}", password=None)
        employee = make_employee(unit, f"ASN {i}", user=user)
        keys[employee.pk] = api_token_create(government=government, user=user, name="drill", actor=None)[1]
    reader_user = Employee.objects.get(pk=next(iter(keys))).user
    browser = Client()
    browser.force_login(reader_user)
    session_cookie = f"sessionid={browser.cookies['sessionid'].value}"

    web: Web = start_web(workers=2, threads=2)
    master_pid = web.process.pid
    answers: list[tuple[str, Answer]] = []
    acknowledged: dict[int, int] = {}
    lock = threading.Lock()
    writers_done = threading.Event()

    def check_in(employee_id: int) -> None:
        body = json.dumps({"mode": "wfh", "idempotency_key": uuid.uuid4().hex}).encode()
        headers = {"Authorization": f"Bearer {keys[employee_id]}", "Content-Type": "application/json"}
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            answer = web.request("POST", "/api/v1/attendance/check-ins", body, headers)
            with lock:
                answers.append(("check-in", answer))
            if answer.status in (200, 201):
                with lock:
                    acknowledged[employee_id] = answer.json()["id"]
                return
            if answer.status not in (0, 503):
                return  # an unexpected answer: recorded, asserted below
            time.sleep(0.2)  # the same tap again, with the same idempotency key

    def writer(employee_ids: list[int]) -> None:
        for employee_id in employee_ids:
            check_in(employee_id)
            time.sleep(PACE)

    def reader() -> None:
        while not writers_done.is_set():
            for kind, path, headers in (
                ("page", "/attendance/", {"Cookie": session_cookie}),
                (
                    "api-read",
                    "/api/v1/attendance/check-ins",
                    {"Authorization": f"Bearer {keys[reader_user.employee.pk]}"},
                ),
            ):
                answer = web.request("GET", path, None, headers)
                with lock:
                    answers.append((kind, answer))
            time.sleep(0.05)

    ids = list(keys)
    threads = [threading.Thread(target=writer, args=(ids[w::WRITERS],)) for w in range(WRITERS)]
    readers = [threading.Thread(target=reader) for _ in range(READERS)]
    began = time.monotonic()
    for thread in threads + readers:
        thread.start()
    try:
        time.sleep(1.0)
        stopped_at = time.monotonic()
        postgres_server.stop()
        time.sleep(OUTAGE)
        postgres_server.start()
        started_at = time.monotonic()
    finally:
        for thread in threads:
            thread.join(60)
        writers_done.set()
        for thread in readers:
            thread.join(30)
    connection.close()  # the test's own connection died with the server

    statuses = [a.status for _kind, a in answers]
    during = [(k, a) for k, a in answers if a.status == 503]
    after_start = sorted((a for _k, a in answers if a.started > started_at), key=lambda a: a.started)
    first_success = next(a for a in after_start if a.status in (200, 201))
    settled = [a for a in after_start if a.started >= first_success.started]
    print(
        "\npostgres restart drill:",
        json.dumps(
            {
                "requests": len(answers),
                "succeeded": sum(s in (200, 201) for s in statuses),
                "503": len(during),
                "other": sorted({s for s in statuses if s not in (200, 201, 503)}),
                "outage_s": round(started_at - stopped_at, 2),
                "recovered_after_start_s": round(first_success.finished - started_at, 2),
                "failed_after_recovery": sum(a.status not in (200, 201) for a in settled),
                "check_ins": CheckIn.objects.count(),
                "load_s": round(time.monotonic() - began, 1),
            }
        ),
    )

    # meanwhile: clear 503s, no 500, no trace, no dropped connection
    assert set(statuses) <= {200, 201, 503}, sorted(set(statuses))
    assert {k for k, _a in during} >= {"check-in", "page", "api-read"}
    for kind, answer in during:
        assert answer.headers["retry-after"] == "5"
        if kind == "page":
            assert "Layanan sementara tidak tersedia" in answer.text and "Traceback" not in answer.text
        else:
            assert "coba lagi sebentar" in answer.json()["detail"]
    # after: the same gunicorn serves every request again
    assert web.alive() and web.process.pid == master_pid
    assert first_success.finished - started_at < 10
    assert [a.status for a in settled if a.status not in (200, 201)] == []
    # nothing lost, nothing duplicated
    assert len(acknowledged) == EMPLOYEES
    rows = list(CheckIn.objects.values_list("employee_id", "pk"))
    assert len(rows) == EMPLOYEES
    assert dict(rows) == acknowledged
