"""Both verifiers on the same signed PDFs: pyHanko's validator and poppler's pdfsig. Valid with the
right trust root, untrusted with another root, and a changed byte is detected by both."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from siaga.engines.signing import ca
from siaga.engines.signing.sign import LocalPkcs12Signer, Stamp, sign_pdf
from siaga.engines.signing.tests.conftest import DEPUTY_NIK, HEAD_NIK, PASSPHRASE, make_pdf
from siaga.engines.signing.verify import nss_trust_store, parse_pdfsig, pdfsig_verdict, verify_pdf

URL = "https://siaga.magelangkab.go.id/verifikasi/Zq81"
TEXT = "Izin Usaha Mikro: Warung Sari"


@pytest.fixture(scope="module")
def signed(ca_dir: Path) -> bytes:
    pdf = make_pdf("SURAT KEPUTUSAN", TEXT)
    signer = LocalPkcs12Signer(ca.official_path(ca_dir, HEAD_NIK), PASSPHRASE)
    stamp = Stamp("Agus Prasetyo", "Kepala DPMPTSP", URL)
    return sign_pdf(pdf, signer, reason="Izin", location="Kota Mungkid", stamp=stamp).pdf


@pytest.fixture(scope="module")
def nss_right(root_pem: bytes, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return nss_trust_store(tmp_path_factory.mktemp("nss-right"), [root_pem])


@pytest.fixture(scope="module")
def nss_other(other_root_pem: bytes, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return nss_trust_store(tmp_path_factory.mktemp("nss-other"), [other_root_pem])


def write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    return path


def test_valid_with_the_right_trust_root(signed: bytes, root_pem: bytes, nss_right: Path, tmp_path: Path) -> None:
    verdict = verify_pdf(signed, [root_pem])
    assert verdict.valid and verdict.intact and verdict.trusted and verdict.whole_document
    assert verdict.signer == "Agus Prasetyo"
    poppler = pdfsig_verdict(write(tmp_path, signed), nssdir=nss_right)
    assert poppler.valid, poppler.output
    [sig] = poppler.signatures
    assert sig.signer == "Agus Prasetyo" and sig.whole_document and sig.field == "Signature1"


def test_untrusted_with_another_root(signed: bytes, other_root_pem: bytes, nss_other: Path, tmp_path: Path) -> None:
    verdict = verify_pdf(signed, [other_root_pem])
    assert verdict.intact and not verdict.trusted and not verdict.valid
    poppler = pdfsig_verdict(write(tmp_path, signed), nssdir=nss_other)
    assert poppler.intact and not poppler.trusted and not poppler.valid, poppler.output


def test_a_changed_byte_is_detected_by_both(signed: bytes, root_pem: bytes, nss_right: Path, tmp_path: Path) -> None:
    assert signed.count(TEXT.encode()) == 1
    tampered = signed.replace(TEXT.encode(), TEXT.replace("Sari", "Sarj").encode())
    assert len(tampered) == len(signed) and tampered != signed
    verdict = verify_pdf(tampered, [root_pem])
    assert verdict.signed and not verdict.intact and not verdict.valid
    poppler = pdfsig_verdict(write(tmp_path, tampered), nssdir=nss_right)
    assert poppler.signed and not poppler.intact and not poppler.valid, poppler.output


def test_content_appended_after_signing_is_not_covered(
    signed: bytes, root_pem: bytes, nss_right: Path, tmp_path: Path
) -> None:
    appended = signed + b"\n% added after signing\n"
    verdict = verify_pdf(appended, [root_pem])
    assert verdict.intact and verdict.trusted and not verdict.whole_document and not verdict.valid
    poppler = pdfsig_verdict(write(tmp_path, appended), nssdir=nss_right)
    assert poppler.intact and not poppler.signatures[0].whole_document and not poppler.valid, poppler.output


def test_unsigned_and_unreadable_documents(root_pem: bytes, tmp_path: Path) -> None:
    unsigned = make_pdf("tanpa tanda tangan")
    assert not verify_pdf(unsigned, [root_pem]).signed
    assert verify_pdf(unsigned, [root_pem]).problem == "no signature"
    assert not pdfsig_verdict(write(tmp_path, unsigned)).signed
    garbage = verify_pdf(b"%PDF-1.7 broken", [root_pem])
    assert not garbage.valid and garbage.problem.startswith("unreadable PDF")


def test_parse_pdfsig_reads_every_signature_block() -> None:
    out = """Digital Signature Info of: a.pdf
