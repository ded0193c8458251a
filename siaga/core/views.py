"""Pages of the core app: login, home per role, inbox, audit log, API tokens, calendar."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from siaga.core import selectors, services
from siaga.core.access import Perm
from siaga.core.calendar import WorkingCalendar
from siaga.core.forms import ApiTokenForm, CalendarOverrideForm, LoginForm
from siaga.core.middleware import SESSION_GOVERNMENT_KEY
from siaga.core.models import AuditEvent, CalendarOverride, Notification


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        actor = self.request.actor  # type: ignore[attr-defined]
        services.audit_record(
            actor=form.get_user(),
            government=actor.government_id if actor.government else None,
            action=AuditEvent.Action.LOGIN,
            ip_address=client_ip(self.request),
        )
        return response

    def form_invalid(self, form: Any) -> HttpResponse:
        services.audit_record(
            actor=None,
            government=None,
            action=AuditEvent.Action.LOGIN_FAILED,
            object_type="auth.user",
            object_repr=str(form.data.get("username", ""))[:150],
            ip_address=client_ip(self.request),
        )
        return super().form_invalid(form)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    from django.contrib.auth import logout

    if request.user.is_authenticated:
        services.audit_record(
            actor=request.user,
            government=request.actor.government_id,  # type: ignore[attr-defined]
            action=AuditEvent.Action.LOGOUT,
            ip_address=client_ip(request),
        )
    logout(request)
    return redirect("login")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    if actor.government is None:
        return render(request, "core/no_government.html", status=403)
    if actor.employee_id is None and actor.has_perm(Perm.APPLY):
        # a resident (citizen account): their own applications are their home
        return redirect("portal:my_applications")
    return render(request, "core/home.html", {"dashboard": selectors.home_dashboard(actor=actor)})


@login_required
@require_POST
def switch_government(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    try:
        wanted = int(request.POST.get("government", ""))
    except ValueError:
        wanted = 0
    if wanted not in {g.pk for g in actor.governments}:
        raise PermissionDenied
    request.session[SESSION_GOVERNMENT_KEY] = wanted
    return redirect("home")


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    page = Paginator(selectors.inbox(actor=actor), 25).get_page(request.GET.get("page"))
    return render(request, "core/notifications.html", {"page": page})


@login_required
@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    note = get_object_or_404(selectors.inbox(actor=actor), pk=pk)
    services.notification_mark_read(notification=note)
    if note.link and url_has_allowed_host_and_scheme(note.link, allowed_hosts={request.get_host()}):
        return HttpResponseRedirect(note.link)
    return redirect("notification_list")


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    if actor.government is not None:
        services.notifications_mark_all_read(user=request.user, government=actor.government)
    return redirect("notification_list")


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    actor.require(Perm.VIEW_AUDIT)
    filters = selectors.AuditFilters(
        q=request.GET.get("q", "").strip(),
        action=request.GET.get("action", ""),
        object_type=request.GET.get("type", "").strip(),
    )
    page = Paginator(selectors.audit_events(actor=actor, filters=filters), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "core/audit_list.html",
        {"page": page, "filters": filters, "actions": AuditEvent.Action.choices},
    )


@login_required
def outbox_list(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    actor.require(Perm.VIEW_AUDIT)
    status = request.GET.get("status", "")
    if status not in Notification.Status.values:
        status = ""
    page = Paginator(selectors.outbox(actor=actor, status=status), 50).get_page(request.GET.get("page"))
    return render(
        request, "core/outbox.html", {"page": page, "status": status, "statuses": Notification.Status.choices}
    )


@login_required
@require_POST
def outbox_resend(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    actor.require(Perm.VIEW_AUDIT)
    note = get_object_or_404(selectors.outbox(actor=actor), pk=pk)
    if services.notification_resend(notification=note, actor=request.user):
        messages.success(request, _("The message will be sent again."))
    else:
        messages.error(request, _("Only failed messages can be sent again."))
    return redirect(f"{reverse('outbox_list')}?status=failed")


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    actor.require(Perm.MANAGE_TOKENS)
    form = ApiTokenForm(request.POST or None, actor=actor)
    new_key = None
    if request.method == "POST" and form.is_valid():
        _token, new_key = services.api_token_create(
            government=actor.tenant,
            user=form.cleaned_data["user"],
            name=form.cleaned_data["name"],
            actor=request.user,
            expires_at=form.expires_at(),
            scopes=form.scopes(),
        )
        messages.success(request, _("Token created. Copy it now: it is shown only once."))
        form = ApiTokenForm(actor=actor)
    return render(
        request,
        "core/tokens.html",
        {"tokens": selectors.api_tokens(actor=actor), "form": form, "new_key": new_key},
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    actor.require(Perm.MANAGE_TOKENS)
    token = get_object_or_404(selectors.api_tokens(actor=actor), pk=pk)
    services.api_token_revoke(token=token, actor=request.user)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("token_list")


@login_required
def calendar_view(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    actor.require(Perm.VIEW_ORG)
    try:
        year = int(request.GET.get("year", timezone.localdate().year))
    except ValueError:
        year = timezone.localdate().year
    year = min(max(year, 2000), 2100)
    can_edit = actor.has_perm(Perm.MANAGE_ORG)
    form = CalendarOverrideForm(request.POST or None) if can_edit else None
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        assert form is not None
        if form.is_valid():
            try:
                services.calendar_override_set(government=actor.tenant, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Calendar updated."))
                return redirect(f"{reverse('calendar')}?year={form.cleaned_data['date'].year}")
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    calendar = WorkingCalendar(actor.tenant, start, end)
    days = []
    day = start
    while day <= end:
        name = calendar.holiday_name(day)
        override = calendar.overrides.get(day)
        if name or override:
            days.append(
                {
                    "date": day,
                    "name": name or (override.name if override else ""),
                    "working": calendar.is_working_day(day),
                    "override": override,
                }
            )
        day += dt.timedelta(days=1)
    return render(
        request,
        "core/calendar.html",
        {"year": year, "days": days, "form": form, "can_edit": can_edit},
    )


@login_required
@require_POST
def calendar_override_delete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    actor.require(Perm.MANAGE_ORG)
    override = get_object_or_404(CalendarOverride, pk=pk, government_id=actor.government_id)
    services.calendar_override_delete(override=override, actor=request.user)
    messages.success(request, _("Calendar updated."))
    return redirect(f"{reverse('calendar')}?year={override.date.year}")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        # A path no API operation matches (e.g. a non-numeric id where the route wants a number): the
        # API's own error shape, not the HTML page.
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return render(request, "404.html", status=404)
