"""Monthly range partitions of the two tables that grow without bound: presence intervals
(``attendance_presence``, by ``start``) and the audit log (``core_auditevent``, by ``created_at``).

PostgreSQL only (on SQLite every function here is a no-op that returns nothing). A month runs from
00:00 of its first day to 00:00 of the next month's first day in ``settings.TIME_ZONE``. Each table has
one partition per month, named ``<table>_pYYYY_MM``, and a default partition ``<table>_default`` that
catches rows outside the created months, so an insert never fails.

- :func:`convert_to_partitioned` turns an ordinary table into a partitioned one, keeping its rows,
  indexes, constraints, triggers and id sequence (used by the migrations core 0007 and attendance 0003).
- :func:`ensure_partitions` creates the partitions of the current month and the months ahead; rows
  waiting in the default partition for a month it creates are moved into that month's partition.
- :func:`drop_expired` drops the month partitions older than the retention (``PRESENCE_RETENTION_MONTHS``,
  ``AUDIT_RETENTION_MONTHS``). Dropping an audit partition is the only way audit rows leave the
  database: it is logged and recorded in the audit log itself.

The primary key of a partitioned table must include the partition key, so it is ``(id, <key>)``; ``id``
stays unique on its own because every row takes it from the table's one sequence (``<table>_id_seq``,
owned by the column) and no code sets it by hand. Django keeps treating ``id`` as the primary key.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Spec:
    label: str  # short name used by the command and the retention mapping
    table: str
    column: str
    retention_setting: str


PRESENCE = Spec("presence", "attendance_presence", "start", "PRESENCE_RETENTION_MONTHS")
AUDIT = Spec("audit", "core_auditevent", "created_at", "AUDIT_RETENTION_MONTHS")
SPECS: tuple[Spec, ...] = (PRESENCE, AUDIT)

#: Months ahead of the current one that always have their partition (the daily job keeps it so).
MONTHS_AHEAD = 3

#: How long a partition change waits for the table lock before it gives up (see ensure_partitions).
LOCK_TIMEOUT_SECONDS = 10

# One lock for every partition change, so that several workers running the daily job do not collide.
_LOCK_KEY = 0x5149_4147_0007

_NAME = re.compile(r"_p(\d{4})_(\d{2})$")


@dataclass(frozen=True)
class Partition:
    table: str  # the parent table
    name: str
    month: dt.date | None  # None for the default partition
    rows: int

    @property
    def is_default(self) -> bool:
        return self.month is None


# --- months -------------------------------------------------------------------------------------


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[00:00 of the month's first day, 00:00 of the next month's first day) in settings.TIME_ZONE."""
    tz = ZoneInfo(settings.TIME_ZONE)
    lower = dt.datetime.combine(month, dt.time.min, tzinfo=tz)
    upper = dt.datetime.combine(add_months(month, 1), dt.time.min, tzinfo=tz)
    return lower, upper


def partition_name(table: str, month: dt.date) -> str:
    return f"{table}_p{month:%Y_%m}"


def local_today() -> dt.date:
    return dt.datetime.now(ZoneInfo(settings.TIME_ZONE)).date()


def _literal(moment: dt.datetime) -> str:
    # an ISO timestamp with its offset, which PostgreSQL reads as timestamptz; made here, never from input
    return "'" + moment.isoformat() + "'"


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


# --- inspection ---------------------------------------------------------------------------------


def enabled(conn: BaseDatabaseWrapper | None = None) -> bool:
    return (conn or connection).vendor == "postgresql"


def is_partitioned(table: str, conn: BaseDatabaseWrapper | None = None) -> bool:
    conn = conn or connection
    if not enabled(conn):
        return False
    with conn.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [table])
        row = cursor.fetchone()
    return bool(row and row[0] == "p")


def _children(table: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = to_regclass(%s) ORDER BY c.relname",
            [table],
        )
        return [name for (name,) in cursor.fetchall()]


def _month_of(table: str, name: str) -> dt.date | None:
    match = _NAME.search(name)
    if match is None or not name.startswith(table):
        return None
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


