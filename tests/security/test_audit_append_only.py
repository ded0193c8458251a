"""The audit log is append-only for the application: the model and its queryset refuse changes and
deletes, no admin page can change it, and on PostgreSQL a trigger refuses UPDATE and DELETE from the
application's own database connection whatever the code path."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, transaction

from siaga.core.models import AppendOnlyError, AuditEvent
from siaga.core.services import audit_record

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the trigger is PostgreSQL's (migration core 0004); on SQLite the model refuses (tests above)",
)


@pytest.fixture
def event(government: Any, make_user: Any) -> AuditEvent:
    user = make_user("pencatat")
    return audit_record(actor=user, government=government, action="update", object_type="org.unit", object_id=1)


def test_an_event_cannot_be_changed_or_deleted_through_the_model(event: AuditEvent) -> None:
    event.object_repr = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(object_repr="rewritten")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).object_repr == ""


def test_new_events_are_still_written(government: Any) -> None:
    before = AuditEvent.objects.count()
    audit_record(actor=None, government=government, action="create", object_type="x", object_id=1)
    assert AuditEvent.objects.count() == before + 1


def test_no_admin_page_edits_the_audit_log() -> None:
    assert AuditEvent not in admin.site._registry


def _raw(sql: str, params: list[Any]) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@postgresql_only
def test_postgresql_refuses_update_and_delete_of_audit_rows(event: AuditEvent) -> None:
    table = AuditEvent._meta.db_table
    with pytest.raises(DatabaseError, match="append-only"):
        _raw(f"UPDATE {table} SET object_repr = %s WHERE id = %s", ["rewritten", event.pk])  # noqa: S608
    with pytest.raises(DatabaseError, match="append-only"):
        _raw(f"DELETE FROM {table} WHERE id = %s", [event.pk])  # noqa: S608
    assert AuditEvent.objects.filter(pk=event.pk, object_repr="").exists()


@postgresql_only
def test_deleting_a_user_keeps_their_events_with_the_label(event: AuditEvent) -> None:
    label = event.actor_label
    get_user_model().objects.filter(pk=event.actor_id).delete()
    kept = AuditEvent.objects.get(pk=event.pk)
    assert kept.actor_id is None and kept.actor_label == label


def test_deleting_a_user_keeps_their_events_on_any_database(event: AuditEvent) -> None:
    get_user_model().objects.filter(pk=event.actor_id).delete()
    assert AuditEvent.objects.get(pk=event.pk).actor_id is None
