"""The daily follow-up under concurrent use (PostgreSQL, separate connections)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from conftest import postgresql_only
from siaga.core.models import Notification
from siaga.outbreak import followup, services
from siaga.outbreak.followup import Answers
from siaga.outbreak.models import FollowUpAlert, SymptomCheck
from siaga.outbreak.tests.conftest import days_ago
from siaga.outbreak.tests.test_concurrency import race

pytestmark = [pytest.mark.django_db(transaction=True), postgresql_only]


def test_simultaneous_answers_of_one_person_make_one_check_and_one_alert(org, task_force, staff_case, actor_of):
    services.order_issue(actor=task_force, case=staff_case, kind="isolation", start=days_ago(3))
    staff = actor_of(org["users"]["staff"])
    results, errors = race(6, lambda: followup.symptom_check_submit(actor=staff, answers=Answers(cough=True)))
    assert errors == [] and len(results) == 6
    assert SymptomCheck.objects.filter(case=staff_case).count() == 1
    assert FollowUpAlert.objects.filter(case=staff_case, kind="new_symptoms").count() == 1
    health = org["users"]["health"]
    assert Notification.objects.filter(recipient=health, channel="in_app", subject__startswith="New").count() == 1


def test_two_workers_running_the_missed_checks_job_alert_once(org, task_force, staff_case, settings):
    settings.SYMPTOM_CHECK_DEADLINE = dt.time(0, 0)
    services.order_issue(actor=task_force, case=staff_case, kind="isolation", start=days_ago(3))
    now = timezone.now()
    results, errors = race(4, lambda: followup.missed_checks_alert(now=now))
    assert errors == [] and sum(results) == 1
    health = org["users"]["health"]
    assert Notification.objects.filter(recipient=health, channel="in_app").count() == 1
