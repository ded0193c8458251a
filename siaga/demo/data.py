"""What the demo regency is made of: Kabupaten Sukoharjo's OPDs, buildings, posts and names.

Only data lives here; ``siaga.demo.generator`` turns it into a plan for one scale and seed. Names of
units and posts are the Indonesian names users know (they are data, not interface text). Head counts
are the non-head staff of a unit at regency scale; the generator scales them down for ``small``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

GOVERNMENT_CODE = "33.11"
GOVERNMENT_NAME = "Kabupaten Sukoharjo"
EMAIL_DOMAIN = "sukoharjokab.go.id"
#: Kemendagri code of the regency: the first four digits of a NIK registered there.
NIK_REGION = "3311"

# Kinds and levels as plain strings, so that this module needs no Django import.
SETDA, SETWAN, INSPEKTORAT, DINAS, BADAN, KECAMATAN = (
    "sekretariat_daerah",
    "sekretariat_dprd",
    "inspektorat",
    "dinas",
    "badan",
    "kecamatan",
)
KELURAHAN, BAGIAN, BIDANG, SUB_BAGIAN, SEKSI, UPTD = "kelurahan", "bagian", "bidang", "sub_bagian", "seksi", "uptd"
JPT_MADYA, JPT_PRATAMA, ADMINISTRATOR, PENGAWAS = "jpt_madya", "jpt_pratama", "administrator", "pengawas"
STRUKTURAL, FUNGSIONAL, PELAKSANA = "struktural", "fungsional", "pelaksana"

#: Skills rostering covers: code → name shown to users.
SKILLS: dict[str, str] = {
    "front_office": "Petugas loket (front office)",
    "signer": "Penandatangan keputusan",
    "verifier": "Verifikator berkas",
    "driver": "Pengemudi",
    "it_support": "Dukungan TI",
}

#: Head level by unit kind, where the head is not given explicitly.
HEAD_LEVEL: dict[str, str] = {
    BAGIAN: ADMINISTRATOR,
    BIDANG: ADMINISTRATOR,
    SUB_BAGIAN: PENGAWAS,
    SEKSI: PENGAWAS,
    KELURAHAN: PENGAWAS,
    UPTD: PENGAWAS,
    KECAMATAN: ADMINISTRATOR,
}

#: Default non-head staff by unit kind (regency scale).
DEFAULT_STAFF: dict[str, int] = {
    SETDA: 8,
    SETWAN: 6,
    INSPEKTORAT: 6,
    DINAS: 6,
    BADAN: 6,
    KECAMATAN: 6,
    BAGIAN: 3,
    BIDANG: 10,
    SUB_BAGIAN: 6,
    SEKSI: 4,
    KELURAHAN: 10,
    UPTD: 10,
}


@dataclass(frozen=True)
class Post:
    """A functional or executive post and how its holders are drawn."""

    name: str
    kind: str  # FUNGSIONAL or PELAKSANA
    weight: float = 1.0
    skills: tuple[str, ...] = ()
    female_share: float = 0.5
    pppk_share: float = 0.0
    degrees: tuple[str, ...] = ("", "S.E.", "S.Sos.", "S.H.", "A.Md.", "S.IP.", "S.AP.")
    prefix: str = ""  # a title before the name, e.g. "dr."


@dataclass(frozen=True)
class UnitSpec:
    """One unit of the tree. ``code`` is the suffix under the parent's code (the full code at the top)."""

    code: str
    name: str
    kind: str
    children: tuple[UnitSpec, ...] = ()
    head: str = ""  # head post name; "Kepala <name>" when empty
    level: str = ""  # head level; HEAD_LEVEL[kind] when empty
    deputies: tuple[tuple[str, str], ...] = ()  # (post name, level): struktural posts under the head
    staff: int | None = None  # non-head staff at regency scale; DEFAULT_STAFF[kind] when None
    posts: tuple[Post, ...] = ()  # the unit's own post pool; inherited from the parent when empty
    generic: bool = True  # add the generic office posts to ``posts``
    public_service: bool | None = None  # inherited from the parent when None
    essential: bool | None = None  # inherited from the parent when None
    site: tuple[str, int] | None = None  # (building code, floor); inherited from the parent when None
    offsite: bool = False  # works away from the government's buildings (teachers at schools): no site
    small: bool = True  # part of the small scale (when its parent is)
    vacant_head: bool = False  # the head post is vacant (a Plt acts for it)


@dataclass(frozen=True)
class BuildingSpec:
    code: str
    name: str
    address: str
    latitude: float
    longitude: float
    floors: int
    #: extra rooms: floor number → (name, capacity)
    rooms: dict[int, tuple[tuple[str, int], ...]] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------------
# Posts

DEGREES_TECH = ("S.T.", "S.T.", "A.Md.", "S.Kom.", "")
DEGREES_HEALTH = ("S.Kep.", "A.Md.Kep.", "S.K.M.", "A.Md.Keb.", "")

GENERIC_POSTS: tuple[Post, ...] = (
    Post("Pengadministrasi Umum", PELAKSANA, 4.0, degrees=("", "", "A.Md.", "S.Sos.")),
    Post("Pengelola Keuangan", PELAKSANA, 1.5, female_share=0.6, degrees=("S.E.", "S.Ak.", "A.Md.")),
    Post("Pengolah Data", PELAKSANA, 1.5),
    Post("Analis Kebijakan Ahli Muda", FUNGSIONAL, 1.0, degrees=("S.Sos., M.Si.", "S.IP.", "S.H.", "S.E., M.M.")),
    Post("Perencana Ahli Pertama", FUNGSIONAL, 0.5, degrees=("S.E.", "S.T.", "S.P.")),
    Post("Arsiparis Terampil", FUNGSIONAL, 0.4, degrees=("A.Md.", "")),
    Post("Pranata Komputer Ahli Pertama", FUNGSIONAL, 0.4, ("it_support",), 0.3, degrees=("S.Kom.", "S.T.")),
    Post("Pengemudi", PELAKSANA, 0.5, ("driver",), 0.0, degrees=("",)),
)


def posts(*items: tuple[str, str, float] | Post) -> tuple[Post, ...]:
    """Shorthand: ``(name, kind, weight)`` tuples or full ``Post`` objects."""
    return tuple(item if isinstance(item, Post) else Post(*item) for item in items)


