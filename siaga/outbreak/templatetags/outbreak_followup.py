"""``{% followup_panel case %}``: the task force's follow-up block on the case page (the daily checks, the
follow-up's proposal and contacts of contacts). Empty for anyone else."""

from __future__ import annotations

from typing import Any

from django import template

from siaga.core import access
from siaga.core.access import Perm
from siaga.outbreak import followup, selectors_followup
from siaga.outbreak.models import Case, Classification, ContactProposal

register = template.Library()


@register.inclusion_tag("outbreak/_followup_case.html", takes_context=True)
def followup_panel(context: template.Context, case: Case) -> dict[str, Any]:
    actor = access.request_actor(context["request"])
    if not actor.has_perm(Perm.VIEW_HEALTH) or case.government_id != actor.government_id:
        return {"show": False}
    table = selectors_followup.followup_table(actor=actor, case=case, log=False)  # the case read is logged
    first_symptoms = followup.first_symptom_day(case)
    is_contact = case.classification == Classification.CLOSE_CONTACT
    confirmed_contact = (
        is_contact
        and ContactProposal.objects.filter(contact_case=case, status=ContactProposal.Status.CONFIRMED).exists()
    )
    return {
        "show": True,
        "case": case,
        "table": table,
        "csrf_token": context.get("csrf_token"),
        "first_symptoms": first_symptoms,
        "propose_symptomatic": case.classification == Classification.CONFIRMED_ASYMPTOMATIC and first_symptoms,
        "suspect": is_contact and first_symptoms is not None,
        "second_generation": confirmed_contact and case.last_exposure is not None,
        "window": followup.second_generation_window(case) if confirmed_contact and case.last_exposure else None,
    }
