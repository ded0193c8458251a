"""The demo regency plan, without a database: identifiers, determinism, structure, buildings."""

import datetime as dt
from collections import Counter

import pytest
from stdnum.id import nik as stdnum_nik

from siaga.demo import data
from siaga.demo.accounts import DEMO_ACCOUNTS
from siaga.demo.generator import build_plan, nik_number, pns_number, pppk_number
from siaga.org.identifiers import make_nip, parse_nip, validate_nik
from siaga.org.models import TOP_LEVEL_KINDS
from siaga.org.services import ALLOWED_PARENTS


@pytest.fixture(scope="module")
def regency():
    return build_plan(scale="regency", seed=2020)


@pytest.fixture(scope="module")
def small():
    return build_plan(scale="small", seed=2020)


def test_the_regency_has_about_seven_thousand_asn_in_forty_opds(regency):
    assert regency.counts() == {
        "opds": 40,
        "units": 359,
        "positions": 1849,
        "employees": 6877,
        "pns": 6256,
        "pppk": 621,
        "risk_profiles": 634,
        "buildings": 52,
        "floors": 96,
        "rooms": 464,
        "accounts": 12,
    }


def test_the_small_scale_stays_under_two_hundred_employees(small):
    assert small.counts() == {
        "opds": 6,
        "units": 22,
        "positions": 87,
        "employees": 146,
        "pns": 141,
        "pppk": 5,
        "risk_profiles": 10,
        "buildings": 7,
        "floors": 20,
        "rooms": 49,
        "accounts": 12,
    }
    assert [u.code for u in small.units if u.parent_code is None] == [
        "INSPEKTORAT",
        "DINKES",
        "DISDUKCAPIL",
        "DPMPTSP",
        "BKPSDM",
        "KEC-SUKOHARJO",
    ]


def test_the_opds_are_sukoharjos_with_its_twelve_kecamatan(regency):
    opds = {u.code: u for u in regency.units if u.parent_code is None}
    assert Counter(u.kind for u in opds.values()) == {
        "sekretariat_daerah": 1,
        "sekretariat_dprd": 1,
        "inspektorat": 1,
        "dinas": 19,
        "badan": 6,
        "kecamatan": 12,
    }
    assert [u.name for u in opds.values() if u.kind == "kecamatan"] == [
        "Kecamatan " + name
        for name in (
            "Weru", "Bulu", "Tawangsari", "Sukoharjo", "Nguter", "Bendosari",
            "Polokarto", "Mojolaban", "Grogol", "Baki", "Gatak", "Kartasura",
        )
    ]  # fmt: skip
    assert opds["BKPSDM"].kind == opds["BPBD"].kind == "badan"
    assert [u.name for u in regency.units if u.kind == "kelurahan"] == [
        "Kelurahan Jetis",
        "Kelurahan Joho",
        "Kelurahan Gayam",
        "Kelurahan Sonorejo",
        "Kelurahan Kartasura",
        "Kelurahan Ngadirejo",
        "Kelurahan Pucangan",
    ]
    assert Counter(u.kind for u in regency.units if u.parent_code == "SETDA") == {"bagian": 9}


@pytest.mark.parametrize("scale", ["regency", "small"])
def test_every_nip_is_valid_unique_and_matches_the_person(scale, request):
    plan = request.getfixturevalue(scale)
    for e in plan.employees:
        info = parse_nip(e.nip, pppk=e.status == "pppk")
        assert (info.birth_date, info.sex) == (e.birth_date, e.sex)
        assert 1965 <= e.birth_date.year <= 2000
        assert info.appointment_year >= e.birth_date.year + 18
        if e.status == "pppk":
            assert e.nip[12:14] == "21"
            assert info.appointment_year in (2021, 2022, 2023)
        else:
            assert info.appointment_year <= 2021
            assert (
                make_nip(
                    birth=e.birth_date,
                    appointed=(info.appointment_year, info.appointment_month or 0),
                    sex=e.sex,
                    serial=info.serial,
                )
                == e.nip
            )
    assert len({e.nip for e in plan.employees}) == len(plan.employees)


@pytest.mark.parametrize("scale", ["regency", "small"])
def test_every_nik_is_valid_unique_registered_in_sukoharjo_and_encodes_the_birth_date(scale, request):
    plan = request.getfixturevalue(scale)
    for e in plan.employees:
        assert validate_nik(e.nik) == e.nik
        assert e.nik.startswith("3311")
        # The NIK carries a two-digit year, which python-stdnum reads in the 1900s first.
        encoded = stdnum_nik.get_birth_date(e.nik)
        assert (encoded.day, encoded.month, encoded.year % 100) == (
            e.birth_date.day,
            e.birth_date.month,
            e.birth_date.year % 100,
        )
        assert (int(e.nik[6:8]) > 40) == (e.sex == "F")
    assert len({e.nik for e in plan.employees}) == len(plan.employees)


