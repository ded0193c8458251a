"""Decision documents: numbering and rendering (reportlab, A4, Bahasa Indonesia).

One template per ``ProductKind``: a permit (Surat Keputusan/Izin), a family card update, a birth
certificate (akta kelahiran) and a KTP-el issuance record. Each page carries the government and the
issuing unit in its header and leaves the lower right corner free for the signature stamp and its
QR code, which the signing engine draws (``siaga.engines.signing``).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from siaga.engines.signing.sign import MONTHS_ID
from siaga.org.models import Unit
from siaga.services.models import Application, IssuedDocument, ProductKind

#: where the engine draws the visible stamp (x1, y1, x2, y2 in points, last page): kept free here
STAMP_BOX = (300, 40, 565, 125)
TOP_OF_STAMP = STAMP_BOX[3] + 12

TITLES: dict[str, str] = {
    ProductKind.PERMIT: "SURAT KEPUTUSAN / IZIN",
    ProductKind.FAMILY_CARD: "SURAT KETERANGAN PEMBARUAN KARTU KELUARGA",
    ProductKind.BIRTH_CERTIFICATE: "KUTIPAN AKTA KELAHIRAN",
    ProductKind.ID_CARD: "BERITA ACARA PENERBITAN KTP-EL",
}
#: the prefix of the document number, by kind
PREFIXES: dict[str, str] = {
    ProductKind.PERMIT: "503",
    ProductKind.FAMILY_CARD: "470",
    ProductKind.BIRTH_CERTIFICATE: "474.1",
    ProductKind.ID_CARD: "471",
}


def date_id(day: dt.date) -> str:
    """A date the Indonesian way: 23 November 2026."""
    return f"{day.day} {MONTHS_ID[day.month - 1]} {day.year}"


def mask_nik(nik: str) -> str:
    """All but the last four digits hidden: ************0001."""
    nik = (nik or "").strip()
    return "*" * max(len(nik) - 4, 0) + nik[-4:]


def mask_name(name: str) -> str:
    """The first letter of each word, the rest hidden: Budi Santoso → B*** S******."""
    return " ".join(word[0] + "*" * (len(word) - 1) for word in (name or "").split())


def next_number(application: Application, year: int) -> str:
    """The next document number of the providing unit in ``year``: 503/0007/DPMPTSP/2026.

    Call inside a transaction: the unit's row is locked so that two signatures at once never take
    the same number (the database's unique constraint would refuse the second anyway)."""
    unit = Unit.objects.select_for_update().get(pk=application.unit_id)
    prefix = PREFIXES.get(application.service.product_kind, "000")
    suffix = f"/{unit.code}/{year}"
    taken = IssuedDocument.objects.filter(
        government_id=application.government_id, application__unit_id=unit.pk, number__endswith=suffix
    ).values_list("number", flat=True)
    highest = 0
    for number in taken:
        parts = number.split("/")
        if len(parts) >= 4 and parts[-3].isdigit():
            highest = max(highest, int(parts[-3]))
    return f"{prefix}/{highest + 1:04d}{suffix}"


@dataclass(frozen=True)
class Content:
    """What a template prints: the title, the rows of particulars and the closing paragraphs."""

    title: str
    opening: str
    rows: list[tuple[str, str]]
    closing: list[str]


def _field_rows(application: Application, skip: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    """The applicant's answers to the service's form, labelled by the form's own names."""
    labels = {f.get("code"): f.get("name") or f.get("code") for f in application.service.fields or []}
    rows = []
    for code, value in (application.data or {}).items():
        if code in skip or value in (None, ""):
            continue
        rows.append((str(labels.get(code) or code.replace("_", " ").capitalize()), str(value)))
    return rows


def _value(application: Application, *codes: str) -> str:
    data = application.data or {}
    for code in codes:
        if data.get(code):
            return str(data[code])
    return "-"


def content(application: Application) -> Content:
    """The text of the document for ``application``, by the service's product kind."""
    service = application.service
    citizen = application.citizen
    kind = service.product_kind
    applicant = [("Nama pemohon", citizen.name), ("NIK", mask_nik(citizen.nik))]
    basis = service.legal_basis or "Peraturan perundang-undangan yang berlaku"
    if kind == ProductKind.BIRTH_CERTIFICATE:
        used = frozenset({"nama_anak", "tempat_lahir", "tanggal_lahir", "nama_ayah", "nama_ibu"})
        rows = [
            ("Nama anak", _value(application, "nama_anak", "nama")),
            ("Tempat lahir", _value(application, "tempat_lahir")),
            ("Tanggal lahir", _value(application, "tanggal_lahir")),
            ("Nama ayah", _value(application, "nama_ayah")),
            ("Nama ibu", _value(application, "nama_ibu")),
            *_field_rows(application, used | {"nama"}),
            ("Pelapor", citizen.name),
        ]
        return Content(
            TITLES[kind],
            "Berdasarkan laporan kelahiran yang diterima, dicatat kelahiran dengan keterangan berikut:",
            rows,
            [f"Dasar hukum: {basis}.", "Kutipan ini diterbitkan secara elektronik dan sah tanpa cap basah."],
        )
    if kind == ProductKind.FAMILY_CARD:
        return Content(
            TITLES[kind],
            "Menerangkan bahwa Kartu Keluarga atas nama pemohon berikut telah diperbarui:",
            [*applicant, *_field_rows(application)],
            [
                f"Dasar hukum: {basis}.",
                "Kartu Keluarga yang baru berlaku sejak tanggal surat ini; yang lama tidak berlaku lagi.",
            ],
        )
    if kind == ProductKind.ID_CARD:
        return Content(
            TITLES[kind],
            "Pada tanggal surat ini telah diterbitkan KTP-el bagi penduduk berikut:",
            [*applicant, *_field_rows(application)],
            [f"Dasar hukum: {basis}.", "KTP-el berlaku seumur hidup selama data kependudukan tidak berubah."],
        )
    return Content(
        TITLES[ProductKind.PERMIT],
        f"Memberikan {service.product or service.name} kepada:",
        [*applicant, *_field_rows(application)],
        [
            f"Dasar hukum: {basis}.",
            "Izin ini berlaku sejak ditetapkan, dengan ketentuan pemegang izin mematuhi peraturan yang berlaku. "
            "Apabila di kemudian hari terdapat kekeliruan, akan diadakan perbaikan sebagaimana mestinya.",
        ],
    )


def _wrap(c: canvas.Canvas, text: str, width: float, font: str = "Helvetica", size: float = 10) -> list[str]:
    lines: list[str] = []
    for paragraph in str(text).splitlines() or [""]:
        words, line = paragraph.split(), ""
        for word in words:
            candidate = f"{line} {word}".strip()
            if c.stringWidth(candidate, font, size) <= width:
                line = candidate
            else:
                if line:
                    lines.append(line)
                line = word
        lines.append(line)
    return lines


def render(application: Application, *, number: str, issued_on: dt.date | None = None) -> bytes:
    """The unsigned PDF of ``application``'s decision document (A4)."""
    issued_on = issued_on or timezone.localdate()
    service = application.service
    body = content(application)
    unit = application.unit
    government = application.government
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, pageCompression=1)
    c.setTitle(f"{body.title} {number}")
    c.setAuthor(unit.name)
    width, height = A4
    left, right = 20 * mm, width - 20 * mm

    def header() -> float:
        c.setFont("Helvetica-Bold", 13)
        c.drawCentredString(width / 2, height - 22 * mm, f"PEMERINTAH {government.name.upper()}")
        c.setFont("Helvetica-Bold", 12)
        c.drawCentredString(width / 2, height - 29 * mm, unit.name.upper())
        c.setLineWidth(1.5)
        c.line(left, height - 33 * mm, right, height - 33 * mm)
        return height - 45 * mm

    y = header()
    c.setFont("Helvetica-Bold", 12)
    c.drawCentredString(width / 2, y, body.title)
    y -= 6 * mm
    c.setFont("Helvetica", 10)
    c.drawCentredString(width / 2, y, f"Nomor: {number}")
    y -= 12 * mm

    def ensure(space: float) -> None:
        nonlocal y
        if y - space < 20 * mm:
            c.showPage()
            y = header()

    for line in _wrap(c, body.opening, right - left):
        ensure(6 * mm)
        c.setFont("Helvetica", 10)
        c.drawString(left, y, line)
        y -= 5 * mm
    y -= 3 * mm
    label_width = 55 * mm
    for label, value in body.rows:
        lines = _wrap(c, value, right - left - label_width - 5 * mm)
        ensure(5 * mm * len(lines) + 2 * mm)
        c.setFont("Helvetica", 10)
        c.drawString(left, y, label)
        c.drawString(left + label_width - 3 * mm, y, ":")
        for line in lines:
            c.drawString(left + label_width, y, line)
            y -= 5 * mm
        y -= 1 * mm
    y -= 4 * mm
    for paragraph in body.closing:
        for line in _wrap(c, paragraph, right - left):
            ensure(6 * mm)
            c.setFont("Helvetica", 10)
            c.drawString(left, y, line)
            y -= 5 * mm
        y -= 2 * mm
    # The place and date, and the signature stamp below them, on the last page.
    if y - 12 * mm < TOP_OF_STAMP:
        c.showPage()
        y = header()
    y -= 4 * mm
    c.setFont("Helvetica", 10)
    c.drawString(STAMP_BOX[0], y, f"Ditetapkan di {government.name}")
    c.drawString(STAMP_BOX[0], y - 5 * mm, f"pada tanggal {date_id(issued_on)}")
    c.setFont("Helvetica", 7)
    c.drawString(left, 28, f"Layanan: {service.name}. Nomor register: {application.receipt_number or '-'}.")
    c.drawString(left, 18, "Keaslian dokumen dapat diperiksa dengan memindai kode QR pada tanda tangan elektronik.")
    c.showPage()
    c.save()
    return buf.getvalue()
