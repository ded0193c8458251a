"""A regency's morning, for locust: ``locust -f bench/load/locustfile.py`` (bench/load/run.py starts it).

The accounts come from ``LOAD_ACCOUNTS`` (the ``accounts.json`` written by ``bench.load.seed``); the
pace from ``LOAD_SPEED`` (default 1: real time; 3 runs the quarter hour in five minutes with every
rate tripled). Users, all of them real accounts of the seeded regency:

- ``Employee`` (40 at once): 7,000 check-ins in 15 minutes. Each iteration is the next ASN of the list:
  one in five signs in with the password (the others come back with the session of an earlier sign-in),
  three in ten open the home page, everyone opens *Jadwal saya* (``/roster/me/``) and checks in per the
  roster (WFO at their building, or WFH): half through the phone app's API with their token, half with
  the web form.
- ``Citizen`` (2 at once): 500 applications an hour. Each iteration is the next resident: sign in on the
  portal, open a service's application form, submit it with a small PDF for every requirement, view the
  list of their applications.
- ``Leader`` (40) and ``TaskForce`` (10): the 50 dashboard viewers; the command center, refreshed every
  60 seconds (htmx), and for the task force the outbreak dashboard too.
- ``Baseline`` (1): ``GET /healthz`` once a second, the reference in the same run.
"""

from __future__ import annotations

import io
import itertools
import json
import os
import random
import threading
import uuid
from typing import Any

import gevent
from locust import HttpUser, constant_pacing, events, task
from locust.exception import StopUser
from urllib3.util.retry import Retry

SPEED = float(os.environ.get("LOAD_SPEED") or 1)
WINDOW_S = 15 * 60  # the morning's quarter hour of check-ins
CHECK_INS = 7_000
APPLICATIONS_PER_HOUR = 500
# users at once (the smoke test in tests/load makes them fewer)
EMPLOYEE_USERS = int(os.environ.get("LOAD_EMPLOYEE_USERS") or 40)
CITIZEN_USERS = int(os.environ.get("LOAD_CITIZEN_USERS") or 2)
LEADER_USERS = int(os.environ.get("LOAD_LEADER_USERS") or 40)
TASK_FORCE_USERS = int(os.environ.get("LOAD_TASK_FORCE_USERS") or 10)
REFRESH_S = 60


def _load() -> dict[str, Any]:
    path = os.environ.get("LOAD_ACCOUNTS")
    if not path:
        return {"asn": [], "citizens": [], "viewers": [], "services": [], "government": "", "password": ""}
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


ACCOUNTS = _load()
_asn = iter(ACCOUNTS["asn"][:CHECK_INS])
_citizens = itertools.cycle(ACCOUNTS["citizens"] or [None])
_lock = threading.Lock()


def _next_asn() -> dict[str, Any] | None:
    with _lock:
        return next(_asn, None)