def partitions(spec: Spec, *, count_rows: bool = True) -> list[Partition]:
    """The partitions of one table, months in order, the default partition last; with exact row counts
    (or the planner's estimate when ``count_rows`` is false)."""
    if not is_partitioned(spec.table):
        return []
    found: list[Partition] = []
    with connection.cursor() as cursor:
        for name in _children(spec.table):
            if count_rows:
                cursor.execute(f"SELECT count(*) FROM {_quote(name)}")  # noqa: S608  # nosec B608 - catalogue name
            else:
                cursor.execute("SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE relname = %s", [name])
            (rows,) = cursor.fetchone()
            month = _month_of(spec.table, name)
            if month is None and name != f"{spec.table}_default":
                continue  # not one of ours
            found.append(Partition(spec.table, name, month, int(rows)))
    found.sort(key=lambda p: (p.month is None, p.month or dt.date.min))
    return found


# --- creation -----------------------------------------------------------------------------------


def _create_month(spec: Spec, month: dt.date) -> None:
    lower, upper = month_bounds(month)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {_quote(partition_name(spec.table, month))} PARTITION OF {_quote(spec.table)} "
            f"FOR VALUES FROM ({_literal(lower)}) TO ({_literal(upper)})"
        )


def _create_default(spec: Spec) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {_quote(spec.table + '_default')} PARTITION OF {_quote(spec.table)} DEFAULT")


def _default_rows_in(spec: Spec, months: list[dt.date]) -> int:
    default = spec.table + "_default"
    if default not in _children(spec.table) or not months:
        return 0
    where = " OR ".join(
        f"({_quote(spec.column)} >= {_literal(lo)} AND {_quote(spec.column)} < {_literal(hi)})"
        for lo, hi in map(month_bounds, months)
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {_quote(default)} WHERE {where}")  # noqa: S608  # nosec B608 - built here
        (rows,) = cursor.fetchone()
    return int(rows)


def _create_months(spec: Spec, months: list[dt.date]) -> int:
    """Create the partitions of ``months`` (missing ones only); return the rows moved out of the default
    partition. Inside the caller's transaction."""
    if not months:
        return 0
    waiting = _default_rows_in(spec, months)
    if not waiting:
        for month in months:
            _create_month(spec, month)
        return 0
    # PostgreSQL refuses a new partition for rows the default partition holds: take the default partition
    # out, create the months and a new default partition, and route its rows again through the parent.
    # Nothing is updated or deleted (the audit log's trigger refuses that): the old default is dropped.
    default, detached = _quote(spec.table + "_default"), _quote(spec.table + "_default_old")
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {_quote(spec.table)} IN ACCESS EXCLUSIVE MODE")
        cursor.execute(f"ALTER TABLE {_quote(spec.table)} DETACH PARTITION {default}")
        cursor.execute(f"ALTER TABLE {default} RENAME TO {detached}")
    for month in months:
        _create_month(spec, month)
    _create_default(spec)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {_quote(spec.table)} SELECT * FROM {detached}")  # noqa: S608  # nosec B608 - built here
        _check_deferred_now(cursor)
        cursor.execute(f"DROP TABLE {detached}")
    logger.info("%s: %d rows moved from the default partition into their month's partition", spec.table, waiting)
    return waiting


def _check_deferred_now(cursor: Any) -> None:
    """Run the foreign key checks deferred so far in this transaction (rows just inserted): PostgreSQL does
    not drop or detach a table while such checks are pending. Django's constraints are deferred again."""
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@dataclass
class Change:
    table: str
    partition: str
    action: str  # "create" or "drop"
    rows: int = 0  # rows moved in (create) or dropped (drop)


def ensure_partitions(
    months_ahead: int = MONTHS_AHEAD, *, today: dt.date | None = None, dry_run: bool = False
) -> list[Change]:
    """Create the missing partitions of the current month and the ``months_ahead`` months after it (and a
    missing default partition), for both tables; rows already in the default partition for a created
    month are moved into it. Idempotent; several workers may call it at once. A change that waits more than
    ``LOCK_TIMEOUT_SECONDS`` for the table lock fails (rolled back) rather than hold up inserts behind it."""
    if not enabled():
        return []
    current = month_start(today or local_today())
    wanted = [add_months(current, n) for n in range(months_ahead + 1)]
    changes: list[Change] = []
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
            # creating or dropping a partition locks the parent table: rather fail (and try again the
            # next day, months ahead of need) than queue every insert behind a long report
            cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT_SECONDS}s'")
        for spec in SPECS:
            if not is_partitioned(spec.table):
                continue
            children = set(_children(spec.table))
            missing = [m for m in wanted if partition_name(spec.table, m) not in children]
            if spec.table + "_default" not in children:
                changes.append(Change(spec.table, spec.table + "_default", "create"))
                if not dry_run:
                    _create_default(spec)
            if dry_run:
                waiting = {m: _default_rows_in(spec, [m]) for m in missing}
                changes += [Change(spec.table, partition_name(spec.table, m), "create", waiting[m]) for m in missing]
                continue
            moved = {m: _default_rows_in(spec, [m]) for m in missing}
            _create_months(spec, missing)
            changes += [Change(spec.table, partition_name(spec.table, m), "create", moved[m]) for m in missing]
    for change in changes:
        if not dry_run:
            logger.info("partition %s created (%d rows moved in)", change.partition, change.rows)
    return changes


