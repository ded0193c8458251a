"""The demo regency's public services (issue 6 of the seed story): the DPMPTSP and Dispendukcapil
catalogue with their Standar Pelayanan under the Bupati's face-to-face restriction, signing certificates
for the signing officials (DPMPTSP's Plh signs while its head isolates), citizens, applications in every
state with real uploads, KTP-el appointments and deliveries, and satisfaction-survey answers."""

from __future__ import annotations

import datetime as dt
import random
import struct
import zlib
from dataclasses import dataclass, field
from decimal import Decimal
from io import BytesIO
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from siaga.core.access import actor_for_user
from siaga.core.calendar import add_working_days, working_days
from siaga.core.models import Government, Role, RoleAssignment
from siaga.core.services import audit_record
from siaga.delivery import services as delivery
from siaga.delivery.models import AppointmentSlot
from siaga.demo import data
from siaga.demo.accounts import DEMO_PASSWORD
from siaga.demo.generator import People, nik_number
from siaga.org.models import Delegation, Employee, Position, Room, Unit
from siaga.services import services_catalogue, signing, workflow
from siaga.services import services_office as office
from siaga.services import services_portal as portal
from siaga.services.models import Application, ApplicationEvent, Citizen, IssuedDocument, Service
from siaga.services.services_office import application_move
from siaga.services.services_portal import application_submit, validate_nik
from siaga.survey.elements import ELEMENTS
from siaga.survey.services import survey_submit


@dataclass(frozen=True)
class ServiceSpec:
    unit: str  # code of the providing unit (its head signs)
    code: str
    name: str
    product: str
    product_kind: str
    sla_days: int
    fee: int
    requirements: tuple[tuple[str, str], ...]
    fields: tuple[tuple[str, str], ...] = ()
    description: str = ""
    procedure: str = ""
    legal_basis: str = ""
    fee_basis: str = ""
    mode: str = "online"
    restricted_mode: str = "online"
    field_check: bool = False
    deliverable: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


COMPLAINTS = "SP4N-LAPOR! (lapor.go.id), SMS 1708, atau meja pengaduan Mal Pelayanan Publik"

DPMPTSP_PROCEDURE = (
    "1. Pemohon mengajukan permohonan dan mengunggah persyaratan.\n"
    "2. Petugas front office memeriksa kelengkapan; berkas belum lengkap dikembalikan.\n"
    "3. Berkas lengkap didaftarkan dan diberi tanda terima; jangka waktu mulai dihitung.\n"
    "4. Tim teknis memeriksa berkas dan, bila perlu, meninjau lapangan.\n"
    "5. Rekomendasi tim teknis; SKRD diterbitkan bila layanan berbayar.\n"
    "6. Keputusan ditandatangani secara elektronik oleh Kepala Dinas (atau Plh).\n"
    "7. Dokumen terbit dan dapat diunduh; keaslian dapat diperiksa lewat kode QR."
)
DUKCAPIL_PROCEDURE = (
    "1. Pemohon mengajukan permohonan daring dan mengunggah persyaratan.\n"
    "2. Petugas memverifikasi data dan dokumen; berkas belum lengkap dikembalikan.\n"
    "3. Dokumen ditandatangani secara elektronik oleh Kepala Dinas dan dapat dicetak sendiri di kertas HVS."
)

