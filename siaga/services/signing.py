"""Signing decision documents: by the holder of the service's signer position or their Plh/Plt.

``sign_application`` renders the document (``siaga.services.documents``), signs it with the configured
backend (``SIGNING_BACKEND``: the official's PKCS#12 under ``SIGNING_DIR`` or a BSrE-style remote
service), stores the signed PDF outside the web root, records the ``IssuedDocument`` and moves the
application to SIGNED then ISSUED, all in one transaction. ``return_for_correction`` and ``reject`` are
the signer's other two answers. See docs/documents.md.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from siaga.core.access import Actor
from siaga.core.services import audit_record
from siaga.core.uploads import private_path, store_private
from siaga.engines.signing import ca, errors
from siaga.engines.signing.remote import RemoteSigner
from siaga.engines.signing.sign import LocalPkcs12Signer, Signer, Stamp, sign_pdf
from siaga.org.authority import Action, Authority, can_act
from siaga.org.models import Employee
from siaga.services import documents
from siaga.services.models import Application, IssuedDocument, Status
from siaga.services.workflow import transition

log = logging.getLogger(__name__)

ACTING_TITLE = {"plh": "Plh.", "plt": "Plt."}


def signing_error_message(exc: errors.SigningError) -> str:
    """The engine's error, said so the official knows what to do."""
    messages = {
        errors.WRONG_PASSPHRASE: _("The passphrase is wrong; type the passphrase of your signing certificate."),
        errors.UNKNOWN_NIK: _(
            "No signing certificate was found for your NIK; ask the operator to register your certificate."
        ),
        errors.SERVICE_DOWN: _("The signing service cannot be reached right now; try again in a few minutes."),
        errors.SERVICE_AUTH: _("The signing service refused Siaga's account; tell the operator."),
        errors.SERVICE_ERROR: _("The signing service answered with an error; try again or tell the operator."),
    }
    return messages.get(exc.msg, _("The document could not be signed; tell the operator."))


def signer_backend(employee: Employee, passphrase: str) -> Signer:
    """The configured backend, signing as ``employee`` with their ``passphrase``."""
    if not employee.nik:
        raise errors.SigningError(errors.UNKNOWN_NIK, "the employee has no NIK")
    if settings.DOCUMENT_SIGNING_BACKEND == "remote":
        return RemoteSigner(
            settings.SIGNING_SERVICE_URL,
            settings.SIGNING_SERVICE_USER,
            settings.SIGNING_SERVICE_PASSWORD,
            nik=employee.nik,
            passphrase=passphrase,
            timeout=float(settings.SIGNING_SERVICE_TIMEOUT),
        )
    return LocalPkcs12Signer(ca.official_path(settings.SIGNING_DIR, employee.nik), passphrase)


def issue_certificate(*, employee: Employee, passphrase: str, actor: Actor | None = None) -> Path:
    """Issue ``employee`` a signing certificate from the government CA under ``SIGNING_DIR`` (the local
    backend; idempotent). Returns the PKCS#12 path."""
    if not employee.nik:
        raise ValidationError(
            _("%(name)s has no NIK on record; add it before issuing a certificate.") % {"name": employee.name}
        )
    if len(passphrase) < 8:
        raise ValidationError(_("Choose a passphrase of at least 8 characters."))
    government = employee.government
    ca.ensure_ca(settings.SIGNING_DIR, name=f"{government.name} Root CA", organization=f"Pemerintah {government.name}")
    try:
        official = ca.issue_official(
            settings.SIGNING_DIR,
            employee.nik,
            employee.name,
            nip=employee.nip,
            passphrase=passphrase,
            unit=employee.unit.name,
        )
    except ca.CAError as exc:
        raise ValidationError(_("A certificate exists for this NIK and the passphrase does not open it.")) from exc
    audit_record(
        actor=getattr(actor, "user", None),
        government=government.pk,
        action="create",
        obj=employee,
        changes={"signing_certificate": "issued"},
    )
    return Path(official.path)


def _employee_of(actor: Actor | None, employee: Employee | None) -> Employee:
    if employee is not None:
        return employee
    if actor is None or not actor.is_authenticated or not actor.employee_id:
        raise PermissionDenied(_("Only the signing official or their Plh/Plt may do this."))
    return Employee.objects.select_related("position", "unit", "government").get(pk=actor.employee_id)


def signing_authority(employee: Employee, application: Application) -> Authority:
    """May ``employee`` sign ``application``'s decision today (the signer position's holder, or Plh/Plt)?"""
    return can_act(employee, Action.SIGN_SERVICE_DECISION, application.service.signer_position.unit)


def _check(actor: Actor | None, employee: Employee | None, application: Application) -> tuple[Employee, Authority]:
    signer = _employee_of(actor, employee)
    if signer.government_id != application.government_id:
        raise PermissionDenied(_("Only the signing official or their Plh/Plt may do this."))
    authority = signing_authority(signer, application)
    if not authority:
        raise PermissionDenied(authority.reason)
    if application.status != Status.AWAITING_SIGNATURE:
        raise ValidationError(
            _("This application is “%(status)s”, not awaiting signature; reload the page.")
            % {"status": application.get_status_display()}
        )
    return signer, authority


