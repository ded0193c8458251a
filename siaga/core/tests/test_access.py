"""Roles: assigned, derived from positions and delegations, and scoped to one government."""

import datetime as dt

import pytest

from siaga.core.access import DerivedRole, Perm, actor_for_user, can_manage_delegation
from siaga.core.models import Role, RoleAssignment
from siaga.org import services

pytestmark = pytest.mark.django_db


def test_roles_are_assigned_or_derived(org, actor_of):
    users = org["users"]
    assert actor_of(users["admin"]).roles == {Role.ADMIN}
    assert actor_of(users["health"]).roles == {Role.HEALTH}
    assert actor_of(users["staff"]).roles == {DerivedRole.EMPLOYEE}
    head = actor_of(users["head"])
    assert head.roles == {DerivedRole.EMPLOYEE, DerivedRole.UNIT_HEAD}
    assert head.headed_unit_ids == {org["dinas"].pk}
    assert head.managed_unit_ids == {org["dinas"].pk, org["pelayanan"].pk, org["umum"].pk}


def test_an_acting_official_heads_the_unit_only_during_the_appointment(org):
    today = dt.date(2020, 10, 5)
    # Bidang Umum has no head, so the post is vacant: a Plt fills it.
    services.delegation_create(
        government=org["government"],
        kind="plt",
        unit=org["umum"],
        acting=org["staff"],
        start=today,
        end=today + dt.timedelta(days=5),
    )
    during = actor_for_user(org["users"]["staff"], today=today)
    assert DerivedRole.UNIT_HEAD in during.roles
    assert during.headed_unit_ids == {org["umum"].pk}
    assert during.official_unit_ids == frozenset()
    after = actor_for_user(org["users"]["staff"], today=today + dt.timedelta(days=6))
    assert DerivedRole.UNIT_HEAD not in after.roles


def test_permissions_follow_the_roles(org, actor_of):
    users = org["users"]
    assert actor_of(users["admin"]).has_perm(Perm.MANAGE_ORG)
    assert not actor_of(users["health"]).has_perm(Perm.MANAGE_ORG)
    assert actor_of(users["health"]).has_perm(Perm.VIEW_HEALTH)
    assert not actor_of(users["admin"]).has_perm(Perm.VIEW_HEALTH)
    assert not actor_of(users["staff"]).has_perm(Perm.MANAGE_DELEGATIONS)
    assert actor_of(users["head"]).has_perm(Perm.MANAGE_DELEGATIONS)
    assert not actor_of(users["head"]).has_perm(Perm.VIEW_AUDIT)


def test_who_may_appoint_an_acting_official(org, actor_of):
    head, kabid, admin = (actor_of(org["users"][k]) for k in ("head", "kabid", "admin"))
    assert can_manage_delegation(admin, org["dinas"].pk, None)
    assert can_manage_delegation(head, org["pelayanan"].pk, org["dinas"].pk)
    assert not can_manage_delegation(head, org["dinas"].pk, None)
    assert not can_manage_delegation(kabid, org["pelayanan"].pk, org["dinas"].pk)
    assert not can_manage_delegation(kabid, org["umum"].pk, org["dinas"].pk)


def test_a_user_in_two_governments_acts_in_one_at_a_time(org, other_government, actor_of):
    user = org["users"]["admin"]
    RoleAssignment.objects.create(user=user, government=other_government, role=Role.HEALTH)
    first = actor_of(user)
    assert first.government == org["government"]
    assert first.roles == {Role.ADMIN}
    assert [g.code for g in first.governments] == ["33.11", "33.13"]
    second = actor_of(user, other_government)
    assert second.government == other_government
    assert second.roles == {Role.HEALTH}


def test_inactive_users_and_governments_get_nothing(org, actor_of):
    user = org["users"]["admin"]
    user.is_active = False
    user.save()
    assert not actor_of(user).is_authenticated
    org["government"].is_active = False
    org["government"].save()
    assert not actor_of(org["users"]["health"]).is_authenticated
