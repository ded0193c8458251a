"""Replanning a published roster after an absence: minimal changes from the next day, published at once,
only the people whose days changed are told, and the head sees the diff."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from siaga.core.models import Notification, Role
from siaga.engines.roster.check import check
from siaga.engines.roster.types import parse_plan, parse_problem
from siaga.rostering import selectors, services
from siaga.rostering.models import RosterAssignment, RosterPlan
from siaga.rostering.tasks import replan_finish, solve_plan
from siaga.rostering.tests import test_plans
from siaga.rostering.tests.test_plans import END, START, make_plan

pytestmark = pytest.mark.django_db(transaction=True)
planned_org = test_plans.planned_org  # the organisation and policy of the planning tests

TODAY = dt.date(2026, 12, 9)  # Wednesday of the planned week: Monday to Wednesday are frozen
LEAVE = (dt.date(2026, 12, 10), dt.date(2026, 12, 11))


@pytest.fixture
def published(planned_org, monkeypatch, settings):
    settings.ROSTER_WORKERS = 1
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    plan = make_plan(planned_org, time_limit=5)
    assert solve_plan.call(plan.pk) == "draft"
    plan.refresh_from_db()
    return services.plan_publish(plan=plan, actor=planned_org["users"]["admin"])


def grid(plan):
    return {
        (a.employee_id, a.date): (a.mode, a.shift) for a in RosterAssignment.objects.filter(plan=plan).order_by("pk")
    }


def approve_leave(org):
    leave = services.leave_request(
        employee=org["staff"], start=LEAVE[0], end=LEAVE[1], kind="annual", actor=org["users"]["staff"]
    )
    return services.leave_decide(leave=leave, approver=org["kabid"], approve=True, actor=org["users"]["kabid"])


def test_approving_leave_replans_publishes_and_tells_only_whose_days_changed(planned_org, published, client):
    old = published
    before = grid(old)
    Notification.objects.all().delete()
    approve_leave(planned_org)
    new = RosterPlan.objects.get(replaces=old)
    assert (new.status, new.start, new.end, new.unit_id) == ("queued", START, END, None)
    problem = parse_problem(new.problem)
    assert problem.frozen_until == TODAY
    assert [
        (u.start, u.end, u.reason) for e in problem.employees if e.id == planned_org["staff"].nip for u in e.unavailable
    ] == [(LEAVE[0], LEAVE[1], "leave")]
    assert solve_plan.call(new.pk) == "draft"
    finishing = DBTaskResult.objects.filter(task_path="siaga.rostering.tasks.replan_finish")
    assert [row.args_kwargs["args"] for row in finishing] == [[new.pk]]
    assert replan_finish.call(new.pk) == "published"
    assert replan_finish.call(new.pk) == "skipped"  # once
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.status, new.status) == ("superseded", "published")
    after = grid(new)
    assert set(after) == set(before)
    # Frozen days (up to today) are unchanged; the employee is off on the leave days.
    assert {k: v for k, v in after.items() if k[1] <= TODAY} == {k: v for k, v in before.items() if k[1] <= TODAY}
    staff, kabid = planned_org["staff"].pk, planned_org["kabid"].pk
    assert [after[staff, d] for d in LEAVE] == [("off", ""), ("off", "")]
    # The front office of Pelayanan falls to the head of the bidang on those days.
    assert [after[kabid, d] for d in LEAVE] == [("wfo", "hari"), ("wfo", "hari")]
    forced = sum(1 for d in LEAVE if before[staff, d] != ("off", "")) + sum(
        1 for d in LEAVE if before[kabid, d] != ("wfo", "hari")
    )
    changes = selectors.plan_diff(old, new)
    changed = {(c.employee.pk, c.date) for c in changes}
    assert changed == {k for k in after if after[k] != before[k]}
    assert len(changes) <= 1.5 * forced
    assert report_ok(new)
    # Only the people whose days changed are told, each once, naming the dates.
    told = Notification.objects.filter(channel="in_app", subject__startswith="Your work schedule changed")
    people = {c.employee for c in changes}
    assert sorted(n.recipient.username for n in told) == sorted(p.user.username for p in people if p.user)
    assert sorted(n.recipient.username for n in told) == ["kabid", "staf"]  # not kadis, stafdinkes, …
    staff_note = told.get(recipient=planned_org["users"]["staff"])
    assert staff_note.subject == "Your work schedule changed on 10 Dec, 11 Dec"
    assert "10 Dec: " in staff_note.body and "→ not working" in staff_note.body
    # The head of the bidang gets the summary with a link to the changes.
    summary = Notification.objects.get(channel="in_app", subject__startswith="Roster replanned")
    assert summary.recipient == planned_org["users"]["kabid"]
    assert summary.body == (
        f"The roster was planned again (after an absence or a building measure) and published: {len(changes)} days of "
        f"{len(people)} employees changed; only they were told."
    )
    assert summary.link.endswith(reverse("rostering:plan_changes", args=[new.pk]))
    # The diff page lists exactly those changes.
    client.force_login(planned_org["users"]["admin"])
    page = client.get(reverse("rostering:plan_changes", args=[new.pk]))
    assert page.status_code == 200
    assert [(c.employee.pk, c.date, c.before, c.after) for c in page.context["changes"]] == [
        (c.employee.pk, c.date, before[c.employee.pk, c.date], after[c.employee.pk, c.date]) for c in changes
    ]
    assert page.content.decode().count("<tr><td>") == len(changes)


def report_ok(plan):
    report = check(parse_problem(plan.problem), parse_plan(plan.result))
    hard = [v for v in report.violations if v.rule.startswith("H") or v.rule == "frozen"]
    assert hard == []
    return True


def test_pinned_days_are_kept_when_replanning(planned_org, published):
    old = published
    # The head of the dinas pins Friday of the employee of Bidang Umum at home.
    pinned = RosterAssignment.objects.get(plan=old, employee=planned_org["staff_umum"], date=END)
    target = ("wfh", "") if pinned.mode == "wfo" else ("wfo", "hari")
    services.assignment_override(assignment=pinned, mode=target[0], shift=target[1], actor=planned_org["users"]["head"])
    services.roster_replan_for_absence(
        employee=planned_org["staff"], start=LEAVE[0], end=LEAVE[1], reason="isolation", actor=None
    )
    new = RosterPlan.objects.get(replaces=old)
    problem = parse_problem(new.problem)
    staff = next(e for e in problem.employees if e.id == planned_org["staff"].nip)
    assert [(u.start, u.end, u.reason) for u in staff.unavailable] == [(LEAVE[0], LEAVE[1], "isolation")]
    solve_plan.call(new.pk)
    assert replan_finish.call(new.pk) == "published"
    kept = RosterAssignment.objects.get(plan=new, employee=planned_org["staff_umum"], date=END)
    assert (kept.mode, kept.shift, kept.pinned_by) == (*target, planned_org["users"]["head"])
    # Bidang Umum has one employee, so a cap of 0 on site: the head's pin breaks it, and the summary says so.
    assert target == ("wfo", "hari")
    summary = Notification.objects.get(channel="in_app", subject__startswith="Roster replanned")
    assert summary.body.endswith(
        "Days pinned by hand were kept and break these rules: "
        "WFO cap of Bidang Umum exceeded on 11 Dec: 1 on site, at most 0 allowed."
    )
    new.refresh_from_db()
    assert [b.rule for b in selectors.plan_rule_breaks(plan=new)] == ["H5"]


def test_an_absence_outside_the_rest_of_published_plans_replans_nothing(planned_org, published, monkeypatch):
    staff = planned_org["staff"]
    january = services.roster_replan_for_absence(
        employee=staff, start=dt.date(2027, 1, 4), end=dt.date(2027, 1, 5), reason="leave"
    )
    assert january == []
    # Once the plan's last day has come, there is nothing left to replan.
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: END)
    assert services.roster_replan_for_absence(employee=staff, start=START, end=END, reason="isolation") == []
    # A refused leave replans nothing either.
    leave = services.leave_request(employee=staff, start=LEAVE[0], end=LEAVE[1], kind="annual", actor=None)
    services.leave_decide(leave=leave, approver=planned_org["kabid"], approve=False, actor=None)
    assert not RosterPlan.objects.filter(replaces=published).exists()


def test_the_changes_page_is_for_bkpsdm_and_the_heads_concerned(
    planned_org, published, client, make_user, other_government
):
    services.roster_replan_for_absence(employee=planned_org["staff"], start=LEAVE[0], end=LEAVE[1], reason="leave")
    new = RosterPlan.objects.get(replaces=published)
    solve_plan.call(new.pk)
    replan_finish.call(new.pk)
    every = [(c.employee.name, c.date) for c in selectors.plan_diff(published, new)]
    url = reverse("rostering:plan_changes", args=[new.pk])
    outsider = make_user("bkpsdm-lain", (other_government, Role.ADMIN))
    for user, status in [(planned_org["users"]["staff"], 403), (outsider, 404), (planned_org["users"]["admin"], 200)]:
        client.force_login(user)
        assert client.get(url).status_code == status, user.username
    # The head of the bidang, told about the government-wide replan, sees its changes in the bidang.
    client.force_login(planned_org["users"]["kabid"])
    page = client.get(url)
    assert [(c.employee.name, c.date) for c in page.context["changes"]] == every
    assert {c.employee.unit_id for c in page.context["changes"]} == {planned_org["pelayanan"].pk}
    assert page.context["can_open"] is False
    # A plan that replaced none has nothing to show the head of a bidang.
    assert client.get(reverse("rostering:plan_changes", args=[published.pk])).status_code == 404


def _unavailable(plan, employee):
    return [
        (u.start, u.end) for e in parse_problem(plan.problem).employees if e.id == employee.nip for u in e.unavailable
    ]


def test_a_second_absence_withdraws_the_pending_replan_and_the_newest_covers_both(planned_org, published):
    """Two people isolated one after the other, before the first replan is solved: the first replan is
    withdrawn (never published), the second is built from both absences and is the one published."""
    staff, other = planned_org["staff"], planned_org["staff_umum"]
    services.absence_set(
        employee=staff, start=LEAVE[0], end=LEAVE[1], reason="isolation", source="test:iso-1", actor=None
    )
    first = RosterPlan.objects.get(replaces=published)
    assert first.status == "queued"
    services.absence_set(
        employee=other, start=LEAVE[0], end=LEAVE[1], reason="quarantine", source="test:qua-1", actor=None
    )
    first.refresh_from_db()
    assert (first.status, first.cancel_requested) == ("cancelled", True)
    second = RosterPlan.objects.get(replaces=published, cancel_requested=False)
    assert _unavailable(second, staff) == [LEAVE] and _unavailable(second, other) == [LEAVE]
    assert solve_plan.call(first.pk) == "skipped"  # a cancelled plan is not solved
    assert solve_plan.call(second.pk) == "draft"
    assert replan_finish.call(second.pk) == "published"
    second.refresh_from_db()
    assert second.status == "published"
    days = {(a.employee_id, a.date): a.mode for a in RosterAssignment.objects.filter(plan=second)}
    for day in (LEAVE[0], LEAVE[1]):
        assert days[(staff.pk, day)] == days[(other.pk, day)] == "off"


def test_a_solved_replan_waiting_to_be_published_is_not_published_once_withdrawn(planned_org, published):
    staff, other = planned_org["staff"], planned_org["staff_umum"]
    services.absence_set(employee=staff, start=LEAVE[0], end=LEAVE[1], reason="isolation", source="test:a", actor=None)
    first = RosterPlan.objects.get(replaces=published)
    assert solve_plan.call(first.pk) == "draft"  # solved; publishing is the next task
    services.absence_set(employee=other, start=LEAVE[0], end=LEAVE[0], reason="isolation", source="test:b", actor=None)
    assert replan_finish.call(first.pk) == "withdrawn"
    published.refresh_from_db()
    assert published.status == "published"  # still the roster in force until the newest replan is done
    second = RosterPlan.objects.get(replaces=published, cancel_requested=False)
    assert solve_plan.call(second.pk) == "draft" and replan_finish.call(second.pk) == "published"


def test_absences_set_in_a_batch_make_one_replan(planned_org, published):
    people = [planned_org["staff"], planned_org["staff_umum"], planned_org["other_staff"]]
    from django.db import transaction

    with transaction.atomic(), services.replans_batched():
        for i, person in enumerate(people):
            services.absence_set(
                employee=person, start=LEAVE[0], end=LEAVE[1], reason="quarantine", source=f"test:b{i}", actor=None
            )
        assert not RosterPlan.objects.filter(replaces=published).exists()  # nothing before the commit
    replan = RosterPlan.objects.get(replaces=published)
    assert replan.status == "queued"
    assert all(_unavailable(replan, person) == [LEAVE] for person in people)
