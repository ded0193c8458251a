"""The task force's dashboard page and the exports for the health office."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from siaga.core import access
from siaga.core.access import Actor, Perm
from siaga.core.views import client_ip
from siaga.core.widgets import QuickSelect
from siaga.measures.selectors import measure_list
from siaga.org.models import Building, Unit
from siaga.outbreak import dashboard as selectors
from siaga.outbreak import exports


class DashboardFilterForm(forms.Form):
    unit = forms.ModelChoiceField(
        widget=QuickSelect, label=_("Unit (with the units below it)"), queryset=Unit.objects.none(), required=False
    )
    building = forms.ModelChoiceField(
        widget=QuickSelect, label=_("Building"), queryset=Building.objects.none(), required=False
    )

    def __init__(self, *args: object, government_id: int, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # the options need the key and the name only (several hundred units)
        units = Unit.objects.filter(government_id=government_id, is_active=True).only("pk", "name").order_by("name")
        buildings = Building.objects.filter(government_id=government_id).only("pk", "name").order_by("name")
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["building"].queryset = buildings  # type: ignore[attr-defined]

    def filters(self) -> selectors.DashboardFilters:
        if not self.is_bound or not self.is_valid():
            return selectors.DashboardFilters()
        return selectors.DashboardFilters(unit=self.cleaned_data["unit"], building=self.cleaned_data["building"])


def _task_force(request: HttpRequest) -> Actor:
    actor = access.request_actor(request)
    actor.require(Perm.VIEW_HEALTH)
    return actor


def filter_form(request: HttpRequest, actor: Actor) -> DashboardFilterForm:
    data = {k: request.GET[k] for k in ("unit", "building") if request.GET.get(k)}
    return DashboardFilterForm(data or None, government_id=actor.government_id)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    actor = _task_force(request)
    form = filter_form(request, actor)
    filters = form.filters()
    query = request.GET.urlencode() if form.is_bound and form.is_valid() else ""
    selectors.log_view(actor, filters, ip_address=client_ip(request))  # every view, the kept ones too

    def body() -> str:
        context = {
            "d": selectors.dashboard(actor=actor, filters=filters, log=False, kept=False),  # the body is kept
            "query": query,
            "clusters": selectors.dashboard_clusters(actor=actor),
            "measures": measure_list(actor=actor, current_only=True),
        }
        # no request: the body is the same for every viewer (and may be counted again in a background thread)
        return render_to_string("outbreak/_dashboard_body.html", context)

    # the body is the same for the whole task force (selectors.counted); the form shows the viewer's filters
    key = ("body", actor.government_id, timezone.localdate(), query, translation.get_language())
    html = selectors.counted(key, actor.government_id, body)
    status = 422 if form.is_bound and form.errors else 200
    if request.headers.get("HX-Request"):
        return HttpResponse(html, status=status)
    return render(request, "outbreak/dashboard.html", {"form": form, "body": html}, status=status)


@login_required
def export(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    """The case line list or the daily curve as CSV or XLSX, with the dashboard's filters."""
    actor = _task_force(request)
    if kind not in exports.KINDS or fmt not in exports.FORMATS:
        raise Http404
    form = filter_form(request, actor)
    if form.is_bound and not form.is_valid():
        raise Http404
    data, name = exports.export(actor=actor, kind=kind, fmt=fmt, filters=form.filters(), ip_address=client_ip(request))
    response = HttpResponse(data, content_type=exports.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
