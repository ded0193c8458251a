"""On PostgreSQL presence intervals go to a table partitioned by month on ``start`` (siaga/core/partitions.py):
rows, indexes, constraints and the id sequence are kept; the primary key becomes ``(id, start)``. No-op on
SQLite. Not reversible (restore a backup to go back)."""

from django.conf import settings
from django.db import migrations


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from siaga.core.partitions import PRESENCE, convert_to_partitioned

    convert_to_partitioned(schema_editor.connection, PRESENCE, months_back=settings.PRESENCE_RETENTION_MONTHS)


class Migration(migrations.Migration):
    dependencies = [("attendance", "0002_attendanceexception_checkin_presence_presence_open_and_more")]

    operations = [migrations.RunPython(forward, elidable=False)]
