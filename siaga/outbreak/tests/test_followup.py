"""The daily symptom check: one answer a day, the alerts it raises, the missed-days job, the task force's
follow-up table and "not reported today", and who may see any of it (pages and API)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from siaga.api.tests.conftest import ApiClient
from siaga.core.models import AuditEvent, Notification
from siaga.env import env_time
from siaga.outbreak import followup, services
from siaga.outbreak.followup import Answers
from siaga.outbreak.models import Case, FollowUpAlert, SymptomCheck
from siaga.outbreak.tests.conftest import days_ago

pytestmark = pytest.mark.django_db


def page(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def alerts(user: Any) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, channel="in_app").order_by("pk"))


@pytest.fixture
def isolated(org: dict[str, Any], task_force: Any, staff_case: Case) -> Case:
    """The staff member, confirmed without symptoms, isolated since 3 days ago."""
    services.order_issue(actor=task_force, case=staff_case, kind="isolation", start=days_ago(3))
    return staff_case


@pytest.fixture
def staff(org: dict[str, Any], actor_of: Any) -> Any:
    return actor_of(org["users"]["staff"])


def test_one_answer_a_day_a_second_one_replaces_it_and_both_are_audit_logged(org, isolated, staff):
    first = followup.symptom_check_submit(actor=staff, answers=Answers(no_symptoms=True))
    second = followup.symptom_check_submit(actor=staff, answers=Answers(cough=True, temperature=Decimal("37.8")))
    assert first.pk == second.pk
    check = SymptomCheck.objects.get(case=isolated)
    assert check.date == timezone.localdate()
    assert (check.cough, check.fever, check.temperature) == (True, True, Decimal("37.8"))  # 37.8 °C is a fever
    events = AuditEvent.objects.filter(object_type="outbreak.symptomcheck").values_list("action", flat=True)
    assert sorted(events) == ["create", "update"]


def test_bad_answers_say_what_to_fix_and_write_nothing(org, isolated, staff):
    cases = [
        (Answers(), "no_symptoms", "Tick the symptoms you have today"),
        (Answers(no_symptoms=True, cough=True), "no_symptoms", "untick one of them"),
        (Answers(no_symptoms=True, temperature=Decimal("48")), "temperature", "between 34 and 43"),
    ]
    for answers, field, text in cases:
        with pytest.raises(ValidationError) as exc:
            followup.symptom_check_submit(actor=staff, answers=answers)
        assert text in exc.value.message_dict[field][0]
    assert not SymptomCheck.objects.exists()


def test_without_an_order_in_force_there_is_nothing_to_report(org, staff_case, staff):
    with pytest.raises(ValidationError) as exc:
        followup.symptom_check_submit(actor=staff, answers=Answers(no_symptoms=True))
    assert "no isolation or quarantine order in force today" in exc.value.messages[0]
    html = page(org["users"]["staff"]).get("/outbreak/mine/daily/").content.decode()
    assert 'data-testid="nothing-to-report"' in html and 'data-testid="daily-form"' not in html


def test_a_new_symptom_in_an_asymptomatic_case_alerts_and_proposes_symptomatic_onset_that_day(
    org, isolated, staff, task_force
):
    health = org["users"]["health"]
    followup.symptom_check_submit(actor=staff, answers=Answers(no_symptoms=True), now=timezone.now())
    assert alerts(health) == []
    followup.symptom_check_submit(actor=staff, answers=Answers(smell_taste_loss=True))
    followup.symptom_check_submit(actor=staff, answers=Answers(smell_taste_loss=True, cough=True))  # same day
    (alert,) = alerts(health)
    assert alert.subject == "New symptoms: Staf Pelayanan"
    assert "loss of smell or taste" in alert.body and "Proposed: reclassify as confirmed, symptomatic" in alert.body
    assert alert.link == f"/outbreak/cases/{isolated.pk}/"
    head_told = Notification.objects.filter(recipient=org["users"]["kabid"]).values_list("subject", "body")
    assert head_told and not any("symptom" in f"{s} {b}".lower() for s, b in head_told)  # only "unavailable"
    client = page(health)
    html = client.get(f"/outbreak/cases/{isolated.pk}/").content.decode()
    assert 'data-testid="propose-symptomatic"' in html
    response = client.post(f"/outbreak/cases/{isolated.pk}/reclassify-symptomatic/")
    assert response.status_code == 302
    case = Case.objects.get(pk=isolated.pk)
    assert (case.classification, case.onset_date) == ("confirmed_symptomatic", timezone.localdate())
    assert case.history.last().note.startswith("Symptoms reported in the daily check")


def test_a_quarantined_contact_with_symptoms_is_flagged_suspect(org, task_force, actor_of):
    contact = services.case_create(
        actor=task_force, employee=org["kabid"], classification="close_contact", last_exposure=days_ago(2)
    )
    services.order_issue(actor=task_force, case=contact, kind="quarantine", start=days_ago(1))
    followup.symptom_check_submit(actor=actor_of(org["users"]["kabid"]), answers=Answers(fever=True))
    (alert,) = alerts(org["users"]["health"])
    assert "a close contact in quarantine" in alert.body and alert.body.endswith("Suspect?")
    html = page(org["users"]["health"]).get(f"/outbreak/cases/{contact.pk}/").content.decode()
    assert 'data-testid="suspect-flag"' in html


def test_shortness_of_breath_alerts_at_once_even_with_known_symptoms(org, task_force, actor_of):
    case = services.case_create(
        actor=task_force, employee=org["staff"], classification="confirmed_symptomatic", onset_date=days_ago(2)
    )
    services.order_issue(actor=task_force, case=case, kind="isolation", start=days_ago(2))
    staff = actor_of(org["users"]["staff"])
    followup.symptom_check_submit(actor=staff, answers=Answers(cough=True))
    assert alerts(org["users"]["health"]) == []  # symptomatic already: nothing new
    followup.symptom_check_submit(actor=staff, answers=Answers(cough=True, short_breath=True))
    followup.symptom_check_submit(actor=staff, answers=Answers(short_breath=True))
    (alert,) = alerts(org["users"]["health"])
    assert alert.subject.startswith("URGENT: shortness of breath")
    assert Notification.objects.filter(recipient=org["users"]["health"], channel="email").count() <= 1


def test_the_missed_checks_job_alerts_once_after_the_deadline_listing_who_has_not_answered(
    org, isolated, task_force, settings, actor_of
):
    settings.SYMPTOM_CHECK_DEADLINE = dt.time(12, 0)
    contact = services.case_create(
        actor=task_force, employee=org["kabid"], classification="close_contact", last_exposure=days_ago(2)
    )
    services.order_issue(actor=task_force, case=contact, kind="quarantine", start=days_ago(1))
    followup.symptom_check_submit(actor=actor_of(org["users"]["kabid"]), answers=Answers(no_symptoms=True))
    today = timezone.localdate()
    tz = org["government"].tzinfo
    morning = dt.datetime.combine(today, dt.time(11, 59), tzinfo=tz)
    noon = dt.datetime.combine(today, dt.time(12, 0), tzinfo=tz)
    assert followup.missed_checks_alert(now=morning) == 0
    assert followup.missed_checks_alert(now=noon) == 1
    assert followup.missed_checks_alert(now=noon + dt.timedelta(hours=2)) == 0  # once a day
    (alert,) = alerts(org["users"]["health"])
    assert alert.subject == "1 people have not answered today's symptom check"
    assert "- Staf Pelayanan" in alert.body and "Kepala Bidang" not in alert.body
    assert alert.link == "/outbreak/follow-up/missing/"
    assert FollowUpAlert.objects.filter(kind="missed").count() == 1


def test_the_job_is_scheduled():
    from siaga.core.schedule import PERIODIC_JOBS

    names = {job.name for job in PERIODIC_JOBS}
    assert {"symptom-checks-missed", "health-data-anonymise"} <= names


def test_the_deadline_setting_is_parsed_strictly():
    assert env_time("SYMPTOM_CHECK_DEADLINE", "12:00", environ={}) == dt.time(12, 0)
    assert env_time("SYMPTOM_CHECK_DEADLINE", "12:00", environ={"SYMPTOM_CHECK_DEADLINE": "09:30"}) == dt.time(9, 30)
    for bad in ("9", "25:00", "noon", "12:60"):
        with pytest.raises(ImproperlyConfigured, match="write it as HH:MM"):
            env_time("SYMPTOM_CHECK_DEADLINE", "12:00", environ={"SYMPTOM_CHECK_DEADLINE": bad})


def test_the_follow_up_table_counts_answered_missed_and_symptoms(org, isolated, settings):
    settings.SYMPTOM_CHECK_DEADLINE = dt.time(23, 59, 59)
    SymptomCheck.objects.create(
        government=org["government"], case=isolated, date=days_ago(2), cough=True, answered_at=timezone.now()
    )
    SymptomCheck.objects.create(
        government=org["government"], case=isolated, date=days_ago(1), answered_at=timezone.now()
    )
    client = page(org["users"]["health"])
    html = client.get(f"/outbreak/cases/{isolated.pk}/").content.decode()
    assert "2 answered · 1 missed · 1 with symptoms" in html
    assert html.count('data-testid="followup-pending"') == 1  # today, before the deadline
    body = ApiClient(user=org["users"]["health"]).get(f"/cases/{isolated.pk}/follow-up").json()
    assert (body["answered"], body["missed"], body["with_symptoms"]) == (2, 1, 1)
    assert [d["status"] for d in body["days"]] == ["pending", "answered", "answered", "missed"]
    assert body["days"][2]["check"]["cough"] is True


def test_not_reported_today_lists_who_has_not_answered(org, isolated, task_force):
    visitor = services.case_create(
        actor=task_force, classification="confirmed_asymptomatic", visitor_name="Tamu", specimen_date=days_ago(1)
    )
    services.order_issue(actor=task_force, case=visitor, kind="isolation", start=days_ago(1))  # no account: by phone
    client = page(org["users"]["health"])
    html = client.get("/outbreak/follow-up/missing/").content.decode()
    assert 'data-testid="missing"' in html and "Staf Pelayanan" in html
    api = ApiClient(user=org["users"]["health"])
    assert [m["person_name"] for m in api.get("/follow-up/missing").json()] == ["Staf Pelayanan"]
    api_staff = ApiClient(user=org["users"]["staff"])
    assert api_staff.post("/me/symptom-checks", {"no_symptoms": True}).status_code == 200
    assert api.get("/follow-up/missing").json() == []
    assert "Everyone under follow-up has answered today." in client.get("/outbreak/follow-up/missing/").content.decode()
    reads = AuditEvent.objects.filter(actor=org["users"]["health"], action="read", object_id="followup-missing")
    assert reads.count() == 4  # two pages, two API reads


def test_the_person_answers_on_the_phone_from_my_cases(org, isolated):
    client = page(org["users"]["staff"])
    mine = client.get("/outbreak/mine/").content.decode()
    assert 'href="/outbreak/mine/daily/"' in mine and 'href="/outbreak/mine/contacts/"' in mine
    response = client.post("/outbreak/mine/daily/", {"sore_throat": "on", "temperature": "36.9"})
    assert response.status_code == 302
    html = client.get("/outbreak/mine/daily/").content.decode()
    assert 'data-testid="answered-today"' in html
    response = client.post("/outbreak/mine/daily/", {})
    assert response.status_code == 422 and "Tick the symptoms you have today" in response.content.decode()
    check = SymptomCheck.objects.get(case=isolated)
    assert check.sore_throat and check.temperature == Decimal("36.9")
    # the person's own case page carries no task-force follow-up block
    assert 'data-testid="followup"' not in client.get(f"/outbreak/cases/{isolated.pk}/").content.decode()


@pytest.mark.parametrize("who", ["kabid", "head", "admin", "officer", "other_staff"])
def test_other_roles_never_reach_the_follow_up(org, isolated, who):
    user = org["users"][who]
    client = page(user)
    assert client.get("/outbreak/follow-up/missing/").status_code == 403
    assert client.post(f"/outbreak/cases/{isolated.pk}/reclassify-symptomatic/").status_code == 403
    api = ApiClient(user=user)
    assert api.get("/follow-up/missing").status_code == 403
    assert api.get(f"/cases/{isolated.pk}/follow-up").status_code == 403
    daily = client.get("/outbreak/mine/daily/")
    if who in ("admin", "officer"):  # not employees: no daily check at all
        assert daily.status_code == 403
        assert api.post("/me/symptom-checks", {"no_symptoms": True}).status_code == 403
    else:  # an employee without an order: nothing about anyone else
        assert daily.status_code == 200 and "Staf Pelayanan" not in daily.content.decode()
        assert api.post("/me/symptom-checks", {"no_symptoms": True}).status_code == 422
        assert api.get("/me/symptom-checks/today").json() is None
    assert not SymptomCheck.objects.exists()


def test_another_governments_task_force_gets_404(org, isolated, outsider_health):
    client = page(outsider_health)
    assert client.post(f"/outbreak/cases/{isolated.pk}/reclassify-symptomatic/").status_code == 404
    assert "Staf Pelayanan" not in client.get("/outbreak/follow-up/missing/").content.decode()
    api = ApiClient(user=outsider_health)
    assert api.get(f"/cases/{isolated.pk}/follow-up").status_code == 404
    assert api.get("/follow-up/missing").json() == []


def test_reclassifying_needs_a_reported_symptom(org, isolated, task_force):
    with pytest.raises(ValidationError):
        followup.reclassify_symptomatic(actor=task_force, case=isolated)
    with pytest.raises(PermissionDenied):
        followup.reclassify_symptomatic(actor=followup_actor(org), case=isolated)


def followup_actor(org: dict[str, Any]) -> Any:
    from siaga.core.access import actor_for_user

    return actor_for_user(org["users"]["kabid"])


@pytest.mark.indonesian
def test_the_daily_check_speaks_indonesian(org, isolated):
    html = page(org["users"]["staff"]).get("/outbreak/mine/daily/").content.decode()
    assert "Pemantauan harian" in html and "Sesak napas" in html
