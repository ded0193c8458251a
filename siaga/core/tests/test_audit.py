"""The audit log (audit_record, diff_fields) and API tokens (shown once, stored as a hash)."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from siaga.core.models import ApiToken, AuditEvent
from siaga.core.services import api_token_create, api_token_revoke, audit_record, diff_fields

# audit_record ---------------------------------------------------------------------------------------


def test_audit_record_names_the_object_its_type_and_the_actor(org):
    admin, unit = org["users"]["admin"], org["pelayanan"]
    event = audit_record(
        actor=admin,
        government=org["government"],
        action=AuditEvent.Action.UPDATE,
        obj=unit,
        changes={"name": ["Bidang Pelayanan", "Bidang Pelayanan Perizinan"]},
        ip_address="10.1.2.3",
    )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (
        stored.government_id,
        stored.actor_id,
        stored.actor_label,
        stored.action,
        stored.object_type,
        stored.object_id,
        stored.object_repr,
        stored.changes,
        stored.ip_address,
    ) == (
        org["government"].pk,
        admin.pk,
        "bkpsdm",
        "update",
        "org.unit",
        str(unit.pk),
        "Bidang Pelayanan",
        {"name": ["Bidang Pelayanan", "Bidang Pelayanan Perizinan"]},
        "10.1.2.3",
    )


def test_audit_record_without_an_actor_is_recorded_as_the_system(government):
    event = audit_record(actor=None, government=government.pk, action="import", object_type="org.employee")
    assert (event.actor_id, event.actor_label, event.government_id, event.object_id, event.changes) == (
        None,
        "system",
        government.pk,
        "",
        {},
    )


def test_audit_record_of_an_anonymous_visitor_is_labelled_anonymous(db):
    event = audit_record(
        actor=AnonymousUser(), government=None, action="login_failed", object_type="auth.user", object_repr="budi"
    )
    assert (event.actor_id, event.actor_label, event.government_id, event.object_repr) == (
        None,
        "anonymous",
        None,
        "budi",
    )


def test_audit_record_lets_explicit_names_win_over_the_object_and_cuts_long_text(org):
    employee = org["staff"]
    event = audit_record(
        actor=org["users"]["health"],
        government=org["government"],
        action="read",
        obj=employee,
        object_type="org.riskprofile",
        object_id=99,
        object_repr="x" * 250,
    )
    assert (event.object_type, event.object_id, len(event.object_repr)) == ("org.riskprofile", "99", 200)


def test_audit_record_is_part_of_the_callers_transaction(government):
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor=None, government=government, action="create", object_type="x", object_id=1)
        raise RuntimeError("the write failed")
    assert AuditEvent.objects.count() == 0


def test_audit_events_are_listed_newest_first(government):
    first = audit_record(actor=None, government=government, action="create", object_type="x", object_id=1)
    second = audit_record(actor=None, government=government, action="update", object_type="x", object_id=1)
    assert list(AuditEvent.objects.values_list("pk", flat=True)) == [second.pk, first.pk]


# diff_fields ----------------------------------------------------------------------------------------


def test_diff_fields_lists_only_the_changed_fields_as_old_and_new():
    before = {"name": "Budi", "email": "budi@example.go.id", "phone": "0812"}
    after = {"name": "Budi Santoso", "email": "budi@example.go.id", "phone": "0812"}
    assert diff_fields(before, after) == {"name": ["Budi", "Budi Santoso"]}


def test_diff_fields_writes_dates_times_and_numbers_as_text():
    before = {"born": dt.date(1980, 3, 15), "at": dt.datetime(2026, 1, 2, 8, 0, tzinfo=dt.UTC), "fee": Decimal("1.50")}
    after = {"born": dt.date(1980, 3, 16), "at": dt.datetime(2026, 1, 2, 9, 30, tzinfo=dt.UTC), "fee": Decimal("2")}
    assert diff_fields(before, after) == {
        "born": ["1980-03-15", "1980-03-16"],
        "at": ["2026-01-02T08:00:00+00:00", "2026-01-02T09:30:00+00:00"],
        "fee": ["1.50", "2"],
    }


def test_diff_fields_names_related_records_and_treats_a_new_field_as_changed_from_none(org):
    diff = diff_fields({"unit": org["pelayanan"]}, {"unit": org["umum"], "floor": None, "nik": "3311"})
    assert diff == {"unit": ["Bidang Pelayanan", "Bidang Umum"], "nik": [None, "3311"]}


def test_diff_fields_sees_a_move_between_two_units_with_the_same_name(org, make_unit):
    twin = make_unit(org["government"], "DINKES-PEL", "bidang", org["other_unit"], name="Bidang Pelayanan")
    assert diff_fields({"unit": org["pelayanan"]}, {"unit": twin}) == {"unit": ["Bidang Pelayanan", "Bidang Pelayanan"]}


def test_diff_fields_compares_lists_without_regard_to_order():
    assert diff_fields({"skills": ["driver", "nurse"]}, {"skills": ("nurse", "driver")}) == {}
    assert diff_fields({"skills": {"driver"}}, {"skills": ["nurse", "driver"]}) == {
        "skills": [["driver"], ["driver", "nurse"]]
    }


def test_the_diff_can_be_stored_in_the_audit_log_as_it_is(org):
    changes = diff_fields({"born": dt.date(1980, 1, 1), "unit": org["pelayanan"]}, {"born": dt.date(1981, 1, 1)})
    event = audit_record(actor=None, government=org["government"], action="update", changes=changes)
    assert AuditEvent.objects.get(pk=event.pk).changes == {"born": ["1980-01-01", "1981-01-01"]}


# API tokens -----------------------------------------------------------------------------------------


def test_a_new_api_token_is_returned_once_and_only_its_hash_is_stored(org, client):
    admin = org["users"]["admin"]
    token, key = api_token_create(government=org["government"], user=admin, name="SIMPEG", actor=admin)
    assert key.startswith("sga_")
    assert len(key) == 4 + 43
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert stored.prefix == key[:10]
    assert key not in {str(value) for value in ApiToken.objects.filter(pk=token.pk).values().get().values()}
    assert (stored.name, stored.user_id, stored.government_id, stored.revoked_at) == (
        "SIMPEG",
        admin.pk,
        org["government"].pk,
        None,
    )
    event = AuditEvent.objects.get()
    assert (event.action, event.object_type, event.object_id, event.object_repr) == (
        "create",
        "core.apitoken",
        str(token.pk),
        f"SIMPEG ({key[:10]}…)",
    )


def test_two_tokens_never_share_a_key(org):
    admin = org["users"]["admin"]
    keys = {api_token_create(government=org["government"], user=admin, name=f"t{i}", actor=admin)[1] for i in range(5)}
    assert len(keys) == 5


def test_a_token_authenticates_the_api_until_it_is_revoked(org, client):
    admin = org["users"]["admin"]
    token, key = api_token_create(government=org["government"], user=admin, name="SIMPEG", actor=admin)
    answer = client.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"})
    assert (answer.status_code, answer.json()["username"]) == (200, "bkpsdm")

    api_token_revoke(token=token, actor=admin)
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"}).status_code == 401


def test_revoking_a_revoked_token_keeps_the_first_revocation_and_logs_once(org):
    admin = org["users"]["admin"]
    token, _key = api_token_create(government=org["government"], user=admin, name="SIMPEG", actor=admin)
    api_token_revoke(token=token, actor=admin)
    first = ApiToken.objects.get(pk=token.pk).revoked_at
    api_token_revoke(token=ApiToken.objects.get(pk=token.pk), actor=admin)
    assert ApiToken.objects.get(pk=token.pk).revoked_at == first
    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True)) == ["create", "delete"]
