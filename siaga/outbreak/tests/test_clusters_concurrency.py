"""Two task-force members filing the same case into clusters at once (PostgreSQL, separate connections)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from conftest import postgresql_only
from siaga.outbreak import clusters, services
from siaga.outbreak.models import ClusterMember
from siaga.outbreak.tests.conftest import days_ago
from siaga.outbreak.tests.test_concurrency import race

pytestmark = [pytest.mark.django_db(transaction=True), postgresql_only]


def test_the_same_case_filed_into_several_clusters_at_once_ends_in_one(org, task_force):
    case = services.case_create(
        actor=task_force,
        visitor_name="Kasus Rebutan",
        classification="confirmed_asymptomatic",
        specimen_date=days_ago(2),
    )
    others = [
        services.case_create(
            actor=task_force,
            visitor_name=f"Kasus {i}",
            classification="confirmed_asymptomatic",
            specimen_date=days_ago(2),
        )
        for i in range(4)
    ]
    targets = [clusters.cluster_create(actor=task_force, name=f"Klaster {i}", cases=[others[i]]) for i in range(4)]
    pending = list(targets)

    def work() -> object:
        return clusters.cluster_add_case(actor=task_force, cluster=pending.pop(), case=case)

    results, errors = race(4, work)
    assert len(results) == 1 and len(errors) == 3
    assert all(isinstance(e, ValidationError) and "already in the cluster" in e.messages[0] for e in errors)
    assert ClusterMember.objects.filter(case=case, removed_at__isnull=True).count() == 1


def test_clusters_created_at_once_with_the_same_case_end_in_one(org, task_force):
    case = services.case_create(
        actor=task_force,
        visitor_name="Kasus Rebutan",
        classification="confirmed_asymptomatic",
        specimen_date=days_ago(2),
    )
    names = [f"Klaster {i}" for i in range(4)]

    def work() -> object:
        return clusters.cluster_create(actor=task_force, name=names.pop(), cases=[case])

    results, errors = race(4, work)
    assert len(results) == 1 and len(errors) == 3
    assert all(isinstance(e, ValidationError) and "cases" in e.message_dict for e in errors)
    assert ClusterMember.objects.filter(case=case).count() == 1
