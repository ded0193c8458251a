"""Absences set by other workflows (travel permits, isolation, quarantine): they reach the roster problem,
replan the published roster, and a health reason is never shown as such."""

import pytest
from django.core.exceptions import ValidationError

from siaga.core.models import AuditEvent
from siaga.engines.roster.types import parse_problem
from siaga.rostering import selectors, services
from siaga.rostering.models import Absence, RosterPlan
from siaga.rostering.problem import problem_build
from siaga.rostering.tests import test_plans, test_replan
from siaga.rostering.tests.test_plans import END, START
from siaga.rostering.tests.test_replan import LEAVE, TODAY

pytestmark = pytest.mark.django_db(transaction=True)
planned_org = test_plans.planned_org
published = test_replan.published


def spans(problem, nip):
    return [(u.start, u.end, u.reason) for e in problem.employees if e.id == nip for u in e.unavailable]


def test_isolation_replans_and_reads_as_unavailable(planned_org, published):
    staff = planned_org["staff"]
    services.absence_set(
        employee=staff, start=LEAVE[0], end=LEAVE[1], reason="isolation", source="outbreak.order:1", actor=None
    )
    new = RosterPlan.objects.get(replaces=published)
    assert spans(parse_problem(new.problem), staff.nip) == [(LEAVE[0], LEAVE[1], "unavailable")]
    fresh = problem_build(government=planned_org["government"], start=START, end=END)
    assert spans(fresh, staff.nip) == [(LEAVE[0], LEAVE[1], "unavailable")]
    assert selectors.unavailability(employee_id=staff.pk, day=LEAVE[0]) == "isolation"
    assert selectors.unavailability(employee_id=staff.pk, day=TODAY) is None
    assert AuditEvent.objects.filter(object_type="rostering.absence", action="create").count() == 1


def test_same_source_moves_the_absence_and_clear_removes_it(planned_org):
    staff = planned_org["staff"]
    services.absence_set(employee=staff, start=LEAVE[0], end=LEAVE[0], reason="travel", source="workday.tp:1")
    services.absence_set(employee=staff, start=LEAVE[0], end=LEAVE[1], reason="travel", source="workday.tp:1")
    assert list(Absence.objects.values_list("start", "end", "reason")) == [(LEAVE[0], LEAVE[1], "travel")]
    fresh = problem_build(government=planned_org["government"], start=START, end=END)
    assert spans(fresh, staff.nip) == [(LEAVE[0], LEAVE[1], "travel")]
    assert services.absence_clear(source="workday.tp:1") is True
    assert services.absence_clear(source="workday.tp:1") is False
    assert not Absence.objects.exists()


def test_bad_absence_is_refused_whole(planned_org):
    with pytest.raises(ValidationError) as caught:
        services.absence_set(employee=planned_org["staff"], start=LEAVE[1], end=LEAVE[0], reason="holiday", source="")
    assert set(caught.value.message_dict) == {"reason", "end", "source"}
    assert not Absence.objects.exists()
