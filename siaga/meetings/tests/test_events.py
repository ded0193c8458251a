"""Mass events: postponed automatically while the policy bans mass gatherings, rescheduled when it
allows, the history kept."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from siaga.core import schedule
from siaga.core.models import Notification
from siaga.meetings import services
from siaga.meetings.models import MassEvent, MassEventChange
from siaga.meetings.tests.conftest import DAY, at
from siaga.rostering import services as rostering

pytestmark = pytest.mark.django_db


def schedule_apel(org, **values):
    base = {
        "government": org["government"],
        "user": org["users"]["admin"],
        "kind": "apel",
        "title": "Apel pagi gabungan",
        "place": "Halaman Kantor Bupati",
        "start": at(7, 30),
        "end": at(8, 30),
        "units": [org["dinas"]],
    }
    base.update(values)
    return services.event_create(**base)


def ban(policy, on=True):
    rostering.policy_update(policy=policy, actor=None, mass_gathering_ban=on)


def test_scheduling_tells_every_participant_of_the_units_below(org, policy):
    event = schedule_apel(org)
    assert event.status == "scheduled"
    told = sorted(Notification.objects.filter(channel="in_app").values_list("recipient__username", flat=True))
    # the Dinas and its two bidang: the head, the kabid and the staff with an account
    assert told == ["kabid", "kadis", "staf"]
    assert [(h.action, h.start) for h in event.history.all()] == [("scheduled", at(7, 30))]


def test_events_are_postponed_when_the_policy_bans_gatherings_and_only_once(org, policy):
    event = schedule_apel(org)
    other_day = schedule_apel(org, title="Bimtek SIMPEG", kind="bimtek", start=at(9), end=at(12))
    Notification.objects.all().delete()
    ban(policy)
    postponed = services.events_apply_policy(org["government"], now=at(6, day=DAY - dt.timedelta(days=3)))
    assert sorted(e.pk for e in postponed) == sorted([event.pk, other_day.pk])
    event.refresh_from_db()
    assert event.status == "postponed"
    assert event.status_reason == "Mass gatherings are banned on 04-03-2030 under " + policy.name + "."
    assert [h.action for h in event.history.all()] == ["scheduled", "postponed"]
    notes = Notification.objects.filter(channel="in_app", subject="Postponed: Apel pagi gabungan")
    assert sorted(n.recipient.username for n in notes) == ["kabid", "kadis", "staf"]
    assert "A new date will be announced." in notes.first().body
    # idempotent: a second run (or a second worker) changes nothing and tells nobody again
    assert services.events_apply_policy(org["government"], now=at(6, day=DAY - dt.timedelta(days=3))) == []
    assert MassEventChange.objects.filter(action="postponed").count() == 2
    assert Notification.objects.filter(channel="in_app", subject__startswith="Postponed").count() == 6


def test_past_events_and_events_outside_the_ban_stay_as_they_are(org, policy):
    from siaga.meetings.tests.conftest import WIB

    event = schedule_apel(org)
    later = rostering.policy_copy_for_government(
        government=org["government"], preset=policy.copied_from, actor=None, select_from=DAY + dt.timedelta(days=1)
    )
    rostering.policy_update(policy=later, actor=None, mass_gathering_ban=True)
    assert services.events_apply_policy(org["government"], now=dt.datetime(2030, 3, 1, tzinfo=WIB)) == []
    ban(policy)
    # the event is over: nothing to postpone
    assert services.events_apply_policy(org["government"], now=at(9)) == []
    event.refresh_from_db()
    assert event.status == "scheduled"


def test_a_policy_change_postpones_events_on_commit(org, policy, django_capture_on_commit_callbacks):
    from django.utils import timezone

    soon = timezone.now() + dt.timedelta(days=2)
    event = schedule_apel(org, start=soon, end=soon + dt.timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        ban(policy)
    event.refresh_from_db()
    assert event.status == "postponed"


def test_the_periodic_job_applies_the_policy(org, policy):
    from django.utils import timezone

    job = next(job for job in schedule.PERIODIC_JOBS if job.name == "events-apply-policy")
    soon = timezone.now() + dt.timedelta(days=2)
    event = schedule_apel(org, start=soon, end=soon + dt.timedelta(hours=1))
    policy.mass_gathering_ban = True
    policy.save(update_fields=["mass_gathering_ban"])  # changed behind the services' back: no hook ran
    assert job.run() == 1
    assert job.run() == 0
    event.refresh_from_db()
    assert event.status == "postponed"


def test_scheduling_and_rescheduling_under_a_ban_are_refused_with_the_reason(org, policy):
    from django.utils import timezone

    soon = timezone.now() + dt.timedelta(days=2)
    event = schedule_apel(org, start=soon, end=soon + dt.timedelta(hours=1))
    ban(policy)
    services.events_apply_policy(org["government"])
    with pytest.raises(ValidationError) as err:
        schedule_apel(org, start=soon, end=soon + dt.timedelta(hours=1))
    assert "Mass gatherings are banned on" in err.value.message_dict["start"][0]
    assert "Choose a date when the policy allows mass gatherings." in err.value.message_dict["start"][0]
    later = soon + dt.timedelta(days=30)
    with pytest.raises(ValidationError):
        services.event_reschedule(event=event, user=None, start=later, end=later + dt.timedelta(hours=1))
    event.refresh_from_db()
    assert event.status == "postponed"
    # the ban is lifted: the event gets its new date, the history keeps every step
    ban(policy, on=False)
    Notification.objects.all().delete()
    moved = services.event_reschedule(
        event=event, user=org["users"]["admin"], start=later, end=later + dt.timedelta(hours=1)
    )
    assert (moved.status, moved.status_reason, moved.start) == ("scheduled", "", later)
    assert [h.action for h in moved.history.all()] == ["scheduled", "postponed", "rescheduled"]
    assert Notification.objects.filter(channel="in_app", subject="New date: Apel pagi gabungan").count() == 3


def test_bad_event_input_is_refused_and_nothing_is_written(org, policy):
    with pytest.raises(ValidationError) as err:
        schedule_apel(org, kind="konser", title=" ", place="", units=[], end=at(7))
    assert set(err.value.message_dict) == {"kind", "title", "place", "units", "end"}
    assert not MassEvent.objects.exists()
    assert not Notification.objects.exists()


def test_a_cancelled_event_keeps_its_history_and_cannot_be_rescheduled(org, policy):
    event = schedule_apel(org)
    with pytest.raises(ValidationError):
        services.event_cancel(event=event, user=None, reason="")
    services.event_cancel(event=event, user=None, reason="Diganti apel daring.")
    with pytest.raises(ValidationError) as err:
        services.event_reschedule(
            event=event,
            user=None,
            start=at(7, day=DAY + dt.timedelta(days=7)),
            end=at(8, day=DAY + dt.timedelta(days=7)),
        )
    assert "cancelled event cannot be rescheduled" in err.value.messages[0]
    assert [h.action for h in event.history.all()] == ["scheduled", "cancelled"]
