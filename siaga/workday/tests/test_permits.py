"""Travel permits (izin keluar daerah): request, overlap, conflicts with office days, decide, cancel."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from conftest import postgresql_only
from siaga.core.models import Notification
from siaga.rostering import services as rostering
from siaga.rostering.models import Absence, RosterPlan
from siaga.rostering.tasks import solve_plan
from siaga.rostering.tests import test_plans
from siaga.rostering.tests.test_plans import START, make_plan
from siaga.workday import selectors, services
from siaga.workday.models import TravelPermit
from siaga.workday.tests.conftest import at_once

TODAY = timezone.localdate
planned_org = test_plans.planned_org  # the organisation and policy of the planning tests


def days(n):
    return TODAY() + dt.timedelta(days=n)


def ask(org, start=1, end=3, **kw):
    values = {"destination": "Yogyakarta", "purpose": "Menjenguk orang tua", **kw}
    return services.travel_permit_request(
        employee=org["staff"], start=days(start), end=days(end), actor=org["users"]["staff"], **values
    )


def subjects(user):
    return list(
        Notification.objects.filter(recipient=user, channel="in_app").order_by("pk").values_list("subject", flat=True)
    )


def test_an_approved_permit_makes_the_employee_unavailable_and_everyone_is_told(org):
    permit = ask(org)
    assert subjects(org["users"]["kabid"]) == ["Travel permit to decide: Staf Pelayanan to Yogyakarta"]
    decided = services.travel_permit_decide(permit=permit, user=org["users"]["kabid"], approve=True)
    assert (decided.status, decided.decided_by, decided.decided_basis) == ("approved", org["kabid"], "official")
    absence = Absence.objects.get(source=f"workday.travelpermit:{permit.pk}")
    assert (absence.employee, absence.start, absence.end, absence.reason) == (org["staff"], days(1), days(3), "travel")
    assert subjects(org["users"]["staff"]) == ["Your travel permit to Yogyakarta was approved"]
    # Cancelling it gives the days back and tells the head and the employee.
    services.travel_permit_cancel(permit=permit, user=org["users"]["staff"])
    assert not Absence.objects.filter(source=f"workday.travelpermit:{permit.pk}").exists()
    assert subjects(org["users"]["kabid"])[-1] == "Travel permit cancelled: Staf Pelayanan to Yogyakarta"
    assert TravelPermit.objects.get().status == "cancelled"


@pytest.mark.django_db(transaction=True)
def test_an_approval_replans_the_published_roster(planned_org, django_capture_on_commit_callbacks):
    org = planned_org
    plan = make_plan(org, time_limit=5)
    assert solve_plan.call(plan.pk) == "draft"
    plan.refresh_from_db()
    rostering.plan_publish(plan=plan, actor=org["users"]["admin"])
    permit = services.travel_permit_request(
        employee=org["staff"],
        destination="Yogyakarta",
        start=START,
        end=START + dt.timedelta(days=1),
        purpose="Keluarga",
        actor=org["users"]["staff"],
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.travel_permit_decide(permit=permit, user=org["users"]["kabid"], approve=True)
    new = RosterPlan.objects.get(replaces=plan)
    assert new.status == "queued"
    staff = next(e for e in new.problem["employees"] if e["id"] == org["staff"].nip)
    assert {"start": START.isoformat(), "end": (START + dt.timedelta(days=1)).isoformat(), "reason": "travel"} in [
        {k: u[k] for k in ("start", "end", "reason")} for u in staff["unavailable"]
    ]


def test_overlapping_permits_of_the_same_person_are_refused(org):
    first = ask(org, 1, 3)
    with pytest.raises(ValidationError) as clash:
        ask(org, 3, 5, destination="Solo")
    assert clash.value.message_dict == {
        "start": [
            f"These days overlap your permit to Yogyakarta from {days(1):%d-%m-%Y} to {days(3):%d-%m-%Y}; "
            "change the dates or cancel that permit first."
        ]
    }
    assert TravelPermit.objects.count() == 1
    services.travel_permit_decide(permit=first, user=org["users"]["kabid"], approve=False, note="Ada tugas.")
    assert ask(org, 3, 5).status == "pending"  # a refused permit no longer blocks the days


@pytest.mark.parametrize(
    ("kw", "field", "message"),
    [
        ({"destination": " "}, "destination", "Say where you are going (city or regency)."),
        ({"purpose": ""}, "purpose", "Say why you need to travel."),
        ({"start": 3, "end": 1}, "end", "The end date comes before the start date."),
        ({"start": -1, "end": 1}, "start", "A permit is asked for before travelling; the start date has passed."),
        ({"start": 1, "end": 95}, "end", "A permit covers at most 90 days; ask for several permits."),
    ],
)
def test_bad_requests_say_what_to_fix(org, kw, field, message):
    with pytest.raises(ValidationError) as error:
        ask(org, **kw)
    assert error.value.message_dict[field] == [message]
    assert not TravelPermit.objects.exists()


def test_office_days_in_the_published_roster_are_conflicts(org, publish_days):
    publish_days({(org["staff"], days(1)): "wfo", (org["staff"], days(2)): "wfh", (org["staff"], days(3)): "wfo"})
    assert selectors.travel_conflicts(employee=org["staff"], start=days(1), end=days(3)) == [days(1), days(3)]


def test_refusal_needs_a_reason_and_only_heads_decide(org, plh):
    permit = ask(org)
    with pytest.raises(ValidationError) as no_note:
        services.travel_permit_decide(permit=permit, user=org["users"]["kabid"], approve=False)
    assert no_note.value.message_dict == {"note": ["Say why the permit is refused."]}
    for who in ("staff", "other_staff", "admin"):
        with pytest.raises(PermissionDenied):
            services.travel_permit_decide(permit=permit, user=org["users"][who], approve=True)
    # The Plh decides while acting, and not after the delegation ended.
    plh["delegation"].end = days(-1)
    plh["delegation"].save()
    with pytest.raises(PermissionDenied):
        services.travel_permit_decide(permit=permit, user=plh["user"], approve=True)
    plh["delegation"].end = days(3)
    plh["delegation"].save()
    decided = services.travel_permit_decide(permit=permit, user=plh["user"], approve=False, note="Ada apel.")
    assert (decided.status, decided.decided_basis, decided.note) == ("refused", "plh", "Ada apel.")
    with pytest.raises(ValidationError) as again:
        services.travel_permit_decide(permit=permit, user=org["users"]["kabid"], approve=True)
    assert again.value.messages == ["This permit was already refused by Plh Pelayanan."]


@pytest.mark.django_db(transaction=True)
@postgresql_only
def test_two_approvers_at_once_produce_one_decision(org):
    permit = ask(org)
    results = at_once(
        lambda: services.travel_permit_decide(permit=permit, user=org["users"]["kabid"], approve=True),
        lambda: services.travel_permit_decide(permit=permit, user=org["users"]["head"], approve=False, note="Tidak."),
    )
    done = [r for r in results if isinstance(r, TravelPermit)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert (len(done), len(refused)) == (1, 1), results
    permit.refresh_from_db()
    assert permit.status == done[0].status
    assert Absence.objects.filter(source=permit.source).count() == (1 if permit.status == "approved" else 0)
    assert Notification.objects.filter(recipient=org["users"]["staff"], channel="in_app").count() == 1


def test_the_pages_show_conflicts_to_requester_and_approver(org, login, publish_days):
    publish_days({(org["staff"], days(2)): "wfo"})
    client = login(org["users"]["staff"])
    form = {"destination": "Solo", "start": days(1).isoformat(), "end": days(3).isoformat(), "purpose": "Keluarga"}
    checked = client.post(reverse("workday:permit_request"), {**form, "action": "check"}).content.decode()
    assert 'data-testid="permit-conflicts"' in checked
    assert not TravelPermit.objects.exists()
    client.post(reverse("workday:permit_request"), {**form, "action": "send"})
    permit = TravelPermit.objects.get()
    head = login(org["users"]["kabid"])
    listing = head.get(reverse("workday:permit_list")).content.decode()
    assert "Office days in the roster:" in listing
    detail = reverse("workday:permit_detail", args=[permit.pk])
    assert 'data-testid="decide-permit"' in head.get(detail).content.decode()
    head.post(detail, {"decision": "approve"})
    permit.refresh_from_db()
    assert permit.status == "approved"


def test_the_pages_refuse_outsiders(org, login):
    permit = ask(org)
    detail = reverse("workday:permit_detail", args=[permit.pk])
    assert login(org["users"]["other_staff"]).get(detail).status_code == 404
    assert login(org["users"]["admin"]).post(detail, {"decision": "approve"}).status_code == 403
    assert login(org["users"]["health"]).get(reverse("workday:permit_request")).status_code == 403
    permit.refresh_from_db()
    assert permit.status == "pending"
