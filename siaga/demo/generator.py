"""Plan the demo regency in plain Python: units, posts, people, buildings, accounts.

``build_plan(scale=..., seed=...)`` is deterministic: it draws every choice from one
``random.Random(seed)`` and never reads the clock, so the same seed gives the same NIPs, names and
assignments on any machine. ``siaga.demo.services.demo_seed`` writes a plan to the database.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import random
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from siaga.demo import data
from siaga.demo.accounts import DEMO_ACCOUNTS
from siaga.demo.data import STRUKTURAL, BuildingSpec, Post, UnitSpec

SCALES = ("regency", "small")
#: Share of a unit's regency head count kept at the small scale.
SMALL_FACTOR = 0.5
#: The youngest and oldest birth years of the demo's ASN.
BIRTH_YEARS = (1965, 2000)
#: Last year of a CPNS appointment (TMT) in the demo, and the years PPPK contracts started.
LAST_PNS_APPOINTMENT = 2021
PPPK_YEARS = (2021, 2022, 2023)
#: Digits 13–14 of an NI PPPK: not a month (DOMAIN.md §4); real numbers carry 21 there.
PPPK_CODE = 21
#: Months of CPNS appointment, as they come in practice (January and March batches dominate).
TMT_MONTHS = (1, 1, 1, 2, 3, 3, 4, 12)
COMORBIDITY_SHARE = 0.08
#: Share of women born in or after PREGNANCY_BIRTH_YEAR who are pregnant or breastfeeding (≈ 2% of all women).
PREGNANCY_SHARE = 0.035
PREGNANCY_BIRTH_YEAR = 1980
#: Birth years by structural level: the higher the post, the older its holder.
LEVEL_BIRTH_YEARS = {
    data.JPT_MADYA: (1965, 1968),
    data.JPT_PRATAMA: (1965, 1975),
    data.ADMINISTRATOR: (1965, 1980),
    data.PENGAWAS: (1966, 1988),
}
HEAD_FEMALE_SHARE = 0.3


@dataclass
class UnitPlan:
    code: str
    name: str
    kind: str
    parent_code: str | None
    depth: int
    public_service: bool
    essential: bool
    building: str | None
    floor: int | None


@dataclass
class PositionPlan:
    unit_code: str
    name: str
    kind: str
    level: str
    is_head: bool


@dataclass
class EmployeePlan:
    nip: str
    nik: str
    name: str
    unit_code: str
    position: str  # the name of a post of the unit
    status: str  # "pns" or "pppk"
    birth_date: dt.date
    sex: str  # "M" or "F"
    email: str
    phone: str
    skills: tuple[str, ...]
    building: str | None
    floor: int | None
    comorbidity: bool
    pregnant: bool
    role: str  # "head", "deputy" or "staff" within the unit

    @property
    def has_risk_profile(self) -> bool:
        return self.comorbidity or self.pregnant


@dataclass
class RoomPlan:
    code: str
    name: str
    capacity: int
    distancing_capacity: int


@dataclass
class FloorPlan:
    number: int
    capacity: int
    distancing_capacity: int
    rooms: list[RoomPlan] = field(default_factory=list)


@dataclass
class BuildingPlan:
    code: str
    name: str
    address: str
    latitude: float
    longitude: float
    floors: list[FloorPlan] = field(default_factory=list)


@dataclass
class AccountPlan:
    username: str
    assigned: str
    employee_nip: str | None


@dataclass
class DelegationPlan:
    kind: str  # "plh" or "plt"
    unit_code: str
    acting_nip: str
    official_nip: str | None


@dataclass
class DemoPlan:
    scale: str
    seed: int
    units: list[UnitPlan]
    positions: list[PositionPlan]
    employees: list[EmployeePlan]
    buildings: list[BuildingPlan]
    accounts: list[AccountPlan]
    delegations: list[DelegationPlan]

    def counts(self) -> dict[str, int]:
        status = Counter(e.status for e in self.employees)
        return {
            "opds": sum(1 for u in self.units if u.parent_code is None),
            "units": len(self.units),
            "positions": len(self.positions),
            "employees": len(self.employees),
            "pns": status["pns"],
            "pppk": status["pppk"],
            "risk_profiles": sum(1 for e in self.employees if e.has_risk_profile),
            "buildings": len(self.buildings),
            "floors": sum(len(b.floors) for b in self.buildings),
            "rooms": sum(len(f.rooms) for b in self.buildings for f in b.floors),
            "accounts": len(self.accounts),
        }


# ---------------------------------------------------------------------------------------------------
# Identifiers


def pppk_number(*, birth: dt.date, year: int, sex: str, serial: int) -> str:
    """An NI PPPK: birth date, contract start year, the PPPK code (not a month), sex, serial."""
    return f"{birth:%Y%m%d}{year:04d}{PPPK_CODE:02d}{1 if sex == 'M' else 2}{serial:03d}"


def pns_number(*, birth: dt.date, appointed: tuple[int, int], sex: str, serial: int) -> str:
    """A NIP as ``siaga.org.identifiers.make_nip`` composes it (validity is checked by the tests)."""
    year, month = appointed
    return f"{birth:%Y%m%d}{year:04d}{month:02d}{1 if sex == 'M' else 2}{serial:03d}"


def nik_number(*, subdistrict: str, birth: dt.date, sex: str, serial: int) -> str:
    """A NIK registered in Sukoharjo: region, birth date (day + 40 for women), serial from 0001."""
    day = birth.day + (40 if sex == "F" else 0)
    return f"{data.NIK_REGION}{subdistrict}{day:02d}{birth:%m%y}{serial:04d}"


# ---------------------------------------------------------------------------------------------------
# People


class People:
    """Draws people (sex, birth date, name, numbers, contacts) from one random generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.nip_serials: Counter[str] = Counter()
        self.nik_serials: Counter[str] = Counter()
        self.emails: Counter[str] = Counter()
        self.subdistricts = tuple(code for _name, code, _lat, _lon in data.KECAMATAN_LIST)

    def birth_date(self, years: tuple[int, int]) -> dt.date:
        year = self.rng.randint(*years)
        month = self.rng.randint(1, 12)
        day = self.rng.randint(1, calendar.monthrange(year, month)[1])
        return dt.date(year, month, day)

    def name(self, sex: str, *, degree: str, prefix: str) -> tuple[str, str, str]:
        """(full name with titles, first name, last name)."""
        rng = self.rng
        first = rng.choice(data.MALE_FIRST if sex == "M" else data.FEMALE_FIRST)
        last = rng.choice(data.MALE_LAST if sex == "M" else data.FEMALE_LAST)
        middle = rng.choice(data.MALE_MIDDLE if sex == "M" else data.FEMALE_MIDDLE) if rng.random() < 0.2 else ""
        base = " ".join(part for part in (first, middle if middle != first else "", last) if part)
        full = f"{prefix} {base}" if prefix else base
        return (f"{full}, {degree}" if degree else full), first, last

    def email(self, first: str, last: str) -> str:
        local = f"{first}.{last}".lower()
        self.emails[local] += 1
        count = self.emails[local]
        return f"{local}{count if count > 1 else ''}@{data.EMAIL_DOMAIN}"

    def phone(self) -> str:
        return f"0{self.rng.choice(data.PHONE_PREFIXES)}{self.rng.randint(0, 99_999_999):08d}"

    def nip(self, *, birth: dt.date, sex: str, pppk: bool, offset: tuple[int, int]) -> str:
        rng = self.rng
        if pppk:
            year = rng.choice(_pppk_years(birth))
            prefix = pppk_number(birth=birth, year=year, sex=sex, serial=0)[:15]
        else:
            year = min(birth.year + rng.randint(*offset), LAST_PNS_APPOINTMENT)
            month = rng.choice(TMT_MONTHS)
            prefix = pns_number(birth=birth, appointed=(year, month), sex=sex, serial=0)[:15]
        self.nip_serials[prefix] += 1
        return f"{prefix}{self.nip_serials[prefix]:03d}"

    def nik(self, *, birth: dt.date, sex: str) -> str:
        subdistrict = self.rng.choice(self.subdistricts)
        prefix = nik_number(subdistrict=subdistrict, birth=birth, sex=sex, serial=0)[:12]
        self.nik_serials[prefix] += 1
        return f"{prefix}{self.nik_serials[prefix]:04d}"


