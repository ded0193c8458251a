"""``PreparedQuery`` gives what its queryset gives, for every value, and refuses a value it cannot swap."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from siaga.core.access import Role, actor_for_user
from siaga.core.models import RoleAssignment
from siaga.core.prepared import PreparedQuery, _numbered
from siaga.org.models import Delegation, Employee

pytestmark = pytest.mark.django_db


def _by_unit(unit_code: str, born_after: dt.date) -> QuerySet[Employee]:
    return (
        Employee.objects.filter(unit__code=unit_code, birth_date__gt=born_after)
        .select_related("unit", "position")
        .annotate(unit_name=F("unit__name"))
        .order_by("nip")
    )


BY_UNIT: PreparedQuery[Employee] = PreparedQuery(_by_unit, unit_code=str, born_after=dt.date)


@pytest.mark.parametrize(
    ("code", "after"),
    [("DPMPTSP-PEL", dt.date(1900, 1, 1)), ("DPMPTSP", dt.date(1900, 1, 1)), ("DINKES", dt.date(2100, 1, 1))],
)
def test_rows_match_the_queryset(org: dict[str, Any], code: str, after: dt.date) -> None:
    expected = list(_by_unit(code, after))
    got = BY_UNIT.run(unit_code=code, born_after=after)
    assert [e.pk for e in got] == [e.pk for e in expected]
    for mine, theirs in zip(got, expected, strict=True):
        assert mine.unit.name == theirs.unit.name  # select-related objects are filled
        assert mine.unit_name == theirs.unit_name  # annotations too
        assert (mine.position.name if mine.position else None) == (theirs.position.name if theirs.position else None)
        assert mine.birth_date == theirs.birth_date  # converters applied (dates are dates on SQLite too)


def test_each_run_uses_its_own_values(org: dict[str, Any]) -> None:
    first = BY_UNIT.run(unit_code="DPMPTSP-PEL", born_after=dt.date(1900, 1, 1))
    second = BY_UNIT.run(unit_code="DINKES", born_after=dt.date(1900, 1, 1))
    assert {e.unit.code for e in first} == {"DPMPTSP-PEL"}
    assert {e.unit.code for e in second} == {"DINKES"}
    assert BY_UNIT.run(unit_code="DPMPTSP-PEL", born_after=dt.date(2100, 1, 1)) == []


def test_datetime_values(org: dict[str, Any]) -> None:
    query = PreparedQuery(lambda since: RoleAssignment.objects.filter(granted_at__gte=since), since=dt.datetime)
    now = timezone.now()
    assert len(query.run(since=now - dt.timedelta(hours=1))) == RoleAssignment.objects.count() > 0
    assert query.run(since=now + dt.timedelta(hours=1)) == []


def test_a_value_baked_into_the_sql_is_refused(org: dict[str, Any]) -> None:
    # An ``isnull`` lookup takes no parameter: the value would be frozen at the first run.
    query = PreparedQuery(lambda flag: Employee.objects.filter(Q(user__isnull=bool(flag))), flag=int)
    with pytest.raises(ValueError, match="flag"):
        query.run(flag=1)


def test_wrong_names_and_kinds_are_refused() -> None:
    with pytest.raises(TypeError):
        PreparedQuery(lambda x: Employee.objects.filter(pk=x), x=float)
    with pytest.raises(TypeError):
        BY_UNIT.run(unit_code="X")


@pytest.mark.django_db(transaction=True)
def test_threads_compile_their_own(org: dict[str, Any]) -> None:
    results: dict[str, list[int]] = {}

    def work(code: str) -> None:
        from django.db import connection

        try:
            results[code] = [e.pk for e in BY_UNIT.run(unit_code=code, born_after=dt.date(1900, 1, 1))]
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(code,)) for code in ("DPMPTSP-PEL", "DINKES")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results["DPMPTSP-PEL"] == [e.pk for e in _by_unit("DPMPTSP-PEL", dt.date(1900, 1, 1))]
    assert results["DINKES"] == [org["other_staff"].pk]


def test_actor_reads_assigned_roles_only_when_there_are_any(
    org: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    staff_user = org["users"]["staff"]
    actor_for_user(staff_user)  # on PostgreSQL the first run on a connection also prepares the statement
    with django_assert_max_num_queries(1):  # the employee row says there are no assignments
        actor = actor_for_user(staff_user)
    assert actor.employee_id == org["staff"].pk and not actor.has_role(Role.ADMIN)
    RoleAssignment.objects.create(user=staff_user, government=org["government"], role=Role.ADMIN)
    actor = actor_for_user(staff_user)
    assert actor.has_role(Role.ADMIN)
    RoleAssignment.objects.filter(user=staff_user).delete()
    assert not actor_for_user(staff_user).has_role(Role.ADMIN)


def test_actor_sees_todays_delegation(org: dict[str, Any]) -> None:
    today = timezone.localdate()
    staff_user = org["users"]["staff"]
    assert not actor_for_user(staff_user).headed_unit_ids
    Delegation.objects.create(
        government=org["government"],
        unit=org["pelayanan"],
        acting=org["staff"],
        kind="plh",
        start=today,
        end=today,
        reason="cuti",
    )
    assert org["pelayanan"].pk in actor_for_user(staff_user, today=today).headed_unit_ids
    assert not actor_for_user(staff_user, today=today + dt.timedelta(days=1)).headed_unit_ids


def test_placeholders_are_numbered_for_postgresql() -> None:
    assert _numbered("a = %s AND b LIKE 'x%%' AND c IN (%s, %s)") == "a = $1 AND b LIKE 'x%' AND c IN ($2, $3)"


@pytest.mark.django_db(transaction=True)
def test_a_new_connection_prepares_again(org: dict[str, Any]) -> None:
    from django.db import connection

    before = [e.pk for e in BY_UNIT.run(unit_code="DPMPTSP-PEL", born_after=dt.date(1900, 1, 1))]
    connection.close()  # the server forgets its prepared statements with the session
    after = [e.pk for e in BY_UNIT.run(unit_code="DPMPTSP-PEL", born_after=dt.date(1900, 1, 1))]
    assert before == after == [e.pk for e in _by_unit("DPMPTSP-PEL", dt.date(1900, 1, 1))]
