"""Shared test fixtures: governments, units, employees and users for every role."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import translation

from siaga.core.access import Actor, actor_for_user
from siaga.core.models import Government, Role, RoleAssignment
from siaga.org.identifiers import make_nip
from siaga.org.models import Employee, Position, Unit

pytest_plugins = ["tests.browser.fixtures"]  # browser, page, log_in for every browser test

PASSWORD = "Rahasia-uji-123"  # noqa: S105


#: Races between row locks: SQLite serialises whole-database writes and has no row locks, so these run
#: on PostgreSQL, which `make test` always starts (scripts/with-postgres.sh).
def needs_postgresql(reason: str) -> pytest.MarkDecorator:
    """Skip on SQLite, saying why the test needs PostgreSQL; make test runs it in its PostgreSQL pass."""
    return pytest.mark.skipif(connection.vendor != "postgresql", reason=reason)


postgresql_only = needs_postgresql(
    "a race between row locks: SQLite serialises writers, so it runs on PostgreSQL (make test)"
)


def race(jobs: list[Callable[[], Any]]) -> tuple[list[Any], list[BaseException]]:
    """Run ``jobs`` at the same moment, each in a thread with its own database connection; return what
    they returned and what they raised."""
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = []
    errors: list[BaseException] = []

    def run(job: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results.append(job())
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


_serial = itertools.count(1)


@pytest.fixture(autouse=True)
def fast_password_hashing(request: pytest.FixtureRequest, settings: Any) -> None:
    """Argon2 is deliberately slow; tests use a fast hasher unless marked ``real_hashing``."""
    if "real_hashing" not in request.keywords:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_dashboard_figures() -> None:
    """The outbreak dashboard's figures kept by this process belong to the test that counted them (a rolled
    back test's ids come back in the next one on SQLite)."""
    from siaga.outbreak import dashboard

    dashboard.forget()


@pytest.fixture(autouse=True)
def english_by_default(request: pytest.FixtureRequest, settings: Any) -> Iterator[None]:
    """Tests read messages by their English msgids; tests marked ``indonesian`` (and the browser tests)
    keep the real default, Bahasa Indonesia."""
    if "indonesian" in request.keywords:
        yield
        return
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def government(db: Any) -> Government:
    return Government.objects.create(code="33.11", name="Kabupaten Sukoharjo", kind="kabupaten")


@pytest.fixture
def other_government(db: Any) -> Government:
    return Government.objects.create(code="33.13", name="Kabupaten Karanganyar", kind="kabupaten")


@pytest.fixture
def make_unit() -> Callable[..., Unit]:
    def factory(
        government: Government, code: str, kind: str = "dinas", parent: Unit | None = None, **extra: Any
    ) -> Unit:
        return Unit.objects.create(
            government=government, code=code, name=extra.pop("name", f"Unit {code}"), kind=kind, parent=parent, **extra
        )

    return factory


@pytest.fixture
def make_employee() -> Callable[..., Employee]:
    def factory(
        unit: Unit,
        name: str = "",
        *,
        position: Position | None = None,
        user: Any = None,
        status: str = "pns",
        sex: str = "M",
        birth: dt.date | None = None,
        **extra: Any,
    ) -> Employee:
        serial = next(_serial)
        birth = birth or dt.date(1980, 1 + serial % 12, 1 + serial % 28)
        nip = make_nip(birth=birth, appointed=(birth.year + 25, 3), sex=sex, serial=serial % 999 + 1)
        return Employee.objects.create(
            government_id=unit.government_id,
            unit=unit,
            name=name or f"Pegawai {serial}",
            nip=nip,
            birth_date=birth,
            sex=sex,
            status=status,
            position=position,
            user=user,
            **extra,
        )

    return factory


@pytest.fixture
def make_user(db: Any) -> Callable[..., Any]:
    def factory(username: str, *roles: tuple[Government, str]) -> Any:
        user = get_user_model().objects.create_user(
            username=username, password=PASSWORD, email=f"{username}@example.go.id"
        )
        for gov, role in roles:
            RoleAssignment.objects.create(user=user, government=gov, role=role)
        return user

    return factory


@pytest.fixture
def org(
    government: Government,
    make_unit: Callable[..., Unit],
    make_employee: Callable[..., Employee],
    make_user: Callable[..., Any],
) -> dict[str, Any]:
    """A small organisation: a Dinas with two bidang, a head for each, staff, and users for every role."""
    dinas = make_unit(government, "DPMPTSP", "dinas", name="DPMPTSP", public_service=True)
    pelayanan = make_unit(government, "DPMPTSP-PEL", "bidang", dinas, name="Bidang Pelayanan")
    umum = make_unit(government, "DPMPTSP-UMUM", "bidang", dinas, name="Bidang Umum")
    other = make_unit(government, "DINKES", "dinas", name="Dinas Kesehatan")
    kadis_pos = Position.objects.create(
        government=government, unit=dinas, name="Kepala Dinas", kind="struktural", level="jpt_pratama", is_head=True
    )
    kabid_pos = Position.objects.create(
        government=government,
        unit=pelayanan,
        name="Kepala Bidang Pelayanan",
        kind="struktural",
        level="administrator",
        is_head=True,
    )
    users = {
        "admin": make_user("bkpsdm", (government, Role.ADMIN)),
        "health": make_user("satgas", (government, Role.HEALTH)),
        "officer": make_user("petugas", (government, Role.SERVICE_OFFICER)),
        "head": make_user("kadis"),
        "kabid": make_user("kabid"),
        "staff": make_user("staf"),
        "other_staff": make_user("stafdinkes"),
    }
    kadis = make_employee(dinas, "Kepala Dinas", position=kadis_pos, user=users["head"])
    kabid = make_employee(pelayanan, "Kepala Bidang", position=kabid_pos, user=users["kabid"])
    staff = make_employee(
        pelayanan, "Staf Pelayanan", user=users["staff"], email="staf@example.go.id", phone="081234567890"
    )
    staff_umum = make_employee(umum, "Staf Umum")
    other_staff = make_employee(other, "Staf Dinkes", user=users["other_staff"])
    return {
        "government": government,
        "dinas": dinas,
        "pelayanan": pelayanan,
        "umum": umum,
        "other_unit": other,
        "kadis": kadis,
        "kabid": kabid,
        "staff": staff,
        "staff_umum": staff_umum,
        "other_staff": other_staff,
        "users": users,
    }


@pytest.fixture
def actor_of() -> Callable[..., Actor]:
    def factory(user: Any, government: Government | None = None) -> Actor:
        return actor_for_user(user, government_id=government.pk if government else None)

    return factory


@pytest.fixture
def login(client: Any) -> Callable[[Any], Any]:
    def factory(user: Any) -> Any:
        client.force_login(user)
        return client

    return factory
