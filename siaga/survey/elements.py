"""The nine SKM elements with the questions and answer wordings of PermenPAN-RB 14/2017, and the IKM
computation: the mean per element, IKM = (sum of element means / 9) × 25, and its grade (mutu)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Element:
    code: str
    name: Promise
    question: Promise
    #: the answers scored 1, 2, 3, 4
    answers: tuple[Promise, Promise, Promise, Promise]


ELEMENTS: tuple[Element, ...] = (
    Element(
        "u1",
        _("Requirements"),
        _("How do you find the match between the service requirements and the kind of service?"),
        (_("Not suitable"), _("Less suitable"), _("Suitable"), _("Very suitable")),
    ),
    Element(
        "u2",
        _("Procedure"),
        _("How do you find the ease of the service procedure at this unit?"),
        (_("Not easy"), _("Less easy"), _("Easy"), _("Very easy")),
    ),
    Element(
        "u3",
        _("Completion time"),
        _("How do you find the speed of the service?"),
        (_("Not fast"), _("Less fast"), _("Fast"), _("Very fast")),
    ),
    Element(
        "u4",
        _("Cost/fee"),
        _("How do you find the fairness of the cost/fee of the service?"),
        (_("Very expensive"), _("Rather expensive"), _("Cheap"), _("Free")),
    ),
    Element(
        "u5",
        _("Product"),
        _("How do you find the match between the product in the service standard and the result you received?"),
        (_("Not suitable"), _("Less suitable"), _("Suitable"), _("Very suitable")),
    ),
    Element(
        "u6",
        _("Competence of the staff"),
        _("How do you find the competence/ability of the staff in the service?"),
        (_("Not competent"), _("Less competent"), _("Competent"), _("Very competent")),
    ),
    Element(
        "u7",
        _("Behaviour of the staff"),
        _("How do you find the behaviour of the staff in the service regarding courtesy and friendliness?"),
        (
            _("Not courteous and friendly"),
            _("Less courteous and friendly"),
            _("Courteous and friendly"),
            _("Very courteous and friendly"),
        ),
    ),
    Element(
        "u8",
        _("Handling of complaints, suggestions and input"),
        _("How do you find the handling of complaints from service users?"),
        (_("None"), _("There is one but it does not work"), _("Works but not fully"), _("Well managed")),
    ),
    Element(
        "u9",
        _("Facilities"),
        _("How do you find the quality of the facilities and infrastructure?"),
        (_("Poor"), _("Fair"), _("Good"), _("Very good")),
    ),
)
CODES = tuple(e.code for e in ELEMENTS)
CENT = Decimal("0.01")
#: (lowest converted value, grade, unit performance) from the regulation's conversion table
GRADES: tuple[tuple[Decimal, str, Promise], ...] = (
    (Decimal("88.31"), "A", _("Very good")),
    (Decimal("76.61"), "B", _("Good")),
    (Decimal("65.00"), "C", _("Less good")),
    (Decimal("25.00"), "D", _("Not good")),
)


@dataclass(frozen=True)
class Ikm:
    respondents: int
    #: the mean score (NRR) per element, 1–4, unrounded
    means: dict[str, Decimal]
    #: the index on the 1–4 scale: sum of element means × 1/9
    index: Decimal | None
    #: the converted index (IKM, 25–100), to two decimals
    value: Decimal | None
    grade: str
    performance: str


def grade_of(value: Decimal) -> tuple[str, str]:
    for lowest, grade, performance in GRADES:
        if value >= lowest:
            return grade, str(performance)
    return "D", str(GRADES[-1][2])


def compute(sums: dict[str, int], respondents: int) -> Ikm:
    """The IKM of ``respondents`` answers whose scores add up to ``sums`` per element."""
    if respondents <= 0:
        return Ikm(0, {}, None, None, "", "")
    means = {code: Decimal(sums[code]) / respondents for code in CODES}
    index = sum(means.values(), Decimal(0)) / len(CODES)
    value = (index * 25).quantize(CENT, rounding=ROUND_HALF_UP)
    grade, performance = grade_of(value)
    return Ikm(respondents, means, index, value, grade, performance)