CATALOGUE: tuple[ServiceSpec, ...] = (
    ServiceSpec(
        "DPMPTSP",
        "pbg",
        "Persetujuan Bangunan Gedung (PBG)",
        "Surat Persetujuan Bangunan Gedung",
        "permit",
        sla_days=15,
        fee=2_500_000,
        requirements=(
            ("ktp", "KTP-el pemohon"),
            ("tanah", "Bukti kepemilikan atau penguasaan tanah"),
            ("gambar", "Gambar rencana arsitektur"),
            ("kkpr", "Konfirmasi Kesesuaian Kegiatan Pemanfaatan Ruang (KKPR)"),
        ),
        fields=(
            ("lokasi", "Lokasi bangunan"),
            ("fungsi", "Fungsi bangunan"),
            ("luas", "Luas bangunan (m²)"),
            ("lantai", "Jumlah lantai"),
        ),
        description="Persetujuan untuk membangun baru, mengubah, memperluas atau merawat bangunan gedung.",
        procedure=DPMPTSP_PROCEDURE,
        legal_basis="PP 16/2021 tentang Peraturan Pelaksanaan UU 28/2002 tentang Bangunan Gedung",
        fee_basis="Retribusi PBG menurut Peraturan Daerah tentang Pajak Daerah dan Retribusi Daerah",
        field_check=True,
    ),
    ServiceSpec(
        "DPMPTSP",
        "reklame",
        "Izin Penyelenggaraan Reklame",
        "Surat Izin Penyelenggaraan Reklame",
        "permit",
        sla_days=5,
        fee=350_000,
        requirements=(
            ("ktp", "KTP-el pemohon"),
            ("desain", "Desain dan ukuran reklame"),
            ("foto", "Foto lokasi pemasangan"),
            ("persetujuan", "Persetujuan pemilik lahan atau bangunan"),
        ),
        fields=(("lokasi", "Lokasi reklame"), ("jenis", "Jenis reklame"), ("ukuran", "Ukuran (m²)")),
        description="Izin memasang reklame papan, billboard, atau baliho di wilayah kabupaten.",
        procedure=DPMPTSP_PROCEDURE,
        legal_basis="Peraturan Daerah tentang Penyelenggaraan Reklame",
        fee_basis="Retribusi izin reklame menurut Peraturan Daerah",
        field_check=True,
    ),
    ServiceSpec(
        "DPMPTSP",
        "izin-usaha-mikro",
        "Izin Usaha Mikro",
        "Izin Usaha Mikro",
        "permit",
        sla_days=3,
        fee=0,
        requirements=(("ktp", "KTP-el pemohon"), ("kk", "Kartu Keluarga"), ("foto-usaha", "Foto tempat usaha")),
        fields=(("nama_usaha", "Nama usaha"), ("kegiatan", "Kegiatan usaha"), ("alamat_usaha", "Alamat usaha")),
        description="Izin bagi usaha mikro untuk kepastian hukum dan akses pembiayaan.",
        procedure=DPMPTSP_PROCEDURE,
        legal_basis="PP 7/2021 tentang Kemudahan, Pelindungan, dan Pemberdayaan Koperasi dan UMKM",
        fee_basis="Tanpa biaya",
    ),
    ServiceSpec(
        "DISDUKCAPIL",
        "kk-perubahan",
        "Perubahan Kartu Keluarga",
        "Kartu Keluarga (cetak mandiri)",
        "family_card",
        sla_days=3,
        fee=0,
        requirements=(
            ("kk", "Kartu Keluarga lama"),
            ("ktp", "KTP-el kepala keluarga"),
            ("pendukung", "Dokumen perubahan (akta kelahiran, akta perkawinan, atau surat pindah)"),
        ),
        fields=(("perubahan", "Perubahan yang diminta"), ("no_kk", "Nomor KK")),
        description="Menambah atau mengurangi anggota keluarga, atau mengubah data dalam KK.",
        procedure=DUKCAPIL_PROCEDURE,
        legal_basis="UU 24/2013 tentang Administrasi Kependudukan; Perpres 96/2018",
        fee_basis="Tanpa biaya (UU 24/2013 Pasal 79A)",
    ),
    ServiceSpec(
        "DISDUKCAPIL",
        "akta-kelahiran",
        "Akta Kelahiran",
        "Kutipan Akta Kelahiran (cetak mandiri)",
        "birth_certificate",
        sla_days=3,
        fee=0,
        requirements=(
            ("skl", "Surat keterangan lahir dari rumah sakit, puskesmas, atau bidan"),
            ("kk", "Kartu Keluarga orang tua"),
            ("ktp", "KTP-el ayah dan ibu"),
            ("nikah", "Buku nikah atau akta perkawinan orang tua"),
        ),
        fields=(
            ("nama_anak", "Nama anak"),
            ("tempat_lahir", "Tempat lahir"),
            ("tanggal_lahir", "Tanggal lahir"),
            ("nama_ayah", "Nama ayah"),
            ("nama_ibu", "Nama ibu"),
        ),
        description="Pencatatan kelahiran dan penerbitan kutipan akta kelahiran.",
        procedure=DUKCAPIL_PROCEDURE,
        legal_basis="UU 24/2013 tentang Administrasi Kependudukan; Perpres 96/2018",
        fee_basis="Tanpa biaya (UU 24/2013 Pasal 79A)",
    ),
    ServiceSpec(
        "DISDUKCAPIL",
        "ktp-el-pemula",
        "KTP-el Pemula",
        "KTP-el",
        "id_card",
        sla_days=3,
        fee=0,
        requirements=(("kk", "Kartu Keluarga"),),
        fields=(("sekolah", "Sekolah atau tempat kerja (bila ada)"),),
        description=(
            "KTP-el pertama bagi penduduk yang berusia 17 tahun atau sudah menikah. Perekaman biometrik "
            "(foto, sidik jari, iris, tanda tangan) dilakukan sesuai jadwal temu; kartu dapat diantar ke rumah."
        ),
        procedure=(
            "1. Pemohon mengajukan permohonan daring dan memilih jadwal perekaman.\n"
            "2. Perekaman biometrik di kantor Disdukcapil pada jadwal yang dipilih.\n"
            "3. Penerbitan disetujui Kepala Dinas secara elektronik; kartu dicetak.\n"
            "4. Kartu diantar ke alamat pemohon oleh Pos atau petugas, atau diambil di kantor."
        ),
        legal_basis="UU 24/2013 tentang Administrasi Kependudukan; Perpres 96/2018",
        fee_basis="Tanpa biaya (UU 24/2013 Pasal 79A)",
        mode="appointment",
        restricted_mode="appointment",
        deliverable=True,
    ),
)


