"""On PostgreSQL the audit log becomes a table partitioned by month on ``created_at`` (siaga/core/partitions.py):
rows, indexes, the id sequence and the append-only trigger of migration 0004 are kept; the primary key
becomes ``(id, created_at)``. No-op on SQLite. Not reversible (restore a backup to go back)."""

from django.conf import settings
from django.db import migrations


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from siaga.core.partitions import AUDIT, convert_to_partitioned

    convert_to_partitioned(schema_editor.connection, AUDIT, months_back=settings.AUDIT_RETENTION_MONTHS)


class Migration(migrations.Migration):
    dependencies = [("core", "0006_rate_counters")]

    operations = [migrations.RunPython(forward, elidable=False)]
