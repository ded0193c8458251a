"""The audit log is append-only on PostgreSQL too: a trigger refuses UPDATE and DELETE of audit rows
from any connection (the application's role included), whatever the code path.

One update is let through: ``ON DELETE SET NULL`` of ``actor_id`` when a user account is deleted (the
event keeps ``actor_label``). TRUNCATE is not covered (it needs the table owner's privilege and is
what the test runner uses to empty the database); see docs/security.md. No-op on SQLite, where the
model refuses updates and deletes (``AuditEvent.save``/``delete`` and its queryset).
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION siaga_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.actor_id IS NOT NULL AND NEW.actor_id IS NULL
       AND (to_jsonb(NEW) - 'actor_id') = (to_jsonb(OLD) - 'actor_id') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
        MESSAGE = 'the audit log is append-only: ' || TG_OP || ' refused';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditevent_append_only BEFORE UPDATE OR DELETE ON core_auditevent
    FOR EACH ROW EXECUTE FUNCTION siaga_audit_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent;
DROP FUNCTION IF EXISTS siaga_audit_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_alter_roleassignment_role")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
