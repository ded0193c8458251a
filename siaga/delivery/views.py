"""Pages of deliveries: the office's day and orders, the courier's day on a phone, the proof photo."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from siaga.core import access
from siaga.core.access import Actor, office_unit_ids
from siaga.core.forms import apply_service_errors
from siaga.delivery import selectors, services
from siaga.delivery.forms import DeliveredForm, DeliveryForm, FailedForm, RescheduleForm
from siaga.delivery.models import DeliveryOrder, DeliveryStatus
from siaga.services.models import Application


def _office(request: HttpRequest) -> Actor:
    actor = access.request_actor(request)
    if not selectors.may_manage(actor):
        raise PermissionDenied
    return actor


def _order(actor: Actor, pk: int) -> DeliveryOrder:
    try:
        return selectors.order_get(actor, pk)
    except DeliveryOrder.DoesNotExist:
        raise Http404 from None


def _day(request: HttpRequest) -> dt.date:
    return parse_date(request.GET.get("day", "") or "") or timezone.localdate()


@login_required
def office_day(request: HttpRequest) -> HttpResponse:
    """The office's deliveries of a day per courier, and the issued documents waiting for an order."""
    actor = access.request_actor(request)
    can_manage = selectors.may_manage(actor)
    if not can_manage and not actor.has_perm(access.Perm.VIEW_APPLICATIONS):
        raise PermissionDenied
    day = _day(request)
    context = {
        "day": day,
        "groups": selectors.day_by_courier(actor, day),
        "ready": list(selectors.ready_to_deliver(actor)[:100]) if can_manage else [],
        "can_manage": can_manage,
    }
    return render(request, "delivery/office_day.html", context)


