"""Seed the demo regency for the load test and prepare its accounts: ``python -m bench.load.seed DIR``.

Runs in the environment of the database to fill (``DATABASE_URL``). Seeds the regency (``siaga demo
seed``, ``roster``, ``services``, ``outbreak``), then, in bulk:

- a user account for every active employee rostered at the office or at home today (one password hash
  shared by all, so that preparing 7,000 accounts takes seconds), an API token each (the phone app's way
  in) and a signed-in session each (the browser of someone who signed in earlier);
- 40 regional leaders and 10 task-force members with a session each (the dashboard viewers);
- the demo citizens (they sign in with the demo password) and the services open for online applications,
  with the form's field names.

Writes ``DIR/accounts.json`` for the locustfile.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import sys
import time
from pathlib import Path
from typing import Any

LEADERS = 40
TASK_FORCE = 10


def _sessions(users: list[Any]) -> list[str]:
    """A signed-in session per user, written in bulk (what ``django.contrib.auth.login`` stores)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    store = SessionStore()
    expires = timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    rows, keys = [], []
    for user in users:
        key = secrets.token_hex(16)
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
        rows.append(Session(session_key=key, session_data=store.encode(data), expire_date=expires))
        keys.append(key)
    Session.objects.bulk_create(rows, batch_size=2000)
    return keys


def _tokens(government: Any, users: list[Any]) -> list[str]:
    from siaga.core.models import ApiToken
    from siaga.core.services import hash_token

    keys = [f"sga_load{secrets.token_hex(20)}" for _ in users]
    ApiToken.objects.bulk_create(
        [
            ApiToken(
                government=government,
                user=user,
                name="load test",
                prefix=key[:10],
                key_hash=hash_token(key),
                scopes=["attendance:read", "attendance:write"],  # what the phone app's check-in needs
            )
            for user, key in zip(users, keys, strict=True)
        ],
        batch_size=2000,
    )
    return keys


def main(directory: Path) -> None:
    import django

    django.setup()
    from io import StringIO

    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.utils import timezone

    from siaga.attendance.services import workplace_of
    from siaga.core.models import Government, Role, RoleAssignment
    from siaga.demo.accounts import DEMO_PASSWORD
    from siaga.demo.data import GOVERNMENT_CODE
    from siaga.org.models import Employee
    from siaga.rostering.models import Absence, Leave, RosterAssignment, RosterPlan
    from siaga.services import selectors as service_selectors
    from siaga.services.forms_portal import ApplicationForm
    from siaga.services.models import Citizen, Mode, Service

    started = time.perf_counter()
    out = StringIO()
    call_command("demo", "seed", f"--scale={os.environ.get('LOAD_SCALE', 'regency')}", "--seed=2020", stdout=out)
    call_command("demo", "roster", "--time-limit=10", stdout=out)
    call_command("demo", "services", "--seed=2020", stdout=out)
    call_command("demo", "outbreak", "--seed=2020", stdout=out)
    seeded = time.perf_counter() - started

    gov = Government.objects.get(code=GOVERNMENT_CODE)
    today = timezone.localtime(timezone.now(), gov.tzinfo).date()
    # today's roster, the newest published plan winning; only people rostered to work check in
    plan_rows = (
        RosterAssignment.objects.filter(
            plan__government=gov, plan__status=RosterPlan.Status.PUBLISHED, date=today, employee__is_active=True
        )
        .order_by("-plan__published_at", "-plan_id")
        .values_list("employee_id", "mode")
    )
    modes: dict[int, str] = {}
    for emp, mode in plan_rows:
        modes.setdefault(emp, mode)
    working = {emp: mode for emp, mode in modes.items() if mode in ("wfo", "wfh")}
    # people in isolation or quarantine today work from home, as the check-in tells them to (the outbreak
    # seed puts them there after the roster was published, and no worker replans during the run); people
    # on leave, travelling or otherwise absent do not check in
    for emp, reason in Absence.objects.filter(employee_id__in=working, start__lte=today, end__gte=today).values_list(
        "employee_id", "reason"
    ):
        if reason in ("isolation", "quarantine"):
            working[emp] = "wfh"
        else:
            working.pop(emp, None)
    on_leave = Leave.objects.filter(
        employee_id__in=working, status=Leave.Status.APPROVED, start__lte=today, end__gte=today
    ).values_list("employee_id", flat=True)
    for emp in on_leave:
        working.pop(emp, None)
    employees = list(
        Employee.objects.filter(pk__in=working, user__isnull=True)
        .select_related("unit__floor__building", "unit__building", "floor__building", "building")
        .order_by("pk")
    )
    User = get_user_model()
    password = make_password(DEMO_PASSWORD)
    users = User.objects.bulk_create(
        [User(username=f"asn.{e.nip}", password=password, first_name=e.name[:150]) for e in employees],
        batch_size=2000,
    )
    for employee, user in zip(employees, users, strict=True):
        employee.user = user
    Employee.objects.bulk_update(employees, ["user"], batch_size=2000)
    tokens = _tokens(gov, users)
    sessions = _sessions(users)
    asn = []
    for employee, user, token, session in zip(employees, users, tokens, sessions, strict=True):
        building, _floor = workplace_of(employee)
        mode = working[employee.pk]
        if mode == "wfo" and (building is None or building.latitude is None):
            mode = "wfh"  # nowhere to check in at: the person works from home in the scenario
        asn.append(
            {
                "username": user.username,
                "token": token,
                "session": session,
                "mode": mode,
                "lat": float(building.latitude) if mode == "wfo" and building else None,
                "lon": float(building.longitude) if mode == "wfo" and building else None,
            }
        )

    viewers = []
    for role, count in ((Role.LEADER, LEADERS), (Role.HEALTH, TASK_FORCE)):
        made = [
            User.objects.create_user(f"load.{role}.{i:02d}", password=None, email=f"load.{role}.{i}@example.go.id")
            for i in range(count)
        ]
        RoleAssignment.objects.bulk_create([RoleAssignment(user=u, government=gov, role=role) for u in made])
        viewers += [{"role": str(role), "session": key} for key in _sessions(made)]

    citizens = [
        {"username": username}
        for username in Citizen.objects.filter(government=gov, user__isnull=False)
        .order_by("pk")
        .values_list("user__username", flat=True)
    ]
    services = []
    for service in Service.objects.filter(government=gov, is_active=True).order_by("code"):
        if service_selectors.effective_mode(service, today) == Mode.IN_PERSON:
            continue
        form = ApplicationForm(service=service)
        fields = {name: "Uji beban pagi" for name, f in form.fields.items() if name.startswith("field_")}
        files = [name for name in form.fields if name.startswith("req_")]
        handover = [value for value, _label in form.fields["handover"].choices]
        if "download" not in handover:
            continue
        services.append({"code": service.code, "fields": fields, "files": files})
    if not services:
        raise SystemExit("no service of the demo regency takes online applications with a download")
    (directory / "accounts.json").write_text(
        json.dumps(
            {
                "government": gov.code,
                "today": today.isoformat(),
                "password": DEMO_PASSWORD,
                "asn": asn,
                "viewers": viewers,
                "citizens": citizens,
                "services": services,
            }
        )
    )
    print(
        json.dumps(
            {
                "seed_s": round(seeded, 1),
                "prepare_s": round(time.perf_counter() - started - seeded, 1),
                "asn": len(asn),
                "wfo": sum(1 for a in asn if a["mode"] == "wfo"),
                "viewers": len(viewers),
                "citizens": len(citizens),
                "services": len(services),
            }
        )
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]))
