"""The citizens' portal: catalogue, registration, applying, tracking, downloads."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from siaga.core.access import request_actor
from siaga.services import selectors


@login_required
def application_detail(request: HttpRequest, reference: str) -> HttpResponse:
    actor = request_actor(request)
    application = selectors.application_by_reference(actor, reference)
    events = application.events.filter(public=True)
    return render(request, "services/portal/application.html", {"application": application, "events": events})