def _pppk_years(birth: dt.date) -> tuple[int, ...]:
    return tuple(year for year in PPPK_YEARS if year >= birth.year + 18)


# ---------------------------------------------------------------------------------------------------
# The tree


@dataclass
class _Context:
    pool: tuple[Post, ...]
    public_service: bool
    essential: bool
    site: tuple[str, int] | None


def _walk(
    spec: UnitSpec, parent: UnitPlan | None, context: _Context | None, small: bool
) -> Iterator[tuple[UnitSpec, UnitPlan, tuple[Post, ...]]]:
    """Yield (spec, unit, post pool) for the unit and, depth first, every included unit below it."""
    if small and not spec.small:
        return
    own_pool = spec.posts or (context.pool if context else ())
    public = spec.public_service if spec.public_service is not None else bool(context and context.public_service)
    essential = spec.essential if spec.essential is not None else bool(context and context.essential)
    site = None if spec.offsite else spec.site or (context.site if context else None)
    unit = UnitPlan(
        code=f"{parent.code}-{spec.code}" if parent else spec.code,
        name=spec.name,
        kind=spec.kind,
        parent_code=parent.code if parent else None,
        depth=parent.depth + 1 if parent else 0,
        public_service=public,
        essential=essential,
        building=site[0] if site else None,
        floor=site[1] if site else None,
    )
    pool = own_pool + (data.GENERIC_POSTS if spec.generic else ())
    yield spec, unit, pool
    child_context = _Context(pool=own_pool, public_service=public, essential=essential, site=site)
    for child in spec.children:
        yield from _walk(child, unit, child_context, small)