#: The back-office post of a front-desk unit, whose pool has no other generic posts.
CLERK = Post("Pengadministrasi Umum", PELAKSANA, 1.0, degrees=("", "", "A.Md.", "S.Sos."))
FRONT_DPMPTSP = Post("Petugas Pelayanan Perizinan", PELAKSANA, 4.0, ("front_office",), 0.6)
FRONT_DUKCAPIL = Post("Petugas Pelayanan Administrasi Kependudukan", PELAKSANA, 4.0, ("front_office",), 0.6)
FRONT_KECAMATAN = Post("Petugas Pelayanan PATEN", PELAKSANA, 2.0, ("front_office",), 0.6)
FRONT_KELURAHAN = Post("Petugas Pelayanan Kelurahan", PELAKSANA, 2.0, ("front_office",), 0.6)
EPIDEMIOLOG = Post("Epidemiolog Kesehatan Ahli Muda", FUNGSIONAL, 2.0, (), 0.6, degrees=("S.K.M., M.Epid.", "S.K.M."))
ANALIS_SDM = Post("Analis Sumber Daya Manusia Aparatur Ahli Muda", FUNGSIONAL, 3.0, degrees=("S.Psi.", "S.Sos."))
PENATA_PERIZINAN = Post("Penata Perizinan Ahli Muda", FUNGSIONAL, 2.0, ("verifier",), degrees=("S.T.", "S.H."))

DOCTOR = Post("Dokter Ahli Madya", FUNGSIONAL, 1.5, (), 0.55, 0.1, ("",), prefix="dr.")
SPECIALIST = Post(
    "Dokter Spesialis Ahli Madya", FUNGSIONAL, 0.8, (), 0.4, 0.0, ("Sp.PD.", "Sp.A.", "Sp.OG.", "Sp.P."), "dr."
)
NURSE = Post("Perawat Ahli Pertama", FUNGSIONAL, 5.0, (), 0.75, 0.25, DEGREES_HEALTH)
NURSE_SKILLED = Post("Perawat Terampil", FUNGSIONAL, 4.0, (), 0.75, 0.25, ("A.Md.Kep.",))
MIDWIFE = Post("Bidan Terampil", FUNGSIONAL, 2.0, (), 1.0, 0.25, ("A.Md.Keb.",))
PHARMACIST = Post("Apoteker Ahli Pertama", FUNGSIONAL, 0.6, (), 0.7, 0.1, ("S.Farm., Apt.",))
LAB = Post("Pranata Laboratorium Kesehatan Terampil", FUNGSIONAL, 0.8, (), 0.6, 0.1, ("A.Md.AK.",))
REGISTRATION = Post("Petugas Pendaftaran Pasien", PELAKSANA, 1.2, ("front_office",), 0.6)
AMBULANCE = Post("Pengemudi Ambulans", PELAKSANA, 0.5, ("driver",), 0.0, degrees=("",))
SANITARIAN = Post("Sanitarian Terampil", FUNGSIONAL, 0.6, (), 0.5, 0.1, ("A.Md.KL.",))
NUTRITIONIST = Post("Nutrisionis Terampil", FUNGSIONAL, 0.5, (), 0.8, 0.1, ("A.Md.Gz.",))

PUSKESMAS_POSTS = (REGISTRATION, DOCTOR, NURSE, NURSE_SKILLED, MIDWIFE, SANITARIAN, NUTRITIONIST, LAB, AMBULANCE)
TEACHER_POSTS = (
    Post("Guru Ahli Pertama", FUNGSIONAL, 3.0, (), 0.65, 0.35, ("S.Pd.",)),
    Post("Guru Ahli Muda", FUNGSIONAL, 4.0, (), 0.65, 0.05, ("S.Pd.", "S.Pd.SD.")),
    Post("Guru Ahli Madya", FUNGSIONAL, 3.0, (), 0.6, 0.0, ("S.Pd.", "S.Pd., M.Pd.")),
    Post("Pengadministrasi Sekolah", PELAKSANA, 0.5, (), 0.5, 0.0, ("", "A.Md.")),
    Post("Penjaga Sekolah", PELAKSANA, 0.3, (), 0.0, 0.0, ("",)),
)

# ---------------------------------------------------------------------------------------------------
# Kecamatan: (name, NIK sub-district code, latitude, longitude)

KECAMATAN_LIST: tuple[tuple[str, str, float, float], ...] = (
    ("Weru", "01", -7.7906, 110.7522),
    ("Bulu", "02", -7.8001, 110.8612),
    ("Tawangsari", "03", -7.7445, 110.7953),
    ("Sukoharjo", "04", -7.6816, 110.8419),
    ("Nguter", "05", -7.7352, 110.8746),
    ("Bendosari", "06", -7.6751, 110.8803),
    ("Polokarto", "07", -7.6248, 110.9051),
    ("Mojolaban", "08", -7.5903, 110.8702),
    ("Grogol", "09", -7.6002, 110.8107),
    ("Baki", "10", -7.6153, 110.7751),
    ("Gatak", "11", -7.5851, 110.7352),
    ("Kartasura", "12", -7.5553, 110.7451),
)
#: Kelurahan (urban villages) modelled under some Kecamatan; the first of Sukoharjo is in the small scale.
KELURAHAN_LIST: dict[str, tuple[str, ...]] = {
    "Sukoharjo": ("Jetis", "Joho", "Gayam", "Sonorejo"),
    "Kartasura": ("Kartasura", "Ngadirejo", "Pucangan"),
}
#: Kecamatan whose Camat post is vacant (a Plt acts for it).
VACANT_CAMAT = "Bulu"


def slug(name: str) -> str:
    return name.lower().replace(" ", "-")