def verify_url(token: str) -> str:
    return f"{settings.BASE_URL}{reverse('verify:document', args=[token])}"


def position_title(application: Application) -> str:
    position = application.service.signer_position
    unit = position.unit.name
    return position.name if unit.lower() in position.name.lower() else f"{position.name} {unit}"


def sign_application(
    *, application: Application, actor: Actor | None, passphrase: str, employee: Employee | None = None
) -> IssuedDocument:
    """Sign ``application``'s decision as ``actor`` (or, for the system, as ``employee``) and issue it.

    Refused with ``PermissionDenied`` (the authority's reason) when the signer may not sign for the
    service's signing unit today, and ``ValidationError`` (nothing written) when the application is not
    awaiting signature or signing fails (wrong passphrase, unknown NIK, service down)."""
    application = Application.objects.select_related(
        "service__signer_position__unit", "citizen", "unit", "government"
    ).get(pk=application.pk)
    signer, authority = _check(actor, employee, application)
    stored: str | None = None
    try:
        with transaction.atomic():
            locked = Application.objects.select_for_update().get(pk=application.pk)
            if locked.status != Status.AWAITING_SIGNATURE:
                raise ValidationError(_("This application was handled meanwhile; reload the page."))
            now = timezone.now()
            today = timezone.localdate(now)
            number = documents.next_number(application, today.year)
            unsigned = documents.render(application, number=number, issued_on=today)
            token = IssuedDocument._meta.get_field("verify_token").default()
            acting = ACTING_TITLE.get(authority.basis, "")
            stamp = Stamp(
                signer_name=signer.name,
                position=position_title(application),
                verify_url=verify_url(token),
                acting=acting,
                signed_on=today,
                box=documents.STAMP_BOX,
            )
            try:
                signed = sign_pdf(
                    unsigned,
                    signer_backend(signer, passphrase),
                    reason=f"{documents.TITLES.get(application.service.product_kind, '')} {number}".strip(),
                    location=application.government.name,
                    stamp=stamp,
                )
            except errors.SigningError as exc:
                log.warning("signing application %s failed: %s", application.pk, exc)
                raise ValidationError({"passphrase": signing_error_message(exc)}) from exc
            stored = store_private(signed.pdf, folder=f"documents/{application.government_id}", extension="pdf")
            document = IssuedDocument.objects.create(
                government_id=application.government_id,
                application=application,
                number=number,
                path=stored,
                sha256=signed.sha256,
                size=len(signed.pdf),
                signer=signer,
                signer_name=signer.name,
                signer_position=stamp.capacity,
                acting=authority.basis if authority.basis in ACTING_TITLE else "",
                delegation_id=authority.delegation_id,
                backend=settings.DOCUMENT_SIGNING_BACKEND,
                signed_at=now,
                verify_token=token,
                summary={
                    "kind": str(application.service.product_kind),
                    "title": documents.TITLES.get(application.service.product_kind, ""),
                    "number": number,
                    "service": application.service.name,
                    "unit": application.unit.name,
                    "applicant": documents.mask_name(application.citizen.name),
                    "date": today.isoformat(),
                    "signer": signer.name,
                    "position": stamp.capacity,
                },
            )
            audit_record(
                actor=getattr(actor, "user", None),
                government=application.government_id,
                action="create",
                obj=document,
                changes={"number": number, "sha256": signed.sha256, "acting": document.acting},
            )
            transition(application=application, to=Status.SIGNED, actor=actor, system=True, public=False)
            transition(application=application, to=Status.ISSUED, actor=actor, system=True)
    except BaseException:
        if stored:
            private_path(stored).unlink(missing_ok=True)
        raise
    return document


def return_for_correction(
    *, application: Application, actor: Actor | None, note: str, employee: Employee | None = None
) -> Application:
    """Send the application back to review with a note for the officers (not shown to the applicant)."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say what must be corrected before you sign.")})
    _check(actor, employee, application)
    return transition(application=application, to=Status.IN_REVIEW, actor=actor, note=note, system=True, public=False)


def reject(
    *, application: Application, actor: Actor | None, note: str, employee: Employee | None = None
) -> Application:
    """Refuse the application; the note (the reason) is sent to the applicant."""
    _check(actor, employee, application)
    return transition(application=application, to=Status.REJECTED, actor=actor, note=note, system=True)


@dataclass(frozen=True)
class BatchResult:
    application: Application
    document: IssuedDocument | None
    error: str


def sign_batch(*, applications: list[Application], actor: Actor | None, passphrase: str) -> list[BatchResult]:
    """Sign several applications with one passphrase; each is checked and signed on its own."""
    results = []
    for application in applications:
        try:
            document = sign_application(application=application, actor=actor, passphrase=passphrase)
        except PermissionDenied as exc:
            results.append(BatchResult(application, None, str(exc) or _("You may not sign this document.")))
        except ValidationError as exc:
            results.append(BatchResult(application, None, " ".join(exc.messages)))
        else:
            results.append(BatchResult(application, document, ""))
    return results