Signature #1:
  - Signature Field Name: Signature1
  - Signer Certificate Common Name: Agus Prasetyo
  - Signing Time: Nov 22 2026 21:16:08
  - Signed Ranges: [0 - 4224], [11860 - 12447]
  - Signature Validation: Signature is Valid.
  - Certificate Validation: Certificate is Trusted.
Signature #2:
  - Signature Field Name: Signature2
  - Signer Certificate Common Name: Sri Wahyuni
  - Signed Ranges: [0 - 20000], [27000 - 28000]
  - Total document signed
  - Signature Validation: Digest Mismatch.
  - Certificate Validation: Certificate issuer isn't Trusted.
"""
    v = parse_pdfsig(out)
    assert [s.signer for s in v.signatures] == ["Agus Prasetyo", "Sri Wahyuni"]
    assert v.signatures[0].certificate_trusted and not v.signatures[0].whole_document
    assert not v.signatures[1].signature_valid and v.signatures[1].whole_document
    assert not v.intact and not v.valid


def test_content_added_between_two_signatures_invalidates_the_document(ca_dir: Path, root_pem: bytes) -> None:
    first = sign_pdf(
        make_pdf("SURAT KEPUTUSAN", TEXT),
        LocalPkcs12Signer(ca.official_path(ca_dir, HEAD_NIK), PASSPHRASE),
        reason="r",
        location="l",
        stamp=None,
    ).pdf
    # someone adds a link over the decision text in a new revision, then a second official signs
    writer = IncrementalPdfFileWriter(io.BytesIO(first))
    page_ref, _ = writer.find_page_for_modification(0)
    link = generic.DictionaryObject(
        {
            generic.pdf_name("/Type"): generic.pdf_name("/Annot"),
            generic.pdf_name("/Subtype"): generic.pdf_name("/Link"),
            generic.pdf_name("/Rect"): generic.ArrayObject([generic.FloatObject(v) for v in (72, 700, 400, 800)]),
            generic.pdf_name("/A"): generic.DictionaryObject(
                {
                    generic.pdf_name("/S"): generic.pdf_name("/URI"),
                    generic.pdf_name("/URI"): generic.pdf_string("https://evil.example"),
                }
            ),
        }
    )
    writer.register_annotation(page_ref, writer.add_object(link))
    out = io.BytesIO()
    writer.write(out)
    second = sign_pdf(
        out.getvalue(),
        LocalPkcs12Signer(ca.official_path(ca_dir, DEPUTY_NIK), PASSPHRASE),
        reason="r",
        location="l",
        stamp=None,
    ).pdf
    verdict = verify_pdf(second, [root_pem])
    assert verdict.intact and verdict.trusted and verdict.whole_document
    assert verdict.signatures[0].problem and not verdict.signatures[1].problem
    assert not verdict.valid


def test_nss_trust_store_adds_roots_idempotently(
    signed: bytes, root_pem: bytes, other_root_pem: bytes, tmp_path: Path
) -> None:
    nss = nss_trust_store(tmp_path / "nss", [other_root_pem])
    pdf = write(tmp_path, signed)
    assert not pdfsig_verdict(pdf, nssdir=nss).trusted
    nss_trust_store(nss, [root_pem])  # the operator adds the right root later…
    nss_trust_store(nss, [root_pem, other_root_pem])  # …and runs the setup again
    assert pdfsig_verdict(pdf, nssdir=nss).valid
