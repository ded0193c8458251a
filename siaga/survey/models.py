"""The community satisfaction survey (Survei Kepuasan Masyarakat, PermenPAN-RB 14/2017)."""

from __future__ import annotations

from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from siaga.core.models import TenantModel
from siaga.org.models import Unit
from siaga.services.models import Application, Service

ELEMENTS = ("u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8", "u9")


def _score(label: Any) -> Any:
    return models.PositiveSmallIntegerField(label, validators=[MinValueValidator(1), MaxValueValidator(4)])


class SurveyResponse(TenantModel):
    """One applicant's answer for one closed application: the nine elements scored 1–4 and a suggestion.
    The report shows figures only, never who answered."""

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="survey")
    #: copied from the application, for the report per unit and per service
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    u1 = _score(_("U1 requirements"))
    u2 = _score(_("U2 procedure"))
    u3 = _score(_("U3 time"))
    u4 = _score(_("U4 cost/fee"))
    u5 = _score(_("U5 product"))
    u6 = _score(_("U6 competence of the staff"))
    u7 = _score(_("U7 behaviour of the staff"))
    u8 = _score(_("U8 handling of complaints and suggestions"))
    u9 = _score(_("U9 facilities"))
    suggestion = models.TextField(_("suggestion"), blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-submitted_at"]
        indexes = [
            models.Index(fields=["government", "unit", "submitted_at"]),
            models.Index(fields=["government", "service", "submitted_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(**{f"{e}__gte": 1}) & Q(**{f"{e}__lte": 4}), name=f"survey_{e}_between_1_and_4"
            )
            for e in ELEMENTS
        ]
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
