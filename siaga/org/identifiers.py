"""Validation of Indonesian identifiers: NIP (civil servant number) and NIK (population number).

NIP layout (DOMAIN.md §4): ``YYYYMMDD YYYYMM G NNN`` = birth date, month of appointment as CPNS,
sex (1 male, 2 female), serial from 001. NI PPPK has the same length, but digits 13–14 count the
contract instead of giving a month, so the month check is skipped for PPPK.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.id import nik as stdnum_nik

MIN_APPOINTMENT_AGE = 18


@dataclass(frozen=True)
class NipInfo:
    nip: str
    birth_date: dt.date
    appointment_year: int
    appointment_month: int | None
    sex: str  # "M" or "F"
    serial: int

    def age_on(self, day: dt.date) -> int:
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years


def clean_digits(value: str) -> str:
    """Drop the spaces and dots people type inside numbers."""
    return "".join(ch for ch in str(value).strip() if ch not in " .-")


def parse_nip(value: str, *, pppk: bool = False) -> NipInfo:
    """Validate a NIP / NI PPPK and return what it encodes; raise ``ValidationError`` saying what to fix."""
    nip = clean_digits(value)
    if not nip.isdigit():
        raise ValidationError(_("NIP must contain digits only; “%(value)s” has other characters.") % {"value": value})
    if len(nip) != 18:
        raise ValidationError(_("NIP must be 18 digits; %(count)d digits were entered.") % {"count": len(nip)})
    try:
        birth = dt.date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    except ValueError:
        raise ValidationError(
            _("Digits 1–8 of the NIP must be a birth date (YYYYMMDD); %(part)s is not a date.") % {"part": nip[0:8]}
        ) from None
    if birth.year < 1940 or birth > dt.date.today():
        raise ValidationError(_("The birth year in the NIP (%(year)d) is not plausible.") % {"year": birth.year})
    year = int(nip[8:12])
    month_or_count = int(nip[12:14])
    month: int | None = None
    if pppk:
        if year < birth.year + MIN_APPOINTMENT_AGE:
            raise ValidationError(
                _("The appointment year in the NIP (%(year)d) is less than 18 years after the birth year.")
                % {"year": year}
            )
    else:
        if not 1 <= month_or_count <= 12:
            raise ValidationError(
                _("Digits 13–14 of the NIP must be the month of appointment (01–12); %(part)s is not a month.")
                % {"part": nip[12:14]}
            )
        month = month_or_count
        if (year, month) <= (birth.year, birth.month):
            raise ValidationError(_("The appointment month in the NIP comes before the birth date."))
        if (year, month) < (birth.year + MIN_APPOINTMENT_AGE, birth.month):
            raise ValidationError(
                _("The appointment (%(appointed)s) is less than 18 years after the birth date in the NIP.")
                % {"appointed": f"{month:02d}/{year}"}
            )
    if year > dt.date.today().year + 1:
        raise ValidationError(_("The appointment year in the NIP (%(year)d) is in the future.") % {"year": year})
    sex_digit = nip[14]
    if sex_digit not in "12":
        raise ValidationError(
            _("Digit 15 of the NIP must be 1 (male) or 2 (female); it is %(digit)s.") % {"digit": sex_digit}
        )
    serial = int(nip[15:18])
    if serial == 0:
        raise ValidationError(_("The serial number in the NIP (last 3 digits) must start at 001."))
    return NipInfo(
        nip=nip,
        birth_date=birth,
        appointment_year=year,
        appointment_month=month,
        sex="M" if sex_digit == "1" else "F",
        serial=serial,
    )


def validate_nik(value: str) -> str:
    """Validate a NIK with python-stdnum; return its compact form."""
    nik = clean_digits(value)
    if not nik.isdigit():
        raise ValidationError(_("NIK must contain digits only; “%(value)s” has other characters.") % {"value": value})
    if len(nik) != 16:
        raise ValidationError(_("NIK must be 16 digits; %(count)d digits were entered.") % {"count": len(nik)})
    day = int(nik[6:8])
    if not (1 <= day <= 31 or 41 <= day <= 71):
        raise ValidationError(
            _("Digits 7–8 of the NIK must be the birth day (01–31, or 41–71 for women); %(part)s is not.")
            % {"part": nik[6:8]}
        )
    if nik[12:16] == "0000":
        raise ValidationError(_("The serial number in the NIK (last 4 digits) must start at 0001."))
    try:
        return str(stdnum_nik.validate(nik))
    except StdnumError:
        raise ValidationError(
            _("NIK %(nik)s is not valid: check the region code and the birth date (day + 40 for women).") % {"nik": nik}
        ) from None


def make_nip(*, birth: dt.date, appointed: tuple[int, int], sex: str, serial: int) -> str:
    """Compose a NIP from its parts (used by the demo regency and tests); the result is validated."""
    year, month = appointed
    nip = f"{birth:%Y%m%d}{year:04d}{month:02d}{1 if sex == 'M' else 2}{serial:03d}"
    parse_nip(nip)
    return nip