def kecamatan_spec(name: str) -> UnitSpec:
    key = name.upper()
    site = f"kec-{slug(name)}"
    kelurahan = tuple(
        UnitSpec(
            f"KEL-{k.upper()}",
            f"Kelurahan {k}",
            KELURAHAN,
            head=f"Lurah {k}",
            deputies=(("Sekretaris Kelurahan", PENGAWAS),),
            posts=(FRONT_KELURAHAN,),
            site=(f"kel-{slug(k)}", 1),
            small=(name, i) == ("Sukoharjo", 0),
        )
        for i, k in enumerate(KELURAHAN_LIST.get(name, ()))
    )
    return UnitSpec(
        f"KEC-{key}",
        f"Kecamatan {name}",
        KECAMATAN,
        head=f"Camat {name}",
        deputies=(("Sekretaris Camat", ADMINISTRATOR),),
        public_service=True,
        site=(site, 2),
        small=name == "Sukoharjo",
        vacant_head=name == VACANT_CAMAT,
        children=(
            UnitSpec("UMPEG", "Sub Bagian Umum dan Kepegawaian", SUB_BAGIAN, staff=4),
            UnitSpec("PK", "Sub Bagian Perencanaan dan Keuangan", SUB_BAGIAN, staff=3, small=False),
            UnitSpec("PEM", "Seksi Pemerintahan", SEKSI, staff=3, small=False),
            UnitSpec("TRANTIB", "Seksi Ketentraman dan Ketertiban Umum", SEKSI, staff=3, small=False),
            UnitSpec("PMD", "Seksi Pemberdayaan Masyarakat dan Desa", SEKSI, staff=3, small=False),
            UnitSpec("KESOS", "Seksi Kesejahteraan Sosial", SEKSI, staff=3, small=False),
            UnitSpec(
                "YAN",
                "Seksi Pelayanan Umum",
                SEKSI,
                staff=5,
                posts=(FRONT_KECAMATAN, CLERK),
                generic=False,
                site=(site, 1),
            ),
            *kelurahan,
        ),
    )


def dinas(
    code: str,
    name: str,
    bidang: tuple[UnitSpec | str, ...],
    *,
    kind: str = DINAS,
    head: str = "",
    deputy: str = "",
    staff: int | None = None,
    extra: tuple[Post, ...] = (),
    site: tuple[str, int] | None = None,
    public_service: bool = False,
    essential: bool = False,
    small: bool = False,
    uptd: tuple[UnitSpec, ...] = (),
) -> UnitSpec:
    """A Dinas or Badan with its secretariat's sub-sections and its divisions (bidang)."""
    deputy = deputy or ("Sekretaris Dinas" if kind == DINAS else "Sekretaris Badan")
    subbag = (
        UnitSpec("UMPEG", "Sub Bagian Umum dan Kepegawaian", SUB_BAGIAN),
        UnitSpec("KEU", "Sub Bagian Keuangan", SUB_BAGIAN, small=False),
        UnitSpec("PROG", "Sub Bagian Perencanaan dan Evaluasi", SUB_BAGIAN, staff=3, small=False),
    )
    units = tuple(
        b if isinstance(b, UnitSpec) else UnitSpec(f"B{i}", f"Bidang {b}", BIDANG, small=False)
        for i, b in enumerate(bidang, start=1)
    )
    if site is None:
        # An office of its own: the head and the secretariat downstairs, the bidang upstairs.
        units = tuple(replace(b, site=(f"kantor-{slug(code)}", 2)) if b.site is None else b for b in units)
    return UnitSpec(
        code,
        name,
        kind,
        head=head,
        level=JPT_PRATAMA,
        deputies=((deputy, ADMINISTRATOR),),
        staff=staff,
        posts=extra,
        public_service=public_service,
        essential=essential,
        site=site or (f"kantor-{slug(code)}", 1),
        small=small,
        children=(*subbag, *units, *uptd),
    )


# ---------------------------------------------------------------------------------------------------
# The OPDs (≈ 40): Sekretariat Daerah, Sekretariat DPRD, Inspektorat, 19 Dinas, 6 Badan, 12 Kecamatan.

MW = "menara-wijaya"


def setda() -> UnitSpec:
    bagian = (
        ("TAPEM", "Tata Pemerintahan", ("Otonomi Daerah", "Pemerintahan Umum", "Kerja Sama"), ("kantor-bupati", 2)),
        ("HUKUM", "Hukum", ("Perundang-undangan", "Bantuan Hukum", "Dokumentasi dan Informasi Hukum"), None),
        ("KESRA", "Kesejahteraan Rakyat", ("Bina Mental dan Spiritual", "Kesejahteraan Sosial"), None),
        ("EKON", "Perekonomian dan Sumber Daya Alam", ("Perekonomian", "Sumber Daya Alam"), ("kantor-bupati", 3)),
        ("ADPEM", "Administrasi Pembangunan", ("Program", "Pengendalian Pembangunan"), ("kantor-bupati", 3)),
        (
            "PBJ",
            "Pengadaan Barang dan Jasa",
            ("Pengelolaan Pengadaan", "Layanan Pengadaan Secara Elektronik"),
            (MW, 10),
        ),
        ("ORG", "Organisasi", ("Kelembagaan dan Analisis Jabatan", "Reformasi Birokrasi dan Tata Laksana"), (MW, 10)),
        ("UMUM", "Umum", ("Tata Usaha Pimpinan", "Rumah Tangga", "Keuangan"), ("kantor-bupati", 1)),
        ("PROKOMPIM", "Protokol dan Komunikasi Pimpinan", ("Protokol", "Komunikasi Pimpinan"), ("kantor-bupati", 1)),
    )
    return UnitSpec(
        "SETDA",
        "Sekretariat Daerah",
        SETDA,
        head="Sekretaris Daerah",
        level=JPT_MADYA,
        deputies=(
            ("Asisten Pemerintahan dan Kesejahteraan Rakyat", JPT_PRATAMA),
            ("Asisten Perekonomian dan Pembangunan", JPT_PRATAMA),
            ("Asisten Administrasi Umum", JPT_PRATAMA),
        ),
        staff=12,
        posts=(
            Post("Perancang Peraturan Perundang-undangan Ahli Muda", FUNGSIONAL, 0.6, degrees=("S.H.", "S.H., M.H.")),
            Post("Pengelola Pengadaan Barang/Jasa Ahli Pertama", FUNGSIONAL, 0.6, ("verifier",)),
            Post("Pranata Hubungan Masyarakat Ahli Pertama", FUNGSIONAL, 0.5, degrees=("S.I.Kom.", "S.Sos.")),
        ),
        site=("kantor-bupati", 2),
        small=False,
        children=tuple(
            UnitSpec(
                code,
                f"Bagian {name}",
                BAGIAN,
                site=site,
                children=tuple(
                    UnitSpec(f"SB{i}", f"Sub Bagian {sub}", SUB_BAGIAN) for i, sub in enumerate(subs, start=1)
                ),
            )
            for code, name, subs, site in bagian
        ),
    )


