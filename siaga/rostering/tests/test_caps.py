"""The presets loaded by the data migration reproduce every published percentage."""

import pytest

from siaga.rostering.caps import CapTableError, cap_for, is_java_bali, shift_gaps_ok, validate_cap_rows
from siaga.rostering.models import WorkPolicy

pytestmark = pytest.mark.django_db

ZONE_CAPS = [("no_cases", 1.0), ("low", 0.75), ("medium", 0.5), ("high", 0.25)]

# (sector, java_bali, level, cap): SE MenPAN-RB 23/2021 and 06/2022.
PPKM_CAPS = [
    ("non_essential", True, "1", 1.0),
    ("non_essential", True, "2", 0.75),
    ("non_essential", True, "3", 0.5),
    ("non_essential", True, "4", 0.25),
    ("essential", True, "1", 1.0),
    ("essential", True, "2", 0.75),
    ("essential", True, "3", 0.5),
    ("essential", True, "4", 0.5),
    ("essential", False, "1", 1.0),
    ("essential", False, "2", 1.0),
    ("essential", False, "3", 1.0),
    ("essential", False, "4", 0.5),
    ("critical", True, "1", 1.0),
    ("critical", True, "2", 1.0),
    ("critical", True, "3", 1.0),
    ("critical", True, "4", 1.0),
    ("critical", False, "1", 1.0),
    ("critical", False, "2", 1.0),
    ("critical", False, "3", 1.0),
    ("critical", False, "4", 1.0),
    # Not published separately: the presets apply the Java–Bali figures (documented choice).
    ("non_essential", False, "1", 1.0),
    ("non_essential", False, "2", 0.75),
    ("non_essential", False, "3", 0.5),
    ("non_essential", False, "4", 0.25),
]


def preset(code):
    return WorkPolicy.objects.get(government=None, code=code)


def test_the_migration_loads_six_presets():
    assert list(
        WorkPolicy.objects.filter(government=None).order_by("effective_from").values_list("code", flat=True)
    ) == [
        "se-menpanrb-19-2020",
        "se-menpanrb-58-2020",
        "se-menpanrb-65-2020",
        "se-menpanrb-67-2020",
        "se-menpanrb-23-2021",
        "se-menpanrb-06-2022",
    ]


@pytest.mark.parametrize(("zone", "expected"), ZONE_CAPS)
@pytest.mark.parametrize("sector", ["non_essential", "essential", "critical"])
@pytest.mark.parametrize("java_bali", [True, False])
def test_se_67_2020_caps_by_risk_zone(zone, expected, sector, java_bali):
    assert cap_for(preset("se-menpanrb-67-2020").cap_rows, zone, sector, java_bali) == expected


@pytest.mark.parametrize("code", ["se-menpanrb-23-2021", "se-menpanrb-06-2022"])
@pytest.mark.parametrize(("sector", "java_bali", "level", "expected"), PPKM_CAPS)
def test_ppkm_presets_caps_by_level_sector_and_region(code, sector, java_bali, level, expected):
    assert cap_for(preset(code).cap_rows, level, sector, java_bali) == expected


def test_se_65_2020_is_half_in_two_shifts_three_hours_apart():
    policy = preset("se-menpanrb-65-2020")
    assert cap_for(policy.cap_rows, "*", "non_essential", True) == 0.5
    assert policy.shifts == [
        {"id": "pagi", "start": "07:30", "end": "11:30"},
        {"id": "siang", "start": "14:30", "end": "18:00"},
    ]
    assert policy.min_shift_gap_minutes == 180
    assert shift_gaps_ok(policy.shifts, 180) == []


def test_se_19_2020_keeps_the_two_highest_levels_on_site_without_a_cap():
    policy = preset("se-menpanrb-19-2020")
    assert policy.top_levels_on_site is True
    assert cap_for(policy.cap_rows, "*", "non_essential", True) == 1.0


def test_a_shift_gap_under_three_hours_is_named():
    shifts = [{"id": "pagi", "start": "07:30", "end": "11:30"}, {"id": "siang", "start": "13:00", "end": "16:00"}]
    assert shift_gaps_ok(shifts, 180) == ["pagi–siang: 90 min apart, at least 180 needed"]


def test_the_most_specific_row_wins():
    rows = [
        {"level": "high", "sector": "*", "region": "*", "cap": 0.25},
        {"level": "high", "sector": "essential", "region": "*", "cap": 0.5},
        {"level": "high", "sector": "essential", "region": "outside_java_bali", "cap": 0.75},
    ]
    assert cap_for(rows, "high", "non_essential", True) == 0.25
    assert cap_for(rows, "high", "essential", True) == 0.5
    assert cap_for(rows, "high", "essential", False) == 0.75
    assert cap_for(rows, "low", "essential", False) == 1.0


def test_a_bad_cap_table_is_refused_with_the_row_named():
    with pytest.raises(CapTableError, match=r"^Row 2: the cap must be from 0 to 1, not 1\.5\.$"):
        validate_cap_rows(
            [
                {"level": "1", "sector": "*", "region": "*", "cap": 1},
                {"level": "2", "sector": "*", "region": "*", "cap": 1.5},
            ]
        )


@pytest.mark.parametrize(
    ("code", "expected"),
    [("31", True), ("33.11", True), ("36.03", True), ("51.71", True), ("13.11", False), ("52", False)],
)
def test_java_bali_follows_the_province_code(code, expected):
    assert is_java_bali(code) is expected
