"""API of the citizens' portal: services, my applications, one application; scoping and refusals."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import include, path
from django.utils import timezone
from ninja import NinjaAPI

from siaga.api.auth import SessionAuth, TokenAuth
from siaga.api.urls import api as main_api
from siaga.core.services import api_token_create
from siaga.services.api_portal import portal_router
from siaga.services.models import FaceToFaceRestriction, Mode

pytestmark = pytest.mark.django_db

# A test API with the main API's authentication and error handling serves the router (ninja lets one router
# be mounted on several APIs, so this keeps working once it is mounted in ``siaga.api.urls``).
_api = NinjaAPI(auth=[TokenAuth(), SessionAuth()], urls_namespace="portal-api-test", docs_url=None)
_api._exception_handlers.update(main_api._exception_handlers)
_api.add_router("/v1/", portal_router)
PREFIX = "/portal-api/v1"
urlpatterns = [path("portal-api/", _api.urls), path("", include("siaga.urls"))]


def token_client(user: Any, government: Any) -> Client:
    _token, key = api_token_create(government=government, user=user, name="app", actor=None)
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


@pytest.mark.urls(__name__)
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


@pytest.mark.urls(__name__)
def test_my_applications_and_one(desk: dict, make_application: Any) -> None:
    mine = make_application(desk["pbg"], desk["budi"])
    theirs = make_application(desk["usaha"], desk["siti"])
    client = token_client(desk["budi"].user, desk["government"])
    listed = client.get(f"{PREFIX}/portal/applications").json()
    assert [a["reference"] for a in listed] == [mine.reference]
    one = client.get(f"{PREFIX}/portal/applications/{mine.reference}")
    assert one.status_code == 200 and one.json()["status"] == "submitted"
    assert client.get(f"{PREFIX}/portal/applications/{theirs.reference}").status_code == 404


@pytest.mark.urls(__name__)
def test_officers_are_refused_and_anonymous_is_401(desk: dict, make_application: Any) -> None:
    app = make_application(desk["pbg"], desk["budi"])
    officer = token_client(desk["users"]["officer"], desk["government"])
    assert officer.get(f"{PREFIX}/portal/applications").status_code == 403
    assert officer.get(f"{PREFIX}/portal/applications/{app.reference}").status_code == 403
    assert Client().get(f"{PREFIX}/portal/applications").status_code == 401


@pytest.mark.urls(__name__)
def test_a_citizen_of_another_government_sees_nothing(
    desk: dict, make_application: Any, other_government: Any, make_citizen: Any, make_unit: Any
) -> None:
    app = make_application(desk["pbg"], desk["budi"])
    stranger = make_citizen(other_government, "warga-lain", "3374011205900009", "Warga Lain")
    client = token_client(stranger.user, other_government)
    assert client.get(f"{PREFIX}/portal/applications").json() == []
    assert client.get(f"{PREFIX}/portal/applications/{app.reference}").status_code == 404
    assert client.get(f"{PREFIX}/portal/services").json() == []
