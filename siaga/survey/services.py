"""Writes of the satisfaction survey; ``actor=None`` is the system (the demo)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from siaga.core.access import Actor
from siaga.core.services import audit_record
from siaga.services import workflow
from siaga.services.models import Application, Status
from siaga.survey.elements import ELEMENTS
from siaga.survey.models import SurveyResponse


def may_answer(actor: Actor | None, application: Application) -> bool:
    return (
        application.status == Status.CLOSED
        and workflow.is_applicant(actor, application)
        and not SurveyResponse.objects.filter(application_id=application.pk).exists()
    )


def survey_submit(
    *, application: Application, scores: dict[str, Any], suggestion: str = "", actor: Actor | None
) -> SurveyResponse:
    """The applicant's one answer for a closed application (not a cancelled or rejected one)."""
    if actor is not None and not workflow.is_applicant(actor, application):
        raise PermissionDenied(_("Only the applicant may answer the survey for this application."))
    if application.status != Status.CLOSED:
        raise ValidationError(_("The survey opens when your application is finished."))
    errors: dict[str, str] = {}
    clean: dict[str, int] = {}
    for element in ELEMENTS:
        raw = scores.get(element.code)
        try:
            value = int(str(raw)) if raw not in (None, "") else 0
        except (TypeError, ValueError):
            value = 0
        if value not in (1, 2, 3, 4):
            errors[element.code] = _("Choose one answer for “%(element)s”.") % {"element": element.name}
        clean[element.code] = value
    suggestion = (suggestion or "").strip()
    if len(suggestion) > 2000:
        errors["suggestion"] = _("Keep the suggestion under 2,000 characters.")
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            Application.objects.select_for_update().get(pk=application.pk)
            if SurveyResponse.objects.filter(application_id=application.pk).exists():
                raise ValidationError(_("You have already answered the survey for this application. Thank you."))
            response = SurveyResponse.objects.create(
                government_id=application.government_id,
                application=application,
                unit_id=application.unit_id,
                service_id=application.service_id,
                suggestion=suggestion,
                **clean,
            )
            # The scores stay out of the audit log: only that an answer was given.
            audit_record(
                actor=getattr(actor, "user", None),
                government=application.government_id,
                action="create",
                obj=response,
                object_repr=application.reference,
            )
    except IntegrityError:
        raise ValidationError(_("You have already answered the survey for this application. Thank you.")) from None
    return response
