"""Reads of the satisfaction survey: the IKM per unit and per service for a period, scoped."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from siaga.core.access import Actor, Perm, scope_survey_report
from siaga.services.models import Application
from siaga.survey.elements import CODES, Ikm, compute
from siaga.survey.models import SurveyResponse


@dataclass(frozen=True)
class IkmRow:
    kind: str  # "unit" or "service"
    key: int
    name: str
    ikm: Ikm


def may_report(actor: Actor) -> bool:
    return actor.is_authenticated and actor.has_perm(Perm.VIEW_APPLICATIONS)


def answers(actor: Actor, start: dt.date, end: dt.date) -> QuerySet[SurveyResponse]:
    tz = timezone.get_current_timezone()
    since = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return scope_survey_report(actor, SurveyResponse.objects.all()).filter(
        submitted_at__gte=since, submitted_at__lt=until
    )


def _grouped(qs: QuerySet[SurveyResponse], field: str, name_field: str, kind: str) -> list[IkmRow]:
    sums = {code: Sum(code) for code in CODES}
    rows = qs.values(field, name_field).annotate(n=Count("pk"), **sums).order_by(name_field)
    return [IkmRow(kind, row[field], row[name_field], compute({c: row[c] for c in CODES}, row["n"])) for row in rows]


def ikm_report(actor: Actor, start: dt.date, end: dt.date) -> dict[str, Any]:
    """The IKM of the whole scope, per unit and per service, for answers given from ``start`` to ``end``."""
    qs = answers(actor, start, end)
    totals = qs.aggregate(n=Count("pk"), **{code: Sum(code) for code in CODES})
    return {
        "total": compute({c: totals[c] or 0 for c in CODES}, totals["n"]),
        "units": _grouped(qs, "unit_id", "unit__name", "unit"),
        "services": _grouped(qs, "service_id", "service__name", "service"),
    }


def suggestions(actor: Actor, start: dt.date, end: dt.date) -> list[str]:
    return list(answers(actor, start, end).exclude(suggestion="").values_list("suggestion", flat=True)[:200])


def response_for(application: Application) -> SurveyResponse | None:
    return SurveyResponse.objects.filter(application_id=application.pk).first()