def setwan() -> UnitSpec:
    bagian = (
        ("UMKEU", "Umum dan Keuangan", ("Tata Usaha dan Kepegawaian", "Keuangan")),
        ("SIDANG", "Persidangan dan Perundang-undangan", ("Persidangan", "Perundang-undangan")),
        ("FASIL", "Fasilitasi Penganggaran dan Pengawasan", ("Penganggaran", "Pengawasan")),
    )
    return UnitSpec(
        "SETWAN",
        "Sekretariat DPRD",
        SETWAN,
        head="Sekretaris DPRD",
        level=JPT_PRATAMA,
        site=("gedung-dprd", 1),
        small=False,
        children=tuple(
            UnitSpec(
                code,
                f"Bagian {name}",
                BAGIAN,
                site=("gedung-dprd", 2) if i > 1 else None,
                children=tuple(UnitSpec(f"SB{j}", f"Sub Bagian {s}", SUB_BAGIAN) for j, s in enumerate(subs, 1)),
            )
            for i, (code, name, subs) in enumerate(bagian, start=1)
        ),
    )


def inspektorat() -> UnitSpec:
    auditors = (
        Post("Auditor Ahli Pertama", FUNGSIONAL, 2.0, degrees=("S.E.", "S.Ak.")),
        Post("Auditor Ahli Muda", FUNGSIONAL, 2.0, degrees=("S.E., M.Ak.", "S.Ak.")),
        Post("Pengawas Penyelenggaraan Urusan Pemerintahan di Daerah Ahli Muda", FUNGSIONAL, 1.5),
    )
    return UnitSpec(
        "INSPEKTORAT",
        "Inspektorat Daerah",
        INSPEKTORAT,
        head="Inspektur Daerah",
        level=JPT_PRATAMA,
        deputies=(("Sekretaris Inspektorat", ADMINISTRATOR),),
        posts=auditors,
        site=(MW, 7),
        small=True,
        children=(
            UnitSpec("UMPEG", "Sub Bagian Umum dan Kepegawaian", SUB_BAGIAN),
            UnitSpec("PROG", "Sub Bagian Perencanaan dan Pelaporan", SUB_BAGIAN, small=False),
            *(
                UnitSpec(
                    f"IRBAN{n}",
                    f"Inspektorat Pembantu Wilayah {roman}",
                    BIDANG,
                    head=f"Inspektur Pembantu Wilayah {roman}",
                    staff=10,
                    small=n == 1,
                )
                for n, roman in enumerate(("I", "II", "III", "IV"), start=1)
            ),
        ),
    )


def dinkes() -> UnitSpec:
    puskesmas = tuple(
        UnitSpec(
            f"PKM-{name.upper()}",
            f"UPTD Puskesmas {name}",
            UPTD,
            head=f"Kepala UPTD Puskesmas {name}",
            staff=48,
            posts=PUSKESMAS_POSTS,
            generic=False,
            public_service=True,
            site=(f"pkm-{slug(name)}", 1),
            small=name == "Sukoharjo",
        )
        for name, *_ in KECAMATAN_LIST
    )
    rsud = UnitSpec(
        "RSUD",
        "RSUD Ir. Soekarno",
        UPTD,
        head="Direktur RSUD Ir. Soekarno",
        level=JPT_PRATAMA,
        deputies=(("Wakil Direktur Pelayanan", ADMINISTRATOR), ("Wakil Direktur Umum dan Keuangan", ADMINISTRATOR)),
        staff=150,
        posts=(REGISTRATION, DOCTOR, NURSE, NURSE_SKILLED, AMBULANCE, CLERK),
        generic=False,
        public_service=True,
        site=("rsud", 1),
        small=False,
        # The wards and services are staffed through the Seksi, one floor each.
        children=(
            UnitSpec(
                "YANMED",
                "Seksi Pelayanan Medik",
                SEKSI,
                staff=140,
                posts=(SPECIALIST, DOCTOR, NURSE, NURSE_SKILLED, MIDWIFE),
                generic=False,
                site=("rsud", 2),
            ),
            UnitSpec(
                "KEP",
                "Seksi Keperawatan",
                SEKSI,
                staff=240,
                posts=(NURSE, NURSE_SKILLED, MIDWIFE, CLERK),
                generic=False,
                site=("rsud", 3),
            ),
            UnitSpec(
                "PENUNJANG",
                "Seksi Penunjang Medik",
                SEKSI,
                staff=70,
                posts=(
                    LAB,
                    PHARMACIST,
                    NUTRITIONIST,
                    Post("Radiografer Terampil", FUNGSIONAL, 0.6, (), 0.5, 0.1, ("A.Md.Rad.",)),
                    CLERK,
                ),
                generic=False,
                site=("rsud", 4),
            ),
        ),
    )
    return dinas(
        "DINKES",
        "Dinas Kesehatan",
        (
            UnitSpec("KESMAS", "Bidang Kesehatan Masyarakat", BIDANG, small=False),
            UnitSpec(
                "P2P",
                "Bidang Pencegahan dan Pengendalian Penyakit",
                BIDANG,
                staff=12,
                posts=(EPIDEMIOLOG, SANITARIAN, Post("Entomolog Kesehatan Ahli Pertama", FUNGSIONAL, 0.5)),
            ),
            UnitSpec("YANKES", "Bidang Pelayanan dan Sumber Daya Kesehatan", BIDANG, small=False),
        ),
        extra=(Post("Administrator Kesehatan Ahli Muda", FUNGSIONAL, 1.0, degrees=("S.K.M.", "S.K.M., M.Kes.")),),
        essential=True,
        small=True,
        staff=10,
        uptd=(rsud, *puskesmas),
    )


