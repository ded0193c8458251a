"""API of the satisfaction survey (``survey_router``, mounted at /api/v1/): the applicant answers once
for a closed application; the admin and unit heads read the IKM of their scope."""

# No ``from __future__ import annotations``: ninja resolves the annotations of the views.
import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status

from siaga.api.schemas import ERRORS_ONE, ERRORS_WRITE
from siaga.api.schemas import api_actor as _actor
from siaga.services import workflow
from siaga.services.selectors import application_by_reference
from siaga.survey import selectors, services
from siaga.survey.elements import Ikm

router = Router(tags=["survey"])


class AnswerIn(Schema):
    u1: int
    u2: int
    u3: int
    u4: int
    u5: int
    u6: int
    u7: int
    u8: int
    u9: int
    suggestion: str = ""


class AnswerOut(Schema):
    reference: str
    submitted_at: dt.datetime


class IkmOut(Schema):
    name: str
    respondents: int
    means: dict[str, Decimal]
    ikm: Decimal | None
    grade: str
    performance: str


class ReportOut(Schema):
    start: dt.date
    end: dt.date
    total: IkmOut
    units: list[IkmOut]
    services: list[IkmOut]


def _ikm(name: str, ikm: Ikm) -> dict[str, Any]:
    return {
        "name": name,
        "respondents": ikm.respondents,
        "means": {code: mean.quantize(Decimal("0.01")) for code, mean in ikm.means.items()},
        "ikm": ikm.value,
        "grade": ikm.grade,
        "performance": ikm.performance,
    }


@router.post("/survey/{reference}/answer", response={201: AnswerOut, **ERRORS_WRITE}, summary="Answer the survey (SKM)")
def survey_answer(request: HttpRequest, reference: str, payload: AnswerIn) -> Any:
    """Nine elements scored 1–4, once per closed application, by its applicant."""
    actor = _actor(request)
    application = application_by_reference(actor, reference)
    if not workflow.is_applicant(actor, application):
        raise PermissionDenied
    data = payload.dict()
    suggestion = data.pop("suggestion")
    response = services.survey_submit(application=application, scores=data, suggestion=suggestion, actor=actor)
    return Status(201, {"reference": application.reference, "submitted_at": response.submitted_at})


@router.get("/survey/ikm", response={200: ReportOut, **ERRORS_ONE}, summary="IKM per unit and service")
def survey_ikm(request: HttpRequest, start: dt.date | None = None, end: dt.date | None = None) -> Any:
    actor = _actor(request)
    if not selectors.may_report(actor):
        raise PermissionDenied
    today = timezone.localdate()
    start, end = start or today.replace(day=1), end or today
    report = selectors.ikm_report(actor, start, end)
    return {
        "start": start,
        "end": end,
        "total": _ikm("", report["total"]),
        "units": [_ikm(row.name, row.ikm) for row in report["units"]],
        "services": [_ikm(row.name, row.ikm) for row in report["services"]],
    }
