"""API of the citizens' portal: services, my applications, one application; scoping and refusals."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from siaga.core.services import api_token_create
from siaga.services.models import FaceToFaceRestriction, Mode

pytestmark = pytest.mark.django_db

PREFIX = "/api/v1"


def token_client(user: Any, government: Any) -> Client:
    _token, key = api_token_create(government=government, user=user, name="app", actor=None)
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def test_services_with_todays_mode(desk: dict) -> None:
    usaha = desk["usaha"]
    usaha.mode, usaha.restricted_mode = Mode.ONLINE, Mode.IN_PERSON
    usaha.save()
    FaceToFaceRestriction.objects.create(government=desk["government"], start=timezone.localdate(), reason="PPKM")
    client = token_client(desk["budi"].user, desk["government"])
    body = client.get(f"{PREFIX}/portal/services").json()
    modes = {s["code"]: (s["mode"], s["online"]) for s in body}
    assert modes == {"izin-usaha-mikro": ("in_person", False), "pbg": ("online", True)}
    assert [r["code"] for r in next(s for s in body if s["code"] == "pbg")["requirements"]] == ["ktp", "gambar"]


def test_my_applications_and_one(desk: dict, make_application: Any) -> None:
    mine = make_application(desk["pbg"], desk["budi"])
    theirs = make_application(desk["usaha"], desk["siti"])
    client = token_client(desk["budi"].user, desk["government"])
    listed = client.get(f"{PREFIX}/portal/applications").json()
    assert [a["reference"] for a in listed] == [mine.reference]
    one = client.get(f"{PREFIX}/portal/applications/{mine.reference}")
    assert one.status_code == 200 and one.json()["status"] == "submitted"
    assert client.get(f"{PREFIX}/portal/applications/{theirs.reference}").status_code == 404


def test_officers_are_refused_and_anonymous_is_401(desk: dict, make_application: Any) -> None:
    app = make_application(desk["pbg"], desk["budi"])
    officer = token_client(desk["users"]["officer"], desk["government"])
    assert officer.get(f"{PREFIX}/portal/applications").status_code == 403
    assert officer.get(f"{PREFIX}/portal/applications/{app.reference}").status_code == 403
    assert Client().get(f"{PREFIX}/portal/applications").status_code == 401


def test_a_citizen_of_another_government_sees_nothing(
    desk: dict, make_application: Any, other_government: Any, make_citizen: Any, make_unit: Any
) -> None:
    app = make_application(desk["pbg"], desk["budi"])
    stranger = make_citizen(other_government, "warga-lain", "3374011205900009", "Warga Lain")
    client = token_client(stranger.user, other_government)
    assert client.get(f"{PREFIX}/portal/applications").json() == []
    assert client.get(f"{PREFIX}/portal/applications/{app.reference}").status_code == 404
    assert client.get(f"{PREFIX}/portal/services").json() == []
