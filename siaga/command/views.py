"""The command center pages: today at a glance, one agency's figures, the PDF report, the subscription."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from siaga.command import selectors, services
from siaga.command.report import report_pdf
from siaga.core import access
from siaga.core.access import Actor
from siaga.core.views import client_ip

REFRESH_SECONDS = 60


def _viewer(request: HttpRequest) -> Actor:
    actor = access.request_actor(request)
    selectors.require_viewer(actor)
    return actor


def _page(request: HttpRequest, actor: Actor, board: selectors.Overview, *, agency: object = None) -> HttpResponse:
    partial = bool(request.headers.get("HX-Request"))
    return render(
        request,
        "command/_body.html" if partial else "command/index.html",
        {
            "board": board,
            "agency": agency,
            "refresh": REFRESH_SECONDS,
            "subscription": None if partial else selectors.subscription_of(actor=actor),
        },
    )


@login_required
def index(request: HttpRequest) -> HttpResponse:
    actor = _viewer(request)
    board = selectors.board(actor=actor)
    return _page(request, actor, board)


@login_required
def unit(request: HttpRequest, code: str) -> HttpResponse:
    actor = _viewer(request)
    agency = selectors.agency_get(actor=actor, code=code)
    board = selectors.board(actor=actor, agency=agency, charts=False)
    return _page(request, actor, board, agency=agency)


@login_required
def report(request: HttpRequest) -> HttpResponse:
    actor = _viewer(request)
    raw = request.GET.get("date", "")
    day = None
    if raw:
        try:
            day = dt.date.fromisoformat(raw)
        except ValueError:
            return HttpResponse(
                _("The date must be written as YYYY-MM-DD, e.g. 2021-07-05."), status=400, content_type="text/plain"
            )
    board = selectors.board(actor=actor, day=day)
    response = HttpResponse(report_pdf(board), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="laporan-harian-situasi-{board.day:%Y-%m-%d}.pdf"'
    return response


@login_required
@require_POST
def subscription(request: HttpRequest) -> HttpResponse:
    actor = _viewer(request)
    active = request.POST.get("active") == "1"
    services.subscription_set(actor=actor, active=active, ip_address=client_ip(request))
    if active:
        messages.success(request, _("You will receive the daily situation report by e-mail every morning."))
    else:
        messages.success(request, _("You will no longer receive the daily situation report."))
    return redirect("command:index")