# ---------------------------------------------------------------------------------------------------
# Writing the demo: the catalogue, signing certificates, citizens, applications in every state,
# KTP-el appointments and deliveries, survey answers. Everything goes through the real service functions
# (with the officers', signers' and citizens' own actors), so the demo passes the same checks as real use.

#: the passphrase of every demo signing certificate (published in docs/demo.md; demo only)
SIGNING_PASSPHRASE = "tte-demo-2020"  # noqa: S105  # nosec B105
RESTRICTION_REASON = (
    "Surat Edaran Bupati Sukoharjo tentang pembatasan layanan tatap muka selama pandemi: layanan "
    "diajukan daring; perekaman KTP-el dengan jadwal temu."
)
RESTRICTION_STARTED_DAYS_AGO = 30
CITIZENS = 40
#: citizens' NIK serials start here, far above the serials of the seeded employees
NIK_SERIAL_FROM = 7001
OFFICERS = {"DPMPTSP": "petugas.dpmptsp", "DISDUKCAPIL": "petugas.dukcapil"}
COURIER = "kurir.dukcapil"
CITIZEN_ACCOUNT = "warga"

#: The DPMPTSP and Dispendukcapil applications: (service, final state, handover, overdue). The paid,
#: field-checked services pass every state; "signed", "delivered" and "picked up" are passed through on
#: the way (the real services move on at once), and stay in each application's history.
SCENARIOS: tuple[tuple[str, str, str, bool], ...] = (
    ("pbg", "submitted", "pickup", False),
    ("pbg", "incomplete", "pickup", False),
    ("pbg", "resubmitted", "pickup", False),
    ("pbg", "registered", "pickup", True),
    ("pbg", "in_review", "pickup", False),
    ("pbg", "field_check", "pickup", True),
    ("pbg", "recommended", "pickup", False),
    ("pbg", "awaiting_payment", "pickup", False),
    ("pbg", "awaiting_signature", "pickup", True),
    ("pbg", "issued", "pickup", False),
    ("pbg", "closed", "pickup", False),
    ("pbg", "rejected", "pickup", False),
    ("reklame", "submitted", "download", False),
    ("reklame", "in_review", "download", True),
    ("reklame", "field_check", "download", False),
    ("reklame", "awaiting_payment", "download", False),
    ("reklame", "awaiting_signature", "download", False),
    ("reklame", "closed", "pickup", False),
    ("reklame", "cancelled", "download", False),
    ("izin-usaha-mikro", "submitted", "download", False),
    ("izin-usaha-mikro", "incomplete", "download", False),
    ("izin-usaha-mikro", "registered", "download", False),
    ("izin-usaha-mikro", "awaiting_signature", "download", True),
    ("izin-usaha-mikro", "issued", "download", False),
    ("izin-usaha-mikro", "closed", "download", False),
    ("izin-usaha-mikro", "closed", "pickup", False),
    ("izin-usaha-mikro", "rejected", "download", False),
    ("kk-perubahan", "submitted", "download", False),
    ("kk-perubahan", "incomplete", "download", False),
    ("kk-perubahan", "in_review", "download", True),
    ("kk-perubahan", "awaiting_signature", "download", False),
    ("kk-perubahan", "closed", "download", False),
    ("akta-kelahiran", "submitted", "download", False),
    ("akta-kelahiran", "resubmitted", "download", False),
    ("akta-kelahiran", "registered", "download", False),
    ("akta-kelahiran", "issued", "download", False),
    ("akta-kelahiran", "closed", "download", False),
    ("akta-kelahiran", "cancelled", "download", False),
)
#: The warga account's own applications: one of each kind of state a citizen meets.
WARGA_SCENARIOS: tuple[tuple[str, str, str, bool], ...] = (
    ("izin-usaha-mikro", "incomplete", "download", False),  # to complete and resubmit
    ("pbg", "awaiting_payment", "pickup", False),  # the bill (SKRD) to pay
    ("reklame", "in_review", "download", False),
    ("kk-perubahan", "issued", "download", False),  # to download (closes it)
    ("akta-kelahiran", "closed", "download", False),  # the survey is still open for this one
    ("izin-usaha-mikro", "rejected", "download", False),
    ("reklame", "cancelled", "download", False),
    ("akta-kelahiran", "submitted", "download", False),
)
#: KTP-el pemula: (final state of the application, of its delivery or appointment)
KTP_SCENARIOS: tuple[tuple[str, str], ...] = (
    ("submitted", "booked"),
    ("submitted", "booked"),
    ("submitted", "booked"),
    ("submitted", "booked"),
    ("registered", "attended"),
    ("awaiting_signature", "attended"),
    ("issued", "scheduled"),
    ("issued", "scheduled_pos"),
    ("issued", "out"),
    ("issued", "failed"),
    ("issued", "rescheduled"),
    ("closed", "delivered"),
    ("closed", "delivered"),
)
WARGA_KTP = ("issued", "out")
AFTER_SIGNING = (
    "signed",
    "issued",
    "delivered",
    "picked_up",
    "closed",
)  # the warga account's own card is on its way today
REJECTION = "Lokasi berada di sempadan sungai menurut RTRW; permohonan tidak dapat disetujui."
INCOMPLETE_NOTE = "Dokumen tidak terbaca; unggah ulang hasil pindaian yang jelas."
FIELD_REPORT = "Lokasi sesuai gambar rencana; garis sempadan jalan dipenuhi."
SUGGESTIONS = (
    "Prosesnya cepat, terima kasih.",
    "Mohon notifikasi WhatsApp dikirim lebih awal.",
    "",
    "Petugas ramah dan jelas menjelaskan kekurangan berkas.",
    "",
    "Tolong tambahkan panduan foto dokumen yang baik.",
)
STREETS = ("Jl. Slamet Riyadi", "Jl. Veteran", "Jl. Jenderal Sudirman", "Jl. Pemuda", "Jl. Diponegoro", "Jl. Mawar")
FIELD_VALUES = {
    "lokasi": "{street} No. {n}, {kecamatan}",
    "fungsi": "Rumah tinggal",
    "luas": "{area}",
    "lantai": "2",
    "jenis": "Papan nama usaha",
    "ukuran": "4",
    "nama_usaha": "Warung {first}",
    "kegiatan": "Makanan dan minuman",
    "alamat_usaha": "{street} No. {n}, {kecamatan}",
    "perubahan": "Penambahan anggota keluarga (kelahiran)",
    "no_kk": "{kk}",
    "nama_anak": "{child} {last}",
    "tempat_lahir": "Sukoharjo",
    "tanggal_lahir": "{birth}",
    "nama_ayah": "{father}",
    "nama_ibu": "{mother}",
    "sekolah": "SMA Negeri 1 Sukoharjo",
}


