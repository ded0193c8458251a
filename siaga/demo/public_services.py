"""The demo regency's public services (issue 6 of the seed story): the DPMPTSP and Dispendukcapil
catalogue with their Standar Pelayanan, citizens, and applications in every state."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


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