def disdikbud() -> UnitSpec:
    uptd = tuple(
        UnitSpec(
            f"UPTD-{name.upper()}",
            f"UPTD Pendidikan Kecamatan {name}",
            UPTD,
            head=f"Kepala UPTD Pendidikan Kecamatan {name}",
            staff=250,
            posts=TEACHER_POSTS,
            generic=False,
            offsite=True,
            small=False,
        )
        for name, *_ in KECAMATAN_LIST
    )
    return dinas(
        "DISDIKBUD",
        "Dinas Pendidikan dan Kebudayaan",
        (
            "Pembinaan Sekolah Dasar",
            "Pembinaan Sekolah Menengah Pertama",
            "PAUD dan Pendidikan Nonformal",
            "Kebudayaan",
        ),
        extra=(Post("Pengawas Sekolah Ahli Madya", FUNGSIONAL, 1.5, degrees=("S.Pd., M.Pd.",)),),
        staff=10,
        uptd=uptd,
    )


def dpmptsp() -> UnitSpec:
    return dinas(
        "DPMPTSP",
        "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
        (
            UnitSpec(
                "YAN",
                "Bidang Pelayanan Perizinan",
                BIDANG,
                staff=18,
                posts=(FRONT_DPMPTSP, Post("Verifikator Berkas Perizinan", PELAKSANA, 2.0, ("verifier",)), CLERK),
                generic=False,
                site=("mpp", 1),
            ),
            UnitSpec("IZIN", "Bidang Perizinan dan Nonperizinan", BIDANG, staff=12, posts=(PENATA_PERIZINAN,)),
            UnitSpec("PM", "Bidang Penanaman Modal", BIDANG, staff=6, small=False),
            UnitSpec("DUAN", "Bidang Pengaduan, Kebijakan dan Pelaporan Layanan", BIDANG, staff=5, small=False),
        ),
        head="Kepala Dinas Penanaman Modal dan PTSP",
        site=(MW, 2),
        public_service=True,
        small=True,
        extra=(PENATA_PERIZINAN,),
    )


def disdukcapil() -> UnitSpec:
    site = "kantor-disdukcapil"
    return dinas(
        "DISDUKCAPIL",
        "Dinas Kependudukan dan Pencatatan Sipil",
        (
            UnitSpec(
                "DAFDUK",
                "Bidang Pelayanan Pendaftaran Penduduk",
                BIDANG,
                staff=22,
                posts=(
                    FRONT_DUKCAPIL,
                    Post("Operator Perekaman KTP-el", PELAKSANA, 2.0, ("front_office",)),
                    Post("Pengantar Dokumen Kependudukan", PELAKSANA, 1.0, ("driver",), 0.2, degrees=("",)),
                    CLERK,
                ),
                generic=False,
                site=(site, 1),
            ),
            UnitSpec(
                "CAPIL",
                "Bidang Pelayanan Pencatatan Sipil",
                BIDANG,
                staff=16,
                posts=(FRONT_DUKCAPIL, Post("Verifikator Data Kependudukan", PELAKSANA, 2.0, ("verifier",)), CLERK),
                generic=False,
                site=(site, 1),
            ),
            UnitSpec(
                "PIAK",
                "Bidang Pengelolaan Informasi Administrasi Kependudukan",
                BIDANG,
                staff=10,
                posts=(Post("Administrator Database Kependudukan Ahli Pertama", FUNGSIONAL, 2.0, ("it_support",)),),
                small=False,
            ),
            UnitSpec("PDIP", "Bidang Pemanfaatan Data dan Inovasi Pelayanan", BIDANG, staff=5, small=False),
        ),
        site=(site, 2),
        public_service=True,
        small=True,
    )


def bkpsdm() -> UnitSpec:
    return dinas(
        "BKPSDM",
        "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
        (
            UnitSpec(
                "PPI",
                "Bidang Pengadaan, Pemberhentian dan Informasi",
                BIDANG,
                staff=9,
                posts=(ANALIS_SDM, Post("Pengelola Data Kepegawaian", PELAKSANA, 2.0)),
            ),
            "Mutasi dan Promosi",
            "Pengembangan Kompetensi Aparatur",
            "Penilaian Kinerja Aparatur dan Penghargaan",
        ),
        kind=BADAN,
        site=(MW, 3),
        small=True,
        extra=(ANALIS_SDM,),
    )


