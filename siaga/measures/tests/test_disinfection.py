"""Disinfection tasks: scheduling (one-off and recurring), completion with a photo checked by content,
the overdue list and the daily alert to the task force."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from siaga.core.models import AuditEvent, Notification
from siaga.measures import selectors, services
from siaga.measures.models import DisinfectionTask

pytestmark = pytest.mark.django_db


def image_bytes(kind: str = "JPEG", size: tuple[int, int] = (32, 24)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, kind)
    return out.getvalue()


def upload(data: bytes, name: str = "foto.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT


def schedule(office: dict[str, Any], actor: Any = None, **values: Any) -> list[DisinfectionTask]:
    fields: dict[str, Any] = {
        "government": office["government"],
        "building": office["building"],
        "floor": office["floor"],
        "scheduled_date": timezone.localdate(),
        "team": [office["staff"]],
    }
    fields.update(values)
    return services.disinfection_create(actor=actor, **fields)


def test_a_recurring_task_makes_one_task_per_occurrence(office):
    today = timezone.localdate()
    tasks = schedule(office, repeat_every_days=3, repeat_until=today + dt.timedelta(days=9), team_name="Tim BPBD")
    assert [t.scheduled_date for t in tasks] == [today + dt.timedelta(days=n) for n in (0, 3, 6, 9)]
    assert {t.series_id for t in tasks} == {tasks[0].pk}
    assert [sorted(e.pk for e in t.team.all()) for t in tasks] == [[office["staff"].pk]] * 4
    assert AuditEvent.objects.filter(object_type="measures.disinfectiontask", action="create").count() == 1


def test_a_public_place_needs_its_name_and_a_team(office):
    tasks = schedule(
        office,
        building=None,
        floor=None,
        place_name="Pasar Kota",
        place_kind="market",
        address="Jl. Pasar 1",
        team=[],
        team_name="Regu Damkar",
    )
    assert (tasks[0].place_label, tasks[0].place_kind) == ("Pasar Kota", "market")


def test_each_bad_input_is_refused_with_what_to_fix(office, other_government, make_unit, make_employee):
    today = timezone.localdate()
    stranger = make_employee(make_unit(other_government, "X", "dinas"), "Orang Lain")

    def refused(**values: Any) -> dict[str, list[str]]:
        with pytest.raises(ValidationError) as caught:
            schedule(office, **values)
        return caught.value.message_dict

    assert "public place" in refused(building=None, floor=None)["place_name"][0]
    assert "already passed" in refused(scheduled_date=today - dt.timedelta(days=1))["scheduled_date"][0]
    assert "active employees of your government" in refused(team=[stranger])["team"][0]
    assert "name the team" in refused(team=[])["team"][0]
    assert "both" in refused(repeat_every_days=7)["repeat_until"][0]
    assert "1 to 90" in refused(repeat_every_days=0, repeat_until=today)["repeat_every_days"][0]
    assert "at most 100" in refused(repeat_every_days=1, repeat_until=today + dt.timedelta(days=200))["repeat_until"][0]
    assert not DisinfectionTask.objects.exists()


def test_only_the_task_force_and_bkpsdm_schedule(office, actor_of):
    for role in ("staff", "kabid", "head", "officer"):
        with pytest.raises(PermissionDenied):
            schedule(office, actor=actor_of(office["users"][role]))
    assert len(schedule(office, actor=actor_of(office["users"]["health"]))) == 1


def test_a_team_member_completes_their_task_with_a_photo(office, actor_of, media):
    [task] = schedule(office)
    done = services.disinfection_complete(
        task=task, photo=upload(image_bytes()), actor=actor_of(office["users"]["staff"]), note="Semua ruangan"
    )
    assert (done.status, done.photo_type, done.completion_note) == ("done", "image/jpeg", "Semua ruangan")
    stored = Path(media) / done.photo
    assert stored.is_file() and stored.read_bytes()[:3] == b"\xff\xd8\xff"
    assert done.photo.startswith(f"disinfection/{office['government'].pk}/")
    with pytest.raises(ValidationError, match="no longer open"):
        services.disinfection_complete(
            task=task, photo=upload(image_bytes()), actor=actor_of(office["users"]["health"])
        )


def test_someone_outside_the_team_may_not_complete(office, actor_of, media):
    [task] = schedule(office)
    for role in ("kabid", "head", "other_staff", "officer"):
        with pytest.raises(PermissionDenied):
            services.disinfection_complete(
                task=task, photo=upload(image_bytes()), actor=actor_of(office["users"][role])
            )
    assert not any(Path(media).rglob("*.*")) if Path(media).exists() else True


def test_the_photo_is_checked_by_its_content(office, actor_of, media, settings):
    [task] = schedule(office)
    staff = actor_of(office["users"]["staff"])

    def refused(photo: Any) -> str:
        with pytest.raises(ValidationError) as caught:
            services.disinfection_complete(task=task, photo=photo, actor=staff)
        return caught.value.message_dict["photo"][0]

    # A script renamed .jpg with an image type is still not a photo.
    assert "not a JPEG or PNG" in refused(upload(b"<script>alert(1)</script>", "foto.jpg"))
    assert "not a JPEG or PNG" in refused(upload(image_bytes("GIF"), "foto.png", "image/png"))
    assert "take or choose" in refused(upload(b"")).lower()
    services.PHOTO_MAX_BYTES, before = 1000, services.PHOTO_MAX_BYTES
    try:
        assert "larger than" in refused(upload(image_bytes("PNG", (400, 400)) + b"\0" * 2000, "foto.png", "image/png"))
    finally:
        services.PHOTO_MAX_BYTES = before
    task.refresh_from_db()
    assert (task.status, task.photo) == ("scheduled", "")
    assert not Path(media).exists() or not any(p.is_file() for p in Path(media).rglob("*"))
    done = services.disinfection_complete(
        task=task, photo=upload(image_bytes("PNG"), "x.png", "image/png"), actor=staff
    )
    assert done.photo.endswith(".png") and done.photo_type == "image/png"


def test_the_overdue_list_and_the_daily_alert_to_the_task_force(office, actor_of):
    today = timezone.localdate()
    late, on_time, done = schedule(office, repeat_every_days=1, repeat_until=today + dt.timedelta(days=2))
    DisinfectionTask.objects.filter(pk=late.pk).update(scheduled_date=today - dt.timedelta(days=2))
    DisinfectionTask.objects.filter(pk=done.pk).update(scheduled_date=today - dt.timedelta(days=1), status="done")
    health = actor_of(office["users"]["health"])
    assert [t.pk for t in selectors.disinfection_overdue(actor=health)] == [late.pk]
    assert services.disinfection_overdue_alert() == 1
    [alert] = Notification.objects.filter(channel="in_app")
    assert alert.recipient == office["users"]["health"]
    assert "1 disinfection task is overdue" in alert.subject
    assert "Gedung Menara Wijaya floor 2" in alert.body
    # Once a day.
    assert services.disinfection_overdue_alert() == 0
    assert services.disinfection_overdue_alert(today=today + dt.timedelta(days=1)) == 1
    assert on_time.status == "scheduled"


def test_team_members_see_their_own_tasks_only(office, actor_of):
    [mine] = schedule(office)
    schedule(office, team=[office["kabid"]])
    assert [t.pk for t in selectors.disinfection_list(actor=actor_of(office["users"]["staff"]))] == [mine.pk]
    assert selectors.disinfection_list(actor=actor_of(office["users"]["head"])).count() == 0
    assert selectors.disinfection_list(actor=actor_of(office["users"]["health"])).count() == 2
    assert selectors.disinfection_list(actor=actor_of(office["users"]["admin"])).count() == 2


def test_the_demo_records_a_past_disinfection_as_the_system(office, media):
    last_week = timezone.localdate() - dt.timedelta(days=7)
    [task] = schedule(office, scheduled_date=last_week, today=last_week, team=[], team_name="Tim BPBD")
    finished = timezone.make_aware(dt.datetime.combine(last_week, dt.time(15, 30)))
    done = services.disinfection_complete(task=task, photo=upload(image_bytes()), actor=None, completed_at=finished)
    assert (done.status, done.completed_at, done.completed_by) == ("done", finished, None)
    assert selectors.disinfection_overdue(actor=_health(office)).count() == 0


def _health(office: dict[str, Any]) -> Any:
    from siaga.core.access import actor_for_user

    return actor_for_user(office["users"]["health"])
