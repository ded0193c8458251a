"""The organisation of a government: buildings, units (OPD tree), positions, employees (ASN),
their health risk profile, and acting officials (Plh/Plt)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from siaga.core.models import TenantModel


class SpaceStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESTRICTED = "restricted", _("Restricted")
    CLOSED = "closed", _("Closed")


class Building(TenantModel):
    """An office building (gedung)."""

    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=120)
    address = models.CharField(_("address"), max_length=250, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    geofence_radius_m = models.PositiveIntegerField(_("check-in radius (m)"), default=100)
    status = models.CharField(_("status"), max_length=10, choices=SpaceStatus.choices, default=SpaceStatus.OPEN)
    status_note = models.CharField(_("status note"), max_length=250, blank=True)

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["government", "code"], name="building_code_unique")]

    def __str__(self) -> str:
        return self.name


class Floor(TenantModel):
    """A floor of a building; distancing capacity is what the roster may fill."""

    building = models.ForeignKey(Building, on_delete=models.CASCADE, related_name="floors")
    number = models.SmallIntegerField(_("floor number"))
    name = models.CharField(_("name"), max_length=80, blank=True)
    capacity = models.PositiveIntegerField(_("normal capacity"))
    distancing_capacity = models.PositiveIntegerField(_("capacity with distancing"))
    status = models.CharField(_("status"), max_length=10, choices=SpaceStatus.choices, default=SpaceStatus.OPEN)

    class Meta:
        verbose_name = _("floor")
        verbose_name_plural = _("floors")
        ordering = ["building", "number"]
        constraints = [
            models.UniqueConstraint(fields=["building", "number"], name="floor_number_unique"),
            models.CheckConstraint(
                condition=Q(distancing_capacity__lte=models.F("capacity")), name="floor_distancing_le_capacity"
            ),
        ]

    def __str__(self) -> str:
        return self.name or f"{self.building} · {_('floor')} {self.number}"


class Room(TenantModel):
    """A room on a floor (meeting room, service hall, office)."""

    floor = models.ForeignKey(Floor, on_delete=models.CASCADE, related_name="rooms")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=120)
    capacity = models.PositiveIntegerField(_("normal capacity"))
    distancing_capacity = models.PositiveIntegerField(_("capacity with distancing"))
    status = models.CharField(_("status"), max_length=10, choices=SpaceStatus.choices, default=SpaceStatus.OPEN)

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["floor", "code"]
        constraints = [
            models.UniqueConstraint(fields=["government", "code"], name="room_code_unique"),
            models.CheckConstraint(
                condition=Q(distancing_capacity__lte=models.F("capacity")), name="room_distancing_le_capacity"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class UnitKind(models.TextChoices):
    SEKRETARIAT_DAERAH = "sekretariat_daerah", _("Regional Secretariat (Sekretariat Daerah)")
    SEKRETARIAT_DPRD = "sekretariat_dprd", _("DPRD Secretariat (Sekretariat DPRD)")
    INSPEKTORAT = "inspektorat", _("Inspectorate (Inspektorat)")
    DINAS = "dinas", _("Agency (Dinas)")
    BADAN = "badan", _("Board (Badan)")
    KECAMATAN = "kecamatan", _("District (Kecamatan)")
    KELURAHAN = "kelurahan", _("Urban village (Kelurahan)")
    BAGIAN = "bagian", _("Section (Bagian)")
    BIDANG = "bidang", _("Division (Bidang)")
    SUB_BAGIAN = "sub_bagian", _("Sub-section (Sub-bagian)")
    SEKSI = "seksi", _("Section (Seksi)")
    UPTD = "uptd", _("Technical unit (UPTD)")


#: OPD kinds stand at the top of the tree; the others sit under a parent.
TOP_LEVEL_KINDS = frozenset(
    {
        UnitKind.SEKRETARIAT_DAERAH,
        UnitKind.SEKRETARIAT_DPRD,
        UnitKind.INSPEKTORAT,
        UnitKind.DINAS,
        UnitKind.BADAN,
        UnitKind.KECAMATAN,
    }
)


class Unit(TenantModel):
    """A unit of the organisation: an OPD (perangkat daerah) or one of its sub-units."""

    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent")
    )
    public_service = models.BooleanField(_("public-facing service"), default=False)
    essential = models.BooleanField(_("essential sector"), default=False)
    building = models.ForeignKey(
        Building, on_delete=models.SET_NULL, null=True, blank=True, related_name="units", verbose_name=_("building")
    )
    floor = models.ForeignKey(
        Floor, on_delete=models.SET_NULL, null=True, blank=True, related_name="units", verbose_name=_("floor")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["government", "code"], name="unit_code_unique")]

    def __str__(self) -> str:
        return self.name


class Skill(TenantModel):
    """A skill that rostering must cover, e.g. ``front_office`` or ``signer``."""

    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["government", "code"], name="skill_code_unique")]

    def __str__(self) -> str:
        return self.name or self.code


class Position(TenantModel):
    """A post (jabatan) in a unit. Structural posts carry a level and the old echelon."""

    class Kind(models.TextChoices):
        STRUKTURAL = "struktural", _("Structural")
        FUNGSIONAL = "fungsional", _("Functional")
        PELAKSANA = "pelaksana", _("Executive staff (pelaksana)")

    class Level(models.TextChoices):
        JPT_MADYA = "jpt_madya", _("JPT Madya (echelon I)")
        JPT_PRATAMA = "jpt_pratama", _("JPT Pratama (echelon II)")
        ADMINISTRATOR = "administrator", _("Administrator (echelon III)")
        PENGAWAS = "pengawas", _("Supervisor (pengawas, echelon IV)")

    ESELON = {"jpt_madya": "I", "jpt_pratama": "II", "administrator": "III", "pengawas": "IV"}
    #: Smaller is higher; the two highest structural levels stay on site under SE MenPAN-RB 19/2020.
    RANK = {"jpt_madya": 1, "jpt_pratama": 2, "administrator": 3, "pengawas": 4}

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="positions", verbose_name=_("unit"))
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    level = models.CharField(_("structural level"), max_length=14, choices=Level.choices, blank=True)
    is_head = models.BooleanField(_("head of the unit"), default=False)

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["unit", "name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="position_name_unique"),
            models.UniqueConstraint(fields=["unit"], condition=Q(is_head=True), name="position_one_head"),
            models.CheckConstraint(
                condition=Q(kind="struktural", level__gt="") | (~Q(kind="struktural") & Q(level="")),
                name="position_level_iff_struktural",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def eselon(self) -> str:
        return self.ESELON.get(self.level, "")


class Employee(TenantModel):
    """A civil servant (ASN): PNS or PPPK."""

    class Status(models.TextChoices):
        PNS = "pns", _("PNS")
        PPPK = "pppk", _("PPPK")

    class Sex(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    nip = models.CharField(_("NIP"), max_length=18)
    nik = models.CharField(_("NIK"), max_length=16, blank=True)
    name = models.CharField(_("name"), max_length=150)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="employees", verbose_name=_("unit"))
    position = models.ForeignKey(
        Position, on_delete=models.SET_NULL, null=True, blank=True, related_name="holders", verbose_name=_("position")
    )
    status = models.CharField(_("status"), max_length=4, choices=Status.choices, default=Status.PNS)
    birth_date = models.DateField(_("birth date"))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    skills = models.ManyToManyField(Skill, blank=True, related_name="employees", verbose_name=_("skills"))
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone / WhatsApp"), max_length=20, blank=True)
    building = models.ForeignKey(
        Building, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("building")
    )
    floor = models.ForeignKey(
        Floor, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("floor")
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="employee"
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["government", "nip"], name="employee_nip_unique")]
        indexes = [models.Index(fields=["government", "unit"], name="employee_gov_unit")]

    def __str__(self) -> str:
        return self.name

    def age_on(self, day: dt.date) -> int:
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years


class RiskProfile(TenantModel):
    """Health risk flags that work policies use (comorbidity, pregnancy). Health data: only the
    task force and the person see it, and every read is audit-logged."""

    employee = models.OneToOneField(Employee, on_delete=models.CASCADE, related_name="risk_profile")
    comorbidity = models.BooleanField(_("has a comorbidity"), default=False)
    pregnant_or_breastfeeding = models.BooleanField(_("pregnant or breastfeeding"), default=False)
    note = models.CharField(_("note"), max_length=250, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("risk profile")
        verbose_name_plural = _("risk profiles")

    def __str__(self) -> str:
        return f"{_('risk profile')} · {self.employee_id}"


class Delegation(TenantModel):
    """An acting official: Plh while the official is temporarily absent, Plt while the post is vacant
    (SE BKN 1/SE/I/2021)."""

    class Kind(models.TextChoices):
        PLH = "plh", _("Plh (official temporarily absent)")
        PLT = "plt", _("Plt (post vacant)")

    kind = models.CharField(_("kind"), max_length=3, choices=Kind.choices)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="delegations", verbose_name=_("unit"))
    official = models.ForeignKey(
        Employee,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="delegated_away",
        verbose_name=_("official"),
    )
    acting = models.ForeignKey(
        Employee, on_delete=models.PROTECT, related_name="acting_for", verbose_name=_("acting official")
    )
    start = models.DateField(_("from"))
    end = models.DateField(_("until"))
    letter_number = models.CharField(_("letter number"), max_length=100, blank=True)
    reason = models.CharField(_("reason"), max_length=250, blank=True)
    extends = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="extensions", verbose_name=_("extends")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("delegation (Plh/Plt)")
        verbose_name_plural = _("delegations (Plh/Plt)")
        ordering = ["-start"]
        constraints = [models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="delegation_dates")]
        indexes = [models.Index(fields=["government", "unit", "start", "end"], name="delegation_active")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.unit} · {self.acting}"

    def is_active_on(self, day: dt.date) -> bool:
        return self.revoked_at is None and self.start <= day <= self.end


class ImportJob(TenantModel):
    """An import of units or employees from a spreadsheet, run as a background task."""

    class Kind(models.TextChoices):
        UNITS = "units", _("Units")
        EMPLOYEES = "employees", _("Employees")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Refused: errors in the file")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    file_name = models.CharField(max_length=200)
    content = models.BinaryField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.file_name}"