def retention_of(spec: Spec) -> int:
    return int(getattr(settings, spec.retention_setting))


def expired_before(retention: int, today: dt.date) -> dt.date:
    """The first month kept: month partitions before it have expired. The current month and the
    ``retention`` months before it are kept, so no row younger than ``retention`` months is dropped."""
    return add_months(month_start(today), -retention)


def drop_expired(
    retention_months: Mapping[str, int] | None = None, *, today: dt.date | None = None, dry_run: bool = False
) -> list[Change]:
    """Drop the month partitions of each table older than its retention in months (``{"presence": 3,
    "audit": 120}``; the settings ``PRESENCE_RETENTION_MONTHS`` and ``AUDIT_RETENTION_MONTHS`` for the
    tables not given). The default partition is never dropped. An audit partition dropped is logged at
    WARNING and recorded in the audit log."""
    if not enabled():
        return []
    from siaga.core.services import audit_record

    given = dict(retention_months or {})
    today = today or local_today()
    changes: list[Change] = []
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
            # creating or dropping a partition locks the parent table: rather fail (and try again the
            # next day, months ahead of need) than queue every insert behind a long report
            cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT_SECONDS}s'")
        for spec in SPECS:
            keep = given[spec.label] if spec.label in given else retention_of(spec)
            if keep < 1:
                raise ValueError(f"retention of {spec.label} must be at least one month, not {keep}")
            first_kept = expired_before(keep, today)
            for listed in partitions(spec, count_rows=False):  # counting every month would read them all
                month = listed.month
                if month is None or month >= first_kept:
                    continue
                with connection.cursor() as cursor:
                    cursor.execute(f"SELECT count(*) FROM {_quote(listed.name)}")  # noqa: S608  # nosec B608 - ours
                    part = Partition(listed.table, listed.name, month, int(cursor.fetchone()[0]))
                changes.append(Change(spec.table, part.name, "drop", part.rows))
                if dry_run:
                    continue
                with connection.cursor() as cursor:
                    _check_deferred_now(cursor)
                    cursor.execute(f"DROP TABLE {_quote(part.name)}")
                lower, upper = month_bounds(month)
                if spec is AUDIT:
                    logger.warning(
                        "audit partition %s dropped after %d months: %d events of %s removed",
                        part.name,
                        keep,
                        part.rows,
                        f"{month:%Y-%m}",
                    )
                    audit_record(
                        actor=None,
                        government=None,
                        action="delete",
                        object_type="core.auditevent",
                        object_id=part.name,
                        object_repr=f"audit log {month:%Y-%m} ({part.rows} events)",
                        changes={
                            "partition": part.name,
                            "rows": part.rows,
                            "from": lower.isoformat(),
                            "until": upper.isoformat(),
                            "retention_months": keep,
                        },
                    )
                else:
                    logger.info("partition %s dropped after %d months: %d rows", part.name, keep, part.rows)
    return changes


def run_daily() -> list[Change]:
    """The periodic job: partitions ahead, then retention."""
    return ensure_partitions() + drop_expired()


# --- conversion (migrations) --------------------------------------------------------------------


