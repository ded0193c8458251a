"""Public services: the catalogue with each service's Standar Pelayanan, citizens, their applications
and the documents issued for them (DOMAIN.md §6)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from siaga.core.models import TenantModel
from siaga.org.models import Delegation, Employee, Position, Unit


class Mode(models.TextChoices):
    """How a service is delivered."""

    ONLINE = "online", _("Fully online")
    APPOINTMENT = "appointment", _("Online with an in-person appointment")
    IN_PERSON = "in_person", _("In person")


class ProductKind(models.TextChoices):
    """The kind of decision document, which picks its template."""

    PERMIT = "permit", _("Permit (surat izin)")
    FAMILY_CARD = "family_card", _("Family card (Kartu Keluarga)")
    BIRTH_CERTIFICATE = "birth_certificate", _("Birth certificate (akta kelahiran)")
    ID_CARD = "id_card", _("Identity card (KTP-el)")


class Service(TenantModel):
    """One public service and its Standar Pelayanan (UU 25/2009): requirements, procedure, time limit in
    working days, fee, product and complaint channel; who signs its decisions and how it is delivered."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    #: [{"code": "ktp", "name": "KTP-el pemohon", "required": true, "note": "..."}]
    requirements = models.JSONField(_("requirements"), default=list, blank=True)
    #: the form fields the applicant fills in: [{"code": "lokasi", "name": "Lokasi bangunan", "required": true}]
    fields = models.JSONField(_("application form"), default=list, blank=True)
    procedure = models.TextField(_("procedure"), blank=True)
    sla_days = models.PositiveSmallIntegerField(_("time limit (working days)"))
    fee = models.DecimalField(_("fee (Rp)"), max_digits=14, decimal_places=0, default=0)
    fee_basis = models.CharField(_("basis of the fee"), max_length=250, blank=True)
    product = models.CharField(_("product"), max_length=200)
    product_kind = models.CharField(_("document template"), max_length=20, choices=ProductKind.choices)
    complaint_channel = models.CharField(_("complaint channel"), max_length=250, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=250, blank=True)
    signer_position = models.ForeignKey(
        Position,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("signing official"),
        help_text=_("The position whose holder signs the decision; their Plh or Plt signs when they are absent."),
    )
    mode = models.CharField(_("mode"), max_length=12, choices=Mode.choices, default=Mode.ONLINE)
    restricted_mode = models.CharField(
        _("mode while face-to-face service is restricted"),
        max_length=12,
        choices=Mode.choices,
        default=Mode.ONLINE,
    )
    field_check = models.BooleanField(_("needs a field check"), default=False)
    deliverable = models.BooleanField(
        _("can be delivered"), default=False, help_text=_("The printed product can be delivered to the applicant.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["unit__name", "name"]
        constraints = [models.UniqueConstraint(fields=["government", "code"], name="service_code_unique")]
        verbose_name = _("service")
        verbose_name_plural = _("services")

    def __str__(self) -> str:
        return self.name


class FaceToFaceRestriction(TenantModel):
    """A dated policy that restricts face-to-face service: while it holds, each service runs in its
    ``restricted_mode``."""

    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"), null=True, blank=True, help_text=_("Empty: until lifted."))
    reason = models.CharField(_("reason"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start"]
        verbose_name = _("face-to-face restriction")
        verbose_name_plural = _("face-to-face restrictions")


class Citizen(TenantModel):
    """A resident registered on the government's service portal; NIK validated, contact verified."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="citizen")
    nik = models.CharField(_("NIK"), max_length=16)
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone / WhatsApp"), max_length=20, blank=True)
    address = models.TextField(_("address"), blank=True)
    verified_at = models.DateTimeField(_("contact verified"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["government", "nik"], name="citizen_nik_unique")]
        verbose_name = _("citizen")
        verbose_name_plural = _("citizens")

    def __str__(self) -> str:
        return self.name


class OneTimeCode(TenantModel):
    """A one-time code sent to an e-mail address or phone number; only its hash is kept."""

    class Purpose(models.TextChoices):
        REGISTER = "register", _("Registration")
        LOGIN = "login", _("Sign-in")

    purpose = models.CharField(max_length=10, choices=Purpose.choices)
    destination = models.CharField(max_length=254)
    code_hash = models.CharField(max_length=128)
    #: what the code confirms (e.g. the pending registration), never the code itself
    payload = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["government", "destination", "created_at"])]


class Status(models.TextChoices):
    """The states of an application (DOMAIN.md §6); ``siaga.services.workflow`` says who moves it where."""

    SUBMITTED = "submitted", _("Submitted")
    INCOMPLETE = "incomplete", _("Incomplete, returned to the applicant")
    RESUBMITTED = "resubmitted", _("Resubmitted")
    REGISTERED = "registered", _("Registered")
    IN_REVIEW = "in_review", _("In review")
    FIELD_CHECK = "field_check", _("Field check")
    RECOMMENDED = "recommended", _("Recommended")
    AWAITING_PAYMENT = "awaiting_payment", _("Awaiting payment")
    AWAITING_SIGNATURE = "awaiting_signature", _("Awaiting signature")
    SIGNED = "signed", _("Signed")
    ISSUED = "issued", _("Issued")
    DELIVERED = "delivered", _("Delivered")
    PICKED_UP = "picked_up", _("Picked up")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


def new_reference() -> str:
    """A tracking code for the applicant: short, unguessable, without look-alike characters."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(10))


class Application(TenantModel):
    """A citizen's application for one service, moved through ``Status`` by ``workflow.transition``."""

    class Handover(models.TextChoices):
        DOWNLOAD = "download", _("Download (print at home)")
        PICKUP = "pickup", _("Pick up at the office")
        DELIVERY = "delivery", _("Deliver to my address")

    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="applications")
    #: the providing unit, copied from the service, for scoping the back office
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    citizen = models.ForeignKey(Citizen, on_delete=models.PROTECT, related_name="applications")
    reference = models.CharField(_("tracking code"), max_length=12, unique=True, default=new_reference)
    receipt_number = models.CharField(_("receipt number"), max_length=60, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    #: the answers to the service's form fields
    data = models.JSONField(default=dict, blank=True)
    handover = models.CharField(_("handover"), max_length=10, choices=Handover.choices, default=Handover.DOWNLOAD)
    delivery_address = models.TextField(_("delivery address"), blank=True)
    #: the last message to the applicant (what is missing, why it was rejected)
    status_note = models.TextField(_("note to the applicant"), blank=True)
    assigned_to = models.ForeignKey(
        Employee, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("officer")
    )
    fee_amount = models.DecimalField(_("fee (Rp)"), max_digits=14, decimal_places=0, default=0)
    bill_number = models.CharField(_("bill number (SKRD)"), max_length=60, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=100, blank=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    registered_at = models.DateTimeField(_("registered"), null=True, blank=True)
    #: the last working day of the time limit, counted from registration
    due_on = models.DateField(_("due"), null=True, blank=True)
    sla_warned_on = models.DateField(null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        indexes = [
            models.Index(fields=["government", "unit", "status"]),
            models.Index(fields=["government", "assigned_to", "status"]),
            models.Index(fields=["government", "status", "due_on"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["government", "receipt_number"],
                condition=~models.Q(receipt_number=""),
                name="application_receipt_unique",
            )
        ]
        verbose_name = _("application")
        verbose_name_plural = _("applications")

    def __str__(self) -> str:
        return f"{self.reference} {self.service}"


class ApplicationEvent(TenantModel):
    """One step of an application's history (every transition and reassignment)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True)
    note = models.TextField(blank=True)
    #: shown to the applicant (internal notes are not)
    public = models.BooleanField(default=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]


class Attachment(TenantModel):
    """A document the applicant uploaded for one requirement; stored outside the web root."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="attachments")
    requirement = models.CharField(_("requirement"), max_length=40)
    original_name = models.CharField(max_length=200)
    #: relative to MEDIA_ROOT
    path = models.CharField(max_length=300)
    mime = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    #: replaced by a later upload for the same requirement (kept for the record)
    superseded = models.BooleanField(default=False)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["requirement", "-uploaded_at"]


def new_verify_token() -> str:
    return secrets.token_urlsafe(18)


class IssuedDocument(TenantModel):
    """The signed decision document of an application: its PDF (outside the web root), hash and signer."""

    class Acting(models.TextChoices):
        NONE = "", _("The official")
        PLH = "plh", _("Plh.")
        PLT = "plt", _("Plt.")

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="document")
    number = models.CharField(_("document number"), max_length=80)
    path = models.CharField(max_length=300)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveIntegerField(default=0)
    signer = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="+")
    signer_name = models.CharField(max_length=150)
    signer_position = models.CharField(max_length=200)
    acting = models.CharField(max_length=3, choices=Acting.choices, default=Acting.NONE, blank=True)
    delegation = models.ForeignKey(Delegation, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    backend = models.CharField(max_length=20)
    signed_at = models.DateTimeField()
    verify_token = models.CharField(max_length=32, unique=True, default=new_verify_token)
    #: the minimum printed on the document that the public verification page may show
    summary = models.JSONField(default=dict, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-signed_at"]
        constraints = [models.UniqueConstraint(fields=["government", "number"], name="document_number_unique")]


class SigningBatch(TenantModel):
    """Several applications signed with one passphrase by background workers, one task per application.

    The passphrase is kept only sealed (``siaga.services.batch_signing.seal``) and only while items are
    left to sign; it is wiped when the batch finishes."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Signing")
        DONE = "done", _("Finished")

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signer = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    #: the passphrase sealed with SIGNING_BATCH_KEY (Fernet, time-stamped); empty once the batch is done
    sealed_passphrase = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"batch {self.pk}"

    @property
    def running(self) -> bool:
        return self.status != self.Status.DONE


class SigningBatchItem(models.Model):
    """One application of a batch: claimed by a worker (a lease renewed by nobody: a claim older than
    TASK_HEARTBEAT_TIMEOUT belongs to a worker presumed dead and is retried), then signed or failed."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Signing")
        SIGNED = "signed", _("Signed")
        FAILED = "failed", _("Not signed")

    batch = models.ForeignKey(SigningBatch, on_delete=models.CASCADE, related_name="items")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    document = models.ForeignKey(IssuedDocument, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    error = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    #: who holds the claim: "host:pid" of the worker process, and since when
    worker = models.CharField(max_length=100, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["batch", "application"], name="batch_item_unique")]
        indexes = [models.Index(fields=["status", "claimed_at"], name="batch_item_lease_idx")]

    def __str__(self) -> str:
        return f"batch {self.batch_id} item {self.pk}"