@dataclass
class PublicServicesResult:
    created: bool
    counts: dict[str, int] = field(default_factory=dict)


def demo_pdf(title: str, subtitle: str = "") -> bytes:
    """A small one-page PDF standing for a scanned document."""
    out = BytesIO()
    c = canvas.Canvas(out, pagesize=A4, invariant=1)
    c.setFont("Helvetica-Bold", 16)
    c.drawString(72, 760, title)
    c.setFont("Helvetica", 11)
    c.drawString(72, 736, subtitle or "Dokumen contoh (data demo)")
    c.rect(72, 500, 450, 200)
    c.showPage()
    c.save()
    return out.getvalue()


def demo_png(width: int = 32, height: int = 24, colour: tuple[int, int, int] = (40, 120, 90)) -> bytes:
    """A small plain PNG (a photo of the document handed over, a photo of the site)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    row = b"\x00" + bytes(colour) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def demo_public_services(
    *, government: Government, today: dt.date | None = None, seed: int = 2020
) -> PublicServicesResult:
    """The public services of the demo regency (see the module docstring). Does nothing when the
    government already has services."""
    if Service.objects.filter(government=government).exists():
        return PublicServicesResult(created=False)
    return _Builder(government, today=today, seed=seed).build()


class _Builder:
    """Writes the public services of one government, step by step, with one random generator."""

    def __init__(self, government: Government, *, today: dt.date | None, seed: int) -> None:
        self.government = government
        self.today = today or timezone.localdate()
        self.rng = random.Random(seed)
        self.counts: dict[str, int] = {}
        self.files: dict[tuple[str, str], bytes] = {}

    # -- people and actors ------------------------------------------------------------------------

    def _actor(self, username: str) -> Any:
        user = get_user_model().objects.get(username=username)
        return actor_for_user(user, government_id=self.government.pk)

    def _unit(self, code: str) -> Any:
        return Unit.objects.get(government=self.government, code=code)

    def _head(self, unit: Any) -> Any:
        return Employee.objects.select_related("user", "unit").get(
            government=self.government, unit=unit, position__is_head=True, is_active=True
        )

    def _plh(self, unit: Any) -> Any:
        delegation = (
            Delegation.objects.select_related("acting__user")
            .filter(government=self.government, unit=unit, kind="plh")
            .order_by("-start")
            .first()
        )
        if delegation is None or not delegation.is_active_on(self.today):
            raise ValidationError(f"{unit.name} has no Plh today; seed the demo regency first.")
        return delegation.acting

    # -- the steps -----------------------------------------------------------------------------------

    def build(self) -> PublicServicesResult:
        self.dpmptsp, self.dukcapil = self._unit("DPMPTSP"), self._unit("DISDUKCAPIL")
        self.services = self._catalogue()
        # Certificates: the head of DPMPTSP (isolating in the seed story), their Plh, the head of Dispendukcapil.
        self.plh = self._plh(self.dpmptsp)
        self.dukcapil_head = self._head(self.dukcapil)
        for employee in (self._head(self.dpmptsp), self.plh, self.dukcapil_head):
            signing.issue_certificate(employee=employee, passphrase=SIGNING_PASSPHRASE, actor=None)
        self.counts["certificates"] = 3
        self.signers = {
            "DPMPTSP": actor_for_user(self.plh.user, government_id=self.government.pk),
            "DISDUKCAPIL": actor_for_user(self.dukcapil_head.user, government_id=self.government.pk),
        }
        self.officers = {unit: self._actor(username) for unit, username in OFFICERS.items()}
        self.citizens = self._citizens()
        self.warga = self._warga()
        self._applications()
        self._ktp()
        self._surveys()
        return PublicServicesResult(created=True, counts=self.counts)

    def _catalogue(self) -> dict[str, Any]:
        services = {}
        for spec in CATALOGUE:
            unit = self._unit(spec.unit)
            data = {
                "unit": unit,
                "code": spec.code,
                "name": spec.name,
                "description": spec.description,
                "procedure": spec.procedure,
                "sla_days": spec.sla_days,
                "fee": Decimal(spec.fee),
                "fee_basis": spec.fee_basis,
                "product": spec.product,
                "product_kind": spec.product_kind,
                "complaint_channel": COMPLAINTS,
                "legal_basis": spec.legal_basis,
                "signer_position": Position.objects.get(government=self.government, unit=unit, is_head=True),
                "mode": spec.mode,
                "restricted_mode": spec.restricted_mode,
                "field_check": spec.field_check,
                "deliverable": spec.deliverable,
                "is_active": True,
            }
            services[spec.code] = services_catalogue.service_save(
                government=self.government,
                data=data,
                requirements=[{"code": c, "name": n, "required": True} for c, n in spec.requirements],
                fields=[{"code": c, "name": n, "required": "bila ada" not in n} for c, n in spec.fields],
                actor=None,
            )
        services_catalogue.restriction_create(
            government=self.government,
            start=self.today - dt.timedelta(days=RESTRICTION_STARTED_DAYS_AGO),
            end=None,
            reason=RESTRICTION_REASON,
            actor=None,
        )
        self.counts["services"] = len(services)
        return services

    def _citizens(self) -> list[Any]:
        """Residents registered on the portal. Written directly like a confirmed registration
        (``registration_start`` + ``registration_confirm`` would send a code to each): the user, the
        citizen with a verified contact, the citizen role; one audit event for the batch."""

        people = People(self.rng)
        password = make_password(DEMO_PASSWORD)
        now = timezone.now()
        user_model = get_user_model()
        citizens = []
        with transaction.atomic():
            for index in range(CITIZENS):
                sex = self.rng.choice("MF")
                # KTP-el pemula applicants are 17; the others adults
                years = (self.today.year - 17, self.today.year - 17) if index % 3 == 0 else (1960, 2000)
                birth = people.birth_date(years)
                kecamatan, code, _lat, _lon = self.rng.choice(data.KECAMATAN_LIST)
                nik = validate_nik(nik_number(subdistrict=code, birth=birth, sex=sex, serial=NIK_SERIAL_FROM + index))
                name, first, last = people.name(sex, degree="", prefix="")
                email = (
                    people.email(first, last).replace(f"@{data.EMAIL_DOMAIN}", "@contoh.id") if index % 2 == 0 else ""
                )
                phone = people.phone() if index % 2 == 1 or index % 5 == 0 else ""
                address = f"{self.rng.choice(STREETS)} No. {self.rng.randint(1, 120)}, Kec. {kecamatan}, Sukoharjo"
                user = user_model.objects.create(
                    username=f"warga.{self.government.code}.{nik}",
                    email=email,
                    first_name=name[:150],
                    password=password,
                )
                RoleAssignment.objects.create(user=user, government=self.government, role=Role.CITIZEN)
                citizens.append(
                    Citizen.objects.create(
                        government=self.government,
                        user=user,
                        nik=nik,
                        name=name,
                        email=email,
                        phone=phone,
                        address=address,
                        verified_at=now,
                    )
                )
            audit_record(
                actor=None,
                government=self.government,
                action="import",
                object_type="services.citizen",
                object_repr=f"{len(citizens)} demo citizens",
                changes={"citizens": len(citizens)},
            )
        self.counts["citizens"] = len(citizens)
        return citizens

    def _warga(self) -> Any:
        """The ``warga`` demo account becomes a verified citizen."""
        user = get_user_model().objects.get(username=CITIZEN_ACCOUNT)
        nik = nik_number(subdistrict="12", birth=dt.date(1990, 8, 17), sex="F", serial=NIK_SERIAL_FROM + 999)
        user.first_name = "Sri Lestari"
        user.save(update_fields=["first_name"])
        citizen = Citizen.objects.create(
            government=self.government,
            user=user,
            nik=nik,
            name="Sri Lestari",
            email=user.email,
            phone="081234567890",
            address="Jl. Slamet Riyadi No. 45, Kec. Sukoharjo, Sukoharjo",
            verified_at=timezone.now(),
        )
        audit_record(actor=None, government=self.government, action="create", obj=citizen)
        return citizen

    # -- applications ---------------------------------------------------------------------------------

    def _file(self, service: Any, code: str, name: str) -> Any:
        key = (service.code, code)
        if key not in self.files:
            if code.startswith("foto") or code in ("desain", "gambar"):
                self.files[key] = demo_png(colour=(self.rng.randint(20, 200), 120, 90))
            else:
                self.files[key] = demo_pdf(name, f"{service.name} (data demo)")
        extension = "png" if self.files[key].startswith(b"\x89PNG") else "pdf"
        return ContentFile(self.files[key], name=f"{code}.{extension}")

    def _answers(self, service: Any, citizen: Any) -> dict[str, str]:
        parts = citizen.name.split()
        values = {
            "street": self.rng.choice(STREETS),
            "n": self.rng.randint(1, 150),
            "kecamatan": citizen.address.rsplit("Kec. ", 1)[-1].split(",")[0],
            "area": self.rng.randint(36, 240),
            "first": parts[0],
            "last": parts[-1],
            "kk": citizen.nik[:6] + f"{self.rng.randint(0, 9_999_999_999):010d}",
            "child": self.rng.choice(("Aditya", "Kirana", "Bima", "Nadia", "Raka", "Salsa")),
            "birth": (self.today - dt.timedelta(days=self.rng.randint(10, 50))).strftime("%d-%m-%Y"),
            "father": citizen.name,
            "mother": self.rng.choice(("Sri Wahyuni", "Dewi Lestari", "Rina Susanti")),
        }
        return {f["code"]: FIELD_VALUES.get(f["code"], "-").format(**values) for f in service.fields}

    def _submit(self, service: Any, citizen: Any, handover: str) -> Any:
        files = {r["code"]: self._file(service, r["code"], r["name"]) for r in service.requirements}
        return application_submit(
            service=service,
            citizen=citizen,
            data=self._answers(service, citizen),
            files=files,
            handover=handover,
            delivery_address=citizen.address if handover == "delivery" else "",
            actor=actor_for_user(citizen.user, government_id=self.government.pk),
        )

    def _advance(self, app: Any, target: str) -> Any:
        """Move ``app`` from submitted to ``target`` the way the office would."""
        if target == "submitted":
            return app
        service = app.service
        unit = service.unit.code
        officer = self.officers[unit]
        applicant = actor_for_user(app.citizen.user, government_id=self.government.pk)
        if target == "cancelled":
            return portal.application_withdraw(application=app, reason="Tidak jadi mengajukan.", actor=applicant)
        first = service.requirements[0]["code"]
        if target in ("incomplete", "resubmitted") or self.rng.random() < 0.2:
            office.application_mark_incomplete(application=app, actor=officer, missing=[first], note=INCOMPLETE_NOTE)
            if target == "incomplete":
                return app
            first_name = service.requirements[0]["name"]
            portal.application_resubmit(
                application=app,
                files={first: self._file(service, first, first_name)},
                note="Sudah diunggah ulang.",
                actor=applicant,
            )
            if target == "resubmitted":
                return app
        if target == "rejected" and self.rng.random() < 0.5:
            return application_move(application=app, to="rejected", actor=officer, note=REJECTION)
        application_move(application=app, to="registered", actor=officer)
        if target == "registered":
            return app
        application_move(application=app, to="in_review", actor=officer)
        if target == "in_review":
            return app
        if target == "rejected":
            return application_move(application=app, to="rejected", actor=officer, note=REJECTION)
        if service.field_check:
            application_move(application=app, to="field_check", actor=officer)
            if target == "field_check":
                return app
            office.application_record_field_report(application=app, actor=officer, report=FIELD_REPORT)
        else:
            application_move(application=app, to="recommended", actor=officer)
        if target == "recommended":
            return app
        if app.fee_amount > 0:
            office.application_issue_bill(application=app, actor=officer)
            if target == "awaiting_payment":
                return app
            office.application_record_payment(
                application=app,
                actor=officer,
                reference=f"BPD-{self.rng.randint(10**9, 10**10 - 1)}",
                paid_on=self.today,
            )
        else:
            application_move(application=app, to="awaiting_signature", actor=officer)
        if target == "awaiting_signature":
            return app
        signing.sign_application(application=app, actor=self.signers[unit], passphrase=SIGNING_PASSPHRASE)
        app.refresh_from_db()
        if target == "issued":
            return app
        if app.handover == "pickup":
            return application_move(application=app, to="picked_up", actor=officer, note="Diserahkan di loket MPP.")
        if app.handover == "download":
            # the applicant's first download of the document closes it (as the download view does)
            workflow.transition(application=app, to="picked_up", actor=applicant, system=True, public=False)
            return workflow.transition(application=app, to="closed", actor=applicant, system=True)
        return app

    def _applications(self) -> None:
        adults = [c for i, c in enumerate(self.citizens) if i % 3 != 0]
        self.overdue: list[int] = []
        plan = [(s, self.rng.choice(adults)) for s in SCENARIOS] + [(s, self.warga) for s in WARGA_SCENARIOS]
        self.warga_survey_open: list[int] = []
        for (code, target, handover, overdue), citizen in plan:
            app = self._submit(self.services[code], citizen, handover)
            self._advance(app, target)
            if overdue:
                self.overdue.append(app.pk)
            if citizen is self.warga and target == "closed":
                self.warga_survey_open.append(app.pk)
        self.counts["applications"] = len(plan)

    # -- KTP-el pemula: appointments, cards, deliveries ------------------------------------------------

    def _room(self) -> Any:
        building = self.dukcapil.building_id
        rooms = Room.objects.filter(government=self.government, floor__building_id=building, distancing_capacity__gte=2)
        room = rooms.order_by("-distancing_capacity", "pk").first()
        if room is None:
            raise ValidationError("The Dispendukcapil office has no room for the KTP-el recording.")
        return room

    def _ktp(self) -> None:
        service = self.services["ktp-el-pemula"]
        officer = self.officers["DISDUKCAPIL"]
        room = self._room()
        capacity = min(room.distancing_capacity, 6)
        start = self.today
        end = self.today + dt.timedelta(days=13)
        slots = delivery.slots_generate(
            unit=self.dukcapil,
            start=start,
            end=end,
            times=[(dt.time(8, 0), dt.time(10, 0)), (dt.time(10, 0), dt.time(12, 0))],
            capacity=capacity,
            room=room,
            actor=officer,
        )
        first_day = min(s.date for s in slots)
        # The recordings already done: afternoon slots of the first working day, booked, then moved back to
        # the past working days (a queryset update, like the outbreak demo backdates presence) and marked.
        recorded = [s for s in KTP_SCENARIOS if s[1] != "booked"] + [WARGA_KTP]
        past_times = [(dt.time(13 + i // 2, 30 * (i % 2)), dt.time(13 + i // 2, 30 * (i % 2) + 29)) for i in range(4)]
        needed = -(-len(recorded) // capacity)
        past_slots = delivery.slots_generate(
            unit=self.dukcapil,
            start=first_day,
            end=first_day,
            times=past_times[: max(1, needed)],
            capacity=capacity,
            room=room,
            actor=officer,
        )
        future = [s for s in slots if s.date > first_day or self.today == first_day]
        pemula = [c for i, c in enumerate(self.citizens) if i % 3 == 0]
        courier = Employee.objects.get(government=self.government, user__username=COURIER)
        apps: list[tuple[Any, str, str, Any]] = []
        for index, (target, step) in enumerate((*KTP_SCENARIOS, WARGA_KTP)):
            citizen = self.warga if index == len(KTP_SCENARIOS) else pemula[index % len(pemula)]
            app = self._submit(service, citizen, "delivery")
            if step == "booked":
                slot = future[(index * 3) % len(future)]
            else:
                slot = past_slots[(len(apps) // capacity) % len(past_slots)]
            appointment = delivery.appointment_book(
                application=app,
                slot=slot,
                actor=self._applicant(citizen),
            )
            apps.append((app, target, step, appointment))
        past_day = self.today - dt.timedelta(days=1)
        while not any(True for _ in working_days(self.government, past_day, past_day)):
            past_day -= dt.timedelta(days=1)
        AppointmentSlot.objects.filter(pk__in=[s.pk for s in past_slots]).update(date=past_day)
        deliveries = {"scheduled": 0, "out": 0, "delivered": 0, "failed": 0, "rescheduled": 0}
        for app, target, step, appointment in apps:
            if step == "booked":
                continue
            delivery.appointment_mark(appointment=appointment, attended=True, actor=officer)
            self._advance(app, target)
            if target not in ("issued", "closed"):
                continue
            app.refresh_from_db()
            if step == "scheduled_pos":
                delivery.delivery_create(
                    application=app,
                    courier_kind="pos",
                    tracking_number=f"P{self.rng.randint(10**11, 10**12 - 1)}",
                    scheduled_on=add_working_days(self.government, self.today, 1),
                    area=app.citizen.address.rsplit("Kec. ", 1)[-1].split(",")[0],
                    actor=officer,
                )
                deliveries["scheduled"] += 1
                continue
            order = delivery.delivery_create(
                application=app,
                courier_kind="staff",
                courier=courier,
                scheduled_on=self.today if step != "scheduled" else add_working_days(self.government, self.today, 1),
                area=app.citizen.address.rsplit("Kec. ", 1)[-1].split(",")[0],
                actor=officer,
            )
            courier_actor = self._actor(COURIER)
            if step == "scheduled":
                deliveries["scheduled"] += 1
                continue
            delivery.delivery_depart(order=order, actor=courier_actor)
            if step == "out":
                deliveries["out"] += 1
                continue
            if step == "delivered":
                delivery.delivery_complete(
                    order=order,
                    received_by=app.citizen.name,
                    photo=ContentFile(demo_png(48, 36, (180, 160, 120)), name="serah-terima.png"),
                    latitude="-7.6806",
                    longitude="110.8419",
                    actor=courier_actor,
                )
                deliveries["delivered"] += 1
                continue
            delivery.delivery_fail(
                order=order,
                reason="not_home",
                note="Rumah kosong, tetangga tidak bersedia menerima.",
                actor=courier_actor,
            )
            if step == "failed":
                deliveries["failed"] += 1
                continue
            delivery.delivery_reschedule(
                order=order,
                scheduled_on=add_working_days(self.government, self.today, 2),
                note="Pemohon minta diantar sore hari.",
                actor=officer,
            )
            deliveries["rescheduled"] += 1
        self.counts["slots"] = len(slots) + len(past_slots)
        self.counts["appointments"] = len(apps)
        self.counts.update({f"deliveries_{k}": v for k, v in deliveries.items()})
        self.counts["applications"] += len(apps)

    def _applicant(self, citizen: Any) -> Any:
        return actor_for_user(citizen.user, government_id=self.government.pk)

    # -- backdating, survey -------------------------------------------------------------------------

    def _surveys(self) -> None:
        """Backdate the applications (submitted, registered, due, their history) and answer the survey for the
        closed ones."""

        # The moves above all happened now: spread the applications over the past weeks with a queryset
        # update (like the outbreak demo backdates presence) so the queues, ages and time limits look
        # lived in. The overdue ones were registered long enough ago for their time limit to have passed.
        apps = Application.objects.filter(government=self.government).select_related("service")
        for app in apps:
            if app.pk in self.overdue:
                days = int(app.service.sla_days * 1.6) + 6
            elif app.status in ("submitted", "resubmitted", "incomplete"):
                days = self.rng.randint(0, 2)
            elif app.status in ("registered", "in_review", "field_check", "recommended", "awaiting_signature"):
                days = self.rng.randint(1, max(1, app.service.sla_days // 3))
            else:
                days = self.rng.randint(3, 20)
            delta = dt.timedelta(days=days)
            changes: dict[str, Any] = {"submitted_at": app.submitted_at - delta}
            if app.registered_at is not None:
                registered = app.registered_at - delta
                changes["registered_at"] = registered
                due = add_working_days(self.government, timezone.localdate(registered), app.service.sla_days)
                open_in_time = app.pk not in self.overdue and app.status in workflow.OPEN_IN_OFFICE
                changes["due_on"] = max(due, self.today) if open_in_time else due
            # A signed document carries today's date: the signing and what followed stay today; the steps
            # before it (and every step of an application without a document) move back with it.
            signed = IssuedDocument.objects.filter(application_id=app.pk).exists()
            if not signed:
                changes.update(
                    {
                        name: getattr(app, name) - delta
                        for name in ("decided_at", "closed_at")
                        if getattr(app, name) is not None
                    }
                )
            events = ApplicationEvent.objects.filter(application_id=app.pk)
            if signed:
                events = events.exclude(to_status__in=AFTER_SIGNING)
            events.update(at=F("at") - delta)
            Application.objects.filter(pk=app.pk).update(**changes)
        self.counts["overdue"] = len(self.overdue)
        answered = 0
        closed = Application.objects.filter(government=self.government, status="closed").exclude(
            pk__in=self.warga_survey_open
        )
        for app in closed.select_related("citizen__user").order_by("pk"):
            base = self.rng.choice((3, 3, 4, 4, 4, 2))
            scores = {e.code: min(4, max(1, base + self.rng.choice((-1, 0, 0, 0, 1)))) for e in ELEMENTS}
            survey_submit(
                application=app,
                scores=scores,
                suggestion=self.rng.choice(SUGGESTIONS),
                actor=self._applicant(app.citizen),
            )
            answered += 1
        self.counts["survey_answers"] = answered
