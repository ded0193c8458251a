"""Recall to office (panggilan ke kantor): limits shown before sending, unavailable people refused
without a reason, acknowledgement, escalation."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from siaga.core.models import AuditEvent, Notification
from siaga.rostering import services as rostering
from siaga.rostering.models import Absence, RosterAssignment
from siaga.rostering.tasks import solve_plan
from siaga.rostering.tests import test_plans
from siaga.rostering.tests.test_plans import START, make_plan
from siaga.workday import services
from siaga.workday.models import Recall

planned_org = test_plans.planned_org  # the organisation and policy of the planning tests


def subjects(user):
    return list(
        Notification.objects.filter(recipient=user, channel="in_app").order_by("pk").values_list("subject", flat=True)
    )


def recall(org, who="kabid", people=("staff",), day=None, **kw):
    return services.recall_send(
        user=org["users"][who],
        employees=[org[p] for p in people],
        day=day or timezone.localdate(),
        reason=kw.pop("reason", "Verifikasi berkas mendesak"),
        **kw,
    )


@pytest.mark.django_db(transaction=True)
def test_the_head_sees_the_broken_cap_and_decides_to_go_ahead(planned_org):
    org = planned_org
    plan = make_plan(org, who="head", unit=org["dinas"], time_limit=5)
    assert solve_plan.call(plan.pk) == "draft"
    plan.refresh_from_db()
    rostering.plan_publish(plan=plan, actor=org["users"]["head"])
    home = RosterAssignment.objects.filter(plan=plan, employee__unit=org["pelayanan"], date=START, mode="wfh").first()
    assert home is not None
    person = home.employee
    check = services.recall_check(user=org["users"]["head"], employees=[person], day=START)
    assert (check.ok, check.refused) == ([person], [])
    assert check.breaks == ["WFO cap of Bidang Pelayanan exceeded on 7 Dec: 2 on site, at most 1 allowed"]
    with pytest.raises(ValidationError) as limits:
        services.recall_send(user=org["users"]["head"], employees=[person], day=START, reason="Audit")
    assert limits.value.message_dict["go_ahead"] == [
        "The recall would break these roster limits: WFO cap of Bidang Pelayanan exceeded on 7 Dec: 2 on site, "
        "at most 1 allowed. Go ahead anyway or change the people."
    ]
    assert not Recall.objects.exists()
    home.refresh_from_db()
    assert home.mode == "wfh"
    (sent,) = services.recall_send(
        user=org["users"]["head"], employees=[person], day=START, reason="Audit", go_ahead=True
    )
    assert (sent.roster_updated, sent.accepted_breaks) == (True, check.breaks)
    home.refresh_from_db()
    assert (home.mode, home.shift, home.pinned_by) == ("wfo", "hari", org["users"]["head"])
    event = AuditEvent.objects.get(object_type="workday.recall")
    assert event.changes["accepted_breaks"] == check.breaks


def test_a_recall_reaches_the_person_on_every_channel_and_is_acknowledged(org):
    (sent,) = recall(org)
    assert (sent.status, sent.recalled_by, sent.recalled_basis, sent.roster_updated) == (
        "sent",
        org["kabid"],
        "official",
        False,
    )
    channels = set(Notification.objects.filter(recipient=org["users"]["staff"]).values_list("channel", flat=True))
    assert {"in_app", "email"} <= channels
    with pytest.raises(PermissionDenied):
        services.recall_acknowledge(recall=sent, user=org["users"]["kabid"], arrival=dt.time(10, 30))
    with pytest.raises(ValidationError) as no_time:
        services.recall_acknowledge(recall=sent, user=org["users"]["staff"], arrival=None)
    assert no_time.value.message_dict == {"arrival_time": ["Give the time you expect to arrive, e.g. 10:30."]}
    done = services.recall_acknowledge(recall=sent, user=org["users"]["staff"], arrival=dt.time(10, 30))
    assert (done.status, done.arrival_time) == ("acknowledged", dt.time(10, 30))
    assert subjects(org["users"]["kabid"])[-1] == "Staf Pelayanan will arrive at 10:30"


def test_someone_in_isolation_is_refused_without_saying_why(org):
    today = timezone.localdate()
    Absence.objects.create(
        government=org["government"], employee=org["staff"], start=today, end=today, reason="isolation", source="t:1"
    )
    with pytest.raises(ValidationError) as refused:
        recall(org)
    assert refused.value.message_dict == {"employees": ["Staf Pelayanan is not available on that date."]}
    assert "isolation" not in str(refused.value).lower()
    assert not Recall.objects.exists()
    assert not subjects(org["users"]["staff"])


def test_the_same_person_is_not_recalled_twice_for_a_day_and_past_days_are_refused(org):
    recall(org)
    with pytest.raises(ValidationError) as twice:
        recall(org, who="head")
    assert twice.value.message_dict == {"employees": ["Staf Pelayanan is already recalled for that date."]}
    with pytest.raises(ValidationError) as past:
        recall(org, day=timezone.localdate() - dt.timedelta(days=1))
    assert past.value.message_dict == {"date": ["A recall is for today or a later day."]}
    with pytest.raises(ValidationError) as no_reason:
        recall(org, reason=" ")
    assert no_reason.value.message_dict == {"reason": ["Say why they are needed at the office."]}
    assert Recall.objects.count() == 1


def test_only_heads_and_acting_heads_recall(org, plh):
    for who in ("staff", "other_staff", "admin"):
        with pytest.raises(PermissionDenied):
            recall(org, who=who, people=("staff_umum",))
    with pytest.raises(PermissionDenied):
        recall(org, who="kabid", people=("other_staff",))  # not their unit
    (sent,) = services.recall_send(
        user=plh["user"], employees=[org["staff"]], day=timezone.localdate(), reason="Pelayanan ramai"
    )
    assert sent.recalled_basis == "plh"
    plh["delegation"].end = timezone.localdate() - dt.timedelta(days=1)
    plh["delegation"].save()
    with pytest.raises(PermissionDenied):
        services.recall_send(user=plh["user"], employees=[org["kabid"]], day=timezone.localdate(), reason="x")


def test_unanswered_recalls_are_escalated_once_to_the_head_and_the_head_above(org, settings):
    settings.RECALL_ESCALATE_AFTER_MINUTES = 30
    (sent,) = recall(org)
    (answered,) = recall(org, people=("kabid",), who="head")
    services.recall_acknowledge(recall=answered, user=org["users"]["kabid"], arrival=dt.time(9, 0))
    now = timezone.now()
    assert services.recall_escalate_due(now=now + dt.timedelta(minutes=29)) == 0
    assert services.recall_escalate_due(now=now + dt.timedelta(minutes=31)) == 1
    assert services.recall_escalate_due(now=now + dt.timedelta(minutes=45)) == 0
    sent.refresh_from_db()
    assert sent.escalated_at is not None
    expected = "No answer to a recall: Staf Pelayanan"
    assert subjects(org["users"]["kabid"]).count(expected) == 1
    assert subjects(org["users"]["head"]).count(expected) == 1


def test_the_recall_pages(org, login):
    head = login(org["users"]["kabid"])
    page = head.get(reverse("workday:recall_list")).content.decode()
    assert org["staff"].nip in page
    day = timezone.localdate().isoformat()
    checked = head.post(
        reverse("workday:recall_list"), {"nip": [org["staff"].nip], "date": day, "reason": "Audit", "action": "check"}
    ).content.decode()
    assert 'data-testid="recall-ok"' in checked
    assert not Recall.objects.exists()
    head.post(
        reverse("workday:recall_list"), {"nip": [org["staff"].nip], "date": day, "reason": "Audit", "action": "send"}
    )
    sent = Recall.objects.get()
    staff = login(org["users"]["staff"])
    detail = reverse("workday:recall_detail", args=[sent.pk])
    assert 'data-testid="acknowledge"' in staff.get(detail).content.decode()
    staff.post(detail, {"arrival_time": "10:15"})
    sent.refresh_from_db()
    assert (sent.status, sent.arrival_time) == ("acknowledged", dt.time(10, 15))
    # A colleague of another unit sees nothing; the staff member cannot recall anyone.
    assert login(org["users"]["other_staff"]).get(detail).status_code == 404
    page = login(org["users"]["staff"]).get(reverse("workday:recall_list")).content.decode()
    assert 'data-testid="recall-form"' not in page