def opds() -> tuple[UnitSpec, ...]:
    """Every OPD of the demo regency, in the order of the organisation chart."""
    return (
        setda(),
        setwan(),
        inspektorat(),
        disdikbud(),
        dinkes(),
        dinas(
            "DPUPR",
            "Dinas Pekerjaan Umum dan Penataan Ruang",
            ("Bina Marga", "Sumber Daya Air", "Cipta Karya", "Penataan Ruang"),
            staff=14,
            extra=posts(
                Post("Teknik Jalan dan Jembatan Ahli Pertama", FUNGSIONAL, 3.0, (), 0.2, 0, DEGREES_TECH),
                Post("Teknik Pengairan Ahli Pertama", FUNGSIONAL, 2.0, (), 0.2, 0, DEGREES_TECH),
                Post("Penata Ruang Ahli Muda", FUNGSIONAL, 1.0, (), 0.4, 0, DEGREES_TECH),
            ),
        ),
        dinas(
            "DISPERKIM",
            "Dinas Perumahan dan Kawasan Permukiman",
            ("Perumahan", "Kawasan Permukiman", "Pertanahan"),
            extra=(Post("Teknik Tata Bangunan dan Perumahan Ahli Pertama", FUNGSIONAL, 2.0, (), 0.3, 0, DEGREES_TECH),),
        ),
        dinas(
            "SATPOLPP",
            "Satuan Polisi Pamong Praja",
            (
                "Penegakan Perundang-undangan Daerah",
                "Ketertiban Umum dan Ketentraman Masyarakat",
                "Perlindungan Masyarakat",
                "Pemadam Kebakaran",
            ),
            head="Kepala Satuan Polisi Pamong Praja",
            deputy="Sekretaris Satuan Polisi Pamong Praja",
            staff=40,
            extra=posts(
                Post("Polisi Pamong Praja Terampil", FUNGSIONAL, 6.0, (), 0.2, 0.05, ("", "A.Md.")),
                Post("Polisi Pamong Praja Ahli Pertama", FUNGSIONAL, 2.0, (), 0.25, 0, ("S.H.", "S.Sos.")),
                Post("Petugas Pemadam Kebakaran", PELAKSANA, 3.0, ("driver",), 0.0, 0, ("",)),
            ),
            essential=True,
        ),
        dinas(
            "DINSOS",
            "Dinas Sosial",
            ("Rehabilitasi Sosial", "Perlindungan dan Jaminan Sosial", "Pemberdayaan Sosial"),
            extra=posts(
                ("Pekerja Sosial Ahli Pertama", FUNGSIONAL, 2.0), ("Penyuluh Sosial Ahli Pertama", FUNGSIONAL, 1.0)
            ),
        ),
        dinas(
            "DISNAKERTRANS",
            "Dinas Tenaga Kerja dan Transmigrasi",
            ("Pelatihan dan Penempatan Tenaga Kerja", "Hubungan Industrial dan Transmigrasi"),
            site=(MW, 9),
            extra=posts(
                ("Pengantar Kerja Ahli Pertama", FUNGSIONAL, 2.0), ("Mediator Hubungan Industrial", FUNGSIONAL, 1.0)
            ),
        ),
        dinas(
            "DPPKBP3A",
            "Dinas Pengendalian Penduduk, KB, Pemberdayaan Perempuan dan Perlindungan Anak",
            ("Pengendalian Penduduk", "Keluarga Berencana", "Pemberdayaan Perempuan", "Perlindungan Anak"),
            staff=60,
            extra=(Post("Penyuluh Keluarga Berencana Ahli Pertama", FUNGSIONAL, 6.0, (), 0.7, 0.1),),
        ),
        dinas(
            "DISTANKAN",
            "Dinas Pertanian dan Perikanan",
            ("Tanaman Pangan dan Hortikultura", "Peternakan dan Kesehatan Hewan", "Perikanan", "Ketahanan Pangan"),
            staff=90,
            extra=posts(
                Post("Penyuluh Pertanian Ahli Pertama", FUNGSIONAL, 6.0, (), 0.35, 0.15, ("S.P.", "S.P.", "A.Md.")),
                Post("Medik Veteriner Ahli Pertama", FUNGSIONAL, 0.6, (), 0.5, 0, ("drh.",)),
                Post("Paramedik Veteriner Terampil", FUNGSIONAL, 0.8, (), 0.3, 0, ("A.Md.Pet.",)),
            ),
        ),
        dinas(
            "DLH",
            "Dinas Lingkungan Hidup",
            ("Tata Lingkungan", "Pengelolaan Sampah dan Limbah B3", "Pengendalian Pencemaran dan Kerusakan Lingkungan"),
            staff=45,
            extra=posts(
                ("Pengendali Dampak Lingkungan Ahli Pertama", FUNGSIONAL, 2.0),
                Post("Petugas Kebersihan", PELAKSANA, 4.0, ("driver",), 0.1, 0, ("",)),
            ),
        ),
        disdukcapil(),
        dinas(
            "DISPERMASDES",
            "Dinas Pemberdayaan Masyarakat dan Desa",
            ("Pemerintahan Desa", "Pemberdayaan Masyarakat Desa"),
            extra=(Post("Penggerak Swadaya Masyarakat Ahli Pertama", FUNGSIONAL, 2.0),),
        ),
        dinas(
            "DISHUB",
            "Dinas Perhubungan",
            (
                "Lalu Lintas",
                "Angkutan",
                UnitSpec("UJI", "Bidang Pengujian Kendaraan Bermotor", BIDANG, public_service=True, small=False),
            ),
            staff=20,
            extra=posts(
                Post("Penguji Kendaraan Bermotor Terampil", FUNGSIONAL, 2.0, (), 0.1),
                Post("Petugas Lalu Lintas", PELAKSANA, 4.0, (), 0.15, 0, ("",)),
            ),
            essential=True,
        ),
        dinas(
            "DISKOMINFO",
            "Dinas Komunikasi dan Informatika",
            ("Informasi dan Komunikasi Publik", "Aplikasi Informatika", "Persandian dan Statistik"),
            site=(MW, 8),
            extra=posts(
                Post("Pranata Komputer Ahli Muda", FUNGSIONAL, 3.0, ("it_support",), 0.3, 0, ("S.Kom.", "S.T.")),
                Post("Pranata Hubungan Masyarakat Ahli Pertama", FUNGSIONAL, 1.5, degrees=("S.I.Kom.", "S.Sos.")),
                ("Sandiman Ahli Pertama", FUNGSIONAL, 0.6),
                ("Statistisi Ahli Pertama", FUNGSIONAL, 0.6),
            ),
        ),
        dinas(
            "DISKOPUKM",
            "Dinas Koperasi dan Usaha Kecil Menengah",
            ("Koperasi", "Usaha Kecil Menengah"),
            site=(MW, 9),
            extra=posts(("Pengawas Koperasi Ahli Pertama", FUNGSIONAL, 1.5), ("Penyuluh Koperasi", PELAKSANA, 1.0)),
        ),
        dpmptsp(),
        dinas(
            "DISPORAPAR",
            "Dinas Kepemudaan, Olahraga dan Pariwisata",
            ("Kepemudaan", "Keolahragaan", "Pariwisata"),
            extra=(Post("Adyatama Kepariwisataan dan Ekonomi Kreatif Ahli Pertama", FUNGSIONAL, 1.0),),
        ),
        dinas(
            "DISARPUS",
            "Dinas Kearsipan dan Perpustakaan",
            ("Kearsipan", UnitSpec("PUS", "Bidang Perpustakaan", BIDANG, public_service=True, small=False)),
            extra=posts(
                Post("Pustakawan Ahli Pertama", FUNGSIONAL, 2.0, (), 0.7, 0, ("S.IP.", "A.Md.")),
                Post("Arsiparis Ahli Pertama", FUNGSIONAL, 2.0, (), 0.6, 0, ("S.IP.", "A.Md.")),
            ),
        ),
        dinas(
            "DISDAGPERIN",
            "Dinas Perdagangan dan Perindustrian",
            ("Perdagangan", "Perindustrian", "Pengelolaan Pasar", "Metrologi Legal"),
            extra=posts(
                ("Pengawas Perdagangan Ahli Pertama", FUNGSIONAL, 1.0),
                ("Penera Terampil", FUNGSIONAL, 1.0),
                Post("Pengelola Pasar", PELAKSANA, 3.0, (), 0.4, 0, ("",)),
            ),
        ),
        dinas(
            "BAPPELITBANGDA",
            "Badan Perencanaan Pembangunan, Penelitian dan Pengembangan Daerah",
            (
                "Perencanaan Pemerintahan dan Pembangunan Manusia",
                "Perencanaan Perekonomian dan Infrastruktur",
                "Penelitian dan Pengembangan",
            ),
            kind=BADAN,
            site=(MW, 6),
            extra=posts(("Perencana Ahli Muda", FUNGSIONAL, 4.0), ("Peneliti Ahli Pertama", FUNGSIONAL, 1.0)),
        ),
        dinas(
            "BPKAD",
            "Badan Pengelolaan Keuangan dan Aset Daerah",
            ("Anggaran", "Perbendaharaan", "Akuntansi", "Aset Daerah"),
            kind=BADAN,
            site=(MW, 4),
            staff=12,
            extra=posts(
                Post("Analis Keuangan Pusat dan Daerah Ahli Pertama", FUNGSIONAL, 3.0, (), 0.6, 0, ("S.E.", "S.Ak.")),
                Post("Pengelola Barang Milik Daerah", PELAKSANA, 1.5, (), 0.5),
            ),
        ),
        dinas(
            "BAPENDA",
            "Badan Pendapatan Daerah",
            (
                UnitSpec(
                    "YAN",
                    "Bidang Pelayanan dan Penetapan Pajak Daerah",
                    BIDANG,
                    staff=12,
                    public_service=True,
                    posts=(Post("Petugas Pelayanan Pajak Daerah", PELAKSANA, 3.0, ("front_office",), 0.6), CLERK),
                    generic=False,
                    small=False,
                ),
                "Pajak Bumi dan Bangunan dan BPHTB",
                "Penagihan dan Pengendalian",
            ),
            kind=BADAN,
            site=(MW, 5),
            extra=(Post("Penilai Pajak Daerah", PELAKSANA, 2.0, ("verifier",)),),
        ),
        bkpsdm(),
        dinas(
            "BPBD",
            "Badan Penanggulangan Bencana Daerah",
            ("Pencegahan dan Kesiapsiagaan", "Kedaruratan dan Logistik", "Rehabilitasi dan Rekonstruksi"),
            kind=BADAN,
            head="Kepala Pelaksana BPBD",
            deputy="Sekretaris BPBD",
            essential=True,
            extra=posts(
                Post("Petugas Pusat Pengendalian Operasi", PELAKSANA, 3.0, (), 0.3),
                Post("Petugas Logistik Kebencanaan", PELAKSANA, 1.5, ("driver",), 0.1, 0, ("",)),
                ("Analis Bencana Ahli Pertama", FUNGSIONAL, 1.0),
            ),
        ),
        dinas(
            "KESBANGPOL",
            "Badan Kesatuan Bangsa dan Politik",
            (
                "Ideologi, Wawasan Kebangsaan dan Ketahanan Ekonomi",
                "Politik Dalam Negeri dan Organisasi Kemasyarakatan",
            ),
            kind=BADAN,
            site=(MW, 8),
        ),
        *(kecamatan_spec(name) for name, *_ in KECAMATAN_LIST),
    )


