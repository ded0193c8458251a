"""Small presence and case files for the tests, written as the CSV the format describes."""

from __future__ import annotations

from siaga.engines.tracing.data import Case, Presence, parse_cases, parse_presence

PRESENCE_HEADER = "person,place,start,end\n"
CASES_HEADER = "person,classification,onset,specimen,isolation_start\n"


def presence(*rows: tuple[str, str, str, str]) -> list[Presence]:
    """Rows of (person, place, start, end) with times such as ``2026-10-01T08:00`` in +07:00."""
    return parse_presence(presence_csv(*rows))


def presence_csv(*rows: tuple[str, str, str, str]) -> str:
    return PRESENCE_HEADER + "".join(f"{p},{pl},{_t(s)},{_t(e)}\n" for p, pl, s, e in rows)


def _t(value: str) -> str:
    return value if "+" in value or value.endswith("Z") else f"{value}:00+07:00"


def cases(*rows: tuple[str, str, str, str, str]) -> list[Case]:
    return parse_cases(cases_csv(*rows))


def cases_csv(*rows: tuple[str, str, str, str, str]) -> str:
    return CASES_HEADER + "".join(",".join(r) + "\n" for r in rows)
