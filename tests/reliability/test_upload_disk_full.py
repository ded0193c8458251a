"""Drill: the upload disk is full. A citizen submits an application with two uploads and a courier (an
ASN) uploads the proof-of-delivery photo while the private storage (``MEDIA_ROOT``) has no room: each
gets a clear "storage full, try again later" answer (503), nothing is half-written (no application
without its files, no partial or temporary file left), and once space is freed the same submit succeeds.

The full storage is made two ways (docs/reliability.md):

- ``tmpfs``: a real 64 KiB tmpfs mounted on ``MEDIA_ROOT`` and filled up, so writes fail with ENOSPC
  ("No space left on device"), as on a full disk. Mounting needs root (``make test`` runs as root here);
  without it, or where the kernel refuses the mount, this variant is skipped and says why.
- ``rlimit``: the process's file-size limit (RLIMIT_FSIZE) lowered below the upload's size, so writes fail
  with EFBIG ("File too large"). This works for any user, so the drill always runs at least once.
"""

from __future__ import annotations

import errno
import os
import resource
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from siaga.delivery import services as delivery_services
from siaga.delivery.models import DeliveryOrder, DeliveryStatus
from siaga.delivery.tests.conftest import desk, make_application, make_citizen, photo, post  # noqa: F401
from siaga.services.models import Application, Attachment
from siaga.services.tests.test_portal_apply import pbg_post

pytestmark = pytest.mark.django_db


@dataclass
class FullStorage:
    """The private storage, full until ``free()``; ``during()`` wraps the request that must hit the limit."""

    root: Path
    method: str
    filler: Path | None = None

    @contextmanager
    def during(self) -> Iterator[None]:
        if self.method != "rlimit":
            yield
            return
        soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
        resource.setrlimit(resource.RLIMIT_FSIZE, (256, hard))  # smaller than any upload of the drill
        try:
            yield
        finally:
            resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))

    def free(self) -> None:
        if self.filler is not None:
            self.filler.unlink()
            self.filler = None

    def files(self) -> list[str]:
        """Every file under the storage except the filler, hidden temporary files included."""
        return sorted(str(p.relative_to(self.root)) for p in self.root.rglob("*") if p.is_file() and p != self.filler)


def _fill(directory: Path) -> Path:
    filler = directory / "filler.bin"
    with open(filler, "wb", buffering=0) as handle:
        try:
            while True:
                handle.write(b"\0" * 4096)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC, exc
    return filler


@pytest.fixture(params=["tmpfs", "rlimit"])
def full_storage(request: pytest.FixtureRequest, settings: Any, tmp_path: Path) -> Iterator[FullStorage]:
    root = tmp_path / "private"
    root.mkdir()
    settings.MEDIA_ROOT = root
    if request.param == "rlimit":
        yield FullStorage(root, "rlimit")
        return
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root; the rlimit variant of this drill ran instead")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs", str(root)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"this sandbox refuses to mount a tmpfs ({mounted.stderr.strip()}); the rlimit variant ran")
    try:
        storage = FullStorage(root, "tmpfs")
        storage.filler = _fill(root)
        yield storage
    finally:
        subprocess.run(["umount", "-l", str(root)], check=False)


def test_a_citizen_submitting_while_the_disk_is_full_is_told_to_retry_and_nothing_is_half_written(
    login: Any,
    post: dict[str, Any],  # noqa: F811 - the imported fixture
    full_storage: FullStorage,
) -> None:
    post["budi"].verified_at = timezone.now()
    post["budi"].save()
    client = login(post["budi"].user)
    url = reverse("portal:apply", args=[post["government"].code, "pbg"])
    before = Application.objects.count()

    with full_storage.during():
        refused = client.post(url, pbg_post())
    assert refused.status_code == 503
    assert refused["Retry-After"] == "300"
    page = refused.content.decode()
    assert "The storage for uploaded files is full" in page and "Try again later" in page
    assert "Traceback" not in page
    assert Application.objects.count() == before and not Attachment.objects.exists()
    assert full_storage.files() == []  # no partial upload, no temporary file

    full_storage.free()
    accepted = client.post(url, pbg_post())
    assert accepted.status_code == 302, accepted.content.decode()
    application = Application.objects.get(citizen=post["budi"], service__code="pbg")
    stored = sorted(a.path for a in application.attachments.all())
    assert len(stored) == 2 and full_storage.files() == stored


def test_a_courier_uploading_the_delivery_photo_while_the_disk_is_full_can_retry(
    post: dict[str, Any],  # noqa: F811 - the imported fixture
    actor_of: Any,
    full_storage: FullStorage,
) -> None:
    order = delivery_services.delivery_create(
        application=post["app"],
        courier_kind="staff",
        courier=post["courier"],
        scheduled_on=timezone.localdate(),
        actor=actor_of(post["users"]["officer"], post["government"]),
    )
    courier = Client()
    courier.force_login(post["users"]["staff"])
    assert courier.post(f"/api/v1/delivery/orders/{order.pk}/depart").status_code == 200
    url = f"/api/v1/delivery/orders/{order.pk}/delivered"
    body = {"received_by": "Budi", "latitude": "-7.55", "longitude": "110.83"}

    with full_storage.during():
        refused = courier.post(url, {**body, "photo": photo()})
    assert refused.status_code == 503 and refused["Retry-After"] == "300"
    assert "The storage for uploaded files is full" in refused.json()["detail"]
    order.refresh_from_db()
    assert order.status == DeliveryStatus.OUT and not order.photo
    assert full_storage.files() == []

    full_storage.free()
    done = courier.post(url, {**body, "photo": photo()})
    assert done.status_code == 200 and done.json()["status"] == "delivered"
    assert full_storage.files() == [DeliveryOrder.objects.get(pk=order.pk).photo]


@pytest.mark.indonesian
def test_the_storage_full_message_is_in_indonesian(
    login: Any,
    post: dict[str, Any],  # noqa: F811 - the imported fixture
    full_storage: FullStorage,
) -> None:
    post["budi"].verified_at = timezone.now()
    post["budi"].save()
    client = login(post["budi"].user)
    with full_storage.during():
        refused = client.post(reverse("portal:apply", args=[post["government"].code, "pbg"]), pbg_post())
    assert refused.status_code == 503
    assert "Ruang penyimpanan berkas unggahan penuh" in refused.content.decode()
