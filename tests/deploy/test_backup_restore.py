"""The backup is restorable: scripts/backup.sh dumps a populated PostgreSQL database and the uploads,
scripts/restore.sh puts them into a fresh database and an empty data directory, and every row and
every uploaded file is back."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.db import connection
from django.utils import timezone
from psycopg import sql

from siaga.attendance.models import Presence
from siaga.core.services import notify
from siaga.org.models import Building
from siaga.services.models import Application, Attachment, Status
from siaga.services.tests.conftest import desk, make_application, make_citizen  # noqa: F401 - fixtures

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="pg_dump/pg_restore back up PostgreSQL, the production database (make test runs this there)",
    ),
    pytest.mark.django_db(transaction=True),
]


def url(name: str) -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s["PASSWORD"] else ""
    return f"postgres://{s['USER']}{password}@{s['HOST']}:{s['PORT']}/{name}"


def admin() -> psycopg.Connection:
    s = connection.settings_dict
    return psycopg.connect(
        host=s["HOST"], port=s["PORT"], user=s["USER"], password=s["PASSWORD"], dbname="postgres", autocommit=True
    )


@pytest.fixture
def fresh_database() -> Iterator[str]:
    name = f"restore_{uuid.uuid4().hex[:10]}"
    with admin() as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield name
    with admin() as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def run(script: str, *args: str, var_dir: Path, database: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": url(database), "SIAGA_VAR_DIR": str(var_dir)}
    return subprocess.run(
        [str(ROOT / "scripts" / script), *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


def table_counts(database: str) -> dict[str, int]:
    s = connection.settings_dict
    with psycopg.connect(host=s["HOST"], port=s["PORT"], user=s["USER"], password=s["PASSWORD"], dbname=database) as c:
        tables = [r[0] for r in c.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")]
        count = sql.SQL("SELECT count(*) FROM {}")
        return {t: c.execute(count.format(sql.Identifier(t))).fetchone()[0] for t in tables}  # type: ignore[index]


def test_backup_then_restore_into_a_fresh_database(
    tmp_path: Path,
    settings: Any,
    fresh_database: str,
    desk: dict,  # noqa: F811
    make_application: Callable[..., Application],  # noqa: F811
) -> None:
    source_var = tmp_path / "source"
    settings.MEDIA_ROOT = source_var / "private"
    government = desk["government"]
    # a populated database: applications with uploaded files, presence, notifications, audit
    uploads: dict[str, bytes] = {}
    for i, citizen in enumerate([desk["budi"], desk["siti"]]):
        app = make_application(desk["usaha"], citizen, status=Status.IN_REVIEW, due_on=timezone.localdate())
        content = f"%PDF-1.4 KTP-el pemohon {i} ".encode() + os.urandom(2048)
        relative = f"services/{government.pk}/{app.pk}/ktp-{i}.pdf"
        (settings.MEDIA_ROOT / relative).parent.mkdir(parents=True, exist_ok=True)
        (settings.MEDIA_ROOT / relative).write_bytes(content)
        Attachment.objects.create(
            government=government,
            application=app,
            requirement="ktp",
            original_name=f"ktp-{i}.pdf",
            path=relative,
            mime="application/pdf",
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
        )
        uploads[relative] = content
    building = Building.objects.create(government=government, code="kantor", name="Kantor Bupati")
    now = timezone.now()
    Presence.objects.create(
        government=government,
        employee=desk["officer"],
        building=building,
        start=now - dt.timedelta(hours=3),
        end=None,
        source=Presence.Source.CHECK_IN,
    )
    notify(user=desk["users"]["officer"], government=government, subject="Uji cadangan", body="Isi pesan")

    source_db = connection.settings_dict["NAME"]
    before = table_counts(source_db)
    assert before["services_application"] == 2 and before["services_attachment"] == 2
    assert before["attendance_presence"] == 1 and before["core_notification"] >= 1
    assert before["org_employee"] > 0 and before["django_migrations"] > 50

    backups = tmp_path / "backups"
    made = run("backup.sh", str(backups), var_dir=source_var, database=source_db)
    assert made.returncode == 0, made.stderr
    dumps = sorted(backups.glob("siaga-*.dump"))
    archives = sorted(backups.glob("private-*.tar.gz"))
    assert len(dumps) == 1 and len(archives) == 1 and len(list(backups.glob("siaga-*.sha256"))) == 1
    assert not list(backups.glob("*.part"))

    # the source changes after the backup: the restore brings back the state of the backup
    Application.objects.all().delete()

    target_var = tmp_path / "restored"
    restored = run("restore.sh", str(dumps[0]), str(archives[0]), var_dir=target_var, database=fresh_database)
    assert restored.returncode == 0, restored.stderr
    assert "checksums match" in restored.stdout

    assert table_counts(fresh_database) == before
    s = connection.settings_dict
    with psycopg.connect(
        host=s["HOST"], port=s["PORT"], user=s["USER"], password=s["PASSWORD"], dbname=fresh_database
    ) as c:
        rows = c.execute("SELECT path, sha256, size FROM services_attachment ORDER BY path").fetchall()
        subject = c.execute("SELECT subject FROM core_notification WHERE subject = 'Uji cadangan'").fetchone()
    assert subject == ("Uji cadangan",)
    assert sorted(p for p, _sha, _size in rows) == sorted(uploads)
    for path, sha, size in rows:
        data = (target_var / "private" / path).read_bytes()
        assert data == uploads[path]
        assert hashlib.sha256(data).hexdigest() == sha and len(data) == size

    # a second restore over it is refused (tables and uploads exist) unless forced
    again = run("restore.sh", str(dumps[0]), str(archives[0]), var_dir=target_var, database=fresh_database)
    assert again.returncode == 1
    assert f"database {fresh_database} already has" in again.stderr
    forced = run("restore.sh", "--force", str(dumps[0]), str(archives[0]), var_dir=target_var, database=fresh_database)
    assert forced.returncode == 0, forced.stderr
    assert table_counts(fresh_database) == before
    assert len(list(target_var.glob("private.before-restore-*"))) == 1


def test_a_damaged_backup_is_refused(tmp_path: Path, fresh_database: str, government: Any) -> None:
    backups = tmp_path / "backups"
    made = run("backup.sh", str(backups), var_dir=tmp_path / "var", database=connection.settings_dict["NAME"])
    assert made.returncode == 0, made.stderr
    dump = next(backups.glob("siaga-*.dump"))
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))
    result = run("restore.sh", str(dump), var_dir=tmp_path / "restored", database=fresh_database)
    assert result.returncode == 1
    assert "checksum mismatch" in result.stderr
    assert table_counts(fresh_database) == {}
