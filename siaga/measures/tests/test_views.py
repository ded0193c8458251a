"""Pages and API of measures and disinfection: who may open and act, and each refusal."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from siaga.core.models import Role
from siaga.core.services import api_token_create
from siaga.measures import services
from siaga.measures.models import BuildingMeasure, DisinfectionTask
from siaga.measures.tests.test_disinfection import image_bytes, upload
from siaga.org.models import Building, Floor

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT


@pytest.fixture
def setup(office, make_user, other_government):
    today = timezone.localdate()
    office["users"]["citizen"] = make_user("warga", (office["government"], Role.CITIZEN))
    measure = services.measure_set(
        government=office["government"],
        building=office["building"],
        floor=office["floor"],
        kind="restrict",
        capacity_percent=50,
        start=today,
        end=today + dt.timedelta(days=3),
        reason="Klaster dalam penyelidikan",
    )
    [task] = services.disinfection_create(
        government=office["government"],
        building=office["building"],
        scheduled_date=today,
        team=[office["staff"]],
        team_name="Tim Satgas",
    )
    [kabid_task] = services.disinfection_create(
        government=office["government"], building=office["building"], scheduled_date=today, team=[office["kabid"]]
    )
    foreign_building = Building.objects.create(government=other_government, code="asing", name="Gedung Asing")
    foreign_floor = Floor.objects.create(
        government=other_government, building=foreign_building, number=1, capacity=10, distancing_capacity=5
    )
    foreign = services.measure_set(
        government=other_government,
        building=foreign_building,
        floor=foreign_floor,
        kind="close",
        start=today,
        end=today,
        reason="Lain",
    )
    [foreign_task] = services.disinfection_create(
        government=other_government, building=foreign_building, scheduled_date=today, team_name="Tim"
    )
    return {
        **office,
        "measure": measure,
        "task": task,
        "kabid_task": kabid_task,
        "foreign": foreign,
        "foreign_task": foreign_task,
    }


def as_user(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def test_everyone_in_the_government_sees_the_measures_but_not_other_governments(client, setup):
    for role in ("staff", "kabid", "officer", "health", "admin"):
        response = as_user(Client(), setup["users"][role]).get(reverse("measures:measure_list"))
        assert response.status_code == 200, role
        page = response.content.decode()
        assert "Klaster dalam penyelidikan" in page and "Gedung Asing" not in page
        assert ("New measure" in page) == (role in ("health", "admin")), role
    assert as_user(Client(), setup["users"]["citizen"]).get(reverse("measures:measure_list")).status_code == 403
    assert client.get(reverse("measures:measure_list")).status_code == 302  # to the login page


def test_only_the_task_force_and_bkpsdm_set_and_lift_measures(setup):
    today = timezone.localdate()
    form = {
        "building": setup["building"].pk,
        "floor": "",
        "kind": "close",
        "start": (today + dt.timedelta(days=5)).isoformat(),
        "end": (today + dt.timedelta(days=6)).isoformat(),
        "reason": "Disinfeksi gedung",
    }
    for role in ("staff", "kabid", "head", "officer", "citizen"):
        c = as_user(Client(), setup["users"][role])
        assert c.get(reverse("measures:measure_create")).status_code == 403, role
        assert c.post(reverse("measures:measure_create"), form).status_code == 403, role
        assert c.post(reverse("measures:measure_lift", args=[setup["measure"].pk])).status_code == 403, role
    c = as_user(Client(), setup["users"]["health"])
    assert c.post(reverse("measures:measure_create"), form).status_code == 302
    assert BuildingMeasure.objects.filter(reason="Disinfeksi gedung", floor__isnull=True).count() == 1
    bad = c.post(reverse("measures:measure_create"), {**form, "kind": "restrict", "capacity_people": 3})
    assert bad.status_code == 422 and "percentage" in bad.content.decode()
    assert c.post(reverse("measures:measure_lift", args=[setup["foreign"].pk])).status_code == 404
    assert c.post(reverse("measures:measure_lift", args=[setup["measure"].pk])).status_code == 302
    setup["measure"].refresh_from_db()
    assert setup["measure"].status == "lifted"


def test_disinfection_pages_by_role(setup, media):
    task, kabid_task = setup["task"], setup["kabid_task"]
    staff = as_user(Client(), setup["users"]["staff"])
    page = staff.get(reverse("measures:disinfection_list")).content.decode()
    assert reverse("measures:disinfection_detail", args=[task.pk]) in page
    assert reverse("measures:disinfection_detail", args=[kabid_task.pk]) not in page
    assert staff.get(reverse("measures:disinfection_detail", args=[kabid_task.pk])).status_code == 404
    assert staff.get(reverse("measures:disinfection_detail", args=[setup["foreign_task"].pk])).status_code == 404
    for name in ("disinfection_overdue", "disinfection_create"):
        assert staff.get(reverse(f"measures:{name}")).status_code == 403
    assert staff.post(reverse("measures:disinfection_cancel", args=[task.pk])).status_code == 403
    detail = staff.get(reverse("measures:disinfection_detail", args=[task.pk])).content.decode()
    assert 'capture="environment"' in detail and 'enctype="multipart/form-data"' in detail
    # Not a photo: refused on the page, nothing saved.
    bad = staff.post(reverse("measures:disinfection_complete", args=[task.pk]), {"photo": upload(b"GIF89a", "x.jpg")})
    assert bad.status_code == 422 and "not a JPEG or PNG" in bad.content.decode()
    ok = staff.post(reverse("measures:disinfection_complete", args=[task.pk]), {"photo": upload(image_bytes())})
    assert ok.status_code == 302
    task.refresh_from_db()
    assert task.status == "done"
    photo = staff.get(reverse("measures:disinfection_photo", args=[task.pk]))
    assert (photo.status_code, photo["Content-Type"], photo["X-Content-Type-Options"]) == (200, "image/jpeg", "nosniff")
    assert b"".join(photo.streaming_content)[:3] == b"\xff\xd8\xff"
    # The photo is for the task force and the team: a colleague outside the team cannot open it.
    kabid = as_user(Client(), setup["users"]["kabid"])
    assert kabid.get(reverse("measures:disinfection_photo", args=[task.pk])).status_code == 404
    assert (
        kabid.post(
            reverse("measures:disinfection_complete", args=[task.pk]), {"photo": upload(image_bytes())}
        ).status_code
        == 404
    )
    health = as_user(Client(), setup["users"]["health"])
    assert health.get(reverse("measures:disinfection_photo", args=[task.pk])).status_code == 200
    # Never under the web root.
    assert not str(media).startswith(str(settings.STATIC_ROOT))


def test_the_task_force_schedules_from_the_page(setup):
    health = as_user(Client(), setup["users"]["health"])
    today = timezone.localdate()
    response = health.post(
        reverse("measures:disinfection_create"),
        {
            "place_name": "SDN 1 Sukoharjo",
            "place_kind": "school",
            "address": "Jl. Pemuda 1",
            "scheduled_date": today.isoformat(),
            "team_nips": f"{setup['staff'].nip}\n{setup['kabid'].nip}",
            "team_name": "",
        },
    )
    assert response.status_code == 302
    task = DisinfectionTask.objects.get(place_name="SDN 1 Sukoharjo")
    assert sorted(e.pk for e in task.team.all()) == sorted([setup["staff"].pk, setup["kabid"].pk])
    bad = health.post(
        reverse("measures:disinfection_create"),
        {"place_name": "Pasar", "place_kind": "market", "scheduled_date": today.isoformat(), "team_nips": "123"},
    )
    assert bad.status_code == 422 and "No active employee with NIP 123" in bad.content.decode()


def api(gov: Any, user: Any) -> tuple[Client, dict[str, str]]:
    _token, key = api_token_create(government=gov, user=user, name="hp", actor=None)
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client, {"Authorization": f"Bearer {key}"}


def test_the_api_by_role(setup, media):
    gov, today = setup["government"], timezone.localdate()
    body = {
        "building": "menara-wijaya",
        "kind": "close",
        "start": (today + dt.timedelta(days=10)).isoformat(),
        "end": (today + dt.timedelta(days=11)).isoformat(),
        "reason": "Disinfeksi",
    }
    staff, staff_h = api(gov, setup["users"]["staff"])
    listed = staff.get("/api/v1/measures", headers=staff_h).json()
    assert [m["reason"] for m in listed["items"]] == ["Klaster dalam penyelidikan"]
    assert (
        staff.post("/api/v1/measures", json.dumps(body), content_type="application/json", headers=staff_h).status_code
        == 403
    )
    assert (
        staff.post(
            f"/api/v1/measures/{setup['measure'].pk}/lift", "{}", content_type="application/json", headers=staff_h
        ).status_code
        == 403
    )
    assert staff.get("/api/v1/disinfections/overdue", headers=staff_h).status_code == 403
    assert [t["id"] for t in staff.get("/api/v1/disinfections", headers=staff_h).json()["items"]] == [setup["task"].pk]
    health, health_h = api(gov, setup["users"]["health"])
    created = health.post("/api/v1/measures", json.dumps(body), content_type="application/json", headers=health_h)
    assert created.status_code == 201 and created.json()["place"] == "Gedung Menara Wijaya"
    again = health.post("/api/v1/measures", json.dumps(body), content_type="application/json", headers=health_h)
    assert again.status_code == 422 and "already has a measure" in again.json()["errors"]["start"][0]
    missing = health.post(
        "/api/v1/measures", json.dumps({**body, "floor": 9}), content_type="application/json", headers=health_h
    )
    assert missing.status_code == 422 and "no floor 9" in missing.json()["errors"]["floor"][0]
    assert (
        health.post(
            f"/api/v1/measures/{setup['foreign'].pk}/lift", "{}", content_type="application/json", headers=health_h
        ).status_code
        == 404
    )
    tasks = health.post(
        "/api/v1/disinfections",
        json.dumps(
            {
                "place_name": "Masjid Agung",
                "place_kind": "mosque",
                "scheduled_date": today.isoformat(),
                "team": [setup["staff"].nip],
                "repeat_every_days": 7,
                "repeat_until": (today + dt.timedelta(days=14)).isoformat(),
            }
        ),
        content_type="application/json",
        headers=health_h,
    )
    assert tasks.status_code == 201 and len(tasks.json()) == 3
    # A team member completes their own task from the phone (multipart).
    done = staff.post(
        f"/api/v1/disinfections/{setup['task'].pk}/complete",
        {"photo": upload(image_bytes()), "note": "ok"},
        headers=staff_h,
    )
    assert done.status_code == 200, done.content
    assert (done.json()["status"], done.json()["has_photo"]) == ("done", True)
    other = staff.post(
        f"/api/v1/disinfections/{setup['kabid_task'].pk}/complete", {"photo": upload(image_bytes())}, headers=staff_h
    )
    assert other.status_code == 404
    foreign = health.post(
        f"/api/v1/disinfections/{setup['foreign_task'].pk}/complete", {"photo": upload(image_bytes())}, headers=health_h
    )
    assert foreign.status_code == 404
    citizen, citizen_h = api(gov, setup["users"]["citizen"])
    assert citizen.get("/api/v1/measures", headers=citizen_h).status_code == 403
