"""Drill: two web processes against one PostgreSQL database. Two gunicorn masters (deploy/gunicorn.conf.py,
one worker each, different ports) serve the same database; clients alternate between them as a load
balancer would.

What must hold (docs/reliability.md): two officers taking the same application at the same moment
through different processes: one gets it, the other is told who has it; a citizen registering twice at
the same moment through both: one account; a session opened on one process is valid on the other, and a
CSRF token from one is accepted by the other; a login lockout counted on one holds on the other.
The public verification rate limit, counted in the database, holds across the processes too.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from conftest import PASSWORD
from siaga.core.models import Role
from siaga.core.services import api_token_create
from siaga.delivery.tests.conftest import desk, make_application, make_citizen  # noqa: F401 - fixtures
from siaga.services.models import Citizen, Status
from siaga.services.tests.test_portal import NIK_NEW
from tests.reliability.conftest import Answer, Browser, Web, launch_web, postgresql_only

# The web processes check passwords with the production hashers (Argon2), so the tests hash with them too.
pytestmark = [postgresql_only, pytest.mark.django_db(transaction=True), pytest.mark.real_hashing]


def at_once(*jobs: Callable[[], Answer]) -> list[Answer]:
    """Run the requests at the same moment (threads released together); their answers in order."""
    barrier = threading.Barrier(len(jobs))
    answers: list[Answer | None] = [None] * len(jobs)

    def run(i: int, job: Callable[[], Answer]) -> None:
        barrier.wait()
        answers[i] = job()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert all(a is not None for a in answers)
    return answers  # type: ignore[return-value]


@pytest.fixture(scope="module")
def pair(django_db_setup: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Web, Web]]:
    """Two gunicorn masters with one worker each, shared by the tests of this module (each test's data
    is committed, then flushed after it)."""
    directory = tmp_path_factory.mktemp("web")
    webs = (launch_web(directory, workers=1, threads=4), launch_web(directory, workers=1, threads=4))
    yield webs
    for web in webs:
        web.stop()


def test_two_officers_take_the_same_application_through_two_processes(
    desk: dict[str, Any],  # noqa: F811 - the imported fixture
    make_application: Any,  # noqa: F811 - the imported fixture
    make_employee: Any,
    make_user: Any,
    pair: tuple[Web, Web],
) -> None:
    government = desk["government"]
    second = make_user("petugas2", (government, Role.SERVICE_OFFICER))
    make_employee(desk["pelayanan"], "Petugas Kedua", user=second)
    officers = [desk["users"]["officer"], second]
    tokens = [api_token_create(government=government, user=u, name="drill", actor=None)[1] for u in officers]
    a, b = pair
    for round_ in range(5):
        app = make_application(desk["usaha"], desk["budi"], status=Status.SUBMITTED, reference=f"DRILL{round_:05d}")
        path = f"/api/v1/services/office/applications/{app.pk}/take"
        answers = at_once(
            *(
                lambda web=web, token=token, path=path: web.request(
                    "POST", path, b"", {"Authorization": f"Bearer {token}"}
                )
                for web, token in ((a, tokens[0]), (b, tokens[1]))
            )
        )
        assert sorted(x.status for x in answers) == [200, 422], [x.text for x in answers]
        refused = next(x for x in answers if x.status == 422)
        assert "already handles this application" in json.dumps(refused.json(), ensure_ascii=False) or (
            "sudah menangani permohonan ini" in json.dumps(refused.json(), ensure_ascii=False)
        )
        app.refresh_from_db()
        winner = next(i for i, x in enumerate(answers) if x.status == 200)
        assert app.assigned_to.user_id == officers[winner].pk
        assert app.events.filter(note__icontains="Petugas").count() == 1


def test_a_citizen_registering_twice_at_once_through_two_processes_gets_one_account(
    government: Any, pair: tuple[Web, Web]
) -> None:
    a, b = pair
    path = f"/layanan/{government.code}/daftar/"
    browsers = [Browser(), Browser()]
    forms = []
    for browser, web in zip(browsers, pair, strict=True):
        forms.append(
            {
                "csrfmiddlewaretoken": browser.csrf_token(web, path),
                "nik": NIK_NEW,
                "name": "Dewi Lestari",
                "email": "dewi@example.com",
                "phone": "",
                "password": "Rahasia-warga-2024",
                "password2": "Rahasia-warga-2024",
                "address": "Jl. Veteran 5, Sukoharjo",
            }
        )
    answers = at_once(
        lambda: browsers[0].request(a, "POST", path, forms[0]),
        lambda: browsers[1].request(b, "POST", path, forms[1]),
    )
    assert all(x.status in (200, 302) for x in answers), [(x.status, x.text[-500:]) for x in answers]
    assert any(x.status == 302 for x in answers)
    assert Citizen.objects.filter(nik=NIK_NEW).count() == 1
    assert get_user_model().objects.filter(citizen__nik=NIK_NEW).count() == 1


def test_a_session_and_a_csrf_token_from_one_process_work_on_the_other(
    org: dict[str, Any], pair: tuple[Web, Web]
) -> None:
    a, b = pair
    browser = Browser()
    token = browser.csrf_token(a, "/login/")  # the form from A …
    logged_in = browser.request(
        b, "POST", "/login/", {"csrfmiddlewaretoken": token, "username": "bkpsdm", "password": PASSWORD}
    )
    assert logged_in.status == 302, logged_in.text[-1000:]  # … accepted by B
    for web in (a, b, a):
        page = browser.request(web, "GET", "/")
        assert page.status == 200 and 'href="/login/"' not in page.text
    # and a form opened on B is accepted by A (log out needs the CSRF token)
    token = browser.csrf_token(b, "/")
    assert browser.request(a, "POST", "/logout/", {"csrfmiddlewaretoken": token}).status == 302
    assert browser.request(b, "GET", "/").status == 302  # logged out on both


def test_a_login_lockout_counted_on_one_process_holds_on_the_other(
    org: dict[str, Any], settings: Any, pair: tuple[Web, Web]
) -> None:
    a, b = pair
    limit = settings.AXES_FAILURE_LIMIT
    browser = Browser()
    for attempt in range(limit):
        web = (a, b)[attempt % 2]  # the failures alternate between the processes
        token = browser.csrf_token(web, "/login/")
        wrong = browser.request(
            web, "POST", "/login/", {"csrfmiddlewaretoken": token, "username": "staf", "password": "salah-123456"}
        )
        assert wrong.status in (200, 403, 429)
    for web in (a, b):
        token = browser.csrf_token(web, "/login/")
        right = browser.request(
            web, "POST", "/login/", {"csrfmiddlewaretoken": token, "username": "staf", "password": PASSWORD}
        )
        assert right.status in (403, 429), right.status
        assert "Too many failed log-in attempts" in right.text or "Terlalu banyak" in right.text


def test_the_public_verification_rate_limit_holds_across_processes(settings: Any, pair: tuple[Web, Web]) -> None:
    """The budget is counted in the database (siaga.core.ratelimit), so both processes share it."""
    a, b = pair
    budget = settings.VERIFY_RATE_LIMIT  # requests a minute from one address
    if time.time() % 60 > 45:  # the budget is per minute: start in a fresh minute, not across its edge
        time.sleep(61 - time.time() % 60)
    statuses = [a.request("GET", "/verifikasi/tidak-ada/").status for _ in range(budget)]
    assert 429 not in statuses
    assert b.request("GET", "/verifikasi/tidak-ada/").status == 429  # the budget is spent, on either process
