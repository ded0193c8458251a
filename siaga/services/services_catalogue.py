"""Catalogue writes (BKPSDM, ``MANAGE_SERVICES``): services with their Standar Pelayanan, and the
face-to-face restriction that switches every service to its restricted mode. Each function accepts
``actor=None`` for the system (the demo)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from siaga.core.access import Actor, Perm
from siaga.core.models import Government
from siaga.core.services import audit_record
from siaga.org.models import Position, Unit
from siaga.services.models import FaceToFaceRestriction, Mode, ProductKind, Service

CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
#: the plain fields of a service an editor sets (requirements and form fields come as rows)
SERVICE_FIELDS = (
    "unit",
    "code",
    "name",
    "description",
    "procedure",
    "sla_days",
    "fee",
    "fee_basis",
    "product",
    "product_kind",
    "complaint_channel",
    "legal_basis",
    "signer_position",
    "mode",
    "restricted_mode",
    "field_check",
    "deliverable",
    "is_active",
)


def _require(actor: Actor | None) -> None:
    if actor is not None and not actor.has_perm(Perm.MANAGE_SERVICES):
        raise PermissionDenied(_("Only BKPSDM manages the service catalogue."))


def _user(actor: Actor | None) -> Any:
    return getattr(actor, "user", None) if actor is not None else None


def signer_positions(unit: Unit) -> list[Position]:
    """Head positions that may sign for ``unit``'s services: its own head's and those of the units above
    it up to the OPD."""
    chain: list[int] = []
    current: Unit | None = unit
    while current is not None and current.pk not in chain:
        chain.append(current.pk)
        current = current.parent
    return list(Position.objects.filter(unit_id__in=chain, is_head=True).select_related("unit").order_by("unit__name"))


def clean_rows(rows: list[dict[str, Any]], *, field: str, what: str) -> list[dict[str, Any]]:
    """Rows of requirements or form fields: a code (lower-case letters, digits, - and _), a name, whether
    it is required, and a note. Empty rows are dropped; codes are unique."""
    cleaned: list[dict[str, Any]] = []
    seen: set[str] = set()
    for number, row in enumerate(rows, start=1):
        code = str(row.get("code") or "").strip().lower()
        name = str(row.get("name") or "").strip()
        note = str(row.get("note") or "").strip()
        if not code and not name:
            continue
        if not CODE.match(code):
            raise ValidationError(
                {
                    field: _(
                        "%(what)s row %(n)s: the code uses lower-case letters, digits, - and _ only (at most 40), "
                        "e.g. “ktp”."
                    )
                    % {"what": what, "n": number}
                }
            )
        if not name:
            raise ValidationError({field: _("%(what)s row %(n)s: give it a name.") % {"what": what, "n": number}})
        if code in seen:
            raise ValidationError(
                {
                    field: _("%(what)s row %(n)s: the code “%(code)s” is used twice.")
                    % {"what": what, "n": number, "code": code}
                }
            )
        seen.add(code)
        item: dict[str, Any] = {"code": code, "name": name[:200], "required": bool(row.get("required"))}
        if note:
            item["note"] = note[:500]
        cleaned.append(item)
    return cleaned


def _check(government: Government, data: dict[str, Any], service: Service | None) -> None:
    errors: dict[str, str] = {}
    unit: Unit | None = data.get("unit")
    if unit is None or unit.government_id != government.pk:
        errors["unit"] = _("Choose a unit of your government.")
    code = str(data.get("code") or "")
    if not CODE.match(code):
        errors["code"] = _("Use lower-case letters, digits, - and _ only, e.g. “izin-usaha”.")
    elif Service.objects.filter(government=government, code=code).exclude(pk=service.pk if service else 0).exists():
        errors["code"] = _("Another service already has this code.")
    if not str(data.get("name") or "").strip():
        errors["name"] = _("Give the service a name.")
    if not str(data.get("product") or "").strip():
        errors["product"] = _("Say what the applicant receives, e.g. “Surat Izin Usaha Mikro”.")
    sla = data.get("sla_days")
    if sla is None or int(sla) < 1 or int(sla) > 365:
        errors["sla_days"] = _("The time limit is 1 to 365 working days.")
    fee = data.get("fee")
    if fee is None or fee < 0:
        errors["fee"] = _("The fee is zero or more rupiah.")
    elif fee > 0 and not str(data.get("fee_basis") or "").strip():
        errors["fee_basis"] = _("A fee needs its legal basis (the Perda or Perbup that sets it).")
    for name, choices in (
        ("mode", Mode.values),
        ("restricted_mode", Mode.values),
        ("product_kind", ProductKind.values),
    ):
        if data.get(name) not in choices:
            errors[name] = _("Choose one of the options.")
    position: Position | None = data.get("signer_position")
    if (
        unit is not None
        and "unit" not in errors
        and (position is None or position.pk not in {p.pk for p in signer_positions(unit)})
    ):
        errors["signer_position"] = _("Choose the head position of the service's unit or of a unit above it (its OPD).")
    if data.get("restricted_mode") == Mode.IN_PERSON and data.get("mode") != Mode.IN_PERSON:
        errors["restricted_mode"] = _("While face-to-face service is restricted the mode cannot become in person.")
    if errors:
        raise ValidationError(errors)


def service_save(
    *,
    government: Government,
    data: dict[str, Any],
    requirements: list[dict[str, Any]],
    fields: list[dict[str, Any]],
    actor: Actor | None,
    service: Service | None = None,
) -> Service:
    """Create (``service=None``) or update a service. Everything is checked first; nothing is written
    when anything is wrong."""
    _require(actor)
    if service is not None and service.government_id != government.pk:
        raise PermissionDenied
    requirements = clean_rows(requirements, field="requirements", what=_("Requirement"))
    fields = clean_rows(fields, field="fields", what=_("Form field"))
    _check(government, data, service)
    with transaction.atomic():
        if service is None:
            target = Service(government=government)
            before: dict[str, Any] = {}
        else:
            target = Service.objects.select_for_update().get(pk=service.pk)
            before = {name: str(getattr(target, name)) for name in SERVICE_FIELDS}
        for name in SERVICE_FIELDS:
            if name in data:
                setattr(target, name, data[name])
        target.requirements, target.fields = requirements, fields
        target.save()
        after = {name: str(getattr(target, name)) for name in SERVICE_FIELDS}
        audit_record(
            actor=_user(actor),
            government=government.pk,
            action="create" if service is None else "update",
            obj=target,
            changes={k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
            | {"requirements": [r["code"] for r in requirements], "fields": [f["code"] for f in fields]},
        )
    return target


def restriction_create(
    *, government: Government, start: dt.date, end: dt.date | None, reason: str, actor: Actor | None
) -> FaceToFaceRestriction:
    """Restrict face-to-face service from ``start`` (to ``end``, or until ended)."""
    _require(actor)
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    if not reason:
        errors["reason"] = _("Give the reason, e.g. the regent's circular letter.")
    elif len(reason) > 300:
        errors["reason"] = _("Keep the reason under 300 characters.")
    if start is None:
        errors["start"] = _("Enter the first day.")
    elif end is not None and end < start:
        errors["end"] = _("The last day comes before the first day.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        Government.objects.select_for_update().filter(pk=government.pk).first()  # one writer at a time
        clash = FaceToFaceRestriction.objects.filter(government=government).exclude(end__lt=start)
        if end is not None:
            clash = clash.filter(start__lte=end)
        if clash.exists():
            raise ValidationError(
                {"start": _("A restriction already holds in these days; end it or change its dates first.")}
            )
        restriction = FaceToFaceRestriction.objects.create(
            government=government,
            start=start,
            end=end,
            reason=reason,
            created_by=_user(actor) if getattr(_user(actor), "pk", None) else None,
        )
        audit_record(
            actor=_user(actor),
            government=government.pk,
            action="create",
            obj=restriction,
            changes={"start": start.isoformat(), "end": end.isoformat() if end else None, "reason": reason},
        )
    return restriction


def restriction_end(
    *, restriction: FaceToFaceRestriction, actor: Actor | None, last_day: dt.date | None = None
) -> FaceToFaceRestriction:
    """End a restriction: ``last_day`` (default yesterday, so normal service resumes today) becomes its
    last day. A restriction that has not started yet is removed."""
    _require(actor)
    today = timezone.localdate()
    last_day = last_day or today - dt.timedelta(days=1)
    with transaction.atomic():
        locked = FaceToFaceRestriction.objects.select_for_update().get(pk=restriction.pk)
        if locked.end is not None and locked.end < today:
            raise ValidationError(_("This restriction has already ended."))
        if last_day < locked.start:
            audit_record(actor=_user(actor), government=locked.government_id, action="delete", obj=locked, changes={})
            locked.delete()
            return restriction
        before = locked.end.isoformat() if locked.end else None
        locked.end = last_day
        locked.save(update_fields=["end"])
        audit_record(
            actor=_user(actor),
            government=locked.government_id,
            action="update",
            obj=locked,
            changes={"end": [before, last_day.isoformat()]},
        )
    restriction.refresh_from_db()
    return restriction
