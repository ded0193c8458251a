"""Writes of the citizens' portal: registration with a one-time code, sign-in by code, applying with
uploads, resubmitting after a return, withdrawing.

Every function validates everything first and then writes atomically. Each accepts ``actor=None`` for
the system (the demo data, imports), in which case the checks that concern the person are skipped but
the data checks are not.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.id import nik as stdnum_nik

from siaga.core.access import Actor, Perm
from siaga.core.models import Government, Notification, Role, RoleAssignment
from siaga.core.services import audit_record, normalise_phone, notify, whatsapp_enabled
from siaga.core.uploads import CheckedUpload, check_upload, private_path, store_private
from siaga.services import selectors, workflow
from siaga.services.models import (
    Application,
    Attachment,
    Citizen,
    IssuedDocument,
    Mode,
    OneTimeCode,
    Service,
    Status,
    new_reference,
)

MAX_FIELD_LENGTH = 1000

# ---------------------------------------------------------------------------------------------------
# NIK


def validate_nik(value: str) -> str:
    """A NIK checked with python-stdnum; the message says what is wrong (length, region, birth date)."""
    nik = "".join(ch for ch in str(value or "").strip() if ch not in " .-")
    if not nik:
        raise ValidationError(_("Enter your NIK: the 16-digit number on your KTP-el or family card."))
    if not nik.isdigit():
        raise ValidationError(
            _("The NIK may contain digits only; “%(value)s” has other characters.") % {"value": value}
        )
    if len(nik) != 16:
        raise ValidationError(
            _("The NIK has 16 digits; you entered %(count)d. Copy it again from your KTP-el.") % {"count": len(nik)}
        )
    try:
        stdnum_nik._check_registration_place(nik)
    except (StdnumError, KeyError, IndexError):
        raise ValidationError(
            _("The first 4 digits of the NIK (%(region)s) are not a known province and regency code; check them.")
            % {"region": nik[:4]}
        ) from None
    try:
        stdnum_nik.get_birth_date(nik)
    except StdnumError:
        raise ValidationError(
            _(
                "Digits 7 to 12 of the NIK (%(part)s) are not a birth date "
                "(day, month, year; women add 40 to the day); check them."
            )
            % {"part": nik[6:12]}
        ) from None
    if nik[12:] == "0000":
        raise ValidationError(_("The last 4 digits of the NIK cannot be 0000; check them."))
    try:
        return str(stdnum_nik.validate(nik))
    except StdnumError:
        raise ValidationError(_("This NIK is not valid; copy it again from your KTP-el.")) from None


# ---------------------------------------------------------------------------------------------------
# One-time codes


def _code_hash(code_id: int, code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"otc:{code_id}:{code}".encode(), hashlib.sha256).hexdigest()


def _destination(citizen: Citizen) -> tuple[str, str]:
    """Where codes go: (channel, address): e-mail when given, else WhatsApp."""
    if citizen.email:
        return Notification.Channel.EMAIL, citizen.email.lower()
    return Notification.Channel.WHATSAPP, normalise_phone(citizen.phone)


def _resend_wait(government_id: int, destination: str, purpose: str) -> int:
    """Seconds to wait before another code may be sent to ``destination`` (0: now)."""
    last = (
        OneTimeCode.objects.filter(government_id=government_id, destination=destination, purpose=purpose)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    if last is None:
        return 0
    left = settings.PORTAL_CODE_RESEND_SECONDS - (timezone.now() - last).total_seconds()
    return max(0, int(left + 0.999))


def code_send(*, citizen: Citizen, purpose: str) -> OneTimeCode:
    """Send a new 6-digit code to the citizen's e-mail (or WhatsApp); earlier unused codes of the same
    purpose stop working. Refused while the resend interval has not passed."""
    channel, destination = _destination(citizen)
    wait = _resend_wait(citizen.government_id, destination, purpose)
    if wait:
        raise ValidationError(
            _("A code was sent a moment ago. Wait %(seconds)d seconds before asking for a new one.") % {"seconds": wait}
        )
    code = f"{secrets.randbelow(10**6):06d}"
    minutes = settings.PORTAL_CODE_TTL_MINUTES
    with transaction.atomic():
        now = timezone.now()
        OneTimeCode.objects.filter(
            government_id=citizen.government_id, destination=destination, purpose=purpose, used_at__isnull=True
        ).update(used_at=now)
        otc = OneTimeCode.objects.create(
            government_id=citizen.government_id,
            purpose=purpose,
            destination=destination,
            code_hash="-",
            payload={"citizen": citizen.pk},
            expires_at=now + dt.timedelta(minutes=minutes),
        )
        otc.code_hash = _code_hash(otc.pk, code)
        otc.save(update_fields=["code_hash"])
        with override("id"):
            subject = _("Siaga code: %(code)s") % {"code": code}
            body = _(
                "Your Siaga code is %(code)s. It is valid for %(minutes)d minutes. Do not give it to anyone, "
                "including officers."
            ) % {"code": code, "minutes": minutes}
        sent = notify(
            user=citizen.user,
            government=citizen.government,
            subject=subject,
            body=body,
            channels=(channel,),
        )
        # the outbox keeps the code in plain text until it is sent (a retry needs it): remember which
        # messages carry it, so that they can be blanked (code_messages_blank)
        otc.payload = {**otc.payload, "notifications": [note.pk for note in sent]}
        otc.save(update_fields=["payload"])
        superseded = OneTimeCode.objects.filter(
            government_id=citizen.government_id, destination=destination, purpose=purpose, used_at=now
        ).exclude(pk=otc.pk)
        code_messages_blank(codes=superseded)
    return otc


def code_messages_blank(*, codes: Any = None) -> int:
    """Remove the code from the outbox messages that carried it, once it is not needed there any more:
    every message of a code that is used (or replaced) or expired, and the messages already sent (or given
    up) of a code still valid. A message of a dead code still waiting is not sent at all. ``codes``: the
    codes to look at (a queryset or list); by default all whose messages are not all blanked yet (the
    periodic job). Idempotent; returns the number of messages blanked."""
    if codes is None:
        codes = OneTimeCode.objects.exclude(payload__has_key="blanked")
    now = timezone.now()
    with override("id"):
        subject = _("Siaga code")
        body = _("The code was removed from this message after it was sent, used or expired.")
        reason = _("The code was used or expired before the message was sent.")
    count = 0
    for otc in list(codes):
        payload = otc.payload or {}
        ids = payload.get("notifications") or []
        if payload.get("blanked"):
            continue
        dead = otc.used_at is not None or otc.expires_at <= now or otc.attempts >= settings.PORTAL_CODE_ATTEMPTS
        with transaction.atomic():
            notes = Notification.objects.select_for_update().filter(pk__in=ids).exclude(body=body)
            if not dead:
                notes = notes.exclude(status=Notification.Status.PENDING)
            for note in notes:
                fields: dict[str, Any] = {"subject": subject, "body": body}
                if note.status == Notification.Status.PENDING:
                    fields.update(status=Notification.Status.FAILED, next_attempt_at=None, last_error=reason)
                Notification.objects.filter(pk=note.pk).update(**fields)
                count += 1
            left = Notification.objects.filter(pk__in=ids).exclude(body=body).exists()
            if dead or not left:
                OneTimeCode.objects.filter(pk=otc.pk).update(payload={**payload, "blanked": True})
    return count


def code_check(*, government: Government, code_id: int | None, code: str, purpose: str) -> Citizen:
    """The citizen a valid code was sent to; the code is then used up. A wrong code counts as an attempt
    (after ``PORTAL_CODE_ATTEMPTS`` the code stops working)."""
    code = "".join(ch for ch in str(code or "") if ch.isdigit())
    if len(code) != 6:
        raise ValidationError({"code": _("Enter the 6 digits of the code we sent you.")})
    failure: str | None = None
    with transaction.atomic():
        otc = (
            OneTimeCode.objects.select_for_update()
            .filter(pk=code_id or 0, government=government, purpose=purpose)
            .first()
        )
        if otc is None or otc.used_at is not None:
            failure = _("This code is no longer valid. Ask for a new code.")
        elif otc.expires_at <= timezone.now():
            failure = _("This code has expired. Ask for a new code.")
            code_messages_blank(codes=[otc])
        elif otc.attempts >= settings.PORTAL_CODE_ATTEMPTS:
            failure = _("Too many wrong tries. Ask for a new code.")
            code_messages_blank(codes=[otc])
        elif not hmac.compare_digest(otc.code_hash, _code_hash(otc.pk, code)):
            otc.attempts += 1
            otc.save(update_fields=["attempts"])
            left = settings.PORTAL_CODE_ATTEMPTS - otc.attempts
            failure = (
                _("The code is wrong. You can try %(left)d more times.") % {"left": left}
                if left
                else _("Too many wrong tries. Ask for a new code.")
            )
        else:
            otc.used_at = timezone.now()
            otc.save(update_fields=["used_at"])
            citizen = Citizen.objects.select_related("user", "government").get(pk=otc.payload["citizen"])
            code_messages_blank(codes=[otc])
    if failure:
        raise ValidationError({"code": failure})
    return citizen


# ---------------------------------------------------------------------------------------------------
# Registration and sign-in by code


def registration_start(
    *,
    government: Government,
    nik: str,
    name: str,
    email: str = "",
    phone: str = "",
    password: str,
    address: str = "",
) -> tuple[Citizen, OneTimeCode]:
    """Register a resident: the account stays inactive until the code sent to their e-mail (or WhatsApp)
    is entered. Registering again before confirming replaces the pending details."""
    errors: dict[str, list[str]] = {}
    try:
        nik = validate_nik(nik)
    except ValidationError as exc:
        errors["nik"] = exc.messages
    name = " ".join(str(name or "").split())
    if not name:
        errors["name"] = [_("Enter your full name as written on your KTP-el.")]
    elif len(name) > 150:
        errors["name"] = [_("The name is too long (at most 150 characters).")]
    email = str(email or "").strip().lower()
    phone = str(phone or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = [_("This is not an e-mail address; check it (for example nama@contoh.id).")]
    if phone:
        digits = normalise_phone(phone)
        if not digits.startswith("628") or not 10 <= len(digits) <= 15:
            errors["phone"] = [_("Enter a mobile number such as 0812 3456 7890.")]
    if not email and not phone:
        errors["email"] = [_("Give an e-mail address or a phone number, so we can send you a code.")]
    elif not email and not whatsapp_enabled():
        errors["email"] = [_("Codes are sent by e-mail here; give an e-mail address.")]
    pending: Citizen | None = None
    if "nik" not in errors:
        existing = Citizen.objects.filter(government=government, nik=nik).select_related("user").first()
        if existing is not None and existing.verified_at is not None:
            errors["nik"] = [
                _("This NIK is already registered. Sign in, or sign in with a code if you forgot the password.")
            ]
        pending = existing
    if email and "email" not in errors:
        taken = Citizen.objects.filter(government=government, email__iexact=email, verified_at__isnull=False)
        if taken.exclude(nik=nik).exists():
            errors["email"] = [_("This e-mail address is already used by another account.")]
    User = get_user_model()
    probe = pending.user if pending else User(username=f"warga.{government.code}.{nik}", email=email)
    probe.first_name = name[:150]
    try:
        validate_password(password or "", probe)
    except ValidationError as exc:
        errors["password"] = exc.messages
    if errors:
        raise ValidationError(errors)
    try:
        return _registration_write(
            government=government,
            pending=pending,
            nik=nik,
            name=name,
            email=email,
            phone=phone,
            password=password,
            address=address,
        )
    except IntegrityError:
        # the same NIK registered at the same moment by another request: the constraint decided
        raise ValidationError(
            {"nik": [_("This NIK is already registered. Sign in, or sign in with a code if you forgot the password.")]}
        ) from None


def _registration_write(
    *,
    government: Government,
    pending: Citizen | None,
    nik: str,
    name: str,
    email: str,
    phone: str,
    password: str,
    address: str,
) -> tuple[Citizen, OneTimeCode]:
    User = get_user_model()
    with transaction.atomic():
        if pending is None:
            user = User.objects.create_user(
                username=f"warga.{government.code}.{nik}", email=email, password=password, is_active=False
            )
            user.first_name = name[:150]
            user.save(update_fields=["first_name"])
            citizen = Citizen.objects.create(
                government=government, user=user, nik=nik, name=name, email=email, phone=phone, address=address
            )
            RoleAssignment.objects.get_or_create(user=user, government=government, role=Role.CITIZEN)
        else:
            citizen = pending
            user = citizen.user
            user.email = email
            user.first_name = name[:150]
            user.set_password(password)
            user.save(update_fields=["email", "first_name", "password"])
            citizen.name, citizen.email, citizen.phone, citizen.address = name, email, phone, address
            citizen.save(update_fields=["name", "email", "phone", "address"])
        audit_record(actor=user, government=government, action="create", obj=citizen, changes={"registered": "pending"})
        otc = code_send(citizen=citizen, purpose=OneTimeCode.Purpose.REGISTER)
    return citizen, otc


def registration_confirm(*, government: Government, code_id: int | None, code: str) -> Citizen:
    """Check the registration code; activate the account and mark the contact verified."""
    citizen = code_check(government=government, code_id=code_id, code=code, purpose=OneTimeCode.Purpose.REGISTER)
    with transaction.atomic():
        user = citizen.user
        user.is_active = True
        user.save(update_fields=["is_active"])
        citizen.verified_at = timezone.now()
        citizen.save(update_fields=["verified_at"])
        audit_record(actor=user, government=government, action="update", obj=citizen, changes={"verified": True})
    return citizen


def registration_resend(*, government: Government, code_id: int | None) -> OneTimeCode:
    otc = OneTimeCode.objects.filter(pk=code_id or 0, government=government).first()
    if otc is None:
        raise ValidationError(_("Start again from the first step to get a new code."))
    citizen = Citizen.objects.select_related("user").get(pk=otc.payload["citizen"])
    if citizen.verified_at is not None and otc.purpose == OneTimeCode.Purpose.REGISTER:
        raise ValidationError(_("This account is already active; sign in."))
    return code_send(citizen=citizen, purpose=otc.purpose)


def find_citizen(government: Government, identifier: str) -> Citizen | None:
    """A verified citizen of ``government`` by NIK or e-mail address."""
    value = str(identifier or "").strip()
    compact = "".join(ch for ch in value if ch not in " .-")
    qs = Citizen.objects.filter(government=government, verified_at__isnull=False, user__is_active=True)
    if compact.isdigit() and len(compact) == 16:
        return qs.filter(nik=compact).select_related("user").first()
    if "@" in value:
        return qs.filter(email__iexact=value).select_related("user").first()
    return None


def login_code_request(*, government: Government, identifier: str) -> OneTimeCode | None:
    """Send a sign-in code to the citizen with this NIK or e-mail; None when there is none (the page
    says the same either way, so it does not reveal who is registered)."""
    if not str(identifier or "").strip():
        raise ValidationError({"identifier": _("Enter your NIK or e-mail address.")})
    citizen = find_citizen(government, identifier)
    if citizen is None:
        return None
    return code_send(citizen=citizen, purpose=OneTimeCode.Purpose.LOGIN)


def login_code_check(*, government: Government, code_id: int | None, code: str) -> Citizen:
    citizen = code_check(government=government, code_id=code_id, code=code, purpose=OneTimeCode.Purpose.LOGIN)
    if not citizen.user.is_active:
        raise ValidationError({"code": _("This account is not active.")})
    audit_record(actor=citizen.user, government=government, action="login", obj=citizen, changes={"by": "code"})
    return citizen


# ---------------------------------------------------------------------------------------------------
# Applications


def _require_applicant(actor: Actor | None, citizen: Citizen) -> None:
    if actor is None:
        return
    if (
        not actor.is_authenticated
        or not actor.has_perm(Perm.APPLY)
        or actor.government_id != citizen.government_id
        or actor.user_id != citizen.user_id
    ):
        raise PermissionDenied(_("Only the applicant may do this."))


def _check_files(
    files: Mapping[str, Any], requirements: list[dict[str, Any]], *, need_all: bool
) -> tuple[dict[str, CheckedUpload], dict[str, list[str]]]:
    checked: dict[str, CheckedUpload] = {}
    errors: dict[str, list[str]] = {}
    for requirement in requirements:
        code = str(requirement.get("code", ""))
        upload = files.get(code)
        if upload is None:
            if need_all and requirement.get("required", True):
                errors[f"req_{code}"] = [
                    _("Upload “%(name)s” (PDF, JPEG or PNG).") % {"name": requirement.get("name", code)}
                ]
            continue
        try:
            checked[code] = check_upload(upload, field=f"req_{code}")
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                errors.setdefault(key, []).extend(messages)
    return checked, errors


def _write_files(checked: Mapping[str, CheckedUpload], folder: str) -> dict[str, str]:
    written: dict[str, str] = {}
    try:
        for code, upload in checked.items():
            written[code] = store_private(upload.data, folder=folder, extension=upload.extension)
    except BaseException:
        _remove(written.values())
        raise
    return written


def _remove(paths: Any) -> None:
    for relative in paths:
        Path(private_path(relative)).unlink(missing_ok=True)


def _attach(application: Application, checked: Mapping[str, CheckedUpload], written: Mapping[str, str]) -> None:
    Attachment.objects.bulk_create(
        Attachment(
            government_id=application.government_id,
            application=application,
            requirement=code,
            original_name=upload.original_name or f"{code}.{upload.extension}",
            path=written[code],
            mime=upload.mime,
            size=len(upload.data),
            sha256=upload.sha256,
        )
        for code, upload in checked.items()
    )


def in_person_message(service: Service, mode: str) -> str:
    return _(
        "“%(service)s” cannot be applied for online today: it is served in person at %(unit)s. "
        "Bring the requirements listed on this page."
    ) % {"service": service.name, "unit": service.unit.name}


def application_submit(
    *,
    service: Service,
    citizen: Citizen,
    data: Mapping[str, Any],
    files: Mapping[str, Any],
    handover: str = Application.Handover.DOWNLOAD,
    delivery_address: str = "",
    actor: Actor | None = None,
    day: dt.date | None = None,
) -> Application:
    """Submit an application for ``service``: the form fields, one upload per requirement (checked by
    content), the handover choice. Refused when the service is not online on ``day``."""
    _require_applicant(actor, citizen)
    if citizen.government_id != service.government_id or not service.is_active:
        raise ValidationError(_("This service is not offered by your government; open your government's portal."))
    if citizen.verified_at is None:
        raise ValidationError(_("Confirm your e-mail or phone number first."))
    mode = selectors.effective_mode(service, day or timezone.localdate())
    if mode == Mode.IN_PERSON:
        raise ValidationError(in_person_message(service, mode))
    errors: dict[str, list[str]] = {}
    answers: dict[str, str] = {}
    for spec in service.fields or []:
        code = str(spec.get("code", ""))
        value = str(data.get(code, "") or "").strip()
        if not value and spec.get("required", True):
            errors[f"field_{code}"] = [_("Fill in “%(name)s”.") % {"name": spec.get("name", code)}]
        elif len(value) > MAX_FIELD_LENGTH:
            errors[f"field_{code}"] = [_("Keep this under 1,000 characters.")]
        answers[code] = value
    checked, file_errors = _check_files(files, service.requirements or [], need_all=True)
    errors.update(file_errors)
    if handover not in Application.Handover.values:
        errors["handover"] = [_("Choose how you will receive the result.")]
    delivery_address = str(delivery_address or "").strip()
    if handover == Application.Handover.DELIVERY:
        if not service.deliverable:
            errors["handover"] = [_("This service cannot be delivered; choose download or pick up.")]
        elif not delivery_address:
            errors["delivery_address"] = [_("Write the address the result should be delivered to.")]
    else:
        delivery_address = ""
    if errors:
        raise ValidationError(errors)
    reference = new_reference()
    written = _write_files(checked, f"applications/{service.government_id}/{reference}")
    try:
        with transaction.atomic():
            application = Application.objects.create(
                government_id=service.government_id,
                service=service,
                unit_id=service.unit_id,
                citizen=citizen,
                reference=reference,
                status=Status.SUBMITTED,
                data=answers,
                handover=handover,
                delivery_address=delivery_address,
                fee_amount=service.fee,
            )
            _attach(application, checked, written)
            application.events.create(
                government_id=service.government_id,
                to_status=Status.SUBMITTED,
                actor=citizen.user,
                actor_label=citizen.name[:150],
                public=True,
            )
            audit_record(
                actor=citizen.user,
                government=service.government_id,
                action="create",
                obj=application,
                changes={"service": service.code, "attachments": sorted(checked), "handover": handover},
            )
            workflow.notify_applicant(application)
    except BaseException:
        _remove(written.values())
        raise
    return application


def application_resubmit(
    *, application: Application, files: Mapping[str, Any], note: str = "", actor: Actor | None = None
) -> Application:
    """Replace some attachments of an application returned as incomplete and send it back to the office;
    the replaced files are kept, marked superseded."""
    _require_applicant(actor, application.citizen)
    if application.status != Status.INCOMPLETE:
        raise ValidationError(_("Only an application returned as incomplete can be completed; reload the page."))
    note = str(note or "").strip()
    if len(note) > 2000:
        raise ValidationError({"note": _("Keep the note under 2,000 characters.")})
    checked, errors = _check_files(files, application.service.requirements or [], need_all=False)
    if errors:
        raise ValidationError(errors)
    if not checked and not note:
        raise ValidationError(_("Upload at least one corrected document, or write what you changed."))
    written = _write_files(checked, f"applications/{application.government_id}/{application.reference}")
    try:
        with transaction.atomic():
            Attachment.objects.filter(application=application, requirement__in=list(checked), superseded=False).update(
                superseded=True
            )
            _attach(application, checked, written)
            workflow.transition(
                application=application,
                to=Status.RESUBMITTED,
                actor=actor,
                note=note,
                system=actor is None,
                changes={},
            )
    except BaseException:
        _remove(written.values())
        raise
    return application


def application_withdraw(*, application: Application, reason: str = "", actor: Actor | None = None) -> Application:
    """The applicant withdraws their application (it becomes Cancelled)."""
    _require_applicant(actor, application.citizen)
    if application.status not in workflow.WITHDRAWABLE:
        raise ValidationError(_("This application can no longer be withdrawn."))
    reason = str(reason or "").strip()
    return workflow.transition(
        application=application,
        to=Status.CANCELLED,
        actor=actor,
        note=reason or _("Withdrawn by the applicant."),
        system=actor is None,
    )


def document_open(*, actor: Actor, document: IssuedDocument) -> BinaryIO:
    """Open an issued document's signed PDF for ``actor`` (who may see its application: the selectors
    checked that). The applicant's first download of a document they chose to download is the
    handover: the application moves to picked up and closed. Raises FileNotFoundError when the stored
    file is missing."""
    handle = private_path(document.path).open("rb")
    application: Application = document.application
    if (
        application.status == Status.ISSUED
        and application.handover == Application.Handover.DOWNLOAD
        and workflow.is_applicant(actor, application)
    ):
        workflow.transition(application=application, to=Status.PICKED_UP, actor=actor, system=True, public=False)
        workflow.transition(application=application, to=Status.CLOSED, actor=actor, system=True)
    return handle


def document_filename(document: IssuedDocument) -> str:
    """``503-12-2020.pdf`` for the number ``503/12/2020``: safe in a Content-Disposition header."""
    return "".join(ch if ch.isalnum() else "-" for ch in document.number).strip("-") + ".pdf"
