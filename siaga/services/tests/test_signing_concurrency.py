"""Two officials (the head and the Plh) signing at the same moment, on PostgreSQL: different
applications of one unit take different numbers; the same application is signed once."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from conftest import postgresql_only
from siaga.core.access import actor_for_user
from siaga.services import signing as signing_service
from siaga.services.models import Application, IssuedDocument, Status
from siaga.services.tests.test_documents_setup import *  # noqa: F403 - the fixtures
from siaga.services.tests.test_documents_setup import PASSPHRASE, awaiting, make_plh


def race(signing: dict, targets: list[Application]) -> tuple[list[IssuedDocument], list[BaseException]]:
    make_plh(signing, signing["kabid"])
    users = [signing["users"]["head"], signing["users"]["kabid"]]
    barrier = threading.Barrier(len(targets))
    done: list[IssuedDocument] = []
    errors: list[BaseException] = []

    def sign(i: int) -> None:
        from django.db import connection as conn

        try:
            actor = actor_for_user(users[i % 2])
            barrier.wait()
            done.append(signing_service.sign_application(application=targets[i], actor=actor, passphrase=PASSPHRASE))
        except BaseException as exc:
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=sign, args=(i,)) for i in range(len(targets))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return done, errors


@pytest.mark.django_db(transaction=True)
@postgresql_only
def test_concurrent_signatures_take_distinct_numbers(signing: dict, make_application: Any) -> None:
    second = awaiting(make_application, signing["usaha"], signing["siti"])
    done, errors = race(signing, [signing["application"], second])
    assert errors == []
    assert sorted(d.number.split("/")[1] for d in done) == ["0001", "0002"]
    assert Application.objects.filter(status=Status.ISSUED).count() == 2


@pytest.mark.django_db(transaction=True)
@postgresql_only
def test_the_same_application_is_signed_once(signing: dict, signing_settings: Any) -> None:
    done, errors = race(signing, [signing["application"], signing["application"]])
    assert len(done) == 1 and len(errors) == 1
    assert "handled meanwhile" in str(errors[0]) or "not awaiting signature" in str(errors[0])
    assert IssuedDocument.objects.count() == 1
    stored = list((signing_settings.MEDIA_ROOT / "documents").rglob("*.pdf"))
    assert len(stored) == 1