# ---------------------------------------------------------------------------------------------------
# Buildings. Capacities of floors and rooms follow from who sits there (see the generator).

SUDIRMAN = "Jl. Jenderal Sudirman No. 199, Sukoharjo"


def buildings() -> tuple[BuildingSpec, ...]:
    fixed = (
        BuildingSpec(
            MW,
            "Gedung Menara Wijaya",
            SUDIRMAN,
            -7.681840,
            110.841020,
            10,
            rooms={1: (("Lobi dan Ruang Tunggu", 60),), 10: (("Aula Menara Wijaya", 250), ("Ruang Rapat Utama", 40))},
        ),
        BuildingSpec(
            "kantor-bupati",
            "Kompleks Kantor Bupati (Sekretariat Daerah)",
            SUDIRMAN,
            -7.682310,
            110.840450,
            3,
            rooms={2: (("Ruang Rapat Bupati", 30),), 1: (("Pendopo Graha Satya Praja", 300),)},
        ),
        BuildingSpec(
            "gedung-dprd",
            "Gedung DPRD Kabupaten Sukoharjo",
            "Jl. Jenderal Sudirman No. 197, Sukoharjo",
            -7.683050,
            110.839800,
            2,
            rooms={2: (("Ruang Rapat Paripurna", 120),)},
        ),
        BuildingSpec(
            "mpp",
            "Mal Pelayanan Publik Sukoharjo (DPMPTSP)",
            "Jl. Jenderal Sudirman No. 238, Sukoharjo",
            -7.679520,
            110.843210,
            2,
            rooms={1: (("Ruang Pelayanan Terpadu (loket)", 100),)},
        ),
        BuildingSpec(
            "kantor-disdukcapil",
            "Kantor Dinas Kependudukan dan Pencatatan Sipil",
            "Jl. Veteran No. 4, Sukoharjo",
            -7.678960,
            110.845030,
            2,
            rooms={1: (("Ruang Pelayanan Adminduk", 60), ("Ruang Perekaman KTP-el", 12))},
        ),
        BuildingSpec(
            "rsud", "RSUD Ir. Soekarno Sukoharjo", "Jl. Dr. Muwardi No. 71, Sukoharjo", -7.673620, 110.831640, 4
        ),
    )
    kecamatan = tuple(
        BuildingSpec(
            f"kec-{slug(name)}",
            f"Kantor Kecamatan {name}",
            f"Jl. Raya {name}, Kecamatan {name}, Sukoharjo",
            lat,
            lon,
            2,
            rooms={1: (("Ruang Pelayanan PATEN", 30),)},
        )
        for name, _code, lat, lon in KECAMATAN_LIST
    )
    puskesmas = tuple(
        BuildingSpec(
            f"pkm-{slug(name)}",
            f"Puskesmas {name}",
            f"Kecamatan {name}, Sukoharjo",
            round(lat + 0.0021, 6),
            round(lon - 0.0017, 6),
            1,
        )
        for name, _code, lat, lon in KECAMATAN_LIST
    )
    coordinates = {name: (lat, lon) for name, _code, lat, lon in KECAMATAN_LIST}
    kelurahan = tuple(
        BuildingSpec(
            f"kel-{slug(k)}",
            f"Kantor Kelurahan {k}",
            f"Kelurahan {k}, Kecamatan {kec}, Sukoharjo",
            round(coordinates[kec][0] + 0.004 * ((i % 3) - 1), 6),
            round(coordinates[kec][1] + 0.003 * (i + 1), 6),
            1,
        )
        for kec, names in KELURAHAN_LIST.items()
        for i, k in enumerate(names)
    )
    # Dinas and Badan with an office of their own (the others sit in Menara Wijaya).
    own_office = [spec for spec in opds() if spec.site is not None and spec.site[0] == f"kantor-{slug(spec.code)}"]
    streets = (
        "Jl. Jenderal Sudirman",
        "Jl. Veteran",
        "Jl. Slamet Riyadi",
        "Jl. Dr. Muwardi",
        "Jl. Pemuda",
        "Jl. Mayor Sunaryo",
        "Jl. Kyai Mojo",
        "Jl. Diponegoro",
    )
    offices = tuple(
        BuildingSpec(
            f"kantor-{slug(spec.code)}",
            f"Kantor {spec.name}",
            f"{streets[i % len(streets)]} No. {12 + 7 * i}, Sukoharjo",
            round(-7.6760 - 0.0011 * (i % 6), 6),
            round(110.8360 + 0.0013 * (i // 6) + 0.0009 * i, 6),
            2,
        )
        for i, spec in enumerate(s for s in own_office if s.code != "DISDUKCAPIL")
    )
    return (*fixed, *offices, *kecamatan, *kelurahan, *puskesmas)


# ---------------------------------------------------------------------------------------------------
# Names (Javanese and Indonesian), by sex.

# fmt: off
MALE_FIRST = (
    "Agus", "Bambang", "Budi", "Joko", "Slamet", "Sugeng", "Suparno", "Sutrisno", "Wahyu", "Eko", "Heru", "Hadi",
    "Teguh", "Bayu", "Andi", "Arif", "Yusuf", "Rizki", "Fajar", "Adi", "Hendro", "Sigit", "Setyo", "Danang",
    "Guntur", "Imam", "Kukuh", "Mulyono", "Priyo", "Rudi", "Sapto", "Yudi", "Wawan", "Ahmad", "Muhammad", "Dimas",
    "Galih", "Anang", "Bagus", "Catur", "Gatot", "Indra", "Jarot", "Lilik", "Narno", "Dwi", "Tri", "Aris", "Didik",
    "Edy", "Ferry", "Hery", "Ismail", "Kuncoro", "Nanang", "Panji", "Rahmat", "Supriyanto", "Tatag", "Wisnu"
)
FEMALE_FIRST = (
    "Sri", "Siti", "Endang", "Dwi", "Tri", "Rini", "Yuliani", "Nur", "Ani", "Retno", "Dewi", "Ratna", "Eni",
    "Indah", "Puji", "Rina", "Yunia", "Ika", "Dyah", "Diah", "Fitri", "Nurul", "Anik", "Tutik", "Sumarni",
    "Suharti", "Wulan", "Ayu", "Novi", "Kartika", "Mega", "Maya", "Heni", "Erna", "Tatik", "Lina", "Wiwik", "Yeni",
    "Nining", "Atik", "Umi", "Endah", "Prihatin", "Sumiyati", "Titik", "Winarni", "Lusi", "Anis"
)
MALE_LAST = (
    "Santoso", "Prasetyo", "Wibowo", "Nugroho", "Susanto", "Hidayat", "Kurniawan", "Setiawan", "Saputra", "Purnomo",
    "Suryadi", "Wijaya", "Harjono", "Sutrisno", "Gunawan", "Raharjo", "Sulistyo", "Widodo", "Pratama", "Firmansyah",
    "Hartono", "Mulyadi", "Sugiarto", "Utomo", "Haryanto", "Priyanto", "Supriyadi", "Setyawan", "Budiman",
    "Wicaksono", "Hermawan", "Kuncoro", "Sasongko", "Nurcahyo", "Ardiansyah", "Suwarno", "Darmawan"
)
FEMALE_LAST = (
    "Wahyuni", "Lestari", "Rahayu", "Handayani", "Susanti", "Sulistyowati", "Purwaningsih", "Kurniawati", "Astuti",
    "Wulandari", "Setyaningsih", "Rahmawati", "Yuliana", "Ningsih", "Hastuti", "Puspitasari", "Kusumawati",
    "Pratiwi", "Maharani", "Anggraini", "Utami", "Safitri", "Permatasari", "Novitasari", "Indriyani", "Widayati",
    "Suryani", "Mulyani", "Haryati", "Sriyanti"
)
#: A middle name now and then: "Dwi Agus Santoso", "Sri Endah Lestari".
MALE_MIDDLE = (
    "Agus", "Budi", "Adi", "Eko", "Dwi", "Tri", "Nur", "Ari", "Wahyu", "Setya"
)
FEMALE_MIDDLE = (
    "Dwi", "Tri", "Nur", "Endah", "Sri", "Ayu", "Dewi", "Puji", "Wahyu", "Setya"
)
STRUCTURAL_DEGREES = (
    "S.Sos., M.Si.", "S.H., M.H.", "S.E., M.M.", "S.T., M.T.", "S.IP., M.Si.", "S.Pd., M.Pd.", "S.K.M., M.Kes.",
    "S.E., M.Si.", "S.Sos., M.M."
)
#: Mobile number prefixes of Indonesian operators (after the leading 0).
PHONE_PREFIXES = (
    "812", "813", "821", "822", "823", "852", "853", "856", "857", "858", "877", "878", "881", "882", "895", "896",
    "897", "898"
)
# fmt: on