def staff_count(spec: UnitSpec, small: bool) -> int:
    count = spec.staff if spec.staff is not None else data.DEFAULT_STAFF[spec.kind]
    if small:
        return max(1, round(count * SMALL_FACTOR))
    return count


def _pick_post(rng: random.Random, pool: tuple[Post, ...], index: int) -> Post:
    # The first person of a unit holds its primary post (a front desk's first officer, a task force's
    # epidemiologist), so that even the small scale has the people the demo accounts stand for.
    if index == 0:
        return pool[0]
    return rng.choices(pool, weights=[p.weight for p in pool])[0]


def build_plan(*, scale: str, seed: int) -> DemoPlan:
    """The whole demo regency for ``scale`` ("regency" ≈ 7,000 ASN, "small" ≤ 200) and ``seed``."""
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {SCALES}, not {scale!r}")
    small = scale == "small"
    rng = random.Random(seed)
    people = People(rng)
    units: list[UnitPlan] = []
    positions: list[PositionPlan] = []
    employees: list[EmployeePlan] = []

    def person(unit: UnitPlan, post_name: str, *, role: str, level: str = "", post: Post | None = None) -> EmployeePlan:
        if post is None:  # a structural post
            sex = "F" if rng.random() < HEAD_FEMALE_SHARE else "M"
            birth = people.birth_date(LEVEL_BIRTH_YEARS[level])
            pppk = False
            degree, prefix = rng.choice(data.STRUCTURAL_DEGREES), ""
            skills: tuple[str, ...] = ("signer",)
            offset = (22, 28)
        else:
            sex = "F" if rng.random() < post.female_share else "M"
            pppk = rng.random() < post.pppk_share
            birth = people.birth_date((1968, 1996) if pppk else BIRTH_YEARS)
            degree, prefix = rng.choice(post.degrees), post.prefix
            skills = post.skills
            offset = (20, 32)
        name, first, last = people.name(sex, degree=degree, prefix=prefix)
        comorbidity = rng.random() < COMORBIDITY_SHARE
        pregnant = sex == "F" and birth.year >= PREGNANCY_BIRTH_YEAR and rng.random() < PREGNANCY_SHARE
        return EmployeePlan(
            nip=people.nip(birth=birth, sex=sex, pppk=pppk, offset=offset),
            nik=people.nik(birth=birth, sex=sex),
            name=name,
            unit_code=unit.code,
            position=post_name,
            status="pppk" if pppk else "pns",
            birth_date=birth,
            sex=sex,
            email=people.email(first, last),
            phone=people.phone(),
            skills=skills,
            building=unit.building,
            floor=unit.floor,
            comorbidity=comorbidity,
            pregnant=pregnant,
            role=role,
        )

    for opd in data.opds():
        for spec, unit, pool in _walk(opd, None, None, small):
            units.append(unit)
            level = spec.level or data.HEAD_LEVEL[spec.kind]
            head = spec.head or f"Kepala {spec.name}"
            positions.append(PositionPlan(unit.code, head, STRUKTURAL, level, is_head=True))
            if not spec.vacant_head:
                employees.append(person(unit, head, role="head", level=level))
            for deputy, deputy_level in spec.deputies:
                positions.append(PositionPlan(unit.code, deputy, STRUKTURAL, deputy_level, is_head=False))
                employees.append(person(unit, deputy, role="deputy", level=deputy_level))
            used: set[str] = set()
            for index in range(staff_count(spec, small)):
                post = _pick_post(rng, pool, index)
                if post.name not in used:
                    used.add(post.name)
                    positions.append(PositionPlan(unit.code, post.name, post.kind, "", is_head=False))
                employees.append(person(unit, post.name, role="staff", post=post))

    buildings = _buildings(units, employees)
    return DemoPlan(
        scale=scale,
        seed=seed,
        units=units,
        positions=positions,
        employees=employees,
        buildings=buildings,
        accounts=_accounts(employees),
        delegations=_delegations(units, employees),
    )


