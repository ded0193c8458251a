"""API of the command center (mounted at /api/v1/): the day's situation of the government, or of one
agency with the units below it, as the page shows it.

For the regional leader, BKPSDM and the task force (403 for everyone else). Health figures are counts
only, and for everyone but the task force small counts are suppressed ("<3"), exactly as on the page.
"""

# No ``from __future__ import annotations`` here: ninja resolves the schema annotations at import.
import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from siaga.api.schemas import ERRORS_ONE
from siaga.api.schemas import api_actor as _actor
from siaga.command import selectors

router = Router(tags=["command center"])


class UnitSituationOut(Schema):
    code: str
    name: str
    employees: int
    wfo_planned: int = Field(description="People the published roster puts at the office today.")
    wfh_planned: int
    wfo_checked_in: int = Field(description="People who checked in at the office today.")
    wfh_checked_in: int
    wfo_percent: int | None = Field(description="WFO share of those working (roster, else check-ins).")
    cap_percent: int | None = Field(description="The largest WFO share the policy allows today.")
    over_cap: bool
    coverage_gaps: list[str] = Field(description="Shifts in which a public-service unit has nobody on site.")
    cases: str = Field(description='Active cases: a count, or "<3" when suppressed.')
    isolation: str
    quarantine: str
    applications_on_time: int
    applications_late: int
    deliveries: dict[str, int] = Field(description="Today's deliveries by status.")


class ClusterSituationOut(Schema):
    name: str
    size: str = Field(description='Cases in the cluster: a count, or "<3" when suppressed.')
    places: list[str]


class MeasureSituationOut(Schema):
    building: str
    floor: str
    kind: str
    end: dt.date


class SituationOut(Schema):
    government: str = Field(description="Region code.")
    date: dt.date
    exact_health_counts: bool = Field(description="True for the task force; otherwise small counts read <3.")
    units: list[UnitSituationOut]
    cases: str
    isolation: str
    quarantine: str
    applications_late: int
    deliveries: dict[str, int]
    clusters: list[ClusterSituationOut]
    measures: list[MeasureSituationOut]


def _situation(board: selectors.Overview) -> dict[str, Any]:
    health = {row["code"]: row for row in board.health_rows}
    return {
        "government": board.government.code,
        "date": board.day,
        "exact_health_counts": board.detail,
        "units": [
            {
                "code": u.unit.code,
                "name": u.unit.name,
                "employees": u.employees,
                "wfo_planned": u.planned["wfo"],
                "wfh_planned": u.planned["wfh"],
                "wfo_checked_in": u.checked["wfo"],
                "wfh_checked_in": u.checked["wfh"],
                "wfo_percent": u.wfo_percent,
                "cap_percent": u.cap_percent,
                "over_cap": u.over_cap,
                "coverage_gaps": [shift for _name, shift in u.gaps],
                "cases": health[u.unit.code]["cases"],
                "isolation": health[u.unit.code]["isolation"],
                "quarantine": health[u.unit.code]["quarantine"],
                "applications_on_time": u.on_time,
                "applications_late": u.late,
                "deliveries": dict(u.deliveries),
            }
            for u in board.units
        ],
        "cases": board.cases_total,
        "isolation": board.isolation_total,
        "quarantine": board.quarantine_total,
        "applications_late": board.late_total,
        "deliveries": dict(board.deliveries),
        "clusters": board.cluster_rows,
        "measures": [{"building": m.building, "floor": m.floor, "kind": m.kind, "end": m.end} for m in board.measures],
    }


@router.get("/command/situation", response={200: SituationOut, **ERRORS_ONE}, summary="Today's situation")
def situation(request: HttpRequest, date: dt.date | None = None, unit: str | None = None) -> Any:
    """The figures of the command center for ``date`` (default today in the government's time zone), per
    agency; with ``unit`` (an agency's code) per unit inside that agency (404 for an unknown code)."""
    actor = _actor(request)
    selectors.require_viewer(actor)
    agency = selectors.agency_get(actor=actor, code=unit) if unit else None
    return _situation(selectors.board(actor=actor, day=date, agency=agency, charts=False))