@login_required
def order_create(request: HttpRequest, reference: str) -> HttpResponse:
    actor = _office(request)
    try:
        application = selectors.ready_application_get(actor, reference)
    except Application.DoesNotExist:
        raise Http404 from None
    initial = {
        "scheduled_on": timezone.localdate(),
        "recipient": application.citizen.name,
        "address": application.delivery_address or application.citizen.address,
    }
    form = DeliveryForm(request.POST or None, initial=initial, unit_ids=office_unit_ids(actor))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            order = services.delivery_create(
                application=application,
                courier_kind=data["courier_kind"],
                courier=data["courier"],
                tracking_number=data["tracking_number"],
                scheduled_on=data["scheduled_on"],
                recipient=data["recipient"],
                address=data["address"],
                area=data["area"],
                actor=actor,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Delivery scheduled; the applicant was told."))
            return redirect("delivery:order", order.pk)
    context = {"form": form, "application": application}
    return render(request, "delivery/order_form.html", context, status=422 if form.errors else 200)


@login_required
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = access.request_actor(request)
    order = _order(actor, pk)
    return render(request, "delivery/order_detail.html", _detail_context(actor, order))


def _detail_context(actor: Actor, order: DeliveryOrder, **forms: object) -> dict[str, object]:
    office = services.is_office(actor, order.unit_id, order.government_id)
    courier = services.is_courier(actor, order)
    carrier = office or courier
    return {
        "order": order,
        "events": list(order.events.all()),
        "can_reschedule": office
        and order.status in (DeliveryStatus.SCHEDULED, DeliveryStatus.FAILED, DeliveryStatus.RESCHEDULED),
        "can_depart": carrier and order.status in (DeliveryStatus.SCHEDULED, DeliveryStatus.RESCHEDULED),
        "can_finish": carrier and order.status == DeliveryStatus.OUT,
        "can_see_photo": bool(order.photo) and _may_see_photo(actor, order),
        "reschedule_form": forms.get("reschedule_form")
        or RescheduleForm(
            initial={
                "scheduled_on": max(order.scheduled_on, timezone.localdate()),
                "courier_kind": order.courier_kind,
                "courier": order.courier_id,
                "tracking_number": order.tracking_number,
            },
            unit_ids=office_unit_ids(actor),
        ),
        "delivered_form": forms.get("delivered_form") or DeliveredForm(initial={"received_by": order.recipient}),
        "failed_form": forms.get("failed_form") or FailedForm(),
        "is_courier": courier,
    }


@login_required
@require_POST
def order_reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    actor = access.request_actor(request)
    order = _order(actor, pk)
    form = RescheduleForm(request.POST, unit_ids=office_unit_ids(actor))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.delivery_reschedule(
                order=order,
                scheduled_on=data["scheduled_on"],
                courier_kind=data["courier_kind"],
                courier=data["courier"],
                tracking_number=data["tracking_number"],
                note=data["note"],
                actor=actor,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Delivery rescheduled; the applicant was told."))
            return redirect("delivery:order", order.pk)
    context = _detail_context(actor, order, reschedule_form=form)
    return render(request, "delivery/order_detail.html", context, status=422)


def _back(request: HttpRequest, order: DeliveryOrder) -> HttpResponse:
    if request.POST.get("next") == "today":
        return redirect("delivery:today")
    return redirect("delivery:order", order.pk)


@login_required
@require_POST
def order_depart(request: HttpRequest, pk: int) -> HttpResponse:
    actor = access.request_actor(request)
    order = _order(actor, pk)
    errors: list[str] = []
    try:
        services.delivery_depart(order=order, actor=actor)
    except ValidationError as exc:
        errors = list(exc.messages)
    if request.headers.get("HX-Request"):  # the courier's card, swapped in place
        context = {
            "order": _order(actor, pk),
            "card_errors": errors,
            "delivered_form": DeliveredForm(),
            "failed_form": FailedForm(),
        }
        return render(request, "delivery/_courier_card.html", context)
    if errors:
        messages.error(request, " ".join(errors))
    else:
        messages.success(request, _("On the way: the applicant was told."))
    return _back(request, order)


@login_required
@require_POST
def order_delivered(request: HttpRequest, pk: int) -> HttpResponse:
    actor = access.request_actor(request)
    order = _order(actor, pk)
    form = DeliveredForm(request.POST, request.FILES)
    try:
        services.delivery_complete(
            order=order,
            received_by=request.POST.get("received_by", ""),
            photo=request.FILES.get("photo"),
            latitude=request.POST.get("latitude"),
            longitude=request.POST.get("longitude"),
            actor=actor,
        )
    except ValidationError as exc:
        form.is_valid()
        form.errors.clear()
        apply_service_errors(form, exc)
        return render(
            request, "delivery/order_detail.html", _detail_context(actor, order, delivered_form=form), status=422
        )
    messages.success(request, _("Delivered: the application is closed."))
    return _back(request, order)


@login_required
@require_POST
def order_failed(request: HttpRequest, pk: int) -> HttpResponse:
    actor = access.request_actor(request)
    order = _order(actor, pk)
    form = FailedForm(request.POST)
    try:
        services.delivery_fail(
            order=order, reason=request.POST.get("reason", ""), note=request.POST.get("note", ""), actor=actor
        )
    except ValidationError as exc:
        form.is_valid()
        form.errors.clear()
        apply_service_errors(form, exc)
        return render(
            request, "delivery/order_detail.html", _detail_context(actor, order, failed_form=form), status=422
        )
    messages.success(request, _("Failure recorded; an officer will reschedule the delivery."))
    return _back(request, order)


def _may_see_photo(actor: Actor, order: DeliveryOrder) -> bool:
    """The office (officers of the OPD, its heads, the admin) and the applicant; not other couriers."""
    if order.application.citizen.user_id == actor.user_id:
        return True
    return (
        access.scope_applications(actor, Application.objects.filter(pk=order.application_id))
        .exclude(citizen__user_id=actor.user_id)
        .exists()
    )


@login_required
def order_photo(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The proof-of-delivery photo, to the office and the applicant only (never from the web root)."""
    actor = access.request_actor(request)
    order = _order(actor, pk)
    if not order.photo:
        raise Http404
    if not _may_see_photo(actor, order):
        raise PermissionDenied
    path = services.photo_path(order)
    if not path.is_file():
        raise Http404
    response = FileResponse(path.open("rb"), content_type=order.photo_type or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Disposition"] = f'inline; filename="delivery-{order.pk}.{path.suffix.lstrip(".")}"'
    return response


@login_required
def courier_today(request: HttpRequest) -> HttpResponse:
    """ "Pengantaran hari ini": a staff courier's orders of the day in route order, with big buttons."""
    actor = access.request_actor(request)
    if not actor.employee_id:
        raise PermissionDenied
    day = timezone.localdate()
    orders = selectors.courier_day(actor, day)
    return render(
        request,
        "delivery/courier_today.html",
        {"day": day, "orders": orders, "delivered_form": DeliveredForm(), "failed_form": FailedForm()},
    )