def convert_to_partitioned(
    conn: BaseDatabaseWrapper, spec: Spec, *, months_back: int, months_ahead: int = MONTHS_AHEAD
) -> None:
    """Turn ``spec.table`` into a table partitioned by month on ``spec.column``, keeping its rows, its ids
    and id sequence, its indexes, its check and foreign key constraints and its triggers, all under their
    names. Month partitions cover from the month of the oldest row (but no earlier than ``months_back``
    months ago) to ``months_ahead`` months ahead; older rows go to the default partition. Runs inside the
    migration's transaction; a no-op when the table is already partitioned."""
    table, column = spec.table, spec.column
    q = conn.ops.quote_name
    with conn.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [table])
        if cursor.fetchone()[0] == "p":
            return
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        (old_sequence,) = cursor.fetchone()
        cursor.execute(f"SELECT last_value, is_called FROM {old_sequence}")  # noqa: S608  # nosec B608 - catalogue name
        last_value, is_called = cursor.fetchone()
        cursor.execute(
            "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i WHERE i.indrelid = to_regclass(%s) "
            "AND NOT i.indisprimary ORDER BY i.indexrelid",
            [table],
        )
        indexes = [d for (d,) in cursor.fetchall()]
        cursor.execute(
            "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = to_regclass(%s) AND contype <> 'p' ORDER BY conname",
            [table],
        )
        constraints = cursor.fetchall()
        if any(kind in ("u", "x") for _name, kind, _def in constraints):
            raise RuntimeError(f"{table}: a unique constraint must include {column} before partitioning")
        cursor.execute(
            "SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = to_regclass(%s) AND NOT tgisinternal",
            [table],
        )
        triggers = [d for (d,) in cursor.fetchall()]
        cursor.execute("SELECT conname FROM pg_constraint WHERE conrelid = to_regclass(%s) AND contype = 'p'", [table])
        (old_pkey,) = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FROM pg_constraint WHERE confrelid = to_regclass(%s) AND contype = 'f'", [table]
        )
        if cursor.fetchone()[0]:
            raise RuntimeError(f"{table}: a foreign key points to it; partitioning would need it dropped")
        cursor.execute(f"SELECT min({q(column)}) FROM {q(table)}")  # noqa: S608  # nosec B608 - names
        (oldest,) = cursor.fetchone()

    today = local_today()
    current = month_start(today)
    first = add_months(current, -months_back)
    if oldest is not None:
        oldest_month = month_start(oldest.astimezone(ZoneInfo(settings.TIME_ZONE)).date())
        first = max(first, min(oldest_month, current))
    else:
        first = current
    months: list[dt.date] = []
    month = first
    while month <= add_months(current, months_ahead):
        months.append(month)
        month = add_months(month, 1)

    old = table + "__unpartitioned"
    sequence = table + "_id_seq"
    statements = [
        f"ALTER TABLE {q(table)} RENAME TO {q(old)}",
        f"ALTER TABLE {q(old)} RENAME CONSTRAINT {q(old_pkey)} TO {q(old + '_pkey')}",
        f"ALTER TABLE {q(old)} ALTER COLUMN id DROP IDENTITY IF EXISTS",
        f"ALTER TABLE {q(old)} ALTER COLUMN id DROP DEFAULT",
        f"DROP SEQUENCE IF EXISTS {old_sequence}",
        f"CREATE SEQUENCE {q(sequence)} AS bigint",
        f"SELECT setval('{sequence}', {int(last_value)}, {'true' if is_called else 'false'})",
        f"CREATE TABLE {q(table)} (LIKE {q(old)} INCLUDING DEFAULTS INCLUDING STORAGE INCLUDING COMMENTS) "
        f"PARTITION BY RANGE ({q(column)})",
        f"ALTER TABLE {q(table)} ALTER COLUMN id SET DEFAULT nextval('{sequence}')",
        f"ALTER SEQUENCE {q(sequence)} OWNED BY {q(table)}.id",
        f"ALTER TABLE {q(table)} ADD CONSTRAINT {q(table + '_pkey')} PRIMARY KEY (id, {q(column)})",
    ]
    with conn.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
        for month in months:
            lower, upper = month_bounds(month)
            cursor.execute(
                f"CREATE TABLE {q(partition_name(table, month))} PARTITION OF {q(table)} "
                f"FOR VALUES FROM ({_literal(lower)}) TO ({_literal(upper)})"
            )
        cursor.execute(f"CREATE TABLE {q(table + '_default')} PARTITION OF {q(table)} DEFAULT")
        cursor.execute(f"INSERT INTO {q(table)} SELECT * FROM {q(old)}")  # noqa: S608  # nosec B608 - names
        cursor.execute(f"DROP TABLE {q(old)}")
        # the definitions were read under the original table name, which is now the partitioned table
        for sql in indexes:
            cursor.execute(sql)
        for name, _kind, definition in constraints:
            cursor.execute(f"ALTER TABLE {q(table)} ADD CONSTRAINT {q(name)} {definition}")
        for sql in triggers:
            cursor.execute(sql)
