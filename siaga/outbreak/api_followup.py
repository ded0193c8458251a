"""API of the daily follow-up (mounted at /api/v1/): the person's daily symptom check and self-reported
contacts, the task force's follow-up table, "not reported today" and contacts of a contact.

Health data: the person reaches only their own check; the task force its government's cases; everyone else
gets 403 (or 404 for a case they cannot see). Every read is audit-logged."""

# No ``from __future__ import annotations``: ninja resolves the annotations at import.
import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from siaga.api.schemas import ERRORS_ONE, ERRORS_WRITE
from siaga.api.schemas import api_actor as _actor
from siaga.core.access import Actor, Perm
from siaga.core.views import client_ip
from siaga.outbreak import followup, selectors, selectors_followup
from siaga.outbreak.api import ContactOut
from siaga.outbreak.models import Case, SymptomCheck

router = Router(tags=["outbreak follow-up"])


def _person(request: HttpRequest) -> Actor:
    actor = _actor(request)
    if not actor.is_authenticated or not actor.employee_id:
        raise PermissionDenied("employee")
    return actor


class SymptomCheckIn(Schema):
    no_symptoms: bool = Field(False, description="True: no symptom today (then every symptom must be false).")
    fever: bool = False
    temperature: Decimal | None = Field(None, description="°C, 34–43; from 37.5 it counts as fever.")
    cough: bool = False
    sore_throat: bool = False
    short_breath: bool = Field(False, description="Alerts the task force at once.")
    smell_taste_loss: bool = False
    other: str = ""


class SymptomCheckOut(Schema):
    date: dt.date
    fever: bool
    temperature: Decimal | None
    cough: bool
    sore_throat: bool
    short_breath: bool
    smell_taste_loss: bool
    other: str
    has_symptoms: bool
    answered_at: dt.datetime


class FollowUpDayOut(Schema):
    date: dt.date
    status: str = Field(description="answered, missed or pending (today, before the deadline)")
    check: SymptomCheckOut | None


class FollowUpOut(Schema):
    answered: int
    missed: int
    with_symptoms: int
    days: list[FollowUpDayOut]


class MissingOut(Schema):
    case_id: int
    person_name: str
    unit: str | None
    classification: str


class SelfContactIn(Schema):
    day: dt.date = Field(description="The day you were together.")
    place: str = Field(description="Where (room, canteen, vehicle…).")
    colleague: str = Field("", description="A colleague's NIP or full name; or give name and phone.")
    name: str = ""
    phone: str = ""


class SelfContactOut(Schema):
    day: dt.date
    received: bool = True


@router.post(
    "/me/symptom-checks", response={200: SymptomCheckOut, **ERRORS_WRITE}, summary="Answer today's symptom check"
)
def symptom_check_submit(request: HttpRequest, payload: SymptomCheckIn) -> Any:
    """For a person under an isolation or quarantine order in force; a second answer the same day replaces the
    first."""
    actor = _person(request)
    check: SymptomCheck = followup.symptom_check_submit(actor=actor, answers=followup.Answers(**payload.dict()))
    return check


@router.get("/me/symptom-checks/today", response={200: SymptomCheckOut | None, **ERRORS_ONE}, summary="Today's answer")
def symptom_check_today(request: HttpRequest) -> Any:
    """Today's answer, or null when not answered yet (or there is nothing to report)."""
    _case, check = selectors_followup.my_followup(actor=_person(request), ip_address=client_ip(request))
    return check


@router.post("/me/contacts", response={201: SelfContactOut, **ERRORS_WRITE}, summary="Report a contact")
def self_contact_report(request: HttpRequest, payload: SelfContactIn) -> Any:
    """A person under isolation names someone they were close to; nothing about that person is returned."""
    followup.self_contact_report(actor=_person(request), **payload.dict())
    return Status(201, {"day": payload.day})


@router.get("/cases/{case_id}/follow-up", response={200: FollowUpOut, **ERRORS_ONE}, summary="Follow-up of a case")
def followup_table(request: HttpRequest, case_id: int) -> Any:
    actor = _actor(request)
    actor.require(Perm.VIEW_HEALTH)
    case: Case = selectors.case_get(actor=actor, pk=case_id, ip_address=client_ip(request))
    table = selectors_followup.followup_table(actor=actor, case=case, log=False)
    return {
        "answered": table.answered,
        "missed": table.missed,
        "with_symptoms": table.with_symptoms,
        "days": [{"date": d.date, "status": d.status, "check": d.check} for d in table.days],
    }


@router.get("/follow-up/missing", response={200: list[MissingOut], **ERRORS_ONE}, summary="Not reported today")
def followup_missing(request: HttpRequest) -> Any:
    _today, cases = selectors_followup.not_reported_today(actor=_actor(request), ip_address=client_ip(request))
    return [
        {
            "case_id": c.pk,
            "person_name": c.person_name,
            "unit": c.employee.unit.name if c.employee else None,
            "classification": c.classification,
        }
        for c in cases
    ]


@router.post(
    "/cases/{case_id}/contacts/second-generation",
    response={200: list[ContactOut], **ERRORS_WRITE},
    summary="Trace the contacts of a contact",
)
def second_generation(request: HttpRequest, case_id: int) -> Any:
    """For a confirmed close contact: their contacts from the day of their last exposure to the day they were
    told to stay home (idempotent); the proposals carry ``generation`` 2 (or more)."""
    actor = _actor(request)
    actor.require(Perm.VIEW_HEALTH)
    case = selectors.case_get(actor=actor, pk=case_id, ip_address=client_ip(request))
    return followup.contacts_of_contact_propose(actor=actor, case=case)
