"""The working calendar: weekends, national holidays and cuti bersama, a government's own overrides."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from siaga.core.calendar import WorkingCalendar, add_working_days, national_holidays, working_days
from siaga.core.models import AuditEvent, CalendarOverride, Government
from siaga.core.services import calendar_override_delete, calendar_override_set

D = dt.date


@pytest.fixture
def six_day_government(db):
    return Government.objects.create(code="33.12", name="Kabupaten Wonogiri", kind="kabupaten", workweek="mon-sat")


def test_national_holidays_of_2026_include_christmas_and_its_cuti_bersama():
    days = national_holidays(2026)
    assert days[D(2026, 12, 24)] == "Cuti Bersama Hari Raya Natal"
    assert days[D(2026, 12, 25)] == "Hari Raya Natal"
    assert days[D(2026, 3, 20)] == "Cuti Bersama Hari Raya Idul Fitri"
    assert days[D(2026, 3, 21)] == "Hari Raya Idul Fitri"
    assert days[D(2026, 8, 17)] == "Hari Kemerdekaan Republik Indonesia"
    assert len(days) == 25


def test_the_cached_national_holidays_cannot_be_changed_by_a_caller():
    with pytest.raises(TypeError):
        national_holidays(2026)[D(2026, 7, 1)] = "Hari Bhayangkara"  # type: ignore[index]


def test_weekends_holidays_and_cuti_bersama_are_not_working_days_in_a_five_day_week(government):
    calendar = WorkingCalendar(government, D(2026, 12, 21), D(2026, 12, 31))
    assert [calendar.is_working_day(D(2026, 12, day)) for day in range(21, 32)] == [
        True,  # Mon 21
        True,  # Tue 22
        True,  # Wed 23
        False,  # Thu 24: cuti bersama Natal
        False,  # Fri 25: Natal
        False,  # Sat 26
        False,  # Sun 27
        True,  # Mon 28
        True,  # Tue 29
        True,  # Wed 30
        True,  # Thu 31
    ]
    assert calendar.holiday_name(D(2026, 12, 24)) == "Cuti Bersama Hari Raya Natal"
    assert calendar.holiday_name(D(2026, 12, 26)) is None


def test_saturday_is_a_working_day_for_a_government_with_a_six_day_week(six_day_government):
    calendar = WorkingCalendar(six_day_government, D(2026, 12, 1), D(2026, 12, 31))
    assert calendar.is_working_day(D(2026, 12, 26)) is True
    assert calendar.is_working_day(D(2026, 12, 27)) is False
    assert calendar.is_working_day(D(2026, 3, 21)) is False  # Idul Fitri falls on a Saturday


def test_2026_has_240_working_days_in_a_five_day_week_and_291_in_a_six_day_week(government, six_day_government):
    assert len(list(working_days(government, D(2026, 1, 1), D(2026, 12, 31)))) == 240
    assert len(list(working_days(six_day_government, D(2026, 1, 1), D(2026, 12, 31)))) == 291


def test_working_days_across_the_new_year_skip_christmas_new_year_and_isra_mikraj(government):
    assert list(working_days(government, D(2026, 12, 21), D(2027, 1, 8))) == [
        D(2026, 12, 21),
        D(2026, 12, 22),
        D(2026, 12, 23),
        D(2026, 12, 28),
        D(2026, 12, 29),
        D(2026, 12, 30),
        D(2026, 12, 31),
        D(2027, 1, 4),
        D(2027, 1, 6),
        D(2027, 1, 7),
        D(2027, 1, 8),
    ]


def test_working_days_of_an_empty_range_are_none(government):
    assert list(working_days(government, D(2026, 5, 2), D(2026, 5, 1))) == []


def test_add_working_days_jumps_over_christmas_and_the_weekend(government):
    assert add_working_days(government, D(2026, 12, 23), 1) == D(2026, 12, 28)
    assert add_working_days(government, D(2026, 12, 23), 4) == D(2026, 12, 31)


def test_add_working_days_crosses_into_the_next_year_over_new_year(government):
    assert add_working_days(government, D(2026, 12, 23), 5) == D(2027, 1, 4)
    assert add_working_days(government, D(2026, 12, 23), 6) == D(2027, 1, 6)  # 5 January is Isra Mikraj


def test_add_working_days_from_the_last_day_of_2025_counts_the_whole_of_2026(government):
    assert add_working_days(government, D(2025, 12, 31), 240) == D(2026, 12, 31)
    assert add_working_days(government, D(2025, 12, 31), 241) == D(2027, 1, 4)


def test_add_working_days_over_idul_fitri_skips_nyepi_and_the_joint_holidays(government):
    # 18 Mar cuti Nyepi, 19 Nyepi, 20 cuti Idul Fitri, 21-22 Idul Fitri (weekend), 23-24 cuti Idul Fitri
    assert add_working_days(government, D(2026, 3, 17), 1) == D(2026, 3, 25)


def test_add_working_days_lands_on_saturday_in_a_six_day_week(six_day_government):
    assert add_working_days(six_day_government, D(2026, 12, 23), 1) == D(2026, 12, 26)


def test_add_zero_working_days_is_the_start_itself_and_a_negative_count_is_refused(government):
    assert add_working_days(government, D(2026, 12, 25), 0) == D(2026, 12, 25)
    with pytest.raises(ValueError, match=r"^count must be zero or more, not -1\.$"):
        add_working_days(government, D(2026, 12, 25), -1)


def test_an_override_turns_a_cuti_bersama_into_a_working_day(government, org):
    calendar_override_set(
        government=government,
        date=D(2026, 3, 24),
        kind=CalendarOverride.Kind.WORKDAY,
        name="Masuk kerja (penanganan wabah)",
        actor=org["users"]["admin"],
    )
    calendar = WorkingCalendar(government, D(2026, 3, 1), D(2026, 3, 31))
    assert calendar.is_working_day(D(2026, 3, 24)) is True
    assert calendar.holiday_name(D(2026, 3, 24)) is None
    assert add_working_days(government, D(2026, 3, 17), 1) == D(2026, 3, 24)


def test_an_override_adds_a_local_holiday_with_its_name(government, org):
    calendar_override_set(
        government=government,
        date=D(2026, 3, 25),
        kind=CalendarOverride.Kind.HOLIDAY,
        name="Hari Jadi Kabupaten",
        actor=org["users"]["admin"],
    )
    calendar = WorkingCalendar(government, D(2026, 3, 1), D(2026, 3, 31))
    assert calendar.is_working_day(D(2026, 3, 25)) is False
    assert calendar.holiday_name(D(2026, 3, 25)) == "Hari Jadi Kabupaten"
    assert add_working_days(government, D(2026, 3, 17), 1) == D(2026, 3, 26)


def test_an_override_can_make_a_saturday_a_working_day(government, org):
    calendar_override_set(
        government=government,
        date=D(2026, 3, 28),
        kind=CalendarOverride.Kind.WORKDAY,
        name="Hari kerja pengganti",
        actor=org["users"]["admin"],
    )
    assert list(working_days(government, D(2026, 3, 26), D(2026, 3, 29))) == [
        D(2026, 3, 26),
        D(2026, 3, 27),
        D(2026, 3, 28),
    ]


def test_an_override_of_one_government_does_not_change_another(government, other_government, org):
    calendar_override_set(
        government=government, date=D(2026, 3, 25), kind="holiday", name="Hari Jadi", actor=org["users"]["admin"]
    )
    assert WorkingCalendar(other_government, D(2026, 3, 1), D(2026, 3, 31)).is_working_day(D(2026, 3, 25)) is True


def test_a_calendar_asked_about_a_day_outside_its_range_still_sees_overrides(government, org):
    calendar_override_set(
        government=government, date=D(2026, 12, 31), kind="holiday", name="Libur akhir tahun", actor=None
    )
    calendar = WorkingCalendar(government, D(2026, 1, 1), D(2026, 1, 31))
    assert calendar.is_working_day(D(2026, 12, 31)) is False
    assert calendar.holiday_name(D(2026, 12, 31)) == "Libur akhir tahun"
    assert calendar.holiday_name(D(2025, 12, 25)) == "Hari Raya Natal"
    assert calendar.is_working_day(D(2025, 12, 26)) is False  # cuti bersama Natal 2025


def test_a_calendar_range_that_ends_before_it_starts_is_refused(government):
    with pytest.raises(ValueError, match=r"^The calendar range ends \(2026-01-01\) before it starts \(2026-01-02\)\.$"):
        WorkingCalendar(government, D(2026, 1, 2), D(2026, 1, 1))


def test_setting_an_override_twice_updates_it_and_both_writes_are_audited(government, org):
    admin = org["users"]["admin"]
    first = calendar_override_set(government=government, date=D(2026, 3, 25), kind="holiday", name="A", actor=admin)
    second = calendar_override_set(government=government, date=D(2026, 3, 25), kind="workday", name="B", actor=admin)
    assert first.pk == second.pk
    assert CalendarOverride.objects.get(pk=first.pk).kind == "workday"
    events = list(AuditEvent.objects.order_by("id").values_list("action", "object_type", "changes", "actor_label"))
    assert events == [
        ("create", "core.calendaroverride", {"kind": "holiday", "name": "A"}, "bkpsdm"),
        ("update", "core.calendaroverride", {"kind": "workday", "name": "B"}, "bkpsdm"),
    ]


def test_deleting_an_override_restores_the_national_calendar_and_is_audited(government, org):
    admin = org["users"]["admin"]
    override = calendar_override_set(
        government=government, date=D(2026, 12, 24), kind="workday", name="Masuk", actor=admin
    )
    override_id = override.pk
    with translation.override("en"):
        calendar_override_delete(override=override, actor=admin)
    assert WorkingCalendar(government, D(2026, 12, 1), D(2026, 12, 31)).is_working_day(D(2026, 12, 24)) is False
    last = AuditEvent.objects.order_by("-id").first()
    assert (last.action, last.object_id, last.object_repr) == (
        "delete",
        str(override_id),
        "2026-12-24 Working day: Masuk",
    )
