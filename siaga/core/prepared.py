"""Querysets compiled once and run many times with new values: for the few queries on the hottest paths.

Compiling a queryset to SQL (joins, select-related columns, default ordering, lookups) costs more CPU
than running it when the query is small and indexed, as it is for the bearer-token lookup and the actor's
employee on every API request. ``PreparedQuery`` builds the queryset once per database connection with
*sentinel* values in place of the varying ones, finds where each sentinel landed among the SQL
parameters (once or more), and afterwards only swaps the parameters and turns rows into model instances exactly as the
queryset would (select-related objects and annotations included).

A sentinel that is not among the parameters is an error at preparation, so a queryset that bakes a
value into its SQL text is refused rather than run with a stale value.

On PostgreSQL the statement is also prepared on the server (``PREPARE``/``EXECUTE``, once per database
connection, see ``execute``): planning a query of many joins costs the server more than running it, and a
prepared statement is planned once. (Behind a connection pooler in transaction mode, named prepared
statements do not survive from one transaction to the next; Siaga connects to PostgreSQL directly.)
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import threading
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]

M = TypeVar("M", bound=Model)

# Values no real row or request carries; each kind has its own adapter to the driver's form.
_INT_SENTINEL = -7_340_000_000_000
_DATE_SENTINEL = dt.date(1901, 1, 1)
_DATETIME_SENTINEL = dt.datetime(1901, 1, 1, 1, 1, 1, 123457, tzinfo=dt.UTC)
_STR_SENTINEL = "\x00siaga-prepared-{}\x00"


# ---------------------------------------------------------------------------------------------------
# Server-side prepared statements on PostgreSQL

_NAMES = itertools.count(1)
#: Per raw driver connection: the names of the statements prepared on it (gone with the connection).
_PREPARED: weakref.WeakKeyDictionary[Any, set[str]] = weakref.WeakKeyDictionary()
_PLACEHOLDER = re.compile(r"%%|%s")


def statement_name() -> str:
    """A name for one prepared statement of this process."""
    return f"siaga_prepared_{next(_NAMES)}"


def _numbered(sql: str) -> str:
    """Django's ``%s`` placeholders as PostgreSQL's ``$1, $2, …`` (and ``%%`` as ``%``)."""
    counter = itertools.count(1)
    return _PLACEHOLDER.sub(lambda m: "%" if m.group() == "%%" else f"${next(counter)}", sql)


def execute(connection: BaseDatabaseWrapper, cursor: Any, name: str, sql: str, params: list[Any]) -> None:
    """Run ``sql`` (``%s`` placeholders) with ``params`` on ``cursor``; on PostgreSQL as the prepared
    statement ``name``, prepared on first use on each connection."""
    if connection.vendor != "postgresql":
        cursor.execute(sql, params)
        return
    raw = connection.connection
    names = _PREPARED.setdefault(raw, set())
    if name not in names:
        cursor.execute(f"PREPARE {name} AS {_numbered(sql)}")
        names.add(name)
    if params:
        cursor.execute(f"EXECUTE {name} ({', '.join(['%s'] * len(params))})", params)
    else:
        cursor.execute(f"EXECUTE {name}")


# ---------------------------------------------------------------------------------------------------
# Querysets


@dataclass
class _Compiled:
    name: str
    sql: str
    params: list[Any]
    slots: dict[str, list[int]]
    compiler: Any
    converters: dict[int, Any]
    init_list: list[str]
    model_slice: tuple[int, int]
    populators: list[Any]
    annotations: list[tuple[str, int]]


class PreparedQuery(Generic[M]):
    """``PreparedQuery(build, user_id=int, today=dt.date)``: ``build(**values)`` returns the queryset;
    ``run(user_id=5, today=…)`` returns its rows as model instances. Each named value is an ``int``,
    ``str``, ``dt.date`` or an aware ``dt.datetime``."""

    def __init__(self, build: Callable[..., QuerySet[M]], **kinds: type) -> None:
        for name, kind in kinds.items():
            if kind not in (int, str, dt.date, dt.datetime):
                raise TypeError(f"{name}: a prepared value is int, str, date or datetime, not {kind!r}")
        self._build = build
        self._kinds = kinds
        # Per thread, like Django's connections: a compiler keeps the connection it was made with.
        self._local = threading.local()

    def _sentinels(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for i, (name, kind) in enumerate(self._kinds.items()):
            if kind is int:
                values[name] = _INT_SENTINEL - i
            elif kind is str:
                values[name] = _STR_SENTINEL.format(i)
            elif kind is dt.date:
                values[name] = _DATE_SENTINEL + dt.timedelta(days=i)
            else:
                values[name] = _DATETIME_SENTINEL + dt.timedelta(minutes=i)
        return values

    def _adapt(self, alias: str, kind: type, value: Any) -> Any:
        ops = connections[alias].ops
        if kind is dt.datetime:
            return ops.adapt_datetimefield_value(value)
        if kind is dt.date:
            return ops.adapt_datefield_value(value)
        return value

    def _compile(self, alias: str) -> _Compiled:
        sentinels = self._sentinels()
        queryset = self._build(**sentinels)
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        params = list(params)
        slots: dict[str, list[int]] = {}
        for name, value in sentinels.items():
            adapted = self._adapt(alias, self._kinds[name], value)
            slots[name] = [i for i, p in enumerate(params) if type(p) is type(adapted) and p == adapted]
            if not slots[name]:
                raise ValueError(f"prepared value {name!r} is not among the query's parameters")
        select, klass_info = compiler.select, compiler.klass_info
        first, last = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        return _Compiled(
            name=statement_name(),
            sql=sql,
            params=params,
            slots=slots,
            compiler=compiler,
            converters=compiler.get_converters([column[0] for column in select[: compiler.col_count]]),
            init_list=[column[0].target.attname for column in select[first:last]],
            model_slice=(first, last),
            populators=get_related_populators(klass_info, select, alias),
            annotations=list(compiler.annotation_col_map.items()),
        )

    def run(self, *, using: str = "default", **values: Any) -> list[M]:
        if values.keys() != self._kinds.keys():
            raise TypeError(f"prepared query needs exactly {sorted(self._kinds)}")
        connection = connections[using]
        cache: dict[str, _Compiled] = self._local.__dict__.setdefault("compiled", {})
        key = f"{using}:{connection.vendor}"
        compiled = cache.get(key)
        if compiled is None:
            compiled = cache[key] = self._compile(using)
        params = list(compiled.params)
        for name, slots in compiled.slots.items():
            adapted = self._adapt(using, self._kinds[name], values[name])
            for slot in slots:
                params[slot] = adapted
        with connection.cursor() as cursor:
            execute(connection, cursor, compiled.name, compiled.sql, params)
            rows = cursor.fetchall()
        return list(self._instances(compiled, rows, using))

    @staticmethod
    def _instances(compiled: _Compiled, rows: list[Any], alias: str) -> Iterator[M]:
        model = compiled.compiler.klass_info["model"]
        first, last = compiled.model_slice
        converted = compiled.compiler.apply_converters(rows, compiled.converters) if compiled.converters else rows
        for row in converted:
            obj = model.from_db(alias, compiled.init_list, row[first:last])
            for populator in compiled.populators:
                populator.populate(row, obj)
            for attr, position in compiled.annotations:
                setattr(obj, attr, row[position])
            yield obj