def _pdf() -> bytes:
    """A small real PDF (one page), as a scanned KTP would be."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (200, 120), (200, 200, 190)).save(out, "PDF")
    return out.getvalue()


PDF = _pdf()


#: GETs sent again on a new connection because the server had closed the idle keep-alive connection they
#: were sent on (a gunicorn worker restarting after ``max_requests``), as browsers do (RFC 9112 §9.3.1);
#: the time of both tries is the request's time, and the count is reported
RECONNECTS = 0


def _reconnecting(user: HttpUser) -> None:
    adapter = user.client.get_adapter("http://")
    adapter.max_retries = Retry(
        total=1, connect=0, read=1, status=0, other=0, redirect=False,
        allowed_methods=frozenset({"GET", "HEAD"}), raise_on_status=False,
    )  # fmt: skip
    send = adapter.send

    def counting_send(request: Any, **kwargs: Any) -> Any:
        global RECONNECTS
        response = send(request, **kwargs)
        RECONNECTS += len(getattr(getattr(response.raw, "retries", None), "history", ()) or ())
        return response

    adapter.send = counting_send  # type: ignore[method-assign]


@events.test_stop.add_listener
def _write_reconnects(**_: Any) -> None:
    path = os.environ.get("LOAD_RECONNECTS_FILE")
    if path:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(str(RECONNECTS))


class _SiagaUser(HttpUser):
    abstract = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _reconnecting(self)


def _csrf(user: HttpUser) -> str:
    return user.client.cookies.get("csrftoken", "")


def _post_form(
    user: HttpUser, path: str, data: dict[str, Any], *, name: str, refused: str, page: str = "", **extra: Any
) -> bool:
    """POST a form as the browser does from ``page`` (default: ``path``) with its CSRF token; a failure
    unless it redirects (302)."""
    with user.client.post(
        path,
        data=data | {"csrfmiddlewaretoken": _csrf(user)},
        headers={"Referer": f"{user.host}{page or path}"},
        allow_redirects=False,
        name=name,
        catch_response=True,
        **extra,
    ) as response:
        if response.status_code != 302:
            response.failure(f"{refused} ({response.status_code})")
            return False
    return True


def _sign_in(user: HttpUser, username: str, password: str, *, name: str) -> bool:
    user.client.get("/login/", name=f"{name}: GET /login/")
    return _post_form(
        user,
        "/login/",
        {"username": username, "password": password},
        name=f"{name}: POST /login/",
        refused="sign-in refused",
    )


class Employee(_SiagaUser):
    """The morning check-ins: an iteration per ASN, paced so that 40 users make 7,000 in 15 minutes."""

    fixed_count = EMPLOYEE_USERS
    wait_time = constant_pacing(WINDOW_S * EMPLOYEE_USERS / CHECK_INS / SPEED)

    @task
    def morning(self) -> None:
        person = _next_asn()
        if person is None:
            raise StopUser()
        self.client.cookies.clear()
        via_api = random.random() < 0.5
        if random.random() < 0.2:
            if not _sign_in(self, person["username"], ACCOUNTS["password"], name="ASN"):
                return
        else:
            self.client.cookies.set("sessionid", person["session"])
        if random.random() < 0.3:
            self.client.get("/", name="ASN: GET / (home)")
        self.client.get("/roster/me/", name="ASN: GET /roster/me/ (Jadwal saya)")
        body: dict[str, Any] = {"mode": person["mode"], "idempotency_key": uuid.uuid4().hex}
        if person["mode"] == "wfo":
            body |= {"latitude": person["lat"], "longitude": person["lon"]}
        if via_api:
            with self.client.post(
                "/api/v1/attendance/check-ins",
                json=body | {"accuracy_m": 10},
                headers={"Authorization": f"Bearer {person['token']}"},
                name="ASN: POST /api/v1/attendance/check-ins",
                catch_response=True,
            ) as response:
                if response.status_code not in (200, 201):
                    response.failure(f"check-in refused ({response.status_code}): {response.text[:200]}")
            return
        self.client.get("/attendance/", name="ASN: GET /attendance/")
        form = dict(body) | {"accuracy": 10}
        name = "ASN: POST /attendance/check-in/"
        _post_form(self, "/attendance/check-in/", form, name=name, refused="check-in refused", page="/attendance/")


class Citizen(_SiagaUser):
    """500 applications an hour, each by a resident of the regency with a PDF for every requirement."""

    fixed_count = CITIZEN_USERS
    wait_time = constant_pacing(3600 * CITIZEN_USERS / APPLICATIONS_PER_HOUR / SPEED)

    @task
    def apply(self) -> None:
        resident = next(_citizens)
        if resident is None or not ACCOUNTS["services"]:
            raise StopUser()
        self.client.cookies.clear()
        if not _sign_in(self, resident["username"], ACCOUNTS["password"], name="Citizen"):
            return
        service = random.choice(ACCOUNTS["services"])
        url = f"/layanan/{ACCOUNTS['government']}/{service['code']}/ajukan/"
        self.client.get(url, name="Citizen: GET apply form")
        files = {name: (f"{name}.pdf", PDF, "application/pdf") for name in service["files"]}
        data = service["fields"] | {"handover": "download"}
        _post_form(self, url, data, name="Citizen: POST apply (PDF upload)", refused="application refused", files=files)
        self.client.get("/layanan/permohonan/", name="Citizen: GET /layanan/permohonan/")


def _viewers(role: str) -> list[dict[str, Any]]:
    return [v for v in ACCOUNTS["viewers"] if v["role"] == role]


class _Viewer(_SiagaUser):
    abstract = True
    role = ""
    wait_time = constant_pacing(REFRESH_S / SPEED)
    _pool: itertools.count[int] = itertools.count()

    def on_start(self) -> None:
        mine = _viewers(self.role)
        if not mine:
            raise StopUser()
        self.client.cookies.set("sessionid", mine[next(self._pool) % len(mine)]["session"])
        # viewers opened the page at different moments: spread over one refresh interval
        gevent.sleep(random.uniform(0, REFRESH_S / SPEED))
        self.client.get("/command/", name="Viewer: GET /command/")

    @task
    def refresh(self) -> None:
        self.client.get("/command/", headers={"HX-Request": "true"}, name="Viewer: GET /command/ (htmx refresh)")


class Leader(_Viewer):
    fixed_count = LEADER_USERS
    role = "leader"


class TaskForce(_Viewer):
    fixed_count = TASK_FORCE_USERS
    role = "health"

    @task
    def outbreak(self) -> None:
        self.client.get("/outbreak/dashboard/", name="Task force: GET /outbreak/dashboard/")


class Baseline(_SiagaUser):
    """The reference: the health check (one query) once a second under the same load."""

    fixed_count = 1
    wait_time = constant_pacing(1)

    path = os.environ.get("LOAD_BASELINE_PATH") or "/healthz"

    @task
    def healthz(self) -> None:
        self.client.get(self.path, name=f"Baseline: GET {self.path}")
