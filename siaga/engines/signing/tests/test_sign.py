"""Signing with the local PKCS#12 backend: a valid PAdES signature, the visible stamp's text and QR
code, the Plh case, invisible signatures, countersignatures, and clear errors."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest

from siaga.engines.signing import ca
from siaga.engines.signing.errors import BAD_STAMP, NOT_A_PDF, UNKNOWN_NIK, WRONG_PASSPHRASE, SigningError
from siaga.engines.signing.sign import LocalPkcs12Signer, Stamp, sign_pdf
from siaga.engines.signing.tests.conftest import DEPUTY_NIK, HEAD_NIK, PASSPHRASE, make_pdf
from siaga.engines.signing.tests.inspect_pdf import qr_modules, qr_modules_for, stamp_lines, widget_rect
from siaga.engines.signing.verify import verify_pdf

URL = "https://siaga.magelangkab.go.id/verifikasi/Xk3f9QpL2"


def head(ca_dir: Path) -> LocalPkcs12Signer:
    return LocalPkcs12Signer(ca.official_path(ca_dir, HEAD_NIK), PASSPHRASE)


def test_signed_pdf_is_valid_pades_with_hash_signer_and_time(
    ca_dir: Path, root_pem: bytes, decision_pdf: bytes
) -> None:
    stamp = Stamp("Agus Prasetyo", "Kepala DPMPTSP", URL, signed_on=dt.date(2026, 11, 23))
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    signed = sign_pdf(decision_pdf, head(ca_dir), reason="Izin usaha", location="Kota Mungkid", stamp=stamp)
    assert signed.pdf.startswith(decision_pdf)  # an incremental update: the original is untouched
    assert signed.sha256 == hashlib.sha256(signed.pdf).hexdigest()
    verdict = verify_pdf(signed.pdf, [root_pem])
    assert verdict.valid, verdict
    assert verdict.signer == "Agus Prasetyo"
    assert verdict.signatures[0].signer_nik == HEAD_NIK
    assert verdict.signing_time is not None
    assert before - dt.timedelta(seconds=1) <= verdict.signing_time <= dt.datetime.now(dt.UTC)
    assert b"/ETSI.CAdES.detached" in signed.pdf
    assert b"(Izin usaha)" in signed.pdf and b"(Kota Mungkid)" in signed.pdf


def test_visible_stamp_names_signer_position_date_and_draws_the_verification_qr(
    ca_dir: Path, decision_pdf: bytes
) -> None:
    stamp = Stamp("Agus Prasetyo", "Kepala DPMPTSP", URL, signed_on=dt.date(2026, 8, 17), box=(320, 40, 570, 120))
    signed = sign_pdf(decision_pdf, head(ca_dir), reason="r", location="l", stamp=stamp)
    assert stamp_lines(signed.pdf) == [
        "Ditandatangani secara elektronik oleh:",
        "Agus Prasetyo",
        "Kepala DPMPTSP",
        "17 Agustus 2026",
    ]
    assert widget_rect(signed.pdf) == [320, 40, 570, 120]
    assert qr_modules(signed.pdf) == qr_modules_for(URL)
    assert qr_modules(signed.pdf) != qr_modules_for(URL + "x")


def test_two_visible_signatures_on_different_pages_both_stay_valid(ca_dir: Path, root_pem: bytes) -> None:
    pdf = make_pdf("Lampiran", pages=2)
    first = sign_pdf(pdf, head(ca_dir), reason="r", location="l", stamp=Stamp("Agus Prasetyo", "Kepala", URL, page=0))
    deputy = LocalPkcs12Signer(ca.official_path(ca_dir, DEPUTY_NIK), PASSPHRASE)
    second = sign_pdf(first.pdf, deputy, reason="r", location="l", stamp=Stamp("Sri Wahyuni", "Sekretaris", URL + "2"))
    verdict = verify_pdf(second.pdf, [root_pem])
    assert verdict.valid and all(s.intact and s.trusted for s in verdict.signatures), verdict
    assert verdict.signatures[0].problem == ""
    assert qr_modules(second.pdf, 0) == qr_modules_for(URL)
    assert qr_modules(second.pdf, 1) == qr_modules_for(URL + "2")


def test_acting_official_signs_with_plh_before_the_position(ca_dir: Path, root_pem: bytes, decision_pdf: bytes) -> None:
    deputy = LocalPkcs12Signer(ca.official_path(ca_dir, DEPUTY_NIK), PASSPHRASE)
    stamp = Stamp("Sri Wahyuni", "Kepala DPMPTSP", URL, acting="Plh.", signed_on=dt.date(2026, 11, 2))
    signed = sign_pdf(decision_pdf, deputy, reason="r", location="l", stamp=stamp)
    assert stamp_lines(signed.pdf)[1:] == ["Sri Wahyuni", "Plh. Kepala DPMPTSP", "2 November 2026"]
    verdict = verify_pdf(signed.pdf, [root_pem])
    assert verdict.valid and verdict.signer == "Sri Wahyuni"


def test_long_names_and_positions_wrap(ca_dir: Path, decision_pdf: bytes) -> None:
    stamp = Stamp(
        "I Gusti Ayu Putu Sutéja, S.Sos., M.Si.",
        "Kepala Dinas Kependudukan dan Pencatatan Sipil",
        URL,
        acting="Plt.",
        signed_on=dt.date(2026, 1, 5),
    )
    signed = sign_pdf(decision_pdf, head(ca_dir), reason="r", location="l", stamp=stamp)
    assert stamp_lines(signed.pdf)[1:] == [
        "I Gusti Ayu Putu Sutéja, S.Sos., M.Si.",
        "Plt. Kepala Dinas Kependudukan dan",
        "Pencatatan Sipil",
        "5 Januari 2026",
    ]


def test_invisible_signature_and_a_countersignature_both_verify(
    ca_dir: Path, root_pem: bytes, decision_pdf: bytes
) -> None:
    first = sign_pdf(decision_pdf, head(ca_dir), reason="r", location="l", stamp=None)
    assert widget_rect(first.pdf) == [0, 0, 0, 0]
    deputy = LocalPkcs12Signer(ca.official_path(ca_dir, DEPUTY_NIK), PASSPHRASE)
    second = sign_pdf(first.pdf, deputy, reason="r", location="l", stamp=Stamp("Sri Wahyuni", "Sekretaris", URL))
    verdict = verify_pdf(second.pdf, [root_pem])
    assert [s.field for s in verdict.signatures] == ["Signature1", "Signature2"]
    assert [s.signer for s in verdict.signatures] == ["Agus Prasetyo", "Sri Wahyuni"]
    assert verdict.valid
    assert not verdict.signatures[0].whole_document and verdict.signatures[1].whole_document


def test_wrong_passphrase_is_a_clear_error(ca_dir: Path, decision_pdf: bytes) -> None:
    with pytest.raises(SigningError) as err:
        sign_pdf(
            decision_pdf,
            LocalPkcs12Signer(ca.official_path(ca_dir, HEAD_NIK), "salah-salah"),
            reason="r",
            location="l",
            stamp=None,
        )
    assert err.value.msg == WRONG_PASSPHRASE


def test_an_official_without_a_certificate_is_unknown(ca_dir: Path, decision_pdf: bytes) -> None:
    missing = LocalPkcs12Signer(ca.official_path(ca_dir, "3308010101809999"), PASSPHRASE)
    with pytest.raises(SigningError) as err:
        sign_pdf(decision_pdf, missing, reason="r", location="l", stamp=None)
    assert err.value.msg == UNKNOWN_NIK


def test_not_a_pdf_is_refused(ca_dir: Path) -> None:
    with pytest.raises(SigningError) as err:
        sign_pdf(b"PK\x03\x04 a zip file", head(ca_dir), reason="r", location="l", stamp=None)
    assert err.value.msg == NOT_A_PDF


@pytest.mark.parametrize(
    "kwargs",
    [
        {"acting": "Pj."},
        {"verify_url": "javascript:alert(1)"},
        {"signer_name": " "},
        {"box": (0, 0, 100, 30)},
    ],
)
def test_bad_stamps_are_refused(kwargs: dict[str, object]) -> None:
    base: dict[str, object] = {"signer_name": "Agus", "position": "Kepala", "verify_url": URL}
    with pytest.raises(SigningError) as err:
        Stamp(**(base | kwargs))  # type: ignore[arg-type]
    assert err.value.msg == BAD_STAMP
