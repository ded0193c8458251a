import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from siaga.org.identifiers import make_nip, parse_nip, validate_nik


def test_it_reads_birth_date_appointment_sex_and_serial_from_a_nip():
    info = parse_nip("198003152005011002")
    assert info.birth_date == dt.date(1980, 3, 15)
    assert (info.appointment_year, info.appointment_month) == (2005, 1)
    assert info.sex == "M"
    assert info.serial == 2
    assert info.age_on(dt.date(2020, 3, 14)) == 39
    assert info.age_on(dt.date(2020, 3, 15)) == 40


def test_it_accepts_spaces_people_type_inside_a_nip():
    assert parse_nip("19800315 200501 1 002").nip == "198003152005011002"


@pytest.mark.parametrize(
    ("nip", "message"),
    [
        ("19800315200501100", "NIP must be 18 digits; 17 digits were entered."),
        ("1980031520050110021", "NIP must be 18 digits; 19 digits were entered."),
        ("19800315200501100A", "NIP must contain digits only; “19800315200501100A” has other characters."),
        ("198002302005011002", "Digits 1–8 of the NIP must be a birth date (YYYYMMDD); 19800230 is not a date."),
        ("198003152005131002", "Digits 13–14 of the NIP must be the month of appointment (01–12); 13 is not a month."),
        ("198003151979011002", "The appointment month in the NIP comes before the birth date."),
        ("198003151995011002", "The appointment (01/1995) is less than 18 years after the birth date in the NIP."),
        ("198003152005013002", "Digit 15 of the NIP must be 1 (male) or 2 (female); it is 3."),
        ("198003152005011000", "The serial number in the NIP (last 3 digits) must start at 001."),
    ],
)
def test_it_rejects_a_bad_nip_and_says_what_to_fix(nip, message):
    with pytest.raises(ValidationError) as excinfo:
        parse_nip(nip)
    assert excinfo.value.messages == [message]


def test_it_skips_the_month_check_for_pppk_numbers():
    # Digits 13–14 of an NI PPPK count contracts, so 21 is fine there but not in a PNS NIP.
    nip = "199005052021212001"
    with pytest.raises(ValidationError):
        parse_nip(nip)
    info = parse_nip(nip, pppk=True)
    assert info.appointment_month is None
    assert info.sex == "F"


def test_make_nip_composes_a_valid_number():
    nip = make_nip(birth=dt.date(1991, 5, 20), appointed=(2019, 3), sex="F", serial=5)
    assert nip == "199105202019032005"
    assert parse_nip(nip).sex == "F"


def test_it_validates_nik_with_the_womans_birth_day_plus_40():
    assert validate_nik("3311015505900001") == "3311015505900001"
    with pytest.raises(ValidationError) as excinfo:
        validate_nik("33110155059000")
    assert excinfo.value.messages == ["NIK must be 16 digits; 14 digits were entered."]
    with pytest.raises(ValidationError) as excinfo:
        validate_nik("3311019905900001")
    assert excinfo.value.messages == [
        "Digits 7–8 of the NIK must be the birth day (01–31, or 41–71 for women); 99 is not."
    ]
    with pytest.raises(ValidationError) as excinfo:
        validate_nik("3311013002900001")  # 30 February
    assert "is not valid" in excinfo.value.messages[0]