def test_identifier_builders_compose_the_documented_layouts():
    birth = dt.date(1990, 5, 5)
    assert pns_number(birth=birth, appointed=(2014, 3), sex="F", serial=7) == "199005052014032007"
    assert pppk_number(birth=birth, year=2021, sex="F", serial=1) == "199005052021212001"
    assert nik_number(subdistrict="04", birth=birth, sex="F", serial=1) == "3311044505900001"
    assert nik_number(subdistrict="12", birth=birth, sex="M", serial=12) == "3311120505900012"


def test_the_same_seed_gives_the_same_regency_and_another_seed_another(small):
    again = build_plan(scale="small", seed=2020)
    assert [(e.nip, e.nik, e.name, e.unit_code, e.position) for e in again.employees] == [
        (e.nip, e.nik, e.name, e.unit_code, e.position) for e in small.employees
    ]
    other = build_plan(scale="small", seed=2021)
    assert [e.nip for e in other.employees] != [e.nip for e in small.employees]
    assert [u.code for u in other.units] == [u.code for u in small.units]


def test_an_unknown_scale_is_refused():
    with pytest.raises(ValueError) as excinfo:
        build_plan(scale="province", seed=1)
    assert str(excinfo.value) == "scale must be one of ('regency', 'small'), not 'province'"


@pytest.mark.parametrize("scale", ["regency", "small"])
def test_the_tree_follows_the_parent_kind_rules(scale, request):
    plan = request.getfixturevalue(scale)
    kinds = {u.code: u.kind for u in plan.units}
    for u in plan.units:
        if u.parent_code is None:
            assert u.kind in TOP_LEVEL_KINDS, u.code
        else:
            assert u.kind not in TOP_LEVEL_KINDS, u.code
            assert kinds[u.parent_code] in ALLOWED_PARENTS[u.kind], u.code
    assert len(kinds) == len(plan.units)


@pytest.mark.parametrize("scale", ["regency", "small"])
def test_every_unit_has_one_head_post_and_heads_have_the_expected_levels(scale, request):
    plan = request.getfixturevalue(scale)
    heads = Counter(p.unit_code for p in plan.positions if p.is_head)
    assert heads == Counter(u.code for u in plan.units)
    level = {p.unit_code: p.level for p in plan.positions if p.is_head}
    kind = {u.code: u.kind for u in plan.units}
    for code, lvl in level.items():
        expected = {
            "sekretariat_daerah": "jpt_madya",
            "sekretariat_dprd": "jpt_pratama",
            "inspektorat": "jpt_pratama",
            "dinas": "jpt_pratama",
            "badan": "jpt_pratama",
            "kecamatan": "administrator",
            "bagian": "administrator",
            "bidang": "administrator",
            "sub_bagian": "pengawas",
            "seksi": "pengawas",
            "kelurahan": "pengawas",
        }.get(kind[code])
        if expected:  # UPTD heads vary: the RSUD director is JPT Pratama, the others pengawas
            assert lvl == expected, code
    names = Counter((p.unit_code, p.name) for p in plan.positions)
    assert max(names.values()) == 1


def test_heads_and_deputies_sign_and_front_desks_have_front_office_staff(regency):
    by_unit: dict[str, list] = {}
    for e in regency.employees:
        by_unit.setdefault(e.unit_code, []).append(e)
    assert all("signer" in e.skills for e in regency.employees if e.role in ("head", "deputy"))
    for code in ("DPMPTSP-YAN", "DISDUKCAPIL-DAFDUK", "DISDUKCAPIL-CAPIL", "KEC-SUKOHARJO-YAN", "DINKES-RSUD"):
        assert any("front_office" in e.skills for e in by_unit[code]), code
    skills = Counter(s for e in regency.employees for s in e.skills)
    assert skills == {"signer": 408, "front_office": 164, "driver": 136, "it_support": 77, "verifier": 37}
    assert all(e.email.endswith("@sukoharjokab.go.id") for e in regency.employees)
    assert len({e.email for e in regency.employees}) == len(regency.employees)
    assert all(e.phone.startswith("08") and len(e.phone) == 12 for e in regency.employees)