# ---------------------------------------------------------------------------------------------------
# Buildings, floors, rooms


def _ceil_to(value: float, step: int) -> int:
    return int(math.ceil(value / step) * step)


def _room(code: str, name: str, capacity: int, share: float = 0.5) -> RoomPlan:
    return RoomPlan(code, name, capacity, max(1, min(capacity, int(capacity * share))))


def _buildings(units: list[UnitPlan], employees: list[EmployeePlan]) -> list[BuildingPlan]:
    """Every building a unit sits in (plus Menara Wijaya, always), with floors and rooms sized to
    the people there: normal capacity ≈ 1.25 × head count, half of it with distancing."""
    on_floor: Counter[tuple[str, int]] = Counter()
    by_unit: Counter[str] = Counter()
    for e in employees:
        if e.building is not None and e.floor is not None:
            on_floor[(e.building, e.floor)] += 1
        by_unit[e.unit_code] += 1
    units_on_floor: dict[tuple[str, int], list[UnitPlan]] = defaultdict(list)
    for u in units:
        if u.building is not None and u.floor is not None:
            units_on_floor[(u.building, u.floor)].append(u)
    used = {u.building for u in units if u.building}
    result: list[BuildingPlan] = []
    for spec in data.buildings():
        if spec.code not in used and spec.code != data.MW:
            continue
        result.append(_building(spec, on_floor, units_on_floor, by_unit))
    return result


def _building(
    spec: BuildingSpec,
    on_floor: Counter[tuple[str, int]],
    units_on_floor: dict[tuple[str, int], list[UnitPlan]],
    by_unit: Counter[str],
) -> BuildingPlan:
    building = BuildingPlan(spec.code, spec.name, spec.address, spec.latitude, spec.longitude)
    minimum = 60 if spec.code == data.MW else 30
    for number in range(1, spec.floors + 1):
        people = on_floor[(spec.code, number)]
        capacity = max(minimum, _ceil_to(people * 1.25, 10))
        floor = FloorPlan(number, capacity, capacity // 2)
        rooms: list[tuple[str, int, float]] = [(name, cap, 0.4) for name, cap in spec.rooms.get(number, ())]
        for unit in units_on_floor.get((spec.code, number), []):
            rooms.append((f"Ruang {unit.name}", max(4, _ceil_to(by_unit[unit.code] * 1.2, 2)), 0.5))
        rooms.append((f"Ruang Rapat Lantai {number}", 20, 0.4))
        floor.rooms = [
            _room(f"{spec.code}-{number}-{i:02d}", name, cap, share) for i, (name, cap, share) in enumerate(rooms, 1)
        ]
        building.floors.append(floor)
    return building


# ---------------------------------------------------------------------------------------------------
# Accounts and acting officials


def _first(employees: list[EmployeePlan], unit_code: str, role: str) -> EmployeePlan:
    """The first employee of ``unit_code`` in ``role``; "staff2" is the second staff member."""
    wanted, nth = ("staff", 2) if role == "staff2" else (role, 1)
    for e in employees:
        if e.unit_code == unit_code and e.role == wanted:
            nth -= 1
            if nth == 0:
                return e
    raise LookupError(f"the demo regency has no {role} in {unit_code}")


def _accounts(employees: list[EmployeePlan]) -> list[AccountPlan]:
    return [
        AccountPlan(
            username=a.username,
            assigned=a.assigned,
            employee_nip=_first(employees, a.unit, a.pick).nip if a.unit else None,
        )
        for a in DEMO_ACCOUNTS
    ]


def _delegations(units: list[UnitPlan], employees: list[EmployeePlan]) -> list[DelegationPlan]:
    """The seed story: DPMPTSP's head is isolating and its Sekretaris acts as Plh; at regency scale
    the Camat post of Bulu is vacant and its Sekretaris Camat acts as Plt."""
    plans = [
        DelegationPlan(
            "plh",
            "DPMPTSP",
            acting_nip=_first(employees, "DPMPTSP", "deputy").nip,
            official_nip=_first(employees, "DPMPTSP", "head").nip,
        )
    ]
    vacant = f"KEC-{data.VACANT_CAMAT.upper()}"
    if any(u.code == vacant for u in units):
        plans.append(DelegationPlan("plt", vacant, _first(employees, vacant, "deputy").nip, None))
    return plans
