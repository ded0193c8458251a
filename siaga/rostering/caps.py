"""The WFO cap of a unit from a policy's cap table: pure functions, no database (messages via gettext).

A cap table is a list of rows ``{"level": …, "sector": …, "region": …, "cap": 0.5}``:

- ``level`` is a risk zone (``no_cases``, ``low``, ``medium``, ``high``; SE MenPAN-RB 67/2020), a PPKM
  level (``"1"`` … ``"4"``; SE 23/2021, SE 06/2022) or ``"*"`` for any;
- ``sector`` is ``essential``, ``non_essential``, ``critical`` or ``"*"``;
- ``region`` is ``java_bali``, ``outside_java_bali`` or ``"*"``;
- ``cap`` is the largest share of a unit on site, from 0 to 1.

The row that matches and names the most of level, sector and region wins, so a policy can say "25%
everywhere at high risk" in one row and still single out one sector or region.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _

ZONES = ("no_cases", "low", "medium", "high")
PPKM_LEVELS = ("1", "2", "3", "4")
SECTORS = ("non_essential", "essential", "critical")
REGIONS = ("java_bali", "outside_java_bali")
ANY = "*"

#: Provinces whose regencies and cities are in Java–Bali for PPKM (DKI Jakarta 31 … Banten 36, Bali 51).
JAVA_BALI_PROVINCES = frozenset({"31", "32", "33", "34", "35", "36", "51"})


class CapTableError(ValueError):
    """A cap table that cannot be used; the message names the row and the problem."""


def is_java_bali(region_code: str) -> bool:
    """Whether a Kemendagri region code (``33`` or ``33.11``) lies in Java–Bali."""
    return region_code[:2] in JAVA_BALI_PROVINCES


def validate_cap_rows(rows: Any) -> list[dict[str, Any]]:
    """Check a cap table and return it normalised (levels as text, caps as floats)."""
    if not isinstance(rows, list):
        raise CapTableError(_("The cap table must be a list of rows."))
    out: list[dict[str, Any]] = []
    seen: set[tuple[str, str, str]] = set()
    for i, row in enumerate(rows, start=1):
        if not isinstance(row, Mapping) or set(row) != {"level", "sector", "region", "cap"}:
            raise CapTableError(_("Row %(row)d must have exactly level, sector, region and cap.") % {"row": i})
        level, sector, region = str(row["level"]), str(row["sector"]), str(row["region"])
        if level not in (*ZONES, *PPKM_LEVELS, ANY):
            raise CapTableError(_("Row %(row)d: unknown level %(value)s.") % {"row": i, "value": level})
        if sector not in (*SECTORS, ANY):
            raise CapTableError(_("Row %(row)d: unknown sector %(value)s.") % {"row": i, "value": sector})
        if region not in (*REGIONS, ANY):
            raise CapTableError(_("Row %(row)d: unknown region %(value)s.") % {"row": i, "value": region})
        try:
            cap = float(row["cap"])
        except (TypeError, ValueError) as exc:
            raise CapTableError(_("Row %(row)d: the cap must be a number from 0 to 1.") % {"row": i}) from exc
        if not 0 <= cap <= 1:
            raise CapTableError(_("Row %(row)d: the cap must be from 0 to 1, not %(cap)s.") % {"row": i, "cap": cap})
        key = (level, sector, region)
        if key in seen:
            raise CapTableError(
                _("Row %(row)d repeats level %(level)s, sector %(sector)s, region %(region)s.")
                % {"row": i, "level": level, "sector": sector, "region": region}
            )
        seen.add(key)
        out.append({"level": level, "sector": sector, "region": region, "cap": cap})
    return out


def cap_for(policy_rules: Sequence[Mapping[str, Any]], situation: str, sector: str, java_bali: bool) -> float:
    """The WFO cap for a unit of ``sector`` when the government's situation is ``situation`` (a zone or
    a PPKM level) and it lies (or not) in Java–Bali. Without a matching row there is no cap (1.0)."""
    region = "java_bali" if java_bali else "outside_java_bali"
    best: tuple[int, float] | None = None
    for row in policy_rules:
        wanted = (str(row["level"]), str(row["sector"]), str(row["region"]))
        given = (str(situation), sector, region)
        if all(w in (ANY, g) for w, g in zip(wanted, given, strict=True)):
            specificity = sum(w != ANY for w in wanted)
            if best is None or specificity > best[0]:
                best = (specificity, float(row["cap"]))
    return 1.0 if best is None else best[1]


def shift_gaps_ok(shifts: Sequence[Mapping[str, str]], min_gap_minutes: int) -> list[str]:
    """Problems with a shift list: each shift must end after it starts, and each shift must start at
    least ``min_gap_minutes`` after the previous one ends (SE MenPAN-RB 65/2020: 3 hours)."""

    def minutes(text: str) -> int:
        moment = dt.time.fromisoformat(text)
        return moment.hour * 60 + moment.minute

    problems: list[str] = []
    ordered = sorted(shifts, key=lambda s: minutes(s["start"]))
    for shift in ordered:
        if minutes(shift["end"]) <= minutes(shift["start"]):
            problems.append(_("%(shift)s ends before it starts") % {"shift": shift["id"]})
    for before, after in itertools.pairwise(ordered):
        gap = minutes(after["start"]) - minutes(before["end"])
        if gap < min_gap_minutes:
            problems.append(
                _("%(first)s–%(second)s: %(gap)d min apart, at least %(needed)d needed")
                % {"first": before["id"], "second": after["id"], "gap": gap, "needed": min_gap_minutes}
            )
    return problems