def test_about_eight_percent_have_a_comorbidity_and_two_percent_of_women_are_pregnant(regency):
    women = [e for e in regency.employees if e.sex == "F"]
    assert sum(e.comorbidity for e in regency.employees) == 561
    assert sum(e.pregnant for e in women) == 76
    assert len(women) == 3907
    assert not any(e.pregnant for e in regency.employees if e.sex == "M")


def test_public_service_and_essential_flags(regency):
    units = {u.code: u for u in regency.units}
    for code in ("DPMPTSP", "DPMPTSP-YAN", "DISDUKCAPIL", "KEC-WERU", "KEC-SUKOHARJO-KEL-JETIS", "DINKES-RSUD"):
        assert units[code].public_service, code
    for code in ("DINKES", "DINKES-RSUD", "DINKES-PKM-WERU", "BPBD", "SATPOLPP"):
        assert units[code].essential, code
    assert not units["DINKES"].public_service
    assert not units["BKPSDM"].public_service and not units["BKPSDM"].essential


@pytest.mark.parametrize("scale", ["regency", "small"])
def test_menara_wijaya_has_ten_floors_and_hosts_several_opds(scale, request):
    plan = request.getfixturevalue(scale)
    menara = next(b for b in plan.buildings if b.code == "menara-wijaya")
    assert [f.number for f in menara.floors] == list(range(1, 11))
    opds = sorted(u.code for u in plan.units if u.parent_code is None and u.building == "menara-wijaya")
    expected = {
        "small": ["BKPSDM", "DPMPTSP", "INSPEKTORAT"],
        "regency": [
            "BAPENDA", "BAPPELITBANGDA", "BKPSDM", "BPKAD", "DISKOMINFO",
            "DISKOPUKM", "DISNAKERTRANS", "DPMPTSP", "INSPEKTORAT", "KESBANGPOL",
        ],
    }[scale]  # fmt: skip
    assert opds == expected
    assert all(any("Ruang Rapat" in r.name for r in f.rooms) for f in menara.floors)
    assert {u.building for u in plan.units if u.code == "DPMPTSP-YAN"} == {"mpp"}


@pytest.mark.parametrize("scale", ["regency", "small"])
def test_spaces_hold_their_people_and_distancing_never_exceeds_capacity(scale, request):
    plan = request.getfixturevalue(scale)
    on_floor = Counter((e.building, e.floor) for e in plan.employees)
    codes = [r.code for b in plan.buildings for f in b.floors for r in f.rooms]
    assert len(set(codes)) == len(codes)
    for b in plan.buildings:
        assert -7.9 < b.latitude < -7.5 and 110.7 < b.longitude < 111.0, b.code
        for f in b.floors:
            assert 0 < f.distancing_capacity <= f.capacity
            assert on_floor[(b.code, f.number)] <= f.capacity
            for r in f.rooms:
                assert 0 < r.distancing_capacity <= r.capacity
    located = {b.code: {f.number for f in b.floors} for b in plan.buildings}
    for u in plan.units:
        if u.building is not None:
            assert u.floor in located[u.building], u.code
    # Teachers work at schools, which the demo does not model as buildings: they alone have no site.
    offsite = {u.code for u in plan.units if u.building is None}
    assert offsite == (
        {f"DISDIKBUD-UPTD-{name.upper()}" for name, *_ in data.KECAMATAN_LIST} if scale == "regency" else set()
    )
    for e in plan.employees:
        assert (e.building is None) == (e.unit_code in offsite)


def test_every_demo_account_has_its_employee_and_the_story_has_its_acting_officials(regency, small):
    for plan in (regency, small):
        nips = {e.nip: e for e in plan.employees}
        for account, planned in zip(DEMO_ACCOUNTS, plan.accounts, strict=True):
            assert planned.username == account.username
            if account.unit:
                assert nips[planned.employee_nip].unit_code == account.unit
            else:
                assert planned.employee_nip is None
        # each account its own person ("staff2": the courier is not the front-desk officer of the same bidang)
        linked = [a.employee_nip for a in plan.accounts if a.employee_nip]
        assert len(linked) == len(set(linked))
    assert [(d.kind, d.unit_code) for d in small.delegations] == [("plh", "DPMPTSP")]
    assert [(d.kind, d.unit_code) for d in regency.delegations] == [("plh", "DPMPTSP"), ("plt", "KEC-BULU")]
    heads = {e.unit_code for e in regency.employees if e.role == "head"}
    assert "KEC-BULU" not in heads and len(heads) == len(regency.units) - 1
    assert data.VACANT_CAMAT == "Bulu"
